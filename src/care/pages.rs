//! Care pages: my tasks and a unit's care view (coverage, overdue tasks, rules).

use super::model::{TaskFilter, TaskQuery};
use super::repo::Task;
use super::rules::Rules;
use super::rules_form::RulesForm;
use super::service::{self, Coverage, TaskList};
use crate::access::Perm;
use crate::error::AppResult;
use crate::people::service::Contact;
use crate::state::AppState;
use crate::units::{Unit, model::UnitId, service as units};
use crate::web::PageParams;
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};

#[derive(Template)]
#[template(path = "care/tasks.html")]
struct TasksPage {
    page: Page,
    list: TaskList,
    f: TaskFilter,
    today: NaiveDate,
    page_no: i64,
}

impl TasksPage {
    /// Days a task is overdue on `today` (0 when not yet due).
    fn late_days(&self, t: &Task) -> i64 {
        t.days_late(self.today)
    }
}

/// "My tasks": the most urgent first, narrowed by kind, village and overdue, a page at a time.
pub async fn my_tasks(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<TaskQuery>,
) -> AppResult<Response> {
    let f = TaskFilter::parse(&q)?;
    let paging = PageParams { page: q.page };
    let today = Utc::now().date_naive();
    let mut tx = state.db.read().await?;
    let list = service::my_tasks(&mut tx, &v, &f, today, PageParams::SIZE, paging.offset()).await?;
    drop(tx);
    html(&TasksPage {
        page: Page::new(&v.ctx, "/tasks"),
        list,
        f,
        today,
        page_no: paging.page(),
    })
}

#[derive(Template)]
#[template(path = "care/sheet.html")]
struct SheetPage {
    page: Page,
    tasks: Vec<Task>,
    contacts: Vec<Contact>,
    f: TaskFilter,
    today: NaiveDate,
    revealed: bool,
}

impl SheetPage {
    fn late_days(&self, t: &Task) -> i64 {
        t.days_late(self.today)
    }
    fn contact(&self, t: &Task) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.person == t.person_id)
    }
}

/// The printable task sheet for a day's round, with the contact details masked.
pub async fn task_sheet(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<TaskQuery>,
) -> AppResult<Response> {
    let f = TaskFilter::parse(&q)?;
    let today = Utc::now().date_naive();
    let mut tx = state.db.read().await?;
    let (tasks, contacts) =
        service::task_sheet(&mut tx, &state.crypto, &v, &f, today, false).await?;
    drop(tx);
    sheet(&v, tasks, contacts, f, today)
}

/// The same sheet with each person's mobile and address shown (each reveal audited).
pub async fn reveal_sheet(
    State(state): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let f = TaskFilter::parse(&crate::web::form::<TaskQuery>(&body)?)?;
    let today = Utc::now().date_naive();
    let mut tx = state.db.write().await?;
    let (tasks, contacts) =
        service::task_sheet(&mut tx, &state.crypto, &v, &f, today, true).await?;
    tx.commit().await?;
    sheet(&v, tasks, contacts, f, today)
}

fn sheet(
    v: &Viewer,
    tasks: Vec<Task>,
    contacts: Vec<Contact>,
    f: TaskFilter,
    today: NaiveDate,
) -> AppResult<Response> {
    html(&SheetPage {
        page: Page::new(&v.ctx, "/tasks"),
        revealed: !contacts.is_empty(),
        tasks,
        contacts,
        f,
        today,
    })
}

#[derive(Template)]
#[template(path = "care/unit.html")]
struct UnitCarePage {
    page: Page,
    unit: Unit,
    coverage: Coverage,
    overdue: Vec<Task>,
    rules: Rules,
    own_rules: bool,
    can_manage: bool,
    ages: String,
    rule_fields: Vec<(&'static str, i32)>,
}

pub async fn unit_care(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
) -> AppResult<Response> {
    // One consistent read.
    let mut tx = state.db.read().await?;
    let unit = units::load(&mut tx, &v, Perm::ViewUnits, id).await?;
    let coverage = service::coverage(&mut tx, &v, id).await?;
    let overdue = service::overdue_at(&mut tx, &v, id).await?;
    let (rules, own_rules) = service::rules_at(&mut tx, &v, id).await?;
    let can_manage = units::load(&mut tx, &v, Perm::ManageUnits, id)
        .await
        .is_ok();
    drop(tx);
    let ages = rules
        .milestone_ages
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let rule_fields = vec![
        ("key_days", rules.key_days),
        ("regular_days", rules.regular_days),
        ("routine_days", rules.routine_days),
        ("hospital_days", rules.hospital_days),
        ("bereavement_days", rules.bereavement_days),
        ("death_days", rules.death_days),
        ("yearly_from_age", rules.yearly_from_age),
        ("festival_window_days", rules.festival_window_days),
    ];
    let page = Page::new(&v.ctx, "/units");
    html(&UnitCarePage {
        page,
        unit,
        coverage,
        overdue,
        rules,
        own_rules,
        can_manage,
        ages,
        rule_fields,
    })
}

pub async fn set_rules(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
    body: Bytes,
) -> AppResult<Response> {
    let rules = crate::web::form::<RulesForm>(&body)?.parse()?;
    let mut tx = state.db.write().await?;
    service::set_rules(&mut tx, &v, id, &rules).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/units/{id}/care")).into_response())
}
