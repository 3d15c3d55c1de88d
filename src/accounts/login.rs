//! Logging in and out: password, TOTP for platform admins, forced password change,
//! lockout and per-address throttling, session rotation; plus the language and
//! large-type switches and the idle-timeout keep-alive.

use super::model::{AccountId, check_password, dummy_hash, hash_password, verify_password};
use super::repo::{self, Account};
use crate::audit::{model::Event, repo as audit};
use crate::db::{Tx, now};
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::state::AppState;
use crate::web::render::{Page, html, safe_next};
use crate::web::same_secret;
use crate::web::session::{self, Ctx, PREFS_COOKIE, SESSION_COOKIE, Stage, set_cookie};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use serde_json::json;
use totp_rs::{Builder, Secret, Totp};

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
    html(&LoginPage {
        page: Page::new(&ctx, "/login"),
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

/// Checks a user name or mobile number and password. Every refusal shows the same message,
/// whether the account is unknown, the password wrong or the account locked.
pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let sec = &state.config.security;
    let login = f.login.trim().to_lowercase();
    let mut tx = state.db.write().await?;
    let actor = ctx.actor();
    let target = format!("login:{}", login.chars().take(40).collect::<String>());
    if repo::ip_failures(&mut tx, &ctx.ip, sec.ip_window_minutes).await?
        >= sec.ip_failures_per_window
    {
        audit::record(&mut tx, &actor, Event::denied("login.ip_throttled", target)).await?;
        tx.commit().await?;
        return Err(AppError::TooManyRequests);
    }
    let account = repo::find_by_login(&mut tx, &login)
        .await?
        .filter(|a| a.active);
    let Some(account) = account else {
        let _ = verify_password(&f.password, dummy_hash());
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
    let locked = account.locked_until.is_some_and(|t| t > now());
    let password_ok = verify_password(&f.password, &account.password_hash);
    if locked {
        return refuse(
            tx,
            &state,
            &ctx,
            None,
            target,
            "login.locked",
            &login,
            &f.next,
        )
        .await;
    }
    if !password_ok {
        let now_locked = repo::record_failure(
            &mut tx,
            AccountId(account.id),
            sec.lockout_failures,
            sec.lockout_minutes,
        )
        .await?;
        let action = if now_locked {
            "login.lockout"
        } else {
            "login.failed"
        };
        return refuse(
            tx,
            &state,
            &ctx,
            Some(account.id),
            target,
            action,
            &login,
            &f.next,
        )
        .await;
    }
    repo::clear_failures(&mut tx, AccountId(account.id)).await?;
    let is_admin = account.platform_role.is_some();
    let stage = if is_admin {
        Stage::Totp
    } else if password_due(&state, &account) {
        Stage::Password
    } else {
        Stage::Full
    };
    let idle = if is_admin {
        sec.admin_idle_minutes
    } else {
        sec.staff_idle_minutes
    } * 60;
    let sid = session::create(
        &mut tx,
        AccountId(account.id),
        stage,
        idle,
        sec.absolute_hours,
        &ctx,
    )
    .await?;
    let mut actor = actor;
    actor.id = Some(account.id);
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
        prefs_cookie(&account.locale, account.large_type, ctx.secure_cookies),
    );
    Ok(resp)
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
    repo::record_ip_failure(&mut tx, &ctx.ip, state.config.security.ip_window_minutes).await?;
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

fn password_due(state: &AppState, a: &Account) -> bool {
    let days = state.config.password.expiry_days;
    a.must_change_password || (days > 0 && now() - a.password_changed_at > Duration::days(days))
}

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

async fn pending(state: &AppState, ctx: &Ctx, want: Stage) -> AppResult<Account> {
    let (Some(p), Some(stage)) = (&ctx.principal, ctx.stage) else {
        return Err(AppError::Unauthorized);
    };
    if stage != want {
        return Err(AppError::Unauthorized);
    }
    let mut tx = state.db.read().await?;
    repo::find(&mut tx, p.id)
        .await?
        .ok_or(AppError::Unauthorized)
}

pub async fn totp_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let account = pending(&state, &ctx, Stage::Totp).await?;
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
                let mut tx = state.db.write().await?;
                repo::set_totp_secret(&mut tx, AccountId(account.id), Some(&s)).await?;
                tx.commit().await?;
                s
            }
        };
        page.enrol_url = totp_for(&secret, &account.username)?.to_url().ok();
        page.enrol_secret = Some(secret);
    }
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
    let account = pending(&state, &ctx, Stage::Totp).await?;
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
    let sec = &state.config.security;
    let mut tx = state.db.write().await?;
    let Some(used_step) = matched else {
        let locked = repo::record_failure(
            &mut tx,
            AccountId(account.id),
            sec.lockout_failures,
            sec.lockout_minutes,
        )
        .await?;
        audit::record(
            &mut tx,
            &ctx.actor(),
            Event::failed("login.totp_failed", format!("account:{}", account.id)),
        )
        .await?;
        if locked {
            if let Some(h) = &ctx.session_hash {
                session::delete_session(&mut tx, h).await?;
            }
            tx.commit().await?;
            return Ok(Redirect::to("/login").into_response());
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
    repo::set_totp_step(&mut tx, AccountId(account.id), used_step).await?;
    repo::clear_failures(&mut tx, AccountId(account.id)).await?;
    let next = if password_due(&state, &account) {
        Stage::Password
    } else {
        Stage::Full
    };
    if let Some(h) = &ctx.session_hash {
        session::set_stage(&mut tx, h, next).await?;
    }
    let detail = json!({ "second_factor": "totp", "totp_enrolled_now": !account.totp_confirmed });
    let event = Event::ok("login.ok", format!("account:{}", account.id)).detail(detail);
    audit::record(&mut tx, &ctx.actor(), event).await?;
    tx.commit().await?;
    Ok(Redirect::to(if next == Stage::Password {
        "/account/password"
    } else {
        "/"
    })
    .into_response())
}

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
        (Some(_), Some(Stage::Password | Stage::Full)) => Ok(()),
        _ => Err(AppError::Unauthorized),
    }
}

pub async fn password_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    can_change_password(&ctx)?;
    html(&PasswordPage {
        page: Page::new(&ctx, "/account/password"),
        forced: ctx.stage == Some(Stage::Password),
        errors: Vec::new(),
        min_length: state.config.password.min_length,
    })
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
    let mut tx = state.db.write().await?;
    let account = repo::find(&mut tx, p.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let mut errors = Vec::new();
    if !verify_password(&f.current, &account.password_hash) {
        errors.push("validation.current_password");
    }
    if f.new != f.confirm {
        errors.push("validation.password_mismatch");
    }
    if let Err(e) = check_password(&state.config.password, &f.new, &account.username) {
        errors.push(e.key);
    }
    if f.new == f.current {
        errors.push("validation.password_reused");
    }
    if !errors.is_empty() {
        audit::record(
            &mut tx,
            &ctx.actor(),
            Event::failed("password.change", format!("account:{}", account.id)),
        )
        .await?;
        tx.commit().await?;
        let page = PasswordPage {
            page: Page::new(&ctx, "/account/password"),
            forced: ctx.stage == Some(Stage::Password),
            errors: errors.into_iter().map(|k| ctx.locale.t(k)).collect(),
            min_length: state.config.password.min_length,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&page)?).into_response());
    }
    repo::set_password(&mut tx, p.id, &hash_password(&f.new)?, false).await?;
    // Every other session of this account ends; this one goes on, under a new id.
    session::delete_for_account(&mut tx, p.id).await?;
    let sec = &state.config.security;
    let idle = if account.platform_role.is_some() {
        sec.admin_idle_minutes
    } else {
        sec.staff_idle_minutes
    } * 60;
    let sid = session::create(
        &mut tx,
        p.id,
        Stage::Full,
        idle,
        sec.absolute_hours,
        &Ctx {
            session_hash: None,
            ..ctx.clone()
        },
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

/// Keeps a session alive (the idle-warning button). The session layer already touched it.
pub async fn keepalive(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> AppResult<Response> {
    let Some(h) = &ctx.session_hash else {
        return Err(AppError::Unauthorized);
    };
    let mut tx = state.db.write().await?;
    crate::accounts::repo::touch_session(&mut tx, h).await?;
    tx.commit().await?;
    if headers.contains_key("x-csrf-token") {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Redirect::to(&back(&headers)).into_response())
}

fn prefs_cookie(locale: &str, large: bool, secure: bool) -> axum::http::HeaderValue {
    let v = format!(
        "{}.{}",
        Locale::parse(locale).unwrap_or_default().as_str(),
        u8::from(large)
    );
    set_cookie(PREFS_COOKIE, &v, Some(400 * 24 * 3600), secure)
}

/// The page to return to after a switch: the same-site Referer path, else home.
fn back(headers: &HeaderMap) -> String {
    let r = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("/");
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let path = ["http://", "https://"]
        .iter()
        .find_map(|s| r.strip_prefix(s).and_then(|rest| rest.strip_prefix(host)))
        .unwrap_or(r);
    safe_next(Some(path))
}

#[derive(serde::Deserialize)]
pub struct PrefsForm {
    locale: Option<String>,
    large: Option<String>,
}

/// The language switch and the large-type switch; remembered on the account when logged in.
pub async fn set_prefs(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<PrefsForm>,
) -> AppResult<Response> {
    let locale = match f.locale.as_deref() {
        Some(l) => Locale::parse(l).ok_or(AppError::field("locale", "validation.locale"))?,
        None => ctx.locale,
    };
    let large = match f.large.as_deref() {
        Some("1") => true,
        Some("0") => false,
        Some(_) => return Err(AppError::field("large", "validation.large")),
        None => ctx.large_type,
    };
    if let Some(p) = &ctx.principal {
        let mut tx = state.db.write().await?;
        repo::set_prefs(&mut tx, p.id, locale.as_str(), large).await?;
        tx.commit().await?;
    }
    let mut resp = Redirect::to(&back(&headers)).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        prefs_cookie(locale.as_str(), large, ctx.secure_cookies),
    );
    Ok(resp)
}
