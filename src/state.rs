//! Shared application state handed to every handler.

use crate::config::Config;
use crate::crypto::FieldCrypto;
use crate::db::Db;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub metrics: Option<PrometheusHandle>,
    /// This node's name, for heartbeats and job claims.
    pub node: Arc<str>,
    /// Encryption and blind indexes for sensitive person fields.
    pub crypto: Arc<FieldCrypto>,
    /// The security policy in force (system settings), this node's copy.
    pub policy_cache: Arc<crate::policy::PolicyCache>,
}

impl AppState {
    pub fn new(
        db: Db,
        config: Config,
        metrics: Option<PrometheusHandle>,
        crypto: FieldCrypto,
    ) -> Self {
        let node = format!(
            "{}-{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "node".into()),
            std::process::id()
        );
        let policy = crate::policy::Policy::from_config(&config);
        Self {
            db,
            policy_cache: Arc::new(crate::policy::PolicyCache::new(policy)),
            config: Arc::new(config),
            metrics,
            node: node.into(),
            crypto: Arc::new(crypto),
        }
    }

    /// The security policy in force: what the system admin saved, else the configuration's.
    pub fn policy(&self) -> Arc<crate::policy::Policy> {
        self.policy_cache.get()
    }
}
