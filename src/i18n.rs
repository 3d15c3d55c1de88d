//! Languages: zh-CN by default, English by choice. Messages live in `locales/*.yml`.

use serde::{Deserialize, Serialize};

/// A supported interface language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub enum Locale {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// Accepts the stored or submitted code; anything unknown is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "zh-CN" | "zh" | "zh-Hans" => Some(Locale::ZhCn),
            "en" | "en-US" | "en-GB" => Some(Locale::En),
            _ => None,
        }
    }

    /// The language attribute for `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-Hans",
            Locale::En => "en",
        }
    }

    /// Translates a message key.
    pub fn t(self, key: &str) -> String {
        rust_i18n::t!(key, locale = self.as_str()).into_owned()
    }
}

/// The time zone of the bureaus (China, UTC+8): times are typed and shown in it.
pub fn china() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("UTC"))
}

/// Today's date in China (deadlines and the days of rounds are China dates).
pub fn china_today() -> chrono::NaiveDate {
    crate::db::now().with_timezone(&china()).date_naive()
}

/// A time as shown to people, in China time.
pub fn local_time(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&china())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_shell_strings() {
        assert_eq!(Locale::ZhCn.t("app.name"), "银耀");
        assert_eq!(Locale::En.t("app.name"), "Yinyao");
    }

    #[test]
    fn every_key_exists_in_both_languages() {
        let zh: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(include_str!("../locales/zh-CN.yml")).unwrap();
        let en: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(include_str!("../locales/en.yml")).unwrap();
        fn keys(v: &serde_yaml_ng::Value, prefix: &str, out: &mut Vec<String>) {
            if let Some(m) = v.as_mapping() {
                for (k, v) in m {
                    let k = format!("{prefix}{}", k.as_str().unwrap_or_default());
                    keys(v, &format!("{k}."), out);
                    if !v.is_mapping() {
                        out.push(k);
                    }
                }
            }
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        keys(&zh, "", &mut a);
        keys(&en, "", &mut b);
        a.sort();
        b.sort();
        assert_eq!(
            a, b,
            "locales/zh-CN.yml and locales/en.yml must have the same keys"
        );
    }
}
