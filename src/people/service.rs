//! Person use cases shared by pages and API: validate, encrypt, scope-check, write, audit.

use super::model::{self as m, Category, PersonId, Sensitive};
use super::repo::{self, PersonRecord, PersonRow, Sealed, Search};
use crate::access::Perm;
use crate::access::Visible;
use crate::accounts::model::parse_mobile;
use crate::audit::{model::Event, repo as audit};
use crate::crypto::FieldCrypto;
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::search::{fold, like_escape, pinyin_full, pinyin_initials};
use crate::web::auth::Viewer;
use chrono::{Datelike, Utc};
use serde_json::json;

/// A person file as submitted. Empty strings count as "not given"; on an update, sensitive
/// fields left empty keep their stored value (screens never hold them in clear).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PersonInput {
    pub unit_id: i64,
    pub name: String,
    pub gender: Option<String>,
    /// `YYYY-MM-DD`; taken from the ID number when empty.
    pub birth_date: Option<String>,
    pub id_number: Option<String>,
    pub mobile: Option<String>,
    pub address: Option<String>,
    pub health: Option<String>,
    pub emergency: Option<String>,
    pub former_employer: Option<String>,
    pub post: Option<String>,
    pub level: Option<String>,
    pub party_join_date: Option<String>,
    pub living: Option<String>,
    /// active, moved or deceased (default active).
    pub status: Option<String>,
    pub died_on: Option<String>,
    pub skills: Option<String>,
    pub willing_to_serve: bool,
    /// Any of lixiu, tuixiu, party_member, mobile_member, wulao, volunteer, youth.
    pub categories: Vec<String>,
    /// For a mobile party member (`mobile_member`): the online branch (网络党支部) they
    /// take part in, a unit of kind `online_branch`.
    pub online_branch_id: Option<i64>,
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn seal(c: &FieldCrypto, kind: &str, value: &str, mask: String) -> AppResult<Sealed> {
    Ok(Sealed {
        enc: c.encrypt(value)?,
        idx: c.blind_index(kind, value),
        mask,
    })
}

/// Validates input into a record; `prev` supplies stored sensitive values kept on update.
pub fn build(
    c: &FieldCrypto,
    input: &PersonInput,
    prev: Option<&PersonRecord>,
) -> AppResult<Built> {
    let today = Utc::now().date_naive();
    let mut errors: Vec<FieldError> = Vec::new();
    let id_number = match given(&input.id_number).map(m::parse_id_number).transpose() {
        Ok(v) => v,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let mut ok =
        |r: Result<Option<String>, FieldError>| r.map_err(|e| errors.push(e)).ok().flatten();
    let name = m::parse_name(&input.name).map(Some);
    let name = ok(name);
    let gender = ok(given(&input.gender)
        .map(|g| {
            m::Gender::parse(g)
                .map(|g| g.as_str().to_string())
                .ok_or(FieldError::new("gender", "validation.choice"))
        })
        .transpose());
    let living = ok(given(&input.living)
        .map(|g| {
            m::Living::parse(g)
                .map(|g| g.as_str().to_string())
                .ok_or(FieldError::new("living", "validation.choice"))
        })
        .transpose());
    let status = ok(given(&input.status)
        .map(|g| {
            m::Status::parse(g)
                .map(|g| g.as_str().to_string())
                .ok_or(FieldError::new("status", "validation.choice"))
        })
        .transpose())
    .unwrap_or_else(|| "active".into());
    let birth = ok(given(&input.birth_date)
        .map(|d| m::parse_past_date("birth_date", d, today).map(|d| d.to_string()))
        .transpose());
    let party = ok(given(&input.party_join_date)
        .map(|d| m::parse_past_date("party_join_date", d, today).map(|d| d.to_string()))
        .transpose());
    let died = ok(given(&input.died_on)
        .map(|d| m::parse_past_date("died_on", d, today).map(|d| d.to_string()))
        .transpose());
    let mobile = ok(given(&input.mobile)
        .map(|v| parse_mobile(v).map_err(|e| FieldError::new("mobile", e.key)))
        .transpose());
    let former_employer = ok(m::parse_text(
        "former_employer",
        input.former_employer.as_deref(),
        100,
    ));
    let post = ok(m::parse_text("post", input.post.as_deref(), 60));
    let level = ok(m::parse_text("level", input.level.as_deref(), 40));
    let skills = ok(m::parse_text("skills", input.skills.as_deref(), 500));
    let address = ok(m::parse_text("address", input.address.as_deref(), 200));
    let health = ok(m::parse_text("health", input.health.as_deref(), 1000));
    let emergency = ok(m::parse_text("emergency", input.emergency.as_deref(), 200));
    let mut cats = Vec::new();
    for cat in &input.categories {
        match Category::parse(cat.trim()) {
            Some(c) if !cats.contains(&c.as_str()) => cats.push(c.as_str()),
            Some(_) => {}
            None => errors.push(FieldError::new("categories", "validation.choice")),
        }
    }
    // The ID number carries the birth date: it must agree with the field, or fill it.
    let birth = match (&id_number, birth) {
        (Some(id), Some(b)) if id.birth.to_string() != b => {
            errors.push(FieldError::new(
                "birth_date",
                "validation.id_birth_mismatch",
            ));
            Some(b)
        }
        (Some(id), None) => Some(id.birth.to_string()),
        (_, b) => b,
    };
    if status == "deceased" && died.is_none() {
        errors.push(FieldError::new("died_on", "validation.died_on_required"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let name = name.unwrap_or_default();
    let is_minor = cats.contains(&"youth")
        || birth
            .as_deref()
            .and_then(|b| chrono::NaiveDate::parse_from_str(b, "%Y-%m-%d").ok())
            .is_some_and(|b| m::age_on(b, today) < 18);
    let keep = |f: fn(&PersonRecord) -> Option<String>| prev.and_then(f);
    let record = PersonRecord {
        unit_id: input.unit_id,
        name_folded: fold(&name),
        name_initials: pinyin_initials(&name),
        name_pinyin: pinyin_full(&name),
        name,
        gender,
        birth_date: birth,
        id_number: match &id_number {
            Some(id) => Some(seal(c, "id_number", &id.value, m::mask_id(&id.value))?),
            None => prev.and_then(|p| p.id_number.clone()),
        },
        mobile: match &mobile {
            Some(v) => Some(seal(c, "mobile", v, m::mask_mobile(v))?),
            None => prev.and_then(|p| p.mobile.clone()),
        },
        address_enc: match &address {
            Some(v) => Some(c.encrypt(v)?),
            None => keep(|p| p.address_enc.clone()),
        },
        health_enc: match &health {
            Some(v) => Some(c.encrypt(v)?),
            None => keep(|p| p.health_enc.clone()),
        },
        emergency_enc: match &emergency {
            Some(v) => Some(c.encrypt(v)?),
            None => keep(|p| p.emergency_enc.clone()),
        },
        former_employer,
        post,
        level,
        party_join_date: party,
        living,
        status,
        died_on: died,
        skills,
        willing_to_serve: input.willing_to_serve,
        is_minor,
    };
    // Names of the sensitive fields this input changes, for the audit trail (never the
    // values): ID number and mobile by their blind index, the others by their text.
    let idx_differs = |new: &Option<super::repo::Sealed>, old: Option<&super::repo::Sealed>| {
        new.as_ref().map(|s| &s.idx) != old.map(|s| &s.idx)
    };
    let text_differs = |new: &Option<String>, old: Option<&String>| -> bool {
        new.is_some() && new.as_deref() != old.and_then(|e| c.decrypt(e).ok()).as_deref()
    };
    let changed = [
        (
            "id_number",
            id_number.is_some()
                && idx_differs(&record.id_number, prev.and_then(|p| p.id_number.as_ref())),
        ),
        (
            "mobile",
            mobile.is_some() && idx_differs(&record.mobile, prev.and_then(|p| p.mobile.as_ref())),
        ),
        (
            "address",
            text_differs(&address, prev.and_then(|p| p.address_enc.as_ref())),
        ),
        (
            "health",
            text_differs(&health, prev.and_then(|p| p.health_enc.as_ref())),
        ),
        (
            "emergency",
            text_differs(&emergency, prev.and_then(|p| p.emergency_enc.as_ref())),
        ),
    ]
    .into_iter()
    .filter_map(|(k, set)| set.then_some(k))
    .collect();
    Ok(Built {
        record,
        categories: cats,
        sensitive_set: changed,
    })
}

/// A validated record, its categories, and the names of the sensitive fields it sets or changes.
pub struct Built {
    pub record: PersonRecord,
    pub categories: Vec<&'static str>,
    pub sensitive_set: Vec<&'static str>,
}

/// The non-sensitive part of a record, for before/after in the audit trail.
/// What an audit entry says of a file's change: which fields were set or changed, never their
/// values (the audit admin reads no personal data). The unit and status are stated, since
/// they say where the file is and whether it is active; the ID number and mobile appear masked
/// as the screens mask them. `sensitive` names the encrypted fields that changed.
fn audit_changes(
    prev: Option<&PersonRecord>,
    next: &PersonRecord,
    sensitive: &[&str],
) -> serde_json::Value {
    let plain = |r: &PersonRecord| {
        [
            ("name", Some(r.name.clone())),
            ("gender", r.gender.clone()),
            ("birth_date", r.birth_date.clone()),
            ("former_employer", r.former_employer.clone()),
            ("post", r.post.clone()),
            ("level", r.level.clone()),
            ("party_join_date", r.party_join_date.clone()),
            ("living", r.living.clone()),
            ("died_on", r.died_on.clone()),
            ("skills", r.skills.clone()),
            ("willing_to_serve", Some(r.willing_to_serve.to_string())),
        ]
    };
    let after = plain(next);
    let mut fields: Vec<&str> = match prev {
        Some(p) => plain(p)
            .iter()
            .zip(after.iter())
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, _)| a.0)
            .collect(),
        None => after
            .iter()
            .filter(|f| f.1.is_some())
            .map(|f| f.0)
            .collect(),
    };
    fields.extend(sensitive.iter().copied());
    let masked = |s: &Option<super::repo::Sealed>| s.as_ref().map(|s| s.mask.clone());
    json!({
        "fields": fields,
        "unit_id": { "before": prev.map(|p| p.unit_id), "after": next.unit_id },
        "status": { "before": prev.map(|p| p.status.clone()), "after": next.status },
        "id_number": sensitive.contains(&"id_number").then(|| masked(&next.id_number)),
        "mobile": sensitive.contains(&"mobile").then(|| masked(&next.mobile)),
    })
}

async fn visible(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<PersonRow> {
    match repo::get_in_scope(tx, v.p.id.0, id).await? {
        Some(p) => Ok(p),
        None if repo::exists(tx, id).await? => Err(AppError::OutOfScope),
        None => Err(AppError::NotFound),
    }
}

/// A file the caller has been shown to see, and its categories, in the caller's transaction.
/// The online branch (id and name) of a file the caller may see, in the caller's transaction.
pub async fn online_branch_in(
    tx: &mut Tx,
    who: Visible<PersonId>,
) -> AppResult<Option<(i64, String)>> {
    Ok(repo::online_branch(tx, who.id()).await?)
}

pub async fn load_in(tx: &mut Tx, who: Visible<PersonId>) -> AppResult<(PersonRow, Vec<String>)> {
    let p = repo::row(tx, who.id()).await?.ok_or(AppError::NotFound)?;
    let cats = repo::categories(tx, who.id()).await?;
    Ok((p, cats))
}

/// Sets a file's status after a life event recorded by care (a death or a move), in the
/// caller's write transaction; the caller audits the event.
pub async fn set_status(
    tx: &mut Tx,
    who: Visible<PersonId>,
    status: &str,
    died_on: Option<&str>,
) -> AppResult<()> {
    Ok(repo::set_status(tx, who.id(), status, died_on).await?)
}

/// The file linked to an account, if any (the home page offers it).
pub async fn file_of_account(tx: &mut Tx, account: i64) -> AppResult<Option<PersonId>> {
    Ok(repo::id_for_account(tx, account).await?)
}

/// A search as the account bound would run it, without the checks of [`search`] (the bench
/// times it at the command line).
pub async fn search_as(
    tx: &mut Tx,
    account: i64,
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
    account: i64,
    s: &Search,
    limit: i64,
    offset: i64,
    narrow: bool,
) -> Result<Vec<PersonRow>, sqlx::Error> {
    repo::search_planned(tx, account, s, limit, offset, narrow).await
}

/// A file the caller may see with the people permission, and its categories.
pub async fn load(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<(PersonRow, Vec<String>)> {
    let scope = v.scope(Perm::People)?;
    let who = crate::access::person(tx, &scope, id).await?;
    load_in(tx, who).await
}

/// Files a new person in the caller's write transaction, with its audit entry and event.
pub async fn create(
    tx: &mut Tx,
    crypto: &FieldCrypto,
    v: &Viewer,
    input: &PersonInput,
) -> AppResult<PersonId> {
    v.scope(Perm::People)?;
    let Built {
        record,
        categories: cats,
        sensitive_set: sensitive,
    } = build(crypto, input, None)?;
    if !repo::unit_allows(tx, v.p.id.0, record.unit_id, record.is_minor).await? {
        return Err(AppError::field(
            "unit_id",
            if record.is_minor {
                "validation.minor_unit"
            } else {
                "validation.unit_scope"
            },
        ));
    }
    check_branch(tx, input.online_branch_id, &cats).await?;
    let id = repo::insert(tx, &record).await.map_err(duplicate_id)?;
    repo::set_categories(tx, id, &cats).await?;
    repo::set_online_branch(tx, id, input.online_branch_id).await?;
    let filed = crate::outbox::DomainEvent::new(
        crate::outbox::Kind::PeopleFiled,
        format!("person:{}", id.0),
    )
    .unit(record.unit_id)
    .actor(Some(v.p.id.0))
    .payload(json!({ "categories": cats }));
    crate::outbox::emit(tx, filed).await?;
    let event = Event::ok("person.create", format!("person:{}", id.0))
        .unit(record.unit_id)
        .detail(
            json!({ "change": audit_changes(None, &record, &sensitive), "categories_set": !cats.is_empty(),
                    "online_branch_id": input.online_branch_id }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// An online branch must be an active unit of that kind, and only a mobile party member
/// has one.
async fn check_branch(tx: &mut Tx, branch: Option<i64>, cats: &[&str]) -> AppResult<()> {
    let Some(b) = branch else { return Ok(()) };
    if !cats.contains(&Category::MobileMember.as_str()) {
        return Err(AppError::field(
            "online_branch_id",
            "validation.online_branch_category",
        ));
    }
    if !repo::is_online_branch(tx, b).await? {
        return Err(AppError::field(
            "online_branch_id",
            "validation.online_branch",
        ));
    }
    Ok(())
}

fn duplicate_id(e: sqlx::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => AppError::field("id_number", "validation.id_duplicate"),
        other => other,
    }
}

/// Changes a file the caller may see, in the caller's write transaction.
pub async fn update(
    tx: &mut Tx,
    crypto: &FieldCrypto,
    v: &Viewer,
    id: PersonId,
    input: &PersonInput,
) -> AppResult<()> {
    v.scope(Perm::People)?;
    visible(tx, v, id).await?;
    let prev = repo::stored_for_update(tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Built {
        record,
        categories: cats,
        sensitive_set: sensitive,
    } = build(crypto, input, Some(&prev))?;
    if !repo::unit_allows(tx, v.p.id.0, record.unit_id, record.is_minor).await? {
        return Err(AppError::field(
            "unit_id",
            if record.is_minor {
                "validation.minor_unit"
            } else {
                "validation.unit_scope"
            },
        ));
    }
    check_branch(tx, input.online_branch_id, &cats).await?;
    repo::update(tx, id, &record).await.map_err(duplicate_id)?;
    let before_cats = repo::categories(tx, id).await?;
    repo::set_categories(tx, id, &cats).await?;
    let before_branch = repo::online_branch(tx, id).await?.map(|b| b.0);
    repo::set_online_branch(tx, id, input.online_branch_id).await?;
    if prev.unit_id != record.unit_id {
        let moved = crate::outbox::DomainEvent::new(
            crate::outbox::Kind::PersonMoved,
            format!("person:{}", id.0),
        )
        .unit(record.unit_id)
        .actor(Some(v.p.id.0))
        .payload(json!({ "from": prev.unit_id, "to": record.unit_id }));
        crate::outbox::emit(tx, moved).await?;
    }
    let event = Event::ok("person.update", format!("person:{}", id.0)).unit(record.unit_id).detail(json!({
        "change": audit_changes(Some(&prev), &record, &sensitive),
        "categories_changed": before_cats.iter().map(String::as_str).collect::<Vec<_>>() != cats,
        "online_branch_before": before_branch, "online_branch_after": input.online_branch_id,
    }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// Decrypts one sensitive field of one file for an allowed viewer; every reveal is audited
/// (in the caller's write transaction).
pub async fn reveal(
    tx: &mut Tx,
    crypto: &FieldCrypto,
    v: &Viewer,
    id: PersonId,
    field: Sensitive,
) -> AppResult<Option<String>> {
    v.scope(Perm::People)?;
    let row = visible(tx, v, id).await?;
    let rec = repo::stored(tx, id).await?.ok_or(AppError::NotFound)?;
    let enc = match field {
        Sensitive::IdNumber => rec.id_number.map(|s| s.enc),
        Sensitive::Mobile => rec.mobile.map(|s| s.enc),
        Sensitive::Address => rec.address_enc,
        Sensitive::Health => rec.health_enc,
        Sensitive::Emergency => rec.emergency_enc,
    };
    let value = enc.map(|e| crypto.decrypt(&e)).transpose()?;
    let event = Event::ok("person.reveal", format!("person:{}", id.0))
        .unit(row.unit_id)
        .detail(json!({ "field": field.as_str() }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(value)
}

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

/// People in scope matching what staff typed, a page of them.
pub async fn search(
    tx: &mut Tx,
    crypto: &FieldCrypto,
    v: &Viewer,
    input: &SearchInput,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<PersonRow>> {
    v.scope(Perm::People)?;
    let mut s = repo::Search {
        category: given(&input.category).map(str::to_string),
        unit_id: input.unit,
        ..Default::default()
    };
    s.status = match given(&input.status) {
        None => Some("active".into()),
        Some("all") => None,
        Some(st) => Some(
            m::Status::parse(st)
                .ok_or(AppError::field("status", "validation.choice"))?
                .as_str()
                .to_string(),
        ),
    };
    if let Some(c) = &s.category
        && Category::parse(c).is_none()
    {
        return Err(AppError::field("category", "validation.choice"));
    }
    if let Some(q) = given(&input.q) {
        name_query(crypto, q, &mut s);
    }
    let found = repo::search(tx, v.p.id.0, &s, limit, offset).await?;
    if found.is_empty()
        && offset == 0
        && let Some((q, _)) = s.pinyin_range.take()
    {
        // Initials can hold a vowel too (欧阳建国 is `oyjg`): nothing under that pinyin
        // means the letters were initials.
        s.token = Some(format!("i:{q}"));
        return Ok(repo::search(tx, v.p.id.0, &s, limit, offset).await?);
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

/// People in scope matching a talent search (active files only).
pub async fn talent(
    tx: &mut Tx,
    v: &Viewer,
    t: &TalentInput,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<PersonRow>> {
    v.scope(Perm::People)?;
    if let Some(c) = given(&t.category)
        && Category::parse(c).is_none()
    {
        return Err(AppError::field("category", "validation.choice"));
    }
    let today = Utc::now().date_naive();
    let bad_age = |a: &Option<i32>| a.is_some_and(|a| !(0..=130).contains(&a));
    if bad_age(&t.age_min) || bad_age(&t.age_max) {
        return Err(AppError::field("age_min", "validation.age_band"));
    }
    // Age band to birth dates: aged at least `min` means born on or before today − min years.
    let years_ago = |y: i32| {
        today
            .with_year(today.year() - y)
            .unwrap_or(today)
            .to_string()
    };
    let s = repo::Search {
        category: given(&t.category).map(str::to_string),
        unit_id: t.unit,
        status: Some("active".into()),
        skill_like: given(&t.skill).map(|k| like_escape(&k.to_lowercase())),
        willing_only: t.willing.as_deref() == Some("1"),
        born_to: t.age_min.map(years_ago),
        born_from: t.age_max.map(|a| years_ago(a + 1)),
        ..Default::default()
    };
    Ok(repo::search(tx, v.p.id.0, &s, limit, offset).await?)
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
