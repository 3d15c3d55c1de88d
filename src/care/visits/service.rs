//! Visit records and care plans: the staff member's record of contact, and the per-person
//! plan (tier, contact interval, paired staff member).

use super::model::{NewVisit, PlanChoice, interval_in_range};
use super::repo::{self, CarePlan, NewVisitRecord, Visit};
use crate::access::Visible;
use crate::audit::{self as audit, model::Event};
use crate::care::model::VisitId;
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::{AccountId, UnitId};
use crate::people::model::PersonId;
use crate::web::auth::Viewer;
use crate::web::form::Fields;
use serde_json::json;

async fn person_unit(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<UnitId> {
    Ok(crate::people::service::load(tx, v, id).await?.0.unit_id)
}

/// Records a visit to a file the caller may see, closes the tasks it satisfies, and audits
/// it, in the caller's write transaction; returns the visit's id and how many tasks it
/// completed.
pub async fn record(
    tx: &mut Tx,
    v: &Viewer,
    id: PersonId,
    visit: &NewVisit,
) -> AppResult<(VisitId, u64)> {
    let unit = person_unit(tx, v, id).await?;
    let visitors = visit
        .visitors
        .clone()
        .unwrap_or_else(|| v.p.display_name.clone());
    let on = visit.visited_on.to_string();
    let kind = visit.kind;
    let visit_id = repo::insert_visit(
        tx,
        id,
        &NewVisitRecord {
            visited_on: &on,
            kind: kind.as_str(),
            visitors: &visitors,
            findings: &visit.findings,
            needs: visit.needs.as_deref(),
            follow_up: visit.follow_up.as_deref(),
            recorded_by: v.p.id.0,
        },
    )
    .await?;
    let on_date = visit.visited_on;
    let closed = crate::care::service::after_visit(tx, id, on_date, visit_id).await?;
    let recorded = crate::outbox::DomainEvent::new(
        crate::outbox::Kind::VisitRecorded,
        format!("person:{}", id.0),
    )
    .unit(unit.0)
    .actor(Some(v.p.id.0))
    .payload(json!({ "visit_id": visit_id, "tasks_done": closed }));
    crate::outbox::emit(tx, recorded).await?;
    let event = Event::ok("visit.create", format!("person:{}", id.0))
        .unit(unit.0)
        .detail(
            json!({ "after": { "visit_id": visit_id, "visited_on": on, "kind": kind.as_str(), "tasks_closed": closed } }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok((visit_id, closed))
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

/// Sets the care plan of a file the caller may see, in the caller's write transaction.
pub async fn set_plan(
    tx: &mut Tx,
    v: &Viewer,
    id: PersonId,
    plan: &PlanChoice,
) -> AppResult<CarePlan> {
    let unit = person_unit(tx, v, id).await?;
    // Without an interval of its own, the plan takes the tier's interval configured for
    // the person's unit (or above it), else the defaults (30, 90, 365 days).
    let rules = crate::care::service::rules_for_unit(tx, unit).await?;
    let interval = plan
        .interval_days
        .unwrap_or_else(|| rules.interval_for(plan.tier));
    let mut f = Fields::new();
    if !interval_in_range(interval) {
        f.add(FieldError::new("interval_days", "validation.interval"));
    }
    if let Some(staff) = plan.paired_staff
        && !repo::staff_covers(tx, staff, unit).await?
    {
        f.add(FieldError::new("paired_staff", "validation.paired_staff"));
    }
    f.check()?;
    let before = repo::care_plan(tx, id).await?;
    repo::upsert_care_plan(
        tx,
        id,
        plan.tier.as_str(),
        interval,
        plan.paired_staff,
        plan.notes.as_deref(),
    )
    .await?;
    crate::care::service::refresh_contact(tx, id).await?;
    crate::outbox::records_changed(tx, unit.0, Some(v.p.id.0), format!("person:{}", id.0)).await?;
    let after = repo::care_plan(tx, id).await?.ok_or(AppError::NotFound)?;
    let event = Event::ok("care_plan.set", format!("person:{}", id.0)).unit(unit.0).detail(json!({
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
pub async fn pairable_staff(tx: &mut Tx, unit: UnitId) -> AppResult<Vec<(AccountId, String)>> {
    Ok(repo::pairable_staff(tx, unit).await?)
}
