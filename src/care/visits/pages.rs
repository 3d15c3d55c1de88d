//! Visit and care-plan forms on the person file page.

use super::service::{self as visits, CarePlanInput, VisitInput};
use crate::error::{AppError, AppResult};
use crate::people::model::PersonId;
use crate::state::AppState;
use crate::web::auth::Viewer;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn record_visit(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let input: VisitInput = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::field("form", "validation.form"))?;
    let mut tx = state.db.write().await?;
    visits::record(&mut tx, &v, PersonId(id), &input).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}#visits")).into_response())
}

#[derive(serde::Deserialize)]
pub struct PlanForm {
    tier: String,
    interval_days: Option<String>,
    paired_staff: Option<String>,
    notes: Option<String>,
}

pub async fn set_care_plan(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let f: PlanForm = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::field("form", "validation.form"))?;
    let number = |s: Option<String>, field: &'static str| -> AppResult<Option<i64>> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(n) => n
                .parse()
                .map(Some)
                .map_err(|_| AppError::field(field, "validation.number")),
        }
    };
    let input = CarePlanInput {
        tier: f.tier,
        interval_days: number(f.interval_days, "interval_days")?
            .map(|n| n.clamp(0, 100_000) as i32),
        paired_staff: number(f.paired_staff, "paired_staff")?,
        notes: f.notes,
    };
    let mut tx = state.db.write().await?;
    visits::set_plan(&mut tx, &v, PersonId(id), &input).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}
