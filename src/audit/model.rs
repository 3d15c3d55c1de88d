//! Audit entries: who did what, where, with what outcome; the chain over them is in
//! [`super::chain`].

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acted, and from where. Built from the request context, or for the command line.
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
    pub ip: String,
    pub user_agent: String,
}

impl Actor {
    /// The command line acting on the server itself.
    pub fn cli(what: &str) -> Self {
        Self {
            id: None,
            name: format!("cli:{what}"),
            ip: "local".into(),
            user_agent: "yinyao-cli".into(),
        }
    }

    /// The server's own scheduled work.
    pub fn system(job: &str) -> Self {
        Self {
            id: None,
            name: format!("job:{job}"),
            ip: "local".into(),
            user_agent: "yinyao".into(),
        }
    }
}

/// What happened. `detail` holds before/after values of changes; never a secret.
#[derive(Clone, Debug)]
pub struct Event {
    pub action: &'static str,
    pub outcome: Outcome,
    pub unit_id: Option<i64>,
    pub target: String,
    pub detail: serde_json::Value,
}

impl Event {
    pub fn ok(action: &'static str, target: impl Into<String>) -> Self {
        Self {
            action,
            outcome: Outcome::Ok,
            unit_id: None,
            target: target.into(),
            detail: serde_json::Value::Null,
        }
    }
    pub fn denied(action: &'static str, target: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::Denied,
            ..Self::ok(action, target)
        }
    }
    pub fn failed(action: &'static str, target: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::Failed,
            ..Self::ok(action, target)
        }
    }
    /// The unit the entry is about (for searching the trail by unit).
    pub fn unit(mut self, unit_id: impl Into<crate::ids::UnitId>) -> Self {
        self.unit_id = Some(unit_id.into().0);
        self
    }
    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Denied,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// One stored entry, as read back for search, export and verification.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub ip: String,
    pub user_agent: String,
    pub action: String,
    pub outcome: String,
    pub unit_id: Option<i64>,
    pub target: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash function of the chain's entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlgo {
    Sha256,
    /// SM3 (GB/T 32905), for `[crypto] suite = "sm"`; its hashes are stored as `sm3:<hex>`.
    Sm3,
}

impl HashAlgo {
    pub fn parse(s: &str) -> Self {
        if s == "sm3" {
            HashAlgo::Sm3
        } else {
            HashAlgo::Sha256
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgo::Sha256 => "sha256",
            HashAlgo::Sm3 => "sm3",
        }
    }

    /// The algorithm the suite calls for.
    pub fn of_suite(suite: crate::crypto::Suite) -> Self {
        match suite {
            crate::crypto::Suite::Aes => HashAlgo::Sha256,
            crate::crypto::Suite::Sm => HashAlgo::Sm3,
        }
    }

    /// The algorithm a stored hash was made with.
    pub fn of_hash(hash: &str) -> Self {
        if hash.starts_with("sm3:") {
            HashAlgo::Sm3
        } else {
            HashAlgo::Sha256
        }
    }
}
