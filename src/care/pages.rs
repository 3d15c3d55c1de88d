//! Care pages: my tasks and a unit's care view (coverage, overdue tasks, rules).

use super::repo::Task;
use super::rules::Rules;
use super::rules_form::RulesForm;
use super::service::{self, Coverage};
use crate::access::Perm;
use crate::error::AppResult;
use crate::state::AppState;
use crate::units::{Unit, model::UnitId, service as units};
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

#[derive(Template)]
#[template(path = "care/tasks.html")]
struct TasksPage {
    page: Page,
    tasks: Vec<Task>,
    today: String,
}

pub async fn my_tasks(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let tasks = service::my_tasks(&mut tx, &v).await?;
    drop(tx);
    html(&TasksPage {
        page: Page::new(&v.ctx, "/tasks"),
        tasks,
        today: Utc::now().date_naive().to_string(),
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
