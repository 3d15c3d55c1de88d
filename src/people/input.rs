//! A person file as submitted (form, API or roster row) and its validation into a record:
//! parsed fields, sealed sensitive values with their blind indexes and masks, the minor flag,
//! and what an audit entry says of a change.

use super::model::{self as m, Category};
use super::repo::{PersonRecord, Sealed};
use crate::accounts::model::parse_mobile;
use crate::crypto::FieldCrypto;
use crate::error::{AppError, AppResult, FieldError};
use crate::search::{fold, pinyin_full, pinyin_initials};
use chrono::Utc;
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

pub(super) fn given(s: &Option<String>) -> Option<&str> {
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
pub(super) fn audit_changes(
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
