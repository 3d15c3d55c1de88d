//! The security policy the system admin keeps: password rules, lockout and session times.
//! The configuration file gives the starting values; a saved policy replaces them on every
//! node.

use crate::config::{Config, PasswordPolicy};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};

/// Password rules, lockout and session lifetimes in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Policy {
    /// At least 8 characters.
    pub password_min_length: usize,
    /// How many of the four classes (lower, upper, digit, symbol) a password needs (1–4).
    pub password_min_classes: usize,
    /// Days until a password must be changed; 0 turns expiry off.
    pub password_expiry_days: i64,
    /// Consecutive failed logins that lock an account…
    pub lockout_failures: i64,
    /// …for this many minutes.
    pub lockout_minutes: i64,
    /// Failed logins allowed from one IP address per window.
    pub ip_failures_per_window: i64,
    pub ip_window_minutes: i64,
    /// Idle timeout of staff sessions (minutes).
    pub staff_idle_minutes: i64,
    /// Idle timeout of platform admins' sessions (minutes).
    pub admin_idle_minutes: i64,
    /// Absolute lifetime of any session (hours).
    pub absolute_hours: i64,
}

impl Policy {
    /// The policy the configuration file (or its defaults) describes.
    pub fn from_config(c: &Config) -> Self {
        Self {
            password_min_length: c.password.min_length,
            password_min_classes: c.password.min_classes,
            password_expiry_days: c.password.expiry_days,
            lockout_failures: c.security.lockout_failures,
            lockout_minutes: c.security.lockout_minutes,
            ip_failures_per_window: c.security.ip_failures_per_window,
            ip_window_minutes: c.security.ip_window_minutes,
            staff_idle_minutes: c.security.staff_idle_minutes,
            admin_idle_minutes: c.security.admin_idle_minutes,
            absolute_hours: c.security.absolute_hours,
        }
    }

    /// The password rules in the shape the password checker takes.
    pub fn password(&self) -> PasswordPolicy {
        PasswordPolicy {
            min_length: self.password_min_length,
            min_classes: self.password_min_classes,
            expiry_days: self.password_expiry_days,
        }
    }

    /// Checks every value against its allowed range; returns the fields out of range.
    /// The floors keep MLPS level 3 reachable but never allow a policy weaker than a
    /// reasonable minimum (8 characters, lockout within 20 tries, sessions within a day).
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let ranges: [(&'static str, i64, i64, i64); 10] = [
            (
                "password_min_length",
                self.password_min_length as i64,
                8,
                64,
            ),
            (
                "password_min_classes",
                self.password_min_classes as i64,
                1,
                4,
            ),
            ("password_expiry_days", self.password_expiry_days, 0, 365),
            ("lockout_failures", self.lockout_failures, 3, 20),
            ("lockout_minutes", self.lockout_minutes, 1, 1440),
            (
                "ip_failures_per_window",
                self.ip_failures_per_window,
                5,
                1000,
            ),
            ("ip_window_minutes", self.ip_window_minutes, 1, 1440),
            ("staff_idle_minutes", self.staff_idle_minutes, 5, 120),
            ("admin_idle_minutes", self.admin_idle_minutes, 5, 60),
            ("absolute_hours", self.absolute_hours, 1, 24),
        ];
        let errors: Vec<FieldError> = ranges
            .iter()
            .filter(|(_, v, lo, hi)| v < lo || v > hi)
            .map(|(f, ..)| FieldError::new(f, "validation.policy_range"))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The allowed range of each field, for the form's hints.
    pub fn range_of(field: &str) -> (i64, i64) {
        match field {
            "password_min_length" => (8, 64),
            "password_min_classes" => (1, 4),
            "password_expiry_days" => (0, 365),
            "lockout_failures" => (3, 20),
            "lockout_minutes" | "ip_window_minutes" => (1, 1440),
            "ip_failures_per_window" => (5, 1000),
            "staff_idle_minutes" => (5, 120),
            "admin_idle_minutes" => (5, 60),
            "absolute_hours" => (1, 24),
            _ => (0, 0),
        }
    }
}

/// This node's copy of the policy. Reads never wait on the database: the node that saves a
/// policy replaces its copy at once, and every node reloads from the database every few
/// seconds (see `jobs::policy::refresh_loop`).
#[derive(Debug)]
pub struct PolicyCache(RwLock<Arc<Policy>>);

impl PolicyCache {
    pub fn new(p: Policy) -> Self {
        Self(RwLock::new(Arc::new(p)))
    }

    pub fn get(&self) -> Arc<Policy> {
        match self.0.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set(&self, p: Policy) {
        match self.0.write() {
            Ok(mut g) => *g = Arc::new(p),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_is_mlps_level_three_and_valid() {
        let p = Policy::from_config(&Config::default());
        assert_eq!((p.password_min_length, p.password_min_classes), (8, 3));
        assert_eq!(p.password_expiry_days, 90);
        assert_eq!((p.lockout_failures, p.lockout_minutes), (5, 30));
        assert!(p.check().is_ok());
    }

    #[test]
    fn out_of_range_values_are_named() {
        let mut p = Policy::from_config(&Config::default());
        p.password_min_length = 6;
        p.lockout_failures = 100;
        p.absolute_hours = 0;
        let fields: Vec<&str> = p.check().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["password_min_length", "lockout_failures", "absolute_hours"]
        );
    }

    #[test]
    fn the_cache_hands_out_the_latest_policy() {
        let mut p = Policy::from_config(&Config::default());
        let cache = PolicyCache::new(p.clone());
        p.lockout_failures = 3;
        cache.set(p);
        assert_eq!(cache.get().lockout_failures, 3);
    }
}
