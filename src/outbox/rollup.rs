//! The first consumer: per-unit daily counts (`unit_daily`) — people filed (net of moves),
//! visits recorded, visit tasks done, articles published — from which figures over any
//! subtree are a range sum instead of a count over the records. Days are UTC dates of the
//! event's time. `rebuild` computes the same table from the records themselves (after a
//! bulk load that wrote no events, such as the demo), and tests compare the two.

use super::{Kind, Stored};
use crate::db::Tx;
use crate::on_tx;
use std::collections::BTreeMap;

/// The counts kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    People,
    Visits,
    TasksDone,
    ArticlesPublished,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::People,
        Metric::Visits,
        Metric::TasksDone,
        Metric::ArticlesPublished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::People => "people",
            Metric::Visits => "visits",
            Metric::TasksDone => "tasks_done",
            Metric::ArticlesPublished => "articles_published",
        }
    }
}

/// Adds a batch of events to the counts (in the consumer's transaction).
pub async fn apply(tx: &mut Tx, events: &[Stored]) -> Result<(), sqlx::Error> {
    let mut add: BTreeMap<(i64, String, Metric), i64> = BTreeMap::new();
    for e in events {
        let day = e.at.date_naive().to_string();
        let p = e.payload();
        let mut count = |unit: Option<i64>, m: Metric, n: i64| {
            if let Some(u) = unit
                && n != 0
            {
                *add.entry((u, day.clone(), m)).or_default() += n;
            }
        };
        match e.kind() {
            Some(Kind::PeopleFiled) => {
                count(e.unit_id, Metric::People, p["count"].as_i64().unwrap_or(1))
            }
            Some(Kind::PersonMoved) => {
                count(p["from"].as_i64(), Metric::People, -1);
                count(p["to"].as_i64(), Metric::People, 1);
            }
            Some(Kind::VisitRecorded) => {
                count(e.unit_id, Metric::Visits, 1);
                count(
                    e.unit_id,
                    Metric::TasksDone,
                    p["tasks_done"].as_i64().unwrap_or(0),
                );
            }
            Some(Kind::ArticlePublished) => count(e.unit_id, Metric::ArticlesPublished, 1),
            _ => {}
        }
    }
    for ((unit, day, metric), n) in add {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO unit_daily (unit_id, day, metric, value) VALUES ($1, $2, $3, $4)
             ON CONFLICT (unit_id, day, metric) DO UPDATE SET value = unit_daily.value + excluded.value")
            .bind(unit).bind(&day).bind(metric.as_str()).bind(n)
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Recomputes every count from the records and moves the consumer's cursor past every event
/// written so far, in one transaction. People are counted at their unit today, on the day
/// their file was created; visits and tasks at their person's unit today.
pub async fn rebuild(tx: &mut Tx) -> Result<(), sqlx::Error> {
    // The day of a stored time, per dialect: SQLite stores RFC 3339 text.
    let day = |col: &str| match tx {
        Tx::Sqlite(_) => format!("SUBSTR({col}, 1, 10)"),
        Tx::Postgres(_) => format!("TO_CHAR({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
    };
    let inserts = [
        format!(
            "SELECT unit_id, {d} AS day, 'people', COUNT(*) FROM people GROUP BY unit_id, {d}",
            d = day("created_at")
        ),
        format!(
            "SELECT p.unit_id, {d} AS day, 'visits', COUNT(*) FROM visits v JOIN people p ON p.id = v.person_id
             GROUP BY p.unit_id, {d}",
            d = day("v.created_at")
        ),
        format!(
            "SELECT p.unit_id, {d} AS day, 'tasks_done', COUNT(*) FROM visit_tasks t JOIN people p ON p.id = t.person_id
             WHERE t.status = 'done' AND t.closed_at IS NOT NULL GROUP BY p.unit_id, {d}",
            d = day("t.closed_at")
        ),
        format!(
            "SELECT unit_id, {d} AS day, 'articles_published', COUNT(*) FROM articles
             WHERE state = 'published' AND published_at IS NOT NULL GROUP BY unit_id, {d}",
            d = day("published_at")
        ),
    ];
    on_tx!(tx, c => sqlx::query("DELETE FROM unit_daily").execute(c).await.map(|r| r.rows_affected()))?;
    for select in inserts {
        let sql = format!("INSERT INTO unit_daily (unit_id, day, metric, value) {select}");
        on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(c).await.map(|r| r.rows_affected()))?;
    }
    // Every event so far is in the records just counted.
    super::repo::skip_to_end(tx, super::Consumer::UnitDaily.name()).await
}

/// A metric's total over the subtree of the unit with path `path`, over days `from..=to`
/// (`YYYY-MM-DD`; open ends when `None`).
pub async fn total(
    tx: &mut Tx,
    path: &str,
    metric: Metric,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(concat!(
        "SELECT CAST(COALESCE(SUM(d.value), 0) AS BIGINT) FROM unit_daily d JOIN units u ON u.id = d.unit_id
         WHERE ", crate::under!("u.path", "$1"), " AND d.metric = $2
           AND ($3 IS NULL OR d.day >= $3) AND ($4 IS NULL OR d.day <= $4)"))
        .bind(path).bind(metric.as_str()).bind(from).bind(to)
        .fetch_one(c).await)
}
