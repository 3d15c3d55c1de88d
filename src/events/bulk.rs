//! Events written without a caller, for the generators (`yinyao demo`, the province and the
//! bench): an event for its organiser's subtree, registrations placed by the same rule as a
//! request's (a place while one is free, else the waiting list), check-ins and videos. No
//! audit: requests go through `service`.

use super::model::{self, EventId, NewEvent, RegistrationId, RegistrationState};
use super::repo::{self, NewRegistration};
use super::videos::model::{NewVideo, VideoId};
use crate::db::Tx;
use crate::ids::{AccountId, PersonId, UnitId};

/// Inserts an event for its organiser's subtree.
pub async fn event(tx: &mut Tx, e: &NewEvent, by: AccountId) -> Result<EventId, sqlx::Error> {
    let id = repo::insert(tx, e, by).await?;
    repo::set_audience(tx, id, &[e.unit]).await?;
    Ok(id)
}

/// Registers a person on file as a request would place them; `None` when already registered.
pub async fn register(
    tx: &mut Tx,
    event: EventId,
    person: PersonId,
    account: Option<AccountId>,
    by: AccountId,
) -> Result<Option<(RegistrationId, RegistrationState)>, sqlx::Error> {
    let who = format!("person:{person}");
    if repo::registration_of(tx, event, &who).await?.is_some() {
        return Ok(None);
    }
    let Some(lock) = repo::lock(tx, event).await? else {
        return Ok(None);
    };
    let state = model::placement(lock.capacity, lock.registered, lock.approval);
    let id = repo::upsert(
        tx,
        &NewRegistration {
            event,
            who: &who,
            person: Some(person),
            account: account.or(Some(by)),
            state,
            position: lock.seq,
            code: &model::new_code(),
            by,
            walk_in: false,
        },
    )
    .await?;
    repo::recount(tx, event).await?;
    Ok(Some((id, state)))
}

/// Registers many people on file for a new event in one pass (the province generator):
/// places in the order given while they last, then the waiting list; some checked in (`seen`
/// says which, for an event already held); the counts once at the end. Returns the
/// registrations written.
pub async fn register_many(
    tx: &mut Tx,
    event: EventId,
    capacity: Option<i64>,
    people: &[(PersonId, Option<AccountId>)],
    by: AccountId,
    seen: impl Fn(usize) -> bool,
) -> Result<usize, sqlx::Error> {
    for (k, (person, account)) in people.iter().enumerate() {
        let position = k as i64 + 1;
        let state = model::placement(capacity, position - 1, false);
        let id = repo::upsert(
            tx,
            &NewRegistration {
                event,
                who: &format!("person:{person}"),
                person: Some(*person),
                account: account.or(Some(by)),
                state,
                position,
                code: &model::new_code(),
                by,
                walk_in: false,
            },
        )
        .await?;
        if state == RegistrationState::Registered && seen(k) {
            repo::check_in(tx, id, by).await?;
        }
    }
    repo::set_seq(tx, event, people.len() as i64).await?;
    repo::recount(tx, event).await?;
    Ok(people.len())
}

/// Checks a registration in (its event's counts follow).
pub async fn check_in(
    tx: &mut Tx,
    event: EventId,
    id: RegistrationId,
    by: AccountId,
) -> Result<(), sqlx::Error> {
    repo::check_in(tx, id, by).await?;
    repo::recount(tx, event).await
}

/// Adds a video by its link, with the views it has had.
pub async fn video(
    tx: &mut Tx,
    unit: UnitId,
    v: &NewVideo,
    by: AccountId,
    views: i64,
) -> Result<VideoId, sqlx::Error> {
    super::videos::bulk_insert(tx, unit, v, by, views).await
}

/// The check-in code of one registration holding a place at an event (the load bench).
pub async fn a_code(tx: &mut Tx, event: EventId) -> Result<Option<String>, sqlx::Error> {
    Ok(
        repo::registrations(tx, event, Some(RegistrationState::Registered), 1, 0)
            .await?
            .into_iter()
            .next()
            .map(|r| r.code),
    )
}
