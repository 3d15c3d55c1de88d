//! Life events (hospitalised, bereavement, a death …) and hardship aid on a person's file:
//! use cases, each in the caller's transaction. A life event creates the visit tasks it calls
//! for at once (`care::service::generate_tasks_for`).

use super::model::{NewAid, NewLifeEvent};
use super::repo::{self, Aid, LifeEvent};
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::care::model::{AidId, LifeEventId, LifeEventKind};
use crate::care::service::generate_tasks_for;
use crate::db::Tx;
use crate::error::AppResult;
use crate::people::model::{PersonId, Status};
use crate::people::service as people;
use crate::web::auth::Viewer;
use chrono::Utc;
use serde_json::json;

/// Records a life event; a death or a move also changes the file's status. The tasks the
/// event calls for are created at once.
pub async fn record_event(
    tx: &mut Tx,
    v: &Viewer,
    person: PersonId,
    e: &NewLifeEvent,
) -> AppResult<LifeEventId> {
    let scope = v.scope(Perm::People)?;
    let who = crate::access::person(tx, &scope, person).await?;
    let (row, _) = people::load_in(tx, who).await?;
    let today = Utc::now().date_naive();
    let (kind, on) = (e.kind, e.occurred_on);
    let id = repo::insert_event(
        tx,
        person,
        kind.as_str(),
        &on.to_string(),
        e.note.as_deref(),
        v.p.id,
    )
    .await?;
    match kind {
        LifeEventKind::Died => people::set_status(tx, who, Status::Deceased, Some(on)).await?,
        LifeEventKind::Moved => people::set_status(tx, who, Status::Moved, None).await?,
        _ => {}
    }
    let event = Event::ok("life_event.create", format!("person:{}", person.0))
        .unit(row.unit_id.0)
        .detail(
            json!({ "after": { "event_id": id, "kind": kind.as_str(), "occurred_on": on.to_string() } }),
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
    Ok(repo::events_of(tx, who.id()).await?)
}

/// The hardship aid of a file the caller may see, in the caller's transaction.
pub async fn aid_in(tx: &mut Tx, who: crate::access::Visible<PersonId>) -> AppResult<Vec<Aid>> {
    Ok(repo::aid_of(tx, who.id()).await?)
}

/// The life events of a file the caller may see.
pub async fn events(tx: &mut Tx, v: &Viewer, person: PersonId) -> AppResult<Vec<LifeEvent>> {
    let scope = v.scope(crate::access::Perm::People)?;
    let who = crate::access::person(tx, &scope, person).await?;
    events_in(tx, who).await
}

/// Records hardship aid for a file the caller may see, in the caller's write transaction.
pub async fn record_aid(
    tx: &mut Tx,
    v: &Viewer,
    person: PersonId,
    aid: &NewAid,
) -> AppResult<AidId> {
    let (row, _) = crate::people::service::load(tx, v, person).await?;
    let NewAid {
        kind,
        amount_fen: fen,
        approved_by: approved,
        granted_on: on,
        note,
    } = aid;
    let id = repo::insert_aid(
        tx,
        person,
        kind,
        *fen,
        approved,
        &on.to_string(),
        note.as_deref(),
        v.p.id,
    )
    .await?;
    let event = Event::ok("hardship_aid.create", format!("person:{}", person.0))
        .unit(row.unit_id.0)
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
