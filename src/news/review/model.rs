//! A decision on an article as sent ([`DecisionInput`]) and as parsed at the edge
//! ([`Decision`]): the action one of the workflow's, the comment trimmed and bounded.

use crate::error::AppResult;
use crate::news::model::Action;
use crate::web::form::Fields;

/// A reviewer's or author's decision on an article.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionInput {
    /// submit, approve, reject or withdraw.
    pub action: String,
    /// Required to reject or withdraw.
    pub comment: Option<String>,
}

/// A decision as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub action: Action,
    /// At most 500 characters; the workflow decides where it is required.
    pub comment: Option<String>,
}

impl Decision {
    pub fn parse(raw: &DecisionInput) -> AppResult<Self> {
        let mut f = Fields::new();
        let action = f.choice("action", Some(&raw.action), Action::parse);
        let comment = f.text("comment", raw.comment.as_deref(), 500);
        let value = action
            .zip(comment)
            .map(|(action, comment)| Decision { action, comment });
        f.done(value)
    }
}

/// A word for the sensitive-word list: given, at most 20 characters, trimmed.
pub fn parse_word(raw: &str) -> AppResult<String> {
    let mut f = Fields::new();
    let word = f.required_text("word", Some(raw), 20);
    f.done(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn actions_are_the_workflows_and_comments_are_bounded() {
        let d = Decision::parse(&DecisionInput {
            action: "reject".into(),
            comment: Some(" 请补充照片 ".into()),
        })
        .unwrap();
        assert_eq!(d.action, Action::Reject);
        assert_eq!(d.comment.as_deref(), Some("请补充照片"));
        // The scheduler's publishing is not a person's to ask for.
        let bad = Decision::parse(&DecisionInput {
            action: "publish".into(),
            comment: Some("长".repeat(501)),
        });
        match bad {
            Err(AppError::Validation(e)) => assert_eq!(
                e.iter().map(|e| (e.field, e.key)).collect::<Vec<_>>(),
                [
                    ("action", "validation.choice"),
                    ("comment", "validation.too_long")
                ]
            ),
            other => panic!("{other:?}"),
        }
        assert!(parse_word("  ").is_err());
        assert_eq!(parse_word(" 赌博 ").unwrap(), "赌博");
    }
}

/// How many review steps a unit's articles take: one review, or a first review and then a
/// final approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Steps(u8);

impl Steps {
    /// 1 or 2; anything else is the field error `steps`.
    pub fn parse(n: u8) -> AppResult<Steps> {
        let mut f = Fields::new();
        let steps = f.take(if (1..=2).contains(&n) {
            Ok(Steps(n))
        } else {
            Err(crate::error::FieldError::new("steps", "validation.choice"))
        });
        f.done(steps)
    }

    pub fn get(self) -> u8 {
        self.0
    }
}
