//! SQL for the server's own settings.

use crate::audit::{
    self as audit,
    model::{Actor, Event},
};
use crate::config::Config;
use crate::db::Tx;
use crate::on_tx;

/// Records a configuration change in the audit trail: when the server starts with a
/// configuration that differs from the last one it started with, before and after are kept.
pub async fn record_config(tx: &mut Tx, config: &Config) -> Result<bool, sqlx::Error> {
    let now = config.audit_view();
    let before: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT value FROM settings WHERE key = 'config'")
        .fetch_optional(c).await)?;
    let before: Option<serde_json::Value> = before.and_then(|b| serde_json::from_str(&b).ok());
    if before.as_ref() == Some(&now) {
        return Ok(false);
    }
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('config', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(now.to_string()).execute(c).await.map(|r| r.rows_affected()))?;
    let event = Event::ok("config.change", "config")
        .detail(serde_json::json!({ "before": before, "after": now }));
    audit::record(tx, &Actor::cli("serve"), event).await?;
    Ok(true)
}
