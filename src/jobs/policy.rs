//! Every node's copy of the security policy, kept in step with what any node saved.

use crate::settings::service::{REFRESH, stored};
use crate::state::AppState;

/// Loads the saved policy into this node's copy (at start and every [`REFRESH`]).
pub async fn reload(state: &AppState) -> Result<(), sqlx::Error> {
    let mut tx = state.db.read().await?;
    let p = stored(&mut tx, &state.config).await?;
    drop(tx);
    state.policy_cache.set(p);
    Ok(())
}

/// Reloads the policy every [`REFRESH`], for ever.
pub async fn refresh_loop(state: AppState) {
    let mut tick = tokio::time::interval(REFRESH);
    loop {
        tick.tick().await;
        if let Err(e) = reload(&state).await {
            tracing::warn!(error = %e, "could not reload the security policy");
        }
    }
}
