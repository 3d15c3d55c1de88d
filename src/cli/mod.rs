//! The command line: `serve` (default), `migrate`, `admin`, `demo`, `backup`, `audit verify`.

pub mod admin;
mod bench;
mod bench_search;
pub mod demo;
mod demo_news;
mod demo_people;
pub mod import_articles;
mod province;
pub mod rekey;

use crate::audit::model::Verdict;
use crate::config::Config;
use crate::db::Db;
use crate::state::AppState;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "yinyao",
    version,
    about = "银耀 Yinyao — one server for retired-cadre, party-member and youth-care work"
)]
struct Cli {
    /// Configuration file (optional; environment variables override it).
    #[arg(
        long,
        global = true,
        default_value = "config.toml",
        env = "YINYAO_CONFIG"
    )]
    config: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create the platform admins, reset a password.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Fill an empty database with a generated, realistic county and print its accounts.
    Demo {
        /// Seed for the generator: the same seed gives the same county.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Make a consistent copy of the live SQLite database.
    Backup { file: PathBuf },
    /// Import a roster (CSV or XLSX); all rows or none.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Create the visit tasks the must-visit rules call for (the daily job, run now).
    Tasks {
        /// Generate as of this day (`YYYY-MM-DD`); today when absent.
        #[arg(long)]
        date: Option<String>,
    },
    /// Make and trim the search's recent-match lists (the daily job, run now; useful after a
    /// large import).
    SearchLists,
    /// Benchmark data and timings (docs/PERFORMANCE.md).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Move every encrypted value and blind index to the current key or suite
    /// ([crypto] suite, the field key) from the previous one ([crypto] previous_field_key,
    /// previous_suite), while the servers keep serving; then switch the audit chain's hash.
    Rekey,
    /// Audit trail tools.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Check every row, print the report, and import when there is no problem.
    People {
        file: PathBuf,
        /// Unit for rows without a unit number.
        #[arg(long)]
        unit: i64,
        /// Only check; write nothing.
        #[arg(long)]
        check_only: bool,
    },
    /// Import the .txt and .html files of a folder as draft articles, repairing common
    /// damage in scraped Chinese text and reporting every repair.
    Articles {
        dir: PathBuf,
        /// The column the drafts go into.
        #[arg(long)]
        column: i64,
        /// User name of the author; the column unit's editor or admin when absent.
        #[arg(long)]
        author: Option<String>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Write an XLSX roster of generated people.
    Roster {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Fill an empty database with generated people and time search and "my tasks".
    People {
        #[arg(long, default_value_t = 500_000)]
        count: usize,
    },
    /// Fill an empty database with a province (about 40,000 units, 500,000 people with care
    /// plans, 5,000,000 visits, 200,000 articles) for the load benchmark, `bench/load.sh`.
    Province {
        /// People; units, visits and articles scale with them.
        #[arg(long, default_value_t = 500_000)]
        people: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Index the poems of the npm package `chinese-poetry` and time full-text search.
    Search {
        /// The package's `dist/quantangshi` folder (with the `poet.*.json` files).
        #[arg(long)]
        dir: PathBuf,
        /// Index without the jieba words (grams and characters only), to compare.
        #[arg(long)]
        no_words: bool,
        /// Timed runs of each query.
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Join every this many poems into one document: long texts, as articles are (the
        /// lists' cost grows with the tokens per document).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
        join: u16,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exit 0 when intact, 1 naming the first bad entry.
    Verify {
        /// A checkpoint kept outside the database (the line, or a file whose last checkpoint
        /// line is used): also finds a trail whose end was cut off.
        #[arg(long)]
        checkpoint: Option<String>,
    },
    /// Print a signed checkpoint of the chain's head, to keep outside the database.
    Checkpoint,
}

/// Entry point of the binary; returns the process exit code.
pub async fn main() -> anyhow::Result<i32> {
    let cli = Cli::parse();
    let config = Config::load(&cli.config)?;
    init_tracing(config.log_json);
    let db = Db::connect(&config.effective_database_url()).await?;
    crate::prepare_database(&db).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(db, config).await.map(|_| 0),
        Command::Migrate => {
            let crypto = crate::crypto::from_config(&config, matches!(db, Db::Sqlite(_)))?;
            let mut tx = db.write().await?;
            let sealed = crate::accounts::service::seal_clear_phones(&mut tx, &crypto).await?;
            tx.commit().await?;
            println!(
                "migrations applied ({}); {sealed} staff mobiles encrypted",
                db.backend()
            );
            Ok(0)
        }
        Command::Admin(cmd) => admin::run(&db, &config, cmd).await,
        Command::Demo { seed } => demo::run(&db, &config, seed).await.map(|_| 0),
        Command::Backup { file } => {
            crate::db::backup_sqlite(&db, &file).await?;
            println!("backup written to {}", file.display());
            Ok(0)
        }
        Command::Import(ImportCommand::People {
            file,
            unit,
            check_only,
        }) => import_people(&db, &config, &file, unit, check_only).await,
        Command::Import(ImportCommand::Articles {
            dir,
            column,
            author,
        }) => import_articles(&db, &dir, column, author.as_deref()).await,
        Command::Bench(BenchCommand::Roster { rows, out }) => {
            let t = std::time::Instant::now();
            bench::roster(rows, &out, 2026)?;
            println!(
                "{rows} rows written to {} in {:.1} s",
                out.display(),
                t.elapsed().as_secs_f64()
            );
            Ok(0)
        }
        Command::Bench(BenchCommand::People { count }) => {
            let crypto = crate::crypto::from_config(&config, matches!(db, Db::Sqlite(_)))?;
            bench::people_bench(&db, &crypto, count, 2026)
                .await
                .map(|_| 0)
        }
        Command::Bench(BenchCommand::Province { people, seed }) => {
            let crypto = crate::crypto::from_config(&config, matches!(db, Db::Sqlite(_)))?;
            province::generate(&db, &crypto, people, seed)
                .await
                .map(|_| 0)
        }
        Command::Bench(BenchCommand::Search {
            dir,
            no_words,
            runs,
            join,
        }) => bench_search::run(&db, &dir, !no_words, runs, join.into())
            .await
            .map(|_| 0),
        Command::Tasks { date } => {
            let day = match date {
                Some(d) => chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")?,
                None => chrono::Utc::now().date_naive(),
            };
            let started = std::time::Instant::now();
            let n = crate::jobs::visit_tasks::generate(&db, day, None).await?;
            println!(
                "{n} visit tasks created for {day} in {:.2} s",
                started.elapsed().as_secs_f64()
            );
            Ok(0)
        }
        Command::SearchLists => {
            let started = std::time::Instant::now();
            let r = crate::jobs::search_lists::refresh(&db).await?;
            println!(
                "search lists: {} made ({} of them rebuilt), {} trimmed, {} kinds waiting to be re-indexed, in {:.1} s",
                r.created,
                r.rebuilt,
                r.trimmed,
                r.skipped_kinds,
                started.elapsed().as_secs_f64()
            );
            Ok(0)
        }
        Command::Rekey => {
            let crypto = crate::crypto::from_config(&config, matches!(db, Db::Sqlite(_)))?;
            let started = std::time::Instant::now();
            let moved = rekey::run(&db, &crypto).await?;
            println!(
                "rekey to suite {}: {} person files, {} staff mobiles, {} kept uploads moved; {} already current ({:.1} s)",
                crypto.suite().as_str(),
                moved.people,
                moved.accounts,
                moved.uploads,
                moved.already,
                started.elapsed().as_secs_f64()
            );
            if crypto.has_previous() {
                println!(
                    "Every value is under the current key: remove previous_field_key from every node's configuration and restart them."
                );
            }
            Ok(0)
        }
        Command::Audit(AuditCommand::Checkpoint) => {
            let crypto = crate::crypto::from_config(&config, matches!(db, Db::Sqlite(_)))?;
            let mut tx = db.read().await?;
            let line = crate::audit::checkpoint(&mut tx).await?.to_line(&crypto);
            println!("{line}");
            Ok(0)
        }
        Command::Audit(AuditCommand::Verify { checkpoint }) => {
            let kept = match checkpoint {
                Some(arg) => {
                    let crypto = crate::crypto::from_config(&config, matches!(db, Db::Sqlite(_)))?;
                    let text = match std::path::Path::new(&arg).is_file() {
                        true => std::fs::read_to_string(&arg)?,
                        false => arg.clone(),
                    };
                    let line = text
                        .lines()
                        .rev()
                        .find_map(|l| l.find("yinyao-audit-checkpoint").map(|i| &l[i..]))
                        .unwrap_or("");
                    match crate::audit::model::Checkpoint::parse(line, &crypto) {
                        Ok(cp) => Some(cp),
                        Err(why) => {
                            eprintln!("checkpoint refused: {why}");
                            return Ok(1);
                        }
                    }
                }
                None => None,
            };
            let mut tx = db.read().await?;
            let verdict = match &kept {
                Some(cp) => {
                    let retention = config
                        .security
                        .audit_retention_days
                        .max(crate::config::MIN_AUDIT_RETENTION_DAYS);
                    crate::audit::verify_with(&mut tx, cp, retention).await?
                }
                None => crate::audit::verify(&mut tx).await?,
            };
            match verdict {
                Verdict::Intact { entries } => {
                    println!("audit trail intact: {entries} entries checked");
                    if let Some(cp) = kept {
                        println!(
                            "checkpoint of {} (entry {}) matches",
                            cp.at.to_rfc3339(),
                            cp.last_id
                        );
                    }
                    Ok(0)
                }
                Verdict::Broken { id, reason } => {
                    eprintln!("audit trail BROKEN at entry {id}: {reason}");
                    Ok(1)
                }
            }
        }
    }
}

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

async fn serve(db: Db, config: Config) -> anyhow::Result<()> {
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .ok();
    let listen = config.listen.clone();
    let mut tx = db.write().await?;
    crate::ops::record_config(&mut tx, &config).await?;
    tx.commit().await?;
    let crypto = crate::crypto::from_config(&config, matches!(db, Db::Sqlite(_)))?;
    let mut tx = db.write().await?;
    let sealed = crate::accounts::service::seal_clear_phones(&mut tx, &crypto).await?;
    tx.commit().await?;
    if sealed > 0 {
        tracing::info!(
            accounts = sealed,
            "staff mobiles stored in clear were encrypted"
        );
    }
    {
        // A new database takes the configured suite's hash from its first entry.
        let mut tx = db.write().await?;
        let wanted = crate::audit::model::HashAlgo::of_suite(crypto.suite());
        if crate::audit::checkpoint(&mut tx).await?.last_id == 0 {
            crate::audit::set_hash_algo(&mut tx, wanted).await?;
        }
        tx.commit().await?;
        let mut tx = db.read().await?;
        let chain = crate::audit::hash_algo(&mut tx).await?;
        if chain != crate::audit::model::HashAlgo::of_suite(crypto.suite()) || crypto.has_previous()
        {
            tracing::warn!(
                suite = crypto.suite().as_str(),
                audit_hash = chain.as_str(),
                previous_key = crypto.has_previous(),
                "a move to another field key or suite is under way: run `yinyao rekey`, then remove previous_field_key"
            );
        }
    }
    crate::outbox::prepare(&db).await?;
    let state = AppState::new(db.clone(), config, metrics, crypto);
    {
        let mut tx = db.read().await?;
        if !crate::accounts::bulk::any_platform_admin(&mut tx).await? {
            println!("银耀 Yinyao: no administrators yet. Create the three platform admins with:");
            println!("    cargo run --release -- admin init      (or: yinyao admin init)");
            println!("and, to try it out with a generated county:");
            println!("    cargo run --release -- demo");
        }
    }
    crate::jobs::policy::reload(&state).await?;
    let jobs = tokio::spawn(crate::jobs::run(state.clone()));
    let consumers = tokio::spawn(crate::jobs::consume_events(state.clone()));
    let policy = tokio::spawn(crate::jobs::policy::refresh_loop(state.clone()));
    let app = crate::app(state);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("银耀 Yinyao serving at http://{listen} ({})", db.backend());
    tracing::info!(%listen, backend = db.backend(), "serving");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    jobs.abort();
    consumers.abort();
    policy.abort();
    // In-flight requests have finished; close the pool so SQLite checkpoints its WAL.
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

async fn import_people(
    db: &Db,
    config: &Config,
    file: &std::path::Path,
    unit: i64,
    check_only: bool,
) -> anyhow::Result<i32> {
    use crate::people::import;
    let crypto = std::sync::Arc::new(crate::crypto::from_config(
        config,
        matches!(db, Db::Sqlite(_)),
    )?);
    // Bounded before it is read, as an upload is.
    if std::fs::metadata(file)?.len() > import::MAX_FILE_BYTES as u64 {
        eprintln!(
            "file: {}",
            crate::i18n::Locale::ZhCn.t("validation.file_too_large")
        );
        return Ok(1);
    }
    let data = std::fs::read(file)?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("roster");
    // The operator at the server may file people at any active unit.
    let allowed: std::collections::HashMap<(crate::ids::UnitId, bool), bool> = {
        let mut tx = db.read().await?;
        let all = crate::access::Scope::EVERYTHING;
        crate::units::service::list(&mut tx, &all, false, i64::MAX)
            .await?
            .into_iter()
            .flat_map(|u| [((u.id.into(), false), true), ((u.id.into(), true), true)])
            .collect()
    };
    let started = std::time::Instant::now();
    let locale = crate::i18n::Locale::ZhCn;
    let unit = crate::ids::UnitId(unit);
    let checked = async {
        let parsed =
            import::parse(&crypto, locale, name, axum::body::Bytes::from(data), unit).await?;
        let mut tx = db.read().await?;
        import::check(&mut tx, locale, parsed, &allowed).await
    };
    let (report, records) = match checked.await {
        Ok(r) => r,
        Err(crate::error::AppError::Validation(f)) => {
            for e in f {
                eprintln!("{}: {}", e.field, crate::i18n::Locale::ZhCn.t(e.key));
            }
            return Ok(1);
        }
        Err(e) => anyhow::bail!("{e}"),
    };
    let checked = started.elapsed();
    println!(
        "{} rows, {} valid, {} problems (checked in {:.2} s)",
        report.rows,
        report.valid_rows,
        report.problems.len(),
        checked.as_secs_f64()
    );
    for p in report.problems.iter().take(200) {
        println!("  row {}, {}: {}", p.row, p.column, p.message);
    }
    if !report.problems.is_empty() {
        println!("nothing imported");
        return Ok(1);
    }
    if check_only {
        return Ok(0);
    }
    let actor = crate::audit::model::Actor::cli("import people");
    let mut tx = db.write().await?;
    let n = import::commit(&mut tx, &actor, name, unit, &records, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await?;
    println!(
        "{n} people imported in {:.2} s in all",
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

async fn import_articles(
    db: &Db,
    dir: &std::path::Path,
    column: i64,
    author: Option<&str>,
) -> anyhow::Result<i32> {
    let author = match author {
        Some(name) => {
            let mut tx = db.read().await?;
            let a = crate::accounts::bulk::find_by_login(&mut tx, name, &[])
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account named {name}"))?;
            Some(a.id)
        }
        None => None,
    };
    let results = import_articles::import_dir(db, dir, column, author).await?;
    let mut failed = 0;
    for r in &results {
        match (r.article, &r.problem) {
            (Some(id), _) => println!("{}: draft {id} 「{}」", r.file, r.title),
            (None, Some(p)) => {
                failed += 1;
                println!("{}: not imported ({p})", r.file);
            }
            (None, None) => {}
        }
        for rep in &r.repairs {
            println!(
                "    {} × {}: {}",
                rep.kind,
                rep.count,
                rep.examples.join(" | ")
            );
        }
    }
    println!(
        "{} files, {} drafts, {failed} not imported",
        results.len(),
        results.len() - failed
    );
    Ok(if failed > 0 { 1 } else { 0 })
}
