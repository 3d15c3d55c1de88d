//! The system admin's settings page.

use super::service;
use crate::error::{AppError, AppResult};
use crate::policy::Policy;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::flash::{self, Flash};
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// The policy's fields in the order the form shows them.
const FIELDS: [&str; 10] = [
    "password_min_length",
    "password_min_classes",
    "password_expiry_days",
    "lockout_failures",
    "lockout_minutes",
    "ip_failures_per_window",
    "ip_window_minutes",
    "staff_idle_minutes",
    "admin_idle_minutes",
    "absolute_hours",
];

#[derive(Template)]
#[template(path = "settings/show.html")]
struct SettingsPage {
    page: Page,
    /// Each field: name, value in force, allowed range.
    fields: Vec<(&'static str, i64, (i64, i64))>,
}

fn values(p: &Policy) -> HashMap<&'static str, i64> {
    let v = serde_json::to_value(p).unwrap_or_default();
    FIELDS
        .iter()
        .map(|f| (*f, v[*f].as_i64().unwrap_or(0)))
        .collect()
}

pub async fn show_settings(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let p = service::current(&state, &v)?;
    let vals = values(&p);
    html(&SettingsPage {
        page: Page::new(&v.ctx, "/settings"),
        fields: FIELDS
            .iter()
            .map(|f| (*f, vals[f], Policy::range_of(f)))
            .collect(),
    })
}

pub async fn save_settings(
    State(state): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    // Permission before parsing: a refusal is audited whatever was sent.
    service::current(&state, &v)?;
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::field("form", "validation.form"))?;
    let mut doc = serde_json::Map::new();
    let mut fields = crate::web::form::Fields::new();
    for f in FIELDS {
        let n = fields.int(
            f,
            form.get(f).map_or("", String::as_str),
            i64::MIN..=i64::MAX,
        );
        if let Some(n) = n {
            doc.insert(f.to_string(), n.into());
        }
    }
    fields.check()?;
    let p: Policy = serde_json::from_value(serde_json::Value::Object(doc))
        .map_err(|_| AppError::field("form", "validation.policy_range"))?;
    let mut tx = state.db.write().await?;
    let p = service::save(&mut tx, &state.config, &v, p).await?;
    tx.commit().await?;
    state.policy_cache.set(p);
    Ok(flash::redirect("/settings", Flash::Saved).into_response())
}
