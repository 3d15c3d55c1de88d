//! The request context: who is asking (a [`Principal`] from the access module), in which
//! language, at which stage of their login, from where. Built once per request by
//! `session::resolve` and read by extractors and renderers.

use crate::i18n::Locale;

/// How far a login has got. Only `Full` sessions may use the application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Password accepted; the TOTP code is still owed (platform admins).
    Totp,
    /// Must set a new password (first login, reset, or expiry) before going on.
    Password,
    Full,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Totp => "totp",
            Stage::Password => "password",
            Stage::Full => "full",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "totp" => Some(Stage::Totp),
            "password" => Some(Stage::Password),
            "full" => Some(Stage::Full),
            _ => None,
        }
    }
}

pub use crate::access::{Grant, Principal};

/// Everything a handler may need about the caller; built once per request.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub locale: Locale,
    pub large_type: bool,
    pub csrf: String,
    pub principal: Option<Principal>,
    pub stage: Option<Stage>,
    pub session_hash: Option<String>,
    pub idle_secs: i64,
    pub ip: String,
    pub user_agent: String,
    /// The session cookie named a session that had timed out.
    pub expired: bool,
    /// A new anonymous CSRF cookie must be set on the response.
    pub new_pre_cookie: bool,
    pub secure_cookies: bool,
    /// The message of a change just made, from the address (`done=saved`).
    pub flash: Option<super::flash::Flash>,
}

impl Ctx {
    pub fn actor(&self) -> crate::audit::model::Actor {
        crate::audit::model::Actor {
            id: self.principal.as_ref().map(|p| p.id.0),
            name: self
                .principal
                .as_ref()
                .map(|p| p.username.clone())
                .unwrap_or_else(|| "anonymous".into()),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
        }
    }

    /// The logged-in principal whose login is complete.
    pub fn full_principal(&self) -> Option<&Principal> {
        (self.stage == Some(Stage::Full))
            .then_some(self.principal.as_ref())
            .flatten()
    }
}
