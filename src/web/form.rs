//! Parsing forms and JSON bodies at the edge into typed values, one way for every module: a
//! [`Fields`] collector takes each field's parse result, so that one answer names every bad
//! field (in the caller's language, by message key), and nothing reaches a service as a raw
//! string or a made-up id.

use crate::error::{AppError, AppResult, FieldError};

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
