//! A notice as written: the form or JSON as read and as parsed.

use crate::error::AppResult;
use crate::ids::UnitId;
use crate::people::model::Category;
use crate::web::form::Fields;

pub use crate::ids::NoticeId;

/// A notice as the form or the API sends it.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NoticeInput {
    /// The unit whose subtree it goes to.
    #[serde(deserialize_with = "crate::web::optional_id")]
    pub unit_id: Option<i64>,
    pub title: String,
    pub body: String,
    /// People with an account, below the unit.
    #[serde(deserialize_with = "crate::web::checkbox")]
    pub members: bool,
    /// Staff accounts below the unit.
    #[serde(deserialize_with = "crate::web::checkbox")]
    pub staff: bool,
    /// Only people of these categories (none: every category).
    pub categories: Vec<String>,
    /// Only people of these attention tiers: key, regular, routine (none: every tier).
    pub tiers: Vec<String>,
    /// Also by SMS, to those who have a mobile and did not turn SMS off for notices.
    #[serde(deserialize_with = "crate::web::checkbox")]
    pub sms: bool,
    /// Also to people in the registry without an account, by SMS to the file's mobile
    /// (needs `sms`).
    #[serde(deserialize_with = "crate::web::checkbox")]
    pub registry: bool,
    /// Must reach: unread after `fallback_hours` (1 to 168; 24 when empty) it goes by SMS,
    /// and unread as long again it becomes a phone task for the paired staff member.
    #[serde(deserialize_with = "crate::web::checkbox")]
    pub must_reach: bool,
    pub fallback_hours: Option<String>,
}

/// A notice as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeDraft {
    pub unit: UnitId,
    pub title: String,
    pub body: String,
    pub members: bool,
    pub staff: bool,
    pub categories: Vec<Category>,
    pub tiers: Vec<crate::care::model::Tier>,
    pub sms: bool,
    pub registry: bool,
    /// Must reach, with the hours before each step (none: a plain notice).
    pub must_reach: Option<i32>,
}

impl NoticeDraft {
    pub fn parse(raw: &NoticeInput) -> AppResult<Self> {
        let mut f = Fields::new();
        let unit = f.id(
            "unit_id",
            &raw.unit_id.map(|n| n.to_string()).unwrap_or_default(),
        );
        let title = f.required_text("title", Some(&raw.title), 40);
        let body = f.required_text("body", Some(&raw.body), 1000);
        let (members, staff, registry) = (raw.members, raw.staff, raw.registry);
        if registry && !raw.sms {
            f.add(crate::error::FieldError::new(
                "registry",
                "notice.registry_needs_sms",
            ));
        }
        if !members && !staff && !registry {
            f.add(crate::error::FieldError::new(
                "audience",
                "notice.audience_required",
            ));
        }
        let mut categories = Vec::new();
        for c in raw.categories.iter().filter(|c| !c.trim().is_empty()) {
            if let Some(c) = f.choice("categories", Some(c), Category::parse) {
                categories.push(c);
            }
        }
        let mut tiers = Vec::new();
        for t in raw.tiers.iter().filter(|t| !t.trim().is_empty()) {
            if let Some(t) = f.choice("tiers", Some(t), crate::care::model::Tier::parse) {
                tiers.push(t);
            }
        }
        let must_reach = match (raw.must_reach, raw.fallback_hours.as_deref().map(str::trim)) {
            (false, _) => Some(None),
            (true, None | Some("")) => Some(Some(24)),
            (true, Some(h)) => f.int("fallback_hours", h, 1..=168).map(|h| Some(h as i32)),
        };
        let value = (|| {
            Some(NoticeDraft {
                unit: unit?,
                title: title?,
                body: body?,
                members,
                staff,
                categories,
                tiers,
                sms: raw.sms,
                registry,
                must_reach: must_reach?,
            })
        })();
        f.done(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_needs_an_audience_and_bounded_text() {
        let ok = NoticeInput {
            unit_id: Some(7),
            title: "降温提醒".into(),
            body: "明天起气温下降，请注意保暖。".into(),
            members: true,
            categories: vec!["tuixiu".into()],
            ..NoticeInput::default()
        };
        let d = NoticeDraft::parse(&ok).unwrap();
        assert_eq!(d.categories, vec![Category::Tuixiu]);
        assert!(d.members && !d.staff);
        let none = NoticeInput {
            members: false,
            ..ok.clone()
        };
        assert!(NoticeDraft::parse(&none).is_err(), "nobody to send to");
        let long = NoticeInput {
            title: "长".repeat(41),
            ..ok.clone()
        };
        assert!(NoticeDraft::parse(&long).is_err());
        let bad = NoticeInput {
            categories: vec!["alien".into()],
            ..ok.clone()
        };
        assert!(NoticeDraft::parse(&bad).is_err());
        let registry = NoticeInput {
            members: false,
            registry: true,
            ..ok.clone()
        };
        assert!(
            NoticeDraft::parse(&registry).is_err(),
            "the registry only by SMS"
        );
        let by_sms = NoticeInput {
            sms: true,
            tiers: vec!["key".into()],
            ..registry
        };
        let d = NoticeDraft::parse(&by_sms).unwrap();
        assert!(d.registry && d.sms && d.tiers.len() == 1);
        assert_eq!(d.must_reach, None);
        let must = NoticeInput {
            must_reach: true,
            ..by_sms.clone()
        };
        assert_eq!(NoticeDraft::parse(&must).unwrap().must_reach, Some(24));
        let late = NoticeInput {
            must_reach: true,
            fallback_hours: Some("200".into()),
            ..by_sms
        };
        assert!(NoticeDraft::parse(&late).is_err(), "a week at most");
    }
}
