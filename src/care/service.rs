//! Care use cases: generating visit tasks from the rules (the scheduled job), per-unit rules,
//! task lists and the coverage figure. Life events and aid are `care::events`.

use super::model::{LifeEventKind, TaskFilter, TaskReason, Tier, VisitId};
use super::repo::{self, Task, TaskGroup};
use super::rules::{self, Facts, Rules};
use crate::access::{self, ADULT_KEEPERS, MINOR_KEEPERS, Perm, Visible};
use crate::audit::{self as audit, model::Event};
use crate::crypto::FieldCrypto;
use crate::db::Tx;
use crate::error::AppResult;
use crate::ids::AccountId;
use crate::outbox::totals;
use crate::people::model::PersonId;
use crate::people::service::{self as people, Contact};
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

/// A visit task for a person no attempt of a contact round reached: due the next day,
/// assigned to the paired staff member (else `fallback`), once per round and person
/// (`key`). Returns the task.
pub async fn unreachable_task(
    tx: &mut Tx,
    person: PersonId,
    key: &str,
    today: NaiveDate,
    assigned: AccountId,
) -> Result<Option<crate::ids::TaskId>, sqlx::Error> {
    let due = today + Duration::days(1);
    repo::insert_task(
        tx,
        person,
        TaskReason::Round.as_str(),
        key,
        &today.to_string(),
        &due.to_string(),
        Some(assigned),
    )
    .await?;
    repo::task_by_key(tx, person, key).await
}

/// A phone task for a notice that had to reach a person and did not (unread after the SMS,
/// or an SMS that failed): for the person's paired staff member (else `fallback`, the
/// notice's writer), due the next day, once per notice and person (`key`). The person is
/// the file itself, or the file linked to an account; an account without a file gets none.
pub async fn notice_call_task(
    tx: &mut Tx,
    who: Result<PersonId, AccountId>,
    key: &str,
    today: NaiveDate,
    fallback: AccountId,
) -> Result<Option<crate::ids::TaskId>, sqlx::Error> {
    let person = match who {
        Ok(p) => Some(p),
        Err(a) => repo::person_of_account(tx, a).await?,
    };
    let Some(person) = person else {
        return Ok(None);
    };
    let assigned = repo::paired_of(tx, person).await?.unwrap_or(fallback);
    repo::insert_task(
        tx,
        person,
        TaskReason::Notice.as_str(),
        key,
        &today.to_string(),
        &(today + Duration::days(1)).to_string(),
        Some(assigned),
    )
    .await?;
    repo::task_by_key(tx, person, key).await
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

/// Every account's open tasks due by `day`, and how many of those are overdue: `(account,
/// due, overdue)` (the morning digest).
pub async fn due_counts(
    tx: &mut Tx,
    day: NaiveDate,
) -> Result<Vec<(AccountId, i64, i64)>, sqlx::Error> {
    repo::due_counts(tx, &day.to_string()).await
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

/// One page of the caller's open tasks, most urgent first, with the counts the list's
/// filters show.
#[derive(Clone, Debug, Default)]
pub struct TaskList {
    pub tasks: Vec<Task>,
    /// Tasks matching the filter (all pages).
    pub matching: i64,
    /// All the caller's open tasks, and how many of them are overdue.
    pub all: i64,
    pub overdue: i64,
    /// Per kind, the tasks matching the rest of the filter.
    pub kinds: Vec<(TaskReason, i64)>,
    /// Per unit of the persons (village or community), the tasks matching the rest of the
    /// filter: id, name, count, by name.
    pub units: Vec<(UnitId, String, i64)>,
    pub has_more: bool,
}

/// The caller's open visit tasks narrowed by `f`, most urgent first (by kind, then by how
/// long overdue on `today`), `limit` from `offset`.
pub async fn my_tasks(
    tx: &mut Tx,
    v: &Viewer,
    f: &TaskFilter,
    today: NaiveDate,
    limit: i64,
    offset: i64,
) -> AppResult<TaskList> {
    v.scope(Perm::People)?;
    let today = today.to_string();
    let mut tasks = repo::my_tasks(tx, v.p.id, f, &today, limit + 1, offset).await?;
    let has_more = tasks.len() as i64 > limit;
    tasks.truncate(limit as usize);
    let groups = repo::my_task_groups(tx, v.p.id, &today).await?;
    let mut list = TaskList {
        tasks,
        has_more,
        ..TaskList::default()
    };
    let kind_ok = |g: &TaskGroup| f.kind.is_none_or(|k| k == g.reason);
    let unit_ok = |g: &TaskGroup| f.unit.is_none_or(|u| u == g.unit_id);
    let late_ok = |g: &TaskGroup| !f.overdue || g.overdue;
    for g in &groups {
        list.all += g.n;
        list.overdue += if g.overdue { g.n } else { 0 };
        if kind_ok(g) && unit_ok(g) && late_ok(g) {
            list.matching += g.n;
        }
    }
    list.kinds = TaskReason::ALL
        .iter()
        .map(|k| {
            let n = groups
                .iter()
                .filter(|g| g.reason == *k && unit_ok(g) && late_ok(g))
                .map(|g| g.n)
                .sum();
            (*k, n)
        })
        .collect();
    list.kinds.sort_by_key(|(k, _)| k.urgency());
    for g in groups.iter().filter(|g| kind_ok(g) && late_ok(g)) {
        match list.units.iter_mut().find(|(id, _, _)| *id == g.unit_id) {
            Some(u) => u.2 += g.n,
            None => list.units.push((g.unit_id, g.unit_name.clone(), g.n)),
        }
    }
    list.units.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(list)
}

/// The caller's most urgent open task other than those of `except` (the "next task" after a
/// visit).
pub async fn next_task(
    tx: &mut Tx,
    v: &Viewer,
    except: PersonId,
    today: NaiveDate,
) -> AppResult<Option<Task>> {
    v.scope(Perm::People)?;
    let first =
        repo::my_tasks(tx, v.p.id, &TaskFilter::default(), &today.to_string(), 2, 0).await?;
    Ok(first.into_iter().find(|t| t.person_id != except))
}

/// A person's open tasks, whoever holds them, most urgent first (the file's summary).
pub async fn person_tasks_in(tx: &mut Tx, who: Visible<PersonId>) -> AppResult<Vec<Task>> {
    Ok(repo::person_tasks(tx, who.id()).await?)
}

/// A day's round on paper: the first `limit` of the caller's tasks narrowed by `f`, and, when
/// `reveal` is asked, each person's mobile and address decrypted (each reveal audited, in
/// the caller's write transaction).
pub async fn task_sheet(
    tx: &mut Tx,
    crypto: &FieldCrypto,
    v: &Viewer,
    f: &TaskFilter,
    today: NaiveDate,
    reveal: bool,
) -> AppResult<(Vec<Task>, Vec<Contact>)> {
    let list = my_tasks(tx, v, f, today, SHEET_ROWS, 0).await?;
    let contacts = if reveal {
        let mut ids: Vec<PersonId> = list.tasks.iter().map(|t| t.person_id).collect();
        ids.sort();
        ids.dedup();
        people::reveal_contacts(tx, crypto, v, &ids, "task_sheet").await?
    } else {
        Vec::new()
    };
    Ok((list.tasks, contacts))
}

/// Rows on one printed task sheet: a day's round.
pub const SHEET_ROWS: i64 = 60;

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
