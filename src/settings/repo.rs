//! SQL for the saved security policy (one JSON value in `settings`).

use crate::db::Tx;
use crate::on_tx;
use crate::policy::Policy;

/// The saved policy, if the system admin ever saved one (and it still reads).
pub async fn policy(tx: &mut Tx) -> Result<Option<Policy>, sqlx::Error> {
    let v: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT value FROM settings WHERE key = 'policy'")
        .fetch_optional(c).await)?;
    Ok(v.and_then(|v| serde_json::from_str(&v).ok()))
}

pub async fn save_policy(tx: &mut Tx, p: &Policy) -> Result<(), sqlx::Error> {
    let v = serde_json::to_string(p).unwrap_or_default();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('policy', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(v).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
