//! Rendering: the page context every template gets, and the middleware that turns an
//! [`AppError`](crate::error::AppError) into a page or JSON in the caller's language.

use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::error::ErrorInfo;
use crate::i18n::Locale;
use crate::state::AppState;
use crate::web::ctx::{Ctx, Stage};
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

/// One link of the main navigation.
pub struct NavLink {
    pub href: &'static str,
    pub key: &'static str,
    pub current: bool,
}

/// How many menu items a phone shows before "more".
const NAV_FIRST: usize = 3;

/// What the base layout needs: language, large type, CSRF token, who is logged in.
pub struct Page {
    pub locale: Locale,
    pub large: bool,
    pub csrf: String,
    pub user_name: Option<String>,
    pub idle_secs: i64,
    pub nav: Vec<NavLink>,
    pub path: String,
    /// The message key of a change just made, shown once at the top of the page.
    pub flash: Option<&'static str>,
}

impl Page {
    pub fn new(ctx: &Ctx, path: &str) -> Self {
        let mut nav = Vec::new();
        if let Some(p) = ctx.full_principal() {
            let mut add = |href: &'static str, key: &'static str| {
                let current = if href == "/" {
                    path == "/"
                } else {
                    path.starts_with(href)
                };
                nav.push(NavLink { href, key, current });
            };
            add("/", "nav.home");
            if p.can(Perm::People) {
                add("/tasks", "nav.tasks");
                add("/people", "nav.people");
                add("/rounds", "nav.rounds");
                add("/notices", "nav.notices");
            }
            add("/events", "nav.events");
            add("/university", "nav.university");
            add("/videos", "nav.videos");
            if p.can(Perm::ReadDrafts) {
                add("/news", "nav.news");
            }
            if !p.grants.is_empty() {
                add("/campaigns", "nav.campaigns");
            }
            if p.can(Perm::ViewUnits) {
                add("/units", "nav.units");
            }
            if p.can(Perm::ViewAccounts) {
                add("/accounts", "nav.accounts");
            }
            if p.can(Perm::ReadAudit) {
                add("/audit", "nav.audit");
            }
            if p.can(Perm::ManageSettings) {
                add("/settings", "nav.settings");
            }
            if p.can(Perm::UseTokens) {
                add("/tokens", "nav.tokens");
            }
            add("/account/password", "nav.password");
        }
        Page {
            locale: ctx.locale,
            large: ctx.large_type,
            csrf: ctx.csrf.clone(),
            user_name: ctx.full_principal().map(|p| p.display_name.clone()),
            idle_secs: if ctx.principal.is_some() {
                ctx.idle_secs
            } else {
                0
            },
            nav,
            path: path.to_string(),
            flash: ctx.flash.map(super::flash::Flash::key),
        }
    }

    /// Translates a message key into the page's language.
    pub fn t(&self, key: &str) -> String {
        self.locale.t(key)
    }

    /// Translates `prefix.key`, for keys named by data (roles, unit kinds).
    pub fn tk(&self, prefix: &str, key: &str) -> String {
        self.locale.t(&format!("{prefix}.{key}"))
    }

    /// The menu items a phone shows at once: the first three (the most used for this person's
    /// roles: the menu is built in that order) and the current page's item wherever it is.
    pub fn nav_first(&self) -> Vec<&NavLink> {
        self.nav
            .iter()
            .enumerate()
            .filter(|(i, l)| *i < NAV_FIRST || l.current)
            .map(|(_, l)| l)
            .collect()
    }

    /// The rest of the menu, under "more" on a phone.
    pub fn nav_rest(&self) -> Vec<&NavLink> {
        self.nav
            .iter()
            .enumerate()
            .filter(|(i, l)| *i >= NAV_FIRST && !l.current)
            .map(|(_, l)| l)
            .collect()
    }

    /// The other language, offered by the switch.
    pub fn other_locale(&self) -> Locale {
        match self.locale {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        }
    }
}

/// Renders a template into an HTML response.
pub fn html(t: &impl Template) -> Result<Response, crate::error::AppError> {
    Ok(Html(t.render()?).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    status: u16,
    title: String,
    message: String,
    fields: Vec<(String, String)>,
    reference: String,
}

/// Middleware: finds an [`ErrorInfo`] on the way out and renders it for the caller.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ctx = req.extensions().get::<Ctx>().cloned();
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let wants_json = wants_json(&req);
    let resp = next.run(req).await;
    let Some(info) = resp
        .extensions()
        .get::<ErrorInfo>()
        .cloned()
        .or_else(|| framework_rejection(&resp))
    else {
        return resp;
    };
    let status = resp.status();
    let Some(ctx) = ctx else { return resp };
    // Refusals of logged-in callers are audited. Anonymous refusals (e.g. a forged
    // cross-site post) are only logged: anyone could otherwise flood the trail.
    if (info.denied || status == StatusCode::FORBIDDEN) && ctx.principal.is_none() {
        tracing::warn!(%method, %path, reference = %info.reference, "anonymous request refused");
    } else if info.denied || status == StatusCode::FORBIDDEN {
        let event = Event::denied("access.denied", format!("{method} {path}"))
            .detail(serde_json::json!({ "status": status.as_u16(), "reference": info.reference }));
        if let Err(e) = record_denial(&state, &ctx, event).await {
            tracing::error!(error = ?e, "could not audit a refused access");
        }
    }
    if status == StatusCode::UNAUTHORIZED && !wants_json {
        let to = match ctx.stage {
            Some(Stage::Totp) => "/login/totp".to_string(),
            Some(Stage::Password) => "/account/password".to_string(),
            _ if ctx.expired => "/login?expired=1".to_string(),
            _ => format!("/login?next={}", urlencode(&path)),
        };
        return Redirect::to(&to).into_response();
    }
    let allow = resp.headers().get(header::ALLOW).cloned();
    let mut out = error_response(&ctx, &path, wants_json, status, &info);
    // A 405 says which methods the address takes.
    if let Some(v) = allow {
        out.headers_mut().insert(header::ALLOW, v);
    }
    out
}

/// An error answered by the framework before a handler ran (a body that is not JSON, too
/// large, of the wrong type; a method the route does not take): axum writes it as English
/// text. It gets the same shape and language as every other error.
fn framework_rejection(resp: &Response) -> Option<ErrorInfo> {
    let status = resp.status();
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNPROCESSABLE_ENTITY => "validation",
        StatusCode::NOT_FOUND => "not_found",
        _ => return None,
    };
    plain.then(|| ErrorInfo {
        code,
        conflict_key: None,
        fields: Vec::new(),
        reference: crate::crypto::random_token(6),
        denied: false,
    })
}

/// Whether the caller wants errors as JSON (the API, or an explicit `Accept`) or as a page.
pub fn wants_json(req: &Request) -> bool {
    req.uri().path().starts_with("/api/")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"))
}

/// The error as a page or JSON in the caller's language, with its reference and nothing of
/// the cause.
pub fn error_response(
    ctx: &Ctx,
    path: &str,
    wants_json: bool,
    status: StatusCode,
    info: &ErrorInfo,
) -> Response {
    let l = ctx.locale;
    let message = match info.conflict_key {
        Some(k) => l.t(k),
        None => l.t(&format!("error.{}", info.code)),
    };
    let fields: Vec<(String, String)> = info
        .fields
        .iter()
        .map(|f| (f.field.to_string(), l.t(f.key)))
        .collect();
    if wants_json {
        let body = serde_json::json!({
            "error": info.code,
            "message": message,
            "fields": fields.iter().map(|(f, m)| serde_json::json!({"field": f, "message": m})).collect::<Vec<_>>(),
            "reference": info.reference,
        });
        return (status, axum::Json(body)).into_response();
    }
    let page = ErrorPage {
        page: Page::new(ctx, path),
        status: status.as_u16(),
        title: l.t(&format!("error.title_{}", info.code)),
        message,
        fields: fields
            .into_iter()
            .map(|(f, m)| (l.t(&format!("field.{f}")), m))
            .collect(),
        reference: info.reference.clone(),
    };
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "error page failed to render");
            status.into_response()
        }
    }
}

async fn record_denial(state: &AppState, ctx: &Ctx, event: Event) -> Result<(), sqlx::Error> {
    let mut tx = state.db.write().await?;
    audit::record(&mut tx, &ctx.actor(), event).await?;
    tx.commit().await
}

/// Percent-encodes a path for a query parameter.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|v| v.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// A local path to return to after login; anything else (another host) falls back to `/`.
pub fn safe_next(next: Option<&str>) -> String {
    // Browsers drop tabs and line breaks inside URLs and read `\` as `/`, so anything but
    // plain path characters could turn `/…` into `//other.host`.
    let plain = |n: &str| {
        n.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.~?=&%#:+,;@!$'()*".contains(c))
    };
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && plain(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

/// An XLSX download under a Chinese file name, with an ASCII name for old browsers.
pub fn xlsx(body: Vec<u8>, ascii_name: &str, name: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}",
        urlencode(name)
    );
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}
