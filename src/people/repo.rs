//! SQL for person files and categories. Every read filters by the
//! caller's grants in SQL; minors' files only match youth-care grants.

use super::model::PersonId;
use crate::db::{Tx, insert_json, now};
use crate::on_tx;
use serde_json::json;

/// The person (alias `p`, unit alias `u`) is visible to account `$1`: an adult's file to
/// unit admins and staff of an enclosing unit, a minor's file to youth-care staff only.
macro_rules! person_in_scope {
    () => {
        $crate::person_visible!("$1")
    };
}

/// [`person_in_scope!`] for lists: the person's unit is among the units reached by the
/// account's person-keeping grants (`$1`), read from the grants through the path index, so a
/// narrow scope can drive the query; then the row-by-row check picks the role that fits the
/// file (youth care for minors, staff and unit admins for adults). One `IN` that both planners
/// can start from: with an `OR` of two, PostgreSQL scanned every unit and hashed every party
/// member of the province for a town's list (14 ms against 2.1 ms at 100,000 people).
macro_rules! person_scope_units {
    () => {
        concat!("u.id IN ", keeping_units!(), " AND ", person_in_scope!())
    };
}

/// SQL subquery: the units the person-keeping grants (unit admin, staff, youth care) of the
/// account bound as `$1` reach, each once (grants may overlap: staff of a town and admin of
/// one of its villages), read through the path index.
macro_rules! keeping_units {
    () => {
        concat!("(SELECT DISTINCT su.id FROM role_grants g JOIN units gu ON gu.id = g.unit_id \
          JOIN units su ON ", $crate::under!("su.path", "gu.path"), " \
          WHERE g.account_id = $1 AND g.revoked_at IS NULL AND g.role IN ('unit_admin', 'staff', 'youth_care'))")
    };
}

/// SQL subquery: the unit bound as `$6` and the units below it.
macro_rules! unit_subtree {
    () => {
        concat!(
            "(SELECT x.id FROM units r JOIN units x ON ",
            $crate::under!("x.path", "r.path"),
            " WHERE r.id = $6)"
        )
    };
}

/// How many units a person list may reach before it walks the files in name order instead
/// of starting from the units (about 40,000 people at 13 a village).
const NARROW_UNITS: i64 = 3000;

/// Whether a person list over the unit `unit` (or, without one, over the account's scope)
/// covers at most [`NARROW_UNITS`] units; counted through the path index, stopping there.
async fn is_narrow(tx: &mut Tx, account: i64, unit: Option<i64>) -> Result<bool, sqlx::Error> {
    let n: i64 = match unit {
        Some(unit) => on_tx!(tx, c => sqlx::query_scalar(
            concat!("SELECT COUNT(*) FROM (SELECT 1 FROM units r JOIN units s ON ", crate::under!("s.path", "r.path"), "
             WHERE r.id = $1 LIMIT $2) x"))
            .bind(unit).bind(NARROW_UNITS + 1).fetch_one(c).await)?,
        None => on_tx!(tx, c => sqlx::query_scalar(
            concat!("SELECT COUNT(*) FROM (SELECT 1 FROM role_grants g JOIN units r ON r.id = g.unit_id
                 JOIN units s ON ", crate::under!("s.path", "r.path"), "
             WHERE g.account_id = $1 AND g.revoked_at IS NULL AND g.role IN ('unit_admin', 'staff', 'youth_care')
             LIMIT $2) x"))
            .bind(account).bind(NARROW_UNITS + 1).fetch_one(c).await)?,
    };
    Ok(n <= NARROW_UNITS)
}

/// A person file as screens and the API show it: sensitive fields only masked.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PersonRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub id_number_mask: Option<String>,
    pub mobile_mask: Option<String>,
    pub has_address: bool,
    pub has_health: bool,
    pub has_emergency: bool,
    pub former_employer: Option<String>,
    pub post: Option<String>,
    pub level: Option<String>,
    pub party_join_date: Option<String>,
    pub living: Option<String>,
    pub status: String,
    pub died_on: Option<String>,
    pub skills: Option<String>,
    pub willing_to_serve: bool,
    pub is_minor: bool,
    pub account_id: Option<i64>,
    pub online_branch_id: Option<i64>,
}

const PERSON_COLS: &str = "p.id, p.unit_id, u.name AS unit_name, p.name, p.gender, p.birth_date, p.id_number_mask, \
    p.mobile_mask, (p.address_enc IS NOT NULL) AS has_address, (p.health_enc IS NOT NULL) AS has_health, \
    (p.emergency_enc IS NOT NULL) AS has_emergency, p.former_employer, p.post, p.level, p.party_join_date, \
    p.living, p.status, p.died_on, p.skills, p.willing_to_serve, p.is_minor, p.account_id, p.online_branch_id";

/// Everything written for a person; sensitive values already encrypted.
#[derive(Clone, Debug, Default)]
pub struct PersonRecord {
    pub unit_id: i64,
    pub name: String,
    pub name_folded: String,
    pub name_initials: String,
    pub name_pinyin: String,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub id_number: Option<Sealed>,
    pub mobile: Option<Sealed>,
    pub address_enc: Option<String>,
    pub health_enc: Option<String>,
    pub emergency_enc: Option<String>,
    pub former_employer: Option<String>,
    pub post: Option<String>,
    pub level: Option<String>,
    pub party_join_date: Option<String>,
    pub living: Option<String>,
    pub status: String,
    pub died_on: Option<String>,
    pub skills: Option<String>,
    pub willing_to_serve: bool,
    pub is_minor: bool,
}

/// An encrypted value with its blind index and mask.
#[derive(Clone, Debug, Default)]
pub struct Sealed {
    pub enc: String,
    pub idx: String,
    pub mask: String,
}

pub async fn insert(tx: &mut Tx, r: &PersonRecord) -> Result<PersonId, sqlx::Error> {
    let id = insert_row(tx, r).await?;
    insert_tokens(tx, &[(id, r)]).await?;
    Ok(PersonId(id))
}

/// The `people` row alone; the caller writes its search tokens.
async fn insert_row(tx: &mut Tx, r: &PersonRecord) -> Result<i64, sqlx::Error> {
    let t = now();
    let (id_enc, id_idx, id_mask) = split(&r.id_number);
    let (m_enc, m_idx, m_mask) = split(&r.mobile);
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO people (unit_id, name, name_folded, name_initials, name_pinyin, gender, birth_date,
             id_number_enc, id_number_idx, id_number_mask, mobile_enc, mobile_idx, mobile_mask,
             address_enc, health_enc, emergency_enc, former_employer, post, level, party_join_date,
             living, status, died_on, skills, willing_to_serve, is_minor, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                 $21, $22, $23, $24, $25, $26, $27, $27) RETURNING id")
        .bind(r.unit_id).bind(&r.name).bind(&r.name_folded).bind(&r.name_initials).bind(&r.name_pinyin)
        .bind(&r.gender).bind(&r.birth_date).bind(id_enc).bind(id_idx).bind(id_mask)
        .bind(m_enc).bind(m_idx).bind(m_mask).bind(&r.address_enc).bind(&r.health_enc).bind(&r.emergency_enc)
        .bind(&r.former_employer).bind(&r.post).bind(&r.level).bind(&r.party_join_date).bind(&r.living)
        .bind(&r.status).bind(&r.died_on).bind(&r.skills).bind(r.willing_to_serve).bind(r.is_minor).bind(t)
        .fetch_one(c).await)?;
    Ok(id)
}

fn split(s: &Option<Sealed>) -> (Option<&str>, Option<&str>, Option<&str>) {
    match s {
        Some(s) => (
            Some(s.enc.as_str()),
            Some(s.idx.as_str()),
            Some(s.mask.as_str()),
        ),
        None => (None, None, None),
    }
}

/// Deletes a person's name-search tokens, found by the primary key from the stored name
/// forms (`people` still holds the old name when this runs).
async fn delete_tokens(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
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

const TOKEN_COLUMNS: [(&str, &str); 3] = [("token", ""), ("sort_key", ""), ("person_id", "bigint")];

/// Inserts the tokens of new people: one statement whatever their number.
async fn insert_tokens(tx: &mut Tx, people: &[(i64, &PersonRecord)]) -> Result<(), sqlx::Error> {
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
fn token_rows(people: &[(i64, &PersonRecord)]) -> String {
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
fn token_tuples(people: &[(i64, &PersonRecord)]) -> Vec<(String, String, i64)> {
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
struct NameKeys {
    id: i64,
    #[sqlx(rename = "name_folded")]
    folded: String,
    #[sqlx(rename = "name_initials")]
    initials: String,
    #[sqlx(rename = "name_pinyin")]
    pinyin: String,
}

fn name_token_rows(people: &[NameKeys]) -> String {
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

/// Rewrites a person file (sensitive columns are written by the caller's `record` as given).
pub async fn update(tx: &mut Tx, id: PersonId, r: &PersonRecord) -> Result<(), sqlx::Error> {
    delete_tokens(tx, id.0).await?;
    let (id_enc, id_idx, id_mask) = split(&r.id_number);
    let (m_enc, m_idx, m_mask) = split(&r.mobile);
    on_tx!(tx, c => sqlx::query(
        "UPDATE people SET unit_id = $1, name = $2, name_folded = $3, name_initials = $4, name_pinyin = $5,
             gender = $6, birth_date = $7, id_number_enc = $8, id_number_idx = $9, id_number_mask = $10,
             mobile_enc = $11, mobile_idx = $12, mobile_mask = $13, address_enc = $14, health_enc = $15,
             emergency_enc = $16, former_employer = $17, post = $18, level = $19, party_join_date = $20,
             living = $21, status = $22, died_on = $23, skills = $24, willing_to_serve = $25, is_minor = $26,
             updated_at = $27
         WHERE id = $28")
        .bind(r.unit_id).bind(&r.name).bind(&r.name_folded).bind(&r.name_initials).bind(&r.name_pinyin)
        .bind(&r.gender).bind(&r.birth_date).bind(id_enc).bind(id_idx).bind(id_mask)
        .bind(m_enc).bind(m_idx).bind(m_mask).bind(&r.address_enc).bind(&r.health_enc).bind(&r.emergency_enc)
        .bind(&r.former_employer).bind(&r.post).bind(&r.level).bind(&r.party_join_date).bind(&r.living)
        .bind(&r.status).bind(&r.died_on).bind(&r.skills).bind(r.willing_to_serve).bind(r.is_minor).bind(now())
        .bind(id.0)
        .execute(c).await.map(|r| r.rows_affected()))?;
    insert_tokens(tx, &[(id.0, r)]).await
}

/// A `people` row as stored.
#[derive(sqlx::FromRow)]
struct Raw {
    id: i64,
    unit_id: i64,
    name: String,
    name_folded: String,
    name_initials: String,
    name_pinyin: String,
    gender: Option<String>,
    birth_date: Option<String>,
    id_number_enc: Option<String>,
    id_number_idx: Option<String>,
    id_number_mask: Option<String>,
    mobile_enc: Option<String>,
    mobile_idx: Option<String>,
    mobile_mask: Option<String>,
    address_enc: Option<String>,
    health_enc: Option<String>,
    emergency_enc: Option<String>,
    former_employer: Option<String>,
    post: Option<String>,
    level: Option<String>,
    party_join_date: Option<String>,
    living: Option<String>,
    status: String,
    died_on: Option<String>,
    skills: Option<String>,
    willing_to_serve: bool,
    is_minor: bool,
}

impl Raw {
    fn into_record(self) -> PersonRecord {
        let seal =
            |enc: Option<String>, idx: Option<String>, mask: Option<String>| match (enc, idx, mask)
            {
                (Some(enc), Some(idx), Some(mask)) => Some(Sealed { enc, idx, mask }),
                _ => None,
            };
        let r = self;
        PersonRecord {
            unit_id: r.unit_id,
            name: r.name,
            name_folded: r.name_folded,
            name_initials: r.name_initials,
            name_pinyin: r.name_pinyin,
            gender: r.gender,
            birth_date: r.birth_date,
            id_number: seal(r.id_number_enc, r.id_number_idx, r.id_number_mask),
            mobile: seal(r.mobile_enc, r.mobile_idx, r.mobile_mask),
            address_enc: r.address_enc,
            health_enc: r.health_enc,
            emergency_enc: r.emergency_enc,
            former_employer: r.former_employer,
            post: r.post,
            level: r.level,
            party_join_date: r.party_join_date,
            living: r.living,
            status: r.status,
            died_on: r.died_on,
            skills: r.skills,
            willing_to_serve: r.willing_to_serve,
            is_minor: r.is_minor,
        }
    }
}

/// The stored (encrypted) record of a person, for edits and reveals; no scope check.
pub async fn stored(tx: &mut Tx, id: PersonId) -> Result<Option<PersonRecord>, sqlx::Error> {
    let raw: Option<Raw> = on_tx!(tx, c => sqlx::query_as("SELECT * FROM people WHERE id = $1")
        .bind(id.0).fetch_optional(c).await)?;
    Ok(raw.map(Raw::into_record))
}

/// The stored record, locked until the transaction ends, for a change that writes back what
/// it does not change (the encrypted fields are kept as they are stored). Without the lock
/// on PostgreSQL a concurrent `yinyao rekey` or edit between the read and the write would be
/// undone. (SQLite's write transaction already excludes other writers.)
pub async fn stored_for_update(
    tx: &mut Tx,
    id: PersonId,
) -> Result<Option<PersonRecord>, sqlx::Error> {
    let raw: Option<Raw> = match tx {
        Tx::Sqlite(c) => {
            sqlx::query_as("SELECT * FROM people WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut **c)
                .await?
        }
        Tx::Postgres(c) => {
            sqlx::query_as("SELECT * FROM people WHERE id = $1 FOR UPDATE")
                .bind(id.0)
                .fetch_optional(&mut **c)
                .await?
        }
    };
    Ok(raw.map(Raw::into_record))
}

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

pub async fn exists(tx: &mut Tx, id: PersonId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE id = $1")
        .bind(id.0).fetch_one(c).await)?;
    Ok(n > 0)
}

/// One person file if the account may see it.
pub async fn get_in_scope(
    tx: &mut Tx,
    account: i64,
    id: PersonId,
) -> Result<Option<PersonRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {PERSON_COLS} FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id = $2 AND {}",
        person_in_scope!()
    );
    on_tx!(tx, c => sqlx::query_as::<_, PersonRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(account).bind(id.0).fetch_optional(c).await)
}

/// Search filters for the person list.
#[derive(Clone, Debug, Default)]
pub struct Search {
    /// Folded name fragment (`%…%`), checked on top of the token for queries longer than one.
    pub name_like: Option<String>,
    /// Exact blind-index match on ID number or mobile.
    pub index: Option<String>,
    /// The same value's index under the previous key, while `yinyao rekey` runs.
    pub index_previous: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub unit_id: Option<i64>,
    /// Skills or specialties containing this (escaped) text.
    pub skill_like: Option<String>,
    /// Only people willing to serve.
    pub willing_only: bool,
    /// Born on or after / on or before (`YYYY-MM-DD`), for age bands.
    pub born_from: Option<String>,
    pub born_to: Option<String>,
    /// A name-search token to scan in name order (see `person_search`).
    pub token: Option<String>,
    /// A pinyin prefix as a range `[from, to)` of `people.name_pinyin`.
    pub pinyin_range: Option<(String, String)>,
}

/// One page of people in scope, by name.
pub async fn search(
    tx: &mut Tx,
    account: i64,
    s: &Search,
    limit: i64,
    offset: i64,
) -> Result<Vec<PersonRow>, sqlx::Error> {
    let narrow = is_narrow(tx, account, s.unit_id).await?;
    search_planned(tx, account, s, limit, offset, narrow).await
}

/// [`search`] with the plan chosen by the caller: `narrow` starts from the units, otherwise
/// the files are walked in name order. Both give the same rows in the same order (tested,
/// since the test databases are always narrow).
#[doc(hidden)]
pub async fn search_planned(
    tx: &mut Tx,
    account: i64,
    s: &Search,
    limit: i64,
    offset: i64,
    narrow: bool,
) -> Result<Vec<PersonRow>, sqlx::Error> {
    // With a name, scan the search tokens in name order and stop at the page's end; without
    // one, walk the files in name order. A narrow list (a town, a county) starts from its
    // units instead, when the planner sees fit; a broad one (a province) must walk, which
    // SQLite is told with CROSS JOIN (its planner cannot tell the two apart from the bound
    // values; PostgreSQL's can). Only constant fragments are formatted in; every value is
    // bound.
    let join = if !narrow && matches!(tx, Tx::Sqlite(_)) {
        "CROSS JOIN"
    } else {
        "JOIN"
    };
    // A narrow list with a name checks each file's token by primary key (the sort key is
    // the stored name's), in the same order as the token walk.
    let by_token = s.token.is_some() && !narrow;
    // A narrow list starts from its few units in FROM: the unit filter's subtree, else the
    // units the account's person-keeping grants reach; the files' own scope check then runs
    // row by row. (As `u.id IN (…)` instead, PostgreSQL's generic plan scanned all 40,000
    // units to probe the set: 11 ms against well under 1 ms.)
    let narrow_units = if s.unit_id.is_some() {
        unit_subtree!()
    } else {
        keeping_units!()
    };
    let (from, order) = if by_token {
        (
            format!(
                "person_search s {join} people p ON p.id = s.person_id {join} units u ON u.id = p.unit_id"
            ),
            "s.sort_key, s.person_id",
        )
    } else if narrow {
        // An order no index gives (the name-search sort key): the few files are sorted.
        (
            format!(
                "{narrow_units} f JOIN people p ON p.unit_id = f.id JOIN units u ON u.id = p.unit_id"
            ),
            "p.name_pinyin || ':' || p.name_folded, p.id",
        )
    } else {
        (
            format!("people p {join} units u ON u.id = p.unit_id"),
            "p.name_pinyin, p.id",
        )
    };
    let scope = if narrow {
        person_in_scope!()
    } else {
        person_scope_units!()
    };
    // A narrow list's unit filter is its FROM already.
    let unit_filter = if s.unit_id.is_some() && !narrow {
        concat!("u.id IN ", unit_subtree!())
    } else if s.unit_id.is_some() {
        "TRUE"
    } else {
        "$6 IS NULL"
    };
    // A plain EXISTS, not `$4 IS NULL OR EXISTS …`: under an OR PostgreSQL hashes every
    // person of the category in the province before it reads the town's few files.
    let category_filter = if s.category.is_some() {
        "EXISTS (SELECT 1 FROM person_categories pc WHERE pc.person_id = p.id AND pc.category = $4)"
    } else {
        "$4 IS NULL"
    };
    let token_filter = if by_token {
        "s.token = $13 AND $14 IS NULL"
    } else if s.token.is_some() {
        "EXISTS (SELECT 1 FROM person_search s WHERE s.token = $13 AND s.sort_key = p.name_pinyin || ':' || p.name_folded
                 AND s.person_id = p.id) AND $14 IS NULL"
    } else if s.pinyin_range.is_some() {
        // The pinyin index serves a prefix as a range, in name order.
        "p.name_pinyin >= $13 AND p.name_pinyin < $14"
    } else {
        "$13 IS NULL AND $14 IS NULL"
    };
    let (from_key, to_key) = match &s.pinyin_range {
        Some((a, b)) if s.token.is_none() => (Some(a), Some(b)),
        _ => (s.token.as_ref(), None),
    };
    let sql = format!(
        "SELECT {PERSON_COLS} FROM {from}
         WHERE {token_filter} AND {scope}
           AND ($2 IS NULL OR p.name_folded LIKE '%' || $2 || '%' ESCAPE '\\')
           AND ($3 IS NULL OR p.id_number_idx = $3 OR p.mobile_idx = $3
                OR p.id_number_idx = $15 OR p.mobile_idx = $15)
           AND {category_filter}
           AND ($5 IS NULL OR p.status = $5)
           AND {unit_filter}
           AND ($9 IS NULL OR LOWER(p.skills) LIKE '%' || $9 || '%' ESCAPE '\\')
           AND ($10 = FALSE OR p.willing_to_serve = TRUE)
           AND ($11 IS NULL OR p.birth_date >= $11)
           AND ($12 IS NULL OR p.birth_date <= $12)
         ORDER BY {order} LIMIT $7 OFFSET $8"
    );
    on_tx!(tx, c => sqlx::query_as::<_, PersonRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(account).bind(&s.name_like).bind(&s.index).bind(&s.category)
        .bind(&s.status).bind(s.unit_id).bind(limit).bind(offset)
        .bind(&s.skill_like).bind(s.willing_only).bind(&s.born_from).bind(&s.born_to)
        .bind(from_key).bind(to_key).bind(&s.index_previous)
        .fetch_all(c).await)
}

pub async fn categories(tx: &mut Tx, id: PersonId) -> Result<Vec<String>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT category FROM person_categories WHERE person_id = $1 ORDER BY category")
        .bind(id.0).fetch_all(c).await)
}

pub async fn set_categories(tx: &mut Tx, id: PersonId, cats: &[&str]) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM person_categories WHERE person_id = $1")
        .bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    for cat in cats {
        on_tx!(tx, c => sqlx::query("INSERT INTO person_categories (person_id, category) VALUES ($1, $2)")
            .bind(id.0).bind(*cat).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Whether the account may keep files at this unit (`minor` picks the youth-care rule).
pub async fn unit_allows(
    tx: &mut Tx,
    account: i64,
    unit_id: i64,
    minor: bool,
) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        concat!("SELECT COUNT(*) FROM units u WHERE u.id = $2 AND u.active = TRUE AND EXISTS (
             SELECT 1 FROM role_grants g JOIN units gu ON gu.id = g.unit_id
             WHERE g.account_id = $1 AND g.revoked_at IS NULL AND ", crate::under!("u.path", "gu.path"), "
               AND (($3 AND g.role = 'youth_care') OR (NOT $3 AND g.role IN ('unit_admin', 'staff'))))"))
        .bind(account).bind(unit_id).bind(minor).fetch_one(c).await)?;
    Ok(n > 0)
}

/// Sets a file's status (a recorded death or move).
pub async fn set_status(
    tx: &mut Tx,
    id: PersonId,
    status: &str,
    died_on: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE people SET status = $1, died_on = COALESCE($2, died_on), updated_at = $3 WHERE id = $4")
        .bind(status).bind(died_on).bind(now()).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The person file linked to an account, if any.
pub async fn id_for_account(tx: &mut Tx, account: i64) -> Result<Option<PersonId>, sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar("SELECT id FROM people WHERE account_id = $1")
        .bind(account).fetch_optional(c).await)?;
    Ok(id.map(PersonId))
}

/// The masked row of a person by id, without a scope check (the owner's own file).
pub async fn row(tx: &mut Tx, id: PersonId) -> Result<Option<PersonRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {PERSON_COLS} FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id = $1"
    );
    on_tx!(tx, c => sqlx::query_as::<_, PersonRow>(sqlx::AssertSqlSafe(sql.clone())).bind(id.0).fetch_optional(c).await)
}

/// Links a person file to an account (or unlinks with `None`).
pub async fn set_account(
    tx: &mut Tx,
    id: PersonId,
    account: Option<i64>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE people SET account_id = $1, updated_at = $2 WHERE id = $3")
        .bind(account).bind(now()).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
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
async fn reserve_ids(tx: &mut Tx, n: usize) -> Result<Vec<i64>, sqlx::Error> {
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

/// The online branch of a mobile party member, with its name.
pub async fn online_branch(
    tx: &mut Tx,
    person: PersonId,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT u.id, u.name FROM people p JOIN units u ON u.id = p.online_branch_id WHERE p.id = $1")
        .bind(person.0).fetch_optional(c).await)
}

pub async fn set_online_branch(
    tx: &mut Tx,
    person: PersonId,
    branch: Option<i64>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE people SET online_branch_id = $2 WHERE id = $1")
        .bind(person.0).bind(branch).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether a unit is an active online branch (网络党支部).
pub async fn is_online_branch(tx: &mut Tx, unit: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM units WHERE id = $1 AND kind = 'online_branch' AND active = TRUE")
        .bind(unit).fetch_one(c).await)?;
    Ok(n > 0)
}

/// Active online branches, for the person form's choice.
pub async fn online_branches(tx: &mut Tx) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT id, name FROM units WHERE kind = 'online_branch' AND active = TRUE ORDER BY name, id")
        .fetch_all(c).await)
}
