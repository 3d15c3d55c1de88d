//! SQL for work on many files at once: the roster export, bulk inserts (imports, the
//! generators) and `yinyao rekey`'s batches.

use super::tokens::{TOKEN_COLUMNS, token_tuples};
use super::{PersonRecord, Raw, split};
use crate::db::{Tx, insert_json, now};
use crate::ids::PersonId;
use crate::on_tx;
use serde_json::json;

/// The next batch of stored records the account may see, by id, optionally in a subtree:
/// `(id, record, categories joined by commas)`.
///
/// With `admin_only`, only files under a unit where the account holds `unit_admin` (the
/// reach of an unmasked export), on top of the usual scope.
pub async fn export_batch(
    tx: &mut Tx,
    account: i64,
    subtree: Option<&str>,
    admin_only: bool,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, PersonRecord, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT p.* FROM people p JOIN units u ON u.id = p.unit_id
         WHERE {} AND p.id > $2 AND ($3 IS NULL OR {sub1})
           AND ($5 = FALSE OR EXISTS (SELECT 1 FROM role_grants ag JOIN units au ON au.id = ag.unit_id
                WHERE ag.account_id = $1 AND ag.revoked_at IS NULL AND ag.role = 'unit_admin'
                  AND {sub2}))
         ORDER BY p.id LIMIT $4",
        person_in_scope!(), sub1 = crate::under!("u.path", "$3"), sub2 = crate::under!("u.path", "au.path"));
    let raws: Vec<Raw> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(account).bind(after).bind(subtree).bind(limit).bind(admin_only).fetch_all(c).await)?;
    let (Some(lo), Some(hi)) = (raws.first().map(|r| r.id), raws.last().map(|r| r.id)) else {
        return Ok(Vec::new());
    };
    let cats: Vec<(i64, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT person_id, category FROM person_categories WHERE person_id BETWEEN $1 AND $2 ORDER BY category")
        .bind(lo).bind(hi).fetch_all(c).await)?;
    Ok(raws
        .into_iter()
        .map(|r| {
            let id = r.id;
            let joined = cats
                .iter()
                .filter(|c| c.0 == id)
                .map(|c| c.1.as_str())
                .collect::<Vec<_>>()
                .join(",");
            (id, r.into_record(), joined)
        })
        .collect())
}

/// Inserts many new people with their categories (roster imports), inside the caller's
/// transaction (docs/PERFORMANCE.md has the timings).
pub async fn insert_many(
    tx: &mut Tx,
    records: &[(&PersonRecord, &[&'static str])],
) -> Result<Vec<PersonId>, sqlx::Error> {
    const COLUMNS: [(&str, &str); 27] = [
        ("id", "bigint"),
        ("unit_id", "bigint"),
        ("name", ""),
        ("name_folded", ""),
        ("name_initials", ""),
        ("name_pinyin", ""),
        ("gender", ""),
        ("birth_date", ""),
        ("id_number_enc", ""),
        ("id_number_idx", ""),
        ("id_number_mask", ""),
        ("mobile_enc", ""),
        ("mobile_idx", ""),
        ("mobile_mask", ""),
        ("address_enc", ""),
        ("health_enc", ""),
        ("emergency_enc", ""),
        ("former_employer", ""),
        ("post", ""),
        ("level", ""),
        ("party_join_date", ""),
        ("living", ""),
        ("status", ""),
        ("died_on", ""),
        ("skills", ""),
        ("willing_to_serve", "boolean"),
        ("is_minor", "boolean"),
    ];
    let ids = reserve_ids(tx, records.len()).await?;
    let t = now();
    let batches: Vec<_> = records.chunks(1000).zip(ids.chunks(1000)).collect();
    // The statements' documents are built on every core first (tokens need pinyin), then
    // written in order.
    let docs = crate::par::map(&batches, |_, (chunk, chunk_ids)| {
        let mut people = Vec::with_capacity(chunk.len());
        let mut cats = Vec::new();
        let mut written = Vec::with_capacity(chunk.len());
        for ((r, c), id) in chunk.iter().zip(chunk_ids.iter()) {
            let (id_enc, id_idx, id_mask) = split(&r.id_number);
            let (m_enc, m_idx, m_mask) = split(&r.mobile);
            people.push(json!([
                id,
                r.unit_id,
                r.name,
                r.name_folded,
                r.name_initials,
                r.name_pinyin,
                r.gender,
                r.birth_date,
                id_enc,
                id_idx,
                id_mask,
                m_enc,
                m_idx,
                m_mask,
                r.address_enc,
                r.health_enc,
                r.emergency_enc,
                r.former_employer,
                r.post,
                r.level,
                r.party_join_date,
                r.living,
                r.status,
                r.died_on,
                r.skills,
                r.willing_to_serve,
                r.is_minor
            ]));
            cats.extend(c.iter().map(|c| json!([id, c])));
            written.push((*id, *r));
        }
        (
            serde_json::Value::Array(people).to_string(),
            token_tuples(&written),
            serde_json::Value::Array(cats).to_string(),
        )
    });
    let mut tokens = Vec::new();
    for (people, chunk_tokens, cats) in docs {
        insert_json(tx, "people", &COLUMNS, people, Some(t)).await?;
        let cat_columns = [("person_id", "bigint"), ("category", "")];
        insert_json(tx, "person_categories", &cat_columns, cats, None).await?;
        tokens.extend(chunk_tokens);
    }
    // In index order, the search index grows at its end instead of at random pages: several
    // times faster for a large roster (docs/PERFORMANCE.md).
    tokens.sort_unstable();
    for chunk in tokens.chunks(5000) {
        let doc =
            serde_json::Value::Array(chunk.iter().map(|(t, k, id)| json!([t, k, id])).collect());
        insert_json(tx, "person_search", &TOKEN_COLUMNS, doc.to_string(), None).await?;
    }
    Ok(ids.into_iter().map(PersonId).collect())
}

/// `n` new person ids, inside the caller's write transaction. SQLite writers hold the
/// database lock (`BEGIN IMMEDIATE`), so the ids after the largest are free; PostgreSQL
/// takes them from the identity sequence.
pub(super) async fn reserve_ids(tx: &mut Tx, n: usize) -> Result<Vec<i64>, sqlx::Error> {
    let n = n as i64;
    match tx {
        Tx::Sqlite(t) => {
            let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM people")
                .fetch_one(&mut **t)
                .await?;
            Ok((max + 1..=max + n).collect())
        }
        Tx::Postgres(t) => sqlx::query_scalar(
            "SELECT nextval(pg_get_serial_sequence('people', 'id')) FROM generate_series(1, $1)",
        )
        .bind(n)
        .fetch_all(&mut **t)
        .await,
    }
}

/// The encrypted fields of one file, as `yinyao rekey` moves them to another key.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SealedFields {
    pub id: i64,
    pub id_number_enc: Option<String>,
    pub mobile_enc: Option<String>,
    pub address_enc: Option<String>,
    pub health_enc: Option<String>,
    pub emergency_enc: Option<String>,
}

/// The next `limit` files after `after` (by id) that hold any encrypted field.
pub async fn sealed_batch(
    tx: &mut Tx,
    after: i64,
    limit: i64,
) -> Result<Vec<SealedFields>, sqlx::Error> {
    // Locked on PostgreSQL until the batch is written back: an edit in between would be undone
    // by the write, or would write the old key's values back after it.
    const SQL: &str = "SELECT id, id_number_enc, mobile_enc, address_enc, health_enc, emergency_enc FROM people
         WHERE id > $1 AND (id_number_enc IS NOT NULL OR mobile_enc IS NOT NULL OR address_enc IS NOT NULL
                            OR health_enc IS NOT NULL OR emergency_enc IS NOT NULL)
         ORDER BY id LIMIT $2";
    match tx {
        Tx::Sqlite(c) => {
            sqlx::query_as::<_, SealedFields>(SQL)
                .bind(after)
                .bind(limit)
                .fetch_all(&mut **c)
                .await
        }
        Tx::Postgres(c) => {
            sqlx::query_as::<_, SealedFields>(sqlx::AssertSqlSafe(format!("{SQL} FOR UPDATE")))
                .bind(after)
                .bind(limit)
                .fetch_all(&mut **c)
                .await
        }
    }
}

/// Writes a file's fields sealed under the new key, with the ID number's and mobile's new
/// blind indexes.
pub async fn reseal(
    tx: &mut Tx,
    f: &SealedFields,
    id_number_idx: Option<&str>,
    mobile_idx: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE people SET id_number_enc = $2, id_number_idx = $3, mobile_enc = $4, mobile_idx = $5,
                address_enc = $6, health_enc = $7, emergency_enc = $8 WHERE id = $1")
        .bind(f.id).bind(&f.id_number_enc).bind(id_number_idx).bind(&f.mobile_enc).bind(mobile_idx)
        .bind(&f.address_enc).bind(&f.health_enc).bind(&f.emergency_enc)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
