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
        Notice => "notice",
        CommentReply => "comment_reply",
        RoundDue => "round_due",
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
            | NoticeKind::TasksDigest
            | NoticeKind::Notice
            | NoticeKind::RoundDue => &[Channel::InApp, Channel::Email],
            NoticeKind::ArticleApproved
            | NoticeKind::ArticlePublished
            | NoticeKind::ArticleWithdrawn
            | NoticeKind::CommentReply => &[Channel::InApp],
        }
    }

    /// Whether it goes out even in quiet hours.
    pub fn urgent(self) -> bool {
        false
    }
}

impl NoticeKind {
    /// The words after the kind's label, in `l`: a role and its unit (stored `role@unit`),
    /// the day's task counts (stored `due/overdue`), or the subject as written (a title).
    pub fn describe(self, subject: &str, l: crate::i18n::Locale) -> String {
        match self {
            NoticeKind::RoleGranted | NoticeKind::RoleRevoked => match subject.split_once('@') {
                Some((role, unit)) => format!("{} · {unit}", l.t(&format!("role.{role}"))),
                None => subject.to_string(),
            },
            NoticeKind::RoundDue => match subject.split_once('/') {
                Some((pending, title)) => {
                    format!("{title} · {} {pending}", l.t("round_state.pending"))
                }
                None => subject.to_string(),
            },
            NoticeKind::TasksDigest => match subject.split_once('/') {
                Some((due, overdue)) => {
                    format!(
                        "{} {due} · {} {overdue}",
                        l.t("notify.due"),
                        l.t("notify.overdue")
                    )
                }
                None => subject.to_string(),
            },
            _ => subject.to_string(),
        }
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

/// Quiet hours in China time: no email or SMS from 21:00 to 08:00, unless urgent.
pub const QUIET_FROM: u32 = 21;
pub const QUIET_UNTIL: u32 = 8;

/// The earliest a message by email or SMS may go out, given `now`: at once, or at the end of
/// the quiet hours (08:00 China time) when `now` falls in them and the kind is not urgent.
pub fn not_before(
    now: chrono::DateTime<chrono::Utc>,
    urgent: bool,
) -> chrono::DateTime<chrono::Utc> {
    use chrono::{Duration, TimeZone, Timelike};
    let china = crate::i18n::china();
    let local = now.with_timezone(&china);
    if urgent || (QUIET_UNTIL..QUIET_FROM).contains(&local.hour()) {
        return now;
    }
    let day = if local.hour() >= QUIET_FROM {
        local.date_naive() + Duration::days(1)
    } else {
        local.date_naive()
    };
    let morning = day.and_hms_opt(QUIET_UNTIL, 0, 0).unwrap_or_default();
    china
        .from_local_datetime(&morning)
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or(now)
}

/// How long to wait before trying a message again after its `attempts`-th transient failure
/// (30 s, 1, 2, 4 … minutes, at most an hour); after [`MAX_ATTEMPTS`] it has failed.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let secs = 30i64 << attempts.clamp(0, 7);
    chrono::Duration::seconds(secs.min(3600))
}

/// Tries before a message counts as failed.
pub const MAX_ATTEMPTS: i32 = 8;

#[cfg(test)]
mod timing_tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn quiet_hours_hold_email_until_eight_china_time() {
        // 22:30 China time is 14:30 UTC: held until 08:00 the next day (00:00 UTC).
        let late = Utc.with_ymd_and_hms(2026, 12, 7, 14, 30, 0).unwrap();
        assert_eq!(
            not_before(late, false),
            Utc.with_ymd_and_hms(2026, 12, 8, 0, 0, 0).unwrap()
        );
        assert_eq!(not_before(late, true), late, "urgent kinds go at once");
        // 06:00 China time (22:00 UTC the day before): held until 08:00 the same morning.
        let early = Utc.with_ymd_and_hms(2026, 12, 6, 22, 0, 0).unwrap();
        assert_eq!(
            not_before(early, false),
            Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap()
        );
        // 10:00 China time: at once.
        let day = Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap();
        assert_eq!(not_before(day, false), day);
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(backoff(0).num_seconds(), 30);
        assert_eq!(backoff(1).num_seconds(), 60);
        assert_eq!(backoff(20).num_seconds(), 3600);
    }
}
