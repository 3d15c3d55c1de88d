//! Care-plan service items (一人一策: family-doctor contract, monthly call, medicine
//! delivery …): use cases, each in the caller's transaction.

use super::model::{ItemChanges, NewItem};
use super::repo::{self, CareItem};
use crate::audit::{self as audit, model::Event};
use crate::care::model::CareItemId;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::UnitId;
use crate::people::model::PersonId;
use crate::web::auth::Viewer;
use serde_json::json;

async fn person_unit(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<UnitId> {
    Ok(crate::people::service::load(tx, v, id).await?.0.unit_id)
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
pub async fn add(tx: &mut Tx, v: &Viewer, id: PersonId, new: &NewItem) -> AppResult<CareItemId> {
    let unit = person_unit(tx, v, id).await?;
    let (status, note) = (new.changes.status, &new.changes.note);
    let item =
        repo::insert_item(tx, id, &new.name, status.as_str(), note.as_deref(), v.p.id).await?;
    let event = Event::ok("care_item.create", format!("person:{}", id.0))
        .unit(unit.0)
        .detail(json!({ "after": { "item_id": item, "status": status.as_str(), "note_set": note.is_some() } }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(item)
}

/// Changes an item's status and note, in the caller's write transaction.
pub async fn update(
    tx: &mut Tx,
    v: &Viewer,
    id: PersonId,
    item: CareItemId,
    changes: &ItemChanges,
) -> AppResult<CareItem> {
    let unit = person_unit(tx, v, id).await?;
    let (status, note) = (changes.status, &changes.note);
    let before = repo::item(tx, id, item).await?.ok_or(AppError::NotFound)?;
    repo::update_item(tx, id, item, status.as_str(), note.as_deref()).await?;
    let after = repo::item(tx, id, item).await?.ok_or(AppError::NotFound)?;
    let event = Event::ok("care_item.update", format!("person:{}", id.0))
        .unit(unit.0)
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
