//! The command line: `serve` (default), `migrate`, `admin`, `demo`, `backup`, `audit verify`.

pub mod admin;
mod bench;
mod bench_rounds;
mod bench_search;
pub mod demo;
mod demo_events;
mod demo_news;
mod demo_people;
mod import;
pub mod import_articles;
mod province;
pub mod rekey;
mod serve;

use crate::audit::chain::Verdict;
use crate::config::Config;
use crate::db::Db;
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
    /// A contact round over the people bench's county (loaded first into an empty database):
    /// the start and the round page's reads timed.
    Rounds {
        #[arg(long, default_value_t = 100_000)]
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
    serve::init_tracing(config.log_json);
    let db = Db::connect(&config.effective_database_url()).await?;
    crate::prepare_database(&db).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::serve(db, config).await.map(|_| 0),
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
        }) => import::import_people(&db, &config, &file, unit, check_only).await,
        Command::Import(ImportCommand::Articles {
            dir,
            column,
            author,
        }) => import::import_articles(&db, &dir, column, author.as_deref()).await,
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
        Command::Bench(BenchCommand::Rounds { count }) => {
            let crypto = crate::crypto::from_config(&config, matches!(db, Db::Sqlite(_)))?;
            bench_rounds::run(&db, &crypto, count).await.map(|_| 0)
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
                    match crate::audit::chain::Checkpoint::parse(line, &crypto) {
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
