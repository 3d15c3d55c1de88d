//! Account, role-grant and token JSON API under `/api/v1`.

use super::model::AccountId;
use super::repo::{self, AccountRow, GrantRow, TokenRow};
use super::service::{self, CreatedAccount, NewAccountInput, NewGrant, NewToken};
use crate::access::Perm;
use crate::error::AppResult;
use crate::ids::{GrantId, TokenId, UnitId};
use crate::state::AppState;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Part of a user name or real name.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Who the caller is, with roles.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub platform_role: Option<String>,
    pub roles: Vec<MeRole>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MeRole {
    pub role: String,
    pub unit_id: UnitId,
    pub unit_name: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", responses((status = 200, body = Me), (status = 401)))]
pub async fn me(v: Viewer) -> Json<Me> {
    Json(Me {
        id: v.p.id.0,
        username: v.p.username.clone(),
        display_name: v.p.display_name.clone(),
        platform_role: v.p.platform_role.map(|r| r.as_str().to_string()),
        roles: v
            .p
            .grants
            .iter()
            .map(|g| MeRole {
                role: g.role.clone(),
                unit_id: g.unit_id,
                unit_name: g.unit_name.clone(),
            })
            .collect(),
    })
}

/// Accounts in the caller's scope.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(ListParams),
    responses((status = 200, body = Vec<AccountRow>), (status = 403)))]
pub async fn list_accounts(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListParams>,
) -> AppResult<Json<Vec<AccountRow>>> {
    let scope = v.scope(Perm::ViewAccounts)?;
    let mut tx = state.db.read().await?;
    let q_text = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    Ok(Json(
        repo::list(
            &mut tx,
            &scope,
            q_text,
            q.limit.unwrap_or(100).clamp(1, 1000),
            q.offset.unwrap_or(0).max(0),
        )
        .await?,
    ))
}

/// Creates an account at a unit in scope; returns its one-time password once.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = NewAccountInput,
    responses((status = 201, body = CreatedAccount), (status = 409), (status = 422)))]
pub async fn create_account(
    State(state): State<AppState>,
    v: Viewer,
    Json(input): Json<NewAccountInput>,
) -> AppResult<(StatusCode, Json<CreatedAccount>)> {
    let new = service::prepare(&state.crypto, &v, &input)?;
    let mut tx = state.db.write().await?;
    let created = service::create(&mut tx, &v, new).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = AccountRow), (status = 404)))]
pub async fn show_account(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<AccountId>,
) -> AppResult<Json<AccountRow>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::get(&mut tx, &v, id).await?))
}

/// Roles held by an account, at units in the caller's scope.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/grants", tag = "grants", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<GrantRow>), (status = 404)))]
pub async fn list_grants(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<AccountId>,
) -> AppResult<Json<Vec<GrantRow>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::grants_of(&mut tx, &v, id).await?))
}

/// Grants a unit role; it covers the unit's subtree.
#[utoipa::path(post, path = "/api/v1/grants", tag = "grants", request_body = NewGrant,
    responses((status = 201, body = GrantRow), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn create_grant(
    State(state): State<AppState>,
    v: Viewer,
    Json(g): Json<NewGrant>,
) -> AppResult<(StatusCode, Json<GrantRow>)> {
    let g = g.parse()?;
    let mut tx = state.db.write().await?;
    let row = service::grant(&mut tx, &v, g).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(row)))
}

#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "grants", params(("id" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn revoke_grant(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<GrantId>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::revoke(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's live API tokens (never the secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", responses((status = 200, body = Vec<TokenRow>)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    v: Viewer,
) -> AppResult<Json<Vec<TokenRow>>> {
    let mut tx = state.db.read().await?;
    Ok(Json(service::tokens(&mut tx, &v).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct TokenInput {
    pub name: String,
}

/// Creates a token with the caller's rights; the secret is in this response only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = TokenInput,
    responses((status = 201, body = NewToken), (status = 422)))]
pub async fn create_token(
    State(state): State<AppState>,
    v: Viewer,
    Json(t): Json<TokenInput>,
) -> AppResult<(StatusCode, Json<NewToken>)> {
    let mut tx = state.db.write().await?;
    let token = service::create_token(&mut tx, &v, &t.name).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(token)))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<TokenId>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.write().await?;
    service::revoke_token(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
