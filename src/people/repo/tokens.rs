//! SQL for the name-search tokens (`person_search`): written with each file, rebuilt when
//! the token scheme changes.

use super::PersonRecord;
use crate::db::{Tx, insert_json};
use crate::on_tx;
use serde_json::json;

/// Deletes a person's name-search tokens, found by the primary key from the stored name
/// forms (`people` still holds the old name when this runs).
pub(super) async fn delete_tokens(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    let old: Vec<NameKeys> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, name_folded, name_initials, name_pinyin FROM people WHERE id = $1")
        .bind(id).fetch_all(c).await)?;
    let doc = name_token_rows(&old);
    // Explicit match: the JSON table functions differ per backend.
    match tx {
        Tx::Sqlite(t) => sqlx::query(
            "DELETE FROM person_search WHERE (token, sort_key, person_id) IN
                 (SELECT value->>0, value->>1, value->>2 FROM json_each($1))",
        )
        .bind(doc)
        .execute(&mut **t)
        .await
        .map(|_| ()),
        Tx::Postgres(t) => sqlx::query(
            "DELETE FROM person_search WHERE (token, sort_key, person_id) IN
                 (SELECT v->>0, v->>1, (v->>2)::bigint FROM json_array_elements($1::json) AS v)",
        )
        .bind(doc)
        .execute(&mut **t)
        .await
        .map(|_| ()),
    }
}

pub(super) const TOKEN_COLUMNS: [(&str, &str); 3] =
    [("token", ""), ("sort_key", ""), ("person_id", "bigint")];

/// Inserts the tokens of new people: one statement whatever their number.
pub(super) async fn insert_tokens(
    tx: &mut Tx,
    people: &[(i64, &PersonRecord)],
) -> Result<(), sqlx::Error> {
    insert_json(
        tx,
        "person_search",
        &TOKEN_COLUMNS,
        token_rows(people),
        None,
    )
    .await
}

/// The name-search token rows of people, as a JSON array.
pub(super) fn token_rows(people: &[(i64, &PersonRecord)]) -> String {
    let names: Vec<NameKeys> = people
        .iter()
        .map(|(id, r)| NameKeys {
            id: *id,
            folded: r.name_folded.clone(),
            initials: r.name_initials.clone(),
            pinyin: r.name_pinyin.clone(),
        })
        .collect();
    name_token_rows(&names)
}

/// The name-search token rows `(token, sort key, person id)` of people.
pub(super) fn token_tuples(people: &[(i64, &PersonRecord)]) -> Vec<(String, String, i64)> {
    people
        .iter()
        .flat_map(|(id, r)| {
            let key = crate::search::sort_key(&r.name_pinyin, &r.name_folded);
            crate::search::name_tokens(&r.name_folded, &r.name_initials)
                .into_iter()
                .map(move |t| (t, key.clone(), *id))
        })
        .collect()
}

/// The stored name forms of one person, from which the search tokens are made.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct NameKeys {
    id: i64,
    #[sqlx(rename = "name_folded")]
    folded: String,
    #[sqlx(rename = "name_initials")]
    initials: String,
    #[sqlx(rename = "name_pinyin")]
    pinyin: String,
}

pub(super) fn name_token_rows(people: &[NameKeys]) -> String {
    let rows: Vec<serde_json::Value> = people
        .iter()
        .flat_map(|n| {
            let key = crate::search::sort_key(&n.pinyin, &n.folded);
            crate::search::name_tokens(&n.folded, &n.initials)
                .into_iter()
                .map(move |t| json!([t, key, n.id]))
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// The version of the name tokens stored in `person_search`, kept in `settings`.
pub async fn name_index_version(tx: &mut Tx) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT value FROM settings WHERE key = 'person_search_version'")
        .fetch_optional(c).await)
}

/// Rebuilds every person's name-search tokens from the stored name forms (after the token
/// scheme changed) and records `version`; returns how many files were indexed.
pub async fn rebuild_name_index(tx: &mut Tx, version: &str) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM person_search").execute(c).await.map(|r| r.rows_affected()))?;
    let mut after = 0i64;
    let mut done = 0u64;
    loop {
        let batch: Vec<NameKeys> = on_tx!(tx, c => sqlx::query_as(
            "SELECT id, name_folded, name_initials, name_pinyin FROM people WHERE id > $1 ORDER BY id LIMIT 5000")
            .bind(after).fetch_all(c).await)?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        done += batch.len() as u64;
        insert_json(
            tx,
            "person_search",
            &TOKEN_COLUMNS,
            name_token_rows(&batch),
            None,
        )
        .await?;
    }
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('person_search_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(version).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(done)
}
