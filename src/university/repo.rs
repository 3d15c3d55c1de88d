//! SQL of the seniors' university: terms, courses and sections, enrolments and their waiting
//! lists (the section locked by taking a position), class sessions, attendance, materials,
//! timetables and the term's figures.

use super::model::{
    ClassSessionId, CourseId, EnrolmentId, EnrolmentState, NewCourse, NewSection, NewTerm,
    SectionId, TermId,
};
use crate::db::{Tx, now};
use crate::ids::{AccountId, FileId, PersonId, UnitId};
use crate::on_tx;
use chrono::{DateTime, NaiveDate, Utc};

/// A term with its unit.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct TermRow {
    pub id: TermId,
    pub unit_id: UnitId,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub enrol_opens_at: DateTime<Utc>,
    pub enrol_closes_at: DateTime<Utc>,
    pub priority_until: Option<DateTime<Utc>>,
    pub course_limit: i64,
}

macro_rules! term_select {
    ($where:expr) => {
        concat!(
            "SELECT t.id, t.unit_id, u.name AS unit_name, u.path AS unit_path, t.name, t.starts_on,
                    t.ends_on, t.enrol_opens_at, t.enrol_closes_at, t.priority_until, t.course_limit
             FROM terms t JOIN units u ON u.id = t.unit_id WHERE ",
            $where
        )
    };
}

pub async fn insert_term(tx: &mut Tx, t: &NewTerm, by: AccountId) -> Result<TermId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO terms (unit_id, name, starts_on, ends_on, enrol_opens_at, enrol_closes_at,
                            priority_until, course_limit, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(t.unit).bind(&t.name).bind(t.starts_on.to_string()).bind(t.ends_on.to_string())
        .bind(t.opens).bind(t.closes).bind(t.priority_until).bind(t.course_limit).bind(by)
        .bind(now())
        .fetch_one(c).await)
}

pub async fn term(tx: &mut Tx, id: TermId) -> Result<Option<TermRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, TermRow>(term_select!("t.id = $1"))
        .bind(id).fetch_optional(c).await)
}

/// SQL condition: the term's unit `u` is seen by the account `$2` whose own file lies at the
/// unit path `$1` ('' without one): a file below the unit, or any role held over or under it.
macro_rules! term_seen {
    () => {
        concat!(
            "(($1 <> '' AND ",
            crate::under!("$1", "u.path"),
            ") OR EXISTS (SELECT 1 FROM role_grants g JOIN units gu ON gu.id = g.unit_id
                 WHERE g.account_id = $2 AND g.revoked_at IS NULL AND (",
            crate::under!("gu.path", "u.path"),
            " OR ",
            crate::under!("u.path", "gu.path"),
            ")))"
        )
    };
}

/// The terms the caller sees (their own file's unit path, their account), newest first.
pub async fn terms_for(
    tx: &mut Tx,
    path: &str,
    account: AccountId,
    limit: i64,
) -> Result<Vec<TermRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, TermRow>(concat!(
        term_select!(term_seen!()), " ORDER BY t.starts_on DESC, t.id DESC LIMIT $3"))
        .bind(path).bind(account).bind(limit).fetch_all(c).await)
}

/// Whether the caller sees a term.
pub async fn term_seen(
    tx: &mut Tx,
    path: &str,
    account: AccountId,
    id: TermId,
) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM terms t JOIN units u ON u.id = t.unit_id WHERE t.id = $3 AND ",
        term_seen!()))
        .bind(path).bind(account).bind(id).fetch_one(c).await)?;
    Ok(n > 0)
}

/// A section with its course and its term's unit.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct SectionRow {
    pub id: SectionId,
    pub course_id: CourseId,
    pub term_id: TermId,
    pub subject: String,
    pub description: String,
    pub fee_fen: i64,
    pub prerequisites: String,
    pub label: String,
    pub teacher: String,
    pub weekday: i64,
    pub starts_time: String,
    pub ends_time: String,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
    pub enrolled: i64,
    pub waiting: i64,
}

macro_rules! section_select {
    ($where:expr) => {
        concat!(
            "SELECT s.id, s.course_id, s.term_id, c.subject, c.description, c.fee_fen,
                    c.prerequisites, s.label, s.teacher, s.weekday, s.starts_time, s.ends_time,
                    s.place, s.online_url, s.capacity, s.enrolled, s.waiting
             FROM course_sections s JOIN courses c ON c.id = s.course_id WHERE ",
            $where
        )
    };
}

pub async fn insert_course(
    tx: &mut Tx,
    term: TermId,
    c: &NewCourse,
) -> Result<CourseId, sqlx::Error> {
    on_tx!(tx, x => sqlx::query_scalar(
        "INSERT INTO courses (term_id, subject, description, fee_fen, prerequisites, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(term).bind(&c.subject).bind(&c.description).bind(c.fee_fen).bind(&c.prerequisites)
        .bind(now())
        .fetch_one(x).await)
}

pub async fn insert_section(
    tx: &mut Tx,
    course: CourseId,
    term: TermId,
    s: &NewSection,
) -> Result<SectionId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO course_sections (course_id, term_id, label, teacher, weekday, starts_time,
                                      ends_time, place, online_url, capacity)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(course).bind(term).bind(&s.label).bind(&s.teacher).bind(s.weekday)
        .bind(s.starts.format("%H:%M").to_string()).bind(s.ends.format("%H:%M").to_string())
        .bind(&s.place).bind(&s.online_url).bind(s.capacity)
        .fetch_one(c).await)
}

/// The course a section is added to: its term.
pub async fn course_term(tx: &mut Tx, course: CourseId) -> Result<Option<TermId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT term_id FROM courses WHERE id = $1")
        .bind(course).fetch_optional(c).await)
}

pub async fn sections_of_term(tx: &mut Tx, term: TermId) -> Result<Vec<SectionRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, SectionRow>(concat!(
        section_select!("s.term_id = $1"), " ORDER BY c.subject, s.label, s.id"))
        .bind(term).fetch_all(c).await)
}

pub async fn section(tx: &mut Tx, id: SectionId) -> Result<Option<SectionRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, SectionRow>(section_select!("s.id = $1"))
        .bind(id).fetch_optional(c).await)
}

/// Inserts the class sessions of a section (those already there kept).
pub async fn add_sessions(
    tx: &mut Tx,
    section: SectionId,
    times: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Result<(), sqlx::Error> {
    for (a, b) in times {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO class_sessions (section_id, starts_at, ends_at) VALUES ($1, $2, $3)
             ON CONFLICT (section_id, starts_at) DO NOTHING")
            .bind(section).bind(*a).bind(*b).execute(c).await.map(|_| ()))?;
    }
    Ok(())
}

/// What enrolling needs of a section, read while taking its next position (the update holds
/// the section's row lock until the transaction ends, as for events).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Locked {
    pub seq: i64,
    pub capacity: Option<i64>,
    pub enrolled: i64,
}

pub async fn lock(tx: &mut Tx, id: SectionId) -> Result<Option<Locked>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Locked>(
        "UPDATE course_sections SET seq = seq + 1 WHERE id = $1 RETURNING seq, capacity, enrolled")
        .bind(id).fetch_optional(c).await)
}

pub async fn recount(tx: &mut Tx, id: SectionId) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE course_sections SET
            enrolled = (SELECT COUNT(*) FROM enrolments e WHERE e.section_id = $1 AND e.state = 'enrolled'),
            waiting = (SELECT COUNT(*) FROM enrolments e WHERE e.section_id = $1 AND e.state = 'waiting')
         WHERE id = $1")
        .bind(id).execute(c).await.map(|_| ()))
}

/// Locks a term's row for the rest of the transaction (a no-op update): on PostgreSQL two
/// enrolments of one person in one term then count their courses one after the other.
pub async fn lock_term(tx: &mut Tx, id: TermId) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE terms SET course_limit = course_limit WHERE id = $1")
        .bind(id).execute(c).await.map(|_| ()))
}

/// How many courses a person holds or waits for in a term (other than `except`).
pub async fn taken_in_term(
    tx: &mut Tx,
    term: TermId,
    person: PersonId,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM enrolments WHERE term_id = $1 AND person_id = $2 AND state <> 'cancelled'")
        .bind(term).bind(person).fetch_one(c).await)
}

/// Whether a person studied the same subject in an earlier term of the same unit.
pub async fn returning(
    tx: &mut Tx,
    section: SectionId,
    person: PersonId,
) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM course_sections s JOIN courses c ON c.id = s.course_id
         JOIN terms t ON t.id = c.term_id
         JOIN terms pt ON pt.unit_id = t.unit_id AND pt.starts_on < t.starts_on
         JOIN courses pc ON pc.term_id = pt.id AND pc.subject = c.subject
         JOIN course_sections ps ON ps.course_id = pc.id
         JOIN enrolments e ON e.section_id = ps.id AND e.person_id = $2 AND e.state = 'enrolled'
         WHERE s.id = $1")
        .bind(section).bind(person).fetch_one(c).await)?;
    Ok(n > 0)
}

/// An enrolment with its person.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct EnrolmentRow {
    pub id: EnrolmentId,
    pub section_id: SectionId,
    pub person_id: PersonId,
    pub account_id: Option<AccountId>,
    pub name: String,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub state: EnrolmentState,
    pub position: i64,
    pub is_returning: bool,
    #[serde(skip)]
    pub code: String,
    pub created_at: DateTime<Utc>,
    pub promoted_at: Option<DateTime<Utc>>,
    /// Sessions attended.
    pub attended: i64,
}

macro_rules! enrolment_select {
    ($where:expr) => {
        concat!(
            "SELECT e.id, e.section_id, e.person_id, e.account_id, p.name, u.name AS unit_name,
                    e.state, e.position, e.is_returning, e.code, e.created_at, e.promoted_at,
                    (SELECT COUNT(*) FROM session_attendance a WHERE a.enrolment_id = e.id) AS attended
             FROM enrolments e JOIN people p ON p.id = e.person_id JOIN units u ON u.id = p.unit_id
             WHERE ",
            $where
        )
    };
}

pub async fn enrolment_of(
    tx: &mut Tx,
    section: SectionId,
    person: PersonId,
) -> Result<Option<EnrolmentRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, EnrolmentRow>(enrolment_select!("e.section_id = $1 AND e.person_id = $2"))
        .bind(section).bind(person).fetch_optional(c).await)
}

pub async fn enrolment(tx: &mut Tx, id: EnrolmentId) -> Result<Option<EnrolmentRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, EnrolmentRow>(enrolment_select!("e.id = $1"))
        .bind(id).fetch_optional(c).await)
}

/// An enrolment to write.
pub struct NewEnrolment<'a> {
    pub section: SectionId,
    pub term: TermId,
    pub person: PersonId,
    pub account: Option<AccountId>,
    pub state: EnrolmentState,
    pub position: i64,
    pub returning: bool,
    pub code: &'a str,
    pub by: AccountId,
}

/// Writes an enrolment, or takes up again one cancelled before (a new position, the same code).
pub async fn upsert(tx: &mut Tx, e: &NewEnrolment<'_>) -> Result<EnrolmentId, sqlx::Error> {
    let at = now();
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO enrolments (section_id, term_id, person_id, account_id, state, position, is_returning,
                                 code, by_account, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (section_id, person_id) DO UPDATE SET state = excluded.state,
             position = excluded.position, account_id = excluded.account_id,
             is_returning = excluded.is_returning, by_account = excluded.by_account,
             updated_at = excluded.updated_at, cancelled_at = NULL, promoted_at = NULL
         RETURNING id")
        .bind(e.section).bind(e.term).bind(e.person).bind(e.account).bind(e.state.as_str())
        .bind(e.position).bind(e.returning).bind(e.code).bind(e.by).bind(at)
        .fetch_one(c).await)
}

/// Cancels an enrolment still in the state `from` (read under the section's lock).
pub async fn cancel(
    tx: &mut Tx,
    id: EnrolmentId,
    from: EnrolmentState,
) -> Result<bool, sqlx::Error> {
    let at = now();
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE enrolments SET state = 'cancelled', cancelled_at = $2, updated_at = $2
         WHERE id = $1 AND state = $3 AND state <> 'cancelled'")
        .bind(id).bind(at).bind(from.as_str()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Gives the first `n` waiting their places, in the order they came.
pub async fn promote(
    tx: &mut Tx,
    section: SectionId,
    n: i64,
) -> Result<Vec<(EnrolmentId, Option<AccountId>)>, sqlx::Error> {
    let next: Vec<(EnrolmentId, Option<AccountId>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, account_id FROM enrolments WHERE section_id = $1 AND state = 'waiting'
         ORDER BY position LIMIT $2")
        .bind(section).bind(n).fetch_all(c).await)?;
    let at = now();
    for (id, _) in &next {
        on_tx!(tx, c => sqlx::query(
            "UPDATE enrolments SET state = 'enrolled', promoted_at = $2, updated_at = $2 WHERE id = $1")
            .bind(*id).bind(at).execute(c).await.map(|_| ()))?;
    }
    Ok(next)
}

pub async fn roster(
    tx: &mut Tx,
    section: SectionId,
    limit: i64,
) -> Result<Vec<EnrolmentRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, EnrolmentRow>(concat!(
        enrolment_select!("e.section_id = $1 AND e.state <> 'cancelled'"),
        " ORDER BY CASE e.state WHEN 'enrolled' THEN 0 ELSE 1 END, e.position LIMIT $2"))
        .bind(section).bind(limit).fetch_all(c).await)
}

/// One line of a person's timetable.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct TimetableRow {
    pub enrolment_id: EnrolmentId,
    pub section_id: SectionId,
    pub term_name: String,
    pub subject: String,
    pub label: String,
    pub teacher: String,
    pub weekday: i64,
    pub starts_time: String,
    pub ends_time: String,
    pub place: Option<String>,
    pub online_url: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: EnrolmentState,
}

/// A person's courses in terms not yet over (by `today`), by weekday and hour.
pub async fn timetable(
    tx: &mut Tx,
    person: PersonId,
    today: NaiveDate,
) -> Result<Vec<TimetableRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, TimetableRow>(
        "SELECT e.id AS enrolment_id, s.id AS section_id, t.name AS term_name, c.subject, s.label,
                s.teacher, s.weekday, s.starts_time, s.ends_time, s.place, s.online_url, e.state
         FROM enrolments e JOIN course_sections s ON s.id = e.section_id
         JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id
         WHERE e.person_id = $1 AND e.state <> 'cancelled' AND t.ends_on >= $2
         ORDER BY s.weekday, s.starts_time")
        .bind(person).bind(today.to_string()).fetch_all(c).await)
}

/// A class session with its section.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct SessionRow {
    pub id: ClassSessionId,
    pub section_id: SectionId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub attended: i64,
}

pub async fn sessions(tx: &mut Tx, section: SectionId) -> Result<Vec<SessionRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, SessionRow>(
        "SELECT id, section_id, starts_at, ends_at, attended FROM class_sessions
         WHERE section_id = $1 ORDER BY starts_at")
        .bind(section).fetch_all(c).await)
}

pub async fn session(tx: &mut Tx, id: ClassSessionId) -> Result<Option<SessionRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, SessionRow>(
        "SELECT id, section_id, starts_at, ends_at, attended FROM class_sessions WHERE id = $1")
        .bind(id).fetch_optional(c).await)
}

/// The enrolment of a section holding a code.
pub async fn by_code(
    tx: &mut Tx,
    section: SectionId,
    code: &str,
) -> Result<Option<EnrolmentRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, EnrolmentRow>(enrolment_select!("e.section_id = $1 AND e.code = $2"))
        .bind(section).bind(code).fetch_optional(c).await)
}

/// Records attendance at a session once; false when it was already recorded.
pub async fn attend(
    tx: &mut Tx,
    session: ClassSessionId,
    enrolment: EnrolmentId,
    by: AccountId,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "INSERT INTO session_attendance (session_id, enrolment_id, checked_in_at, checked_in_by)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(session).bind(enrolment).bind(now()).bind(by)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 1 {
        on_tx!(tx, c => sqlx::query(
            "UPDATE class_sessions SET attended = (SELECT COUNT(*) FROM session_attendance WHERE session_id = $1)
             WHERE id = $1")
            .bind(session).execute(c).await.map(|_| ()))?;
    }
    Ok(n == 1)
}

/// A course's enrolment and attendance figures in a term, for the export.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FigureRow {
    pub subject: String,
    pub label: String,
    pub teacher: String,
    pub capacity: Option<i64>,
    pub enrolled: i64,
    pub waiting: i64,
    pub sessions: i64,
    pub held: i64,
    pub attendances: i64,
}

pub async fn figures(
    tx: &mut Tx,
    term: TermId,
    before: DateTime<Utc>,
) -> Result<Vec<FigureRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, FigureRow>(
        "SELECT c.subject, s.label, s.teacher, s.capacity, s.enrolled, s.waiting,
                (SELECT COUNT(*) FROM class_sessions x WHERE x.section_id = s.id) AS sessions,
                (SELECT COUNT(*) FROM class_sessions x WHERE x.section_id = s.id AND x.starts_at < $2) AS held,
                (SELECT CAST(COALESCE(SUM(x.attended), 0) AS BIGINT) FROM class_sessions x WHERE x.section_id = s.id) AS attendances
         FROM course_sections s JOIN courses c ON c.id = s.course_id
         WHERE s.term_id = $1 ORDER BY c.subject, s.label")
        .bind(term).bind(before).fetch_all(c).await)
}

pub async fn add_material(
    tx: &mut Tx,
    section: SectionId,
    file: FileId,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("INSERT INTO course_materials (section_id, file_id) VALUES ($1, $2)")
        .bind(section).bind(file).execute(c).await.map(|_| ()))
}

/// A section's materials: file id, name, kind.
pub async fn materials(
    tx: &mut Tx,
    section: SectionId,
) -> Result<Vec<(FileId, String, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT a.id, a.original_name, a.kind FROM course_materials m JOIN attachments a ON a.id = m.file_id
         WHERE m.section_id = $1 ORDER BY a.id")
        .bind(section).fetch_all(c).await)
}

/// The section a material belongs to.
pub async fn material_section(tx: &mut Tx, file: FileId) -> Result<Option<SectionId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT section_id FROM course_materials WHERE file_id = $1")
        .bind(file).fetch_optional(c).await)
}
