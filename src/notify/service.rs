//! Notification use cases: the consumer that turns domain events into notifications, the
//! morning digest of visit tasks, and the inbox of the caller.

use super::model::{
    Channel, MAX_ATTEMPTS, NewNotice, NoticeKind, NotificationId, QUIET_FROM, QUIET_UNTIL, backoff,
    not_before, not_before_in,
};
use super::repo::{self, Notification};
use crate::access::{self, NEWS_REVIEWERS};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};
use crate::ids::{AccountId, UnitId};
use crate::outbox::{Kind, Stored};
use crate::web::auth::Viewer;

/// The consumer's cursor, created by migration 0019.
pub const CONSUMER: &str = "notify";

/// Takes one batch of the events waiting for the notifications consumer and writes the
/// notifications they call for, with the cursor's advance, in the caller's write transaction
/// (so each event notifies once, on any node); returns how many events were taken.
pub async fn consume_batch(tx: &mut Tx) -> Result<usize, sqlx::Error> {
    let events = crate::outbox::take(tx, CONSUMER).await?;
    for e in &events {
        for n in notices_for(tx, e).await? {
            write(tx, &n).await?;
        }
    }
    crate::outbox::advance(tx, CONSUMER, &events).await?;
    Ok(events.len())
}

/// Writes a notification and queues it for the channels its kind goes by (or the account
/// chose for it) that the account can be reached on: email when it gave an address, SMS when
/// it has a mobile and the notification may go by SMS; not before the account's quiet hours
/// end. False when it existed already (a day's digest).
pub async fn write(tx: &mut Tx, n: &NewNotice) -> Result<bool, sqlx::Error> {
    let Some(id) = repo::insert(tx, n).await? else {
        return Ok(false);
    };
    let d = n.kind.default_channels();
    let (email, sms, wechat) = repo::pref(tx, n.account, n.kind).await?.unwrap_or((
        d.contains(&Channel::Email),
        d.contains(&Channel::Sms),
        d.contains(&Channel::Wechat),
    ));
    if !(email || wechat || (sms && n.sms)) {
        return Ok(true);
    }
    let quiet = repo::quiet_hours(tx, n.account)
        .await?
        .map(|(f, u)| (f as u32, u as u32))
        .unwrap_or((QUIET_FROM, QUIET_UNTIL));
    let at = not_before_in(crate::db::now(), n.kind.urgent(), quiet);
    if email && let Some(address) = repo::email_of(tx, n.account).await? {
        // One email a day: gathered at 18:00 (urgent kinds go at once).
        let at = if !n.kind.urgent() && repo::digest_of(tx, n.account).await? {
            at.max(super::model::digest_time(crate::db::now()))
        } else {
            at
        };
        repo::queue(tx, id, Channel::Email, &address, at).await?;
    }
    let address = format!("account:{}", n.account.0);
    if sms && n.sms && repo::has_mobile(tx, n.account).await? {
        repo::queue(tx, id, Channel::Sms, &address, at).await?;
    }
    if wechat && repo::openid_of(tx, n.account).await?.is_some() {
        repo::queue(tx, id, Channel::Wechat, &address, at).await?;
    }
    Ok(true)
}

/// Queues an existing notification by SMS (a must-reach notice left unread), when the
/// account has a mobile; after its quiet hours. True when queued (not twice).
pub async fn sms_for(
    tx: &mut Tx,
    id: NotificationId,
    account: AccountId,
) -> Result<bool, sqlx::Error> {
    if !repo::has_mobile(tx, account).await? {
        return Ok(false);
    }
    let quiet = repo::quiet_hours(tx, account)
        .await?
        .map(|(f, u)| (f as u32, u as u32))
        .unwrap_or((QUIET_FROM, QUIET_UNTIL));
    let at = not_before_in(crate::db::now(), false, quiet);
    repo::queue(tx, id, Channel::Sms, &format!("account:{}", account.0), at).await?;
    Ok(true)
}

/// Queues a notice by SMS to people in the registry without an account, not before the
/// quiet hours end.
pub async fn write_to_registry(
    tx: &mut Tx,
    notice: crate::ids::NoticeId,
    people: &[crate::ids::PersonId],
) -> Result<(), sqlx::Error> {
    let at = not_before(crate::db::now(), false);
    for p in people {
        repo::queue_person(tx, notice, *p, at).await?;
    }
    Ok(())
}

/// The caller's email address for notifications.
pub async fn email(tx: &mut Tx, v: &Viewer) -> AppResult<Option<String>> {
    Ok(repo::email_of(tx, v.p.id).await?)
}

/// Sets the caller's email address for notifications (empty removes it); audited.
pub async fn set_email(tx: &mut Tx, v: &Viewer, raw: &str) -> AppResult<()> {
    let email = parse_email(raw)?;
    repo::set_email(tx, v.p.id, email.as_deref()).await?;
    let event = crate::audit::model::Event::ok("notify.email", format!("account:{}", v.p.id.0))
        .detail(serde_json::json!({ "email_set": email.is_some() }));
    crate::audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// An email address as lettre reads one (at most 254 characters), or empty for none.
pub fn parse_email(raw: &str) -> AppResult<Option<String>> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() > 254 || s.parse::<lettre::Address>().is_err() {
        return Err(AppError::field("email", "validation.email"));
    }
    Ok(Some(s.to_string()))
}

/// Claims up to `limit` emails due at `at` for this node, in the caller's write transaction
/// (committed before they are sent); first, claims a node never settled end as failed.
pub async fn claim_email(
    tx: &mut Tx,
    at: chrono::DateTime<chrono::Utc>,
    limit: i64,
) -> Result<Vec<repo::Outgoing>, sqlx::Error> {
    repo::abandon_stuck(tx, at - chrono::Duration::minutes(10)).await?;
    repo::claim(tx, Channel::Email, at, limit, None).await
}

/// Claims up to `limit` WeChat messages due at `at`, as [`claim_email`]; a follower who had
/// `per_hour` within the hour waits an hour.
pub async fn claim_wechat(
    tx: &mut Tx,
    at: chrono::DateTime<chrono::Utc>,
    limit: i64,
    per_hour: i64,
) -> Result<Vec<repo::Outgoing>, sqlx::Error> {
    repo::abandon_stuck(tx, at - chrono::Duration::minutes(10)).await?;
    repo::claim(tx, Channel::Wechat, at, limit, Some(per_hour)).await
}

/// The official account's access token kept for all nodes, if it has not expired at `at`
/// (with a minute to spare).
pub async fn wechat_token(
    tx: &mut Tx,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Option<String>, sqlx::Error> {
    Ok(repo::wechat_token(tx)
        .await?
        .filter(|(_, exp)| *exp > at + chrono::Duration::minutes(1))
        .map(|(t, _)| t))
}

/// Keeps a newly fetched access token for all nodes.
pub async fn keep_wechat_token(
    tx: &mut Tx,
    token: &str,
    lifetime_secs: i64,
) -> Result<(), sqlx::Error> {
    let exp = crate::db::now() + chrono::Duration::seconds(lifetime_secs);
    repo::set_wechat_token(tx, token, exp).await
}

/// A template message for a claimed notification, in the recipient's language.
pub fn wechat_message(o: &repo::Outgoing, base: &str) -> Option<super::wechat::Message> {
    let l = crate::i18n::Locale::parse(&o.locale).unwrap_or(crate::i18n::Locale::ZhCn);
    Some(super::wechat::Message {
        openid: o.openid.clone()?,
        title: l.t(&o.kind.label_key()),
        subject: o.kind.describe(&o.subject, l),
        when: crate::i18n::local_time(&o.created_at),
        note: o.note.clone().unwrap_or_default(),
        url: format!("{base}{}", o.link.as_deref().unwrap_or("/inbox")),
    })
}

/// The caller's WeChat binding: whether bound.
pub async fn wechat_bound(tx: &mut Tx, v: &Viewer) -> AppResult<bool> {
    Ok(repo::openid_of(tx, v.p.id).await?.is_some())
}

/// Binds an openid to an account (the OAuth callback, whose state named the account);
/// audited as the account's own change.
pub async fn bind_wechat(
    tx: &mut Tx,
    actor: &crate::audit::model::Actor,
    account: AccountId,
    openid: &str,
) -> AppResult<()> {
    repo::set_openid(tx, account, Some(openid)).await?;
    let event =
        crate::audit::model::Event::ok("notify.wechat_bind", format!("account:{}", account.0));
    crate::audit::record(tx, actor, event).await?;
    Ok(())
}

/// Removes the caller's WeChat binding; audited.
pub async fn unbind_wechat(tx: &mut Tx, v: &Viewer) -> AppResult<()> {
    repo::set_openid(tx, v.p.id, None).await?;
    let event =
        crate::audit::model::Event::ok("notify.wechat_unbind", format!("account:{}", v.p.id.0));
    crate::audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// Claims up to `limit` SMS due at `at`, as [`claim_email`]; an address that had `per_hour`
/// within the hour waits an hour.
pub async fn claim_sms(
    tx: &mut Tx,
    at: chrono::DateTime<chrono::Utc>,
    limit: i64,
    per_hour: i64,
) -> Result<Vec<repo::Outgoing>, sqlx::Error> {
    repo::abandon_stuck(tx, at - chrono::Duration::minutes(10)).await?;
    repo::claim(tx, Channel::Sms, at, limit, Some(per_hour)).await
}

/// The words of an SMS for a claimed message, in the recipient's language: the kind and
/// what it is about, and the page it leads to.
pub fn sms_text(o: &repo::Outgoing, base: &str) -> String {
    let l = crate::i18n::Locale::parse(&o.locale).unwrap_or(crate::i18n::Locale::ZhCn);
    let mut text = format!(
        "{}：{}",
        l.t(&o.kind.label_key()),
        o.kind.describe(&o.subject, l)
    );
    if o.kind == NoticeKind::Notice
        && let Some(body) = &o.note
    {
        text.push_str(&format!("。{body}"));
    }
    if let Some(link) = &o.link {
        text.push_str(&format!(" {base}{link}"));
    }
    text
}

/// Records what became of a claimed message.
pub async fn settle(
    tx: &mut Tx,
    o: &repo::Outgoing,
    outcome: &super::mail::Outcome,
) -> Result<(), sqlx::Error> {
    use super::mail::Outcome;
    match outcome {
        Outcome::Sent => repo::settle(tx, o.id, true, None, None).await,
        Outcome::Retry(e) if o.attempts + 1 < MAX_ATTEMPTS => {
            let at = crate::db::now() + backoff(o.attempts);
            repo::settle(tx, o.id, false, Some(at), Some(e)).await
        }
        Outcome::Retry(e) | Outcome::Failed(e) => {
            repo::settle(tx, o.id, false, None, Some(e)).await
        }
    }
}

/// Messages of a channel by status (for /metrics and the tests).
pub async fn delivery_counts(
    tx: &mut Tx,
    channel: Channel,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    repo::counts(tx, channel).await
}

/// Whether events wait for the notifications consumer (a read, so an idle node writes
/// nothing).
pub async fn pending(db: &Db) -> Result<bool, sqlx::Error> {
    Ok(crate::outbox::lag(db, CONSUMER).await? > 0)
}

/// The notifications one event calls for.
async fn notices_for(tx: &mut Tx, e: &Stored) -> Result<Vec<NewNotice>, sqlx::Error> {
    let p = e.payload();
    let text = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    let account = |k: &str| p[k].as_i64().map(AccountId);
    let notice = |to: AccountId,
                  kind: NoticeKind,
                  subject: String,
                  note: Option<String>,
                  link: Option<String>| NewNotice {
        account: to,
        kind,
        subject,
        note,
        link,
        once_key: None,
        sms: true,
    };
    Ok(match e.kind() {
        Some(Kind::ArticleDecided) => {
            let (Some(author), Some(unit)) = (account("author_id"), p["article_unit"].as_i64())
            else {
                return Ok(Vec::new());
            };
            let title = text("title");
            let link = p["article_id"].as_i64().map(|id| format!("/news/{id}"));
            let comment = p["comment"].as_str().map(str::to_string);
            let actor = e.actor_id.map(AccountId);
            match (p["action"].as_str(), p["state_after"].as_str()) {
                // Waiting for review: the reviewers over the article's unit, never the author
                // nor the one who passed the first step.
                (Some("submit"), _) | (Some("approve"), Some("first_approved")) => {
                    access::holders(tx, UnitId(unit), NEWS_REVIEWERS)
                        .await?
                        .into_iter()
                        .filter(|r| *r != author && Some(*r) != actor)
                        .map(|r| {
                            notice(
                                r,
                                NoticeKind::ReviewWaiting,
                                title.clone(),
                                None,
                                link.clone(),
                            )
                        })
                        .collect()
                }
                (Some("approve"), Some("published")) => {
                    vec![notice(
                        author,
                        NoticeKind::ArticlePublished,
                        title,
                        None,
                        link,
                    )]
                }
                (Some("approve"), Some("approved")) => {
                    vec![notice(
                        author,
                        NoticeKind::ArticleApproved,
                        title,
                        None,
                        link,
                    )]
                }
                (Some("reject"), _) => {
                    vec![notice(
                        author,
                        NoticeKind::ArticleRejected,
                        title,
                        comment,
                        link,
                    )]
                }
                (Some("withdraw"), _) => {
                    vec![notice(
                        author,
                        NoticeKind::ArticleWithdrawn,
                        title,
                        comment,
                        link,
                    )]
                }
                _ => Vec::new(),
            }
        }
        Some(Kind::CommentReplied) => {
            let Some(to) = account("account_id") else {
                return Ok(Vec::new());
            };
            let link = p["article_id"]
                .as_i64()
                .map(|id| format!("/read/{id}#comments"));
            let note = format!("{}：{}", text("replier"), text("excerpt"));
            vec![notice(
                to,
                NoticeKind::CommentReply,
                text("title"),
                Some(note),
                link,
            )]
        }
        Some(Kind::NewDevice) => {
            let Some(to) = account("account_id") else {
                return Ok(Vec::new());
            };
            let when = crate::i18n::local_time(&e.at);
            vec![notice(
                to,
                NoticeKind::LoginNewDevice,
                format!("{when} · {}", text("ip")),
                Some(text("agent")),
                Some("/account/password".into()),
            )]
        }
        Some(Kind::WorkDecided) => {
            let Some(to) = account("account_id") else {
                return Ok(Vec::new());
            };
            let verdict = match text("verdict").as_str() {
                "shortlisted" => "shortlisted",
                _ => "chosen",
            };
            let link = p["campaign_id"]
                .as_i64()
                .map(|id| format!("/campaigns/{id}"));
            vec![notice(
                to,
                NoticeKind::CampaignResult,
                format!("{verdict}/{}", text("campaign")),
                Some(text("work")),
                link,
            )]
        }
        Some(Kind::EventNotice) => {
            let kind = match p["what"].as_str() {
                Some("place") => NoticeKind::EventPlace,
                Some("changed") => NoticeKind::EventChanged,
                Some("cancelled") => NoticeKind::EventCancelled,
                Some("refused") => NoticeKind::EventRefused,
                Some("course_place") => NoticeKind::CoursePlace,
                _ => return Ok(Vec::new()),
            };
            let link = match p["link"].as_str() {
                Some(l) => Some(l.to_string()),
                None => p["event_id"].as_i64().map(|id| format!("/events/{id}")),
            };
            let starts = p["starts"]
                .as_str()
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .map(|t| crate::i18n::local_time(&t.with_timezone(&chrono::Utc)));
            let note = match (starts, p["note"].as_str()) {
                (Some(t), Some(n)) => Some(format!("{t} · {n}")),
                (Some(t), None) => Some(t),
                (None, n) => n.map(str::to_string),
            };
            p["accounts"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_i64()).collect::<Vec<_>>())
                .unwrap_or_default()
                .into_iter()
                .map(|a| {
                    notice(
                        AccountId(a),
                        kind,
                        text("title"),
                        note.clone(),
                        link.clone(),
                    )
                })
                .collect()
        }
        Some(kind @ (Kind::RoleGranted | Kind::RoleRevoked)) => {
            let Some(to) = account("account_id") else {
                return Ok(Vec::new());
            };
            let what = if kind == Kind::RoleGranted {
                NoticeKind::RoleGranted
            } else {
                NoticeKind::RoleRevoked
            };
            // The role's code: the page says it in the reader's language.
            let subject = format!("{}@{}", text("role"), text("unit_name"));
            vec![notice(to, what, subject, None, Some("/".into()))]
        }
        _ => Vec::new(),
    })
}

/// The morning digest: to each account with visit tasks due by `today`, one notification a
/// day ("N due, M overdue"), however often the job runs. Returns how many were written.
pub async fn digest(
    tx: &mut Tx,
    day: chrono::NaiveDate,
    counts: &[(AccountId, i64, i64)],
) -> Result<usize, sqlx::Error> {
    let mut written = 0;
    for (account, due, overdue) in counts.iter().filter(|(_, due, _)| *due > 0) {
        let n = NewNotice {
            account: *account,
            kind: NoticeKind::TasksDigest,
            subject: format!("{due}/{overdue}"),
            note: None,
            link: Some("/tasks".into()),
            once_key: Some(format!("tasks:{day}")),
            sms: true,
        };
        if write(tx, &n).await? {
            written += 1;
        }
    }
    Ok(written)
}

/// One page of the caller's notifications, newest first, and how many are unread.
pub async fn inbox(
    tx: &mut Tx,
    v: &Viewer,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Notification>, i64)> {
    let list = repo::list(tx, v.p.id, limit, offset).await?;
    let unread = repo::unread(tx, v.p.id).await?;
    Ok((list, unread))
}

/// How many of the caller's notifications are unread.
pub async fn unread(tx: &mut Tx, v: &Viewer) -> AppResult<i64> {
    Ok(repo::unread(tx, v.p.id).await?)
}

/// Marks one of the caller's notifications read and gives where it leads; another
/// account's notification is not found.
pub async fn open(tx: &mut Tx, v: &Viewer, id: NotificationId) -> AppResult<Option<String>> {
    repo::mark_read(tx, v.p.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Marks all the caller's notifications read.
pub async fn read_all(tx: &mut Tx, v: &Viewer) -> AppResult<u64> {
    Ok(repo::mark_all_read(tx, v.p.id).await?)
}
