//! Events: organising one (its audience below the organiser), changing and cancelling it
//! (everyone registered is told), who sees it, registering (oneself, or a person on file by
//! staff), the waiting list and its promotions, approval, check-in and attendance, and the
//! reminders the job sends.

use super::model::{self, EventId, EventStatus, NewEvent, RegistrationId, RegistrationState as St};
use super::repo::{self, EventRow, MyRegistration, NewRegistration, RegistrationRow, Seer};
use crate::access::{Perm, RoleSet, Scope};
use crate::audit::{self as audit, model::Event as AuditEvent};
use crate::db::{Tx, now};
use crate::error::{AppError, AppResult};
use crate::ids::{AccountId, PersonId, UnitId};
use crate::units::service as units;
use crate::web::auth::Viewer;
use chrono::{DateTime, Utc};
use serde_json::json;

/// The organisers' scope of the caller, or a scope reaching nothing for one who organises
/// nothing (a member sees public events and those for their own unit).
fn organiser_scope(v: &Viewer) -> Scope {
    v.scope(Perm::Events)
        .unwrap_or(Scope::of(v.p.id.0, RoleSet::EMPTY))
}

/// The caller's own file: its id, unit and the unit's path.
async fn own_file(tx: &mut Tx, v: &Viewer) -> AppResult<Option<(PersonId, UnitId, String)>> {
    Ok(repo::file_of(tx, v.p.id).await?)
}

/// The unit path of the caller's own file ('' without one): what a member sees by.
pub async fn own_path(tx: &mut Tx, v: &crate::web::session::Ctx) -> AppResult<String> {
    Ok(match v.full_principal() {
        Some(p) => repo::file_of(tx, p.id)
            .await?
            .map(|f| f.2)
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// Whether the caller organises events at the event's unit (manages it: the registrations,
/// check-in, changes).
pub fn manages(v: &Viewer, e: &EventRow) -> bool {
    v.scope(Perm::Events).is_ok_and(|s| s.all)
        || crate::access::reach(&v.p.grants, crate::access::PEOPLE_KEEPERS)
            .iter()
            .any(|(_, p)| e.unit_path.starts_with(p.as_str()))
}

/// Checks the audience: each unit at or below the organiser's (none: the organiser's unit).
async fn audience(
    tx: &mut Tx,
    v: &Viewer,
    e: &NewEvent,
    organiser: &str,
) -> AppResult<Vec<UnitId>> {
    if e.audience.is_empty() {
        return Ok(vec![e.unit]);
    }
    let mut out = Vec::new();
    for u in &e.audience {
        match units::load(tx, v, Perm::Events, *u).await {
            Ok(unit) if unit.path.starts_with(organiser) => out.push(unit.id),
            Ok(_) | Err(AppError::OutOfScope | AppError::NotFound) => {
                return Err(AppError::field("audience", "activity.audience_outside"));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Organises an event at a unit where the caller organises: the event, its audience and an
/// audit entry.
pub async fn create(tx: &mut Tx, v: &Viewer, e: &NewEvent) -> AppResult<EventId> {
    let unit = units::load(tx, v, Perm::Events, e.unit).await?;
    let to = audience(tx, v, e, &unit.path).await?;
    let id = repo::insert(tx, e, v.p.id).await?;
    repo::set_audience(tx, id, &to).await?;
    let event = AuditEvent::ok("event.create", format!("event:{id}"))
        .unit(e.unit)
        .detail(
            json!({ "title": e.title, "kind": e.kind.as_str(), "starts": e.starts,
                        "capacity": e.capacity, "public": e.public, "audience": to }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// One event the caller sees; out of sight is 404 (audited), as a missing one.
pub async fn get(tx: &mut Tx, v: &Viewer, id: EventId) -> AppResult<EventRow> {
    let Some(e) = repo::get(tx, id).await? else {
        return Err(AppError::NotFound);
    };
    let file = own_file(tx, v).await?;
    let path = file.as_ref().map(|f| f.2.as_str()).unwrap_or("");
    let seer = Seer {
        scope: organiser_scope(v),
        path,
    };
    if repo::seen(tx, &seer, id).await? {
        Ok(e)
    } else {
        Err(AppError::OutOfScope)
    }
}

/// An event's id, title and attendance, if the caller sees the event (a recording's page
/// names its event; a public recording of a members-only event does not).
pub async fn summary(
    tx: &mut Tx,
    v: &Viewer,
    id: EventId,
) -> AppResult<Option<(EventId, String, i64)>> {
    match get(tx, v, id).await {
        Ok(e) => Ok(Some((e.id, e.title, e.attended))),
        Err(AppError::OutOfScope | AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A public event, for any reader.
pub async fn get_public(tx: &mut Tx, id: EventId) -> AppResult<EventRow> {
    repo::get(tx, id)
        .await?
        .filter(|e| e.public)
        .ok_or(AppError::NotFound)
}

/// An event the caller manages (organises at its unit).
async fn managed(tx: &mut Tx, v: &Viewer, id: EventId) -> AppResult<EventRow> {
    let e = get(tx, v, id).await?;
    if !manages(v, &e) {
        return Err(AppError::Forbidden);
    }
    Ok(e)
}

/// The events the caller sees starting in `[from, to)`, organised at or below `within` (a
/// unit the caller sees, or anywhere).
pub async fn list(
    tx: &mut Tx,
    v: &Viewer,
    range: (DateTime<Utc>, DateTime<Utc>),
    within: Option<UnitId>,
) -> AppResult<Vec<EventRow>> {
    let within = match within {
        Some(u) => units::load(tx, v, Perm::ViewUnits, u).await?.path,
        None => String::new(),
    };
    let file = own_file(tx, v).await?;
    let path = file.as_ref().map(|f| f.2.as_str()).unwrap_or("");
    let scope = organiser_scope(v);
    // The units at and above the caller's file and organiser grants: an event for any of
    // them is for the caller.
    let mut positions: Vec<String> =
        crate::access::reach(&v.p.grants, crate::access::PEOPLE_KEEPERS)
            .into_iter()
            .map(|(_, p)| p)
            .collect();
    positions.push(path.to_string());
    let ids = model::ancestors(&positions);
    if scope.all || ids.len() > repo::LIST_SLOTS {
        let seer = Seer { scope, path };
        return Ok(repo::list(tx, &seer, range, &within, 500).await?);
    }
    let mut slots = [0_i64; repo::LIST_SLOTS];
    slots[..ids.len()].copy_from_slice(&ids);
    Ok(repo::list_for(tx, &scope, &slots, range, &within, 500).await?)
}

/// The public events from `from`, organised at or below a unit (any reader).
pub async fn public(tx: &mut Tx, from: DateTime<Utc>, within: &str) -> AppResult<Vec<EventRow>> {
    Ok(repo::public(tx, from, within, 200).await?)
}

/// The units an event is for (id, name, path).
pub async fn audience_of(tx: &mut Tx, id: EventId) -> AppResult<Vec<(UnitId, String, String)>> {
    Ok(repo::audience(tx, id).await?)
}

/// Changes an event the caller manages. A higher capacity gives places to those waiting; a
/// lower one removes no one. Everyone registered is told what changed.
pub async fn update(tx: &mut Tx, v: &Viewer, id: EventId, e: &NewEvent) -> AppResult<()> {
    let before = managed(tx, v, id).await?;
    if before.status != EventStatus::Open {
        return Err(AppError::Conflict("activity.cancelled"));
    }
    if e.unit != before.unit_id {
        return Err(AppError::field("unit_id", "activity.organiser_fixed"));
    }
    let to = audience(tx, v, e, &before.unit_path).await?;
    let lock = repo::lock(tx, id).await?.ok_or(AppError::NotFound)?;
    repo::update(tx, id, e).await?;
    repo::set_audience(tx, id, &to).await?;
    let freed = model::free(e.capacity, lock.registered);
    // Those waiting were approved already (where the event asks for approval): places go to
    // them in order either way.
    let promoted = if freed > 0 {
        repo::promote(tx, id, freed.min(model::MAX_CAPACITY)).await?
    } else {
        Vec::new()
    };
    repo::recount(tx, id).await?;
    let when_or_where = before.starts_at != e.starts
        || before.ends_at != e.ends
        || before.place != e.place
        || before.online_url != e.online_url;
    if when_or_where {
        let accounts = repo::accounts_to_tell(tx, id).await?;
        tell(
            tx,
            v,
            "changed",
            &accounts,
            id,
            e.title.as_str(),
            e.starts,
            None,
        )
        .await?;
    }
    let placed: Vec<AccountId> = promoted.iter().filter_map(|(_, a)| *a).collect();
    tell(tx, v, "place", &placed, id, &e.title, e.starts, None).await?;
    let event = AuditEvent::ok("event.update", format!("event:{id}"))
        .unit(before.unit_id)
        .detail(
            json!({ "title": e.title, "starts": e.starts, "capacity": e.capacity,
                        "promoted": promoted.iter().map(|(r, _)| r.0).collect::<Vec<_>>(),
                        "told": when_or_where }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// Cancels an event the caller manages, with a reason everyone registered is told.
pub async fn cancel(tx: &mut Tx, v: &Viewer, id: EventId, reason: &str) -> AppResult<()> {
    let e = managed(tx, v, id).await?;
    if !repo::cancel(tx, id, reason).await? {
        return Err(AppError::Conflict("activity.cancelled"));
    }
    let accounts = repo::accounts_to_tell(tx, id).await?;
    tell(
        tx,
        v,
        "cancelled",
        &accounts,
        id,
        &e.title,
        e.starts_at,
        Some(reason),
    )
    .await?;
    let event = AuditEvent::ok("event.cancel", format!("event:{id}"))
        .unit(e.unit_id)
        .detail(json!({ "reason": reason, "told": accounts.len() }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// Tells accounts something about an event: a domain event that notify turns into
/// notifications, in the change's transaction.
#[allow(clippy::too_many_arguments)]
async fn tell(
    tx: &mut Tx,
    v: &Viewer,
    what: &str,
    accounts: &[AccountId],
    id: EventId,
    title: &str,
    starts: DateTime<Utc>,
    note: Option<&str>,
) -> AppResult<()> {
    if accounts.is_empty() {
        return Ok(());
    }
    let event =
        crate::outbox::DomainEvent::new(crate::outbox::Kind::EventNotice, format!("event:{id}"))
            .actor(Some(v.p.id.0))
            .payload(
                json!({ "what": what, "accounts": accounts, "title": title, "event_id": id,
                         "starts": starts, "note": note }),
            );
    crate::outbox::emit(tx, event).await?;
    Ok(())
}

/// Who a registration is for.
struct Registrant {
    who: String,
    person: Option<PersonId>,
    /// The account told of changes.
    account: Option<AccountId>,
    /// The unit path and categories of the file (none for an account without one).
    file: Option<(String, Vec<String>)>,
}

/// Whether a registrant is in an event's audience: anyone for a public event; else a file
/// below one of its units, of one of its categories when it names any.
async fn admits(tx: &mut Tx, e: &EventRow, r: &Registrant) -> AppResult<bool> {
    if e.public {
        return Ok(true);
    }
    let Some((path, cats)) = &r.file else {
        return Ok(false);
    };
    let units = repo::audience(tx, e.id).await?;
    let in_units = units.iter().any(|(_, _, p)| path.starts_with(p.as_str()));
    let in_cats =
        e.categories.is_empty() || e.categories.split(',').any(|c| cats.iter().any(|x| x == c));
    Ok(in_units && in_cats)
}

/// Registers the caller for an event: as their file when they have one, else as their
/// account. Returns the registration and where it went.
pub async fn register_self(
    tx: &mut Tx,
    v: &Viewer,
    id: EventId,
) -> AppResult<(RegistrationId, St)> {
    let e = get(tx, v, id).await?;
    let r = match own_file(tx, v).await? {
        Some((person, _, _)) => {
            let facts = repo::person_facts(tx, person).await?;
            Registrant {
                who: format!("person:{person}"),
                person: Some(person),
                account: Some(v.p.id),
                file: facts.map(|(p, _, c)| (p, c)),
            }
        }
        None => Registrant {
            who: format!("account:{}", v.p.id),
            person: None,
            account: Some(v.p.id),
            file: None,
        },
    };
    place(tx, v, &e, &r, false).await
}

/// Registers a person on file for an event, by staff who keep the file: the person is told
/// through their own account, or the staff member through theirs. A walk-in (organisers at
/// the door) holds a place whatever the capacity and is checked in at once.
pub async fn register_for(
    tx: &mut Tx,
    v: &Viewer,
    id: EventId,
    person: PersonId,
    walk_in: bool,
) -> AppResult<(RegistrationId, St)> {
    let e = get(tx, v, id).await?;
    if walk_in && !manages(v, &e) {
        return Err(AppError::Forbidden);
    }
    v.scope(Perm::Events)?;
    let scope = v.scope(Perm::People)?;
    let who = crate::access::person(tx, &scope, person).await?;
    let (path, account, cats) = repo::person_facts(tx, who.id())
        .await?
        .ok_or(AppError::NotFound)?;
    let r = Registrant {
        who: format!("person:{person}"),
        person: Some(person),
        account: account.or(Some(v.p.id)),
        file: Some((path, cats)),
    };
    place(tx, v, &e, &r, walk_in).await
}

/// The one path of a registration: the event locked (its next position taken), the rules
/// checked (open, in the window, in the audience, not already registered), the place given
/// (or the waiting list, or staff approval), the counts, an audit entry.
async fn place(
    tx: &mut Tx,
    v: &Viewer,
    e: &EventRow,
    r: &Registrant,
    walk_in: bool,
) -> AppResult<(RegistrationId, St)> {
    let lock = repo::lock(tx, e.id).await?.ok_or(AppError::NotFound)?;
    if lock.status != EventStatus::Open {
        return Err(AppError::Conflict("activity.cancelled"));
    }
    let at = now();
    if walk_in {
        if at >= e.ends_at {
            return Err(AppError::Conflict("activity.over"));
        }
    } else if let Err(why) = model::window(at, e.opens_at, e.closes_at, e.starts_at) {
        return Err(AppError::Conflict(why));
    }
    if !admits(tx, e, r).await? {
        return Err(AppError::Conflict("activity.outside_audience"));
    }
    let before = repo::registration_of(tx, e.id, &r.who).await?;
    if let Some(b) = &before
        && b.state.active()
        && !(walk_in && b.state != St::Registered)
    {
        if walk_in {
            // Registered already: the door checks them in.
            check_in_row(tx, v, e, b).await?;
            return Ok((b.id, b.state));
        }
        return Err(AppError::Conflict("activity.already_registered"));
    }
    let state = if walk_in {
        St::Registered
    } else {
        model::placement(lock.capacity, lock.registered, lock.approval)
    };
    let code = before
        .as_ref()
        .map(|b| b.code.clone())
        .unwrap_or_else(model::new_code);
    let reg = repo::upsert(
        tx,
        &NewRegistration {
            event: e.id,
            who: &r.who,
            person: r.person,
            account: r.account,
            state,
            position: lock.seq,
            code: &code,
            by: v.p.id,
            walk_in,
        },
    )
    .await?;
    if walk_in {
        repo::check_in(tx, reg, v.p.id).await?;
    }
    repo::recount(tx, e.id).await?;
    let event = AuditEvent::ok("event.register", format!("event:{}", e.id))
        .unit(e.unit_id)
        .detail(
            json!({ "registration": reg.0, "who": r.who, "state": state.as_str(),
                        "position": lock.seq, "walk_in": walk_in }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok((reg, state))
}

/// Whether the caller may act on a registration: it is theirs (their file or account), they
/// made it for someone, or they manage the event.
async fn may_touch(tx: &mut Tx, v: &Viewer, e: &EventRow, r: &RegistrationRow) -> AppResult<bool> {
    if manages(v, e) || r.account_id == Some(v.p.id) {
        return Ok(true);
    }
    if let Some(p) = r.person_id
        && own_file(tx, v).await?.is_some_and(|f| f.0 == p)
    {
        return Ok(true);
    }
    Ok(repo::made_by(tx, e.id, v.p.id)
        .await?
        .iter()
        .any(|m| m.id == r.id))
}

/// A registration of an event the caller sees and may act on.
async fn touchable(
    tx: &mut Tx,
    v: &Viewer,
    id: RegistrationId,
) -> AppResult<(EventRow, RegistrationRow)> {
    let r = repo::registration(tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let e = get(tx, v, r.event_id).await?;
    if !may_touch(tx, v, &e, &r).await? {
        return Err(AppError::OutOfScope);
    }
    Ok((e, r))
}

/// A registration of an event, if it is one of that event's (the organiser's check-in page).
pub async fn registration_at(
    tx: &mut Tx,
    event: EventId,
    id: RegistrationId,
) -> AppResult<Option<RegistrationRow>> {
    Ok(repo::registration(tx, id)
        .await?
        .filter(|r| r.event_id == event))
}

/// The event a registration belongs to.
pub async fn event_of(tx: &mut Tx, id: RegistrationId) -> AppResult<EventId> {
    Ok(repo::registration(tx, id)
        .await?
        .ok_or(AppError::NotFound)?
        .event_id)
}

/// Cancels a registration (the person's own, one made for them, or by the organiser). A
/// place freed goes to the first on the waiting list in the same transaction, who is told.
pub async fn cancel_registration(tx: &mut Tx, v: &Viewer, id: RegistrationId) -> AppResult<()> {
    let (e, r) = touchable(tx, v, id).await?;
    if now() >= e.starts_at {
        return Err(AppError::Conflict("activity.started"));
    }
    if r.checked_in_at.is_some() {
        return Err(AppError::Conflict("activity.attended_already"));
    }
    let lock = repo::lock(tx, e.id).await?.ok_or(AppError::NotFound)?;
    if !r.state.active() || !repo::set_state(tx, id, r.state, St::Cancelled).await? {
        return Err(AppError::Conflict("activity.not_registered"));
    }
    let mut promoted = Vec::new();
    if r.state == St::Registered && lock.status == EventStatus::Open {
        let free = model::free(lock.capacity, lock.registered - 1);
        if free > 0 {
            promoted = repo::promote(tx, e.id, free.min(model::MAX_CAPACITY)).await?;
        }
    }
    repo::recount(tx, e.id).await?;
    let placed: Vec<AccountId> = promoted.iter().filter_map(|(_, a)| *a).collect();
    tell(tx, v, "place", &placed, e.id, &e.title, e.starts_at, None).await?;
    let event = AuditEvent::ok("event.unregister", format!("event:{}", e.id))
        .unit(e.unit_id)
        .detail(json!({ "registration": id.0, "was": r.state.as_str(),
                        "promoted": promoted.iter().map(|(p, _)| p.0).collect::<Vec<_>>() }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// The organiser approves a pending registration (a place if one is free, else the waiting
/// list) or refuses it; the person is told.
pub async fn decide(tx: &mut Tx, v: &Viewer, id: RegistrationId, approve: bool) -> AppResult<St> {
    let (e, r) = touchable(tx, v, id).await?;
    if !manages(v, &e) {
        return Err(AppError::Forbidden);
    }
    let lock = repo::lock(tx, e.id).await?.ok_or(AppError::NotFound)?;
    if lock.status != EventStatus::Open {
        return Err(AppError::Conflict("activity.cancelled"));
    }
    let to = match (approve, model::free(lock.capacity, lock.registered)) {
        (false, _) => St::Refused,
        (true, 0) => St::Waiting,
        (true, _) => St::Registered,
    };
    if !repo::set_state(tx, id, St::Pending, to).await? {
        return Err(AppError::Conflict("activity.not_pending"));
    }
    repo::recount(tx, e.id).await?;
    let what = match to {
        St::Registered => Some("place"),
        St::Refused => Some("refused"),
        _ => None,
    };
    if let (Some(what), Some(a)) = (what, r.account_id) {
        tell(tx, v, what, &[a], e.id, &e.title, e.starts_at, None).await?;
    }
    let event = AuditEvent::ok("event.decide", format!("event:{}", e.id))
        .unit(e.unit_id)
        .detail(json!({ "registration": id.0, "state": to.as_str() }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(to)
}

/// What a scan found: the registration, and whether this scan checked it in (false: it had
/// been already, and nothing was written).
pub struct CheckIn {
    pub registration: RegistrationRow,
    pub first: bool,
}

/// Checks in the holder of a code at an event the caller manages. A second scan of the same
/// code is recorded once; a code of someone waiting, pending or cancelled is refused.
pub async fn check_in(tx: &mut Tx, v: &Viewer, id: EventId, raw: &str) -> AppResult<CheckIn> {
    let e = managed(tx, v, id).await?;
    if e.status != EventStatus::Open {
        return Err(AppError::Conflict("activity.cancelled"));
    }
    let Some(code) = model::read_code(raw) else {
        return Err(AppError::field("code", "activity.code_format"));
    };
    let Some(r) = repo::by_code(tx, id, &code).await? else {
        return Err(AppError::field("code", "activity.code_unknown"));
    };
    match r.state {
        St::Registered => {}
        St::Waiting | St::Pending => return Err(AppError::Conflict("activity.checkin_no_place")),
        St::Cancelled | St::Refused => {
            return Err(AppError::Conflict("activity.checkin_cancelled"));
        }
    }
    let first = check_in_row(tx, v, &e, &r).await?;
    let registration = repo::registration(tx, r.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(CheckIn {
        registration,
        first,
    })
}

async fn check_in_row(
    tx: &mut Tx,
    v: &Viewer,
    e: &EventRow,
    r: &RegistrationRow,
) -> AppResult<bool> {
    let first = repo::check_in(tx, r.id, v.p.id).await?;
    if first {
        repo::recount(tx, e.id).await?;
        let event = AuditEvent::ok("event.check_in", format!("event:{}", e.id))
            .unit(e.unit_id)
            .detail(json!({ "registration": r.id.0 }));
        audit::record(tx, &v.ctx.actor(), event).await?;
    }
    Ok(first)
}

/// An event's registrations in one state (all: `None`), for its organisers.
pub async fn registrations(
    tx: &mut Tx,
    v: &Viewer,
    e: &EventRow,
    state: Option<St>,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<RegistrationRow>> {
    if !manages(v, e) {
        return Err(AppError::Forbidden);
    }
    Ok(repo::registrations(tx, e.id, state, limit, offset).await?)
}

/// The registrations the caller made for others for an event.
pub async fn made_by_me(tx: &mut Tx, v: &Viewer, e: EventId) -> AppResult<Vec<RegistrationRow>> {
    Ok(repo::made_by(tx, e, v.p.id).await?)
}

/// Who the caller registers as ('person:N' for their file, else 'account:N').
async fn me(tx: &mut Tx, v: &Viewer) -> AppResult<String> {
    Ok(match own_file(tx, v).await? {
        Some((p, _, _)) => format!("person:{p}"),
        None => format!("account:{}", v.p.id),
    })
}

/// The caller's registration for an event, in any state.
pub async fn my_registration(
    tx: &mut Tx,
    v: &Viewer,
    e: EventId,
) -> AppResult<Option<RegistrationRow>> {
    let who = me(tx, v).await?;
    Ok(repo::registration_of(tx, e, &who).await?)
}

/// A registration's check-in code and QR code, for the person it is for, whoever made it, or
/// the organiser (a printed ticket).
pub async fn ticket(
    tx: &mut Tx,
    v: &Viewer,
    id: RegistrationId,
) -> AppResult<(EventRow, RegistrationRow)> {
    touchable(tx, v, id).await
}

/// The caller's registrations for events not yet over, soonest first.
pub async fn mine(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<MyRegistration>> {
    let who = me(tx, v).await?;
    Ok(repo::mine(tx, &who, now(), 100).await?)
}

/// A person's registrations and attendance (the person file), and how many attended.
pub async fn of_person(
    tx: &mut Tx,
    who: crate::access::Visible<PersonId>,
) -> AppResult<(Vec<MyRegistration>, i64)> {
    let rows = repo::of_person(tx, who.id(), 20).await?;
    let attended = repo::attended_by(tx, who.id()).await?;
    Ok((rows, attended))
}

/// The events of a personal calendar feed: those `who` holds a place at or waits for.
pub async fn feed_of(tx: &mut Tx, who: &str) -> AppResult<Vec<EventRow>> {
    let from = now() - chrono::Duration::days(90);
    Ok(repo::feed_of(tx, who, from, 500).await?)
}

/// Who an account registers as, for its calendar feed.
pub async fn feed_key(tx: &mut Tx, account: AccountId) -> AppResult<String> {
    Ok(match repo::file_of(tx, account).await? {
        Some((p, _, _)) => format!("person:{p}"),
        None => format!("account:{account}"),
    })
}

/// The public events of a unit's subtree for its calendar feed.
pub async fn feed_of_unit(tx: &mut Tx, unit: UnitId) -> AppResult<(String, Vec<EventRow>)> {
    let u = units::get_in_scope(tx, &Scope::EVERYTHING, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = now() - chrono::Duration::days(90);
    Ok((u.name, repo::feed_of_unit(tx, &u.path, from, 500).await?))
}

/// The token of an account's own calendar link: the account and a keyed hash of it, so only
/// the server makes one and it names that account alone.
pub fn feed_token(crypto: &crate::crypto::FieldCrypto, account: AccountId) -> String {
    let mac = crypto.blind_index("calendar", &account.0.to_string());
    format!("{account}.{}", &mac[..32.min(mac.len())])
}

/// People on file the caller keeps whose names match, for registering them (20 at most).
pub async fn find_people(
    tx: &mut Tx,
    crypto: &crate::crypto::FieldCrypto,
    v: &Viewer,
    q: &str,
) -> AppResult<Vec<crate::people::PersonRow>> {
    let query = crate::people::service::PersonQuery {
        q: Some(q.trim().chars().take(40).collect()),
        category: None,
        status: Some(crate::people::model::Status::Active),
        unit: None,
    };
    crate::people::service::search(tx, crypto, v, &query, 20, 0).await
}

/// One reminder to write: to whom, of which event, when it starts, a day or an hour ahead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    pub account: AccountId,
    pub event: EventId,
    pub title: String,
    pub starts: DateTime<Utc>,
    pub which: &'static str,
}

/// The reminders due at `at` (the day before, an hour before), each event claimed once in
/// the caller's transaction; to everyone holding a place. The job writes them.
pub async fn reminders(tx: &mut Tx, at: DateTime<Utc>) -> AppResult<Vec<Reminder>> {
    let mut out = Vec::new();
    for (event, title, starts, which) in repo::claim_reminders(tx, at).await? {
        for account in repo::registered_accounts(tx, event).await? {
            out.push(Reminder {
                account,
                event,
                title: title.clone(),
                starts,
                which,
            });
        }
    }
    Ok(out)
}
