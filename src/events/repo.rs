//! SQL of events: the event and its audience, who may see it, registrations and the waiting
//! list (the event row locked by taking a position), the counts kept on the event row,
//! check-in, attendance, the feeds and the reminders.

use super::model::{EventId, NewEvent, RegistrationId, RegistrationState};
use crate::access::Scope;
use crate::db::{Tx, now};
use crate::ids::{AccountId, PersonId, UnitId};
use crate::on_tx;
use chrono::{DateTime, Utc};

/// An event with its organiser and its counts.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct EventRow {
    pub id: EventId,
    pub unit_id: UnitId,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: super::model::EventKind,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub public: bool,
    /// Places (none: no limit).
    pub capacity: Option<i64>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub approval: bool,
    /// Person categories it is for, codes joined by commas ("" for all).
    pub categories: String,
    #[sqlx(try_from = "String")]
    pub status: super::model::EventStatus,
    pub cancel_reason: Option<String>,
    pub registered: i64,
    pub waiting: i64,
    pub pending: i64,
    pub attended: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! event_select {
    ($where:expr) => {
        concat!(
            "SELECT e.id, e.unit_id, u.name AS unit_name, u.path AS unit_path, e.title, e.kind,
                    e.description, e.starts_at, e.ends_at, e.place, e.online_url, e.public,
                    e.capacity, e.opens_at, e.closes_at, e.approval, e.categories, e.status,
                    e.cancel_reason, e.registered, e.waiting, e.pending, e.attended, e.created_at,
                    e.updated_at
             FROM events e JOIN units u ON u.id = e.unit_id
             WHERE ",
            $where
        )
    };
}

/// SQL condition: the event `e` (its unit `u`) is seen by the caller bound as `$1..$3` (the
/// organisers' scope: `Scope::all`, account, roles) and `$4` (the path of the unit of the
/// caller's own file, '' without one): public; organised in the scope; or for an audience
/// unit above the caller's file, or above or below one of the caller's organiser grants (a
/// village's staff see the county's event for the village, to register their people).
macro_rules! event_seen {
    () => {
        concat!(
            "(e.public OR ",
            crate::in_scope!("u"),
            " OR EXISTS (SELECT 1 FROM event_units eu JOIN units au ON au.id = eu.unit_id
                 WHERE eu.event_id = e.id AND (($4 <> '' AND ",
            crate::under!("$4", "au.path"),
            ") OR EXISTS (SELECT 1 FROM role_grants g JOIN units gu ON gu.id = g.unit_id
                 WHERE g.account_id = $2 AND g.revoked_at IS NULL AND ",
            crate::role_in!("g.role", "$3"),
            " AND (",
            crate::under!("au.path", "gu.path"),
            " OR ",
            crate::under!("gu.path", "au.path"),
            ")))))"
        )
    };
}

/// Who is looking: the organisers' scope and the unit path of their own file ('' for none).
pub struct Seer<'a> {
    pub scope: Scope,
    pub path: &'a str,
}

pub async fn insert(tx: &mut Tx, e: &NewEvent, by: AccountId) -> Result<EventId, sqlx::Error> {
    let at = now();
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO events (unit_id, title, kind, description, starts_at, ends_at, place, online_url,
                             public, capacity, opens_at, closes_at, approval, categories, status,
                             created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'open', $15, $16, $16)
         RETURNING id")
        .bind(e.unit).bind(&e.title).bind(e.kind.as_str()).bind(&e.description)
        .bind(e.starts).bind(e.ends).bind(&e.place).bind(&e.online_url).bind(e.public)
        .bind(e.capacity).bind(e.opens).bind(e.closes).bind(e.approval).bind(e.category_list())
        .bind(by).bind(at)
        .fetch_one(c).await)
}

/// Changes what an event says (its organiser stays).
pub async fn update(tx: &mut Tx, id: EventId, e: &NewEvent) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE events SET title = $2, kind = $3, description = $4, starts_at = $5, ends_at = $6,
                place = $7, online_url = $8, public = $9, capacity = $10, opens_at = $11,
                closes_at = $12, approval = $13, categories = $14, updated_at = $15,
                reminded_day = CASE WHEN starts_at = $5 THEN reminded_day ELSE FALSE END,
                reminded_hour = CASE WHEN starts_at = $5 THEN reminded_hour ELSE FALSE END
         WHERE id = $1")
        .bind(id).bind(&e.title).bind(e.kind.as_str()).bind(&e.description)
        .bind(e.starts).bind(e.ends).bind(&e.place).bind(&e.online_url).bind(e.public)
        .bind(e.capacity).bind(e.opens).bind(e.closes).bind(e.approval).bind(e.category_list())
        .bind(now())
        .execute(c).await.map(|_| ()))
}

/// Sets the units an event is for.
pub async fn set_audience(tx: &mut Tx, id: EventId, units: &[UnitId]) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM event_units WHERE event_id = $1")
        .bind(id).execute(c).await.map(|_| ()))?;
    for u in units {
        on_tx!(tx, c => sqlx::query("INSERT INTO event_units (event_id, unit_id) VALUES ($1, $2)")
            .bind(id).bind(*u).execute(c).await.map(|_| ()))?;
    }
    Ok(())
}

/// The units an event is for: id, name and path.
pub async fn audience(
    tx: &mut Tx,
    id: EventId,
) -> Result<Vec<(UnitId, String, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT u.id, u.name, u.path FROM event_units eu JOIN units u ON u.id = eu.unit_id
         WHERE eu.event_id = $1 ORDER BY u.path")
        .bind(id).fetch_all(c).await)
}

pub async fn cancel(tx: &mut Tx, id: EventId, reason: &str) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE events SET status = 'cancelled', cancel_reason = $2, updated_at = $3
         WHERE id = $1 AND status = 'open'")
        .bind(id).bind(reason).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// One event, whoever looks (the service decides who may).
pub async fn get(tx: &mut Tx, id: EventId) -> Result<Option<EventRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, EventRow>(event_select!("e.id = $1"))
        .bind(id).fetch_optional(c).await)
}

/// Whether the caller sees the event.
pub async fn seen(tx: &mut Tx, s: &Seer<'_>, id: EventId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM events e JOIN units u ON u.id = e.unit_id WHERE e.id = $5 AND ",
        event_seen!()))
        .bind(s.scope.all).bind(s.scope.account).bind(s.scope.roles).bind(s.path).bind(id)
        .fetch_one(c).await)?;
    Ok(n > 0)
}

/// The events the caller sees starting in `[from, to)`, organised at or below the unit path
/// `within` ('' for anywhere), in time order.
pub async fn list(
    tx: &mut Tx,
    s: &Seer<'_>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    within: &str,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, EventRow>(concat!(
        event_select!("e.starts_at >= $5 AND e.starts_at < $6 AND ($7 = '' OR "),
        crate::under!("u.path", "$7"), ") AND ", event_seen!(),
        " ORDER BY e.starts_at, e.id LIMIT $8"))
        .bind(s.scope.all).bind(s.scope.account).bind(s.scope.roles).bind(s.path)
        .bind(from).bind(to).bind(within).bind(limit)
        .fetch_all(c).await)
}

/// How many unit ids [`list_for`] takes: the ancestors of the caller's own file and grants.
pub const LIST_SLOTS: usize = 16;

/// The events for the caller starting in `[from, to)`, organised at or below `within`:
/// those whose audience includes one of `units` (the units at and above the caller's own file
/// and organiser grants, padded with 0), whose audience lies below the caller's organiser
/// scope, or organised in it. Found from the audience's index and the organisers' units, not
/// by testing every event of the month (DESIGN-CHANGES 57).
pub async fn list_for(
    tx: &mut Tx,
    scope: &Scope,
    units: &[i64; LIST_SLOTS],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    within: &str,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    on_tx!(tx, c => {
        let mut q = sqlx::query_as::<_, EventRow>(concat!(
            event_select!("e.id IN (
                SELECT eu.event_id FROM event_units eu WHERE eu.unit_id IN ($4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                UNION SELECT eu.event_id FROM event_units eu WHERE eu.unit_id IN "),
            crate::scope_units!(),
            " UNION SELECT x.id FROM events x WHERE x.starts_at >= $20 AND x.starts_at < $21 AND x.unit_id IN ",
            crate::scope_units!(),
            ") AND e.starts_at >= $20 AND e.starts_at < $21 AND ($22 = '' OR ",
            crate::under!("u.path", "$22"),
            ") ORDER BY e.starts_at, e.id LIMIT $23"))
            .bind(scope.all).bind(scope.account).bind(scope.roles);
        for u in units {
            q = q.bind(*u);
        }
        q.bind(from).bind(to).bind(within).bind(limit).fetch_all(c).await
    })
}

/// Public events starting from `from`, organised at or below `within` ('' for anywhere).
pub async fn public(
    tx: &mut Tx,
    from: DateTime<Utc>,
    within: &str,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, EventRow>(concat!(
        event_select!("e.public AND e.starts_at >= $1 AND ($2 = '' OR "),
        crate::under!("u.path", "$2"), ") ORDER BY e.starts_at, e.id LIMIT $3"))
        .bind(from).bind(within).bind(limit).fetch_all(c).await)
}

/// What registering needs to know of an event, read while taking the next position: the
/// update holds the event's row lock until the transaction ends, so registrations and
/// cancellations of one event run one at a time on PostgreSQL (SQLite has one writer).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Locked {
    pub seq: i64,
    pub capacity: Option<i64>,
    pub registered: i64,
    pub approval: bool,
    #[sqlx(try_from = "String")]
    pub status: super::model::EventStatus,
}

pub async fn lock(tx: &mut Tx, id: EventId) -> Result<Option<Locked>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Locked>(
        "UPDATE events SET seq = seq + 1 WHERE id = $1
         RETURNING seq, capacity, registered, approval, status")
        .bind(id).fetch_optional(c).await)
}

/// Sets the position the next registration takes after (the generators).
pub async fn set_seq(tx: &mut Tx, id: EventId, seq: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE events SET seq = $2 WHERE id = $1")
        .bind(id).bind(seq).execute(c).await.map(|_| ()))
}

/// Recounts an event's registrations by state and its attendance.
pub async fn recount(tx: &mut Tx, id: EventId) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE events SET
            registered = (SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = $1 AND r.state = 'registered'),
            waiting = (SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = $1 AND r.state = 'waiting'),
            pending = (SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = $1 AND r.state = 'pending'),
            attended = (SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = $1 AND r.state = 'registered'
                        AND r.checked_in_at IS NOT NULL)
         WHERE id = $1")
        .bind(id).execute(c).await.map(|_| ()))
}

/// A registration, with the name of who it is for.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct RegistrationRow {
    pub id: RegistrationId,
    pub event_id: EventId,
    pub person_id: Option<PersonId>,
    pub account_id: Option<AccountId>,
    pub name: String,
    pub unit_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: RegistrationState,
    /// The order people came in (the waiting list's order).
    pub position: i64,
    #[serde(skip)]
    pub code: String,
    /// The staff member who registered the person, if not themselves.
    pub by_name: Option<String>,
    pub walk_in: bool,
    pub created_at: DateTime<Utc>,
    pub promoted_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub checked_in_at: Option<DateTime<Utc>>,
}

macro_rules! registration_select {
    ($where:expr) => {
        concat!(
            "SELECT r.id, r.event_id, r.person_id, r.account_id,
                    COALESCE(p.name, a.display_name, '') AS name, pu.name AS unit_name, r.state,
                    r.position, r.code, b.display_name AS by_name, r.walk_in, r.created_at,
                    r.promoted_at, r.cancelled_at, r.checked_in_at
             FROM event_registrations r
             LEFT JOIN people p ON p.id = r.person_id LEFT JOIN units pu ON pu.id = p.unit_id
             LEFT JOIN accounts a ON a.id = r.account_id
             LEFT JOIN accounts b ON b.id = r.by_account AND r.person_id IS NOT NULL
                  AND (p.account_id IS NULL OR p.account_id <> r.by_account)
             WHERE ",
            $where
        )
    };
}

/// The registration of `who` ('person:N' or 'account:N') for an event, in any state.
pub async fn registration_of(
    tx: &mut Tx,
    event: EventId,
    who: &str,
) -> Result<Option<RegistrationRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, RegistrationRow>(registration_select!("r.event_id = $1 AND r.who = $2"))
        .bind(event).bind(who).fetch_optional(c).await)
}

pub async fn registration(
    tx: &mut Tx,
    id: RegistrationId,
) -> Result<Option<RegistrationRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, RegistrationRow>(registration_select!("r.id = $1"))
        .bind(id).fetch_optional(c).await)
}

/// A new registration to write.
pub struct NewRegistration<'a> {
    pub event: EventId,
    pub who: &'a str,
    pub person: Option<PersonId>,
    pub account: Option<AccountId>,
    pub state: RegistrationState,
    pub position: i64,
    pub code: &'a str,
    pub by: AccountId,
    pub walk_in: bool,
}

/// Writes a registration, or takes up again one cancelled or refused before (a new position
/// at the end of the queue, the same code).
pub async fn upsert(tx: &mut Tx, r: &NewRegistration<'_>) -> Result<RegistrationId, sqlx::Error> {
    let at = now();
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO event_registrations (event_id, who, person_id, account_id, state, position, code,
                                          by_account, walk_in, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (event_id, who) DO UPDATE SET state = excluded.state,
             position = excluded.position, account_id = excluded.account_id,
             by_account = excluded.by_account, walk_in = excluded.walk_in,
             updated_at = excluded.updated_at, cancelled_at = NULL, promoted_at = NULL,
             checked_in_at = NULL, checked_in_by = NULL
         RETURNING id")
        .bind(r.event).bind(r.who).bind(r.person).bind(r.account).bind(r.state.as_str())
        .bind(r.position).bind(r.code).bind(r.by).bind(r.walk_in).bind(at)
        .fetch_one(c).await)
}

/// Moves a registration from one state to another; false when it was not in `from`.
pub async fn set_state(
    tx: &mut Tx,
    id: RegistrationId,
    from: RegistrationState,
    to: RegistrationState,
) -> Result<bool, sqlx::Error> {
    let at = now();
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE event_registrations SET state = $3, updated_at = $4,
                cancelled_at = CASE WHEN $3 = 'cancelled' THEN $4 ELSE cancelled_at END
         WHERE id = $1 AND state = $2")
        .bind(id).bind(from.as_str()).bind(to.as_str()).bind(at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Gives the first `n` on the waiting list their places (in the order they came); returns
/// them with the account to tell.
pub async fn promote(
    tx: &mut Tx,
    event: EventId,
    n: i64,
) -> Result<Vec<(RegistrationId, Option<AccountId>)>, sqlx::Error> {
    let next: Vec<(RegistrationId, Option<AccountId>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, account_id FROM event_registrations
         WHERE event_id = $1 AND state = 'waiting' ORDER BY position LIMIT $2")
        .bind(event).bind(n).fetch_all(c).await)?;
    let at = now();
    for (id, _) in &next {
        on_tx!(tx, c => sqlx::query(
            "UPDATE event_registrations SET state = 'registered', promoted_at = $2, updated_at = $2
             WHERE id = $1")
            .bind(*id).bind(at).execute(c).await.map(|_| ()))?;
    }
    Ok(next)
}

/// The accounts to tell of a change: of everyone still registered, waiting or pending.
pub async fn accounts_to_tell(tx: &mut Tx, event: EventId) -> Result<Vec<AccountId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT DISTINCT account_id FROM event_registrations
         WHERE event_id = $1 AND state IN ('registered', 'waiting', 'pending') AND account_id IS NOT NULL")
        .bind(event).fetch_all(c).await)
}

/// An event's registrations in one state (all with `None`), in the order they came.
pub async fn registrations(
    tx: &mut Tx,
    event: EventId,
    state: Option<RegistrationState>,
    limit: i64,
    offset: i64,
) -> Result<Vec<RegistrationRow>, sqlx::Error> {
    let state = state.map(|s| s.as_str()).unwrap_or("");
    on_tx!(tx, c => sqlx::query_as::<_, RegistrationRow>(concat!(
        registration_select!("r.event_id = $1 AND ($2 = '' OR r.state = $2)"),
        " ORDER BY r.position LIMIT $3 OFFSET $4"))
        .bind(event).bind(state).bind(limit).bind(offset).fetch_all(c).await)
}

/// The registrations a staff member made for others for an event.
pub async fn made_by(
    tx: &mut Tx,
    event: EventId,
    by: AccountId,
) -> Result<Vec<RegistrationRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, RegistrationRow>(concat!(
        registration_select!("r.event_id = $1 AND r.by_account = $2 AND r.person_id IS NOT NULL
                              AND (p.account_id IS NULL OR p.account_id <> $2)"),
        " ORDER BY r.position"))
        .bind(event).bind(by).fetch_all(c).await)
}

/// The registration holding a code for an event.
pub async fn by_code(
    tx: &mut Tx,
    event: EventId,
    code: &str,
) -> Result<Option<RegistrationRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, RegistrationRow>(registration_select!("r.event_id = $1 AND r.code = $2"))
        .bind(event).bind(code).fetch_optional(c).await)
}

/// Marks a registration attended; false when it already was (a second scan changes nothing).
pub async fn check_in(tx: &mut Tx, id: RegistrationId, by: AccountId) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE event_registrations SET checked_in_at = $2, checked_in_by = $3, updated_at = $2
         WHERE id = $1 AND checked_in_at IS NULL")
        .bind(id).bind(now()).bind(by).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A person's or an account's registrations with their events, soonest first: upcoming
/// (ending after `from`) or all.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct MyRegistration {
    pub registration_id: RegistrationId,
    pub event_id: EventId,
    pub title: String,
    pub unit_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: RegistrationState,
    #[sqlx(try_from = "String")]
    pub event_status: super::model::EventStatus,
    pub checked_in_at: Option<DateTime<Utc>>,
}

macro_rules! mine_select {
    ($where:expr) => {
        concat!(
            "SELECT r.id AS registration_id, e.id AS event_id, e.title, u.name AS unit_name,
                    e.starts_at, e.ends_at, e.place, r.state, e.status AS event_status,
                    r.checked_in_at
             FROM event_registrations r JOIN events e ON e.id = r.event_id
             JOIN units u ON u.id = e.unit_id WHERE ",
            $where
        )
    };
}

/// The registrations of `who` ('person:N' or 'account:N'), events ending after `from`.
pub async fn mine(
    tx: &mut Tx,
    who: &str,
    from: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<MyRegistration>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, MyRegistration>(concat!(
        mine_select!("r.who = $1 AND e.ends_at > $2"), " ORDER BY e.starts_at LIMIT $3"))
        .bind(who).bind(from).bind(limit).fetch_all(c).await)
}

/// A person's attendance and registrations, newest first (the person file).
pub async fn of_person(
    tx: &mut Tx,
    person: PersonId,
    limit: i64,
) -> Result<Vec<MyRegistration>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, MyRegistration>(concat!(
        mine_select!("r.person_id = $1"), " ORDER BY e.starts_at DESC LIMIT $2"))
        .bind(person).bind(limit).fetch_all(c).await)
}

/// How many events a person attended.
pub async fn attended_by(tx: &mut Tx, person: PersonId) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM event_registrations WHERE person_id = $1 AND state = 'registered'
         AND checked_in_at IS NOT NULL")
        .bind(person).fetch_one(c).await)
}

/// Claims the reminders due at `at`: events starting within the hour not yet reminded of it
/// (`hour`), then those starting within a day not yet reminded (`day`), each marked so it is
/// claimed once; an hour's reminder also stands for the day's. Returns (event, title, starts,
/// which).
pub async fn claim_reminders(
    tx: &mut Tx,
    at: DateTime<Utc>,
) -> Result<Vec<(EventId, String, DateTime<Utc>, &'static str)>, sqlx::Error> {
    let hour: Vec<(EventId, String, DateTime<Utc>)> = on_tx!(tx, c => sqlx::query_as(
        "UPDATE events SET reminded_hour = TRUE, reminded_day = TRUE
         WHERE status = 'open' AND NOT reminded_hour AND starts_at > $1 AND starts_at <= $2
         RETURNING id, title, starts_at")
        .bind(at).bind(at + chrono::Duration::hours(1)).fetch_all(c).await)?;
    let day: Vec<(EventId, String, DateTime<Utc>)> = on_tx!(tx, c => sqlx::query_as(
        "UPDATE events SET reminded_day = TRUE
         WHERE status = 'open' AND NOT reminded_day AND starts_at > $1 AND starts_at <= $2
         RETURNING id, title, starts_at")
        .bind(at).bind(at + chrono::Duration::hours(24)).fetch_all(c).await)?;
    let tag = |w: &'static str| move |(id, t, s): (EventId, String, DateTime<Utc>)| (id, t, s, w);
    Ok(hour
        .into_iter()
        .map(tag("hour"))
        .chain(day.into_iter().map(tag("day")))
        .collect())
}

/// The accounts holding a place at an event (for its reminders).
pub async fn registered_accounts(
    tx: &mut Tx,
    event: EventId,
) -> Result<Vec<AccountId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT DISTINCT account_id FROM event_registrations
         WHERE event_id = $1 AND state = 'registered' AND account_id IS NOT NULL")
        .bind(event).fetch_all(c).await)
}

/// The unit, its path and the categories of the file linked to an account.
pub async fn file_of(
    tx: &mut Tx,
    account: AccountId,
) -> Result<Option<(PersonId, UnitId, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT p.id, p.unit_id, u.path FROM people p JOIN units u ON u.id = p.unit_id
         WHERE p.account_id = $1 AND p.status = 'active'")
        .bind(account).fetch_optional(c).await)
}

/// A file's unit path, its account and its categories (codes).
pub async fn person_facts(
    tx: &mut Tx,
    person: PersonId,
) -> Result<Option<(String, Option<AccountId>, Vec<String>)>, sqlx::Error> {
    let row: Option<(String, Option<AccountId>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT u.path, p.account_id FROM people p JOIN units u ON u.id = p.unit_id
         WHERE p.id = $1 AND p.status = 'active'")
        .bind(person).fetch_optional(c).await)?;
    let Some((path, account)) = row else {
        return Ok(None);
    };
    let cats: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT category FROM person_categories WHERE person_id = $1")
        .bind(person).fetch_all(c).await)?;
    Ok(Some((path, account, cats)))
}

/// The public events organised at or below `within` starting from `from` (a unit's
/// iCalendar feed, which a calendar reads without signing in).
pub async fn feed_of_unit(
    tx: &mut Tx,
    within: &str,
    from: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, EventRow>(concat!(
        event_select!("e.public AND e.starts_at >= $1 AND "), crate::under!("u.path", "$2"),
        " ORDER BY e.starts_at, e.id LIMIT $3"))
        .bind(from).bind(within).bind(limit).fetch_all(c).await)
}

/// The events `who` holds a place at or waits for, starting from `from`.
pub async fn feed_of(
    tx: &mut Tx,
    who: &str,
    from: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, EventRow>(concat!(
        event_select!("e.starts_at >= $1 AND e.id IN (SELECT r.event_id FROM event_registrations r
                       WHERE r.who = $2 AND r.state IN ('registered', 'waiting', 'pending'))"),
        " ORDER BY e.starts_at, e.id LIMIT $3"))
        .bind(from).bind(who).bind(limit).fetch_all(c).await)
}
