//! The seniors' university written without a caller, for the generators: a term, courses with
//! their sections and sessions, enrolments placed as a request's are, and attendance. No
//! audit and no window or limit: requests go through `service` and `enrol`.

use super::model::{
    ClassSessionId, EnrolmentId, EnrolmentState, NewCourse, NewTerm, SectionId, TermId,
};
use super::repo::{self, NewEnrolment};
use crate::db::Tx;
use crate::ids::{AccountId, PersonId};

pub async fn term(tx: &mut Tx, t: &NewTerm, by: AccountId) -> Result<TermId, sqlx::Error> {
    repo::insert_term(tx, t, by).await
}

/// A course with its first section and the section's sessions over the term.
pub async fn course(
    tx: &mut Tx,
    t: &NewTerm,
    term: TermId,
    c: &NewCourse,
) -> Result<SectionId, sqlx::Error> {
    let course = repo::insert_course(tx, term, c).await?;
    let id = repo::insert_section(tx, course, term, &c.section).await?;
    let times = super::model::sessions(
        (t.starts_on, t.ends_on),
        c.section.weekday,
        (c.section.starts, c.section.ends),
    );
    repo::add_sessions(tx, id, &times).await?;
    Ok(id)
}

/// Enrols a person (a place while one is free, else the waiting list).
pub async fn enrol(
    tx: &mut Tx,
    term: TermId,
    section: SectionId,
    person: PersonId,
    account: Option<AccountId>,
    by: AccountId,
) -> Result<Option<(EnrolmentId, EnrolmentState)>, sqlx::Error> {
    if repo::enrolment_of(tx, section, person).await?.is_some() {
        return Ok(None);
    }
    let Some(lock) = repo::lock(tx, section).await? else {
        return Ok(None);
    };
    let state = if crate::events::model::free(lock.capacity, lock.enrolled) > 0 {
        EnrolmentState::Enrolled
    } else {
        EnrolmentState::Waiting
    };
    let returning = repo::returning(tx, section, person).await?;
    let id = repo::upsert(
        tx,
        &NewEnrolment {
            section,
            term,
            person,
            account: account.or(Some(by)),
            state,
            position: lock.seq,
            returning,
            code: &crate::events::model::new_code(),
            by,
        },
    )
    .await?;
    repo::recount(tx, section).await?;
    Ok(Some((id, state)))
}

/// A section's sessions: id and start.
pub async fn sessions(
    tx: &mut Tx,
    section: SectionId,
) -> Result<Vec<(ClassSessionId, chrono::DateTime<chrono::Utc>)>, sqlx::Error> {
    Ok(repo::sessions(tx, section)
        .await?
        .into_iter()
        .map(|s| (s.id, s.starts_at))
        .collect())
}

pub async fn attend(
    tx: &mut Tx,
    session: ClassSessionId,
    enrolment: EnrolmentId,
    by: AccountId,
) -> Result<bool, sqlx::Error> {
    repo::attend(tx, session, enrolment, by).await
}
