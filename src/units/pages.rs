//! Unit pages: the tree, one unit, and the forms to create, change, move and deactivate.

use super::model::{UnitId, UnitKind};
use super::repo::{self, Unit};
use super::service::{self, Impact, NewUnit, UnitChanges};
use crate::access::Perm;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::flash::{self, Flash};
use crate::web::form::Fields;
use crate::web::render::{Page, html};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "units/list.html")]
struct TreePage {
    page: Page,
    units: Vec<Unit>,
    min_depth: i32,
    can_manage: bool,
    show_inactive: bool,
    kinds: Vec<UnitKind>,
}

#[derive(serde::Deserialize)]
pub struct TreeQuery {
    inactive: Option<String>,
}

/// The tree is capped so that a province-sized scope still renders quickly; the JSON API pages.
const TREE_LIMIT: i64 = 2000;

pub async fn list_units(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<TreeQuery>,
) -> AppResult<Response> {
    let scope = v.scope(Perm::ViewUnits)?;
    let show_inactive = q.inactive.is_some();
    let mut tx = state.db.read().await?;
    let units = repo::list(&mut tx, &scope, show_inactive, TREE_LIMIT).await?;
    let min_depth = units.iter().map(|u| u.depth).min().unwrap_or(0);
    html(&TreePage {
        page: Page::new(&v.ctx, "/units"),
        units,
        min_depth,
        can_manage: v.p.can(Perm::ManageUnits),
        show_inactive,
        kinds: UnitKind::ALL.to_vec(),
    })
}

#[derive(Template)]
#[template(path = "units/show.html")]
struct ShowPage {
    page: Page,
    unit: Unit,
    ancestors: Vec<Unit>,
    children: Vec<Unit>,
    can_manage: bool,
    kinds: Vec<UnitKind>,
    /// The kind a new unit here most likely has.
    child_kind: Option<UnitKind>,
    move_targets: Vec<Unit>,
}

pub async fn show_unit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let unit = service::load(&mut tx, &v, Perm::ViewUnits, id).await?;
    let can_manage = v.p.can(Perm::ManageUnits)
        && service::load(&mut tx, &v, Perm::ManageUnits, id)
            .await
            .is_ok();
    let ancestors = repo::ancestors(&mut tx, &unit).await?;
    let children = repo::children(&mut tx, id).await?;
    let move_targets = if can_manage {
        let scope = v.scope(Perm::ManageUnits)?;
        repo::list(&mut tx, &scope, false, TREE_LIMIT)
            .await?
            .into_iter()
            .filter(|t| !t.path.starts_with(&unit.path) && Some(t.id) != unit.parent_id)
            .collect()
    } else {
        Vec::new()
    };
    let unit_kind = unit.kind.clone();
    html(&ShowPage {
        page: Page::new(&v.ctx, "/units"),
        unit,
        ancestors,
        children,
        can_manage,
        kinds: UnitKind::ALL.to_vec(),
        child_kind: UnitKind::parse(&unit_kind).map(UnitKind::child_default),
        move_targets,
    })
}

#[derive(serde::Deserialize)]
pub struct NewUnitForm {
    parent_id: Option<String>,
    name: String,
    kind: String,
}

pub async fn create_unit(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<NewUnitForm>,
) -> AppResult<Response> {
    let mut fields = Fields::new();
    let Some(parent_id) = fields.optional_id("parent_id", f.parent_id.as_deref()) else {
        return Err(fields.failed());
    };
    let input = NewUnit {
        parent_id,
        name: f.name,
        kind: f.kind,
    }
    .parse()?;
    let mut tx = state.db.write().await?;
    let unit = service::create(&mut tx, &v, &input).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/units/{}", unit.id), Flash::Created).into_response())
}

#[derive(serde::Deserialize)]
pub struct ChangeForm {
    name: Option<String>,
    kind: Option<String>,
    parent_id: Option<String>,
}

pub async fn update_unit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
    Form(f): Form<ChangeForm>,
) -> AppResult<Response> {
    let mut fields = Fields::new();
    let Some(parent_id) = fields.optional_id("parent_id", f.parent_id.as_deref()) else {
        return Err(fields.failed());
    };
    let changes = UnitChanges {
        name: f.name.filter(|s| !s.is_empty()),
        kind: f.kind.filter(|s| !s.is_empty()),
        parent_id,
    }
    .parse()?;
    let mut tx = state.db.write().await?;
    service::update(&mut tx, &v, id, &changes).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/units/{id}"), Flash::Saved).into_response())
}

#[derive(Template)]
#[template(path = "units/deactivate.html")]
struct ConfirmPage {
    page: Page,
    unit: Unit,
    impact: Impact,
}

/// The confirmation before a unit is deactivated: what it takes out of use.
pub async fn confirm_deactivate(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (unit, impact) = service::impact(&mut tx, &v, id).await?;
    drop(tx);
    html(&ConfirmPage {
        page: Page::new(&v.ctx, "/units"),
        unit,
        impact,
    })
}

#[derive(serde::Deserialize)]
pub struct ConfirmForm {
    confirm: Option<String>,
}

/// Deactivates a unit and its subtree once the confirmation was ticked; without it, back to
/// the confirmation (nothing changed).
pub async fn deactivate_unit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    if f.confirm.as_deref() != Some("yes") {
        // Outside the caller's reach this is refused (404, audited) like the change itself.
        let mut tx = state.db.read().await?;
        service::impact(&mut tx, &v, id).await?;
        return Ok(Redirect::to(&format!("/units/{id}/deactivate")).into_response());
    }
    let mut tx = state.db.write().await?;
    service::deactivate(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/units/{id}"), Flash::Deactivated).into_response())
}

/// Reactivates a unit and its subtree.
pub async fn reactivate_unit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<UnitId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    service::reactivate(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/units/{id}"), Flash::Reactivated).into_response())
}
