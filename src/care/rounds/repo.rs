//! SQL of contact rounds: the snapshot of who is in one, attempts, states, the per-unit counts
//! behind the coverage page, and the ledger.

use super::model::{RoundFilter, RoundId, RoundState};
use crate::access::Scope;
use crate::db::{Tx, now};
use crate::ids::{AccountId, CareItemId, PersonId, TaskId, UnitId};
use crate::on_tx;
use chrono::{DateTime, Utc};

/// A round with its people counted by state (from `round_units`).
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct RoundRow {
    pub id: RoundId,
    pub unit_id: UnitId,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    #[sqlx(try_from = "String")]
    pub reason: super::model::RoundReason,
    pub title: String,
    /// The filter as chosen, JSON.
    pub filter: String,
    pub deadline: String,
    pub max_attempts: i32,
    #[sqlx(try_from = "String")]
    pub status: super::model::RoundStatus,
    pub started_by_name: String,
    pub started_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub pending: i64,
    pub safe: i64,
    pub needs_help: i64,
    pub unreachable: i64,
}

impl RoundRow {
    pub fn people(&self) -> i64 {
        self.pending + self.safe + self.needs_help + self.unreachable
    }
    pub fn filter(&self) -> RoundFilter {
        serde_json::from_str(&self.filter).unwrap_or_default()
    }
}

macro_rules! round_select {
    ($where:expr) => {
        concat!(
            "SELECT r.id, r.unit_id, u.name AS unit_name, u.path AS unit_path, r.reason, r.title, r.filter,
                    r.deadline, r.max_attempts, r.status, a.display_name AS started_by_name, r.started_at,
                    r.closed_at,
                    (SELECT COALESCE(SUM(x.pending), 0) FROM round_units x WHERE x.round_id = r.id) AS pending,
                    (SELECT COALESCE(SUM(x.safe), 0) FROM round_units x WHERE x.round_id = r.id) AS safe,
                    (SELECT COALESCE(SUM(x.needs_help), 0) FROM round_units x WHERE x.round_id = r.id) AS needs_help,
                    (SELECT COALESCE(SUM(x.unreachable), 0) FROM round_units x WHERE x.round_id = r.id) AS unreachable
             FROM rounds r JOIN units u ON u.id = r.unit_id JOIN accounts a ON a.id = r.started_by
             WHERE ",
            $where
        )
    };
}

/// SQL condition: the round's unit `u` is in the scope bound as `$1..$3`, or one of the
/// scope's grants lies below it (a village's staff work the county's round for the village).
macro_rules! round_reached {
    () => {
        concat!(
            "(",
            crate::in_scope!("u"),
            " OR EXISTS (SELECT 1 FROM role_grants g JOIN units gu ON gu.id = g.unit_id
               WHERE g.account_id = $2 AND g.revoked_at IS NULL AND ",
            crate::role_in!("g.role", "$3"),
            " AND ",
            crate::under!("gu.path", "u.path"),
            "))"
        )
    };
}

pub async fn insert(
    tx: &mut Tx,
    r: &super::model::NewRound,
    by: AccountId,
) -> Result<RoundId, sqlx::Error> {
    let filter = serde_json::to_string(&r.filter).unwrap_or_else(|_| "{}".into());
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO rounds (unit_id, reason, title, filter, deadline, max_attempts, status, started_by, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) RETURNING id")
        .bind(r.unit).bind(r.reason.as_str()).bind(&r.title).bind(&filter)
        .bind(r.deadline.to_string()).bind(r.max_attempts as i32).bind(by).bind(now())
        .fetch_one(c).await)
}

/// Who a round's filter takes in below the unit `$2`, as the account `$3` may see them, and
/// not yet in the round `$1` (0: none): one statement, so a county of 100,000 is snapshotted
/// at once.
macro_rules! matching {
    ($head:expr) => {
        concat!(
            $head,
            " FROM units r JOIN units u ON ",
            crate::under!("u.path", "r.path"),
            " JOIN people p ON p.unit_id = u.id LEFT JOIN care_plans cp ON cp.person_id = p.id
             WHERE r.id = $2 AND p.status = 'active' AND ",
            crate::person_visible!("$3"),
            " AND ($4 = '' OR EXISTS (SELECT 1 FROM person_categories pc WHERE pc.person_id = p.id
                    AND ',' || $4 || ',' LIKE '%,' || pc.category || ',%'))
              AND ($5 = '' OR ',' || $5 || ',' LIKE '%,' || COALESCE(cp.tier, '-') || ',%')
              AND ($6 = 0 OR p.living = 'alone')
              AND ($7 = '' OR p.birth_date <= $7) AND ($8 = '' OR p.birth_date > $8)
              AND NOT EXISTS (SELECT 1 FROM round_people x WHERE x.round_id = $1 AND x.person_id = p.id)"
        )
    };
}

/// What the snapshot statement binds: the unit, the account, the filter's lists and bounds.
pub struct Match<'a> {
    pub unit: UnitId,
    pub account: AccountId,
    pub filter: &'a RoundFilter,
    pub born: (String, String),
}

/// Adds everyone the filter takes in and the round lacks; `late` marks those added after the
/// start. Returns how many were added.
pub async fn snapshot(
    tx: &mut Tx,
    round: RoundId,
    m: &Match<'_>,
    late: bool,
) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(matching!(
        "INSERT INTO round_people (round_id, person_id, unit_id, staff_id, state, attempts, failures, added_at, late)
         SELECT $1, p.id, p.unit_id, cp.paired_staff, 'pending', 0, 0, $9, $10"))
        .bind(round).bind(m.unit).bind(m.account)
        .bind(m.filter.category_list()).bind(m.filter.tier_list()).bind(i32::from(m.filter.living_alone))
        .bind(&m.born.0).bind(&m.born.1).bind(now()).bind(late)
        .execute(c).await.map(|r| r.rows_affected()))
}

/// How many the filter would take in (for "check" before starting).
pub async fn count_matching(tx: &mut Tx, m: &Match<'_>) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(matching!("SELECT COUNT(*)"))
        .bind(0_i64).bind(m.unit).bind(m.account)
        .bind(m.filter.category_list()).bind(m.filter.tier_list()).bind(i32::from(m.filter.living_alone))
        .bind(&m.born.0).bind(&m.born.1)
        .fetch_one(c).await)
}

/// Recounts every unit's row of a round from its people.
pub async fn recount_all(tx: &mut Tx, round: RoundId) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM round_units WHERE round_id = $1")
        .bind(round).execute(c).await.map(|_| ()))?;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO round_units (round_id, unit_id, pending, safe, needs_help, unreachable)
         SELECT round_id, unit_id,
                SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END),
                SUM(CASE WHEN state = 'safe' THEN 1 ELSE 0 END),
                SUM(CASE WHEN state = 'needs_help' THEN 1 ELSE 0 END),
                SUM(CASE WHEN state = 'unreachable' THEN 1 ELSE 0 END)
         FROM round_people WHERE round_id = $1 GROUP BY round_id, unit_id")
        .bind(round).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Recounts one unit's row of a round (after a person's state changed).
pub async fn recount_unit(tx: &mut Tx, round: RoundId, unit: UnitId) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE round_units SET
            pending = (SELECT COUNT(*) FROM round_people p WHERE p.round_id = $1 AND p.unit_id = $2 AND p.state = 'pending'),
            safe = (SELECT COUNT(*) FROM round_people p WHERE p.round_id = $1 AND p.unit_id = $2 AND p.state = 'safe'),
            needs_help = (SELECT COUNT(*) FROM round_people p WHERE p.round_id = $1 AND p.unit_id = $2 AND p.state = 'needs_help'),
            unreachable = (SELECT COUNT(*) FROM round_people p WHERE p.round_id = $1 AND p.unit_id = $2 AND p.state = 'unreachable')
         WHERE round_id = $1 AND unit_id = $2")
        .bind(round).bind(unit).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// The rounds the scope reaches, newest first.
pub async fn list(tx: &mut Tx, s: &Scope, limit: i64) -> Result<Vec<RoundRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, RoundRow>(concat!(
        round_select!(round_reached!()), " ORDER BY r.id DESC LIMIT $4"))
        .bind(s.all).bind(s.account).bind(s.roles).bind(limit).fetch_all(c).await)
}

/// One round, if the scope reaches it.
pub async fn get(tx: &mut Tx, s: &Scope, id: RoundId) -> Result<Option<RoundRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, RoundRow>(concat!(
        round_select!(round_reached!()), " AND r.id = $4"))
        .bind(s.all).bind(s.account).bind(s.roles).bind(id).fetch_optional(c).await)
}

pub async fn exists(tx: &mut Tx, id: RoundId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM rounds WHERE id = $1")
        .bind(id).fetch_one(c).await)?;
    Ok(n > 0)
}

/// One row of the coverage table: a unit and its subtree's people by state.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct RoundCoverage {
    pub unit_id: UnitId,
    pub unit_name: String,
    pub pending: i64,
    pub safe: i64,
    pub needs_help: i64,
    pub unreachable: i64,
}

impl RoundCoverage {
    pub fn people(&self) -> i64 {
        self.pending + self.safe + self.needs_help + self.unreachable
    }
    /// Percent reached (a final state other than unreachable), rounded down.
    pub fn reached_pct(&self) -> i64 {
        match self.people() {
            0 => 0,
            n => (self.safe + self.needs_help) * 100 / n,
        }
    }
    /// The bar's widths in percent: safe, needing help, unreachable (the rest is pending).
    pub fn widths(&self) -> (f64, f64, f64) {
        let n = self.people().max(1) as f64;
        let pct = |x: i64| (x as f64 * 1000.0 / n).round() / 10.0;
        (pct(self.safe), pct(self.needs_help), pct(self.unreachable))
    }
    /// Percent with any final state.
    pub fn done_pct(&self) -> i64 {
        match self.people() {
            0 => 0,
            n => (n - self.pending) * 100 / n,
        }
    }
}

/// The unit `at` (its subtree in total) and each unit right below it, with their subtrees'
/// counts in the round; units with nobody in the round are left out.
pub async fn coverage(
    tx: &mut Tx,
    round: RoundId,
    at: UnitId,
) -> Result<(RoundCoverage, Vec<RoundCoverage>), sqlx::Error> {
    let total: RoundCoverage = on_tx!(tx, c => sqlx::query_as(concat!(
        "SELECT t.id AS unit_id, t.name AS unit_name,
                COALESCE(SUM(x.pending), 0) AS pending, COALESCE(SUM(x.safe), 0) AS safe,
                COALESCE(SUM(x.needs_help), 0) AS needs_help, COALESCE(SUM(x.unreachable), 0) AS unreachable
         FROM units t JOIN units d ON ", crate::under!("d.path", "t.path"), "
         LEFT JOIN round_units x ON x.unit_id = d.id AND x.round_id = $1
         WHERE t.id = $2 GROUP BY t.id, t.name"))
        .bind(round).bind(at).fetch_one(c).await)?;
    let rows: Vec<RoundCoverage> = on_tx!(tx, c => sqlx::query_as(concat!(
        "SELECT t.id AS unit_id, t.name AS unit_name,
                COALESCE(SUM(x.pending), 0) AS pending, COALESCE(SUM(x.safe), 0) AS safe,
                COALESCE(SUM(x.needs_help), 0) AS needs_help, COALESCE(SUM(x.unreachable), 0) AS unreachable
         FROM units t JOIN units d ON ", crate::under!("d.path", "t.path"), "
         JOIN round_units x ON x.unit_id = d.id AND x.round_id = $1
         WHERE t.parent_id = $2 GROUP BY t.id, t.name, t.path ORDER BY t.path"))
        .bind(round).bind(at).fetch_all(c).await)?;
    Ok((total, rows))
}

/// A person in a round as the lists show them (the mobile masked).
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct RoundMember {
    pub person_id: PersonId,
    pub name: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub mobile_mask: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: RoundState,
    pub attempts: i32,
    pub failures: i32,
    /// Codes joined by commas.
    pub needs: Option<String>,
    pub needs_note: Option<String>,
    pub last_at: Option<DateTime<Utc>>,
    pub last_by_name: Option<String>,
    pub staff_name: Option<String>,
    pub late: bool,
}

macro_rules! member_select {
    ($where:expr, $tail:expr) => {
        concat!(
            "SELECT rp.person_id, p.name, rp.unit_id, ru.name AS unit_name, p.mobile_mask, rp.state,
                    rp.attempts, rp.failures, rp.needs, rp.needs_note, rp.last_at,
                    lb.display_name AS last_by_name, st.display_name AS staff_name, rp.late
             FROM round_people rp JOIN people p ON p.id = rp.person_id JOIN units u ON u.id = p.unit_id
             JOIN units ru ON ru.id = rp.unit_id
             LEFT JOIN accounts lb ON lb.id = rp.last_by LEFT JOIN accounts st ON st.id = rp.staff_id
             WHERE ",
            $where,
            " AND ",
            crate::person_visible!("$2"),
            $tail
        )
    };
}

/// Which people of a round a list shows.
pub struct Listing<'a> {
    pub state: RoundState,
    /// Only those paired with this account.
    pub staff: Option<AccountId>,
    /// Only those below this unit path.
    pub under: &'a str,
}

/// People of a round in one state, as the account may see them, by unit then file.
///
/// The plain statement (the round's people in this state whose unit lies below the path,
/// in order, limited) lets PostgreSQL walk the whole round in index order looking for a unit
/// that has nobody left: 375 ms for a village where everyone is reached, in a round of
/// 100,000. So the units below that still have someone in this state are read first from
/// `round_units`, the page's place found from their counts, and each unit read by an exact
/// index range (docs/PERFORMANCE.md). Those paired with one staff member are few and read
/// by their own index.
pub async fn members(
    tx: &mut Tx,
    round: RoundId,
    viewer: AccountId,
    l: &Listing<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<RoundMember>, sqlx::Error> {
    if let Some(staff) = l.staff {
        return on_tx!(tx, c => sqlx::query_as::<_, RoundMember>(member_select!(
            concat!("rp.round_id = $1 AND rp.staff_id = $4 AND rp.state = $3 AND ",
                crate::under!("ru.path", "$5")),
            " ORDER BY rp.unit_id, rp.person_id LIMIT $6 OFFSET $7"))
            .bind(round).bind(viewer).bind(l.state.as_str()).bind(staff)
            .bind(l.under).bind(limit).bind(offset)
            .fetch_all(c).await);
    }
    let units: Vec<(UnitId, i64)> = on_tx!(tx, c => sqlx::query_as(concat!(
        "SELECT x.unit_id, CAST(CASE $2 WHEN 'pending' THEN x.pending WHEN 'safe' THEN x.safe
                WHEN 'needs_help' THEN x.needs_help ELSE x.unreachable END AS BIGINT) AS n
         FROM round_units x JOIN units u ON u.id = x.unit_id
         WHERE x.round_id = $1 AND ", crate::under!("u.path", "$3"), "
           AND (CASE $2 WHEN 'pending' THEN x.pending WHEN 'safe' THEN x.safe
                WHEN 'needs_help' THEN x.needs_help ELSE x.unreachable END) > 0
         ORDER BY x.unit_id"))
        .bind(round).bind(l.state.as_str()).bind(l.under).fetch_all(c).await)?;
    let mut out = Vec::new();
    let mut skip = offset;
    for (unit, n) in units {
        if skip >= n {
            skip -= n;
            continue;
        }
        let want = limit - out.len() as i64;
        let rows: Vec<RoundMember> = on_tx!(tx, c => sqlx::query_as::<_, RoundMember>(member_select!(
            "rp.round_id = $1 AND rp.state = $3 AND rp.unit_id = $4",
            " ORDER BY rp.person_id LIMIT $5 OFFSET $6"))
            .bind(round).bind(viewer).bind(l.state.as_str()).bind(unit).bind(want).bind(skip)
            .fetch_all(c).await)?;
        skip = 0;
        out.extend(rows);
        if out.len() as i64 >= limit {
            break;
        }
    }
    Ok(out)
}

/// Every person of a round the account may see, for the ledger.
pub async fn ledger(
    tx: &mut Tx,
    round: RoundId,
    viewer: AccountId,
) -> Result<Vec<RoundMember>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, RoundMember>(member_select!(
        "rp.round_id = $1", " ORDER BY ru.path, p.name_pinyin, rp.person_id"))
        .bind(round).bind(viewer).fetch_all(c).await)
}

/// One person of a round, as the account may see them.
pub async fn member(
    tx: &mut Tx,
    round: RoundId,
    viewer: AccountId,
    person: PersonId,
) -> Result<Option<RoundMember>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, RoundMember>(member_select!(
        "rp.round_id = $1 AND rp.person_id = $3", ""))
        .bind(round).bind(viewer).bind(person).fetch_optional(c).await)
}

/// How many of the round's people are paired with the account and not yet reached.
pub async fn pending_of(tx: &mut Tx, round: RoundId, staff: AccountId) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM round_people WHERE round_id = $1 AND staff_id = $2 AND state = 'pending'")
        .bind(round).bind(staff).fetch_one(c).await)
}

/// An attempt as kept.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct AttemptRow {
    #[sqlx(try_from = "String")]
    pub channel: super::model::RoundChannel,
    #[sqlx(try_from = "String")]
    pub outcome: super::model::RoundOutcome,
    pub needs: Option<String>,
    pub note: Option<String>,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

pub async fn attempts(
    tx: &mut Tx,
    round: RoundId,
    person: PersonId,
) -> Result<Vec<AttemptRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, AttemptRow>(
        "SELECT t.channel, t.outcome, t.needs, t.note, a.display_name AS by_name, t.at
         FROM round_attempts t JOIN accounts a ON a.id = t.by_id
         WHERE t.round_id = $1 AND t.person_id = $2 ORDER BY t.id DESC")
        .bind(round).bind(person).fetch_all(c).await)
}

/// A person's standing in a round, read for an attempt: SQLite's write transaction already
/// holds the database; on PostgreSQL the row is locked, so two staff recording the same
/// person at once are applied one after the other.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Standing {
    pub unit_id: UnitId,
    pub staff_id: Option<AccountId>,
    pub state: String,
    pub failures: i32,
    pub needs: Option<String>,
    pub needs_note: Option<String>,
}

pub async fn standing(
    tx: &mut Tx,
    round: RoundId,
    person: PersonId,
) -> Result<Option<Standing>, sqlx::Error> {
    let sql = match tx {
        Tx::Sqlite(_) => {
            "SELECT unit_id, staff_id, state, failures, needs, needs_note
             FROM round_people WHERE round_id = $1 AND person_id = $2"
        }
        // Two staff recording the same person at once: the second waits for the first.
        Tx::Postgres(_) => {
            "SELECT unit_id, staff_id, state, failures, needs, needs_note
             FROM round_people WHERE round_id = $1 AND person_id = $2 FOR UPDATE"
        }
    };
    on_tx!(tx, c => sqlx::query_as::<_, Standing>(sql).bind(round).bind(person).fetch_optional(c).await)
}

/// What an attempt changes on the person's row.
pub struct Change<'a> {
    pub state: RoundState,
    pub failures: i64,
    pub needs: Option<&'a str>,
    pub note: Option<&'a str>,
    pub by: AccountId,
    pub task: Option<TaskId>,
    pub item: Option<CareItemId>,
}

pub async fn record(
    tx: &mut Tx,
    round: RoundId,
    person: PersonId,
    a: &super::model::Attempt,
    ch: &Change<'_>,
) -> Result<(), sqlx::Error> {
    let at = now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO round_attempts (round_id, person_id, channel, outcome, needs, note, by_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(round).bind(person).bind(a.channel.as_str()).bind(a.outcome.as_str())
        .bind(a.need_list()).bind(&a.note).bind(ch.by).bind(at)
        .execute(c).await.map(|_| ()))?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE round_people SET state = $3, failures = $4, attempts = attempts + 1,
                needs = $5, needs_note = $6, last_at = $7, last_by = $8,
                task_id = COALESCE($9, task_id), item_id = COALESCE($10, item_id)
         WHERE round_id = $1 AND person_id = $2")
        .bind(round).bind(person).bind(ch.state.as_str()).bind(ch.failures as i32)
        .bind(ch.needs).bind(ch.note).bind(at).bind(ch.by).bind(ch.task).bind(ch.item)
        .execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Closes a round if nobody in it is still pending; returns whether it closed.
pub async fn close(tx: &mut Tx, round: RoundId, by: AccountId) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE rounds SET status = 'closed', closed_by = $2, closed_at = $3
         WHERE id = $1 AND status = 'open'
           AND NOT EXISTS (SELECT 1 FROM round_people WHERE round_id = $1 AND state = 'pending')")
        .bind(round).bind(by).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The open rounds a person is in, newest first: (round, title, deadline, state).
pub async fn of_person(
    tx: &mut Tx,
    person: PersonId,
) -> Result<Vec<(RoundId, String, String, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT r.id, r.title, r.deadline, rp.state FROM round_people rp JOIN rounds r ON r.id = rp.round_id
         WHERE rp.person_id = $1 AND r.status = 'open' ORDER BY r.id DESC")
        .bind(person).fetch_all(c).await)
}

/// Open rounds whose deadline is `by` or sooner and whose reminder has not gone out, each
/// claimed for the reminder (once across nodes): (round, title, starter).
pub async fn claim_reminders(
    tx: &mut Tx,
    by: &str,
    today: &str,
) -> Result<Vec<(RoundId, String, AccountId)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "UPDATE rounds SET reminded_on = $2
         WHERE status = 'open' AND reminded_on IS NULL AND deadline <= $1
         RETURNING id, title, started_by")
        .bind(by).bind(today).fetch_all(c).await)
}

/// The staff with people still pending in a round, with how many.
pub async fn pending_by_staff(
    tx: &mut Tx,
    round: RoundId,
) -> Result<Vec<(AccountId, i64)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT staff_id, COUNT(*) FROM round_people
         WHERE round_id = $1 AND state = 'pending' AND staff_id IS NOT NULL GROUP BY staff_id")
        .bind(round).fetch_all(c).await)
}

/// A round's people with their paired staff, by unit then file (for the generators).
pub async fn people_of(
    tx: &mut Tx,
    round: RoundId,
) -> Result<Vec<(PersonId, Option<AccountId>)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT person_id, staff_id FROM round_people WHERE round_id = $1 ORDER BY unit_id, person_id")
        .bind(round).fetch_all(c).await)
}
