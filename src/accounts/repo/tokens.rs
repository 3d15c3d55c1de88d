//! SQL for API tokens.

use super::super::model::AccountId;
use crate::db::{Tx, now};
use crate::ids::TokenId;
use crate::on_tx;
use chrono::{DateTime, Utc};

/// An API token as listed to its owner (never the token itself).
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct TokenRow {
    pub id: TokenId,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

pub async fn tokens_of(tx: &mut Tx, account: AccountId) -> Result<Vec<TokenRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, TokenRow>(
        "SELECT id, name, prefix, created_at, last_used_at FROM api_tokens
         WHERE account_id = $1 AND revoked_at IS NULL ORDER BY id")
        .bind(account.0).fetch_all(c).await)
}

pub async fn insert_token(
    tx: &mut Tx,
    account: AccountId,
    name: &str,
    hash: &str,
    prefix: &str,
) -> Result<TokenId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO api_tokens (account_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(account.0).bind(name).bind(hash).bind(prefix).bind(now()).fetch_one(c).await)
}

/// Revokes one of the owner's tokens; false when no such live token is theirs.
pub async fn revoke_token(
    tx: &mut Tx,
    account: AccountId,
    id: TokenId,
) -> Result<bool, sqlx::Error> {
    let r = on_tx!(tx, c => sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL")
        .bind(now()).bind(id.0).bind(account.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(r == 1)
}

/// Whether a live token with this id belongs to an account other than `account`.
pub async fn live_token_of_other(
    tx: &mut Tx,
    account: AccountId,
    id: TokenId,
) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_tokens WHERE id = $1 AND account_id <> $2 AND revoked_at IS NULL")
        .bind(id.0).bind(account.0).fetch_one(c).await)?;
    Ok(n > 0)
}
