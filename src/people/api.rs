//! Person JSON API under `/api/v1/people` (visits, care plans and the file with its care
//! plan are care's: `care::visits::api`, `care::file::api`).

use super::model::{PersonId, Sensitive};
use super::repo::PersonRow;
use super::service::{self, NewPerson, PersonInput, PersonQuery, SearchInput};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::PageParams;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

/// People in scope, 50 a page; minors only for youth-care staff.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(SearchInput),
    responses((status = 200, body = Vec<PersonRow>), (status = 403), (status = 422)))]
pub async fn list_people(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<SearchInput>,
) -> AppResult<Json<Vec<PersonRow>>> {
    let paging = PageParams { page: q.page };
    let query = PersonQuery::parse(&q)?;
    let mut tx = state.db.read().await?;
    let found = service::search(
        &mut tx,
        &state.crypto,
        &v,
        &query,
        PageParams::SIZE,
        paging.offset(),
    )
    .await?;
    Ok(Json(found))
}

use crate::web::Created;

/// Creates a person file; sensitive fields are encrypted before they are stored.
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = PersonInput,
    responses((status = 201, body = Created), (status = 422, description = "validation errors with field names")))]
pub async fn create_person(
    State(state): State<AppState>,
    v: Viewer,
    Json(input): Json<PersonInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let person = NewPerson::parse(&input)?;
    let mut tx = state.db.write().await?;
    let id = service::create(&mut tx, &state.crypto, &v, &person).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

/// Replaces a person file; sensitive fields left empty keep their stored values.
#[utoipa::path(put, path = "/api/v1/people/{id}", tag = "people", params(("id" = i64, Path)), request_body = PersonInput,
    responses((status = 204), (status = 404), (status = 422)))]
pub async fn update_person(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    Json(input): Json<PersonInput>,
) -> AppResult<StatusCode> {
    let person = NewPerson::parse(&input)?;
    let mut tx = state.db.write().await?;
    service::update(&mut tx, &state.crypto, &v, id, &person).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Revealed {
    pub field: String,
    pub value: Option<String>,
}

/// Reveals one sensitive field (id_number, mobile, address, health, emergency); audited.
#[utoipa::path(post, path = "/api/v1/people/{id}/reveal/{field}", tag = "people",
    params(("id" = i64, Path), ("field" = String, Path)),
    responses((status = 200, body = Revealed), (status = 404)))]
pub async fn reveal_field(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, field)): Path<(PersonId, String)>,
) -> AppResult<Json<Revealed>> {
    let f = Sensitive::parse(&field).ok_or(AppError::NotFound)?;
    let mut tx = state.db.write().await?;
    let value = service::reveal(&mut tx, &state.crypto, &v, id, f).await?;
    tx.commit().await?;
    Ok(Json(Revealed { field, value }))
}
