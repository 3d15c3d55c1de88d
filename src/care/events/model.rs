//! A life event and hardship aid as submitted (the raw bodies serde reads) and their parse,
//! at the edge, into [`NewLifeEvent`] and [`NewAid`].

use crate::care::model::LifeEventKind;
use crate::error::{AppResult, FieldError};
use crate::people::model::parse_past_date;
use crate::web::form::Fields;
use chrono::{NaiveDate, Utc};

/// A life event as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EventInput {
    /// hospitalised, discharged, bereavement, hardship, moved or died.
    pub kind: String,
    /// `YYYY-MM-DD`, not in the future.
    pub occurred_on: String,
    pub note: Option<String>,
}

/// A life event parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct NewLifeEvent {
    pub kind: LifeEventKind,
    pub occurred_on: NaiveDate,
    pub note: Option<String>,
}

impl NewLifeEvent {
    /// Parses a submitted life event; one answer names every bad field.
    pub fn parse(raw: &EventInput) -> AppResult<Self> {
        let today = Utc::now().date_naive();
        let mut f = Fields::new();
        let kind = f.choice("kind", Some(&raw.kind), LifeEventKind::parse);
        let occurred_on = f.take(parse_past_date("occurred_on", &raw.occurred_on, today));
        let note = f.text("note", raw.note.as_deref(), 500).flatten();
        let (Some(kind), Some(occurred_on)) = (kind, occurred_on) else {
            return Err(f.failed());
        };
        f.done(Some(NewLifeEvent {
            kind,
            occurred_on,
            note,
        }))
    }
}

/// Hardship aid as submitted; the amount in yuan with up to two decimals.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AidInput {
    pub kind: String,
    /// Yuan, e.g. `500` or `1200.50`.
    pub amount: String,
    pub approved_by: String,
    pub granted_on: String,
    pub note: Option<String>,
}

/// Hardship aid parsed; the amount in fen.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAid {
    pub kind: String,
    pub amount_fen: i64,
    pub approved_by: String,
    pub granted_on: NaiveDate,
    pub note: Option<String>,
}

impl NewAid {
    /// Parses submitted aid; one answer names every bad field.
    pub fn parse(raw: &AidInput) -> AppResult<Self> {
        let today = Utc::now().date_naive();
        let mut f = Fields::new();
        let kind = f.required_text("kind", Some(&raw.kind), 60);
        let approved_by = f.required_text("approved_by", Some(&raw.approved_by), 60);
        let amount_fen = parse_yuan(&raw.amount);
        if amount_fen.is_none() {
            f.add(FieldError::new("amount", "validation.amount"));
        }
        let granted_on = f.take(parse_past_date("granted_on", &raw.granted_on, today));
        let note = f.text("note", raw.note.as_deref(), 500).flatten();
        let (Some(kind), Some(approved_by), Some(amount_fen), Some(granted_on)) =
            (kind, approved_by, amount_fen, granted_on)
        else {
            return Err(f.failed());
        };
        f.done(Some(NewAid {
            kind,
            amount_fen,
            approved_by,
            granted_on,
            note,
        }))
    }
}

/// `1200.5` → 120050 fen; at most two decimals, not negative.
pub fn parse_yuan(s: &str) -> Option<i64> {
    let s = s.trim().trim_start_matches('¥').trim_end_matches('元');
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty()
        || frac.len() > 2
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let yuan: i64 = int.parse().ok()?;
    let fen: i64 = format!("{frac:0<2}").parse().ok()?;
    yuan.checked_mul(100)?.checked_add(fen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn yuan_to_fen() {
        assert_eq!(parse_yuan("500"), Some(50_000));
        assert_eq!(parse_yuan("1200.5"), Some(120_050));
        assert_eq!(parse_yuan("¥3.05"), Some(305));
        assert_eq!(parse_yuan("-1"), None);
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan(""), None);
    }

    #[test]
    fn events_and_aid_name_every_bad_field() {
        let e = NewLifeEvent::parse(&EventInput {
            kind: " died ".into(),
            occurred_on: "2020-02-29".into(),
            note: Some(" ".into()),
        })
        .unwrap();
        assert_eq!((e.kind, e.note), (LifeEventKind::Died, None));
        match NewAid::parse(&AidInput {
            amount: "1.234".into(),
            granted_on: "2020-02-30".into(),
            ..AidInput::default()
        }) {
            Err(AppError::Validation(errors)) => assert_eq!(
                errors.iter().map(|e| e.field).collect::<Vec<_>>(),
                vec!["kind", "approved_by", "amount", "granted_on"]
            ),
            other => panic!("{other:?}"),
        }
    }
}
