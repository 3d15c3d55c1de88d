//! Campaign inputs as sent (the raw bodies serde reads) and as parsed at the edge: a call
//! ([`Call`], [`NewCampaign`]), a work ([`WorkDraft`]), a judge's score ([`Score`]) and the
//! organiser's verdict on a work ([`WorkVerdict`]).

use crate::error::{AppError, AppResult, FieldError};
use crate::ids::{ColumnId, UnitId};
use crate::news::model::given_id;
use crate::web::form::Fields;
use chrono::NaiveDate;

/// Kinds of work a member may contribute.
pub const KINDS: [&str; 6] = [
    "poem",
    "essay",
    "calligraphy",
    "painting",
    "recitation",
    "video",
];

/// Units one campaign may be open to (each with its subtree).
pub const MAX_OPEN_UNITS: usize = 50;

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CampaignInput {
    /// The organising unit (主办单位), in the caller's scope.
    pub unit_id: i64,
    /// The units the campaign is open to, each at or below the organising unit (members
    /// at or below any of them may submit); none means the organising unit itself.
    pub open_unit_ids: Vec<i64>,
    /// Where chosen works are published.
    pub column_id: i64,
    pub title: String,
    pub theme: String,
    pub rules: Option<String>,
    /// `YYYY-MM-DD`
    pub opens_on: String,
    /// `YYYY-MM-DD`, the last day submissions are taken.
    pub closes_on: String,
    /// User names of the judges, separated by commas or spaces.
    pub judges: String,
}

/// A change to an open campaign's call.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CampaignEdit {
    pub title: String,
    pub theme: String,
    pub rules: Option<String>,
    /// `YYYY-MM-DD`
    pub opens_on: String,
    /// `YYYY-MM-DD`, the last day submissions are taken.
    pub closes_on: String,
    /// As in [`CampaignInput`]: none means the organising unit itself.
    pub open_unit_ids: Vec<i64>,
}

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WorkInput {
    /// poem, essay, calligraphy, painting, recitation or video.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The author agrees that the work may be published (required).
    #[serde(deserialize_with = "crate::web::checkbox")]
    pub consent: bool,
}

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ScoreInput {
    /// 0 to 100.
    pub score: i32,
    pub comment: Option<String>,
}

/// A call's text and dates as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallText {
    pub title: String,
    pub theme: String,
    pub rules: Option<String>,
    pub opens: NaiveDate,
    /// Not before `opens`.
    pub closes: NaiveDate,
}

/// A call as parsed at the edge: its text and dates when they parsed, the units it is open
/// to (distinct, at most [`MAX_OPEN_UNITS`]), and the field errors found so far. Whether the
/// units lie under the organising unit only the database can tell: the service adds what it
/// finds to `fields` and answers once, naming every bad field.
#[derive(Debug)]
pub struct Call {
    pub text: Option<CallText>,
    /// Empty for "the organising unit itself".
    pub open_unit_ids: Vec<UnitId>,
    pub fields: Fields,
}

impl Call {
    pub fn parse(raw: &CampaignEdit) -> Call {
        let mut f = Fields::new();
        let title = f.required_text("title", Some(&raw.title), 60);
        let theme = f.required_text("theme", Some(&raw.theme), 200);
        let rules = f.text("rules", raw.rules.as_deref(), 2000);
        let opens = f.date("opens_on", Some(&raw.opens_on));
        let closes = f.date("closes_on", Some(&raw.closes_on));
        if let (Some(o), Some(c)) = (opens, closes)
            && c < o
        {
            f.add(FieldError::new("closes_on", "validation.date_order"));
        }
        let mut open: Vec<UnitId> = Vec::new();
        for &n in &raw.open_unit_ids {
            if n <= 0 {
                f.add(FieldError::new("open_unit_ids", "validation.open_unit"));
                break;
            }
            open.push(UnitId(n));
        }
        open.sort_unstable_by_key(|u| u.0);
        open.dedup();
        if open.len() > MAX_OPEN_UNITS {
            f.add(FieldError::new(
                "open_unit_ids",
                "validation.open_units_too_many",
            ));
        }
        let text = (|| {
            let (opens, closes) = (opens?, closes?);
            (closes >= opens).then_some(())?;
            Some(CallText {
                title: title?,
                theme: theme?,
                rules: rules?,
                opens,
                closes,
            })
        })();
        Call {
            text,
            open_unit_ids: open,
            fields: f,
        }
    }
}

/// A new campaign as parsed: the organiser, the column and the judges' login names (found
/// by the service) beside the call; errors are gathered in `call.fields`.
#[derive(Debug)]
pub struct NewCampaign {
    pub unit_id: Option<UnitId>,
    pub column_id: Option<ColumnId>,
    pub judges: Vec<String>,
    pub call: Call,
}

impl NewCampaign {
    pub fn parse(raw: &CampaignInput) -> NewCampaign {
        let mut call = Call::parse(&CampaignEdit {
            title: raw.title.clone(),
            theme: raw.theme.clone(),
            rules: raw.rules.clone(),
            opens_on: raw.opens_on.clone(),
            closes_on: raw.closes_on.clone(),
            open_unit_ids: raw.open_unit_ids.clone(),
        });
        let f = &mut call.fields;
        // An organiser left out is one outside the caller's scope, as before.
        let unit_id = (raw.unit_id > 0).then_some(UnitId(raw.unit_id));
        let column_id = f.take(given_id("column_id", raw.column_id));
        let judges: Vec<String> = raw
            .judges
            .split([',', '，', ' ', '、'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        if judges.is_empty() {
            f.add(FieldError::new("judges", "validation.required"));
        }
        NewCampaign {
            unit_id,
            column_id,
            judges,
            call,
        }
    }
}

/// A work as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkDraft {
    /// One of [`KINDS`].
    pub kind: &'static str,
    pub title: String,
    pub body: String,
}

impl WorkDraft {
    /// Kind, title, text and the author's consent, which is required.
    pub fn parse(raw: &WorkInput) -> AppResult<Self> {
        let mut f = Fields::new();
        let kind = f.choice("kind", Some(&raw.kind), |k| {
            KINDS.iter().find(|x| **x == k).copied()
        });
        let title = f.required_text("title", Some(&raw.title), 60);
        let body = f.required_text("body", Some(&raw.body), 20_000);
        if !raw.consent {
            f.add(FieldError::new("consent", "validation.consent"));
        }
        let value = (|| {
            Some(WorkDraft {
                kind: kind?,
                title: title?,
                body: body?,
            })
        })();
        f.done(value)
    }
}

/// A judge's score as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Score {
    /// 0 to 100.
    pub score: i32,
    pub comment: Option<String>,
}

impl Score {
    pub fn parse(raw: &ScoreInput) -> AppResult<Self> {
        let mut f = Fields::new();
        if !(0..=100).contains(&raw.score) {
            f.add(FieldError::new("score", "validation.score"));
        }
        let comment = f.text("comment", raw.comment.as_deref(), 500);
        let value = comment.map(|comment| Score {
            score: raw.score,
            comment,
        });
        f.done(value)
    }

    /// The judging page's form, where the score comes as text.
    pub fn parse_form(score: &str, comment: Option<String>) -> AppResult<Self> {
        let score = score
            .trim()
            .parse::<i32>()
            .map_err(|_| AppError::field("score", "validation.score"))?;
        Score::parse(&ScoreInput { score, comment })
    }
}

/// What the organiser does with a work of a finished campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkVerdict {
    /// Keeps it on the short list.
    Shortlist,
    /// Sends it to the campaign's column through review.
    Choose,
}

impl WorkVerdict {
    pub fn parse(s: &str) -> Option<WorkVerdict> {
        match s {
            "shortlist" => Some(WorkVerdict::Shortlist),
            "choose" => Some(WorkVerdict::Choose),
            _ => None,
        }
    }

    /// The verdict in a body's `action` field, or the field's error.
    pub fn parse_action(action: &str) -> AppResult<WorkVerdict> {
        let mut f = Fields::new();
        let v = f.choice("action", Some(action), WorkVerdict::parse);
        f.done(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(f: Fields) -> Vec<(&'static str, &'static str)> {
        match f.check() {
            Err(AppError::Validation(e)) => e.iter().map(|e| (e.field, e.key)).collect(),
            Ok(()) => Vec::new(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_call_names_every_bad_field_and_keeps_its_units() {
        let call = Call::parse(&CampaignEdit {
            title: " ".into(),
            theme: "我的晚年生活".into(),
            rules: None,
            opens_on: "2026-10-01".into(),
            closes_on: "2026-09-01".into(),
            open_unit_ids: vec![7, 3, 7],
        });
        assert!(call.text.is_none());
        assert_eq!(call.open_unit_ids, [UnitId(3), UnitId(7)]);
        assert_eq!(
            keys(call.fields),
            [
                ("title", "validation.required"),
                ("closes_on", "validation.date_order")
            ]
        );
        let many = CampaignEdit {
            title: "征文".into(),
            theme: "主题".into(),
            opens_on: "2026-10-01".into(),
            closes_on: "2026-10-01".into(),
            open_unit_ids: (1..=51).collect(),
            ..Default::default()
        };
        let call = Call::parse(&many);
        assert!(call.text.is_some());
        assert_eq!(
            keys(call.fields),
            [("open_unit_ids", "validation.open_units_too_many")]
        );
    }

    #[test]
    fn a_new_campaign_needs_a_column_and_judges() {
        let c = NewCampaign::parse(&CampaignInput {
            unit_id: 4,
            title: "征文".into(),
            theme: "主题".into(),
            opens_on: "2026-10-01".into(),
            closes_on: "2026-10-09".into(),
            judges: "judge1，judge2 ".into(),
            column_id: 2,
            ..Default::default()
        });
        assert_eq!(c.judges, ["judge1", "judge2"]);
        assert_eq!(
            (c.unit_id, c.column_id),
            (Some(UnitId(4)), Some(ColumnId(2)))
        );
        assert!(c.call.fields.is_empty());
        let c = NewCampaign::parse(&CampaignInput::default());
        let fields: Vec<_> = keys(c.call.fields).into_iter().map(|e| e.0).collect();
        for f in [
            "title",
            "theme",
            "opens_on",
            "closes_on",
            "column_id",
            "judges",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn works_scores_and_verdicts() {
        let w = WorkInput {
            kind: "poem".into(),
            title: "重阳".into(),
            body: "诗".into(),
            consent: false,
        };
        assert!(WorkDraft::parse(&w).is_err());
        let w = WorkDraft::parse(&WorkInput { consent: true, ..w }).unwrap();
        assert_eq!(w.kind, "poem");
        assert!(Score::parse_form("101", None).is_err());
        assert!(Score::parse_form("八十", None).is_err());
        assert_eq!(Score::parse_form(" 85 ", None).unwrap().score, 85);
        assert_eq!(WorkVerdict::parse("choose"), Some(WorkVerdict::Choose));
        assert!(WorkVerdict::parse_action("publish").is_err());
    }
}
