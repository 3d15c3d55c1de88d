//! Columns: creating one, and the columns a writer or manager may use.

use super::model::NewColumn;
use super::repo;
use crate::access::{Perm, Scope};
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::ColumnId;
use crate::news::Column;
use crate::news::articles::service::unit_in;
use crate::web::auth::Viewer;
use crate::web::form::Fields;
use serde_json::json;

/// Creates a column in a unit of the caller's news scope; a name taken in the unit is a
/// field error.
pub async fn create_column(tx: &mut Tx, v: &Viewer, c: &NewColumn) -> AppResult<ColumnId> {
    let s = v.scope(Perm::ManageNews)?;
    let mut f = Fields::new();
    if !unit_in(tx, &s, c.unit_id).await? {
        f.add(FieldError::new("unit_id", "validation.unit_scope"));
    }
    f.check()?;
    let id = repo::insert_column(
        tx,
        c.unit_id,
        &c.name,
        c.kind.as_str(),
        c.description.as_deref(),
    )
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::field("name", "validation.column_exists"),
        other => other,
    })?;
    let event = Event::ok("column.create", format!("column:{id}"))
        .unit(c.unit_id.0)
        .detail(json!({ "after": { "name": c.name, "kind": c.kind.as_str() } }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// Columns the caller may see as staff (their units' and, for writers, those above).
pub async fn columns(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<Column>> {
    let s = v.scope(Perm::ReadDrafts)?;
    Ok(repo::columns_for_writer(tx, &s).await?)
}

/// Active and inactive columns an article may go into for a caller with scope `s` (their
/// units' and those above); callers keep the active ones.
pub async fn columns_in(tx: &mut Tx, s: &Scope) -> AppResult<Vec<Column>> {
    Ok(repo::columns_for_writer(tx, s).await?)
}
