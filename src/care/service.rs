//! Care use cases: generating visit tasks from the rules (the scheduled job), per-unit rules,
//! task lists and the coverage figure. Life events and aid are `care::events`.

use super::model::{LifeEventKind, Tier, VisitId};
use super::repo::{self, Task};
use super::rules::{self, Facts, Rules};
use crate::access::{self, ADULT_KEEPERS, MINOR_KEEPERS, Perm};
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::AppResult;
use crate::ids::AccountId;
use crate::outbox::totals;
use crate::people::model::PersonId;
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
pub struct TaskPlan {
    today: NaiveDate,
    all_rules: Vec<(String, Rules)>,
    defaults: Rules,
    fests: Vec<(&'static str, NaiveDate)>,
    since: String,
}

pub async fn task_plan(tx: &mut Tx, today: NaiveDate) -> Result<TaskPlan, sqlx::Error> {
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
pub async fn task_batch(
    tx: &mut Tx,
    plan: &TaskPlan,
    after: PersonId,
    only: Option<PersonId>,
) -> Result<Option<(PersonId, u64)>, sqlx::Error> {
    let batch = repo::people_batch(tx, after, only, 1000).await?;
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
                    let on = NaiveDate::parse_from_str(&e.3, "%Y-%m-%d").ok()?;
                    Some((e.0, LifeEventKind::parse(&e.2)?, on))
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
                t.reason.as_str(),
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

/// Creates the visit tasks one person's file calls for on `today`, in the caller's write
/// transaction (after a life event), and cancels the open tasks of files no longer active.
pub async fn generate_tasks_for(
    tx: &mut Tx,
    today: NaiveDate,
    person: PersonId,
) -> Result<u64, sqlx::Error> {
    let plan = task_plan(tx, today).await?;
    let mut created = 0;
    let mut after = PersonId(0);
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
    visit_id: VisitId,
) -> Result<u64, sqlx::Error> {
    let closed = repo::close_for_visit(tx, person, &visited_on.to_string(), visit_id).await?;
    refresh_contact(tx, person).await?;
    Ok(closed)
}

/// Recomputes the plan's last contact and next due date from the visits.
pub async fn refresh_contact(tx: &mut Tx, person: PersonId) -> Result<(), sqlx::Error> {
    let Some(plan) = super::visits::repo::care_plan(tx, person).await? else {
        return Ok(());
    };
    let last = repo::last_visit(tx, person).await?;
    let next = date(&last).map(|d| (d + Duration::days(i64::from(plan.interval_days))).to_string());
    if let Some(last) = last {
        repo::set_contact(tx, person, &last, next.as_deref()).await?;
    }
    Ok(())
}

/// The caller's open tasks and how many of them are overdue on `today` (the home page).
pub async fn my_counts(tx: &mut Tx, account: AccountId, today: &str) -> AppResult<(i64, i64)> {
    Ok(repo::my_counts(tx, account, today).await?)
}

/// The rules in force at a person's unit (configured there or above, else the defaults):
/// what a care plan's tier means there.
pub async fn rules_for_unit(tx: &mut Tx, unit_id: UnitId) -> Result<Rules, sqlx::Error> {
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
    r.check()?;
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
    Ok(repo::my_tasks(tx, v.p.id, 500).await?)
}

/// Overdue tasks in a unit's subtree.
pub async fn overdue_at(tx: &mut Tx, v: &Viewer, unit: UnitId) -> AppResult<Vec<Task>> {
    v.scope(Perm::People)?;
    let u = units::load(tx, v, Perm::ViewUnits, unit).await?;
    let today = Utc::now().date_naive().to_string();
    Ok(repo::unit_tasks(tx, v.p.id, &u.path, &today, 500).await?)
}

/// Coverage of key-tier people in a unit's subtree.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub unit_id: UnitId,
    pub key_people: i64,
    pub contacted_in_time: i64,
    /// Percent, one decimal; `null` when there are no key-tier people.
    pub percent: Option<f64>,
}

pub async fn coverage(tx: &mut Tx, v: &Viewer, unit: UnitId) -> AppResult<Coverage> {
    v.scope(Perm::People)?;
    let u = units::load(tx, v, Perm::ViewUnits, unit).await?;
    let today = Utc::now().date_naive().to_string();
    // Read from the subtree totals (one row a unit), over the files the caller may see:
    // adults' where they keep adults' files, minors' where they hold youth care.
    let (mut all, mut ok) = (0, 0);
    for (roles, metric) in [
        (ADULT_KEEPERS, "key_due:adult"),
        (MINOR_KEEPERS, "key_due:minor"),
    ] {
        let units = access::reach_within(&access::reach(&v.p.grants, roles), u.id, &u.path);
        all += totals::sum(tx, &units, metric, None).await?;
        ok += totals::sum_from(tx, &units, metric, &today).await?;
    }
    let percent = (all > 0).then(|| (ok as f64 * 1000.0 / all as f64).round() / 10.0);
    Ok(Coverage {
        unit_id: u.id,
        key_people: all,
        contacted_in_time: ok,
        percent,
    })
}

/// Cancels the open visit tasks of files no longer active.
pub async fn cancel_for_inactive(tx: &mut Tx) -> Result<u64, sqlx::Error> {
    repo::cancel_for_inactive(tx).await
}
