//! Precision care (一人一策, 五必访): must-visit rules per unit, visit tasks made from them by
//! a scheduled job, "my tasks", overdue tasks and the coverage figure, life events and
//! hardship aid; contact rounds (`rounds`, 排查); visits and care plans (`visits`), the
//! plan's service items (`items`), and the
//! person file page that shows a file from `people` with its care (`file`).

pub mod api;
pub(crate) mod bulk;
pub mod events;
pub mod file;
pub mod items;
pub mod model;
pub mod pages;
mod repo;
pub mod rounds;
pub mod rules;
pub mod rules_form;
pub mod service;
pub mod visits;

pub use events::{Aid, LifeEvent};
pub use repo::Task;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(pages::my_tasks))
        .route(
            "/rounds",
            get(rounds::pages::rounds).post(rounds::pages::start_round),
        )
        .route("/rounds/check", post(rounds::pages::check_round))
        .route("/rounds/{id}", get(rounds::pages::show_round))
        .route("/rounds/{id}/add", post(rounds::pages::add_new))
        .route("/rounds/{id}/close", post(rounds::pages::close_round))
        .route("/rounds/{id}/print", get(rounds::pages::print_round))
        .route("/rounds/{id}/ledger.xlsx", get(rounds::pages::ledger_xlsx))
        .route(
            "/rounds/{id}/people/{person}",
            get(rounds::pages::show_member).post(rounds::pages::record_attempt),
        )
        .route(
            "/tasks/sheet",
            get(pages::task_sheet).post(pages::reveal_sheet),
        )
        .route("/units/{id}/care", get(pages::unit_care))
        .route("/units/{id}/care/rules", post(pages::set_rules))
        .route("/people/{id}/events", post(events::pages::record_event))
        .route("/people/{id}/aid", post(events::pages::record_aid))
        .route(
            "/people/{id}",
            get(file::pages::show_person).post(crate::people::pages::update_person),
        )
        .route(
            "/people/{id}/reveal/{field}",
            post(file::pages::reveal_field),
        )
        .route("/people/{id}/print", get(file::pages::print_person))
        .route("/people/{id}/visit-sheet", get(file::pages::visit_sheet))
        .route("/me/file.json", get(file::pages::download_own))
        .route("/people/{id}/visits", post(visits::pages::record_visit))
        .route("/people/{id}/care-plan", post(visits::pages::set_care_plan))
        .route("/people/{id}/care-items", post(items::pages::add_item))
        .route(
            "/people/{id}/care-items/{item}",
            post(items::pages::change_item),
        )
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::my_tasks))
        .routes(routes!(api::overdue_tasks))
        .routes(routes!(rounds::api::list_rounds, rounds::api::start_round))
        .routes(routes!(rounds::api::show_round))
        .routes(routes!(rounds::api::round_people))
        .routes(routes!(rounds::api::record_attempt))
        .routes(routes!(rounds::api::add_new))
        .routes(routes!(rounds::api::close_round))
        .routes(routes!(api::coverage))
        .routes(routes!(api::get_rules, api::set_rules))
        .routes(routes!(events::api::list_events, events::api::record_event))
        .routes(routes!(events::api::list_aid, events::api::record_aid))
        .routes(routes!(
            file::api::show_person,
            crate::people::api::update_person
        ))
        .routes(routes!(visits::api::list_visits, visits::api::record_visit))
        .routes(routes!(visits::api::set_care_plan))
        .routes(routes!(
            items::api::api_list_items,
            items::api::api_add_item
        ))
        .routes(routes!(items::api::api_update_item))
}
