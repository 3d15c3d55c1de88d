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
        CampaignResult => "campaign_result",
        LoginNewDevice => "login_new_device",
        EventPlace => "event_place",
        EventChanged => "event_changed",
        EventCancelled => "event_cancelled",
        EventRefused => "event_refused",
        EventReminder => "event_reminder",
        CoursePlace => "course_place",
    }
);

code_enum!(
    /// A way a notification reaches a person.
    Channel, "channel" { InApp => "in_app", Email => "email", Sms => "sms", Wechat => "wechat" }
);

impl NoticeKind {
    /// The channels a kind goes by unless the account chooses otherwise. Everything is in the
    /// inbox; staff work (reviews, tasks, roles) also by email once it is configured; notices
    /// also by SMS when their writer sends them so; everything by WeChat to those who bound
    /// it (where most elderly people read).
    pub fn default_channels(self) -> &'static [Channel] {
        match self {
            NoticeKind::ReviewWaiting
            | NoticeKind::ArticleRejected
            | NoticeKind::RoleGranted
            | NoticeKind::RoleRevoked
            | NoticeKind::LoginNewDevice
            | NoticeKind::TasksDigest
            | NoticeKind::RoundDue => &[Channel::InApp, Channel::Email, Channel::Wechat],
            // A notice its writer sends by SMS reaches by SMS unless the account said no.
            NoticeKind::Notice => &[
                Channel::InApp,
                Channel::Email,
                Channel::Sms,
                Channel::Wechat,
            ],
            NoticeKind::ArticleApproved
            | NoticeKind::ArticlePublished
            | NoticeKind::ArticleWithdrawn
            | NoticeKind::CommentReply
            | NoticeKind::CampaignResult => &[Channel::InApp, Channel::Wechat],
            // What those registered for an event must hear: by WeChat too, where most elderly
            // people read; SMS where the account chose it.
            NoticeKind::EventPlace
            | NoticeKind::EventChanged
            | NoticeKind::EventCancelled
            | NoticeKind::EventRefused
            | NoticeKind::EventReminder
            | NoticeKind::CoursePlace => &[Channel::InApp, Channel::Wechat],
        }
    }

    /// Whether it goes out even in quiet hours: a login from a new device (it may not have
    /// been the person, who should hear at once).
    pub fn urgent(self) -> bool {
        self == NoticeKind::LoginNewDevice
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
            // Stored `verdict/campaign`: the verdict in words, then the campaign.
            NoticeKind::CampaignResult => match subject.split_once('/') {
                Some((verdict, campaign)) => {
                    format!("{campaign} · {}", l.t(&format!("notify.verdict_{verdict}")))
                }
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
    /// Whether it may go by SMS where the account chose SMS for its kind (a notice's writer
    /// decides, as SMS costs money).
    pub sms: bool,
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
    not_before_in(now, urgent, (QUIET_FROM, QUIET_UNTIL))
}

/// As [`not_before`], with an account's own quiet hours `(from, until)` in China time: over
/// midnight when `from > until` (21 to 8), within a day otherwise (13 to 15), none when equal.
pub fn not_before_in(
    now: chrono::DateTime<chrono::Utc>,
    urgent: bool,
    (from, until): (u32, u32),
) -> chrono::DateTime<chrono::Utc> {
    use chrono::{Duration, TimeZone, Timelike};
    let china = crate::i18n::china();
    let local = now.with_timezone(&china);
    let h = local.hour();
    let quiet = if from > until {
        h >= from || h < until
    } else {
        h >= from && h < until
    };
    if urgent || from == until || !quiet {
        return now;
    }
    let day = if from > until && h >= from {
        local.date_naive() + Duration::days(1)
    } else {
        local.date_naive()
    };
    let end = day.and_hms_opt(until, 0, 0).unwrap_or_default();
    china
        .from_local_datetime(&end)
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or(now)
}

/// The hour (China time) at which the day's email digest goes out.
pub const DIGEST_AT: u32 = 18;

/// When an email of an account that chose the daily digest goes: at the next 18:00 China
/// time (today's, or tomorrow's once it has passed).
pub fn digest_time(now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::{Duration, TimeZone, Timelike};
    let china = crate::i18n::china();
    let local = now.with_timezone(&china);
    let day = if local.hour() >= DIGEST_AT {
        local.date_naive() + Duration::days(1)
    } else {
        local.date_naive()
    };
    let at = day.and_hms_opt(DIGEST_AT, 0, 0).unwrap_or_default();
    china
        .from_local_datetime(&at)
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
    fn an_accounts_own_quiet_hours_hold_too() {
        // 13:30 China time (05:30 UTC) in a nap from 13 to 15: held until 15:00 (07:00 UTC).
        let nap = Utc.with_ymd_and_hms(2026, 12, 7, 5, 30, 0).unwrap();
        assert_eq!(
            not_before_in(nap, false, (13, 15)),
            Utc.with_ymd_and_hms(2026, 12, 7, 7, 0, 0).unwrap()
        );
        // 20:30 China time with quiet hours from 20 to 7: held until 07:00 the next day.
        let evening = Utc.with_ymd_and_hms(2026, 12, 7, 12, 30, 0).unwrap();
        assert_eq!(
            not_before_in(evening, false, (20, 7)),
            Utc.with_ymd_and_hms(2026, 12, 7, 23, 0, 0).unwrap()
        );
        assert_eq!(not_before_in(evening, false, (9, 9)), evening, "none");
        assert_eq!(not_before_in(nap, false, (21, 8)), nap, "outside them");
    }

    #[test]
    fn the_digest_goes_at_six_in_the_evening() {
        // 09:00 China (01:00 UTC): today at 18:00 (10:00 UTC); 19:00 China: tomorrow's.
        let morning = Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap();
        assert_eq!(
            digest_time(morning),
            Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
        );
        let evening = Utc.with_ymd_and_hms(2026, 12, 7, 11, 0, 0).unwrap();
        assert_eq!(
            digest_time(evening),
            Utc.with_ymd_and_hms(2026, 12, 8, 10, 0, 0).unwrap()
        );
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(backoff(0).num_seconds(), 30);
        assert_eq!(backoff(1).num_seconds(), 60);
        assert_eq!(backoff(20).num_seconds(), 3600);
    }
}
