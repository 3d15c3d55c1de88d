//! Yinyao (银耀): one server for the digital work of organisations with retired cadres,
//! party members and young people in need. `app` builds the whole router.

rust_i18n::i18n!("locales", fallback = "zh-CN");

pub mod access;
pub mod accounts;
pub mod audit;
pub mod campaigns;
pub mod care;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod error;
pub mod events;
pub mod files;
pub mod home;
pub mod i18n;
pub mod ids;
pub mod images;
pub mod jobs;
pub mod news;
pub mod notify;
pub mod ops;
pub mod outbox;
pub mod par;
pub mod people;
pub mod policy;
pub mod search;
pub mod settings;
pub mod state;
pub mod trail;
pub mod units;
pub mod university;
pub mod web;

use crate::error::AppError;
use crate::state::AppState;
use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Yinyao API", description = "JSON API of Yinyao. Authenticate with `Authorization: Bearer <token>`; tokens are created on the Tokens page or at /api/v1/tokens."),
    tags((name = "units"), (name = "accounts"), (name = "grants"), (name = "tokens"), (name = "audit"), (name = "people"), (name = "care"), (name = "settings"), (name = "news"), (name = "campaigns"), (name = "notifications"), (name = "events"))
)]
struct ApiDoc;

/// The OpenAPI router of every module's JSON API.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(units::api())
        .merge(accounts::api())
        .merge(trail::api())
        .merge(people::api())
        .merge(care::api())
        .merge(settings::api())
        .merge(news::api())
        .merge(campaigns::api())
        .merge(notify::api())
        .merge(events::api())
        .merge(university::api())
}

/// The OpenAPI document, generated from the handlers' annotations.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api().split_for_parts().1;
    web::apidoc::finish(&mut doc);
    doc
}

/// Brings a database up to this build: applies the migrations, then rebuilds the derived
/// search indexes whose scheme changed since they were written.
pub async fn prepare_database(db: &db::Db) -> anyhow::Result<()> {
    db.migrate().await?;
    let mut tx = db.write().await?;
    let rebuilt = people::service::ensure_name_index(&mut tx).await?;
    tx.commit().await?;
    if let Some(n) = rebuilt
        && n > 0
    {
        tracing::info!(files = n, "person name index rebuilt");
    }
    // In batches, each its own transaction: a start-up after a dictionary change may
    // re-index every article.
    let mut n = 0;
    loop {
        let mut tx = db.write().await?;
        let done = news::service::reindex_stale_batch(&mut tx, 500).await?;
        tx.commit().await?;
        if done == 0 {
            break;
        }
        n += done;
    }
    if n > 0 {
        tracing::info!(articles = n, "article search index rebuilt");
    }
    Ok(())
}

/// Builds the whole application.
pub fn app(state: AppState) -> Router {
    let (api_router, mut doc) = api().split_for_parts();
    web::apidoc::finish(&mut doc);
    Router::new()
        .merge(home::routes())
        .merge(units::routes())
        .merge(accounts::routes())
        .merge(trail::routes())
        .merge(people::routes())
        .merge(care::routes())
        .merge(settings::routes())
        .merge(news::routes())
        .merge(campaigns::routes())
        .merge(notify::routes())
        .merge(events::routes())
        .merge(university::routes())
        .merge(api_router)
        .merge(ops::routes(Arc::new(doc)))
        .fallback(|| async { AppError::NotFound })
        .route_layer(from_fn(web::headers::track_metrics))
        .layer(from_fn(web::csrf::protect))
        .layer(from_fn_with_state(
            state.clone(),
            web::render::render_errors,
        ))
        .layer(from_fn_with_state(state.clone(), web::session::resolve))
        .route("/static/{*path}", axum::routing::get(web::assets::serve))
        .layer(from_fn(web::headers::security_headers))
        // The ceiling for any body: a video attachment (files::MAX_UPLOAD), which
        // is streamed to disk. Each route's extractor holds its own smaller limit: uploads
        // set theirs (rosters 33 MB, attachments by kind), JSON and form bodies keep axum's
        // 2 MB default. (At 34 MB here, audio over 34 MB and every video were refused.)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            files::MAX_UPLOAD + (1 << 20),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
