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
            let (email, sms) = own
                .iter()
                .find(|(kind, _, _)| kind == k.as_str())
                .map(|(_, e, s)| (*e, *s))
                .unwrap_or((d.contains(&Channel::Email), d.contains(&Channel::Sms)));
            KindChoice {
                kind: *k,
                email,
                sms,
            }
        })
        .collect();
    let quiet = repo::quiet_hours(tx, account)
        .await?
        .map(|(f, u)| (f as u32, u as u32));
    Ok(Prefs { kinds, quiet })
}

/// Saves the caller's preferences, every kind, in the caller's transaction; audited.
pub async fn save(tx: &mut Tx, v: &Viewer, p: &Prefs) -> AppResult<()> {
    for k in &p.kinds {
        repo::set_pref(tx, v.p.id, k.kind, k.email, k.sms).await?;
    }
    repo::set_quiet_hours(tx, v.p.id, p.quiet.map(|(f, u)| (f as i32, u as i32))).await?;
    let event = Event::ok("notify.prefs", format!("account:{}", v.p.id.0)).detail(json!({
        "email": p.kinds.iter().filter(|k| k.email).map(|k| k.kind.as_str()).collect::<Vec<_>>(),
        "sms": p.kinds.iter().filter(|k| k.sms).map(|k| k.kind.as_str()).collect::<Vec<_>>(),
        "quiet": p.quiet,
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

/// Turns email off for one kind of an account (the link's doing); SMS stays as chosen.
/// Audited as the account's own change.
pub async fn unsubscribe(
    tx: &mut Tx,
    actor: &crate::audit::model::Actor,
    account: AccountId,
    kind: NoticeKind,
) -> AppResult<()> {
    let current = of(tx, account).await?;
    let sms = current
        .kinds
        .iter()
        .find(|c| c.kind == kind)
        .is_some_and(|c| c.sms);
    repo::set_pref(tx, account, kind, false, sms).await?;
    let event = Event::ok("notify.unsubscribe", format!("account:{}", account.0))
        .detail(json!({ "kind": kind.as_str() }));
    audit::record(tx, actor, event).await?;
    Ok(())
}
