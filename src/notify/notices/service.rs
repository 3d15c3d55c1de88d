//! Notices: who one would reach, sending it (a notification to each, by email too where the
//! person gave an address), and the notices with their figures.

use super::model::{NoticeDraft, NoticeId};
use super::repo::{self, NoticeRow};
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::AccountId;
use crate::notify::model::{NewNotice, NoticeKind};
use crate::units::service as units;
use crate::web::auth::Viewer;
use serde_json::json;

/// Whom a notice would reach: accounts (by the inbox, and email or SMS as they chose) and
/// people in the registry without an account (by SMS).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recipients {
    pub accounts: Vec<AccountId>,
    pub registry: Vec<crate::ids::PersonId>,
}

/// Whom a notice would reach: the unit must be one where the caller keeps files; the caller
/// is left out.
pub async fn recipients(tx: &mut Tx, v: &Viewer, d: &NoticeDraft) -> AppResult<Recipients> {
    let unit = units::load(tx, v, Perm::People, d.unit).await?;
    let tiers: Vec<&str> = d.tiers.iter().map(|t| t.as_str()).collect();
    let mut to = Vec::new();
    if d.members {
        to.extend(
            crate::people::service::member_accounts_under(tx, &unit.path, &d.categories, &tiers)
                .await?,
        );
    }
    if d.staff {
        to.extend(crate::accounts::service::active_under(tx, &unit.path).await?);
    }
    to.sort();
    to.dedup();
    to.retain(|a| *a != v.p.id);
    let registry = if d.registry {
        crate::people::service::registry_under(tx, &unit.path, &d.categories, &tiers).await?
    } else {
        Vec::new()
    };
    Ok(Recipients {
        accounts: to,
        registry,
    })
}

/// Sends a notice: one notification to each account (by email and SMS too as they chose and
/// the notice allows), an SMS to each person of the registry it names, the notice kept with
/// its counts, audited; all in the caller's transaction.
pub async fn send(tx: &mut Tx, v: &Viewer, d: &NoticeDraft) -> AppResult<(NoticeId, usize)> {
    let to = recipients(tx, v, d).await?;
    if to.accounts.is_empty() && to.registry.is_empty() {
        return Err(AppError::field("audience", "notice.nobody"));
    }
    let audience = json!({
        "members": d.members, "staff": d.staff, "registry": d.registry, "sms": d.sms,
        "categories": d.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "tiers": d.tiers.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
    });
    let id = repo::insert(
        tx,
        d,
        v.p.id,
        &audience.to_string(),
        to.accounts.len() as i64,
        to.registry.len() as i64,
    )
    .await?;
    for account in &to.accounts {
        let n = NewNotice {
            account: *account,
            kind: NoticeKind::Notice,
            subject: d.title.clone(),
            note: Some(d.body.clone()),
            link: None,
            once_key: Some(format!("notice:{id}")),
            sms: d.sms,
        };
        crate::notify::service::write(tx, &n).await?;
    }
    crate::notify::service::write_to_registry(tx, id, &to.registry).await?;
    let event = Event::ok("notice.send", format!("notice:{id}"))
        .unit(d.unit)
        .detail(
            json!({ "title": d.title, "audience": audience, "recipients": to.accounts.len(),
                        "registry": to.registry.len() }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok((id, to.accounts.len() + to.registry.len()))
}

/// The notices to units in the caller's reach, newest first, with their figures.
pub async fn list(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<NoticeRow>> {
    let scope = v.scope(Perm::People)?;
    Ok(repo::in_scope(tx, &scope, 200).await?)
}

/// One notice with its figures.
pub async fn get(tx: &mut Tx, v: &Viewer, id: NoticeId) -> AppResult<NoticeRow> {
    let scope = v.scope(Perm::People)?;
    match repo::get_in_scope(tx, &scope, id).await? {
        Some(n) => Ok(n),
        None if repo::exists(tx, id).await? => Err(AppError::OutOfScope),
        None => Err(AppError::NotFound),
    }
}

/// Who a must-reach notice's second step calls: an account (through its person file) or a
/// person of the registry, and the task's key and fallback assignee (the writer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub who: Result<crate::ids::PersonId, AccountId>,
    pub key: String,
    pub writer: AccountId,
}

/// The steps of must-reach notices due at `now`, each claimed once: unread `hours` after
/// sending, an SMS to each account still unread (where it has a mobile, after the quiet
/// hours); unread as long again, a call for each (and for each person of the registry whose
/// SMS failed), which the job makes a phone task. Returns the SMS queued and the calls.
pub async fn must_reach_steps(
    tx: &mut Tx,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<(usize, Vec<Call>)> {
    let mut queued = 0;
    for (id, _, hours, sent) in repo::must_reach_waiting(tx, false).await? {
        if sent + chrono::Duration::hours(i64::from(hours)) > now
            || !repo::claim_step(tx, id, false).await?
        {
            continue;
        }
        for (n, account) in repo::unread(tx, id).await? {
            if crate::notify::service::sms_for(tx, n, account).await? {
                queued += 1;
            }
        }
    }
    let mut calls = Vec::new();
    for (id, writer, hours, escalated) in repo::must_reach_waiting(tx, true).await? {
        if escalated + chrono::Duration::hours(i64::from(hours)) > now
            || !repo::claim_step(tx, id, true).await?
        {
            continue;
        }
        let key = format!("notice:{id}");
        for (_, account) in repo::unread(tx, id).await? {
            calls.push(Call {
                who: Err(account),
                key: key.clone(),
                writer,
            });
        }
        for person in repo::registry_failed(tx, id).await? {
            calls.push(Call {
                who: Ok(person),
                key: key.clone(),
                writer,
            });
        }
    }
    Ok((queued, calls))
}
