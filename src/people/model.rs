//! Person files (一人一档): ids, categories, living situation, status, and the validation of
//! ID numbers (GB 11643), mobiles and dates, with masking. Care's vocabulary (tiers, visit
//! kinds, item states) is `care::model`.

use crate::error::FieldError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

pub use crate::ids::PersonId;

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $prefix:literal { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|v| v.as_str() == s) }
            /// Message key of the value's label.
            pub fn label_key(self) -> String { format!("{}.{}", $prefix, self.as_str()) }
        }
        /// Reads a stored code (`#[sqlx(try_from = "String")]` on a row's field).
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s).ok_or_else(|| format!("unknown {} code {s:?}", stringify!($name)))
            }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// Who a person is to the organisation; a person may have several.
    Category, "category" {
        Lixiu => "lixiu", Tuixiu => "tuixiu", PartyMember => "party_member", MobileMember => "mobile_member",
        Wulao => "wulao", Volunteer => "volunteer", Youth => "youth",
    }
);
code_enum!(Gender, "gender" { Male => "male", Female => "female" });
code_enum!(
    /// Living situation.
    Living, "living" {
        Alone => "alone", EmptyNest => "empty_nest", WithFamily => "with_family", CareHome => "care_home", Relocated => "relocated",
    }
);
code_enum!(
    /// Files are never hard-deleted: people move away or die.
    Status, "status" { Active => "active", Moved => "moved", Deceased => "deceased" }
);
code_enum!(
    /// Fields stored encrypted; each can be revealed on one file by an allowed role, audited.
    Sensitive, "sensitive" {
        IdNumber => "id_number", Mobile => "mobile", Address => "address", Health => "health", Emergency => "emergency",
    }
);

/// A checked mainland resident ID number (18 characters) and the birth date it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdNumber {
    pub value: String,
    pub birth: NaiveDate,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Parses an ID number: 17 digits and a check character (ISO 7064 MOD 11-2), a real birth date.
pub fn parse_id_number(s: &str) -> Result<IdNumber, FieldError> {
    let v: String = s
        .trim()
        .to_uppercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bad = || FieldError::new("id_number", "validation.id_number");
    let chars: Vec<char> = v.chars().collect();
    if chars.len() != 18 || !chars[..17].iter().all(char::is_ascii_digit) {
        return Err(bad());
    }
    let sum: u32 = chars[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    if chars[17] != CHECK[(sum % 11) as usize] {
        return Err(FieldError::new("id_number", "validation.id_checksum"));
    }
    let birth = NaiveDate::parse_from_str(&v[6..14], "%Y%m%d").map_err(|_| bad())?;
    Ok(IdNumber { value: v, birth })
}

/// Appends the GB 11643 check character to 17 digits (used by the demo and benchmarks).
pub fn with_check_char(first17: &str) -> String {
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    format!("{first17}{}", CHECK[(sum % 11) as usize])
}

/// `110***********1234`: the first 3 and last 4 characters.
pub fn mask_id(v: &str) -> String {
    let n = v.chars().count();
    if n < 8 {
        return "*".repeat(n);
    }
    let head: String = v.chars().take(3).collect();
    let tail: String = v.chars().skip(n - 4).collect();
    format!("{head}{}{tail}", "*".repeat(n - 7))
}

/// `138****5678`.
pub fn mask_mobile(v: &str) -> String {
    mask_keep(v, 3, 4)
}

fn mask_keep(v: &str, head: usize, tail: usize) -> String {
    let n = v.chars().count();
    if n <= head + tail {
        return "*".repeat(n);
    }
    let h: String = v.chars().take(head).collect();
    let t: String = v.chars().skip(n - tail).collect();
    format!("{h}{}{t}", "*".repeat(n - head - tail))
}

/// Parses `YYYY-MM-DD`, not after `today`.
pub fn parse_past_date(
    field: &'static str,
    s: &str,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "validation.date"))?;
    if d > today {
        return Err(FieldError::new(field, "validation.date_future"));
    }
    Ok(d)
}

/// Whole years between `birth` and `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// A name: 1–40 characters, no control characters.
pub fn parse_name(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if (1..=40).contains(&s.chars().count()) && !s.chars().any(char::is_control) {
        Ok(s.to_string())
    } else {
        Err(FieldError::new("name", "validation.person_name"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_are_checked_with_mod_11_2() {
        // 11010519491231002X is the standard's published example.
        let id = parse_id_number("11010519491231002x").unwrap();
        assert_eq!(id.value, "11010519491231002X");
        assert_eq!(id.birth, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(
            parse_id_number("110105194912310021").unwrap_err().key,
            "validation.id_checksum"
        );
        assert_eq!(
            parse_id_number("1101051949123100").unwrap_err().key,
            "validation.id_number"
        );
        // A valid checksum over an impossible date is still refused.
        assert!(parse_id_number("110105194902300000").is_err());
    }

    #[test]
    fn generated_ids_pass_the_check() {
        let id = with_check_char("11010519491231002");
        assert_eq!(id, "11010519491231002X");
        assert!(parse_id_number(&with_check_char("32010219520305123")).is_ok());
    }

    #[test]
    fn masks() {
        assert_eq!(mask_id("110105194912310021"), "110***********0021");
        assert_eq!(mask_mobile("13812345678"), "138****5678");
        assert_eq!(mask_mobile("123"), "***");
    }

    #[test]
    fn dates_and_ages() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert!(parse_past_date("birth_date", "2026-11-23", today).is_err());
        assert!(parse_past_date("birth_date", "1950-02-30", today).is_err());
        let b = NaiveDate::from_ymd_opt(1946, 11, 23).unwrap();
        assert_eq!(age_on(b, today), 79);
        assert_eq!(
            age_on(b, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()),
            80
        );
    }

    #[test]
    fn codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(*c));
        }
    }
}
