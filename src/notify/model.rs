//! The kinds of notification, registered here: what each is about and which channels it
//! goes by unless the account chooses otherwise. Later modules (events, branch life,
//! requests) add their kinds here.

use crate::people::model::code_enum;
use serde::{Deserialize, Serialize};

pub use crate::ids::NotificationId;

code_enum!(
    /// What a notification is about.
    NoticeKind, "notice_kind" {
        ReviewWaiting => "review_waiting",
        ArticleApproved => "article_approved",
        ArticleRejected => "article_rejected",
        ArticlePublished => "article_published",
        ArticleWithdrawn => "article_withdrawn",
        RoleGranted => "role_granted",
        RoleRevoked => "role_revoked",
        TasksDigest => "tasks_digest",
    }
);

code_enum!(
    /// A way a notification reaches a person.
    Channel, "channel" { InApp => "in_app", Email => "email", Sms => "sms", Wechat => "wechat" }
);

impl NoticeKind {
    /// The channels a kind goes by unless the account chooses otherwise. Everything is in the
    /// inbox; staff work (reviews, tasks, roles) also by email once it is configured.
    pub fn default_channels(self) -> &'static [Channel] {
        match self {
            NoticeKind::ReviewWaiting
            | NoticeKind::ArticleRejected
            | NoticeKind::RoleGranted
            | NoticeKind::RoleRevoked
            | NoticeKind::TasksDigest => &[Channel::InApp, Channel::Email],
            NoticeKind::ArticleApproved
            | NoticeKind::ArticlePublished
            | NoticeKind::ArticleWithdrawn => &[Channel::InApp],
        }
    }

    /// Whether it goes out even in quiet hours.
    pub fn urgent(self) -> bool {
        false
    }
}

/// One notification to write: to whom, of what kind, about what (words shown after the
/// kind's label, such as an article's title), an optional note (a reviewer's comment) and
/// where it leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNotice {
    pub account: crate::ids::AccountId,
    pub kind: NoticeKind,
    pub subject: String,
    pub note: Option<String>,
    pub link: Option<String>,
    /// Written once per account and key (a day's digest).
    pub once_key: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_in_the_inbox_and_has_a_label() {
        for k in NoticeKind::ALL {
            assert!(k.default_channels().contains(&Channel::InApp), "{k:?}");
            assert_eq!(NoticeKind::parse(k.as_str()), Some(*k));
            for l in [crate::i18n::Locale::ZhCn, crate::i18n::Locale::En] {
                let label = l.t(&k.label_key());
                assert_ne!(label, k.label_key(), "{k:?} has no {l:?} label");
            }
        }
    }
}
