//! Search JSON API: published articles for anyone, drafts in scope for staff.

use super::model::{Search, SearchQuery};
use super::service::*;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Query, State};

/// Published articles matching `q`, best first, with marked snippets.
#[utoipa::path(get, path = "/api/v1/public/search", tag = "news", params(SearchQuery),
    responses((status = 200, body = Vec<Hit>), (status = 422)))]
pub async fn api_public(
    State(state): State<AppState>,
    Query(q): Query<SearchQuery>,
) -> AppResult<Json<Vec<Hit>>> {
    let q = Search::parse(&q)?;
    let mut tx = state.db.read().await?;
    Ok(Json(public(&mut tx, &q).await?.hits))
}

/// Articles the caller may see as staff matching `q` (drafts in scope included).
#[utoipa::path(get, path = "/api/v1/articles/search", tag = "news", params(SearchQuery),
    responses((status = 200, body = Vec<Hit>), (status = 403), (status = 422)))]
pub async fn api_staff(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<SearchQuery>,
) -> AppResult<Json<Vec<Hit>>> {
    let q = Search::parse(&q)?;
    let mut tx = state.db.read().await?;
    Ok(Json(staff(&mut tx, &v, &q).await?.1))
}
