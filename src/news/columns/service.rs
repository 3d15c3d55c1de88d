//! Columns: creating one, and the columns a writer or manager may use.

use super::repo;
use crate::access::{Perm, Scope};
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::news::Column;
use crate::news::articles::service::unit_in;
use crate::people::model::parse_text;
use crate::web::auth::Viewer;
use serde_json::json;

/// A column as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ColumnInput {
    pub unit_id: i64,
    pub name: String,
    /// column (栏目) or special (专题).
    pub kind: String,
    pub description: Option<String>,
}

pub async fn create_column(tx: &mut Tx, v: &Viewer, input: &ColumnInput) -> AppResult<i64> {
    let s = v.scope(Perm::ManageNews)?;
    let mut errors = Vec::new();
    let name = match parse_text("name", Some(&input.name), 40) {
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
    if !matches!(input.kind.as_str(), "column" | "special") {
        errors.push(FieldError::new("kind", "validation.choice"));
    }
    let description = parse_text("description", input.description.as_deref(), 200)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if !unit_in(tx, &s, input.unit_id).await? {
        errors.push(FieldError::new("unit_id", "validation.unit_scope"));
    }
    let (Some(name), true) = (name, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let id = repo::insert_column(
        tx,
        input.unit_id,
        &name,
        &input.kind,
        description.as_deref(),
    )
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::field("name", "validation.column_exists"),
        other => other,
    })?;
    let event = Event::ok("column.create", format!("column:{id}"))
        .unit(input.unit_id)
        .detail(json!({ "after": { "name": name, "kind": input.kind } }));
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
