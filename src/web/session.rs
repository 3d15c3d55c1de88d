//! Sessions and the request context.
//!
//! Sessions live in the database (any node can serve any request). The cookie holds a
//! 128-bit random id; the table holds only its SHA-256. Each request resolves the cookie
//! (or an API bearer token) into a [`Ctx`] placed in the request extensions.

use crate::crypto::random_token;
use crate::db::{Tx, now};
use crate::error::{AppError, ErrorInfo};
use crate::i18n::Locale;
use crate::ids::AccountId;
use crate::on_tx;
use crate::state::AppState;
use crate::web::render::{error_response, wants_json};
use crate::web::token_hash;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "yy_sid";
/// Anonymous visitors' CSRF token (double-submit) until they log in.
pub const PRE_COOKIE: &str = "yy_pre";
/// Language and large type for visitors who are not logged in.
pub const PREFS_COOKIE: &str = "yy_prefs";

pub use super::ctx::{Ctx, Grant, Principal, Stage};

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with the house attributes (HttpOnly, SameSite=Lax, Secure behind TLS).
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = cookie::Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure);
    if let Some(secs) = max_age {
        c = c.max_age(cookie::time::Duration::seconds(secs));
    }
    HeaderValue::from_str(&c.build().to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn client_ip(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            // The proxy appends the address it saw; anything to its left came from the client.
            .and_then(|v| v.rsplit(',').next())
    {
        return first.trim().to_string();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Parses the preferences cookie: `<locale>.<0|1>`.
fn prefs_from_cookie(headers: &HeaderMap) -> (Option<Locale>, bool) {
    let Some(v) = cookie(headers, PREFS_COOKIE) else {
        return (None, false);
    };
    let (loc, large) = v.split_once('.').unwrap_or((v, "0"));
    (Locale::parse(loc), large == "1")
}

fn accept_language(headers: &HeaderMap) -> Option<Locale> {
    let v = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let first = v.split(',').next()?.split(';').next()?.trim();
    if first.starts_with("en") {
        Some(Locale::En)
    } else {
        None
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    account_id: i64,
    stage: String,
    csrf_token: String,
    last_seen_at: DateTime<Utc>,
    idle_secs: i64,
    expires_at: DateTime<Utc>,
}

/// Middleware: resolves the caller and puts a [`Ctx`] into the request.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let sec = &state.config.security;
    let headers = req.headers().clone();
    let (cookie_locale, cookie_large) = prefs_from_cookie(&headers);
    let mut ctx = Ctx {
        locale: cookie_locale
            .or_else(|| accept_language(&headers))
            .unwrap_or_default(),
        large_type: cookie_large,
        csrf: String::new(),
        principal: None,
        stage: None,
        session_hash: None,
        idle_secs: state.policy().staff_idle_minutes * 60,
        ip: client_ip(&req, sec.trust_proxy),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(300)
            .collect(),
        expired: false,
        new_pre_cookie: false,
        // Behind a trusted TLS-terminating proxy the request itself says it came over HTTPS.
        secure_cookies: sec.secure_cookies
            || (sec.trust_proxy
                && headers
                    .get("x-forwarded-proto")
                    .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))),
        flash: super::flash::Flash::from_query(req.uri().query()),
    };
    if let Err(e) = load_caller(&state, &headers, &mut ctx).await {
        // The database failed before the caller is known: the same error page as anywhere
        // else, in the language of the preferences cookie, with a reference for the log.
        let resp = AppError::Internal(anyhow::Error::from(e).context("could not resolve session"))
            .into_response();
        let Some(info) = resp.extensions().get::<ErrorInfo>() else {
            return resp;
        };
        ctx.principal = None;
        ctx.stage = None;
        // 503 rather than 500: the request may well work once the database is back.
        return error_response(
            &ctx,
            req.uri().path(),
            wants_json(&req),
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            info,
        );
    }
    if ctx.csrf.is_empty() {
        match cookie(&headers, PRE_COOKIE)
            .filter(|v| v.len() == 32 && v.chars().all(|c| c.is_ascii_hexdigit()))
        {
            Some(v) => ctx.csrf = v.to_string(),
            None => {
                ctx.csrf = random_token(16);
                ctx.new_pre_cookie = true;
            }
        }
    }
    let pre = ctx
        .new_pre_cookie
        .then(|| set_cookie(PRE_COOKIE, &ctx.csrf, None, ctx.secure_cookies));
    let expired = ctx.expired;
    let secure = ctx.secure_cookies;
    req.extensions_mut().insert(ctx);
    let mut resp = next.run(req).await;
    if let Some(v) = pre {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    if expired {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", Some(0), secure),
        );
    }
    resp
}

async fn load_caller(
    state: &AppState,
    headers: &HeaderMap,
    ctx: &mut Ctx,
) -> Result<(), sqlx::Error> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        let days = state.policy().password_expiry_days;
        let expired_before = (days > 0).then(|| now() - Duration::days(days));
        let mut tx = state.db.read().await?;
        if let Some(account_id) =
            account_for_token(&mut tx, &token_hash(token.trim()), expired_before).await?
        {
            ctx.principal = crate::access::load_principal(&mut tx, account_id, true).await?;
            if ctx
                .principal
                .as_ref()
                .is_some_and(|p| p.platform_role.is_none())
            {
                ctx.stage = Some(Stage::Full);
                ctx.csrf = "bearer".into();
            } else {
                // Platform admins must pass TOTP, which a token cannot; their tokens never work.
                ctx.principal = None;
            }
        }
        drop(tx);
        if ctx.principal.is_some() {
            let mut tx = state.db.write().await?;
            touch_token(&mut tx, &token_hash(token.trim())).await?;
            tx.commit().await?;
        }
        return Ok(());
    }
    let Some(sid) = cookie(headers, SESSION_COOKIE) else {
        return Ok(());
    };
    let hash = token_hash(sid);
    let mut tx = state.db.read().await?;
    let row: Option<SessionRow> = on_tx!(&mut tx, c => sqlx::query_as(
        "SELECT s.account_id, s.stage, s.csrf_token, s.last_seen_at, s.idle_secs, s.expires_at
         FROM sessions s JOIN accounts a ON a.id = s.account_id
         WHERE s.id_hash = $1 AND a.active = TRUE")
        .bind(&hash).fetch_optional(c).await)?;
    let Some(row) = row else {
        ctx.expired = true;
        return Ok(());
    };
    let t = now();
    if t >= row.expires_at || t - row.last_seen_at > Duration::seconds(row.idle_secs) {
        drop(tx);
        let mut tx = state.db.write().await?;
        delete_session(&mut tx, &hash).await?;
        tx.commit().await?;
        ctx.expired = true;
        return Ok(());
    }
    ctx.principal =
        crate::access::load_principal(&mut tx, AccountId(row.account_id), false).await?;
    drop(tx);
    if let Some(p) = &ctx.principal {
        ctx.locale = p.locale;
        ctx.large_type = p.large_type;
    }
    // An unknown stage fails closed: the session counts as not logged in.
    ctx.stage = Stage::parse(&row.stage);
    if ctx.stage.is_none() {
        ctx.principal = None;
    }
    ctx.csrf = row.csrf_token;
    ctx.idle_secs = row.idle_secs;
    ctx.session_hash = Some(hash.clone());
    // Touch at most every 15 s, so page bursts do not each write.
    if t - row.last_seen_at > Duration::seconds(15) {
        let mut tx = state.db.write().await?;
        on_tx!(&mut tx, c => sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(t).bind(&hash).execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
    }
    Ok(())
}

/// Starts a fresh session for `account` (a new id: the old one, if any, is discarded).
/// Returns the cookie value to send.
pub async fn create(
    tx: &mut Tx,
    account: AccountId,
    stage: Stage,
    idle_secs: i64,
    absolute_hours: i64,
    ctx: &Ctx,
) -> Result<String, sqlx::Error> {
    if let Some(old) = &ctx.session_hash {
        delete_session(tx, old).await?;
    }
    let sid = random_token(16);
    let t = now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO sessions (id_hash, account_id, stage, csrf_token, created_at, last_seen_at, idle_secs, expires_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9)")
        .bind(token_hash(&sid)).bind(account.0).bind(stage.as_str()).bind(random_token(16))
        .bind(t).bind(idle_secs).bind(t + Duration::hours(absolute_hours))
        .bind(&ctx.ip).bind(&ctx.user_agent)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(sid)
}

/// Moves a session to the next login stage.
pub async fn set_stage(tx: &mut Tx, hash: &str, stage: Stage) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE sessions SET stage = $1 WHERE id_hash = $2")
        .bind(stage.as_str()).bind(hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends one session on the server.
pub async fn delete_session(tx: &mut Tx, hash: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of an account (password change elsewhere, disable, lock).
pub async fn delete_for_account(tx: &mut Tx, account: AccountId) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE account_id = $1").bind(account.0).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes sessions that can no longer be used (run by the scheduler).
pub async fn purge_expired(tx: &mut Tx, at: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let r = on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(r)
}

/// The account an API token stands for: live, not revoked, its holder active, not locked,
/// not owing a new password, never a platform admin (who must pass TOTP).
async fn account_for_token(
    tx: &mut Tx,
    hash: &str,
    expired_before: Option<DateTime<Utc>>,
) -> Result<Option<AccountId>, sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT a.id FROM api_tokens t JOIN accounts a ON a.id = t.account_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.active = TRUE
           AND a.must_change_password = FALSE AND a.platform_role IS NULL
           AND (a.locked_until IS NULL OR a.locked_until < $2)
           AND ($3 IS NULL OR a.password_changed_at > $3)")
        .bind(hash).bind(now()).bind(expired_before).fetch_optional(c).await)?;
    Ok(id.map(AccountId))
}

async fn touch_token(tx: &mut Tx, hash: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
        .bind(now()).bind(hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
