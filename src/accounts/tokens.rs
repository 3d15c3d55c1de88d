//! API tokens: made by their owner, shown once, kept as a hash.

use super::repo::{self, TokenRow};
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::crypto::random_token;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::TokenId;
use crate::web::auth::Viewer;
use crate::web::token_hash;
use serde_json::json;

/// A new API token: shown once, then only its hash is kept.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NewToken {
    pub id: TokenId,
    pub name: String,
    pub token: String,
}

pub async fn create_token(tx: &mut Tx, v: &Viewer, name: &str) -> AppResult<NewToken> {
    v.scope(Perm::UseTokens)?;
    if v.p.via_token {
        // A token cannot mint more tokens: a stolen one must not multiply.
        return Err(AppError::Forbidden);
    }
    let name = name.trim();
    if !(1..=60).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        return Err(AppError::field("name", "validation.token_name"));
    }
    let token = format!("yy_{}", random_token(20));
    let prefix: String = token.chars().take(7).collect();
    let id = repo::insert_token(tx, v.p.id, name, &token_hash(&token), &prefix).await?;
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("token.create", format!("token:{id}"))
            .detail(json!({ "after": { "name": name, "prefix": prefix } })),
    )
    .await?;
    Ok(NewToken {
        id,
        name: name.to_string(),
        token,
    })
}

pub async fn tokens(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<TokenRow>> {
    v.scope(Perm::UseTokens)?;
    Ok(repo::tokens_of(tx, v.p.id).await?)
}

pub async fn revoke_token(tx: &mut Tx, v: &Viewer, id: TokenId) -> AppResult<()> {
    v.scope(Perm::UseTokens)?;
    if !repo::revoke_token(tx, v.p.id, id).await? {
        // Another account's token is a refusal (audited); a missing or revoked one is not found.
        return Err(if repo::live_token_of_other(tx, v.p.id, id).await? {
            AppError::OutOfScope
        } else {
            AppError::NotFound
        });
    }
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("token.revoke", format!("token:{id}")),
    )
    .await?;
    Ok(())
}
