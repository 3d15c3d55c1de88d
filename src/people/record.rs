//! A parsed person file (`input::NewPerson`) sealed into a stored record: sensitive values
//! encrypted with their blind indexes and masks, the name's search keys, the minor flag, and
//! what an audit entry says of a change.

use super::input::NewPerson;
use super::model as m;
use super::repo::{PersonRecord, Sealed};
use crate::crypto::FieldCrypto;
use crate::error::AppResult;
use crate::search::{fold, pinyin_full, pinyin_initials};
use chrono::Utc;
use serde_json::json;

fn seal(c: &FieldCrypto, kind: &str, value: &str, mask: String) -> AppResult<Sealed> {
    Ok(Sealed {
        enc: c.encrypt(value)?,
        idx: c.blind_index(kind, value),
        mask,
    })
}

/// Seals a parsed file into a record; `prev` supplies stored sensitive values kept on update.
pub fn build(c: &FieldCrypto, p: &NewPerson, prev: Option<&PersonRecord>) -> AppResult<Built> {
    let today = Utc::now().date_naive();
    let name = p.name.clone();
    let (id_number, mobile) = (&p.id_number, &p.mobile);
    let (address, health, emergency) = (&p.address, &p.health, &p.emergency);
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    let keep = |f: fn(&PersonRecord) -> Option<String>| prev.and_then(f);
    let record = PersonRecord {
        unit_id: p.unit_id,
        name_folded: fold(&name),
        name_initials: pinyin_initials(&name),
        name_pinyin: pinyin_full(&name),
        name,
        gender: p.gender.map(|g| g.as_str().to_string()),
        birth_date: date(p.birth_date),
        id_number: match id_number {
            Some(id) => Some(seal(c, "id_number", &id.value, m::mask_id(&id.value))?),
            None => prev.and_then(|p| p.id_number.clone()),
        },
        mobile: match mobile {
            Some(v) => Some(seal(c, "mobile", v, m::mask_mobile(v))?),
            None => prev.and_then(|p| p.mobile.clone()),
        },
        address_enc: match address {
            Some(v) => Some(c.encrypt(v)?),
            None => keep(|p| p.address_enc.clone()),
        },
        health_enc: match health {
            Some(v) => Some(c.encrypt(v)?),
            None => keep(|p| p.health_enc.clone()),
        },
        emergency_enc: match emergency {
            Some(v) => Some(c.encrypt(v)?),
            None => keep(|p| p.emergency_enc.clone()),
        },
        former_employer: p.former_employer.clone(),
        post: p.post.clone(),
        level: p.level.clone(),
        party_join_date: date(p.party_join_date),
        living: p.living.map(|l| l.as_str().to_string()),
        status: p.status.as_str().to_string(),
        died_on: date(p.died_on),
        skills: p.skills.clone(),
        willing_to_serve: p.willing_to_serve,
        is_minor: p.is_minor(today),
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
            text_differs(address, prev.and_then(|p| p.address_enc.as_ref())),
        ),
        (
            "health",
            text_differs(health, prev.and_then(|p| p.health_enc.as_ref())),
        ),
        (
            "emergency",
            text_differs(emergency, prev.and_then(|p| p.emergency_enc.as_ref())),
        ),
    ]
    .into_iter()
    .filter_map(|(k, set)| set.then_some(k))
    .collect();
    Ok(Built {
        record,
        categories: p.categories.iter().map(|c| c.as_str()).collect(),
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
