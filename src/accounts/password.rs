//! Changing one's password: forced at first login, after a reset and on expiry; possible
//! at any time. A change ends every other session and every API token of the account.

use super::login::{idle_secs, verify_off_thread};
use super::model::{check_password, hash_password};
use super::repo;
use crate::audit::{self as audit, model::Event};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::{Page, html};
use crate::web::session::{self, Ctx, SESSION_COOKIE, Stage, set_cookie};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "accounts/password.html")]
struct PasswordPage {
    page: Page,
    forced: bool,
    errors: Vec<String>,
    min_length: usize,
}

fn can_change_password(ctx: &Ctx) -> AppResult<()> {
    match (ctx.principal.as_ref(), ctx.stage) {
        (Some(p), Some(Stage::Password | Stage::Full)) if !p.via_token => Ok(()),
        _ => Err(AppError::Unauthorized),
    }
}

fn page(state: &AppState, ctx: &Ctx, errors: Vec<String>) -> PasswordPage {
    PasswordPage {
        page: Page::new(ctx, "/account/password"),
        forced: ctx.stage == Some(Stage::Password),
        errors,
        min_length: state.policy().password_min_length,
    }
}

pub async fn password_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    can_change_password(&ctx)?;
    html(&page(&state, &ctx, Vec::new()))
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    can_change_password(&ctx)?;
    let Some(p) = ctx.principal.as_ref() else {
        return Err(AppError::Unauthorized);
    };
    let account = {
        let mut tx = state.db.read().await?;
        repo::find(&mut tx, p.id)
            .await?
            .ok_or(AppError::Unauthorized)?
    };
    let mut errors = Vec::new();
    if !verify_off_thread(&f.current, &account.password_hash).await {
        errors.push("validation.current_password");
    }
    if f.new != f.confirm {
        errors.push("validation.password_mismatch");
    }
    if let Err(e) = check_password(&state.policy().password(), &f.new, &account.username) {
        errors.push(e.key);
    }
    if f.new == f.current {
        errors.push("validation.password_reused");
    }
    let mut tx = state.db.write().await?;
    if !errors.is_empty() {
        audit::record(
            &mut tx,
            &ctx.actor(),
            Event::failed("password.change", format!("account:{}", account.id)),
        )
        .await?;
        tx.commit().await?;
        let body = html(&page(
            &state,
            &ctx,
            errors.into_iter().map(|k| ctx.locale.t(k)).collect(),
        ))?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    let new_hash = {
        let pw = f.new.clone();
        tokio::task::spawn_blocking(move || hash_password(&pw))
            .await
            .map_err(|e| AppError::Internal(e.into()))??
    };
    repo::set_password(&mut tx, p.id, &new_hash, false).await?;
    // Every other session and every token of this account ends; this session goes on under a new id.
    session::delete_for_account(&mut tx, p.id).await?;
    repo::revoke_all_tokens(&mut tx, p.id).await?;
    let fresh = Ctx {
        session_hash: None,
        ..ctx.clone()
    };
    let sid = session::create(
        &mut tx,
        p.id,
        Stage::Full,
        idle_secs(&state, &account),
        state.policy().absolute_hours,
        &fresh,
    )
    .await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::ok("password.change", format!("account:{}", account.id)),
    )
    .await?;
    tx.commit().await?;
    let mut resp = Redirect::to("/?password_changed=1").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &sid, None, ctx.secure_cookies),
    );
    Ok(resp)
}
