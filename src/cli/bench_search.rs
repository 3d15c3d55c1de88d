//! `yinyao bench search`: indexes the ~311,000 poems of the npm package `chinese-poetry`
//! (Traditional characters) through `search::index::put`, in transactions of 1,000, then
//! times a fixed set of Simplified queries with `index::find` next to a `LIKE '%…%'` scan of
//! a table of the folded texts, and checks recall against a substring match over the folded
//! texts (bench/search.sh runs it; figures in docs/PERFORMANCE.md).

use crate::db::Db;
use crate::search::{fold, index, like_escape, text};
use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

const KIND: &str = "poem";
const BATCH: usize = 1000;

/// Simplified queries of one to four characters: frequent, middling, rare and absent.
const QUERIES: [&str; 20] = [
    "月",
    "风",
    "党",
    "春风",
    "长安",
    "明月",
    "故乡",
    "白云",
    "江南",
    "相思",
    "黄河",
    "青山",
    "明月光",
    "黄鹤楼",
    "蜀道难",
    "关山月",
    "床前明月",
    "春风得意",
    "老干部",
    "三会一课",
];

#[derive(serde::Deserialize)]
struct Poem {
    #[serde(default)]
    title: String,
    #[serde(default)]
    paragraphs: Vec<String>,
}

/// Title and lines of every poem in the `poet.*.json` files of `dir`, in file-name order.
fn load_poems(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("poet.") && n.ends_with(".json"))
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let poems: Vec<Poem> = serde_json::from_slice(&std::fs::read(&f)?)?;
        out.extend(
            poems
                .into_iter()
                .map(|p| format!("{}\n{}", p.title, p.paragraphs.join("\n"))),
        );
    }
    anyhow::ensure!(!out.is_empty(), "no poet.*.json files in {}", dir.display());
    Ok(out)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    ms(sorted[((sorted.len() as f64 - 1.0) * q).round() as usize])
}

/// Runs the benchmark on `db`; `words: false` indexes without the jieba words, to compare;
/// `join` poems in a row make one document.
pub async fn run(db: &Db, dir: &Path, words: bool, runs: usize, join: usize) -> anyhow::Result<()> {
    let t = Instant::now();
    let poems: Vec<String> = load_poems(dir)?
        .chunks(join.max(1))
        .map(|c| c.join("\n"))
        .collect();
    let chars: usize = poems.iter().map(|p| p.chars().count()).sum();
    println!(
        "{} documents of {join} poem(s), {chars} characters, read in {:.1} s; backend {}, scheme {}",
        poems.len(),
        t.elapsed().as_secs_f64(),
        db.backend(),
        if words {
            text::TEXT_TOKENS_VERSION
        } else {
            "grams+chars (no jieba words)"
        }
    );
    let t = Instant::now();
    let folded: Vec<String> = poems.iter().map(|p| fold(p)).collect();
    println!(
        "folding alone (T→S, lower case): {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let tokens: usize = poems
        .iter()
        .map(|p| text::tokens(p, words).split(' ').count())
        .sum();
    println!(
        "tokenizing alone (folding included, one core): {:.1} s, {tokens} tokens ({:.2} per character)",
        t.elapsed().as_secs_f64(),
        tokens as f64 / chars as f64
    );

    let mut tx = db.read().await?;
    let loaded: i64 = crate::on_tx!(&mut tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM search_docs WHERE kind = $1").bind(KIND).fetch_one(c).await)?;
    drop(tx);
    if loaded == 0 {
        load(db, &poems, &folded, words).await?;
    } else {
        println!("reusing the {loaded} poems already indexed in this database");
    }
    // What writing costs with and without lists: the same poems indexed again (each put
    // replaces a document, as an edit does).
    let without = reindex(db, &poems, words).await?;
    // What the daily job does: lists for the frequent tokens of one to three characters.
    let t = Instant::now();
    let r = crate::jobs::search_lists::refresh(db).await?;
    println!(
        "recent-match lists (jobs::search_lists::refresh): {:.1} s, {} made, {} trimmed",
        t.elapsed().as_secs_f64(),
        r.created,
        r.trimmed
    );
    if let Db::Postgres(p) = db {
        sqlx::query("VACUUM ANALYZE search_recent")
            .execute(p)
            .await?;
        sqlx::query("VACUUM ANALYZE search_lists")
            .execute(p)
            .await?;
    }
    let with = reindex(db, &poems, words).await?;
    // The entries replaced by that burst are dead rows until autovacuum comes (within
    // minutes; it ran during the query phase of one run): the queries are timed after it.
    if let Db::Postgres(p) = db {
        sqlx::query("VACUUM ANALYZE search_recent")
            .execute(p)
            .await?;
        sqlx::query("VACUUM ANALYZE search_docs").execute(p).await?;
    }
    let again = poems.len().min(REINDEXED);
    println!(
        "indexing the newest {again} documents again: {without:.1} s without lists, {with:.1} s with them ({:.0} and {:.0} documents/s)",
        again as f64 / without,
        again as f64 / with
    );
    sizes(db).await?;
    time_queries(db, &folded, runs).await
}

/// Documents [`reindex`] indexes again (all of them when there are fewer).
const REINDEXED: usize = 20_000;

/// Indexes the last [`REINDEXED`] poems again, as before, in transactions of [`BATCH`];
/// returns the seconds taken.
async fn reindex(db: &Db, poems: &[String], words: bool) -> anyhow::Result<f64> {
    let from = poems.len().saturating_sub(REINDEXED);
    let t = Instant::now();
    for (b, chunk) in poems[from..].chunks(BATCH).enumerate() {
        let mut tx = db.write().await?;
        for (k, p) in chunk.iter().enumerate() {
            let id = (from + b * BATCH + k + 1) as i64;
            if words {
                index::put(&mut tx, KIND, id, p).await?;
            } else {
                index::put_tokens(&mut tx, KIND, id, &text::tokens(p, false)).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(t.elapsed().as_secs_f64())
}

async fn load(db: &Db, poems: &[String], folded: &[String], words: bool) -> anyhow::Result<()> {
    let t = Instant::now();
    for (b, chunk) in poems.chunks(BATCH).enumerate() {
        let mut tx = db.write().await?;
        for (k, p) in chunk.iter().enumerate() {
            let id = (b * BATCH + k + 1) as i64;
            if words {
                index::put(&mut tx, KIND, id, p).await?;
            } else {
                index::put_tokens(&mut tx, KIND, id, &text::tokens(p, false)).await?;
            }
        }
        tx.commit().await?;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "indexed {} poems through index::put in transactions of {BATCH}: {secs:.1} s ({:.0} poems/s)",
        poems.len(),
        poems.len() as f64 / secs
    );
    // The LIKE baseline: the same folded texts in a plain table.
    let mut tx = db.write().await?;
    crate::on_tx!(&mut tx, c => sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_poems (id BIGINT PRIMARY KEY, folded TEXT NOT NULL)")
        .execute(c).await.map(|r| r.rows_affected()))?;
    for (b, chunk) in folded.chunks(BATCH).enumerate() {
        let rows: Vec<(i64, &str)> = chunk
            .iter()
            .enumerate()
            .map(|(k, f)| ((b * BATCH + k + 1) as i64, f.as_str()))
            .collect();
        let doc = serde_json::to_string(&rows)?;
        match &mut tx {
            // Explicit match: JSON table functions differ (json_each / json_array_elements).
            crate::db::Tx::Sqlite(c) => sqlx::query(
                "INSERT INTO bench_poems SELECT value->>0, value->>1 FROM json_each($1)",
            )
            .bind(doc)
            .execute(&mut **c)
            .await
            .map(|_| ())?,
            crate::db::Tx::Postgres(c) => sqlx::query(
                "INSERT INTO bench_poems SELECT (e->>0)::bigint, e->>1 FROM json_array_elements($1::json) e",
            )
            .bind(doc)
            .execute(&mut **c)
            .await
            .map(|_| ())?,
        }
    }
    tx.commit().await?;
    if let Db::Postgres(p) = db {
        // What autovacuum does after a bulk load, done now: planner statistics, and the GIN
        // pending list merged into the index. Before it the planner chose sequential scans
        // (300 ms a query) and every query read the pending list.
        let t = Instant::now();
        sqlx::query("VACUUM ANALYZE search_docs").execute(p).await?;
        sqlx::query("VACUUM ANALYZE bench_poems").execute(p).await?;
        println!("VACUUM ANALYZE: {:.1} s", t.elapsed().as_secs_f64());
    }
    Ok(())
}

async fn sizes(db: &Db) -> anyhow::Result<()> {
    let mb = |b: i64| b as f64 / 1e6;
    match db {
        Db::Sqlite(p) => {
            let stat: Result<(i64, i64, i64), _> = sqlx::query_as(
                "SELECT COALESCE(SUM(CASE WHEN name LIKE 'search%' OR name LIKE 'sqlite_autoindex_search%' THEN pgsize END), 0),
                        COALESCE(SUM(CASE WHEN name LIKE 'search_recent%' OR name = 'search_lists' THEN pgsize END), 0),
                        COALESCE(SUM(CASE WHEN name LIKE 'bench_poems%' OR name LIKE 'sqlite_autoindex_bench%' THEN pgsize END), 0)
                 FROM dbstat",
            )
            .fetch_one(p)
            .await;
            match stat {
                Ok((index, lists, text)) => println!(
                    "index size (search_fts, search_docs and the lists): {:.1} MB, of which the lists {:.1} MB; the folded texts: {:.1} MB",
                    mb(index),
                    mb(lists),
                    mb(text)
                ),
                Err(_) => {
                    let (pages, size): (i64, i64) = sqlx::query_as(
                        "SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()",
                    )
                    .fetch_one(p)
                    .await?;
                    println!(
                        "database size (index and folded texts): {:.1} MB",
                        mb(pages * size)
                    );
                }
            }
        }
        Db::Postgres(p) => {
            let (all, gin, lists, text): (i64, i64, i64, i64) = sqlx::query_as(
                "SELECT pg_total_relation_size('search_docs'), pg_relation_size('search_docs_tokens'),
                        pg_total_relation_size('search_recent') + pg_total_relation_size('search_lists'),
                        pg_total_relation_size('bench_poems')",
            )
            .fetch_one(p)
            .await?;
            println!(
                "index size (search_docs with tsvector, GIN and key, and the lists): {:.1} MB, of which GIN {:.1} MB and the lists {:.1} MB; the folded texts: {:.1} MB",
                mb(all + lists),
                mb(gin),
                mb(lists),
                mb(text)
            );
        }
    }
    Ok(())
}

async fn time_queries(db: &Db, folded: &[String], runs: usize) -> anyhow::Result<()> {
    let like_runs = (runs / 20).max(5);
    println!(
        "find: index::find(limit 20), {runs} runs; LIKE: SELECT COUNT(*) … LIKE '%q%' over the folded texts, {like_runs} runs"
    );
    println!(
        "{:<10} {:>7} {:>8} {:>8} {:>9} {:>9} {:>8} {:>8} {:>6} {:>10}",
        "query",
        "hits",
        "find p50",
        "find p99",
        "LIKE p50",
        "LIKE p99",
        "speed-up",
        "recall",
        "extra",
        "answered"
    );
    // Rounds over all queries rather than all runs of one query then the next, so that a
    // burst of other work on the machine slows every query alike.
    let mut find_times = vec![Vec::with_capacity(runs); QUERIES.len()];
    for _ in 0..runs {
        for (i, q) in QUERIES.iter().enumerate() {
            let t = Instant::now();
            let mut tx = db.read().await?;
            let rows = index::find(&mut tx, KIND, q, 20).await?;
            drop(tx);
            std::hint::black_box(rows);
            find_times[i].push(t.elapsed());
        }
    }
    let mut like_times = vec![Vec::with_capacity(like_runs); QUERIES.len()];
    let mut like_counts = vec![0i64; QUERIES.len()];
    for _ in 0..like_runs {
        for (i, q) in QUERIES.iter().enumerate() {
            let pattern = format!("%{}%", like_escape(&fold(q)));
            let t = Instant::now();
            let mut tx = db.read().await?;
            like_counts[i] = crate::on_tx!(&mut tx, c => sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM bench_poems WHERE folded LIKE $1 ESCAPE '\\'")
                .bind(&pattern).fetch_one(c).await)?;
            drop(tx);
            like_times[i].push(t.elapsed());
        }
    }
    let mut all_find = Vec::new();
    let (mut found_total, mut truth_total) = (0usize, 0usize);
    for (i, q) in QUERIES.iter().enumerate() {
        let (mut times, mut like, like_count) =
            (find_times[i].clone(), like_times[i].clone(), like_counts[i]);
        let mut tx = db.read().await?;
        let found: HashSet<i64> = index::find_all(&mut tx, KIND, q)
            .await?
            .into_iter()
            .collect();
        // Whether a recent-match list answered, and if so whether its 200 ranked candidates
        // are those of the full-text query.
        let listed = index::listed_token(&mut tx, KIND, q).await?.is_some();
        let answered = if listed {
            let ids = |r: Vec<(i64, f64)>| r.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
            let a = ids(index::find_planned(&mut tx, KIND, q, 200, true).await?);
            let b = ids(index::find_planned(&mut tx, KIND, q, 200, false).await?);
            if a == b { "list (=)" } else { "list (DIFF)" }
        } else {
            "full text"
        };
        drop(tx);
        let fq = fold(q);
        let truth: HashSet<i64> = folded
            .iter()
            .enumerate()
            .filter(|(_, f)| f.contains(&fq))
            .map(|(i, _)| i as i64 + 1)
            .collect();
        let hit = found.intersection(&truth).count();
        found_total += hit;
        truth_total += truth.len();
        let recall = if truth.is_empty() {
            100.0
        } else {
            hit as f64 * 100.0 / truth.len() as f64
        };
        times.sort();
        like.sort();
        let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
        let (l50, l99) = (percentile(&like, 0.5), percentile(&like, 0.99));
        println!(
            "{q:<10} {:>7} {p50:>8.2} {p99:>8.2} {l50:>9.1} {l99:>9.1} {:>7.0}× {recall:>7.2}% {:>6} {answered:>10}",
            truth.len(),
            l50 / p50,
            found.len() - hit
        );
        if like_count as usize != truth.len() {
            println!("  (LIKE counted {like_count}: SQL LIKE folds ASCII case only)");
        }
        all_find.extend(times);
    }
    all_find.sort();
    println!(
        "all queries: find p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; recall {:.3}% ({found_total} of {truth_total} substring matches)",
        percentile(&all_find, 0.5),
        percentile(&all_find, 0.99),
        percentile(&all_find, 1.0),
        found_total as f64 * 100.0 / truth_total.max(1) as f64
    );
    Ok(())
}
