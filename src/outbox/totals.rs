//! The second consumer: figures over any subtree as one indexed read (`unit_totals`), for the
//! home page and the coverage figure. An event names the units whose records changed; the
//! consumer counts those units' own records afresh (`unit_own`) and adds the difference to the
//! unit and each of its ancestors. Because it counts records rather than trusting the events'
//! contents, the order in which events arrive does not matter; a unit moved (or a subtree
//! deactivated) also re-sums its old and new ancestors from `unit_own`.
//!
//! Metrics and their buckets (the audience `adult`/`minor` is part of the metric where the
//! records are person files, because minors' files are shown only to youth care):
//! `units` by kind (active units); `people:<aud>` (active files, bucket empty);
//! `category:<aud>` by category; `key_due:<aud>` by the next due date of active key-tier
//! plans (empty when never contacted); `visits:<aud>` by month of the visit and
//! `tasks_done:<aud>` by month closed, for the last twelve months and this one (older: the
//! empty bucket, folded in when a unit is next counted); `articles` published by month;
//! `accounts` (active accounts at the unit).

use super::{Kind, Stored};
use crate::db::Tx;
use crate::on_tx;
use chrono::Datelike;
use std::collections::{BTreeMap, BTreeSet};

type Key = (String, String);
type Counts = BTreeMap<i64, BTreeMap<Key, i64>>;

/// The first day of the month twelve months ago (UTC): visits and tasks before it are
/// counted in one bucket (`''`) rather than by month.
pub fn month_cutoff() -> String {
    let t = crate::db::now().date_naive();
    chrono::NaiveDate::from_ymd_opt(t.year() - 1, t.month(), 1)
        .unwrap_or(t)
        .to_string()
}

/// Ids per statement when a list of units is written into SQL.
const CHUNK: usize = 500;

/// The statements that count units' own records, each selecting
/// `(unit_id, metric, bucket, value)` for the units matching `filter` (a condition on `u`).
fn own_queries(tx: &Tx, filter: &str) -> Vec<String> {
    // A stored time's month, per dialect: SQLite stores RFC 3339 text.
    let month = |col: &str| match tx {
        Tx::Sqlite(_) => format!("SUBSTR({col}, 1, 7)"),
        Tx::Postgres(_) => format!("TO_CHAR({col} AT TIME ZONE 'UTC', 'YYYY-MM')"),
    };
    let aud = |m: &str| format!("CASE WHEN p.is_minor THEN '{m}:minor' ELSE '{m}:adult' END");
    // Visits and tasks by month for the last twelve months and this one; older ones in one
    // bucket, so that a unit keeps at most 14 rows of each however long its history.
    let cut = month_cutoff();
    let recent = |col: &str, m: &str| format!("CASE WHEN {col} >= '{cut}' THEN {m} ELSE '' END");
    vec![
        format!(
            "SELECT u.id, 'units', u.kind, COUNT(*) FROM units u WHERE u.active = TRUE AND {filter}
             GROUP BY u.id, u.kind"
        ),
        format!(
            "SELECT u.id, {a}, '', COUNT(*) FROM units u JOIN people p ON p.unit_id = u.id
             WHERE p.status = 'active' AND {filter} GROUP BY u.id, p.is_minor",
            a = aud("people")
        ),
        format!(
            "SELECT u.id, {a}, c.category, COUNT(*) FROM units u JOIN people p ON p.unit_id = u.id
             JOIN person_categories c ON c.person_id = p.id
             WHERE p.status = 'active' AND {filter} GROUP BY u.id, p.is_minor, c.category",
            a = aud("category")
        ),
        format!(
            "SELECT u.id, {a}, COALESCE(cp.next_due_on, ''), COUNT(*) FROM units u
             JOIN people p ON p.unit_id = u.id JOIN care_plans cp ON cp.person_id = p.id
             WHERE p.status = 'active' AND cp.tier = 'key' AND {filter}
             GROUP BY u.id, p.is_minor, COALESCE(cp.next_due_on, '')",
            a = aud("key_due")
        ),
        format!(
            "SELECT u.id, {a}, {b}, COUNT(*) FROM units u
             JOIN people p ON p.unit_id = u.id JOIN visits v ON v.person_id = p.id
             WHERE {filter} GROUP BY u.id, p.is_minor, {b}",
            a = aud("visits"),
            b = recent("v.visited_on", "SUBSTR(v.visited_on, 1, 7)")
        ),
        format!(
            "SELECT u.id, {a}, {b}, COUNT(*) FROM units u
             JOIN people p ON p.unit_id = u.id JOIN visit_tasks t ON t.person_id = p.id
             WHERE t.status = 'done' AND t.closed_at IS NOT NULL AND {filter}
             GROUP BY u.id, p.is_minor, {b}",
            a = aud("tasks_done"),
            b = recent("t.closed_at", &month("t.closed_at"))
        ),
        format!(
            "SELECT u.id, 'accounts', '', COUNT(*) FROM units u JOIN accounts a ON a.unit_id = u.id
             WHERE a.active = TRUE AND {filter} GROUP BY u.id"
        ),
        format!(
            "SELECT u.id, 'articles', {m}, COUNT(*) FROM units u JOIN articles a ON a.unit_id = u.id
             WHERE a.state = 'published' AND a.published_at IS NOT NULL AND {filter}
             GROUP BY u.id, {m}",
            m = month("a.published_at")
        ),
    ]
}

fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

async fn rows(tx: &mut Tx, sql: String) -> Result<Vec<(i64, String, String, i64)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, (i64, String, String, i64)>(sqlx::AssertSqlSafe(sql.clone()))
        .fetch_all(c).await)
}

/// The own counts of these units, from their records.
async fn count_own(tx: &mut Tx, ids: &[i64]) -> Result<Counts, sqlx::Error> {
    let mut out = Counts::new();
    for chunk in ids.chunks(CHUNK) {
        let filter = format!("u.id IN ({})", id_list(chunk));
        for sql in own_queries(tx, &filter) {
            for (unit, metric, bucket, n) in rows(tx, sql).await? {
                *out.entry(unit)
                    .or_default()
                    .entry((metric, bucket))
                    .or_default() += n;
            }
        }
    }
    Ok(out)
}

/// The own counts stored for these units.
async fn stored_own(tx: &mut Tx, ids: &[i64]) -> Result<Counts, sqlx::Error> {
    let mut out = Counts::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT unit_id, metric, bucket, value FROM unit_own WHERE unit_id IN ({})",
            id_list(chunk)
        );
        for (unit, metric, bucket, n) in rows(tx, sql).await? {
            out.entry(unit).or_default().insert((metric, bucket), n);
        }
    }
    Ok(out)
}

/// Writes rows `(unit, metric, bucket, value)` into `table`, adding to what stands.
async fn add_rows(
    tx: &mut Tx,
    table: &str,
    add: &[(i64, &str, &str, i64)],
) -> Result<(), sqlx::Error> {
    for chunk in add.chunks(CHUNK / 2) {
        let mut sql = format!("INSERT INTO {table} (unit_id, metric, bucket, value) VALUES ");
        for i in 0..chunk.len() {
            let b = i * 4;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
        }
        sql.push_str(&format!(
            " ON CONFLICT (unit_id, metric, bucket) DO UPDATE SET value = {table}.value + excluded.value"
        ));
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (unit, metric, bucket, n) in chunk {
                q = q.bind(*unit).bind(*metric).bind(*bucket).bind(*n);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Drops the rows that came to zero among these units (the tables keep what counts).
async fn drop_zeros(tx: &mut Tx, table: &str, ids: &[i64]) -> Result<(), sqlx::Error> {
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "DELETE FROM {table} WHERE value = 0 AND unit_id IN ({})",
            id_list(chunk)
        );
        on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The ids in a path (`/1/14/203/` → 1, 14, 203): the unit and its ancestors.
fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|s| s.parse().ok()).collect()
}

async fn paths(tx: &mut Tx, ids: &[i64]) -> Result<BTreeMap<i64, String>, sqlx::Error> {
    let mut out = BTreeMap::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT id, path FROM units WHERE id IN ({})",
            id_list(chunk)
        );
        let found: Vec<(i64, String)> =
            on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(c).await)?;
        out.extend(found);
    }
    Ok(out)
}

/// Counts these units afresh and carries the differences up their current paths.
async fn recount(tx: &mut Tx, ids: &[i64]) -> Result<(), sqlx::Error> {
    let fresh = count_own(tx, ids).await?;
    let before = stored_own(tx, ids).await?;
    let mut diff: BTreeMap<i64, BTreeMap<Key, i64>> = BTreeMap::new();
    for &u in ids {
        let (new, old) = (fresh.get(&u), before.get(&u));
        let keys: BTreeSet<&Key> = new.into_iter().chain(old).flat_map(|m| m.keys()).collect();
        for k in keys {
            let d = new.and_then(|m| m.get(k)).copied().unwrap_or(0)
                - old.and_then(|m| m.get(k)).copied().unwrap_or(0);
            if d != 0 {
                diff.entry(u).or_default().insert(k.clone(), d);
            }
        }
    }
    if diff.is_empty() {
        return Ok(());
    }
    let changed: Vec<i64> = diff.keys().copied().collect();
    let own_rows: Vec<(i64, &str, &str, i64)> = diff
        .iter()
        .flat_map(|(u, m)| {
            m.iter()
                .map(move |((a, b), d)| (*u, a.as_str(), b.as_str(), *d))
        })
        .collect();
    add_rows(tx, "unit_own", &own_rows).await?;
    drop_zeros(tx, "unit_own", &changed).await?;
    let mut up: BTreeMap<(i64, &str, &str), i64> = BTreeMap::new();
    let mut touched = BTreeSet::new();
    for (u, path) in paths(tx, &changed).await? {
        for a in path_ids(&path) {
            touched.insert(a);
            for ((m, b), d) in &diff[&u] {
                *up.entry((a, m.as_str(), b.as_str())).or_default() += d;
            }
        }
    }
    let total_rows: Vec<(i64, &str, &str, i64)> =
        up.into_iter().map(|((a, m, b), d)| (a, m, b, d)).collect();
    add_rows(tx, "unit_totals", &total_rows).await?;
    drop_zeros(tx, "unit_totals", &touched.into_iter().collect::<Vec<_>>()).await
}

/// Sets a unit's totals to the sum of the own counts of its subtree as it stands.
async fn resum(tx: &mut Tx, unit: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM unit_totals WHERE unit_id = $1")
        .bind(unit).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query(concat!(
        "INSERT INTO unit_totals (unit_id, metric, bucket, value)
         SELECT a.id, o.metric, o.bucket, SUM(o.value) FROM units a
         JOIN units u ON ", crate::under!("u.path", "a.path"), "
         JOIN unit_own o ON o.unit_id = u.id
         WHERE a.id = $1 GROUP BY a.id, o.metric, o.bucket HAVING SUM(o.value) <> 0"))
        .bind(unit).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Takes a batch of events (in the consumer's transaction).
pub async fn apply(tx: &mut Tx, events: &[Stored]) -> Result<(), sqlx::Error> {
    let mut dirty = BTreeSet::new();
    let mut moved = Vec::new();
    for e in events {
        let p = e.payload();
        dirty.extend(e.unit_id);
        dirty.extend(["from", "to"].into_iter().filter_map(|k| p[k].as_i64()));
        if e.kind() == Some(Kind::UnitsChanged)
            && let Some(root) = e.unit_id
        {
            let before: Vec<i64> = p["ancestors_before"]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_i64()).collect())
                .unwrap_or_default();
            moved.push((root, before));
        }
    }
    // A unit's change reaches its whole subtree (a subtree deactivated at once).
    for (root, _) in &moved {
        let subtree: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(concat!(
            "SELECT s.id FROM units r JOIN units s ON ", crate::under!("s.path", "r.path"), " WHERE r.id = $1"))
            .bind(root).fetch_all(c).await)?;
        dirty.extend(subtree);
    }
    recount(tx, &dirty.into_iter().collect::<Vec<_>>()).await?;
    // A moved subtree leaves its old ancestors and joins its new ones: both re-summed.
    for (root, before) in moved {
        if before.is_empty() {
            // Created or deactivated in place: the recount carried it up its path.
            continue;
        }
        let now = paths(tx, &[root]).await?;
        let mut again: BTreeSet<i64> = before.into_iter().collect();
        if let Some(path) = now.get(&root) {
            again.extend(path_ids(path).into_iter().filter(|a| *a != root));
        }
        again.remove(&root);
        for a in again {
            resum(tx, a).await?;
        }
    }
    Ok(())
}

/// Recomputes both tables from the records and moves the consumer's cursor past every event
/// written so far, in one transaction (after a bulk load, an upgrade, a restore).
pub async fn rebuild(tx: &mut Tx) -> Result<(), sqlx::Error> {
    for table in ["unit_own", "unit_totals"] {
        let sql = format!("DELETE FROM {table}");
        on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(c).await.map(|r| r.rows_affected()))?;
    }
    for select in own_queries(tx, "1 = 1") {
        let sql = format!("INSERT INTO unit_own (unit_id, metric, bucket, value) {select}");
        on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(c).await.map(|r| r.rows_affected()))?;
    }
    on_tx!(tx, c => sqlx::query(concat!(
        "INSERT INTO unit_totals (unit_id, metric, bucket, value)
         SELECT a.id, o.metric, o.bucket, SUM(o.value) FROM units a
         JOIN units u ON ", crate::under!("u.path", "a.path"), "
         JOIN unit_own o ON o.unit_id = u.id
         GROUP BY a.id, o.metric, o.bucket"))
        .execute(c).await.map(|r| r.rows_affected()))?;
    super::repo::skip_to_end(tx, super::Consumer::UnitTotals.name()).await
}

/// A metric's value at these units, summed (`bucket`: one bucket, or all of them when `None`).
pub async fn sum(
    tx: &mut Tx,
    units: &[crate::ids::UnitId],
    metric: &str,
    bucket: Option<&str>,
) -> Result<i64, sqlx::Error> {
    let mut total = 0;
    for u in units {
        let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM unit_totals
             WHERE unit_id = $1 AND metric = $2 AND ($3 IS NULL OR bucket = $3)")
            .bind(u.0).bind(metric).bind(bucket).fetch_one(c).await)?;
        total += n;
    }
    Ok(total)
}

/// A metric's value at these units from bucket `from` on (buckets are dates or months).
pub async fn sum_from(
    tx: &mut Tx,
    units: &[crate::ids::UnitId],
    metric: &str,
    from: &str,
) -> Result<i64, sqlx::Error> {
    let mut total = 0;
    for u in units {
        let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM unit_totals
             WHERE unit_id = $1 AND metric = $2 AND bucket >= $3")
            .bind(u.0).bind(metric).bind(from).fetch_one(c).await)?;
        total += n;
    }
    Ok(total)
}

/// A metric's values at these units by bucket, summed across the units.
pub async fn by_bucket(
    tx: &mut Tx,
    units: &[crate::ids::UnitId],
    metric: &str,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for u in units {
        let found: Vec<(String, i64)> = on_tx!(tx, c => sqlx::query_as(
            "SELECT bucket, value FROM unit_totals WHERE unit_id = $1 AND metric = $2")
            .bind(u).bind(metric).fetch_all(c).await)?;
        for (b, n) in found {
            *out.entry(b).or_default() += n;
        }
    }
    let mut v: Vec<_> = out.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(v)
}

/// The top units of the tree (for a scope over everything).
pub async fn top_units(tx: &mut Tx) -> Result<Vec<(crate::ids::UnitId, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as("SELECT id, path FROM units WHERE parent_id IS NULL ORDER BY path")
        .fetch_all(c).await)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_path_names_the_unit_and_its_ancestors() {
        assert_eq!(super::path_ids("/1/14/203/"), vec![1, 14, 203]);
        assert_eq!(super::path_ids("/7/"), vec![7]);
    }
}
