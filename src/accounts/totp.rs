//! The second factor for platform admins: TOTP enrolment at first login, then a code at
//! every login. A code is accepted once; wrong codes count towards the lockout, a locked
//! account ends all its sessions, and passing the factor gives the session a new id.

use super::login::{idle_secs, password_due};
use super::repo::{self, Account, Failure};
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::{Page, html};
use crate::web::same_secret;
use crate::web::session::{self, Ctx, SESSION_COOKIE, Stage, set_cookie};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use totp_rs::{Builder, Secret, Totp};

fn totp_for(secret_b32: &str, username: &str) -> AppResult<Totp> {
    let secret = Secret::try_from_base32(secret_b32)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("totp secret: {e}")))?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(username)
        .with_issuer(Some("Yinyao"))
        .build()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("totp: {e:?}")))
}

#[derive(Template)]
#[template(path = "accounts/totp.html")]
struct TotpPage {
    page: Page,
    /// Shown only while the admin has not yet confirmed an authenticator.
    enrol_secret: Option<String>,
    enrol_url: Option<String>,
    message: Option<String>,
}

/// The account behind a session that is at `want` stage.
pub async fn pending(tx: &mut Tx, ctx: &Ctx, want: Stage) -> AppResult<Account> {
    let (Some(p), Some(stage)) = (&ctx.principal, ctx.stage) else {
        return Err(AppError::Unauthorized);
    };
    if stage != want {
        return Err(AppError::Unauthorized);
    }
    repo::find(tx, p.id).await?.ok_or(AppError::Unauthorized)
}

pub async fn totp_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    // A write: the first visit stores the secret to enrol.
    let mut tx = state.db.write().await?;
    let account = pending(&mut tx, &ctx, Stage::Totp).await?;
    let mut page = TotpPage {
        page: Page::new(&ctx, "/login/totp"),
        enrol_secret: None,
        enrol_url: None,
        message: None,
    };
    if !account.totp_confirmed {
        let secret = match account.totp_secret.clone() {
            Some(s) => s,
            None => {
                let s = Secret::generate().to_base32();
                repo::set_totp_secret(&mut tx, account.id, Some(&s)).await?;
                s
            }
        };
        page.enrol_url = totp_for(&secret, &account.username)?.to_url().ok();
        page.enrol_secret = Some(secret);
    }
    tx.commit().await?;
    html(&page)
}

#[derive(serde::Deserialize)]
pub struct CodeForm {
    code: String,
}

pub async fn verify_totp(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let account = pending(&mut tx, &ctx, Stage::Totp).await?;
    let id = account.id;
    let Some(secret) = account.totp_secret.as_deref() else {
        return Ok(Redirect::to("/login/totp").into_response());
    };
    let totp = totp_for(secret, &account.username)?;
    let code: String = f.code.chars().filter(char::is_ascii_digit).collect();
    let step = now().timestamp() / 30;
    let matched = (step - 1..=step + 1)
        .filter(|s| account.totp_last_step.is_none_or(|last| *s > last))
        .find(|s| {
            same_secret(
                &totp
                    .generate(u64::try_from(*s * 30).unwrap_or(0))
                    .to_string(),
                &code,
            )
        });
    let sec = state.policy();
    let locked_out = |mut tx: crate::db::Tx| async move {
        session::delete_for_account(&mut tx, id).await?;
        tx.commit().await?;
        Ok::<_, AppError>(Redirect::to("/login").into_response())
    };
    if !repo::unlocked(&mut tx, id).await? {
        return locked_out(tx).await;
    }
    let Some(used_step) = matched else {
        repo::record_ip_failure(&mut tx, &ctx.ip, sec.ip_window_minutes).await?;
        let outcome =
            repo::record_failure(&mut tx, id, sec.lockout_failures, sec.lockout_minutes).await?;
        let action = if outcome == Failure::NowLocked {
            "login.lockout"
        } else {
            "login.totp_failed"
        };
        audit::record(
            &mut tx,
            &ctx.actor(),
            Event::failed(action, format!("account:{}", account.id)),
        )
        .await?;
        if outcome != Failure::Counted {
            return locked_out(tx).await;
        }
        tx.commit().await?;
        let page = TotpPage {
            page: Page::new(&ctx, "/login/totp"),
            enrol_secret: None,
            enrol_url: None,
            message: Some(ctx.locale.t("totp.wrong")),
        };
        return Ok((StatusCode::UNAUTHORIZED, html(&page)?).into_response());
    };
    repo::set_totp_step(&mut tx, id, used_step).await?;
    repo::clear_failures(&mut tx, id).await?;
    let next = if password_due(&state, &account) {
        Stage::Password
    } else {
        Stage::Full
    };
    // A new session id once the second factor is passed: a planted pre-login cookie gains nothing.
    let sid = session::create(
        &mut tx,
        id,
        next,
        idle_secs(&state, &account),
        sec.absolute_hours,
        &ctx,
    )
    .await?;
    let detail = json!({ "second_factor": "totp", "totp_enrolled_now": !account.totp_confirmed });
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::ok("login.ok", format!("account:{}", account.id)).detail(detail),
    )
    .await?;
    tx.commit().await?;
    let mut resp = Redirect::to(if next == Stage::Password {
        "/account/password"
    } else {
        "/"
    })
    .into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &sid, None, ctx.secure_cookies),
    );
    Ok(resp)
}
