//! Life events (hospitalised, bereavement, a death …) and hardship aid on a person's file:
//! use cases, each in the caller's transaction. A life event creates the visit tasks it calls
//! for at once (`care::service::generate_tasks_for`).

use super::repo::{self, Aid, LifeEvent};
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::care::service::generate_tasks_for;
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::model::{self as m, PersonId};
use crate::people::service as people;
use crate::web::auth::Viewer;
use chrono::Utc;
use serde_json::json;

/// A life event as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EventInput {
    /// hospitalised, discharged, bereavement, hardship, moved or died.
    pub kind: String,
    /// `YYYY-MM-DD`, not in the future.
    pub occurred_on: String,
    pub note: Option<String>,
}

const EVENT_KINDS: [&str; 6] = [
    "hospitalised",
    "discharged",
    "bereavement",
    "hardship",
    "moved",
    "died",
];

/// Records a life event; a death or a move also changes the file's status. The tasks the
/// event calls for are created at once.
pub async fn record_event(
    tx: &mut Tx,
    v: &Viewer,
    person: PersonId,
    input: &EventInput,
) -> AppResult<i64> {
    let scope = v.scope(Perm::People)?;
    let who = crate::access::person(tx, &scope, person).await?;
    let (row, _) = people::load_in(tx, who).await?;
    let today = Utc::now().date_naive();
    let mut errors = Vec::new();
    let kind = EVENT_KINDS
        .iter()
        .find(|k| **k == input.kind.trim())
        .copied();
    if kind.is_none() {
        errors.push(FieldError::new("kind", "validation.choice"));
    }
    let on = m::parse_past_date("occurred_on", &input.occurred_on, today)
        .map_err(|e| errors.push(e))
        .ok();
    let note = m::parse_text("note", input.note.as_deref(), 500)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let (Some(kind), Some(on), true) = (kind, on, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let id = repo::insert_event(
        tx,
        person.0,
        kind,
        &on.to_string(),
        note.as_deref(),
        v.p.id.0,
    )
    .await?;
    match kind {
        "died" => people::set_status(tx, who, "deceased", Some(&on.to_string())).await?,
        "moved" => people::set_status(tx, who, "moved", None).await?,
        _ => {}
    }
    let event = Event::ok("life_event.create", format!("person:{}", person.0))
        .unit(row.unit_id)
        .detail(
            json!({ "after": { "event_id": id, "kind": kind, "occurred_on": on.to_string() } }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    generate_tasks_for(tx, today, person).await?;
    Ok(id)
}

/// The life events of a file the caller may see, in the caller's transaction.
pub async fn events_in(
    tx: &mut Tx,
    who: crate::access::Visible<PersonId>,
) -> AppResult<Vec<LifeEvent>> {
    Ok(repo::events_of(tx, who.id().0).await?)
}

/// The hardship aid of a file the caller may see, in the caller's transaction.
pub async fn aid_in(tx: &mut Tx, who: crate::access::Visible<PersonId>) -> AppResult<Vec<Aid>> {
    Ok(repo::aid_of(tx, who.id().0).await?)
}

/// The life events of a file the caller may see.
pub async fn events(tx: &mut Tx, v: &Viewer, person: PersonId) -> AppResult<Vec<LifeEvent>> {
    let scope = v.scope(crate::access::Perm::People)?;
    let who = crate::access::person(tx, &scope, person).await?;
    events_in(tx, who).await
}

/// Hardship aid as submitted; the amount in yuan with up to two decimals.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AidInput {
    pub kind: String,
    /// Yuan, e.g. `500` or `1200.50`.
    pub amount: String,
    pub approved_by: String,
    pub granted_on: String,
    pub note: Option<String>,
}

/// `1200.5` → 120050 fen; at most two decimals, not negative.
pub fn parse_yuan(s: &str) -> Option<i64> {
    let s = s.trim().trim_start_matches('¥').trim_end_matches('元');
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty()
        || frac.len() > 2
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let yuan: i64 = int.parse().ok()?;
    let fen: i64 = format!("{frac:0<2}").parse().ok()?;
    yuan.checked_mul(100)?.checked_add(fen)
}

/// Records hardship aid for a file the caller may see, in the caller's write transaction.
pub async fn record_aid(
    tx: &mut Tx,
    v: &Viewer,
    person: PersonId,
    input: &AidInput,
) -> AppResult<i64> {
    let (row, _) = crate::people::service::load(tx, v, person).await?;
    let today = Utc::now().date_naive();
    let mut errors = Vec::new();
    let kind = m::parse_text("kind", Some(&input.kind), 60)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let approved = m::parse_text("approved_by", Some(&input.approved_by), 60)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let fen = parse_yuan(&input.amount);
    if fen.is_none() {
        errors.push(FieldError::new("amount", "validation.amount"));
    }
    let on = m::parse_past_date("granted_on", &input.granted_on, today)
        .map_err(|e| errors.push(e))
        .ok();
    let note = m::parse_text("note", input.note.as_deref(), 500)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if kind.is_none() && !errors.iter().any(|e| e.field == "kind") {
        errors.push(FieldError::new("kind", "validation.required"));
    }
    if approved.is_none() && !errors.iter().any(|e| e.field == "approved_by") {
        errors.push(FieldError::new("approved_by", "validation.required"));
    }
    let (Some(kind), Some(approved), Some(fen), Some(on), true) =
        (kind, approved, fen, on, errors.is_empty())
    else {
        return Err(AppError::Validation(errors));
    };
    let id = repo::insert_aid(
        tx,
        person.0,
        &kind,
        fen,
        &approved,
        &on.to_string(),
        note.as_deref(),
        v.p.id.0,
    )
    .await?;
    let event = Event::ok("hardship_aid.create", format!("person:{}", person.0))
        .unit(row.unit_id)
        .detail(json!({ "after": { "aid_id": id, "kind": kind, "amount_fen": fen, "approved_by": approved, "granted_on": on.to_string() } }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// The hardship aid of a file the caller may see.
pub async fn aid(tx: &mut Tx, v: &Viewer, person: PersonId) -> AppResult<Vec<Aid>> {
    let scope = v.scope(crate::access::Perm::People)?;
    let who = crate::access::person(tx, &scope, person).await?;
    aid_in(tx, who).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn yuan_to_fen() {
        assert_eq!(super::parse_yuan("500"), Some(50_000));
        assert_eq!(super::parse_yuan("1200.5"), Some(120_050));
        assert_eq!(super::parse_yuan("¥3.05"), Some(305));
        assert_eq!(super::parse_yuan("-1"), None);
        assert_eq!(super::parse_yuan("1.234"), None);
        assert_eq!(super::parse_yuan(""), None);
    }
}
