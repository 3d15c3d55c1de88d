//! SQL for person lists and searches, filtered by the caller's grants in SQL.

use super::{PERSON_COLS, PersonRow};
use crate::db::Tx;
use crate::ids::{AccountId, UnitId};
use crate::on_tx;

/// How many units a person list may reach before it walks the files in name order instead
/// of starting from the units (about 40,000 people at 13 a village).
pub(super) const NARROW_UNITS: i64 = 3000;

/// Whether a person list over the unit `unit` (or, without one, over the account's scope)
/// covers at most [`NARROW_UNITS`] units; counted through the path index, stopping there.
pub(super) async fn is_narrow(
    tx: &mut Tx,
    account: AccountId,
    unit: Option<UnitId>,
) -> Result<bool, sqlx::Error> {
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
    pub unit_id: Option<UnitId>,
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
    account: AccountId,
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
    account: AccountId,
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
