//! Preferences as the form sends them and as parsed.

use crate::error::{AppResult, FieldError};
use crate::notify::model::{NoticeKind, QUIET_FROM, QUIET_UNTIL};
use crate::web::form::Fields;

/// One kind's choice: by email, by SMS, by WeChat (the inbox always).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KindChoice {
    pub kind: NoticeKind,
    pub email: bool,
    pub sms: bool,
    pub wechat: bool,
}

/// An account's preferences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefs {
    pub kinds: Vec<KindChoice>,
    /// Its own quiet hours `(from, until)`, China time; `None`: 21:00 to 08:00.
    pub quiet: Option<(u32, u32)>,
    /// Email once a day (at 18:00), the day's messages in one.
    pub digest: bool,
}

impl Prefs {
    /// The quiet hours in force.
    pub fn quiet_hours(&self) -> (u32, u32) {
        self.quiet.unwrap_or((QUIET_FROM, QUIET_UNTIL))
    }

    /// Reads the form: `email`, `sms` and `wechat` list the kinds ticked for each; `quiet_from` and
    /// `quiet_until` are hours 0–23, both or neither (neither: the default).
    pub fn parse(fields: &[(String, String)]) -> AppResult<Self> {
        let mut f = Fields::new();
        let ticked =
            |name: &str, k: NoticeKind| fields.iter().any(|(n, v)| n == name && v == k.as_str());
        for (n, v) in fields {
            if (n == "email" || n == "sms" || n == "wechat") && NoticeKind::parse(v).is_none() {
                f.add(FieldError::new("kinds", "validation.choice"));
            }
        }
        let kinds = NoticeKind::ALL
            .iter()
            .map(|k| KindChoice {
                kind: *k,
                email: ticked("email", *k),
                sms: ticked("sms", *k),
                wechat: ticked("wechat", *k),
            })
            .collect();
        let get = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let (from, until) = (get("quiet_from"), get("quiet_until"));
        let quiet = match (from.is_empty(), until.is_empty()) {
            (true, true) => Some(None),
            (false, false) => {
                let a = f.int("quiet_from", &from, 0..=23);
                let b = f.int("quiet_until", &until, 0..=23);
                a.zip(b).map(|(a, b)| Some((a as u32, b as u32)))
            }
            _ => {
                f.add(FieldError::new("quiet_until", "prefs.quiet_both"));
                None
            }
        };
        let digest = fields.iter().any(|(n, v)| n == "digest" && v == "1");
        f.done(quiet.map(|quiet| Prefs {
            kinds,
            quiet,
            digest,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn the_form_names_kinds_and_hours() {
        let p = Prefs::parse(&form(&[
            ("email", "review_waiting"),
            ("sms", "notice"),
            ("quiet_from", "20"),
            ("quiet_until", "7"),
        ]))
        .unwrap();
        let notice = p
            .kinds
            .iter()
            .find(|k| k.kind == NoticeKind::Notice)
            .unwrap();
        assert!(notice.sms && !notice.email);
        assert_eq!(p.quiet_hours(), (20, 7));
        let default = Prefs::parse(&form(&[])).unwrap();
        assert_eq!(default.quiet_hours(), (21, 8));
        assert!(
            Prefs::parse(&form(&[("quiet_from", "20")])).is_err(),
            "both or neither"
        );
        assert!(Prefs::parse(&form(&[("quiet_from", "25"), ("quiet_until", "7")])).is_err());
        assert!(Prefs::parse(&form(&[("sms", "lottery")])).is_err());
    }
}
