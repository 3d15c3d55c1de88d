//! Comments as sent and as parsed at the edge: a reader's comment ([`CommentDraft`]), a
//! moderator's verdict ([`Verdict`]) and the moderation page's step ([`ModerationStep`]).

use crate::error::AppResult;
use crate::ids::CommentId;
use crate::news::model::given_id;
use crate::web::form::Fields;

/// A comment as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CommentInput {
    /// The name shown (readers without an account); signed-in accounts show their own.
    pub author_name: Option<String>,
    pub body: String,
    /// Replying to this comment.
    pub parent_id: Option<i64>,
}

/// A comment as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommentDraft {
    /// The name typed by a reader without an account; `None` for a signed-in one (who
    /// shows their own).
    pub author_name: Option<String>,
    pub body: String,
    pub parent_id: Option<CommentId>,
}

impl CommentDraft {
    /// `signed`: the caller is signed in, so no name is asked for.
    pub fn parse(raw: &CommentInput, signed: bool) -> AppResult<Self> {
        let mut f = Fields::new();
        let body = f.required_text("body", Some(&raw.body), 500);
        let author_name = if signed {
            Some(None)
        } else {
            f.required_text("author_name", raw.author_name.as_deref(), 20)
                .map(Some)
        };
        let parent_id = match raw.parent_id {
            None => Some(None),
            Some(n) => f.take(given_id("parent_id", n)).map(Some),
        };
        let value = (|| {
            Some(CommentDraft {
                author_name: author_name?,
                body: body?,
                parent_id: parent_id?,
            })
        })();
        f.done(value)
    }
}

/// A moderator's reply: its text, given, at most 500 characters.
pub fn parse_reply(raw: Option<&str>) -> AppResult<String> {
    let mut f = Fields::new();
    let body = f.required_text("body", raw, 500);
    f.done(body)
}

/// Where a comment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommentState {
    /// Waits for a moderator (a reader's comment, or one reported often enough).
    Pending,
    /// Shown.
    Approved,
    Rejected,
}

impl CommentState {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentState::Pending => "pending",
            CommentState::Approved => "approved",
            CommentState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<CommentState> {
        [
            CommentState::Pending,
            CommentState::Approved,
            CommentState::Rejected,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// A state as stored: the database keeps the code.
impl TryFrom<String> for CommentState {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        CommentState::parse(&s).ok_or(s)
    }
}

/// What a moderator decides about a pending comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Reject,
}

impl Verdict {
    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "approve" => Some(Verdict::Approve),
            "reject" => Some(Verdict::Reject),
            _ => None,
        }
    }

    /// The comment's state after it.
    pub fn state(self) -> CommentState {
        match self {
            Verdict::Approve => CommentState::Approved,
            Verdict::Reject => CommentState::Rejected,
        }
    }

    /// The audit trail's name of it.
    pub fn audit_action(self) -> &'static str {
        match self {
            Verdict::Approve => "comment.approve",
            Verdict::Reject => "comment.reject",
        }
    }
}

/// What the moderation page asks for: a verdict, or an official reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModerationStep {
    Decide(Verdict),
    Reply,
}

impl ModerationStep {
    pub fn parse(s: &str) -> Option<ModerationStep> {
        match s {
            "reply" => Some(ModerationStep::Reply),
            other => Verdict::parse(other).map(ModerationStep::Decide),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    fn fields(r: AppResult<CommentDraft>) -> Vec<&'static str> {
        match r {
            Err(AppError::Validation(e)) => e.iter().map(|e| e.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn readers_name_themselves_and_accounts_do_not() {
        let raw = CommentInput {
            author_name: None,
            body: " 好 ".into(),
            parent_id: Some(4),
        };
        assert_eq!(fields(CommentDraft::parse(&raw, false)), ["author_name"]);
        let d = CommentDraft::parse(&raw, true).unwrap();
        assert_eq!(
            (d.author_name, d.body.as_str(), d.parent_id),
            (None, "好", Some(CommentId(4)))
        );
        let raw = CommentInput {
            author_name: Some("老李".into()),
            body: String::new(),
            parent_id: Some(0),
        };
        assert_eq!(
            fields(CommentDraft::parse(&raw, false)),
            ["body", "parent_id"]
        );
    }

    #[test]
    fn moderation_steps_are_a_closed_set() {
        assert_eq!(
            ModerationStep::parse("approve"),
            Some(ModerationStep::Decide(Verdict::Approve))
        );
        assert_eq!(ModerationStep::parse("reply"), Some(ModerationStep::Reply));
        assert_eq!(ModerationStep::parse("delete"), None);
        assert_eq!(Verdict::parse("reply"), None);
        assert_eq!(Verdict::Reject.state(), CommentState::Rejected);
        assert_eq!(
            CommentState::try_from("pending".to_string()),
            Ok(CommentState::Pending)
        );
    }
}
