//! The seniors' university in the JSON API.

use super::model::{
    ClassSessionId, CourseForm, CourseId, EnrolmentId, EnrolmentState, NewCourse, NewSection,
    NewTerm, SectionForm, SectionId, TermForm, TermId,
};
use super::repo::{EnrolmentRow, SectionRow, SessionRow, TermRow, TimetableRow};
use super::{enrol, service};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Created;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The terms the caller sees, newest first.
#[utoipa::path(get, path = "/api/v1/university/terms", tag = "events",
    responses((status = 200, body = Vec<TermRow>)))]
pub async fn list_terms(
    AxState(state): AxState<AppState>,
    v: Viewer,
) -> AppResult<Json<Vec<TermRow>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::terms(&mut tx, &v).await?))
}

/// Opens a term at a unit where the caller organises events.
#[utoipa::path(post, path = "/api/v1/university/terms", tag = "events", request_body = TermForm,
    responses((status = 201, body = Created), (status = 403), (status = 404), (status = 422)))]
pub async fn open_term(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Json(raw): Json<TermForm>,
) -> AppResult<Response> {
    let t = NewTerm::parse(&raw)?;
    let mut tx = state.db.write().await?;
    let id = service::create_term(&mut tx, &v, &t).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

/// A term and its catalogue.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TermDetail {
    pub term: TermRow,
    pub sections: Vec<SectionRow>,
}

#[utoipa::path(get, path = "/api/v1/university/terms/{id}", tag = "events", params(("id" = i64, Path)),
    responses((status = 200, body = TermDetail), (status = 404)))]
pub async fn show_term(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<TermId>,
) -> AppResult<Json<TermDetail>> {
    let mut tx = state.db.read().await?;
    let term = service::term(&mut tx, &v, id).await?;
    let sections = service::catalogue(&mut tx, id).await?;
    Ok(Json(TermDetail { term, sections }))
}

/// Adds a course with its first section (its class sessions generated over the term).
#[utoipa::path(post, path = "/api/v1/university/terms/{id}/courses", tag = "events",
    params(("id" = i64, Path)), request_body = CourseForm,
    responses((status = 201, body = Created), (status = 403), (status = 404), (status = 422)))]
pub async fn add_course(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<TermId>,
    Json(raw): Json<CourseForm>,
) -> AppResult<Response> {
    let c = NewCourse::parse(&raw)?;
    let mut tx = state.db.write().await?;
    let section = service::add_course(&mut tx, &v, id, &c).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: section.0 })).into_response())
}

/// Whom to enrol: nobody named is the caller (their own file).
#[derive(Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EnrolmentRequest {
    pub person_id: Option<i64>,
}

/// Where an enrolment went.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Enrolled {
    pub id: EnrolmentId,
    pub state: EnrolmentState,
}

#[utoipa::path(post, path = "/api/v1/university/sections/{id}/enrolments", tag = "events",
    params(("id" = i64, Path)), request_body = EnrolmentRequest,
    responses((status = 201, body = Enrolled), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn enrol(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<SectionId>,
    Json(raw): Json<EnrolmentRequest>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let (e, st) = match raw.person_id {
        Some(p) => {
            let person = crate::web::form::id("person_id", &p.to_string())
                .map_err(|e| crate::error::AppError::Validation(vec![e]))?;
            enrol::enrol_for(&mut tx, &v, id, person).await?
        }
        None => enrol::enrol_self(&mut tx, &v, id).await?,
    };
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Enrolled { id: e, state: st })).into_response())
}

#[utoipa::path(post, path = "/api/v1/university/enrolments/{id}/cancel", tag = "events",
    params(("id" = i64, Path)), responses((status = 204), (status = 404), (status = 409)))]
pub async fn unenrol(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EnrolmentId>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    enrol::cancel(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's timetable: their courses in terms not yet over.
#[utoipa::path(get, path = "/api/v1/me/timetable", tag = "events",
    responses((status = 200, body = Vec<TimetableRow>)))]
pub async fn my_timetable(
    AxState(state): AxState<AppState>,
    v: Viewer,
) -> AppResult<Json<Vec<TimetableRow>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(enrol::timetable(&mut tx, &v).await?))
}

/// A code read at a class.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ClassCode {
    pub code: String,
}

/// Who attended, and whether this scan recorded it (false: recorded before).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ClassAttendance {
    pub enrolment: EnrolmentRow,
    pub first: bool,
}

#[utoipa::path(post, path = "/api/v1/university/sessions/{id}/checkins", tag = "events",
    params(("id" = i64, Path)), request_body = ClassCode,
    responses((status = 200, body = ClassAttendance), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn attend(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<ClassSessionId>,
    Json(raw): Json<ClassCode>,
) -> AppResult<Json<ClassAttendance>> {
    let mut tx = state.db.write().await?;
    let a = enrol::check_in(&mut tx, &v, id, &raw.code).await?;
    tx.commit().await?;
    Ok(Json(ClassAttendance {
        enrolment: a.enrolment,
        first: a.first,
    }))
}

/// Opens another class of a course (its sessions generated over the term).
#[utoipa::path(post, path = "/api/v1/university/courses/{id}/sections", tag = "events",
    params(("id" = i64, Path)), request_body = SectionForm,
    responses((status = 201, body = Created), (status = 403), (status = 404), (status = 422)))]
pub async fn open_section(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<CourseId>,
    Json(raw): Json<SectionForm>,
) -> AppResult<Response> {
    let s = NewSection::parse(&raw)?;
    let mut tx = state.db.write().await?;
    let section = service::add_section(&mut tx, &v, id, &s).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: section.0 })).into_response())
}

/// A class: its course and time, the caller's enrolment, and for the term's organisers its
/// students and sessions.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SectionDetail {
    pub section: SectionRow,
    pub mine: Option<EnrolmentRow>,
    /// The students, enrolled then waiting (organisers only; empty otherwise).
    pub roster: Vec<EnrolmentRow>,
    /// The class sessions (organisers only; empty otherwise).
    pub sessions: Vec<SessionRow>,
}

#[utoipa::path(get, path = "/api/v1/university/sections/{id}", tag = "events", params(("id" = i64, Path)),
    responses((status = 200, body = SectionDetail), (status = 404)))]
pub async fn show_section(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<SectionId>,
) -> AppResult<Json<SectionDetail>> {
    let mut tx = state.db.read().await?;
    let (t, s) = service::section(&mut tx, &v, id).await?;
    let mine = enrol::my_enrolment(&mut tx, &v, id).await?;
    let (roster, sessions) = if service::manages(&v, &t) {
        (
            enrol::roster(&mut tx, &v, &t, &s).await?,
            service::sessions(&mut tx, id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(Json(SectionDetail {
        section: s,
        mine,
        roster,
        sessions,
    }))
}
