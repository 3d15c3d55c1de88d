//! The seniors' university: terms (organised at a unit), courses and their sections with the
//! class sessions their weekly time gives, who sees a term, the catalogue, materials, and the
//! term's figures.

use super::model::{NewCourse, NewSection, NewTerm, SectionId, TermId};
use super::repo::{self, SectionRow, SessionRow, TermRow};
use crate::access::{PEOPLE_KEEPERS, Perm};
use crate::audit::{self as audit, model::Event as AuditEvent};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::{CourseId, FileId};
use crate::units::service as units;
use crate::web::auth::Viewer;
use serde_json::json;

/// Whether the caller runs the university of a term's unit (organises events there).
pub fn manages(v: &Viewer, t: &TermRow) -> bool {
    v.scope(Perm::Events).is_ok_and(|s| s.all)
        || crate::access::reach(&v.p.grants, PEOPLE_KEEPERS)
            .iter()
            .any(|(_, p)| t.unit_path.starts_with(p.as_str()))
}

/// Opens a term at a unit where the caller organises events.
pub async fn create_term(tx: &mut Tx, v: &Viewer, t: &NewTerm) -> AppResult<TermId> {
    units::load(tx, v, Perm::Events, t.unit).await?;
    let id = repo::insert_term(tx, t, v.p.id).await?;
    let event = AuditEvent::ok("term.create", format!("term:{id}"))
        .unit(t.unit)
        .detail(
            json!({ "name": t.name, "starts_on": t.starts_on.to_string(),
                        "ends_on": t.ends_on.to_string(), "course_limit": t.course_limit }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// The terms the caller sees: of the units above their own file, or over or under their
/// roles; newest first.
pub async fn terms(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<TermRow>> {
    let path = crate::events::service::own_path(tx, &v.ctx).await?;
    Ok(repo::terms_for(tx, &path, v.p.id, 50).await?)
}

/// A term the caller sees; out of sight is 404 (audited).
pub async fn term(tx: &mut Tx, v: &Viewer, id: TermId) -> AppResult<TermRow> {
    let t = repo::term(tx, id).await?.ok_or(AppError::NotFound)?;
    let path = crate::events::service::own_path(tx, &v.ctx).await?;
    if repo::term_seen(tx, &path, v.p.id, id).await? {
        Ok(t)
    } else {
        Err(AppError::OutOfScope)
    }
}

/// A term the caller runs.
pub async fn managed_term(tx: &mut Tx, v: &Viewer, id: TermId) -> AppResult<TermRow> {
    let t = term(tx, v, id).await?;
    if !manages(v, &t) {
        return Err(AppError::Forbidden);
    }
    Ok(t)
}

/// A term's catalogue: its sections with their courses.
pub async fn catalogue(tx: &mut Tx, term: TermId) -> AppResult<Vec<SectionRow>> {
    Ok(repo::sections_of_term(tx, term).await?)
}

/// Adds a course with its first section to a term the caller runs; the section's class
/// sessions are generated from its weekly time over the term.
pub async fn add_course(
    tx: &mut Tx,
    v: &Viewer,
    term: TermId,
    c: &NewCourse,
) -> AppResult<SectionId> {
    let t = managed_term(tx, v, term).await?;
    let course = repo::insert_course(tx, term, c).await?;
    let section = section_into(tx, &t, course, &c.section).await?;
    let event = AuditEvent::ok("course.create", format!("course:{course}"))
        .unit(t.unit_id)
        .detail(
            json!({ "term": term.0, "subject": c.subject, "fee_fen": c.fee_fen,
                        "section": section.0 }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(section)
}

/// Adds another section to a course of a term the caller runs.
pub async fn add_section(
    tx: &mut Tx,
    v: &Viewer,
    course: CourseId,
    s: &NewSection,
) -> AppResult<SectionId> {
    let term = repo::course_term(tx, course)
        .await?
        .ok_or(AppError::NotFound)?;
    let t = managed_term(tx, v, term).await?;
    let section = section_into(tx, &t, course, s).await?;
    let event = AuditEvent::ok("course.section", format!("course:{course}"))
        .unit(t.unit_id)
        .detail(json!({ "section": section.0, "teacher": s.teacher, "weekday": s.weekday }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(section)
}

async fn section_into(
    tx: &mut Tx,
    t: &TermRow,
    course: CourseId,
    s: &NewSection,
) -> AppResult<SectionId> {
    let id = repo::insert_section(tx, course, t.id, s).await?;
    let days = (
        chrono::NaiveDate::parse_from_str(&t.starts_on, "%Y-%m-%d").unwrap_or_default(),
        chrono::NaiveDate::parse_from_str(&t.ends_on, "%Y-%m-%d").unwrap_or_default(),
    );
    let times = super::model::sessions(days, s.weekday, (s.starts, s.ends));
    repo::add_sessions(tx, id, &times).await?;
    Ok(id)
}

/// A section of a term the caller sees, with its term.
pub async fn section(tx: &mut Tx, v: &Viewer, id: SectionId) -> AppResult<(TermRow, SectionRow)> {
    let s = repo::section(tx, id).await?.ok_or(AppError::NotFound)?;
    let t = term(tx, v, s.term_id).await?;
    Ok((t, s))
}

/// A section's class sessions.
pub async fn sessions(tx: &mut Tx, section: SectionId) -> AppResult<Vec<SessionRow>> {
    Ok(repo::sessions(tx, section).await?)
}

/// A section's materials (id, name, kind).
pub async fn materials(
    tx: &mut Tx,
    section: SectionId,
) -> AppResult<Vec<(FileId, String, String)>> {
    Ok(repo::materials(tx, section).await?)
}

/// Adds a received file to a section's materials (the term's organisers).
pub async fn add_material(
    tx: &mut Tx,
    v: &Viewer,
    section: SectionId,
    file: crate::files::service::Received,
) -> AppResult<FileId> {
    let (t, _) = self::section(tx, v, section).await?;
    if !manages(v, &t) {
        return Err(AppError::Forbidden);
    }
    let (id, detail) = crate::files::service::record(tx, file, None, None, v.p.id).await?;
    repo::add_material(tx, section, id).await?;
    let event = AuditEvent::ok("course.material", format!("section:{section}"))
        .unit(t.unit_id)
        .detail(detail);
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// The term's enrolment and attendance per course, for the export (its organisers).
/// A section's material's section (the material's access is decided in `enrol`).
pub async fn material_section(tx: &mut Tx, file: FileId) -> AppResult<SectionId> {
    repo::material_section(tx, file)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn figures(
    tx: &mut Tx,
    v: &Viewer,
    term: TermId,
) -> AppResult<(TermRow, Vec<repo::FigureRow>)> {
    let t = managed_term(tx, v, term).await?;
    let rows = repo::figures(tx, term, crate::db::now()).await?;
    Ok((t, rows))
}
