//! The person file page (一人一档, 一人一策): the file from `people` with its care (plan,
//! visits, life events, hardship aid, service items), read in one transaction with one check
//! of the caller's reach. It lives in care because care builds on people, never the reverse.

use crate::access::Perm;
use crate::care::events::service as events;
use crate::care::items::CareItem;
use crate::care::items::service as items;
use crate::care::model::{ItemStatus, LifeEventKind, Tier, VisitKind};
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
use axum::extract::{Path, State};
use axum::response::Response;

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
}

impl ShowPage {
    fn revealed_value(&self, field: &str) -> Option<String> {
        self.revealed
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, v)| v.clone())
    }
}

/// The person file page, read in the caller's transaction with one check of the caller's
/// reach.
async fn show(
    tx: &mut Tx,
    v: &Viewer,
    id: PersonId,
    revealed: Option<(&'static str, String)>,
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
        today: chrono::Utc::now().date_naive().to_string(),
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
    })
}

pub async fn show_person(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    // One consistent read.
    let mut tx = state.db.read().await?;
    let page = show(&mut tx, &v, id, None).await?;
    drop(tx);
    html(&page)
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
    let page = show(&mut tx, &v, id, Some((f.as_str(), value))).await?;
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
