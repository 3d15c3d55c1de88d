//! SQL for must-visit rules, visit tasks and coverage.

use super::model::{TaskFilter, TaskReason, TaskStatus};
use super::rules::Rules;
use crate::db::{Tx, now};
use crate::ids::{AccountId, LifeEventId, PersonId, TaskId, UnitId, VisitId};
use crate::on_tx;
use chrono::{DateTime, Utc};

/// Rules configured at units, with each unit's path (the deepest match applies).
pub async fn all_rules(tx: &mut Tx) -> Result<Vec<(String, Rules)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        path: String,
        key_days: i32,
        regular_days: i32,
        routine_days: i32,
        hospital_days: i32,
        bereavement_days: i32,
        death_days: i32,
        milestone_ages: String,
        yearly_from_age: i32,
        festival_window_days: i32,
    }
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT u.path, r.key_days, r.regular_days, r.routine_days, r.hospital_days, r.bereavement_days,
                r.death_days, r.milestone_ages, r.yearly_from_age, r.festival_window_days
         FROM care_rules r JOIN units u ON u.id = r.unit_id").fetch_all(c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let rules = Rules {
                key_days: r.key_days,
                regular_days: r.regular_days,
                routine_days: r.routine_days,
                hospital_days: r.hospital_days,
                bereavement_days: r.bereavement_days,
                death_days: r.death_days,
                milestone_ages: super::rules::parse_ages(&r.milestone_ages).unwrap_or_default(),
                yearly_from_age: r.yearly_from_age,
                festival_window_days: r.festival_window_days,
            };
            (r.path, rules)
        })
        .collect())
}

/// The rules in force for a unit path: the deepest configured ancestor's, else the defaults.
pub fn rules_for<'a>(all: &'a [(String, Rules)], path: &str, default: &'a Rules) -> &'a Rules {
    all.iter()
        .filter(|(p, _)| path.starts_with(p.as_str()))
        .max_by_key(|(p, _)| p.len())
        .map(|(_, r)| r)
        .unwrap_or(default)
}

/// The rules in force at one unit (its own, the deepest configured ancestor's, or none).
pub async fn rules_at_unit(tx: &mut Tx, unit_id: UnitId) -> Result<Option<Rules>, sqlx::Error> {
    let path: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT path FROM units WHERE id = $1")
        .bind(unit_id).fetch_optional(c).await)?;
    let Some(path) = path else { return Ok(None) };
    let all = all_rules(tx).await?;
    Ok(all
        .iter()
        .filter(|(p, _)| path.starts_with(p.as_str()))
        .max_by_key(|(p, _)| p.len())
        .map(|(_, r)| r.clone()))
}

pub async fn save_rules(tx: &mut Tx, unit_id: UnitId, r: &Rules) -> Result<(), sqlx::Error> {
    let ages = r
        .milestone_ages
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO care_rules (unit_id, key_days, regular_days, routine_days, hospital_days, bereavement_days,
             death_days, milestone_ages, yearly_from_age, festival_window_days, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (unit_id) DO UPDATE SET key_days = excluded.key_days, regular_days = excluded.regular_days,
             routine_days = excluded.routine_days, hospital_days = excluded.hospital_days,
             bereavement_days = excluded.bereavement_days, death_days = excluded.death_days,
             milestone_ages = excluded.milestone_ages, yearly_from_age = excluded.yearly_from_age,
             festival_window_days = excluded.festival_window_days, updated_at = excluded.updated_at")
        .bind(unit_id).bind(r.key_days).bind(r.regular_days).bind(r.routine_days).bind(r.hospital_days)
        .bind(r.bereavement_days).bind(r.death_days).bind(ages).bind(r.yearly_from_age)
        .bind(r.festival_window_days).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One person as the task generator sees them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PersonFacts {
    pub id: PersonId,
    pub birth_date: Option<String>,
    pub status: String,
    pub path: String,
    pub tier: Option<String>,
    pub interval_days: Option<i32>,
    pub last_contact_on: Option<String>,
    pub paired_staff: Option<AccountId>,
}

/// The next batch of people after `after_id` (all of them, or only `only`).
pub async fn people_batch(
    tx: &mut Tx,
    after_id: PersonId,
    only: Option<PersonId>,
    limit: i64,
) -> Result<Vec<PersonFacts>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, PersonFacts>(
        "SELECT p.id, p.birth_date, p.status, u.path, cp.tier, cp.interval_days, cp.last_contact_on, cp.paired_staff
         FROM people p JOIN units u ON u.id = p.unit_id LEFT JOIN care_plans cp ON cp.person_id = p.id
         WHERE p.id > $1 AND ($2 IS NULL OR p.id = $2) ORDER BY p.id LIMIT $3")
        .bind(after_id).bind(only).bind(limit).fetch_all(c).await)
}

/// Life events on or after `since` for people with ids in `[lo, hi]`.
pub async fn recent_events(
    tx: &mut Tx,
    since: &str,
    lo: PersonId,
    hi: PersonId,
) -> Result<Vec<(LifeEventId, PersonId, String, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT id, person_id, kind, occurred_on FROM life_events WHERE occurred_on >= $1 AND person_id BETWEEN $2 AND $3")
        .bind(since).bind(lo).bind(hi).fetch_all(c).await)
}

/// Stores a task unless it exists; returns whether it was new.
#[allow(clippy::too_many_arguments)]
pub async fn insert_task(
    tx: &mut Tx,
    person: PersonId,
    reason: &str,
    key: &str,
    window_start: &str,
    due_on: &str,
    assigned_to: Option<AccountId>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "INSERT INTO visit_tasks (person_id, reason, reason_key, window_start, due_on, assigned_to, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) ON CONFLICT (person_id, reason_key) DO NOTHING")
        .bind(person).bind(reason).bind(key).bind(window_start).bind(due_on).bind(assigned_to).bind(now())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The person file an account is linked to.
pub async fn person_of_account(
    tx: &mut Tx,
    account: AccountId,
) -> Result<Option<PersonId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT id FROM people WHERE account_id = $1 AND status = 'active'")
        .bind(account).fetch_optional(c).await)
}

/// A person's paired staff member, if their plan names one.
pub async fn paired_of(tx: &mut Tx, person: PersonId) -> Result<Option<AccountId>, sqlx::Error> {
    let v: Option<Option<AccountId>> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT paired_staff FROM care_plans WHERE person_id = $1")
        .bind(person).fetch_optional(c).await)?;
    Ok(v.flatten())
}

/// The task of a person with the given key.
pub async fn task_by_key(
    tx: &mut Tx,
    person: PersonId,
    key: &str,
) -> Result<Option<TaskId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT id FROM visit_tasks WHERE person_id = $1 AND reason_key = $2")
        .bind(person).bind(key).fetch_optional(c).await)
}

/// Cancels open tasks of people who moved away or died (except the condolence visit).
pub async fn cancel_for_inactive(tx: &mut Tx) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE visit_tasks SET status = 'cancelled', closed_at = $1
         WHERE status = 'open' AND reason <> 'death'
           AND person_id IN (SELECT id FROM people WHERE status <> 'active')")
        .bind(now()).execute(c).await.map(|r| r.rows_affected()))
}

/// A visit on `visited_on` closes every open task of the person whose window has begun.
pub async fn close_for_visit(
    tx: &mut Tx,
    person: PersonId,
    visited_on: &str,
    visit_id: VisitId,
) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE visit_tasks SET status = 'done', closed_at = $1, closed_by_visit = $2
         WHERE person_id = $3 AND status = 'open' AND window_start <= $4")
        .bind(now()).bind(visit_id).bind(person).bind(visited_on).execute(c).await.map(|r| r.rows_affected()))
}

/// Updates the plan's last contact and next due date after a visit (when it is newer).
pub async fn set_contact(
    tx: &mut Tx,
    person: PersonId,
    last: &str,
    next_due: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE care_plans SET last_contact_on = $1, next_due_on = $2
         WHERE person_id = $3 AND (last_contact_on IS NULL OR last_contact_on <= $1)")
        .bind(last).bind(next_due).bind(person).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The latest visit date of a person.
pub async fn last_visit(tx: &mut Tx, person: PersonId) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT MAX(visited_on) FROM visits WHERE person_id = $1")
        .bind(person).fetch_one(c).await)
}

/// A task as listed.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: TaskId,
    pub person_id: PersonId,
    pub person_name: String,
    /// The person's unit (village or community).
    pub unit_id: UnitId,
    pub unit_name: String,
    /// The person's mobile, masked.
    pub mobile_mask: Option<String>,
    /// Whether an address is kept (it is shown only when revealed).
    pub has_address: bool,
    #[sqlx(try_from = "String")]
    pub reason: TaskReason,
    pub window_start: String,
    pub due_on: String,
    pub assigned_to: Option<AccountId>,
    pub assigned_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: TaskStatus,
    pub created_at: DateTime<Utc>,
}

/// The order of urgency of [`TaskReason::urgency`], as SQL.
impl Task {
    /// Days the task is overdue on `today` (0 when not yet due).
    pub fn days_late(&self, today: chrono::NaiveDate) -> i64 {
        chrono::NaiveDate::parse_from_str(&self.due_on, "%Y-%m-%d")
            .map(|due| (today - due).num_days().max(0))
            .unwrap_or(0)
    }
}

macro_rules! urgency {
    () => {
        "CASE t.reason WHEN 'hospital' THEN 1 WHEN 'round' THEN 2 WHEN 'notice' THEN 3
              WHEN 'bereavement' THEN 4 WHEN 'hardship' THEN 5 WHEN 'death' THEN 6 WHEN 'birthday' THEN 7
              WHEN 'festival' THEN 8 ELSE 9 END"
    };
}

macro_rules! task_columns {
    () => {
        "SELECT t.id, t.person_id, p.name AS person_name, p.unit_id, u.name AS unit_name, p.mobile_mask,
                (p.address_enc IS NOT NULL) AS has_address,
                t.reason, t.window_start, t.due_on,
                t.assigned_to, a.display_name AS assigned_name, t.status, t.created_at
         FROM visit_tasks t JOIN people p ON p.id = t.person_id JOIN units u ON u.id = p.unit_id
         LEFT JOIN accounts a ON a.id = t.assigned_to"
    };
}

/// Open tasks the account (`$1`) may see, where `$where`, in `$order` (which ends with the
/// limit).
macro_rules! task_select {
    ($where:expr, $order:expr) => {
        concat!(
            task_columns!(),
            " WHERE t.status = 'open' AND ",
            $where,
            " AND ",
            $crate::person_visible!("$1"),
            " ORDER BY ",
            $order
        )
    };
}

/// Open tasks assigned to the account, narrowed by `f`, most urgent first: by kind (the
/// `urgency!` ranks), then earliest due, so the longest overdue first. `today` decides what
/// is overdue.
pub async fn my_tasks(
    tx: &mut Tx,
    account: AccountId,
    f: &TaskFilter,
    today: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<Task>, sqlx::Error> {
    // The shared statement numbers the limit $3; $2 (a unit path elsewhere) is unused here.
    on_tx!(tx, c => sqlx::query_as::<_, Task>(task_select!(
            "t.assigned_to = $1 AND $2 = '' AND ($4 = '' OR t.reason = $4) AND ($5 = 0 OR p.unit_id = $5)
             AND ($6 = '' OR t.due_on < $6)",
            concat!(urgency!(), ", t.due_on, t.id LIMIT $3 OFFSET $7")))
        .bind(account).bind("").bind(limit)
        .bind(f.kind.map(TaskReason::as_str).unwrap_or(""))
        .bind(f.unit.map(|u| u.0).unwrap_or(0))
        .bind(if f.overdue { today } else { "" })
        .bind(offset)
        .fetch_all(c).await)
}

/// The account's open tasks counted by kind, the person's unit and whether overdue on
/// `today`: one row a group, from which the list's count and its filters' counts are summed.
pub async fn my_task_groups(
    tx: &mut Tx,
    account: AccountId,
    today: &str,
) -> Result<Vec<TaskGroup>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, TaskGroup>(concat!(
        "SELECT t.reason, p.unit_id, u.name AS unit_name, (t.due_on < $2) AS overdue, COUNT(*) AS n
         FROM visit_tasks t JOIN people p ON p.id = t.person_id JOIN units u ON u.id = p.unit_id
         WHERE t.assigned_to = $1 AND t.status = 'open' AND ",
        crate::person_visible!("$1"),
        " GROUP BY 1, 2, 3, 4"))
        .bind(account).bind(today).fetch_all(c).await)
}

/// One group of [`my_task_groups`].
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TaskGroup {
    #[sqlx(try_from = "String")]
    pub reason: TaskReason,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub overdue: bool,
    pub n: i64,
}

/// A person's open tasks, whoever they are assigned to, most urgent first (the file's
/// summary; the caller has checked the file).
pub async fn person_tasks(tx: &mut Tx, person: PersonId) -> Result<Vec<Task>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Task>(concat!(task_columns!(),
        " WHERE t.person_id = $1 AND t.status = 'open' ORDER BY ", urgency!(), ", t.due_on, t.id"))
        .bind(person).fetch_all(c).await)
}

/// Open tasks in a unit's subtree that the account may see, due before `before` (overdue
/// when `before` is today), earliest first.
pub async fn unit_tasks(
    tx: &mut Tx,
    account: AccountId,
    unit_path: &str,
    before: &str,
    limit: i64,
) -> Result<Vec<Task>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Task>(task_select!(
            concat!(crate::under!("u.path", "$2"), " AND t.due_on < $4"), "t.due_on, t.id LIMIT $3"))
        .bind(account).bind(unit_path).bind(limit).bind(before).fetch_all(c).await)
}

/// Counts of the account's open tasks: (all, overdue).
pub async fn my_counts(
    tx: &mut Tx,
    account: AccountId,
    today: &str,
) -> Result<(i64, i64), sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_on < $2 THEN 1 ELSE 0 END), 0)
         FROM visit_tasks WHERE assigned_to = $1 AND status = 'open'")
        .bind(account).bind(today).fetch_one(c).await)
}

/// Per account, its open tasks due by `day` and how many of those are overdue.
pub async fn due_counts(tx: &mut Tx, day: &str) -> Result<Vec<(AccountId, i64, i64)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT assigned_to, COUNT(*), COALESCE(SUM(CASE WHEN due_on < $1 THEN 1 ELSE 0 END), 0)
         FROM visit_tasks WHERE status = 'open' AND assigned_to IS NOT NULL AND due_on <= $1
         GROUP BY assigned_to ORDER BY assigned_to")
        .bind(day).fetch_all(c).await)
}
