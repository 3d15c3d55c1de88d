//! SQL for person files and categories. Every read filters by the
//! caller's grants in SQL; minors' files only match youth-care grants.

use super::model::{PersonId, Status};
use crate::db::{Tx, now};
use crate::ids::{AccountId, UnitId};
use crate::on_tx;

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

mod branches;
mod bulk;
mod search;
mod tokens;

pub use branches::{is_online_branch, online_branch, online_branches, set_online_branch};
pub use bulk::{SealedFields, export_batch, insert_many, reseal, sealed_batch};
pub use search::{Search, search, search_planned};
use tokens::{delete_tokens, insert_tokens};
pub use tokens::{name_index_version, rebuild_name_index};

/// A person file as screens and the API show it: sensitive fields only masked.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PersonRow {
    pub id: PersonId,
    pub unit_id: UnitId,
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
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub died_on: Option<String>,
    pub skills: Option<String>,
    pub willing_to_serve: bool,
    pub is_minor: bool,
    pub account_id: Option<AccountId>,
    pub online_branch_id: Option<UnitId>,
}

const PERSON_COLS: &str = "p.id, p.unit_id, u.name AS unit_name, p.name, p.gender, p.birth_date, p.id_number_mask, \
    p.mobile_mask, (p.address_enc IS NOT NULL) AS has_address, (p.health_enc IS NOT NULL) AS has_health, \
    (p.emergency_enc IS NOT NULL) AS has_emergency, p.former_employer, p.post, p.level, p.party_join_date, \
    p.living, p.status, p.died_on, p.skills, p.willing_to_serve, p.is_minor, p.account_id, p.online_branch_id";

/// Everything written for a person; sensitive values already encrypted.
#[derive(Clone, Debug)]
pub struct PersonRecord {
    pub unit_id: UnitId,
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
    unit_id: UnitId,
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

pub async fn exists(tx: &mut Tx, id: PersonId) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE id = $1")
        .bind(id.0).fetch_one(c).await)?;
    Ok(n > 0)
}

/// One person file if the account may see it.
pub async fn get_in_scope(
    tx: &mut Tx,
    account: AccountId,
    id: PersonId,
) -> Result<Option<PersonRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {PERSON_COLS} FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id = $2 AND {}",
        person_in_scope!()
    );
    on_tx!(tx, c => sqlx::query_as::<_, PersonRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(account).bind(id.0).fetch_optional(c).await)
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
    account: AccountId,
    unit_id: UnitId,
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
pub async fn id_for_account(
    tx: &mut Tx,
    account: AccountId,
) -> Result<Option<PersonId>, sqlx::Error> {
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
    account: Option<AccountId>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE people SET account_id = $1, updated_at = $2 WHERE id = $3")
        .bind(account).bind(now()).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The accounts linked to the active adults' files at or below the unit with `path`, of any
/// of `categories` (comma-separated codes; empty for all): whom a notice to members reaches.
pub async fn accounts_under(
    tx: &mut Tx,
    path: &str,
    categories: &str,
    tiers: &str,
) -> Result<Vec<AccountId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(concat!(
        "SELECT DISTINCT p.account_id FROM people p JOIN units u ON u.id = p.unit_id
         JOIN accounts a ON a.id = p.account_id AND a.active = TRUE
         WHERE ", crate::under!("u.path", "$1"), " AND p.status = 'active' AND NOT p.is_minor
           AND ($2 = '' OR EXISTS (SELECT 1 FROM person_categories pc WHERE pc.person_id = p.id
                AND (',' || $2 || ',') LIKE ('%,' || pc.category || ',%')))
           AND ($3 = '' OR EXISTS (SELECT 1 FROM care_plans cp WHERE cp.person_id = p.id
                AND (',' || $3 || ',') LIKE ('%,' || cp.tier || ',%')))
         ORDER BY p.account_id"))
        .bind(path).bind(categories).bind(tiers).fetch_all(c).await)
}

/// Active adults below the unit path `path` with a mobile on file and no account, of the
/// categories and tiers given (comma lists; empty: all): the registry a notice reaches by
/// SMS.
pub async fn registry_under(
    tx: &mut Tx,
    path: &str,
    categories: &str,
    tiers: &str,
) -> Result<Vec<PersonId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(concat!(
        "SELECT p.id FROM people p JOIN units u ON u.id = p.unit_id
         WHERE ", crate::under!("u.path", "$1"), " AND p.status = 'active' AND NOT p.is_minor
           AND p.account_id IS NULL AND p.mobile_enc IS NOT NULL
           AND ($2 = '' OR EXISTS (SELECT 1 FROM person_categories pc WHERE pc.person_id = p.id
                AND (',' || $2 || ',') LIKE ('%,' || pc.category || ',%')))
           AND ($3 = '' OR EXISTS (SELECT 1 FROM care_plans cp WHERE cp.person_id = p.id
                AND (',' || $3 || ',') LIKE ('%,' || cp.tier || ',%')))
         ORDER BY p.id"))
        .bind(path).bind(categories).bind(tiers).fetch_all(c).await)
}

/// Active adults filed at or below the unit path, oldest file first (generators).
pub async fn adults_under(
    tx: &mut Tx,
    path: &str,
    limit: i64,
) -> Result<Vec<(PersonId, Option<AccountId>)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(concat!(
        "SELECT p.id, p.account_id FROM people p JOIN units u ON u.id = p.unit_id
         WHERE p.status = 'active' AND NOT p.is_minor AND ", crate::under!("u.path", "$1"),
        " ORDER BY p.id LIMIT $2"))
        .bind(path).bind(limit).fetch_all(c).await)
}

/// Links the first active adult file of a unit without an account to `account` (generators);
/// returns the file and its name.
pub async fn link_first(
    tx: &mut Tx,
    unit: UnitId,
    account: AccountId,
) -> Result<Option<(PersonId, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "UPDATE people SET account_id = $2 WHERE id = (
            SELECT id FROM people WHERE unit_id = $1 AND account_id IS NULL AND status = 'active'
            AND NOT is_minor ORDER BY id LIMIT 1) RETURNING id, name")
        .bind(unit).bind(account).fetch_optional(c).await)
}
