//! Contact rounds: starting one over a subtree (the roster snapshotted), adding those filed
//! since, recording attempts (an unreachable person gets a visit task, one needing help a
//! care item), the coverage, closing once everyone has a final state, and the deadline
//! reminder.

use super::model::{Attempt, NewRound, RoundId, RoundState, RoundStatus};
use super::repo::{self, AttemptRow, Listing, Match, RoundCoverage, RoundMember, RoundRow};
use crate::access::{PEOPLE_KEEPERS, Perm, Scope};
use crate::audit::{self as audit, model::Event};
use crate::care::items::model::{ItemChanges, NewItem};
use crate::care::model::ItemStatus;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::{AccountId, PersonId, UnitId};
use crate::units::service as units;
use crate::web::auth::Viewer;
use serde_json::json;

/// How many a round would take in (the unit must be one where the caller keeps files).
pub async fn reach(tx: &mut Tx, v: &Viewer, r: &NewRound) -> AppResult<i64> {
    units::load(tx, v, Perm::People, r.unit).await?;
    let m = Match {
        unit: r.unit,
        account: v.p.id,
        filter: &r.filter,
        born: r.filter.birth_bounds(crate::i18n::china_today()),
    };
    Ok(repo::count_matching(tx, &m).await?)
}

/// Starts a round: the round, its people as of now, the counts per unit and one audit entry,
/// in the caller's transaction. A round that would take in nobody is refused.
pub async fn start(tx: &mut Tx, v: &Viewer, r: &NewRound) -> AppResult<(RoundId, u64)> {
    units::load(tx, v, Perm::People, r.unit).await?;
    let id = repo::insert(tx, r, v.p.id).await?;
    let m = Match {
        unit: r.unit,
        account: v.p.id,
        filter: &r.filter,
        born: r.filter.birth_bounds(crate::i18n::china_today()),
    };
    let n = repo::snapshot(tx, id, &m, false).await?;
    if n == 0 {
        return Err(AppError::field("unit_id", "round.nobody"));
    }
    repo::recount_all(tx, id).await?;
    let event = Event::ok("round.start", format!("round:{id}"))
        .unit(r.unit)
        .detail(
            json!({ "title": r.title, "reason": r.reason.as_str(), "filter": r.filter,
                        "deadline": r.deadline.to_string(), "people": n }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok((id, n))
}

/// The rounds the caller reaches (over their units, or over units above theirs), newest
/// first.
pub async fn list(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<RoundRow>> {
    let scope = v.scope(Perm::People)?;
    Ok(repo::list(tx, &scope, 200).await?)
}

/// One round the caller reaches; out of reach is 404 (audited), as a missing one.
pub async fn get(tx: &mut Tx, v: &Viewer, id: RoundId) -> AppResult<RoundRow> {
    let scope = v.scope(Perm::People)?;
    match repo::get(tx, &scope, id).await? {
        Some(r) => Ok(r),
        None if repo::exists(tx, id).await? => Err(AppError::OutOfScope),
        None => Err(AppError::NotFound),
    }
}

/// Where the caller looks at a round from: the unit asked for when it lies in the round and
/// in the caller's reach, else the round's unit when the caller covers it, else the first of
/// the caller's units inside the round. Returns the unit and its path.
pub async fn viewpoint(
    tx: &mut Tx,
    v: &Viewer,
    r: &RoundRow,
    asked: Option<UnitId>,
) -> AppResult<(UnitId, String)> {
    let reach = crate::access::reach(&v.p.grants, PEOPLE_KEEPERS);
    if let Some(at) = asked {
        let u = units::load(tx, v, Perm::People, at).await?;
        if !u.path.starts_with(&r.unit_path) {
            return Err(AppError::OutOfScope);
        }
        return Ok((u.id, u.path));
    }
    if covers(v, r) {
        return Ok((r.unit_id, r.unit_path.clone()));
    }
    match reach.iter().find(|(_, p)| p.starts_with(&r.unit_path)) {
        Some((id, path)) => Ok((*id, path.clone())),
        None => Err(AppError::OutOfScope),
    }
}

/// Whether the caller covers the round's own unit (may add people to it and close it).
pub fn covers(v: &Viewer, r: &RoundRow) -> bool {
    v.scope(Perm::People).is_ok_and(|s| s.all)
        || crate::access::reach(&v.p.grants, PEOPLE_KEEPERS)
            .iter()
            .any(|(_, p)| r.unit_path.starts_with(p.as_str()))
}

/// The coverage of a round at a unit: its total and each unit below it.
pub async fn coverage(
    tx: &mut Tx,
    round: RoundId,
    at: UnitId,
) -> AppResult<(RoundCoverage, Vec<RoundCoverage>)> {
    Ok(repo::coverage(tx, round, at).await?)
}

/// People of a round in one state, as the caller may see them.
pub async fn members(
    tx: &mut Tx,
    v: &Viewer,
    round: RoundId,
    l: &Listing<'_>,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<RoundMember>> {
    Ok(repo::members(tx, round, v.p.id, l, limit, offset).await?)
}

/// How many of the round's people are paired with the caller and not yet reached.
pub async fn mine_pending(tx: &mut Tx, v: &Viewer, round: RoundId) -> AppResult<i64> {
    Ok(repo::pending_of(tx, round, v.p.id).await?)
}

/// One person of a round (visible to the caller) and the attempts made.
pub async fn member(
    tx: &mut Tx,
    v: &Viewer,
    round: &RoundRow,
    person: PersonId,
) -> AppResult<(RoundMember, Vec<AttemptRow>)> {
    let scope = v.scope(Perm::People)?;
    crate::access::person(tx, &scope, person).await?;
    let m = repo::member(tx, round.id, v.p.id, person)
        .await?
        .ok_or(AppError::NotFound)?;
    let attempts = repo::attempts(tx, round.id, person).await?;
    Ok((m, attempts))
}

/// The ledger: everyone in the round the caller may see, masked.
pub async fn ledger(tx: &mut Tx, v: &Viewer, round: RoundId) -> AppResult<Vec<RoundMember>> {
    Ok(repo::ledger(tx, round, v.p.id).await?)
}

/// Records an attempt on a person of an open round: the attempt, the person's new state, the
/// visit task when they became unreachable, a care item when they first need help (or need
/// more), the unit's counts and an audit entry, all in the caller's transaction.
pub async fn record(
    tx: &mut Tx,
    v: &Viewer,
    round: RoundId,
    person: PersonId,
    a: &Attempt,
) -> AppResult<RoundState> {
    let r = get(tx, v, round).await?;
    if r.status != RoundStatus::Open {
        return Err(AppError::Conflict("round.closed"));
    }
    let scope = v.scope(Perm::People)?;
    crate::access::person(tx, &scope, person).await?;
    let Some(before) = repo::standing(tx, round, person).await? else {
        return Err(AppError::NotFound);
    };
    let was = super::model::Standing {
        state: RoundState::parse(&before.state).unwrap_or(RoundState::Pending),
        failures: i64::from(before.failures),
    };
    let fx = super::model::effect(
        was,
        (before.needs.as_deref(), before.needs_note.as_deref()),
        a,
        i64::from(r.max_attempts),
    );
    let after = fx.after;
    let mut task = None;
    if fx.task {
        let assignee = before.staff_id.unwrap_or(v.p.id);
        let key = format!("round:{round}");
        let today = crate::i18n::china_today();
        task = crate::care::service::unreachable_task(tx, person, &key, today, assignee).await?;
    }
    let mut item = None;
    if fx.item {
        item = Some(care_item(tx, v, &r, person, a).await?);
    }
    let needs = fx.needs;
    let change = repo::Change {
        state: after.state,
        failures: after.failures,
        needs: needs.as_deref(),
        note: fx.note.as_deref(),
        by: v.p.id,
        task,
        item,
    };
    repo::record(tx, round, person, a, &change).await?;
    repo::recount_unit(tx, round, before.unit_id).await?;
    let event = Event::ok("round.attempt", format!("person:{}", person.0))
        .unit(before.unit_id)
        .detail(
            json!({ "round": round.0, "channel": a.channel.as_str(), "outcome": a.outcome.as_str(),
                        "needs": needs, "state": after.state.as_str(),
                        "task": task.map(|t| t.0), "care_item": item.map(|i| i.0) }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(after.state)
}

/// The care item for what a person reached needs: named by the needs, in the recorder's
/// language, with the round and the words given.
async fn care_item(
    tx: &mut Tx,
    v: &Viewer,
    r: &RoundRow,
    person: PersonId,
    a: &Attempt,
) -> AppResult<crate::ids::CareItemId> {
    let l = v.ctx.locale;
    let words: Vec<String> = a.needs.iter().map(|n| l.t(&n.label_key())).collect();
    let name: String = format!("{}：{}", l.t("round.item_name"), words.join("、"))
        .chars()
        .take(60)
        .collect();
    let note = match &a.note {
        Some(n) => format!("{} · {n}", r.title),
        None => r.title.clone(),
    };
    let new = NewItem {
        name,
        changes: ItemChanges {
            status: ItemStatus::Planned,
            note: Some(note.chars().take(500).collect()),
        },
    };
    crate::care::items::service::add(tx, v, person, &new).await
}

/// Adds to an open round the people its filter takes in now and it lacks (filed or moved in
/// since the start); returns how many.
pub async fn add_new(tx: &mut Tx, v: &Viewer, round: RoundId) -> AppResult<u64> {
    let r = get(tx, v, round).await?;
    if r.status != RoundStatus::Open {
        return Err(AppError::Conflict("round.closed"));
    }
    units::load(tx, v, Perm::People, r.unit_id).await?;
    let filter = r.filter();
    let m = Match {
        unit: r.unit_id,
        account: v.p.id,
        filter: &filter,
        born: filter.birth_bounds(crate::i18n::china_today()),
    };
    let n = repo::snapshot(tx, round, &m, true).await?;
    if n > 0 {
        repo::recount_all(tx, round).await?;
    }
    let event = Event::ok("round.add", format!("round:{round}"))
        .unit(r.unit_id)
        .detail(json!({ "added": n }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(n)
}

/// Closes a round once every person has a final state; refused (nothing changed) while any
/// is pending or by someone who does not cover the round's unit.
pub async fn close(tx: &mut Tx, v: &Viewer, round: RoundId) -> AppResult<()> {
    let r = get(tx, v, round).await?;
    units::load(tx, v, Perm::People, r.unit_id).await?;
    if r.status != RoundStatus::Open {
        return Err(AppError::Conflict("round.closed"));
    }
    if !repo::close(tx, round, v.p.id).await? {
        return Err(AppError::Conflict("round.still_pending"));
    }
    let event = Event::ok("round.close", format!("round:{round}"))
        .unit(r.unit_id)
        .detail(
            json!({ "safe": r.safe, "needs_help": r.needs_help, "unreachable": r.unreachable }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// The open rounds a person is in (for the person file): round, title, deadline, state.
pub async fn of_person(
    tx: &mut Tx,
    who: crate::access::Visible<PersonId>,
) -> AppResult<Vec<(RoundId, String, String, RoundState)>> {
    let rows = repo::of_person(tx, who.id()).await?;
    Ok(rows
        .into_iter()
        .map(|(id, t, d, s)| {
            (
                id,
                t,
                d,
                RoundState::parse(&s).unwrap_or(RoundState::Pending),
            )
        })
        .collect())
}

/// One deadline reminder: to whom, about which round, how many of theirs are pending and
/// where it leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    pub account: AccountId,
    pub round: RoundId,
    pub title: String,
    pub pending: i64,
    pub link: String,
}

/// The deadline reminders due on `today` (China): each open round whose deadline is tomorrow
/// or sooner, claimed once (the claim is part of the caller's transaction); to every staff
/// member with people still pending in it (how many) and to whoever started it (all pending).
/// The job writes them as notifications.
pub async fn reminders(tx: &mut Tx, today: chrono::NaiveDate) -> AppResult<Vec<Reminder>> {
    let by = (today + chrono::Duration::days(1)).to_string();
    let mut out = Vec::new();
    for (round, title, starter) in repo::claim_reminders(tx, &by, &today.to_string()).await? {
        let mut to: Vec<(AccountId, i64)> = repo::pending_by_staff(tx, round).await?;
        let total: i64 = repo::get(tx, &Scope::EVERYTHING, round)
            .await?
            .map(|r| r.pending)
            .unwrap_or(0);
        if total == 0 {
            continue;
        }
        if !to.iter().any(|(a, _)| *a == starter) {
            to.push((starter, total));
        }
        for (account, pending) in to {
            let link = if account == starter {
                format!("/rounds/{round}")
            } else {
                format!("/rounds/{round}?mine=1")
            };
            out.push(Reminder {
                account,
                round,
                title: title.clone(),
                pending,
                link,
            });
        }
    }
    Ok(out)
}
