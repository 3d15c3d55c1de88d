//! Reading and saving the security policy: validated, audited with before and after, and
//! spread to every node.

use super::model::Policy;
use super::repo;
use crate::access::Perm;
use crate::audit::{model::Event, repo as audit};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::auth::Viewer;
use serde_json::json;
use std::time::Duration;

/// How often every node reloads the policy from the database.
pub const REFRESH: Duration = Duration::from_secs(10);

/// The policy in force, for the system admin.
pub fn current(state: &AppState, v: &Viewer) -> AppResult<Policy> {
    v.scope(Perm::ManageSettings)?;
    Ok((*state.policy()).clone())
}

pub async fn save(state: &AppState, v: &Viewer, p: Policy) -> AppResult<Policy> {
    v.scope(Perm::ManageSettings)?;
    p.check().map_err(AppError::Validation)?;
    let mut tx = state.db.write().await?;
    let before = repo::policy(&mut tx)
        .await?
        .unwrap_or_else(|| Policy::from_config(&state.config));
    repo::save_policy(&mut tx, &p).await?;
    let event =
        Event::ok("config.policy_set", "policy").detail(json!({ "before": before, "after": p }));
    audit::record(&mut tx, &v.ctx.actor(), event).await?;
    tx.commit().await?;
    state.policy_cache.set(p.clone());
    Ok(p)
}

/// Loads the saved policy into this node's copy (at start and every [`REFRESH`]).
pub async fn reload(state: &AppState) -> Result<(), sqlx::Error> {
    let mut tx = state.db.read().await?;
    let p = repo::policy(&mut tx)
        .await?
        .unwrap_or_else(|| Policy::from_config(&state.config));
    drop(tx);
    state.policy_cache.set(p);
    Ok(())
}

/// Keeps this node's copy in step with what any node saved.
pub async fn refresh_loop(state: AppState) {
    let mut tick = tokio::time::interval(REFRESH);
    loop {
        tick.tick().await;
        if let Err(e) = reload(&state).await {
            tracing::warn!(error = %e, "could not reload the security policy");
        }
    }
}
