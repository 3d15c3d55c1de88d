//! The must-visit rules form of a unit's care page (numbers arrive as text) and its parse,
//! at the edge, into [`Rules`] in range.

use super::rules::{Rules, parse_ages};
use crate::error::{AppResult, FieldError};
use crate::web::form::Fields;

/// The must-visit rules form of a unit's care page: numbers arrive as text.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RulesForm {
    pub key_days: String,
    pub regular_days: String,
    pub routine_days: String,
    pub hospital_days: String,
    pub bereavement_days: String,
    pub death_days: String,
    pub yearly_from_age: String,
    pub festival_window_days: String,
    /// `70, 80, 90`.
    pub milestone_ages: String,
}

impl RulesForm {
    /// Parses the form into rules in range; one answer names every bad field.
    pub fn parse(&self) -> AppResult<Rules> {
        let mut f = Fields::new();
        let mut num = |k: &'static str, v: &str| -> i32 {
            v.trim().parse().unwrap_or_else(|_| {
                f.add(FieldError::new(k, "validation.rule_range"));
                0
            })
        };
        let rules = Rules {
            key_days: num("key_days", &self.key_days),
            regular_days: num("regular_days", &self.regular_days),
            routine_days: num("routine_days", &self.routine_days),
            hospital_days: num("hospital_days", &self.hospital_days),
            bereavement_days: num("bereavement_days", &self.bereavement_days),
            death_days: num("death_days", &self.death_days),
            yearly_from_age: num("yearly_from_age", &self.yearly_from_age),
            festival_window_days: num("festival_window_days", &self.festival_window_days),
            milestone_ages: parse_ages(&self.milestone_ages).unwrap_or_default(),
        };
        rules.check_into(&mut f);
        f.done(Some(rules))
    }
}
