//! Events (活动、讲座、报告会、云会议、云课堂): an organising unit's events for its subtree or
//! chosen units below it; registration by a member or by staff for a person on file, with a
//! waiting list whose promotions happen in the cancelling transaction; approval; check-in by
//! QR code; attendance on the person file; reminders; public pages and iCalendar feeds.

pub mod api;
pub mod bulk;
mod calendar;
pub mod desk;
pub mod model;
pub mod pages;
pub mod public;
mod repo;
pub mod service;
pub mod videos;

pub use model::{EventId, RegistrationId};
pub use repo::{EventRow, MyRegistration, RegistrationRow};

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events", get(pages::list_events).post(pages::create_event))
        .route("/events/new", get(pages::new_event))
        .route(
            "/events/{id}",
            get(pages::show_event).post(pages::update_event),
        )
        .route("/events/{id}/edit", get(pages::edit_event))
        .route("/events/{id}/cancel", post(pages::cancel_event))
        .route("/events/{id}/register", post(pages::register))
        .route("/events/{id}/register-for", post(pages::register_for))
        .route("/events/{id}/people", get(desk::event_people))
        .route(
            "/events/{id}/checkin",
            get(desk::checkin_page).post(desk::check_in),
        )
        .route(
            "/events/registrations/{id}/cancel",
            post(pages::cancel_registration),
        )
        .route("/events/registrations/{id}/decision", post(desk::decide))
        .route("/events/registrations/{id}/ticket", get(desk::ticket))
        .route("/events/units/{id}/events.ics", get(public::unit_feed))
        .route("/events/calendar/{token}/events.ics", get(public::own_feed))
        .route("/read/events", get(public::public_events))
        .route("/read/events/{id}", get(public::public_event))
        .route(
            "/videos",
            get(videos::pages::library)
                .post(videos::pages::create_video)
                .layer(DefaultBodyLimit::max(crate::files::MAX_UPLOAD + (1 << 20))),
        )
        .route("/videos/new", get(videos::pages::new_video))
        .route("/videos/{id}", get(videos::pages::watch))
        .route("/videos/{id}/file", get(videos::pages::video_file))
        .route("/read/videos", get(videos::pages::public_videos))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::browse_events, api::organise_event))
        .routes(routes!(api::show_event, api::change_event))
        .routes(routes!(api::call_off_event))
        .routes(routes!(api::register_event, api::event_registrations))
        .routes(routes!(api::withdraw_registration))
        .routes(routes!(api::decide_registration))
        .routes(routes!(api::check_in))
        .routes(routes!(api::my_events))
        .routes(routes!(videos::api::list_videos, videos::api::add_video))
        .routes(routes!(videos::api::show_video))
}
