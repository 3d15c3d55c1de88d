//! Person use cases shared by pages and API: validate, encrypt, scope-check, write, audit.
//! The input and its validation are `input`; searches and the talent pool are `search`.

use super::model::{Category, PersonId, Sensitive, Status};
use super::record::audit_changes;
use super::repo::{self, PersonRow};
use crate::access::Perm;
use crate::access::Visible;
use crate::audit::{self as audit, model::Event};
use crate::crypto::FieldCrypto;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::{AccountId, UnitId};
use crate::web::auth::Viewer;
use serde_json::json;

pub use super::input::{NewPerson, PersonInput};
pub use super::record::{Built, build};
pub use super::search::{
    PersonQuery, SearchInput, TalentInput, TalentQuery, ensure_name_index, name_query, search,
    search_as, search_planned, talent,
};

async fn visible(tx: &mut Tx, v: &Viewer, id: PersonId) -> AppResult<PersonRow> {
    match repo::get_in_scope(tx, v.p.id, id).await? {
        Some(p) => Ok(p),
        None if repo::exists(tx, id).await? => Err(AppError::OutOfScope),
        None => Err(AppError::NotFound),
    }
}

/// The online branch (id and name) of a file the caller may see, in the caller's transaction.
pub async fn online_branch_in(
    tx: &mut Tx,
    who: Visible<PersonId>,
) -> AppResult<Option<(UnitId, String)>> {
    Ok(repo::online_branch(tx, who.id()).await?)
}

/// A file the caller has been shown to see, and its categories, in the caller's transaction.
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
    status: Status,
    died_on: Option<chrono::NaiveDate>,
) -> AppResult<()> {
    let died_on = died_on.map(|d| d.to_string());
    repo::set_status(tx, who.id(), status.as_str(), died_on.as_deref()).await?;
    if let Some(p) = repo::row(tx, who.id()).await? {
        crate::outbox::records_changed(tx, p.unit_id.0, None, format!("person:{}", who.id().0))
            .await?;
    }
    Ok(())
}

/// The file linked to an account, if any (the home page offers it).
pub async fn file_of_account(tx: &mut Tx, account: AccountId) -> AppResult<Option<PersonId>> {
    Ok(repo::id_for_account(tx, account).await?)
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
    person: &NewPerson,
) -> AppResult<PersonId> {
    v.scope(Perm::People)?;
    let Built {
        record,
        categories: cats,
        sensitive_set: sensitive,
    } = build(crypto, person, None)?;
    if !repo::unit_allows(tx, v.p.id, record.unit_id, record.is_minor).await? {
        return Err(AppError::field(
            "unit_id",
            if record.is_minor {
                "validation.minor_unit"
            } else {
                "validation.unit_scope"
            },
        ));
    }
    check_branch(tx, person.online_branch_id, &cats).await?;
    let id = repo::insert(tx, &record).await.map_err(duplicate_id)?;
    repo::set_categories(tx, id, &cats).await?;
    repo::set_online_branch(tx, id, person.online_branch_id).await?;
    let filed = crate::outbox::DomainEvent::new(
        crate::outbox::Kind::PeopleFiled,
        format!("person:{}", id.0),
    )
    .unit(record.unit_id.0)
    .actor(Some(v.p.id.0))
    .payload(json!({ "categories": cats }));
    crate::outbox::emit(tx, filed).await?;
    let event = Event::ok("person.create", format!("person:{}", id.0))
        .unit(record.unit_id.0)
        .detail(
            json!({ "change": audit_changes(None, &record, &sensitive), "categories_set": !cats.is_empty(),
                    "online_branch_id": person.online_branch_id }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// An online branch must be an active unit of that kind, and only a mobile party member
/// has one.
async fn check_branch(tx: &mut Tx, branch: Option<UnitId>, cats: &[&str]) -> AppResult<()> {
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
    person: &NewPerson,
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
    } = build(crypto, person, Some(&prev))?;
    if !repo::unit_allows(tx, v.p.id, record.unit_id, record.is_minor).await? {
        return Err(AppError::field(
            "unit_id",
            if record.is_minor {
                "validation.minor_unit"
            } else {
                "validation.unit_scope"
            },
        ));
    }
    check_branch(tx, person.online_branch_id, &cats).await?;
    repo::update(tx, id, &record).await.map_err(duplicate_id)?;
    let before_cats = repo::categories(tx, id).await?;
    repo::set_categories(tx, id, &cats).await?;
    let before_branch = repo::online_branch(tx, id).await?.map(|b| b.0);
    repo::set_online_branch(tx, id, person.online_branch_id).await?;
    if prev.unit_id != record.unit_id {
        let moved = crate::outbox::DomainEvent::new(
            crate::outbox::Kind::PersonMoved,
            format!("person:{}", id.0),
        )
        .unit(record.unit_id.0)
        .actor(Some(v.p.id.0))
        .payload(json!({ "from": prev.unit_id, "to": record.unit_id }));
        crate::outbox::emit(tx, moved).await?;
    } else {
        // Status, categories or age may have changed what the figures count.
        crate::outbox::records_changed(
            tx,
            record.unit_id.0,
            Some(v.p.id.0),
            format!("person:{}", id.0),
        )
        .await?;
    }
    let event = Event::ok("person.update", format!("person:{}", id.0)).unit(record.unit_id.0).detail(json!({
        "change": audit_changes(Some(&prev), &record, &sensitive),
        "categories_changed": before_cats.iter().map(String::as_str).collect::<Vec<_>>() != cats,
        "online_branch_before": before_branch, "online_branch_after": person.online_branch_id,
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
        .unit(row.unit_id.0)
        .detail(json!({ "field": field.as_str() }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(value)
}

/// A visit round's contact details: each file's mobile and address, decrypted for files the
/// caller may see (others are refused as a whole), and one audit entry a file naming both
/// fields and why they were shown (`purpose`), in the caller's write transaction.
pub async fn reveal_contacts(
    tx: &mut Tx,
    crypto: &FieldCrypto,
    v: &Viewer,
    ids: &[PersonId],
    purpose: &str,
) -> AppResult<Vec<Contact>> {
    v.scope(Perm::People)?;
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let row = visible(tx, v, id).await?;
        let rec = repo::stored(tx, id).await?.ok_or(AppError::NotFound)?;
        let mobile = rec.mobile.map(|s| crypto.decrypt(&s.enc)).transpose()?;
        let address = rec.address_enc.map(|e| crypto.decrypt(&e)).transpose()?;
        let event = Event::ok("person.reveal", format!("person:{}", id.0))
            .unit(row.unit_id.0)
            .detail(json!({ "fields": ["mobile", "address"], "purpose": purpose }));
        audit::record(tx, &v.ctx.actor(), event).await?;
        out.push(Contact {
            person: id,
            mobile,
            address,
        });
    }
    Ok(out)
}

/// One file's contact details, decrypted by [`reveal_contacts`].
#[derive(Clone, Debug)]
pub struct Contact {
    pub person: PersonId,
    pub mobile: Option<String>,
    pub address: Option<String>,
}

/// The accounts of the active adults filed at or below `unit` (its `path`), of any of
/// `categories` (all when empty): the members a notice to the unit reaches.
pub async fn member_accounts_under(
    tx: &mut Tx,
    path: &str,
    categories: &[Category],
    tiers: &[&str],
) -> AppResult<Vec<AccountId>> {
    let codes: Vec<&str> = categories.iter().map(|c| c.as_str()).collect();
    Ok(repo::accounts_under(tx, path, &codes.join(","), &tiers.join(",")).await?)
}

/// The people below a unit path in the registry without an account but with a mobile on
/// file, of the categories and tiers given (none: all), for notices by SMS.
pub async fn registry_under(
    tx: &mut Tx,
    path: &str,
    categories: &[Category],
    tiers: &[&str],
) -> AppResult<Vec<PersonId>> {
    let codes: Vec<&str> = categories.iter().map(|c| c.as_str()).collect();
    Ok(repo::registry_under(tx, path, &codes.join(","), &tiers.join(",")).await?)
}
