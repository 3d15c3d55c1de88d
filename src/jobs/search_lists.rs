//! The daily refresh of the search's recent-match lists, in batches of its own transactions
//! (PostgreSQL blocks document writes while a batch runs, so each stays short).

use crate::db::Db;
use crate::search::lists::{self, Refresh};

/// Lists built per write transaction.
const BATCH: usize = 50;

/// Creates the lists of tokens in at least `lists::MIN_DOCS` documents of their kind,
/// rebuilds lists that removals left short, and trims long ones. Idempotent; safe beside
/// writers (each batch holds document writes back, so no document is written between reading
/// the matches and recording the list; two nodes' refreshes take turns).
pub async fn refresh(db: &Db) -> Result<Refresh, sqlx::Error> {
    let mut out = Refresh::default();
    let kinds = {
        let mut tx = db.read().await?;
        lists::kinds(&mut tx).await?
    };
    for kind in kinds {
        let work = {
            let mut tx = db.read().await?;
            lists::plan(&mut tx, &kind).await?
        };
        let Some(work) = work else {
            out.skipped_kinds += 1;
            continue;
        };
        for batch in work.short.chunks(BATCH) {
            let mut tx = db.write().await?;
            lists::hold_writers(&mut tx).await?;
            let made = lists::make(&mut tx, &kind, batch, true).await?;
            tx.commit().await?;
            out.created += made;
            out.rebuilt += made;
        }
        for batch in work.fresh.chunks(BATCH) {
            let mut tx = db.write().await?;
            lists::hold_writers(&mut tx).await?;
            out.created += lists::make(&mut tx, &kind, batch, false).await?;
            tx.commit().await?;
        }
        if let Some(upto) = work.upto {
            let mut tx = db.write().await?;
            lists::record_scan(&mut tx, &kind, upto).await?;
            tx.commit().await?;
        }
        for batch in work.long.chunks(BATCH) {
            let mut tx = db.write().await?;
            lists::hold_writers(&mut tx).await?;
            out.trimmed += lists::trim_all(&mut tx, &kind, batch).await?;
            tx.commit().await?;
        }
    }
    Ok(out)
}
