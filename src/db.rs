//! The database: one enum over concrete SQLite and PostgreSQL pools, and a transaction enum.
//!
//! Most SQL is written once and run through [`on_tx!`], which hands the body whichever
//! connection is in hand. Where dialects differ, repo code matches on [`Tx`] and says why.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// A connection pool for one of the two supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction. Dropping it without `commit` rolls it back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs one query body against whichever backend connection `$tx` holds.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// The current time at the precision both backends store (microseconds).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), creating a SQLite file if needed.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // No JIT compilation: PostgreSQL 15 compiles any statement whose estimated cost
            // passes `jit_above_cost`, which for our short statements costs more than it saves
            // (the county editor's search took 145-180 ms with JIT and 18-23 ms without,
            // docs/PERFORMANCE.md). Set per connection, so no server setting is needed.
            let opts = PgConnectOptions::from_str(url)?.options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            if let Some(path) = url
                .strip_prefix("sqlite://")
                .map(|p| p.split('?').next().unwrap_or(p))
                && let Some(dir) = std::path::Path::new(path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)?;
            }
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("secure_delete", "ON")
                // 8 MB of page cache per connection (the default is 2 MB): hot index pages
                // stay in memory, and eight connections stay within the 150 MB memory
                // target. Sorts larger than the cache spill to temporary files rather
                // than grow the process (with 16 MB and in-memory temporary storage the
                // province load benchmark peaked at 360 MB; docs/PERFORMANCE.md).
                .pragma("cache_size", "-8000");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://")
        }
    }

    /// Applies the migrations of this backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read-then-write never fails on a stale snapshot.
    pub async fn write(&self) -> Result<Tx, sqlx::Error> {
        match self {
            Db::Sqlite(p) => Ok(Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?)),
            Db::Postgres(p) => Ok(Tx::Postgres(p.begin().await?)),
        }
    }

    /// Starts a transaction that only reads: one consistent snapshot, no write lock.
    pub async fn read(&self) -> Result<Tx, sqlx::Error> {
        match self {
            Db::Sqlite(p) => Ok(Tx::Sqlite(p.begin().await?)),
            Db::Postgres(p) => Ok(Tx::Postgres(p.begin().await?)),
        }
    }

    /// "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Closes every connection (at shutdown, after in-flight requests finished).
    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

/// Records that `node` is alive; used by `/readyz` to prove writes work.
pub async fn heartbeat(tx: &mut Tx, node: &str) -> Result<(), sqlx::Error> {
    let at = now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO node_heartbeats (node, seen_at) VALUES ($1, $2)
         ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at")
        .bind(node).bind(at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Makes a consistent copy of a live SQLite database into `dest` (`VACUUM INTO`).
pub async fn backup_sqlite(db: &Db, dest: &std::path::Path) -> anyhow::Result<()> {
    let Db::Sqlite(pool) = db else {
        anyhow::bail!(
            "backup copies SQLite databases; use pg_dump for PostgreSQL (docs/OPERATIONS.md)"
        );
    };
    if dest.exists() {
        anyhow::bail!("{} already exists", dest.display());
    }
    let dest = dest
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("backup path must be UTF-8"))?;
    sqlx::query("VACUUM INTO $1")
        .bind(dest)
        .execute(pool)
        .await?;
    Ok(())
}

/// Inserts rows given as a JSON array of arrays (values in `columns` order) with one statement and
/// one bound parameter, optionally with `created_at`/`updated_at` set to `stamp`. Large
/// batches go in one round trip, and SQLite is spared binding thousands of parameters
/// (sqlx looks each one up by name, which grows with the square of their number).
pub async fn insert_json(
    tx: &mut Tx,
    table: &str,
    columns: &[(&str, &str)],
    doc: String,
    stamp: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    insert_json_at(
        tx,
        table,
        columns,
        doc,
        &["created_at", "updated_at"],
        stamp,
    )
    .await
}

/// [`insert_json`] with the time `stamp` written to the named `stamp_columns` (when given).
pub async fn insert_json_at(
    tx: &mut Tx,
    table: &str,
    columns: &[(&str, &str)],
    doc: String,
    stamp_columns: &[&str],
    stamp: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    if doc == "[]" {
        return Ok(());
    }
    let mut names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    if stamp.is_some() {
        names.extend_from_slice(stamp_columns);
    }
    let stamps = if stamp.is_some() {
        stamp_columns.len()
    } else {
        0
    };
    // Only the callers' fixed table and column names and types are formatted in; the data
    // is the one bound JSON document.
    match tx {
        Tx::Sqlite(t) => {
            let values: Vec<String> = (0..columns.len())
                .map(|i| format!("value->>{i}"))
                .chain((0..stamps).map(|_| "$2".to_string()))
                .collect();
            let sql = format!(
                "INSERT INTO {table} ({}) SELECT {} FROM json_each($1)",
                names.join(", "),
                values.join(", ")
            );
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(doc);
            let q = if let Some(t) = stamp { q.bind(t) } else { q };
            q.execute(&mut **t).await?;
        }
        Tx::Postgres(t) => {
            let values: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, (_, ty))| match *ty {
                    "" => format!("v->>{i}"),
                    ty => format!("(v->>{i})::{ty}"),
                })
                .chain((0..stamps).map(|_| "$2".to_string()))
                .collect();
            let sql = format!(
                "INSERT INTO {table} ({}) SELECT {} FROM json_array_elements($1::json) AS v",
                names.join(", "),
                values.join(", ")
            );
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(doc);
            let q = if let Some(t) = stamp { q.bind(t) } else { q };
            q.execute(&mut **t).await?;
        }
    }
    Ok(())
}

/// Refreshes the query planner's statistics (`ANALYZE`), as PostgreSQL's autovacuum would
/// after a bulk load; SQLite has no such background task.
pub async fn analyze(db: &Db) -> Result<(), sqlx::Error> {
    match db {
        Db::Sqlite(p) => sqlx::query("ANALYZE").execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query("ANALYZE").execute(p).await.map(|_| ()),
    }
}

/// The database's size on disk in bytes (SQLite: pages in use; PostgreSQL: the database).
pub async fn size_bytes(db: &Db) -> Result<i64, sqlx::Error> {
    match db {
        Db::Sqlite(p) => {
            sqlx::query_scalar(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            )
            .fetch_one(p)
            .await
        }
        Db::Postgres(p) => {
            sqlx::query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(p)
                .await
        }
    }
}
