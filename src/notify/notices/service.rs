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

/// The accounts a notice would reach: the unit must be one where the caller keeps files;
/// the caller is left out.
pub async fn recipients(tx: &mut Tx, v: &Viewer, d: &NoticeDraft) -> AppResult<Vec<AccountId>> {
    let unit = units::load(tx, v, Perm::People, d.unit).await?;
    let mut to = Vec::new();
    if d.members {
        to.extend(
            crate::people::service::member_accounts_under(tx, &unit.path, &d.categories).await?,
        );
    }
    if d.staff {
        to.extend(crate::accounts::service::active_under(tx, &unit.path).await?);
    }
    to.sort();
    to.dedup();
    to.retain(|a| *a != v.p.id);
    Ok(to)
}

/// Sends a notice: one notification to each recipient (and an email where they gave an
/// address), the notice kept with its count, audited; all in the caller's transaction.
pub async fn send(tx: &mut Tx, v: &Viewer, d: &NoticeDraft) -> AppResult<(NoticeId, usize)> {
    let to = recipients(tx, v, d).await?;
    if to.is_empty() {
        return Err(AppError::field("audience", "notice.nobody"));
    }
    let audience = json!({
        "members": d.members, "staff": d.staff,
        "categories": d.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
    });
    let id = repo::insert(
        tx,
        d.unit,
        v.p.id,
        &d.title,
        &d.body,
        &audience.to_string(),
        to.len() as i64,
    )
    .await?;
    for account in &to {
        let n = NewNotice {
            account: *account,
            kind: NoticeKind::Notice,
            subject: d.title.clone(),
            note: Some(d.body.clone()),
            link: None,
            once_key: Some(format!("notice:{id}")),
        };
        crate::notify::service::write(tx, &n).await?;
    }
    let event = Event::ok("notice.send", format!("notice:{id}"))
        .unit(d.unit)
        .detail(json!({ "title": d.title, "audience": audience, "recipients": to.len() }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok((id, to.len()))
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
