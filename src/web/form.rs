//! Parsing forms and JSON bodies at the edge into typed values, one way for every module: a
//! [`Fields`] collector takes each field's parse result, so that one answer names every bad
//! field (in the caller's language, by message key), and nothing reaches a service as a raw
//! string or a made-up id.

use crate::error::{AppError, AppResult, FieldError};
use chrono::NaiveDate;

/// Field errors gathered while one input is parsed.
#[derive(Debug, Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps a parsed value, or records why it could not be parsed.
    pub fn take<T>(&mut self, parsed: Result<T, FieldError>) -> Option<T> {
        parsed.map_err(|e| self.0.push(e)).ok()
    }

    /// A choice from a list that must be made: the id of the chosen record.
    pub fn id<T: From<i64>>(&mut self, field: &'static str, raw: &str) -> Option<T> {
        self.take(id(field, raw))
    }

    /// A choice from a list that may be left empty (the "none" option).
    pub fn optional_id<T: From<i64>>(
        &mut self,
        field: &'static str,
        raw: Option<&str>,
    ) -> Option<Option<T>> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(s) => self.id(field, s).map(Some),
        }
    }

    /// Text that must be given, at most `max` characters, trimmed.
    pub fn required_text(
        &mut self,
        field: &'static str,
        raw: Option<&str>,
        max: usize,
    ) -> Option<String> {
        match text(field, raw, max) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                self.add(FieldError::new(field, "validation.required"));
                None
            }
            Err(e) => {
                self.add(e);
                None
            }
        }
    }

    /// Text that may be left empty (`Some(None)`), at most `max` characters, trimmed.
    pub fn text(
        &mut self,
        field: &'static str,
        raw: Option<&str>,
        max: usize,
    ) -> Option<Option<String>> {
        self.take(text(field, raw, max))
    }

    /// A date `YYYY-MM-DD` that must be given.
    pub fn date(&mut self, field: &'static str, raw: Option<&str>) -> Option<NaiveDate> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                self.add(FieldError::new(field, "validation.required"));
                None
            }
            Some(s) => self.take(date(field, s)),
        }
    }

    /// A date `YYYY-MM-DD` that may be left empty.
    pub fn optional_date(
        &mut self,
        field: &'static str,
        raw: Option<&str>,
    ) -> Option<Option<NaiveDate>> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(s) => self.take(date(field, s)).map(Some),
        }
    }

    /// One of a closed set of codes (an enum's `parse`), which must be given.
    pub fn choice<T>(
        &mut self,
        field: &'static str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        let r = raw.map(str::trim).and_then(parse);
        if r.is_none() {
            self.add(FieldError::new(field, "validation.choice"));
        }
        r
    }

    /// A whole number within `range`.
    pub fn int(
        &mut self,
        field: &'static str,
        raw: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        match raw.trim().parse::<i64>() {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                self.add(FieldError::new(field, "validation.number"));
                None
            }
        }
    }

    /// Whether an error was recorded for `field` (to skip checks that build on it).
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// Whether any error was recorded so far.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The parsed value when every field parsed, else every field's error: the usual end of a
    /// `parse` constructor, given the fields zipped into one `Option`.
    pub fn done<T>(self, value: Option<T>) -> AppResult<T> {
        match value {
            Some(v) if self.0.is_empty() => Ok(v),
            _ => Err(self.failed()),
        }
    }

    /// Records an error found by a check across fields.
    pub fn add(&mut self, e: FieldError) {
        self.0.push(e);
    }

    /// The errors as the house's validation error, or `Ok` when there were none.
    pub fn check(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }

    /// The error for values a caller could not have left `None` without an error recorded.
    pub fn failed(self) -> AppError {
        AppError::Validation(if self.0.is_empty() {
            vec![FieldError::new("form", "validation.form")]
        } else {
            self.0
        })
    }
}

/// The id of a record chosen from a list: a positive whole number.
pub fn id<T: From<i64>>(field: &'static str, raw: &str) -> Result<T, FieldError> {
    match raw.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(T::from(n)),
        _ => Err(FieldError::new(field, "validation.choose")),
    }
}

/// A date written `YYYY-MM-DD`.
pub fn date(field: &'static str, raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "validation.date"))
}

/// Free text of at most `max` characters (counted as characters, not bytes), trimmed; empty
/// is `None`.
pub fn text(
    field: &'static str,
    s: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) if t.chars().count() <= max => Ok(Some(t.to_string())),
        Some(_) => Err(FieldError::new(field, "validation.too_long")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UnitId;

    #[test]
    fn every_bad_field_is_named_once() {
        let mut f = Fields::new();
        let a: Option<UnitId> = f.id("unit_id", " 12 ");
        let b: Option<UnitId> = f.id("parent_id", "");
        let c: Option<Option<UnitId>> = f.optional_id("branch", Some(" "));
        let d: Option<Option<UnitId>> = f.optional_id("other", Some("x"));
        assert_eq!(a, Some(UnitId(12)));
        assert_eq!((b, c, d), (None, Some(None), None));
        match f.check() {
            Err(AppError::Validation(e)) => assert_eq!(
                e.iter().map(|e| (e.field, e.key)).collect::<Vec<_>>(),
                vec![
                    ("parent_id", "validation.choose"),
                    ("other", "validation.choose")
                ]
            ),
            other => panic!("{other:?}"),
        }
        assert!(id::<UnitId>("u", "0").is_err() && id::<UnitId>("u", "-3").is_err());
        assert_eq!(
            text("t", Some("  老干部 "), 3).unwrap().as_deref(),
            Some("老干部")
        );
        assert!(text("t", Some("老干部局"), 3).is_err());
        assert_eq!(text("t", Some("  "), 3).unwrap(), None);
    }
}
