//! Publishing rules: the review workflow as a state machine, article input checks, and
//! Markdown turned into sanitised HTML.

use crate::error::FieldError;
use crate::ids::AccountId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where an article stands in the review workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    Submitted,
    /// Passed the first of two review steps.
    FirstApproved,
    /// Finally approved, waiting for its publishing time.
    Approved,
    Published,
    /// Sent back to the author with a comment; editable again.
    Rejected,
    /// Taken down with a reason; kept, hidden from the public.
    Withdrawn,
}

impl State {
    pub const ALL: [State; 7] = [
        State::Draft,
        State::Submitted,
        State::FirstApproved,
        State::Approved,
        State::Published,
        State::Rejected,
        State::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::FirstApproved => "first_approved",
            State::Approved => "approved",
            State::Published => "published",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Out for the public.
    pub fn is_published(self) -> bool {
        self == State::Published
    }

    /// The author may still change the text.
    pub fn editable(self) -> bool {
        matches!(self, State::Draft | State::Rejected)
    }

    /// Waiting for a reviewer.
    pub fn in_review(self) -> bool {
        matches!(self, State::Submitted | State::FirstApproved)
    }
}

/// A state as stored: the database keeps the code.
impl TryFrom<String> for State {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        State::parse(&s).ok_or(s)
    }
}

/// The code, as in CSS classes and message keys (`state-published`).
impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something a person does to an article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Submit,
    Approve,
    Reject,
    Withdraw,
    /// The scheduler publishing an approved article whose time has come.
    PublishDue,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Withdraw => "withdraw",
            Action::PublishDue => "publish",
        }
    }

    /// An action a person may ask for (the scheduler's publishing is not one of them).
    pub fn parse(s: &str) -> Option<Action> {
        [
            Action::Submit,
            Action::Approve,
            Action::Reject,
            Action::Withdraw,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }

    /// The audit trail's name of the action.
    pub fn audit_action(self) -> &'static str {
        match self {
            Action::Submit => "article.submit",
            Action::Approve => "article.approve",
            Action::Reject => "article.reject",
            Action::Withdraw => "article.withdraw",
            Action::PublishDue => "article.publish",
        }
    }
}

/// Why a transition is refused (message keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not allowed from this state.
    Illegal,
    /// Authors do not review their own work.
    OwnArticle,
    /// The two steps need two reviewers.
    SameReviewer,
    /// Reject and withdraw need a reason.
    ReasonRequired,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::Illegal => "news.illegal_transition",
            Refusal::OwnArticle => "news.own_article",
            Refusal::SameReviewer => "news.same_reviewer",
            Refusal::ReasonRequired => "validation.reason_required",
        }
    }
}

/// The facts a transition depends on.
pub struct Facts<'a> {
    pub state: State,
    /// Review steps configured for the article's unit (1 or 2).
    pub steps: u8,
    pub actor: AccountId,
    pub author: AccountId,
    /// Who passed the first step, in a two-step unit.
    pub first_reviewer: Option<AccountId>,
    pub publish_at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
    pub comment: Option<&'a str>,
}

/// The state an action leads to, or why it may not happen. Roles are checked by the
/// caller; this decides what the workflow allows.
pub fn transition(action: Action, f: &Facts) -> Result<State, Refusal> {
    let reason_given = f.comment.is_some_and(|c| !c.trim().is_empty());
    let published_or_scheduled = match f.publish_at {
        Some(at) if at > f.now => State::Approved,
        _ => State::Published,
    };
    match (action, f.state) {
        (Action::Submit, State::Draft | State::Rejected) => Ok(State::Submitted),
        (Action::Approve, State::Submitted | State::FirstApproved) if f.actor == f.author => {
            Err(Refusal::OwnArticle)
        }
        (Action::Approve, State::Submitted) if f.steps >= 2 => Ok(State::FirstApproved),
        (Action::Approve, State::Submitted) => Ok(published_or_scheduled),
        (Action::Approve, State::FirstApproved) if f.first_reviewer == Some(f.actor) => {
            Err(Refusal::SameReviewer)
        }
        (Action::Approve, State::FirstApproved) => Ok(published_or_scheduled),
        (Action::Reject, State::Submitted | State::FirstApproved) if !reason_given => {
            Err(Refusal::ReasonRequired)
        }
        (Action::Reject, State::Submitted | State::FirstApproved) => Ok(State::Rejected),
        (Action::Withdraw, State::Published | State::Approved) if !reason_given => {
            Err(Refusal::ReasonRequired)
        }
        (Action::Withdraw, State::Published | State::Approved) => Ok(State::Withdrawn),
        (Action::PublishDue, State::Approved) if f.publish_at.is_none_or(|at| at <= f.now) => {
            Ok(State::Published)
        }
        _ => Err(Refusal::Illegal),
    }
}

/// Markdown (or plain text) to HTML that is safe to show: ammonia keeps ordinary
/// formatting, links and images and drops scripts, event handlers and styles.
pub fn render_body(md: &str) -> String {
    let mut html = String::new();
    let parser = pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::ENABLE_TABLES);
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

/// Tags as typed (commas, Chinese commas or spaces), trimmed, distinct, at most 10 of at most
/// 20 characters each.
pub fn parse_tags(s: &str) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for t in s.split([',', '，', '、', ' ', ';', '；']) {
        let t = t.trim();
        if t.is_empty() || out.iter().any(|x| x == t) {
            continue;
        }
        if t.chars().count() > 20 {
            return Err(FieldError::new("tags", "validation.tag_too_long"));
        }
        out.push(t.to_string());
    }
    if out.len() > 10 {
        return Err(FieldError::new("tags", "validation.too_many_tags"));
    }
    Ok(out)
}

/// An id that comes as a JSON number (or a form field read as one): a positive whole number,
/// else the field's "choose" error. [`crate::web::form::id`] for ids read as numbers.
pub fn given_id<T: From<i64>>(field: &'static str, n: i64) -> Result<T, FieldError> {
    if n > 0 {
        Ok(T::from(n))
    } else {
        Err(FieldError::new(field, "validation.choose"))
    }
}

/// The words of `list` that occur in `text` (folded, so Traditional forms count too).
pub fn sensitive_hits(text: &str, list: &[String]) -> Vec<String> {
    let folded = crate::search::fold(text);
    list.iter()
        .filter(|w| !w.is_empty() && folded.contains(&crate::search::fold(w)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn facts(state: State, steps: u8, actor: i64) -> Facts<'static> {
        Facts {
            state,
            steps,
            actor: AccountId(actor),
            author: AccountId(1),
            first_reviewer: None,
            publish_at: None,
            now: Utc::now(),
            comment: None,
        }
    }

    #[test]
    fn two_steps_need_two_different_reviewers_and_never_the_author() {
        let f = facts(State::Submitted, 2, 1);
        assert_eq!(transition(Action::Approve, &f), Err(Refusal::OwnArticle));
        let f = facts(State::Submitted, 2, 2);
        assert_eq!(transition(Action::Approve, &f), Ok(State::FirstApproved));
        let mut f = facts(State::FirstApproved, 2, 2);
        f.first_reviewer = Some(AccountId(2));
        assert_eq!(transition(Action::Approve, &f), Err(Refusal::SameReviewer));
        f.actor = AccountId(3);
        assert_eq!(transition(Action::Approve, &f), Ok(State::Published));
    }

    #[test]
    fn one_step_publishes_at_once_or_at_the_set_time() {
        let mut f = facts(State::Submitted, 1, 2);
        assert_eq!(transition(Action::Approve, &f), Ok(State::Published));
        f.publish_at = Some(f.now + Duration::hours(2));
        assert_eq!(transition(Action::Approve, &f), Ok(State::Approved));
        let mut due = facts(State::Approved, 1, 0);
        due.publish_at = Some(due.now + Duration::hours(2));
        assert_eq!(transition(Action::PublishDue, &due), Err(Refusal::Illegal));
        due.publish_at = Some(due.now - Duration::minutes(1));
        assert_eq!(transition(Action::PublishDue, &due), Ok(State::Published));
    }

    #[test]
    fn illegal_moves_are_refused() {
        for (action, state) in [
            (Action::Approve, State::Draft),
            (Action::Approve, State::Published),
            (Action::Submit, State::Submitted),
            (Action::Submit, State::Published),
            (Action::Withdraw, State::Draft),
            (Action::PublishDue, State::Submitted),
            (Action::Reject, State::Published),
        ] {
            let mut f = facts(state, 2, 2);
            f.comment = Some("理由");
            assert_eq!(
                transition(action, &f),
                Err(Refusal::Illegal),
                "{action:?} {state:?}"
            );
        }
    }

    #[test]
    fn reject_and_withdraw_need_a_reason() {
        let f = facts(State::Submitted, 2, 2);
        assert_eq!(transition(Action::Reject, &f), Err(Refusal::ReasonRequired));
        let mut f = facts(State::Published, 2, 2);
        f.comment = Some("  ");
        assert_eq!(
            transition(Action::Withdraw, &f),
            Err(Refusal::ReasonRequired)
        );
        f.comment = Some("信息有误");
        assert_eq!(transition(Action::Withdraw, &f), Ok(State::Withdrawn));
        let mut f = facts(State::Submitted, 2, 2);
        f.comment = Some("请补充活动照片");
        assert_eq!(transition(Action::Reject, &f), Ok(State::Rejected));
        let f = facts(State::Rejected, 2, 1);
        assert_eq!(transition(Action::Submit, &f), Ok(State::Submitted));
    }

    #[test]
    fn bodies_are_sanitised() {
        let html = render_body(
            "**重阳节**活动\n\n<script>alert(1)</script><img src=x onerror=alert(2)>[链接](javascript:alert(3))",
        );
        assert!(html.contains("<strong>重阳节</strong>"));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("href=\"javascript:"), "{html}");
    }

    #[test]
    fn tags_are_split_and_checked() {
        assert_eq!(
            parse_tags("重阳, 敬老，重阳 走访").unwrap(),
            ["重阳", "敬老", "走访"]
        );
        assert!(parse_tags(&"长".repeat(21)).is_err());
    }

    #[test]
    fn sensitive_words_match_across_scripts() {
        let list = vec!["敏感词".to_string(), "赌博".to_string()];
        assert_eq!(
            sensitive_hits("这里有賭博广告", &list),
            vec!["赌博".to_string()]
        );
    }
}
