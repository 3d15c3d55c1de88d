//! Logging in and out with a password. Refusals look the same whether the account is
//! unknown, the password wrong or the account locked; argon2 runs on a blocking thread
//! outside the write transaction, and the lockout counter changes atomically in SQL, so
//! parallel guesses cannot slip past it on either backend.

use super::model::{dummy_hash, verify_password};
use super::repo::{self, Account, Failure};
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::{Page, html, safe_next};
use crate::web::session::{self, Ctx, SESSION_COOKIE, Stage, set_cookie};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use serde_json::json;

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    page: Page,
    login: String,
    next: String,
    message: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
    logged_out: Option<String>,
}

pub async fn login_form(ctx: Ctx, Query(q): Query<LoginQuery>) -> AppResult<Response> {
    let message = if q.expired.is_some() {
        Some(ctx.locale.t("login.expired"))
    } else if q.logged_out.is_some() {
        Some(ctx.locale.t("login.logged_out"))
    } else {
        None
    };
    let page = Page::new(&ctx, "/login");
    html(&LoginPage {
        page,
        login: String::new(),
        next: safe_next(q.next.as_deref()),
        message,
    })
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

/// Whether the password must be changed before going on (forced, or expired by policy).
pub fn password_due(state: &AppState, a: &Account) -> bool {
    let days = state.policy().password_expiry_days;
    a.must_change_password || (days > 0 && now() - a.password_changed_at > Duration::days(days))
}

/// The idle timeout of an account's sessions, in seconds.
pub fn idle_secs(state: &AppState, a: &Account) -> i64 {
    let policy = state.policy();
    if a.platform_role.is_some() {
        policy.admin_idle_minutes * 60
    } else {
        policy.staff_idle_minutes * 60
    }
}

/// Verifies a password on a blocking thread (argon2 takes tens of milliseconds).
pub async fn verify_off_thread(password: &str, hash: &str) -> bool {
    let (p, h) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || verify_password(&p, &h))
        .await
        .unwrap_or(false)
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let sec = state.policy();
    let login: String = f
        .login
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    let phone_idx = super::service::phone_key(&state.crypto, &login);
    // A mobile typed as the login is personal data: the trail shows it masked.
    let shown = if phone_idx.is_empty() {
        login.chars().take(40).collect()
    } else {
        super::model::mask_mobile(&login)
    };
    let target = format!("login:{shown}");
    let (throttled, account) = {
        let mut tx = state.db.read().await?;
        let failures = repo::ip_failures(&mut tx, &ctx.ip, sec.ip_window_minutes).await?;
        (
            failures >= sec.ip_failures_per_window,
            repo::find_by_login(&mut tx, &login, &phone_idx)
                .await?
                .filter(|a| a.active),
        )
    };
    if throttled {
        let mut tx = state.db.write().await?;
        audit::record(
            &mut tx,
            &ctx.actor(),
            Event::denied("login.ip_throttled", target),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::TooManyRequests);
    }
    let hash = account
        .as_ref()
        .map(|a| a.password_hash.as_str())
        .unwrap_or_else(|| dummy_hash());
    let password_ok = verify_off_thread(&f.password, hash).await;
    // One write transaction from here on: the failure count, or the session, with its audit.
    let tx = state.db.write().await?;
    let Some(account) = account else {
        return refuse(
            tx,
            &state,
            &ctx,
            None,
            target,
            "login.failed",
            &login,
            &f.next,
        )
        .await;
    };
    let id = account.id;
    let mut tx = tx;
    if !password_ok {
        let action =
            match repo::record_failure(&mut tx, id, sec.lockout_failures, sec.lockout_minutes)
                .await?
            {
                Failure::AlreadyLocked => "login.locked",
                Failure::Counted => "login.failed",
                Failure::NowLocked => "login.lockout",
            };
        return refuse(
            tx,
            &state,
            &ctx,
            Some(account.id.0),
            target,
            action,
            &login,
            &f.next,
        )
        .await;
    }
    if !repo::unlocked(&mut tx, id).await? {
        return refuse(
            tx,
            &state,
            &ctx,
            Some(account.id.0),
            target,
            "login.locked",
            &login,
            &f.next,
        )
        .await;
    }
    let is_admin = account.platform_role.is_some();
    // An admin's failure count is cleared only once the second factor is passed too, so
    // guessing TOTP codes between correct passwords still ends in a lockout.
    if !is_admin {
        repo::clear_failures(&mut tx, id).await?;
    }
    let stage = if is_admin {
        Stage::Totp
    } else if password_due(&state, &account) {
        Stage::Password
    } else {
        Stage::Full
    };
    let sid = session::create(
        &mut tx,
        id,
        stage,
        idle_secs(&state, &account),
        sec.absolute_hours,
        &ctx,
    )
    .await?;
    let mut actor = ctx.actor();
    actor.id = Some(account.id.0);
    actor.name = account.username.clone();
    let action = if stage == Stage::Totp {
        "login.password_ok"
    } else {
        "login.ok"
    };
    audit::record(
        &mut tx,
        &actor,
        Event::ok(action, format!("account:{}", account.id)),
    )
    .await?;
    note_device(&mut tx, account.id, &ctx).await?;
    tx.commit().await?;
    let to = match stage {
        Stage::Totp => "/login/totp".to_string(),
        Stage::Password => "/account/password".to_string(),
        Stage::Full => safe_next(f.next.as_deref()),
    };
    let mut resp = Redirect::to(&to).into_response();
    let h = resp.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &sid, None, ctx.secure_cookies),
    );
    h.append(
        header::SET_COOKIE,
        super::prefs::prefs_cookie(&account.locale, account.large_type, ctx.secure_cookies),
    );
    Ok(resp)
}

/// Remembers the device (a hash of the user agent) a password was accepted from; a new one,
/// for an account that had others, is an event the notifications consumer words as "a login
/// from a new device" (with the browser and address, so the person can tell it was not them).
async fn note_device(tx: &mut Tx, id: crate::ids::AccountId, ctx: &Ctx) -> AppResult<()> {
    use sha2::Digest;
    let device = hex::encode(&sha2::Sha256::digest(ctx.user_agent.as_bytes())[..16]);
    let (new, before) = repo::note_device(tx, id, &device).await?;
    if new && before > 0 {
        let agent: String = ctx.user_agent.chars().take(80).collect();
        let event = crate::outbox::DomainEvent::new(
            crate::outbox::Kind::NewDevice,
            format!("account:{}", id.0),
        )
        .actor(Some(id.0))
        .payload(json!({ "account_id": id.0, "agent": agent, "ip": ctx.ip }));
        crate::outbox::emit(tx, event).await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn refuse(
    mut tx: Tx,
    state: &AppState,
    ctx: &Ctx,
    account_id: Option<i64>,
    target: String,
    action: &'static str,
    login: &str,
    next: &Option<String>,
) -> AppResult<Response> {
    repo::record_ip_failure(&mut tx, &ctx.ip, state.policy().ip_window_minutes).await?;
    let mut event = Event::failed(action, target);
    if let Some(id) = account_id {
        event.detail = json!({ "account_id": id });
    }
    audit::record(&mut tx, &ctx.actor(), event).await?;
    tx.commit().await?;
    let page = LoginPage {
        page: Page::new(ctx, "/login"),
        login: login.to_string(),
        next: safe_next(next.as_deref()),
        message: Some(ctx.locale.t("login.refused")),
    };
    Ok((StatusCode::UNAUTHORIZED, html(&page)?).into_response())
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if let Some(h) = &ctx.session_hash {
        let mut tx = state.db.write().await?;
        session::delete_session(&mut tx, h).await?;
        audit::record(&mut tx, &ctx.actor(), Event::ok("logout", "session")).await?;
        tx.commit().await?;
    }
    let mut resp = Redirect::to("/login?logged_out=1").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), ctx.secure_cookies),
    );
    Ok(resp)
}
