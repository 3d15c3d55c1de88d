//! Preferences: the caller's, saved (audited), and the unsubscribe link's check.

use super::model::{KindChoice, Prefs};
use crate::audit::{self as audit, model::Event};
use crate::crypto::FieldCrypto;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::AccountId;
use crate::notify::model::{Channel, NoticeKind};
use crate::notify::repo;
use crate::web::auth::Viewer;
use serde_json::json;

/// An account's preferences: each kind's choice (its own, else the kind's default) and its
/// quiet hours.
pub async fn of(tx: &mut Tx, account: AccountId) -> AppResult<Prefs> {
    let own = repo::prefs(tx, account).await?;
    let kinds = NoticeKind::ALL
        .iter()
        .map(|k| {
            let d = k.default_channels();
            let (email, sms, wechat) = own
                .iter()
                .find(|(kind, _, _, _)| kind == k.as_str())
                .map(|(_, e, s, w)| (*e, *s, *w))
                .unwrap_or((
                    d.contains(&Channel::Email),
                    d.contains(&Channel::Sms),
                    d.contains(&Channel::Wechat),
                ));
            KindChoice {
                kind: *k,
                email,
                sms,
                wechat,
            }
        })
        .collect();
    let quiet = repo::quiet_hours(tx, account)
        .await?
        .map(|(f, u)| (f as u32, u as u32));
    let digest = repo::digest_of(tx, account).await?;
    Ok(Prefs {
        kinds,
        quiet,
        digest,
    })
}

/// Saves the caller's preferences, every kind, in the caller's transaction; audited.
pub async fn save(tx: &mut Tx, v: &Viewer, p: &Prefs) -> AppResult<()> {
    for k in &p.kinds {
        repo::set_pref(tx, v.p.id, k.kind, (k.email, k.sms, k.wechat)).await?;
    }
    repo::set_quiet_hours(tx, v.p.id, p.quiet.map(|(f, u)| (f as i32, u as i32))).await?;
    repo::set_digest(tx, v.p.id, p.digest).await?;
    let event = Event::ok("notify.prefs", format!("account:{}", v.p.id.0)).detail(json!({
        "email": p.kinds.iter().filter(|k| k.email).map(|k| k.kind.as_str()).collect::<Vec<_>>(),
        "sms": p.kinds.iter().filter(|k| k.sms).map(|k| k.kind.as_str()).collect::<Vec<_>>(),
        "wechat": p.kinds.iter().filter(|k| k.wechat).map(|k| k.kind.as_str()).collect::<Vec<_>>(),
        "quiet": p.quiet,
        "digest": p.digest,
    }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// The token of an unsubscribe link: a keyed hash of the account and the kind, so only the
/// server makes one and it names nothing else.
pub fn token(crypto: &FieldCrypto, account: i64, kind: NoticeKind) -> String {
    crypto.blind_index("unsubscribe", &format!("{account}:{}", kind.as_str()))
}

/// The unsubscribe link of an email: `/unsubscribe?a=…&k=…&t=…` under `base`.
pub fn link(crypto: &FieldCrypto, base: &str, account: i64, kind: NoticeKind) -> String {
    format!(
        "{base}/unsubscribe?a={account}&k={}&t={}",
        kind.as_str(),
        token(crypto, account, kind)
    )
}

/// Checks an unsubscribe link: the account and kind it names, or 404 for a forged one.
pub fn check(crypto: &FieldCrypto, a: i64, k: &str, t: &str) -> AppResult<(AccountId, NoticeKind)> {
    let kind = NoticeKind::parse(k).ok_or(AppError::NotFound)?;
    if token(crypto, a, kind) != t {
        return Err(AppError::NotFound);
    }
    Ok((AccountId(a), kind))
}

/// Turns email off for one kind of an account (the link's doing); SMS and WeChat stay as
/// chosen.
/// Audited as the account's own change.
pub async fn unsubscribe(
    tx: &mut Tx,
    actor: &crate::audit::model::Actor,
    account: AccountId,
    kind: NoticeKind,
) -> AppResult<()> {
    let current = of(tx, account).await?;
    let (sms, wechat) = current
        .kinds
        .iter()
        .find(|c| c.kind == kind)
        .map_or((false, false), |c| (c.sms, c.wechat));
    repo::set_pref(tx, account, kind, (false, sms, wechat)).await?;
    let event = Event::ok("notify.unsubscribe", format!("account:{}", account.0))
        .detail(json!({ "kind": kind.as_str() }));
    audit::record(tx, actor, event).await?;
    Ok(())
}

/// How long a binding code may be scanned.
pub const BIND_SECONDS: i64 = 30 * 60;

/// The state a binding code carries through WeChat's OAuth: the account, when it was made,
/// and a keyed hash of both (so it names that account only and expires).
pub fn bind_state(crypto: &FieldCrypto, account: i64, now: i64) -> String {
    let mac = crypto.blind_index("wechat-bind", &format!("{account}.{now}"));
    format!("{account}.{now}.{}", &mac[..32.min(mac.len())])
}

/// The account a binding state names, if it is genuine and not older than [`BIND_SECONDS`];
/// anything else is 404.
pub fn check_bind_state(crypto: &FieldCrypto, state: &str, now: i64) -> AppResult<AccountId> {
    let mut parts = state.splitn(3, '.');
    let (Some(a), Some(t), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(AppError::NotFound);
    };
    let (Ok(account), Ok(made)) = (a.parse::<i64>(), t.parse::<i64>()) else {
        return Err(AppError::NotFound);
    };
    if bind_state(crypto, account, made) != state || now - made > BIND_SECONDS || made > now + 60 {
        return Err(AppError::NotFound);
    }
    Ok(AccountId(account))
}
