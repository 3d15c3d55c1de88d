//! The person file page (一人一档, 一人一策): the file from `people` with its care (plan,
//! visits, life events, hardship aid, service items), read in one transaction with one check
//! of the caller's reach. It lives in care because care builds on people, never the reverse.

use crate::access::Perm;
use crate::care::Task;
use crate::care::events::service as events;
use crate::care::items::CareItem;
use crate::care::items::service as items;
use crate::care::model::{ItemStatus, LifeEventKind, TaskId, TaskReason, Tier, VisitKind};
use crate::care::service as care;
use crate::care::visits::service as visits;
use crate::care::visits::{CarePlan, Visit};
use crate::care::{Aid, LifeEvent};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::{AccountId, UnitId};
use crate::people::PersonRow;
use crate::people::model::{PersonId, Sensitive};
use crate::people::own;
use crate::people::photo;
use crate::people::service as people;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};

#[derive(Template)]
#[template(path = "people/show.html")]
struct ShowPage {
    page: Page,
    p: PersonRow,
    categories: Vec<String>,
    plan: Option<CarePlan>,
    visits: Vec<Visit>,
    revealed: Option<(&'static str, String)>,
    /// Each sensitive field: name, masked form (when one is kept), whether a value is stored.
    sensitive: Vec<(&'static str, Option<String>, bool)>,
    kinds: &'static [VisitKind],
    today: String,
    events: Vec<LifeEvent>,
    aid: Vec<Aid>,
    event_kinds: &'static [LifeEventKind],
    /// Each tier with its contact interval at this person's unit.
    tier_days: Vec<(Tier, i32)>,
    items: Vec<CareItem>,
    item_statuses: &'static [ItemStatus],
    item_suggestions: [&'static str; 6],
    has_photo: bool,
    online_branch: Option<(UnitId, String)>,
    /// Staff who may be paired with this person: id and name.
    staff: Vec<(AccountId, String)>,
    /// Age in whole years today, when the birth date is known.
    age: Option<i32>,
    /// The person's open tasks, most urgent first, and the one the page was opened from.
    tasks: Vec<Task>,
    task: Option<Task>,
    /// After a visit was saved: how many tasks it completed, and the caller's next task.
    closed: Option<u64>,
    next: Option<Task>,
    /// The open contact rounds the person is in: round, title, deadline, state.
    rounds: Vec<(
        crate::care::rounds::RoundId,
        String,
        String,
        crate::care::rounds::model::RoundState,
    )>,
    round_channels: &'static [crate::care::rounds::model::RoundChannel],
    /// The events the person registered for (newest first) and how many they attended.
    attendance: (Vec<crate::events::MyRegistration>, i64),
}

impl ShowPage {
    fn event_day(&self, r: &crate::events::MyRegistration) -> String {
        crate::i18n::local_time(&r.starts_at)
    }
    fn revealed_value(&self, field: &str) -> Option<String> {
        self.revealed
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, v)| v.clone())
    }
    /// Days a task is overdue today (0 when not yet due).
    fn late_days(&self, t: &Task) -> i64 {
        t.days_late(self.today_date())
    }
    fn today_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.today, "%Y-%m-%d").unwrap_or_default()
    }
    /// The visit kind the form offers first: a hospital visit for a hospital task.
    fn default_kind(&self) -> VisitKind {
        match self.task.as_ref().map(|t| t.reason) {
            Some(TaskReason::Hospital) => VisitKind::Hospital,
            _ => VisitKind::Home,
        }
    }
}

/// How the file page was reached: from a task (`task`), or after a visit was saved
/// (`closed`, the tasks it completed).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct FileQuery {
    pub task: Option<String>,
    pub closed: Option<String>,
}

/// Age in whole years on `today` of someone born on `birth` (`YYYY-MM-DD`).
fn age_on(birth: Option<&str>, today: NaiveDate) -> Option<i32> {
    let b = NaiveDate::parse_from_str(birth?, "%Y-%m-%d").ok()?;
    let mut years = today.year() - b.year();
    if (today.month(), today.day()) < (b.month(), b.day()) {
        years -= 1;
    }
    Some(years)
}

/// The person file page, read in the caller's transaction with one check of the caller's
/// reach.
async fn show(
    tx: &mut Tx,
    v: &Viewer,
    id: PersonId,
    revealed: Option<(&'static str, String)>,
    q: &FileQuery,
) -> AppResult<ShowPage> {
    let scope = v.scope(Perm::People)?;
    let who = crate::access::person(tx, &scope, id).await?;
    let (p, categories) = people::load_in(tx, who).await?;
    let plan = visits::plan_in(tx, who).await?;
    let visits = visits::list_in(tx, who).await?;
    let events = events::events_in(tx, who).await?;
    let aid = events::aid_in(tx, who).await?;
    let items = items::list_in(tx, who).await?;
    let rules = care::rules_for_unit(tx, p.unit_id).await?;
    let tier_days = Tier::ALL
        .iter()
        .map(|t| (*t, rules.interval_for(*t)))
        .collect();
    let has_photo = photo::has_photo_in(tx, who).await?;
    let online_branch = people::online_branch_in(tx, who).await?;
    let staff = visits::pairable_staff(tx, p.unit_id).await?;
    let today = chrono::Utc::now().date_naive();
    let tasks = care::person_tasks_in(tx, who).await?;
    let rounds = crate::care::rounds::service::of_person(tx, who).await?;
    let attendance = crate::events::service::of_person(tx, who).await?;
    let from = q
        .task
        .as_deref()
        .and_then(|t| t.trim().parse::<i64>().ok())
        .map(TaskId);
    let task = tasks.iter().find(|t| Some(t.id) == from).cloned();
    let closed = q
        .closed
        .as_deref()
        .and_then(|c| c.trim().parse::<u64>().ok());
    let next = match closed {
        Some(_) => care::next_task(tx, v, id, today).await?,
        None => None,
    };
    let p_birth = p.birth_date.clone();
    let sensitive = vec![
        (
            "id_number",
            p.id_number_mask.clone(),
            p.id_number_mask.is_some(),
        ),
        ("mobile", p.mobile_mask.clone(), p.mobile_mask.is_some()),
        ("address", None, p.has_address),
        ("emergency", None, p.has_emergency),
        ("health", None, p.has_health),
    ];
    Ok(ShowPage {
        page: Page::new(&v.ctx, "/people"),
        sensitive,
        p,
        categories,
        plan,
        visits,
        revealed,
        kinds: VisitKind::ALL,
        today: today.to_string(),
        events,
        aid,
        event_kinds: LifeEventKind::ALL,
        tier_days,
        items,
        item_statuses: ItemStatus::ALL,
        item_suggestions: [
            "family_doctor",
            "monthly_call",
            "medicine_delivery",
            "meals",
            "errands",
            "companionship",
        ],
        has_photo,
        online_branch,
        staff,
        age: age_on(p_birth.as_deref(), today),
        tasks,
        task,
        closed,
        next,
        rounds,
        round_channels: crate::care::rounds::model::RoundChannel::ALL,
        attendance,
    })
}

pub async fn show_person(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    Query(q): Query<FileQuery>,
) -> AppResult<Response> {
    // One consistent read.
    let mut tx = state.db.read().await?;
    let page = show(&mut tx, &v, id, None, &q).await?;
    drop(tx);
    html(&page)
}

#[derive(Template)]
#[template(path = "people/print.html")]
struct PrintPage {
    page: Page,
    s: ShowPage,
    /// A blank visit record to fill in on the visit, instead of the visit history.
    visit_sheet: bool,
}

/// The person file for paper, masked as the viewer sees it on screen.
pub async fn print_person(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    print(state, v, id, false).await
}

/// A visit sheet: the summary and a blank record to fill in on the visit.
pub async fn visit_sheet(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    print(state, v, id, true).await
}

async fn print(state: AppState, v: Viewer, id: PersonId, visit_sheet: bool) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let s = show(&mut tx, &v, id, None, &FileQuery::default()).await?;
    drop(tx);
    html(&PrintPage {
        page: Page::new(&v.ctx, "/people"),
        s,
        visit_sheet,
    })
}

pub async fn reveal_field(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, field)): Path<(PersonId, String)>,
) -> AppResult<Response> {
    let f = Sensitive::parse(&field).ok_or(AppError::NotFound)?;
    // The reveal, its audit entry and the page it is shown on are one write transaction.
    let mut tx = state.db.write().await?;
    let value = people::reveal(&mut tx, &state.crypto, &v, id, f)
        .await?
        .unwrap_or_default();
    let page = show(
        &mut tx,
        &v,
        id,
        Some((f.as_str(), value)),
        &FileQuery::default(),
    )
    .await?;
    tx.commit().await?;
    html(&page)
}

/// A complete copy of the person's own file, decrypted, as a JSON download: the file from
/// `people` with its visits, care plan and service items, and its audit entries, in one
/// write transaction.
pub async fn download_own(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let mut copy = own::own_copy(&mut tx, &state.crypto, &v).await?;
    let (visits, plan) = visits::of_own_copy(&mut tx, &copy).await?;
    let items = items::of_own_copy(&mut tx, &copy).await?;
    let value =
        |v: serde_json::Result<serde_json::Value>| v.map_err(|e| AppError::Internal(e.into()));
    copy.body["visits"] = value(serde_json::to_value(visits))?;
    copy.body["care_plan"] = value(serde_json::to_value(plan))?;
    copy.body["care_items"] = value(serde_json::to_value(items))?;
    own::record_own_copy(&mut tx, &v, &copy).await?;
    tx.commit().await?;
    own::own_copy_download(&copy)
}
