//! The web layer: request context and sessions, CSRF, authorisation extractors, rendering,
//! security headers and static files.

pub mod apidoc;
pub mod assets;
pub mod auth;
pub mod csrf;
pub mod ctx;
pub mod flash;
pub mod form;
pub mod headers;
pub mod qr;
pub mod readers;
pub mod render;
pub mod session;

use sha2::{Digest, Sha256};

pub use crate::crypto::random_token;

/// SHA-256 of a secret token, hex encoded: what the database stores instead of the token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time comparison of two short secrets.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A posted form (`application/x-www-form-urlencoded`) as `T`; a body that does not fit is
/// the localised "form" error.
pub fn form<T: serde::de::DeserializeOwned>(body: &[u8]) -> crate::error::AppResult<T> {
    serde_urlencoded::from_bytes(body)
        .map_err(|_| crate::error::AppError::field("form", "validation.form"))
}

/// [`form`] for forms with repeated fields (a multiple select), read into `Vec` fields with
/// `#[serde(default)]`; a field sent empty is `None` for an `Option`.
pub fn form_with_lists<T: serde::de::DeserializeOwned>(body: &[u8]) -> crate::error::AppResult<T> {
    serde_html_form::from_bytes(body)
        .map_err(|_| crate::error::AppError::field("form", "validation.form"))
}

/// For number fields of GET forms: a blank value (an empty input, an "any" option) is `None`,
/// as browsers send every field; anything else must parse. Use with `#[serde(default,
/// deserialize_with = "crate::web::blank_as_none")]`.
pub fn blank_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let s: Option<String> = serde::Deserialize::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(i64),
    Text(String),
}

/// For an optional id that comes as a JSON number or as a form field (where a blank value,
/// e.g. the "none" option of a choice, is `None`). Use with `#[serde(default,
/// deserialize_with = "crate::web::optional_id")]`.
pub fn optional_id<'de, D>(d: D) -> Result<Option<i64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    match <Option<NumberOrText> as serde::Deserialize>::deserialize(d)? {
        None => Ok(None),
        Some(NumberOrText::Number(n)) => Ok(Some(n)),
        Some(NumberOrText::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(NumberOrText::Text(s)) => s.trim().parse().map(Some).map_err(serde::de::Error::custom),
    }
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum BoolOrText {
    Bool(bool),
    Text(String),
}

/// A tick box that comes as a JSON boolean or as a form field (`1`, `on`, `true` when
/// ticked; browsers leave it out otherwise, so use with `#[serde(default)]`).
pub fn checkbox<'de, D>(d: D) -> Result<bool, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(match <BoolOrText as serde::Deserialize>::deserialize(d)? {
        BoolOrText::Bool(b) => b,
        BoolOrText::Text(s) => matches!(s.trim(), "1" | "on" | "true"),
    })
}

/// Page number and size from a query string, bounded.
#[derive(Clone, Copy, Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    pub page: Option<i64>,
}

impl PageParams {
    pub const SIZE: i64 = 50;
    pub fn page(&self) -> i64 {
        self.page.unwrap_or(1).clamp(1, 100_000)
    }
    pub fn offset(&self) -> i64 {
        (self.page() - 1) * Self::SIZE
    }
}

/// The answer to a create request of the API: the new record's id.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// The site's address for absolute links (feeds, WeChat's return address): configured
/// (`public_url`), else the Host the request came to.
pub fn base_url(config: &crate::config::Config, headers: &axum::http::HeaderMap) -> String {
    if let Some(u) = &config.public_url {
        return u.clone();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}
