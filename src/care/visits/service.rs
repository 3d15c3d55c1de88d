//! Visit records and care plans: the staff member's record of contact, and the per-person
//! plan (tier, contact interval, paired staff member).

use super::repo::{self, CarePlan, NewVisitRecord, Visit};
use crate::access::Visible;
use crate::audit::{self as audit, model::Event};
use crate::care::model::{Tier, VisitKind};
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::model::{self as m, PersonId};
use crate::web::auth::Viewer;
use chrono::Utc;
use serde_json::json;

/// A visit as submitted from the quick mobile form or the API.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VisitInput {
    /// `YYYY-MM-DD`, not in the future; today when empty.
    pub visited_on: Option<String>,
    /// home, phone, video or hospital.
    pub kind: String,
    /// Who went; the recording staff member when empty.
    pub visitors: Option<String>,
    pub findings: String,
    pub needs: Option<String>,
    pub follow_up: Option<String>,
}

async fn person_unit(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<i64> {
    Ok(crate::people::service::load(tx, v, id).await?.0.unit_id)
}

/// Records a visit to a file the caller may see, closes the tasks it satisfies, and audits
/// it, in the caller's write transaction.
pub async fn record(tx: &mut Tx, v: &Viewer, id: PersonId, input: &VisitInput) -> AppResult<i64> {
    let unit = person_unit(tx, v, id).await?;
    let today = Utc::now().date_naive();
    let mut errors = Vec::new();
    let on = match input
        .visited_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => m::parse_past_date("visited_on", d, today)
            .map_err(|e| errors.push(e))
            .ok(),
        None => Some(today),
    };
    let kind = VisitKind::parse(input.kind.trim())
        .ok_or(FieldError::new("kind", "validation.choice"))
        .map_err(|e| errors.push(e))
        .ok();
    let findings = m::parse_text("findings", Some(&input.findings), 2000)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if findings.is_none() && !errors.iter().any(|e| e.field == "findings") {
        errors.push(FieldError::new("findings", "validation.required"));
    }
    let visitors = m::parse_text("visitors", input.visitors.as_deref(), 200)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let needs = m::parse_text("needs", input.needs.as_deref(), 1000)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let follow_up = m::parse_text("follow_up", input.follow_up.as_deref(), 1000)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let (Some(on), Some(kind), Some(findings), true) = (on, kind, findings, errors.is_empty())
    else {
        return Err(AppError::Validation(errors));
    };
    let visitors = visitors.unwrap_or_else(|| v.p.display_name.clone());
    let on_date = on;
    let on = on.to_string();
    let visit_id = repo::insert_visit(
        tx,
        id,
        &NewVisitRecord {
            visited_on: &on,
            kind: kind.as_str(),
            visitors: &visitors,
            findings: &findings,
            needs: needs.as_deref(),
            follow_up: follow_up.as_deref(),
            recorded_by: v.p.id.0,
        },
    )
    .await?;
    let closed = crate::care::service::after_visit(tx, id, on_date, visit_id).await?;
    let recorded = crate::outbox::DomainEvent::new(
        crate::outbox::Kind::VisitRecorded,
        format!("person:{}", id.0),
    )
    .unit(unit)
    .actor(Some(v.p.id.0))
    .payload(json!({ "visit_id": visit_id, "tasks_done": closed }));
    crate::outbox::emit(tx, recorded).await?;
    let event = Event::ok("visit.create", format!("person:{}", id.0))
        .unit(unit)
        .detail(
            json!({ "after": { "visit_id": visit_id, "visited_on": on, "kind": kind.as_str(), "tasks_closed": closed } }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(visit_id)
}

/// The latest visits of a file the caller may see.
pub async fn list(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<Vec<Visit>> {
    let scope = v.scope(crate::access::Perm::People)?;
    let who = crate::access::person(tx, &scope, id).await?;
    list_in(tx, who).await
}

/// The latest 200 visits of a file the caller may see, in the caller's transaction.
pub async fn list_in(tx: &mut Tx, who: Visible<PersonId>) -> AppResult<Vec<Visit>> {
    Ok(repo::visits(tx, who.id(), 200).await?)
}

/// The care plan of a file the caller may see, in the caller's transaction.
pub async fn plan_in(tx: &mut Tx, who: Visible<PersonId>) -> AppResult<Option<CarePlan>> {
    Ok(repo::care_plan(tx, who.id()).await?)
}

/// A care plan as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CarePlanInput {
    /// key, regular or routine.
    pub tier: String,
    /// Days between contacts; the tier's default (30, 90, 365) when absent.
    pub interval_days: Option<i32>,
    /// Account id of the paired staff member (一人一卡), who must keep files at this unit.
    pub paired_staff: Option<i64>,
    pub notes: Option<String>,
}

/// Sets the care plan of a file the caller may see, in the caller's write transaction.
pub async fn set_plan(
    tx: &mut Tx,
    v: &Viewer,
    id: PersonId,
    input: &CarePlanInput,
) -> AppResult<CarePlan> {
    let unit = person_unit(tx, v, id).await?;
    let mut errors = Vec::new();
    let tier = Tier::parse(input.tier.trim());
    if tier.is_none() {
        errors.push(FieldError::new("tier", "validation.choice"));
    }
    let notes = m::parse_text("notes", input.notes.as_deref(), 1000)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    // Without an interval of its own, the plan takes the tier's interval configured for
    // the person's unit (or above it), else the defaults (30, 90, 365 days).
    let rules = crate::care::service::rules_for_unit(tx, unit).await?;
    let interval = input
        .interval_days
        .or(tier.map(|t| rules.interval_for(t)))
        .unwrap_or(0);
    if !(1..=3650).contains(&interval) {
        errors.push(FieldError::new("interval_days", "validation.interval"));
    }
    if let Some(staff) = input.paired_staff
        && !repo::staff_covers(tx, staff, unit).await?
    {
        errors.push(FieldError::new("paired_staff", "validation.paired_staff"));
    }
    let (Some(tier), true) = (tier, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let before = repo::care_plan(tx, id).await?;
    repo::upsert_care_plan(
        tx,
        id,
        tier.as_str(),
        interval,
        input.paired_staff,
        notes.as_deref(),
    )
    .await?;
    crate::care::service::refresh_contact(tx, id).await?;
    crate::outbox::records_changed(tx, unit, Some(v.p.id.0), format!("person:{}", id.0)).await?;
    let after = repo::care_plan(tx, id).await?.ok_or(AppError::NotFound)?;
    let event = Event::ok("care_plan.set", format!("person:{}", id.0)).unit(unit).detail(json!({
        "before": before.map(|b| json!({ "tier": b.tier, "interval_days": b.interval_days, "paired_staff": b.paired_staff })),
        "after": { "tier": after.tier, "interval_days": after.interval_days, "paired_staff": after.paired_staff },
    }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(after)
}

/// The care plan of a file the caller may see.
pub async fn plan(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<Option<CarePlan>> {
    let scope = v.scope(crate::access::Perm::People)?;
    let who = crate::access::person(tx, &scope, id).await?;
    plan_in(tx, who).await
}

/// Every visit and the care plan of the caller's own file, for the copy they download.
pub async fn of_own_copy(
    tx: &mut Tx,
    copy: &crate::people::own::OwnCopy,
) -> AppResult<(Vec<Visit>, Option<CarePlan>)> {
    let id = copy.id();
    Ok((
        repo::visits(tx, id, 10_000).await?,
        repo::care_plan(tx, id).await?,
    ))
}

/// Staff who may be paired with people at a unit, for the care plan's choice.
pub async fn pairable_staff(tx: &mut Tx, unit: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(repo::pairable_staff(tx, unit).await?)
}
