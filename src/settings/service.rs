//! Reading and saving the security policy: validated, audited with before and after, and
//! spread to every node.

use super::repo;
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::config::Config;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::policy::Policy;
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

/// Validates and stores a new policy, audited with before and after. The caller puts it in
/// this node's copy once the transaction has committed (other nodes within [`REFRESH`]).
pub async fn save(tx: &mut Tx, config: &Config, v: &Viewer, p: Policy) -> AppResult<Policy> {
    v.scope(Perm::ManageSettings)?;
    p.check().map_err(AppError::Validation)?;
    let before = stored(tx, config).await?;
    repo::save_policy(tx, &p).await?;
    let event =
        Event::ok("config.policy_set", "policy").detail(json!({ "before": before, "after": p }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(p)
}

/// The saved policy, or the configuration's when none was saved.
pub async fn stored(tx: &mut Tx, config: &Config) -> Result<Policy, sqlx::Error> {
    Ok(repo::policy(tx)
        .await?
        .unwrap_or_else(|| Policy::from_config(config)))
}
