//! Reading the audit trail: parsing search filters, and recording that it was read.

use crate::access::Perm;
use crate::audit::model::{Entry, Event};
use crate::audit::{self as repo, Filter};
use crate::crypto::FieldCrypto;
use crate::db::Tx;
use crate::error::{AppResult, FieldError};
use crate::web::auth::Viewer;
use crate::web::form::Fields;
use chrono::{TimeZone, Utc};

/// Search filters as they arrive from a form or query string.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct FilterInput {
    /// The actor's user name or account id.
    pub actor: Option<String>,
    /// Start of an action name, e.g. `login` or `role.grant`.
    pub action: Option<String>,
    /// A unit id: entries about it or any unit below it.
    pub unit: Option<String>,
    /// First day, `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC), inclusive.
    pub to: Option<String>,
    pub page: Option<i64>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl FilterInput {
    pub fn parse(&self) -> AppResult<Filter> {
        let mut f = Fields::new();
        let mut day = |s: &Option<String>, field: &'static str| {
            f.optional_date(field, s.as_deref()).flatten().filter(|d| {
                let ok = (1900..=2200).contains(&chrono::Datelike::year(d));
                if !ok {
                    f.add(FieldError::new(field, "validation.date"));
                }
                ok
            })
        };
        let from = day(&self.from, "from")
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| Utc.from_utc_datetime(&d));
        let to = day(&self.to, "to")
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| Utc.from_utc_datetime(&d));
        let unit_id = match non_empty(&self.unit) {
            Some(u) => f.take(
                u.parse::<i64>()
                    .map(Some)
                    .map_err(|_| FieldError::new("unit", "validation.number")),
            ),
            None => Some(None),
        };
        let unit_id = f.done(unit_id)?;
        Ok(Filter {
            actor: non_empty(&self.actor),
            action: non_empty(&self.action),
            unit_id,
            from,
            to,
            before_id: None,
        })
    }
}

/// One page of the trail for the audit admin; each search is itself recorded.
pub async fn search(
    tx: &mut Tx,
    v: &Viewer,
    input: &FilterInput,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Entry>, i64)> {
    v.scope(Perm::ReadAudit)?;
    let f = input.parse()?;
    let rows = repo::search(tx, &f, limit, offset).await?;
    let total = repo::count(tx, &f).await?;
    repo::record(
        tx,
        &v.ctx.actor(),
        Event::ok("audit.search", "audit_log").detail(filter_json(&f)),
    )
    .await?;
    Ok((rows, total))
}

/// Every matching entry as CSV, for the audit admin; the export is recorded.
pub async fn export_csv(tx: &mut Tx, v: &Viewer, input: &FilterInput) -> AppResult<Vec<u8>> {
    v.scope(Perm::ReadAudit)?;
    let f = input.parse()?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "at",
        "actor_id",
        "actor",
        "ip",
        "user_agent",
        "action",
        "outcome",
        "unit_id",
        "target",
        "detail",
        "hash",
    ])
    .map_err(anyhow::Error::from)?;
    // Keyset paging: new entries appended during the export cannot shift the pages.
    let mut page = f.clone();
    loop {
        let rows = repo::search(tx, &page, 5000, 0).await?;
        for e in &rows {
            w.write_record([
                e.id.to_string(),
                e.at.to_rfc3339(),
                e.actor_id.map(|v| v.to_string()).unwrap_or_default(),
                cell(&e.actor_name),
                cell(&e.ip),
                cell(&e.user_agent),
                cell(&e.action),
                e.outcome.clone(),
                e.unit_id.map(|v| v.to_string()).unwrap_or_default(),
                cell(&e.target),
                cell(&e.detail),
                e.hash.clone(),
            ])
            .map_err(anyhow::Error::from)?;
        }
        match rows.last() {
            Some(last) if rows.len() == 5000 => page.before_id = Some(last.id),
            _ => break,
        }
    }
    repo::record(
        tx,
        &v.ctx.actor(),
        Event::ok("audit.export", "audit_log").detail(filter_json(&f)),
    )
    .await?;
    // A byte-order mark lets spreadsheet programs on Windows read the Chinese text as UTF-8.
    let mut out = vec![0xEF, 0xBB, 0xBF];
    out.extend(w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?);
    Ok(out)
}

/// Cells that a spreadsheet would run as a formula get a leading apostrophe.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn filter_json(f: &Filter) -> serde_json::Value {
    serde_json::json!({
        "actor": f.actor, "action": f.action, "unit_id": f.unit_id,
        "from": f.from.map(|d| d.to_rfc3339()), "to": f.to.map(|d| d.to_rfc3339()),
    })
}

/// A signed checkpoint of the chain's head for the audit admin to keep outside the database;
/// the handing-out is itself audited.
pub async fn checkpoint(
    tx: &mut Tx,
    crypto: &FieldCrypto,
    v: &Viewer,
) -> AppResult<(crate::audit::chain::Checkpoint, String)> {
    v.scope(Perm::ReadAudit)?;
    let cp = repo::checkpoint(tx).await?;
    let line = cp.to_line(crypto);
    repo::record(
        tx,
        &v.ctx.actor(),
        Event::ok("audit.checkpoint", format!("audit_log:{}", cp.last_id)),
    )
    .await?;
    Ok((cp, line))
}
