//! Enrolment: a member enrols themselves (their file), or staff who keep a file enrol the
//! person; the window, the priority window for returning students, the per-term limit, the
//! waiting list and its promotions (as for events), the timetable, and attendance at class
//! sessions by the enrolment's check-in code.

use super::model::{self, ClassSessionId, EnrolmentId, EnrolmentState as St, SectionId};
use super::repo::{self, EnrolmentRow, NewEnrolment, SectionRow, TermRow, TimetableRow};
use crate::access::Perm;
use crate::audit::{self as audit, model::Event as AuditEvent};
use crate::db::{Tx, now};
use crate::error::{AppError, AppResult};
use crate::ids::{AccountId, PersonId};
use crate::web::auth::Viewer;
use serde_json::json;

/// The caller's own file.
async fn own(tx: &mut Tx, v: &Viewer) -> AppResult<Option<PersonId>> {
    crate::people::service::file_of_account(tx, v.p.id).await
}

/// Enrols the caller (their own file) in a section.
pub async fn enrol_self(
    tx: &mut Tx,
    v: &Viewer,
    section: SectionId,
) -> AppResult<(EnrolmentId, St)> {
    let person = own(tx, v)
        .await?
        .ok_or(AppError::Conflict("university.no_file"))?;
    place(tx, v, section, person, Some(v.p.id)).await
}

/// Enrols a person on file, by staff who keep the file; they are told through their own
/// account, or the staff member through theirs.
pub async fn enrol_for(
    tx: &mut Tx,
    v: &Viewer,
    section: SectionId,
    person: PersonId,
) -> AppResult<(EnrolmentId, St)> {
    v.scope(Perm::Events)?;
    let scope = v.scope(Perm::People)?;
    let who = crate::access::person(tx, &scope, person).await?;
    let account = crate::people::service::load_in(tx, who).await?.0.account_id;
    place(tx, v, section, person, account.or(Some(v.p.id))).await
}

/// The one path of an enrolment: the section locked, the window, the priority window, the
/// limit, already enrolled; a place or the waiting list; the counts; an audit entry.
async fn place(
    tx: &mut Tx,
    v: &Viewer,
    section: SectionId,
    person: PersonId,
    account: Option<AccountId>,
) -> AppResult<(EnrolmentId, St)> {
    let (t, s) = super::service::section(tx, v, section).await?;
    // The term first, then the section (always in this order): the limit is counted with no
    // other enrolment of the term in between.
    repo::lock_term(tx, t.id).await?;
    let lock = repo::lock(tx, section).await?.ok_or(AppError::NotFound)?;
    let at = now();
    model::window(at, t.enrol_opens_at, t.enrol_closes_at).map_err(AppError::Conflict)?;
    let returning = repo::returning(tx, section, person).await?;
    if t.priority_until.is_some_and(|p| at < p) && !returning {
        return Err(AppError::Conflict("university.priority_only"));
    }
    let before = repo::enrolment_of(tx, section, person).await?;
    if before.as_ref().is_some_and(|b| b.state.active()) {
        return Err(AppError::Conflict("university.already_enrolled"));
    }
    if repo::taken_in_term(tx, t.id, person).await? >= t.course_limit {
        return Err(AppError::Conflict("university.over_limit"));
    }
    let state = if crate::events::model::free(lock.capacity, lock.enrolled) > 0 {
        St::Enrolled
    } else {
        St::Waiting
    };
    let code = before
        .as_ref()
        .map(|b| b.code.clone())
        .unwrap_or_else(crate::events::model::new_code);
    let id = repo::upsert(
        tx,
        &NewEnrolment {
            section,
            term: t.id,
            person,
            account,
            state,
            position: lock.seq,
            returning,
            code: &code,
            by: v.p.id,
        },
    )
    .await?;
    repo::recount(tx, section).await?;
    let event = AuditEvent::ok("course.enrol", format!("section:{section}"))
        .unit(t.unit_id)
        .detail(
            json!({ "enrolment": id.0, "person": person.0, "state": state.as_str(),
                        "returning": returning, "subject": s.subject }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok((id, state))
}

/// The caller's enrolment in a section, if any.
pub async fn my_enrolment(
    tx: &mut Tx,
    v: &Viewer,
    section: SectionId,
) -> AppResult<Option<EnrolmentRow>> {
    Ok(match own(tx, v).await? {
        Some(p) => repo::enrolment_of(tx, section, p).await?,
        None => None,
    })
}

/// Cancels an enrolment (the person's own, one staff made for them, or by the organisers);
/// a place freed goes to the first waiting, who is told.
pub async fn cancel(tx: &mut Tx, v: &Viewer, id: EnrolmentId) -> AppResult<SectionId> {
    let e = repo::enrolment(tx, id).await?.ok_or(AppError::NotFound)?;
    let (t, s) = super::service::section(tx, v, e.section_id).await?;
    let mine = own(tx, v).await? == Some(e.person_id) || e.account_id == Some(v.p.id);
    if !mine && !super::service::manages(v, &t) {
        return Err(AppError::OutOfScope);
    }
    let lock = repo::lock(tx, e.section_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Read again under the lock: a promotion may have come in between.
    let e = repo::enrolment(tx, id).await?.ok_or(AppError::NotFound)?;
    if !e.state.active() || !repo::cancel(tx, id, e.state).await? {
        return Err(AppError::Conflict("university.not_enrolled"));
    }
    let mut promoted = Vec::new();
    if e.state == St::Enrolled {
        let free = crate::events::model::free(lock.capacity, lock.enrolled - 1);
        if free > 0 {
            promoted = repo::promote(tx, e.section_id, free.min(10_000)).await?;
        }
    }
    repo::recount(tx, e.section_id).await?;
    let placed: Vec<AccountId> = promoted.iter().filter_map(|(_, a)| *a).collect();
    if !placed.is_empty() {
        let event = crate::outbox::DomainEvent::new(
            crate::outbox::Kind::EventNotice,
            format!("section:{}", e.section_id),
        )
        .actor(Some(v.p.id.0))
        .payload(json!({ "what": "course_place", "accounts": placed,
                         "title": format!("{} · {}", s.subject, s.label),
                         "link": format!("/university/sections/{}", e.section_id) }));
        crate::outbox::emit(tx, event).await?;
    }
    let event = AuditEvent::ok("course.unenrol", format!("section:{}", e.section_id))
        .unit(t.unit_id)
        .detail(json!({ "enrolment": id.0, "was": e.state.as_str(),
                        "promoted": promoted.iter().map(|(p, _)| p.0).collect::<Vec<_>>() }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(e.section_id)
}

/// A section's roster (enrolled, then waiting in order), for the term's organisers.
pub async fn roster(
    tx: &mut Tx,
    v: &Viewer,
    t: &TermRow,
    s: &SectionRow,
) -> AppResult<Vec<EnrolmentRow>> {
    if !super::service::manages(v, t) {
        return Err(AppError::Forbidden);
    }
    Ok(repo::roster(tx, s.id, 500).await?)
}

/// The caller's timetable: their courses in terms not yet over, by weekday and hour.
pub async fn timetable(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<TimetableRow>> {
    Ok(match own(tx, v).await? {
        Some(p) => repo::timetable(tx, p, crate::i18n::china_today()).await?,
        None => Vec::new(),
    })
}

/// A person's timetable (the person file).
pub async fn timetable_of(
    tx: &mut Tx,
    who: crate::access::Visible<PersonId>,
) -> AppResult<Vec<TimetableRow>> {
    Ok(repo::timetable(tx, who.id(), crate::i18n::china_today()).await?)
}

/// What a scan at a class found: who, and whether this scan recorded it.
pub struct Attended {
    pub enrolment: EnrolmentRow,
    pub first: bool,
}

/// Records attendance at a class session by an enrolment's code (the term's organisers); a
/// second scan is recorded once; a code of someone waiting or cancelled is refused.
pub async fn check_in(
    tx: &mut Tx,
    v: &Viewer,
    session: ClassSessionId,
    raw: &str,
) -> AppResult<Attended> {
    let sess = repo::session(tx, session)
        .await?
        .ok_or(AppError::NotFound)?;
    let (t, _) = super::service::section(tx, v, sess.section_id).await?;
    if !super::service::manages(v, &t) {
        return Err(AppError::Forbidden);
    }
    let code = crate::events::model::read_code(raw)
        .ok_or(AppError::field("code", "activity.code_format"))?;
    let e = repo::by_code(tx, sess.section_id, &code)
        .await?
        .ok_or(AppError::field("code", "activity.code_unknown"))?;
    if e.state != St::Enrolled {
        return Err(AppError::Conflict("activity.checkin_no_place"));
    }
    let first = repo::attend(tx, session, e.id, v.p.id).await?;
    if first {
        let event = AuditEvent::ok("course.attend", format!("session:{session}"))
            .unit(t.unit_id)
            .detail(json!({ "enrolment": e.id.0 }));
        audit::record(tx, &v.ctx.actor(), event).await?;
    }
    let enrolment = repo::enrolment(tx, e.id).await?.ok_or(AppError::NotFound)?;
    Ok(Attended { enrolment, first })
}

/// A class session with its section and term, for its check-in page.
pub async fn session(
    tx: &mut Tx,
    v: &Viewer,
    id: ClassSessionId,
) -> AppResult<(TermRow, SectionRow, repo::SessionRow)> {
    let sess = repo::session(tx, id).await?.ok_or(AppError::NotFound)?;
    let (t, s) = super::service::section(tx, v, sess.section_id).await?;
    if !super::service::manages(v, &t) {
        return Err(AppError::Forbidden);
    }
    Ok((t, s, sess))
}

/// A material's file, for the term's organisers and those enrolled in its section.
pub async fn material(
    tx: &mut Tx,
    v: &Viewer,
    file: crate::ids::FileId,
) -> AppResult<crate::files::Attachment> {
    let section = super::service::material_section(tx, file).await?;
    let (t, _) = super::service::section(tx, v, section).await?;
    let enrolled = match my_enrolment(tx, v, section).await? {
        Some(e) => e.state == super::model::EnrolmentState::Enrolled,
        None => false,
    };
    if !super::service::manages(v, &t) && !enrolled {
        return Err(AppError::OutOfScope);
    }
    crate::files::service::get(tx, file)
        .await?
        .ok_or(AppError::NotFound)
}
