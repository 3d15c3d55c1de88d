//! Finding person files: the staff search (names in characters or pinyin, ID numbers and
//! mobiles by blind index), the talent pool, and the name index behind them.

use super::input::given;
use super::model::{self as m, Category};
use super::repo::{self, PersonRow, Search};
use crate::access::Perm;
use crate::accounts::model::parse_mobile;
use crate::crypto::FieldCrypto;
use crate::db::Tx;
use crate::error::{AppResult, FieldError};
use crate::ids::{AccountId, UnitId};
use crate::search::{fold, like_escape};
use crate::web::auth::Viewer;
use crate::web::form::Fields;
use chrono::{Datelike, Utc};

/// Search input as typed by staff.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct SearchInput {
    /// Full or partial name (Simplified or Traditional), pinyin initials (`zs`) or full
    /// pinyin, or an exact ID number or mobile.
    pub q: Option<String>,
    pub category: Option<String>,
    /// active (default), moved, deceased, or `all`.
    pub status: Option<String>,
    /// Only this unit and the units below it.
    pub unit: Option<i64>,
    pub page: Option<i64>,
}

/// A search parsed: the name part as typed, the category and status as codes (`None`
/// status: every status), the unit as an id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PersonQuery {
    pub q: Option<String>,
    pub category: Option<Category>,
    pub status: Option<m::Status>,
    pub unit: Option<UnitId>,
}

impl PersonQuery {
    /// Parses a search; one answer names every bad field.
    pub fn parse(raw: &SearchInput) -> AppResult<Self> {
        let mut f = Fields::new();
        let category = given(&raw.category)
            .and_then(|c| f.choice("category", Some(c), Category::parse).map(Some));
        let status = match given(&raw.status) {
            None => Some(Some(m::Status::Active)),
            Some("all") => Some(None),
            st => f.choice("status", st, m::Status::parse).map(Some),
        };
        let q = given(&raw.q).map(str::to_string);
        f.done(status.map(|status| PersonQuery {
            q,
            category: category.flatten(),
            status,
            unit: raw.unit.map(UnitId),
        }))
    }
}

/// People in scope matching what staff typed, a page of them.
pub async fn search(
    tx: &mut Tx,
    crypto: &FieldCrypto,
    v: &Viewer,
    query: &PersonQuery,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<PersonRow>> {
    v.scope(Perm::People)?;
    let mut s = repo::Search {
        category: query.category.map(|c| c.as_str().to_string()),
        unit_id: query.unit,
        status: query.status.map(|st| st.as_str().to_string()),
        ..Default::default()
    };
    if let Some(q) = &query.q {
        name_query(crypto, q, &mut s);
    }
    let found = repo::search(tx, v.p.id, &s, limit, offset).await?;
    if found.is_empty()
        && offset == 0
        && let Some((q, _)) = s.pinyin_range.take()
    {
        // Initials can hold a vowel too (欧阳建国 is `oyjg`): nothing under that pinyin
        // means the letters were initials.
        s.token = Some(format!("i:{q}"));
        return Ok(repo::search(tx, v.p.id, &s, limit, offset).await?);
    }
    Ok(found)
}

/// Talent-pool filters: skills and willingness to serve, with category, unit and age band.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct TalentInput {
    /// Part of a skill or specialty, e.g. 书法.
    pub skill: Option<String>,
    /// `1`: only people willing to serve.
    pub willing: Option<String>,
    pub category: Option<String>,
    /// Only this unit and the units below it.
    #[serde(default, deserialize_with = "crate::web::blank_as_none")]
    pub unit: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::blank_as_none")]
    pub age_min: Option<i32>,
    #[serde(default, deserialize_with = "crate::web::blank_as_none")]
    pub age_max: Option<i32>,
    #[serde(default, deserialize_with = "crate::web::blank_as_none")]
    pub page: Option<i64>,
}

/// A talent search parsed: the category as a code, the unit as an id, the age band checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TalentQuery {
    pub skill: Option<String>,
    pub willing_only: bool,
    pub category: Option<Category>,
    pub unit: Option<UnitId>,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
}

impl TalentQuery {
    /// Parses a talent search; one answer names every bad field.
    pub fn parse(raw: &TalentInput) -> AppResult<Self> {
        let mut f = Fields::new();
        let category =
            given(&raw.category).and_then(|c| f.choice("category", Some(c), Category::parse));
        let bad_age = |a: &Option<i32>| a.is_some_and(|a| !(0..=130).contains(&a));
        if bad_age(&raw.age_min) || bad_age(&raw.age_max) {
            f.add(FieldError::new("age_min", "validation.age_band"));
        }
        f.done(Some(TalentQuery {
            skill: given(&raw.skill).map(str::to_string),
            willing_only: raw.willing.as_deref() == Some("1"),
            category,
            unit: raw.unit.map(UnitId),
            age_min: raw.age_min,
            age_max: raw.age_max,
        }))
    }
}

/// People in scope matching a talent search (active files only).
pub async fn talent(
    tx: &mut Tx,
    v: &Viewer,
    t: &TalentQuery,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<PersonRow>> {
    v.scope(Perm::People)?;
    let today = Utc::now().date_naive();
    // Age band to birth dates: aged at least `min` means born on or before today − min years.
    let years_ago = |y: i32| {
        today
            .with_year(today.year() - y)
            .unwrap_or(today)
            .to_string()
    };
    let s = repo::Search {
        category: t.category.map(|c| c.as_str().to_string()),
        unit_id: t.unit,
        status: Some(m::Status::Active.as_str().into()),
        skill_like: t.skill.as_deref().map(|k| like_escape(&k.to_lowercase())),
        willing_only: t.willing_only,
        born_to: t.age_min.map(years_ago),
        born_from: t.age_max.map(|a| years_ago(a + 1)),
        ..Default::default()
    };
    Ok(repo::search(tx, v.p.id, &s, limit, offset).await?)
}

/// Fills the name part of a search from what staff typed: an ID number or mobile (exact,
/// by blind index), pinyin initials (a search token), the start of the pinyin (a range of
/// the pinyin index) or characters (a search token, plus a check of the whole name when
/// longer than a token).
pub fn name_query(crypto: &FieldCrypto, q: &str, s: &mut repo::Search) {
    let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    let mut exact = |kind: &str, value: &str| {
        let mut both = crypto.blind_indexes(kind, value).into_iter();
        s.index = both.next();
        s.index_previous = both.next();
    };
    if let Ok(id) = m::parse_id_number(&compact) {
        exact("id_number", &id.value);
    } else if let Ok(mobile) = parse_mobile(&compact) {
        exact("mobile", &mobile);
    } else if compact.chars().all(|c| c.is_ascii_alphabetic()) {
        // Letters without a vowel are initials (`zs`); with one, the start of the pinyin
        // (`zhan` finds 张三 as well as 詹).
        let q = compact.to_lowercase();
        if q.chars().any(|c| "aeiouv".contains(c)) {
            let end = crate::search::prefix_end(&q);
            s.pinyin_range = Some((q, end));
        } else {
            s.token = Some(format!("i:{q}"));
        }
    } else {
        let folded: String = fold(&compact)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let head: String = folded.chars().take(crate::search::MAX_FRAGMENT).collect();
        // Fragments longer than a token scan the token of their start and check the rest.
        if folded.chars().count() > crate::search::MAX_FRAGMENT {
            s.name_like = Some(like_escape(&folded));
        }
        s.token = Some(format!("s:{head}"));
    }
}

/// Re-indexes the names of every person file when the stored tokens were made by another
/// version of the token scheme (or never made); returns how many files were re-indexed.
/// Runs at start-up in the caller's write transaction.
pub async fn ensure_name_index(tx: &mut Tx) -> Result<Option<u64>, sqlx::Error> {
    let version = crate::search::NAME_TOKENS_VERSION;
    if repo::name_index_version(tx).await?.as_deref() == Some(version) {
        return Ok(None);
    }
    Ok(Some(repo::rebuild_name_index(tx, version).await?))
}

/// A search as the account bound would run it, without the checks of [`search`] (the bench
/// times it at the command line).
pub async fn search_as(
    tx: &mut Tx,
    account: AccountId,
    s: &Search,
    limit: i64,
    offset: i64,
) -> Result<Vec<PersonRow>, sqlx::Error> {
    repo::search(tx, account, s, limit, offset).await
}

/// [`search_as`] with the plan chosen by the caller (`narrow`: start from the units), so a
/// test can show that both plans find the same files.
pub async fn search_planned(
    tx: &mut Tx,
    account: AccountId,
    s: &Search,
    limit: i64,
    offset: i64,
    narrow: bool,
) -> Result<Vec<PersonRow>, sqlx::Error> {
    repo::search_planned(tx, account, s, limit, offset, narrow).await
}
