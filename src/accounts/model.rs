//! Account types and rules: ids, roles, user names, mobile numbers, password policy and hashing.

use crate::config::PasswordPolicy;
use crate::error::{AppError, FieldError};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

pub use crate::ids::AccountId;

pub use crate::access::{PlatformRole, UnitRole};

/// A user name: 3–32 characters of ASCII letters, digits, `_`, `.` or `-`, starting with a letter.
pub fn parse_username(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let ok_len = (3..=32).contains(&s.chars().count());
    let ok_chars = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    let starts = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if ok_len && ok_chars && starts {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(FieldError::new("username", "validation.username"))
    }
}

/// A mainland China mobile number: 11 digits starting with 1 and a second digit 3–9.
pub fn parse_mobile(s: &str) -> Result<String, FieldError> {
    let s: String = s
        .trim()
        .trim_start_matches("+86")
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .collect();
    let b = s.as_bytes();
    if b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
    {
        Ok(s)
    } else {
        Err(FieldError::new("phone", "validation.mobile"))
    }
}

/// A mobile as the screens show it: the first three and last four digits (`138****5678`).
pub fn mask_mobile(m: &str) -> String {
    let chars: Vec<char> = m.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// Whether the login identifier looks like a mobile number rather than a user name.
pub fn looks_like_mobile(s: &str) -> bool {
    parse_mobile(s).is_ok()
}

/// A display name (real name): 1–40 characters after trimming.
pub fn parse_display_name(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if (1..=40).contains(&s.chars().count()) && !s.chars().any(char::is_control) {
        Ok(s.to_string())
    } else {
        Err(FieldError::new("display_name", "validation.display_name"))
    }
}

/// Checks a new password against the policy; `username` may not appear in it.
pub fn check_password(
    policy: &PasswordPolicy,
    password: &str,
    username: &str,
) -> Result<(), FieldError> {
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if password.chars().count() < policy.min_length || classes < policy.min_classes {
        return Err(FieldError::new("password", "validation.password_policy"));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(FieldError::new(
            "password",
            "validation.password_contains_username",
        ));
    }
    Ok(())
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("argon2: {e}")))
}

/// Verifies a password against a stored hash; a malformed hash never verifies.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a random password, verified against when the account does not exist, so that
/// a login takes as long whether or not the name is known.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&crate::crypto::random_token(16)).unwrap_or_default())
}

/// A one-time password that meets any policy: 16 characters from four classes.
pub fn generate_password() -> String {
    use rand::Rng;
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"#%+=@";
    let mut rng = rand::rng();
    let sets = [LOWER, UPPER, DIGIT, SYMBOL];
    (0..16)
        .map(|i| {
            let set = sets[if i < 4 { i } else { rng.random_range(0..3) }];
            set[rng.random_range(0..set.len())] as char
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlps_policy_needs_length_and_three_classes() {
        let p = PasswordPolicy::default();
        assert!(check_password(&p, "Abcdefg1", "zhang").is_ok());
        assert!(
            check_password(&p, "abcdefg1", "zhang").is_err(),
            "two classes"
        );
        assert!(check_password(&p, "Ab1!", "zhang").is_err(), "too short");
        assert!(
            check_password(&p, "Zhang123!", "zhang").is_err(),
            "contains user name"
        );
    }

    #[test]
    fn generated_passwords_meet_the_policy() {
        for _ in 0..50 {
            assert!(
                check_password(&PasswordPolicy::default(), &generate_password(), "admin").is_ok()
            );
        }
    }

    #[test]
    fn mobile_numbers() {
        assert_eq!(parse_mobile("138 0013 8000").unwrap(), "13800138000");
        assert_eq!(parse_mobile("+8613800138000").unwrap(), "13800138000");
        assert!(parse_mobile("12800138000").is_err());
        assert!(parse_mobile("1380013800").is_err());
    }

    #[test]
    fn usernames() {
        assert_eq!(parse_username(" Wang.Li ").unwrap(), "wang.li");
        assert!(parse_username("1abc").is_err());
        assert!(parse_username("ab").is_err());
        assert!(parse_username("王丽").is_err());
    }

    #[test]
    fn hashing_round_trips() {
        let h = hash_password("Secret-123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Secret-123", &h));
        assert!(!verify_password("secret-123", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
