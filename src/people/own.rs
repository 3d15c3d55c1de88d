//! A person's own file: staff link a file to the person's account; the person then sees it
//! (masked, like everyone), corrects their contact details and skills, and downloads a
//! complete copy as JSON. Every step is audited.

use super::model::PersonId;
use super::repo::{self, PersonRow};
use super::service::{self, NewPerson, PersonInput};
use crate::access::Perm;
use crate::accounts::service as accounts;
use crate::audit::{self as audit, model::Event};
use crate::crypto::FieldCrypto;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::units::{model::UnitId, service as units};
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

#[derive(serde::Deserialize)]
pub struct LinkForm {
    username: String,
    /// Required when the account holds a staff role (and only a unit admin may then link).
    #[serde(default)]
    reason: String,
}

/// Staff link a file to an account in their scope. A linked account reads its file in clear
/// (`/me/file.json`), so no one links a file to their own account, and a file goes to an
/// account holding a staff role only by an administrator of the person's unit, with a reason
/// that is recorded.
pub async fn link_account(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    Form(f): Form<LinkForm>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let (row, _) = service::load(&mut tx, &v, id).await?;
    let scope = v.scope(Perm::ViewAccounts)?;
    let reason = f.reason.trim();
    if reason.chars().count() > 200 {
        return Err(AppError::field("reason", "validation.too_long"));
    }
    let account = accounts::find_by_login(&mut tx, &f.username.trim().to_lowercase(), &[])
        .await?
        .ok_or(AppError::field("username", "validation.account_unknown"))?;
    let account_id = account.id;
    if account.platform_role.is_some()
        || accounts::get_in_scope(&mut tx, &scope, account_id)
            .await?
            .is_none()
    {
        return Err(AppError::field("username", "validation.account_unknown"));
    }
    if account_id == v.p.id {
        return Err(AppError::field("username", "validation.link_self"));
    }
    let staff = accounts::holds_staff_role(&mut tx, account_id).await?;
    if staff {
        let admin = match v.scope(Perm::ManageUnits) {
            Ok(s) => units::get_in_scope(&mut tx, &s, row.unit_id)
                .await?
                .is_some(),
            Err(_) => false,
        };
        if !admin {
            return Err(AppError::field(
                "username",
                "validation.link_staff_admin_only",
            ));
        }
        if reason.is_empty() {
            return Err(AppError::field("reason", "validation.link_staff_reason"));
        }
    }
    repo::set_account(&mut tx, id, Some(account_id))
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::field("username", "validation.account_linked"),
            other => other,
        })?;
    let mut detail = json!({ "after": { "account_id": account_id }, "staff_account": staff });
    if staff {
        detail["reason"] = json!(reason);
    }
    let event = Event::ok("person.link_account", format!("person:{id}"))
        .unit(row.unit_id.0)
        .detail(detail);
    audit::record(&mut tx, &v.ctx.actor(), event).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

/// The file linked to the caller's account.
async fn own_id(tx: &mut Tx, v: &Viewer) -> AppResult<PersonId> {
    repo::id_for_account(tx, v.p.id)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "people/own.html")]
struct OwnPage {
    page: Page,
    p: PersonRow,
    categories: Vec<String>,
}

pub async fn own_file(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let id = own_id(&mut tx, &v).await?;
    let p = repo::row(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let categories = repo::categories(&mut tx, id).await?;
    html(&OwnPage {
        page: Page::new(&v.ctx, "/me/file"),
        p,
        categories,
    })
}

#[derive(serde::Deserialize)]
pub struct Corrections {
    mobile: Option<String>,
    address: Option<String>,
    emergency: Option<String>,
    skills: Option<String>,
    willing_to_serve: Option<String>,
}

/// The person corrects their contact details and skills; everything else stays as filed.
pub async fn correct_own(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<Corrections>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let id = own_id(&mut tx, &v).await?;
    let prev = repo::stored_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = repo::row(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let mut input = PersonInput::of_record(&prev, repo::categories(&mut tx, id).await?);
    input.mobile = f.mobile;
    input.address = f.address;
    input.emergency = f.emergency;
    input.skills = f.skills.or(input.skills);
    input.willing_to_serve = f.willing_to_serve.as_deref() == Some("1");
    let built = service::build(&state.crypto, &NewPerson::parse(&input)?, Some(&prev))?;
    repo::update(&mut tx, id, &built.record).await?;
    let event = Event::ok("person.self_update", format!("person:{}", id.0))
        .unit(row.unit_id.0)
        .detail(json!({ "sensitive_changed": built.sensitive_set,
            "skills_changed": built.record.skills != prev.skills,
            "willing_to_serve_changed": built.record.willing_to_serve != prev.willing_to_serve }));
    audit::record(&mut tx, &v.ctx.actor(), event).await?;
    tx.commit().await?;
    Ok(Redirect::to("/me/file").into_response())
}

/// A complete copy of the caller's own file, decrypted, as people keeps it. Only
/// [`own_copy`] makes one, so it also shows that the caller owns the file: care adds the
/// visits, the care plan and the service items (`care::file::pages::download_own`).
pub struct OwnCopy {
    id: PersonId,
    unit_id: UnitId,
    /// The JSON document handed out; other modules add their parts by key.
    pub body: serde_json::Value,
}

impl OwnCopy {
    /// The caller's own file.
    pub fn id(&self) -> PersonId {
        self.id
    }
}

/// Reads the caller's own file in clear, in the caller's write transaction (which will also
/// hold the audit entries, [`record_own_copy`]).
pub async fn own_copy(tx: &mut Tx, crypto: &FieldCrypto, v: &Viewer) -> AppResult<OwnCopy> {
    let id = own_id(tx, v).await?;
    let rec = repo::stored(tx, id).await?.ok_or(AppError::NotFound)?;
    let row = repo::row(tx, id).await?.ok_or(AppError::NotFound)?;
    let open = |e: &Option<String>| e.as_deref().map(|e| crypto.decrypt(e)).transpose();
    let body = json!({
        "name": rec.name, "gender": rec.gender, "birth_date": rec.birth_date,
        "id_number": open(&rec.id_number.as_ref().map(|s| s.enc.clone()))?,
        "mobile": open(&rec.mobile.as_ref().map(|s| s.enc.clone()))?,
        "address": open(&rec.address_enc)?, "health": open(&rec.health_enc)?, "emergency": open(&rec.emergency_enc)?,
        "former_employer": rec.former_employer, "post": rec.post, "level": rec.level,
        "party_join_date": rec.party_join_date, "living": rec.living, "status": rec.status,
        "skills": rec.skills, "willing_to_serve": rec.willing_to_serve, "unit": row.unit_name,
        "categories": repo::categories(tx, id).await?,
        "online_branch": repo::online_branch(tx, id).await?.map(|b| b.1),
    });
    Ok(OwnCopy {
        id,
        unit_id: row.unit_id,
        body,
    })
}

/// Audits a copy handed out, in the caller's write transaction: the export, and each
/// sensitive field present as a reveal.
pub async fn record_own_copy(tx: &mut Tx, v: &Viewer, copy: &OwnCopy) -> AppResult<()> {
    let (id, unit) = (copy.id, copy.unit_id.0);
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("person.self_export", format!("person:{}", id.0)).unit(unit),
    )
    .await?;
    // The copy shows the sensitive fields in clear: each one present is a reveal, audited as
    // a reveal on the person's page is.
    for field in super::model::Sensitive::ALL {
        if !copy.body[field.as_str()].is_null() {
            let event = Event::ok("person.reveal", format!("person:{}", id.0))
                .unit(unit)
                .detail(json!({ "field": field.as_str(), "via": "self_export" }));
            audit::record(tx, &v.ctx.actor(), event).await?;
        }
    }
    Ok(())
}

/// The copy as a JSON download.
pub fn own_copy_download(copy: &OwnCopy) -> AppResult<Response> {
    let bytes = serde_json::to_vec_pretty(&copy.body).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"my-file.json\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
