//! Unit use cases shared by the pages and the API: each checks scope, validates, writes,
//! and records the change with before/after values in the audit trail, in one transaction.

use super::model::{UnitId, UnitKind, parse_name, within};
use super::repo::{self, Unit};
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::outbox::{DomainEvent, Kind, totals};
use crate::web::auth::Viewer;
use crate::web::form::Fields;
use serde_json::json;

/// Reads other modules use; each takes the caller's scope where it lists or looks up units.
pub use super::repo::{exists, get_in_scope, list, subtree};

/// A new unit as submitted.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewUnit {
    pub parent_id: Option<UnitId>,
    pub name: String,
    pub kind: String,
}

impl NewUnit {
    /// The new unit with its name and kind checked (every bad field in one answer).
    pub fn parse(&self) -> AppResult<UnitDraft> {
        let mut f = Fields::new();
        let name = f.take(parse_name(&self.name));
        let kind = f.take(parse_kind(&self.kind));
        f.done(name.zip(kind).map(|(name, kind)| UnitDraft {
            parent: self.parent_id,
            name,
            kind,
        }))
    }
}

/// A new unit, parsed: its parent (none for a new root), name and kind.
#[derive(Debug, Clone)]
pub struct UnitDraft {
    pub parent: Option<UnitId>,
    pub name: String,
    pub kind: UnitKind,
}

/// Changes to a unit: any of a new name, kind or parent.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct UnitChanges {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub parent_id: Option<UnitId>,
}

impl UnitChanges {
    /// The changes with each given field checked; an empty name or kind is no change.
    pub fn parse(&self) -> AppResult<UnitEdit> {
        let mut f = Fields::new();
        let given = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        let name = f.take(given(&self.name).as_deref().map(parse_name).transpose());
        let kind = f.take(given(&self.kind).as_deref().map(parse_kind).transpose());
        f.done(name.zip(kind).map(|(name, kind)| UnitEdit {
            name,
            kind,
            parent: self.parent_id,
        }))
    }
}

/// Changes to a unit, parsed.
#[derive(Debug, Clone, Default)]
pub struct UnitEdit {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    pub parent: Option<UnitId>,
}

fn parse_kind(s: &str) -> Result<UnitKind, FieldError> {
    UnitKind::parse(s).ok_or(FieldError::new("kind", "validation.unit_kind"))
}

/// Loads a unit the viewer may see with `perm`: 404 when it does not exist, and 404
/// (audited as refused) when it lies outside the viewer's scope.
pub async fn load(tx: &mut Tx, v: &Viewer, perm: Perm, id: UnitId) -> AppResult<Unit> {
    let scope = v.scope(perm)?;
    match repo::get_in_scope(tx, &scope, id).await? {
        Some(u) => Ok(u),
        None if repo::exists(tx, id).await? => Err(AppError::OutOfScope),
        None => Err(AppError::NotFound),
    }
}

pub async fn create(tx: &mut Tx, v: &Viewer, input: &UnitDraft) -> AppResult<Unit> {
    let scope = v.scope(Perm::ManageUnits)?;
    let (name, kind) = (&input.name, input.kind);
    repo::lock_tree(tx).await?;
    let parent = match input.parent {
        Some(pid) => match repo::get_in_scope(tx, &scope, pid).await? {
            Some(p) if p.active => Some(p),
            Some(_) => return Err(AppError::field("parent_id", "validation.parent_inactive")),
            None if repo::exists(tx, pid).await? => return Err(AppError::OutOfScope),
            None => return Err(AppError::NotFound),
        },
        // Only a global scope (the system admin) may create a new root.
        None if scope.all => None,
        None => return Err(AppError::field("parent_id", "validation.parent_missing")),
    };
    let unit = repo::insert(tx, parent.as_ref(), name, kind).await?;
    changed(tx, v, &unit, &[]).await?;
    audit::record(tx, &v.ctx.actor(), Event::ok("unit.create", format!("unit:{}", unit.id))
        .unit(unit.id)
        .detail(json!({ "after": { "name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id } })))
        .await?;
    Ok(unit)
}

pub async fn update(tx: &mut Tx, v: &Viewer, id: UnitId, ch: &UnitEdit) -> AppResult<Unit> {
    let scope = v.scope(Perm::ManageUnits)?;
    let (name, kind) = (ch.name.clone(), ch.kind);
    repo::lock_tree(tx).await?;
    let unit = match repo::get_in_scope(tx, &scope, id).await? {
        Some(u) => u,
        None if repo::exists(tx, id).await? => return Err(AppError::OutOfScope),
        None => return Err(AppError::NotFound),
    };
    let before = json!({ "name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id, "path": unit.path });
    if name.is_some() || kind.is_some() {
        let kind = kind
            .or_else(|| UnitKind::parse(&unit.kind))
            .unwrap_or(UnitKind::Village);
        repo::rename(tx, id, name.as_deref().unwrap_or(&unit.name), kind).await?;
    }
    if let Some(pid) = ch.parent.filter(|p| Some(*p) != unit.parent_id) {
        let target = match repo::get_in_scope(tx, &scope, pid).await? {
            Some(t) => t,
            None if repo::exists(tx, pid).await? => return Err(AppError::OutOfScope),
            None => return Err(AppError::NotFound),
        };
        if within(&target.path, &unit.path) {
            return Err(AppError::field("parent_id", "validation.move_into_self"));
        }
        if !target.active {
            return Err(AppError::field("parent_id", "validation.parent_inactive"));
        }
        // A unit admin may move only units strictly below a unit they administer: the unit's
        // current parent must be in scope too, or they could carry their own unit elsewhere.
        let parent_in_scope = match unit.parent_id {
            Some(pid) => repo::get_in_scope(tx, &scope, pid).await?.is_some(),
            None => false,
        };
        if !scope.all && !parent_in_scope {
            return Err(AppError::Forbidden);
        }
        repo::move_under(tx, &unit, &target).await?;
    }
    let after = repo::get_in_scope(tx, &crate::access::Scope::EVERYTHING, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if after.path != unit.path || after.kind != unit.kind {
        // A move tells the figures which ancestors it left.
        let moved_from = if after.path != unit.path {
            ancestors(&unit.path, unit.id)
        } else {
            Vec::new()
        };
        changed(tx, v, &after, &moved_from).await?;
    }
    audit::record(tx, &v.ctx.actor(), Event::ok("unit.update", format!("unit:{}", unit.id))
        .unit(unit.id)
        .detail(json!({ "before": before,
                        "after": { "name": after.name, "kind": after.kind, "parent_id": after.parent_id, "path": after.path } })))
        .await?;
    Ok(after)
}

/// A unit the caller manages (its subtree is in their scope), or why not.
async fn managed(tx: &mut Tx, v: &Viewer, id: UnitId) -> AppResult<(Unit, bool)> {
    let scope = v.scope(Perm::ManageUnits)?;
    match repo::get_in_scope(tx, &scope, id).await? {
        Some(u) => Ok((u, scope.all)),
        None if repo::exists(tx, id).await? => Err(AppError::OutOfScope),
        None => Err(AppError::NotFound),
    }
}

/// What deactivating a unit would take out of use, for the confirmation: the active units
/// below it (the first level by name), and the active person files and accounts in its
/// subtree (from the subtree totals, so a few seconds behind the newest changes).
#[derive(Clone, Debug)]
pub struct Impact {
    pub units_below: i64,
    pub children: Vec<Unit>,
    pub people: i64,
    pub accounts: i64,
}

pub async fn impact(tx: &mut Tx, v: &Viewer, id: UnitId) -> AppResult<(Unit, Impact)> {
    let (unit, _) = managed(tx, v, id).await?;
    let units_below = repo::count_below(tx, &unit, true).await?;
    let children = repo::children(tx, id)
        .await?
        .into_iter()
        .filter(|c| c.active)
        .collect();
    let mut people = 0;
    for m in ["people:adult", "people:minor"] {
        people += totals::sum(tx, &[unit.id], m, None).await?;
    }
    let accounts = totals::sum(tx, &[unit.id], "accounts", None).await?;
    let impact = Impact {
        units_below,
        children,
        people,
        accounts,
    };
    Ok((unit, impact))
}

/// Reactivates a unit and its subtree, under an active parent; audited.
pub async fn reactivate(tx: &mut Tx, v: &Viewer, id: UnitId) -> AppResult<u64> {
    repo::lock_tree(tx).await?;
    let (unit, _) = managed(tx, v, id).await?;
    if let Some(parent) = unit.parent_id {
        let p = repo::get(tx, parent).await?.ok_or(AppError::NotFound)?;
        if !p.active {
            return Err(AppError::Conflict("error.reactivate_under_inactive"));
        }
    }
    let n = repo::reactivate_subtree(tx, &unit).await?;
    changed(tx, v, &unit, &[]).await?;
    audit::record(tx, &v.ctx.actor(), Event::ok("unit.reactivate", format!("unit:{}", unit.id))
        .unit(unit.id)
        .detail(json!({ "before": { "active": unit.active }, "after": { "active": true }, "units_affected": n })))
        .await?;
    Ok(n)
}

/// Deactivates a unit and its subtree. Units are never hard-deleted: they own history.
pub async fn deactivate(tx: &mut Tx, v: &Viewer, id: UnitId) -> AppResult<u64> {
    repo::lock_tree(tx).await?;
    let (unit, all) = managed(tx, v, id).await?;
    if !all
        && v.p
            .grants
            .iter()
            .any(|g| g.unit_id == unit.id && g.role == "unit_admin")
    {
        // Deactivating the very unit one administers would lock oneself out.
        return Err(AppError::Conflict("error.deactivate_own_unit"));
    }
    let n = repo::deactivate_subtree(tx, &unit).await?;
    changed(tx, v, &unit, &[]).await?;
    audit::record(tx, &v.ctx.actor(), Event::ok("unit.deactivate", format!("unit:{}", unit.id))
        .unit(unit.id)
        .detail(json!({ "before": { "active": unit.active }, "after": { "active": false }, "units_affected": n })))
        .await?;
    Ok(n)
}

/// The ids above a unit in its path.
fn ancestors(path: &str, id: UnitId) -> Vec<i64> {
    path.split('/')
        .filter_map(|s| s.parse().ok())
        .filter(|a| *a != id.0)
        .collect()
}

/// Tells the figures that a unit and its subtree changed (created, retyped, moved from
/// `moved_from`'s ancestors, deactivated).
async fn changed(tx: &mut Tx, v: &Viewer, unit: &Unit, moved_from: &[i64]) -> AppResult<()> {
    let event = DomainEvent::new(Kind::UnitsChanged, format!("unit:{}", unit.id))
        .unit(unit.id)
        .actor(Some(v.p.id.0))
        .payload(json!({ "ancestors_before": moved_from }));
    crate::outbox::emit(tx, event).await?;
    Ok(())
}
