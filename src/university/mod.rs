//! The seniors' university (老年大学): terms with an enrolment window, a priority window for
//! returning students and a limit of courses per person; courses in sections with a weekly
//! time; enrolment by members or by staff for people on file, with waiting lists promoted as
//! for events; timetables; class sessions from the weekly time with attendance by QR code;
//! materials; the term's figures as XLSX.

pub mod api;
pub mod bulk;
pub mod desk;
pub mod enrol;
pub mod model;
pub mod pages;
mod repo;
pub mod service;

pub use repo::{EnrolmentRow, SectionRow, SessionRow, TermRow, TimetableRow};

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/university", get(pages::terms))
        .route("/university/terms", post(pages::create_term))
        .route("/university/terms/{id}", get(pages::term))
        .route("/university/terms/{id}/courses", post(pages::add_course))
        .route(
            "/university/terms/{id}/figures.xlsx",
            get(desk::figures_xlsx),
        )
        .route(
            "/university/courses/{id}/sections",
            post(pages::add_section),
        )
        .route("/university/sections/{id}", get(pages::section))
        .route("/university/sections/{id}/enrol", post(pages::enrol_self))
        .route(
            "/university/sections/{id}/enrol-for",
            post(pages::enrol_for),
        )
        .route(
            "/university/sections/{id}/materials",
            post(pages::add_material)
                .layer(DefaultBodyLimit::max(crate::files::MAX_UPLOAD + (1 << 20))),
        )
        .route("/university/materials/{id}", get(pages::material))
        .route("/university/enrolments/{id}/cancel", post(pages::cancel))
        .route(
            "/university/sessions/{id}/checkin",
            get(desk::checkin_page).post(desk::check_in),
        )
        .route("/university/timetable", get(pages::timetable))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list_terms, api::open_term))
        .routes(routes!(api::show_term))
        .routes(routes!(api::add_course))
        .routes(routes!(api::enrol))
        .routes(routes!(api::unenrol))
        .routes(routes!(api::my_timetable))
        .routes(routes!(api::attend))
        .routes(routes!(api::open_section))
        .routes(routes!(api::show_section))
}
