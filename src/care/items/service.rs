//! Care-plan service items (一人一策: family-doctor contract, monthly call, medicine
//! delivery …): use cases, each in the caller's transaction.

use super::repo::{self, CareItem};
use crate::audit::{self as audit, model::Event};
use crate::care::model::ItemStatus;
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::model::{self as m, PersonId};
use crate::web::auth::Viewer;
use serde_json::json;

/// A service item as submitted; on an update only status and note change.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ItemInput {
    /// What is done, e.g. 家庭医生签约 (at most 60 characters).
    pub name: String,
    /// planned, active, paused or done (planned when empty).
    pub status: Option<String>,
    pub note: Option<String>,
}

async fn person_unit(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<i64> {
    Ok(crate::people::service::load(tx, v, id).await?.0.unit_id)
}

fn parse_status(s: Option<&str>) -> Result<ItemStatus, FieldError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(ItemStatus::Planned),
        Some(s) => ItemStatus::parse(s).ok_or(FieldError::new("status", "validation.choice")),
    }
}

/// The service items of a file the caller may see, in the caller's transaction.
pub async fn list_in(
    tx: &mut Tx,
    who: crate::access::Visible<PersonId>,
) -> AppResult<Vec<CareItem>> {
    Ok(repo::items(tx, who.id()).await?)
}

/// The service items of a file the caller may see.
pub async fn list(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<Vec<CareItem>> {
    let scope = v.scope(crate::access::Perm::People)?;
    let who = crate::access::person(tx, &scope, id).await?;
    list_in(tx, who).await
}

/// Adds a service item to a file the caller may see, in the caller's write transaction.
pub async fn add(tx: &mut Tx, v: &Viewer, id: PersonId, input: &ItemInput) -> AppResult<i64> {
    let unit = person_unit(tx, v, id).await?;
    let mut errors = Vec::new();
    let name = match m::parse_text("name", Some(&input.name), 60) {
        Ok(Some(n)) => Some(n),
        Ok(None) => {
            errors.push(FieldError::new("name", "validation.required"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let status = parse_status(input.status.as_deref())
        .map_err(|e| errors.push(e))
        .ok();
    let note = m::parse_text("note", input.note.as_deref(), 500)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let (Some(name), Some(status), true) = (name, status, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let item = repo::insert_item(tx, id, &name, status.as_str(), note.as_deref(), v.p.id.0).await?;
    let event = Event::ok("care_item.create", format!("person:{}", id.0))
        .unit(unit)
        .detail(json!({ "after": { "item_id": item, "status": status.as_str(), "note_set": note.is_some() } }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(item)
}

/// Changes an item's status and note, in the caller's write transaction.
pub async fn update(
    tx: &mut Tx,
    v: &Viewer,
    id: PersonId,
    item: i64,
    input: &ItemInput,
) -> AppResult<CareItem> {
    let unit = person_unit(tx, v, id).await?;
    let mut errors = Vec::new();
    let status = parse_status(input.status.as_deref())
        .map_err(|e| errors.push(e))
        .ok();
    let note = m::parse_text("note", input.note.as_deref(), 500)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let (Some(status), true) = (status, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let before = repo::item(tx, id, item).await?.ok_or(AppError::NotFound)?;
    repo::update_item(tx, id, item, status.as_str(), note.as_deref()).await?;
    let after = repo::item(tx, id, item).await?.ok_or(AppError::NotFound)?;
    let event = Event::ok("care_item.update", format!("person:{}", id.0))
        .unit(unit)
        .detail(json!({
            "item_id": item,
            "before": { "status": before.status },
            "after": { "status": after.status },
            "note_changed": before.note != after.note,
        }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(after)
}

/// The service items of the caller's own file, for the copy they download.
pub async fn of_own_copy(
    tx: &mut Tx,
    copy: &crate::people::own::OwnCopy,
) -> AppResult<Vec<CareItem>> {
    Ok(repo::items(tx, copy.id()).await?)
}
