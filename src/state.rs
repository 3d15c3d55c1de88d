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
        Self {
            db,
            config: Arc::new(config),
            metrics,
            node: node.into(),
            crypto: Arc::new(crypto),
        }
    }
}
