//! Care use cases: generating visit tasks from the rules (the scheduled job), life events,
//! hardship aid, per-unit rules, task lists and the coverage figure.

use super::repo::{self, Aid, LifeEvent, Task};
use super::rules::{self, Facts, Rules};
use crate::access::Perm;
use crate::audit::{model::Event, repo as audit};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult, FieldError};
use crate::people::model::{self as m, PersonId, Tier};
use crate::people::service as people;
use crate::units::{model::UnitId, service as units};
use crate::web::auth::Viewer;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::json;

fn date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// What the task generator needs besides the people: every unit's rules, the festivals
/// around `today` and the start of the life-event look-back.
struct TaskPlan {
    today: NaiveDate,
    all_rules: Vec<(String, Rules)>,
    defaults: Rules,
    fests: Vec<(&'static str, NaiveDate)>,
    since: String,
}

async fn task_plan(tx: &mut Tx, today: NaiveDate) -> Result<TaskPlan, sqlx::Error> {
    Ok(TaskPlan {
        today,
        all_rules: repo::all_rules(tx).await?,
        defaults: Rules::default(),
        fests: [today.year() - 1, today.year(), today.year() + 1]
            .into_iter()
            .flat_map(rules::festivals)
            .collect(),
        since: (today - Duration::days(rules::EVENT_LOOKBACK_DAYS)).to_string(),
    })
}

/// Creates the tasks due for the next (up to) 1,000 people after `after` (or only `only`),
/// in the caller's write transaction; returns the last person's id and the tasks created, or
/// `None` when no one is left.
async fn task_batch(
    tx: &mut Tx,
    plan: &TaskPlan,
    after: i64,
    only: Option<PersonId>,
) -> Result<Option<(i64, u64)>, sqlx::Error> {
    let batch = repo::people_batch(tx, after, only.map(|p| p.0), 1000).await?;
    let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
        return Ok(None);
    };
    let mut created = 0;
    let events = repo::recent_events(tx, &plan.since, first.id, last.id).await?;
    for p in &batch {
        let facts = Facts {
            birth: date(&p.birth_date),
            active: p.status == "active",
            tier: p.tier.as_deref().and_then(Tier::parse),
            interval_days: p.interval_days,
            last_contact: date(&p.last_contact_on),
            events: events
                .iter()
                .filter(|e| e.1 == p.id)
                .filter_map(|e| {
                    NaiveDate::parse_from_str(&e.3, "%Y-%m-%d")
                        .ok()
                        .map(|d| (e.0, e.2.clone(), d))
                })
                .collect(),
        };
        let r = repo::rules_for(&plan.all_rules, &p.path, &plan.defaults);
        for t in rules::due(r, &facts, plan.today, &plan.fests) {
            let start = if t.window_start == NaiveDate::MIN {
                "0000-01-01".to_string()
            } else {
                t.window_start.to_string()
            };
            if repo::insert_task(
                tx,
                p.id,
                t.reason,
                &t.key,
                &start,
                &t.due_on.to_string(),
                p.paired_staff,
            )
            .await?
            {
                created += 1;
            }
        }
    }
    Ok(Some((last.id, created)))
}

/// Creates the visit tasks due on `today` for everyone (or one person). Idempotent: each
/// (person, reason) task is stored once however often or on however many nodes this runs.
///
/// Works at the edge (called by the daily job and the command line only): in batches of
/// 1,000 people, each in its own transaction, so that a province-wide run never holds the
/// write lock for long. A request uses [`generate_tasks_for`] in its own transaction.
pub async fn generate_tasks(
    db: &Db,
    today: NaiveDate,
    only: Option<PersonId>,
) -> Result<u64, sqlx::Error> {
    let plan = {
        let mut tx = db.read().await?;
        task_plan(&mut tx, today).await?
    };
    let mut created = 0;
    let mut after = 0;
    loop {
        let mut tx = db.write().await?;
        let Some((last, n)) = task_batch(&mut tx, &plan, after, only).await? else {
            break;
        };
        created += n;
        after = last;
        tx.commit().await?;
    }
    let mut tx = db.write().await?;
    repo::cancel_for_inactive(&mut tx).await?;
    tx.commit().await?;
    Ok(created)
}

/// Creates the visit tasks one person's file calls for on `today`, in the caller's write
/// transaction (after a life event), and cancels the open tasks of files no longer active.
pub async fn generate_tasks_for(
    tx: &mut Tx,
    today: NaiveDate,
    person: PersonId,
) -> Result<u64, sqlx::Error> {
    let plan = task_plan(tx, today).await?;
    let mut created = 0;
    let mut after = 0;
    while let Some((last, n)) = task_batch(tx, &plan, after, Some(person)).await? {
        created += n;
        after = last;
    }
    repo::cancel_for_inactive(tx).await?;
    Ok(created)
}

/// After a visit: close the tasks it satisfies and move the plan's next due date.
pub async fn after_visit(
    tx: &mut Tx,
    person: PersonId,
    visited_on: NaiveDate,
    visit_id: i64,
) -> Result<u64, sqlx::Error> {
    let closed = repo::close_for_visit(tx, person.0, &visited_on.to_string(), visit_id).await?;
    refresh_contact(tx, person).await?;
    Ok(closed)
}

/// Recomputes the plan's last contact and next due date from the visits.
pub async fn refresh_contact(tx: &mut Tx, person: PersonId) -> Result<(), sqlx::Error> {
    let Some(plan) = super::visits::repo::care_plan(tx, person).await? else {
        return Ok(());
    };
    let last = repo::last_visit(tx, person.0).await?;
    let next = date(&last).map(|d| (d + Duration::days(i64::from(plan.interval_days))).to_string());
    if let Some(last) = last {
        repo::set_contact(tx, person.0, &last, next.as_deref()).await?;
    }
    Ok(())
}

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

/// The caller's open tasks and how many of them are overdue on `today` (the home page).
pub async fn my_counts(tx: &mut Tx, account: i64, today: &str) -> AppResult<(i64, i64)> {
    Ok(repo::my_counts(tx, account, today).await?)
}

/// The rules in force at a person's unit (configured there or above, else the defaults):
/// what a care plan's tier means there.
pub async fn rules_for_unit(tx: &mut Tx, unit_id: i64) -> Result<Rules, sqlx::Error> {
    Ok(repo::rules_at_unit(tx, unit_id).await?.unwrap_or_default())
}

/// The rules in force at a unit (its own or inherited) and whether they are its own.
pub async fn rules_at(tx: &mut Tx, v: &Viewer, unit: UnitId) -> AppResult<(Rules, bool)> {
    let u = units::load(tx, v, Perm::ViewUnits, unit).await?;
    let all = repo::all_rules(tx).await?;
    let defaults = Rules::default();
    let own = all.iter().any(|(p, _)| *p == u.path);
    Ok((repo::rules_for(&all, &u.path, &defaults).clone(), own))
}

/// Sets a unit's own rules, in the caller's write transaction.
pub async fn set_rules(tx: &mut Tx, v: &Viewer, unit: UnitId, r: &Rules) -> AppResult<()> {
    let u = units::load(tx, v, Perm::ManageUnits, unit).await?;
    let bad = r.invalid_fields();
    if !bad.is_empty() {
        return Err(AppError::Validation(
            bad.into_iter()
                .map(|f| FieldError::new(f, "validation.rule_range"))
                .collect(),
        ));
    }
    repo::save_rules(tx, u.id, r).await?;
    let event = Event::ok("care_rules.set", format!("unit:{}", u.id))
        .unit(u.id)
        .detail(json!({ "after": r }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// The caller's open visit tasks.
pub async fn my_tasks(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<Task>> {
    v.scope(Perm::People)?;
    Ok(repo::my_tasks(tx, v.p.id.0, 500).await?)
}

/// Overdue tasks in a unit's subtree.
pub async fn overdue_at(tx: &mut Tx, v: &Viewer, unit: UnitId) -> AppResult<Vec<Task>> {
    v.scope(Perm::People)?;
    let u = units::load(tx, v, Perm::ViewUnits, unit).await?;
    let today = Utc::now().date_naive().to_string();
    Ok(repo::unit_tasks(tx, v.p.id.0, &u.path, &today, 500).await?)
}

/// Coverage of key-tier people in a unit's subtree.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub unit_id: i64,
    pub key_people: i64,
    pub contacted_in_time: i64,
    /// Percent, one decimal; `null` when there are no key-tier people.
    pub percent: Option<f64>,
}

pub async fn coverage(tx: &mut Tx, v: &Viewer, unit: UnitId) -> AppResult<Coverage> {
    v.scope(Perm::People)?;
    let u = units::load(tx, v, Perm::ViewUnits, unit).await?;
    let today = Utc::now().date_naive().to_string();
    let (all, ok) = repo::coverage(tx, v.p.id.0, &u.path, &today).await?;
    let percent = (all > 0).then(|| (ok as f64 * 1000.0 / all as f64).round() / 10.0);
    Ok(Coverage {
        unit_id: u.id,
        key_people: all,
        contacted_in_time: ok,
        percent,
    })
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
