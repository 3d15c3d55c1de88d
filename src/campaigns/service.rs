//! Campaign use cases: call, submissions with consent, blind judging, ranking, choosing works
//! for publication (through the usual review) and the works library. All changes audited.

use super::model::{Call, NewCampaign, Score, WorkDraft, WorkVerdict};
use super::repo::{self, BlindWork, Campaign, CampaignRow, NewWork, RankedWork};
use super::states::{CampaignState, WorkState};
use crate::access::{Perm, Scope};
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::{AccountId, ArticleId, CampaignId, ColumnId, UnitId, WorkId};
use crate::web::auth::Viewer;
use crate::web::form::Fields;
use chrono::{NaiveDate, Utc};
use serde_json::json;

pub use super::model::KINDS;
pub use super::work_files::{add_file, may_add_file, may_see_work};

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&crate::news::service::china())
        .date_naive()
}

/// The campaign, if the caller may manage it (news managers over its unit).
async fn managed(tx: &mut Tx, v: &Viewer, id: CampaignId) -> AppResult<Campaign> {
    let s = v.scope(Perm::ManageNews)?;
    let c = repo::get(tx, id).await?.ok_or(AppError::NotFound)?;
    if crate::units::service::get_in_scope(tx, &s, c.unit_id)
        .await?
        .is_none()
    {
        return Err(AppError::OutOfScope);
    }
    Ok(c)
}

/// The units a call is open to, each checked at or below the organising unit `organiser`
/// (in the caller's scope; `None` for one not given); none means the organiser itself.
/// Problems go to `f`, beside those the parse found.
async fn open_units(
    tx: &mut Tx,
    s: &Scope,
    organiser: Option<UnitId>,
    call: &Call,
    f: &mut Fields,
) -> AppResult<Vec<UnitId>> {
    let org = match organiser {
        Some(o) => crate::units::service::get_in_scope(tx, s, o).await?,
        None => None,
    };
    if org.is_none() {
        f.add(FieldError::new("unit_id", "validation.unit_scope"));
    }
    let mut open = call.open_unit_ids.clone();
    if open.is_empty() {
        open.extend(organiser);
    }
    if let Some(org) = &org
        && !f.has("open_unit_ids")
    {
        for id in &open {
            let u = crate::units::service::get_in_scope(tx, s, *id).await?;
            if !u.is_some_and(|u| u.active && u.path.starts_with(&org.path)) {
                f.add(FieldError::new("open_unit_ids", "validation.open_unit"));
                break;
            }
        }
    }
    Ok(open)
}

/// Calls a campaign: the organiser, the open units and the column in the caller's news
/// scope, the judges active accounts; one answer names every bad field, the parse's too.
pub async fn create(tx: &mut Tx, v: &Viewer, input: NewCampaign) -> AppResult<CampaignId> {
    let s = v.scope(Perm::ManageNews)?;
    let NewCampaign {
        unit_id,
        column_id,
        judges: names,
        call,
    } = input;
    let mut f = Fields::new();
    let open = open_units(tx, &s, unit_id, &call, &mut f).await?;
    let columns = crate::news::service::columns_in(tx, &s).await?;
    if let Some(column) = column_id
        && !columns.iter().any(|c| c.id == column && c.active)
    {
        f.add(FieldError::new("column_id", "validation.column_scope"));
    }
    let mut judges: Vec<AccountId> = Vec::new();
    for name in &names {
        match crate::accounts::service::find_by_login(tx, name, &[]).await? {
            Some(a) if a.active => judges.push(a.id),
            _ => {
                f.add(FieldError::new("judges", "validation.judge_unknown"));
                break;
            }
        }
    }
    let value = call.text.zip(unit_id).zip(column_id);
    let ((text, unit), column) = joined(call.fields, f, value)?;
    let id = repo::insert(
        tx,
        &CampaignRow {
            unit,
            open_units: &open,
            column,
            title: &text.title,
            theme: &text.theme,
            rules: text.rules.as_deref(),
            opens_on: &text.opens.to_string(),
            closes_on: &text.closes.to_string(),
            by: v.p.id,
        },
    )
    .await?;
    for j in &judges {
        repo::add_judge(tx, id, *j).await?;
    }
    let event = Event::ok("campaign.create", format!("campaign:{id}"))
        .unit(unit.0)
        .detail(json!({ "after": { "title": text.title, "opens_on": text.opens, "closes_on": text.closes,
            "judges": judges, "open_unit_ids": open } }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// Changes an open campaign's call (its organisers): title, theme, rules, dates and the
/// units it is open to. The organising unit, the column and the judges stay as called.
pub async fn update(tx: &mut Tx, v: &Viewer, campaign: CampaignId, call: Call) -> AppResult<()> {
    managed(tx, v, campaign).await?;
    let s = v.scope(Perm::ManageNews)?;
    // Read again under the write lock: the audit's "before" is what this change replaces.
    let c = repo::get(tx, campaign).await?.ok_or(AppError::NotFound)?;
    let mut f = Fields::new();
    let open = open_units(tx, &s, Some(c.unit_id), &call, &mut f).await?;
    let text = joined(call.fields, f, call.text)?;
    let changed = repo::update_call(
        tx,
        &repo::CallUpdate {
            id: campaign,
            open_units: &open,
            title: &text.title,
            theme: &text.theme,
            rules: text.rules.as_deref(),
            opens_on: &text.opens.to_string(),
            closes_on: &text.closes.to_string(),
        },
    )
    .await?;
    if !changed {
        // Closed by someone else meanwhile: the call no longer changes.
        return Err(AppError::field("state", "campaign.not_open"));
    }
    let before_units: Vec<UnitId> = c.open_units.iter().map(|u| u.id).collect();
    let event = Event::ok("campaign.update", format!("campaign:{campaign}"))
        .unit(c.unit_id.0)
        .detail(json!({
            "before": { "title": c.title, "theme": c.theme, "rules": c.rules, "opens_on": c.opens_on,
                        "closes_on": c.closes_on, "open_unit_ids": before_units },
            "after": { "title": text.title, "theme": text.theme, "rules": text.rules, "opens_on": text.opens,
                       "closes_on": text.closes, "open_unit_ids": open } }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// The parsed value when neither the parse (`parsed`) nor the database (`found`) found a
/// problem; else every problem, the parse's first, in one answer.
fn joined<T>(mut parsed: Fields, found: Fields, value: Option<T>) -> AppResult<T> {
    if let Err(AppError::Validation(found)) = found.check() {
        found.into_iter().for_each(|e| parsed.add(e));
    }
    parsed.done(value)
}

pub async fn list(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<Campaign>> {
    Ok(repo::for_account(tx, v.p.id).await?)
}

/// A campaign the caller may see, with what they may do there: (campaign, member unit,
/// judge, manager).
pub async fn show(
    tx: &mut Tx,
    v: &Viewer,
    id: CampaignId,
) -> AppResult<(Campaign, Option<UnitId>, bool, bool)> {
    let c = repo::get(tx, id).await?.ok_or(AppError::NotFound)?;
    let member = repo::member_unit(tx, v.p.id, id).await?;
    let judge = repo::is_judge(tx, id, v.p.id).await?;
    let manager = managed(tx, v, id).await.is_ok();
    if member.is_none() && !judge && !manager {
        return Err(AppError::OutOfScope);
    }
    Ok((c, member, judge, manager))
}

/// Submits a work to a campaign (its members, while it takes submissions).
pub async fn submit(
    tx: &mut Tx,
    v: &Viewer,
    campaign: CampaignId,
    w: &WorkDraft,
) -> AppResult<WorkId> {
    let (c, member, _, _) = show(tx, v, campaign).await?;
    let Some(unit) = member else {
        return Err(AppError::Forbidden);
    };
    let day = today().to_string();
    let closed = c.state != CampaignState::Open || day < c.opens_on || day > c.closes_on;
    if closed {
        let mut f = Fields::new();
        f.add(FieldError::new("campaign", "campaign.closed"));
        f.check()?;
    }
    let id = repo::insert_work(
        tx,
        &NewWork {
            campaign: Some(campaign),
            kind: w.kind,
            title: &w.title,
            body: &w.body,
            author: v.p.id,
            unit,
            state: WorkState::Received,
        },
    )
    .await?;
    let event = Event::ok("work.submit", format!("work:{id}"))
        .unit(unit.0)
        .detail(json!({ "campaign_id": campaign }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// The works a judge scores, without their authors.
pub async fn judging(tx: &mut Tx, v: &Viewer, campaign: CampaignId) -> AppResult<Vec<BlindWork>> {
    if !repo::is_judge(tx, campaign, v.p.id).await? {
        return Err(AppError::Forbidden);
    }
    Ok(repo::blind_works(tx, campaign, v.p.id).await?)
}

/// A judge scores a work (not their own) until judging is finished; returns the campaign.
pub async fn score(tx: &mut Tx, v: &Viewer, work: WorkId, input: &Score) -> AppResult<CampaignId> {
    let (campaign, author) = repo::work_owner(tx, work)
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = campaign.ok_or(AppError::NotFound)?;
    if !repo::is_judge(tx, campaign, v.p.id).await? || author == v.p.id {
        return Err(AppError::Forbidden);
    }
    let c = repo::get(tx, campaign).await?.ok_or(AppError::NotFound)?;
    if c.state == CampaignState::Finished {
        return Err(AppError::field("score", "campaign.finished"));
    }
    repo::score(tx, work, v.p.id, input.score, input.comment.as_deref()).await?;
    let event = Event::ok("work.score", format!("work:{work}"))
        .unit(c.unit_id.0)
        .detail(json!({ "score": input.score }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(campaign)
}

/// Closes submissions; from now on the organiser sees the ranking with authors.
pub async fn close(tx: &mut Tx, v: &Viewer, campaign: CampaignId) -> AppResult<()> {
    let c = managed(tx, v, campaign).await?;
    if !repo::set_state(tx, campaign, CampaignState::Open, CampaignState::Judging).await? {
        return Err(AppError::field("state", "campaign.not_open"));
    }
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("campaign.close", format!("campaign:{campaign}")).unit(c.unit_id.0),
    )
    .await?;
    Ok(())
}

/// Ends judging: scores are final, and the organiser sees the ranking with authors.
pub async fn finish(tx: &mut Tx, v: &Viewer, campaign: CampaignId) -> AppResult<()> {
    let c = managed(tx, v, campaign).await?;
    if !repo::set_state(
        tx,
        campaign,
        CampaignState::Judging,
        CampaignState::Finished,
    )
    .await?
    {
        return Err(AppError::field("state", "campaign.not_judging"));
    }
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("campaign.finish", format!("campaign:{campaign}")).unit(c.unit_id.0),
    )
    .await?;
    Ok(())
}

/// Works by average score with their authors: only once judging is over, so no one scores
/// knowing who wrote what.
pub async fn ranking(tx: &mut Tx, v: &Viewer, campaign: CampaignId) -> AppResult<Vec<RankedWork>> {
    let c = managed(tx, v, campaign).await?;
    if c.state != CampaignState::Finished {
        return Err(AppError::field("state", "campaign.still_judging"));
    }
    Ok(repo::ranking(tx, campaign).await?)
}

/// Shortlists a work, or chooses it: a chosen work becomes an article submitted for review
/// in the campaign's column (the usual review decides its publication) and enters the
/// library.
pub async fn decide(
    tx: &mut Tx,
    v: &Viewer,
    work: WorkId,
    verdict: WorkVerdict,
) -> AppResult<CampaignId> {
    let w = repo::work(tx, work).await?.ok_or(AppError::NotFound)?;
    let campaign = w.campaign_id.ok_or(AppError::NotFound)?;
    let c = managed(tx, v, campaign).await?;
    if c.state != CampaignState::Finished {
        return Err(AppError::field("state", "campaign.still_judging"));
    }
    if verdict == WorkVerdict::Shortlist {
        if !repo::set_work_state(
            tx,
            work,
            [WorkState::Received, WorkState::Received],
            WorkState::Shortlisted,
            None,
        )
        .await?
        {
            return Err(AppError::field("state", "news.changed_meanwhile"));
        }
        audit::record(
            tx,
            &v.ctx.actor(),
            Event::ok("work.shortlist", format!("work:{work}")).unit(c.unit_id.0),
        )
        .await?;
        tell_author(tx, v, &w, &c.title, verdict).await?;
        return Ok(campaign);
    }
    let article = to_review(tx, &w, c.column_id, &c.title, v.p.id).await?;
    if !repo::set_work_state(
        tx,
        work,
        [WorkState::Received, WorkState::Shortlisted],
        WorkState::Chosen,
        Some(article),
    )
    .await?
    {
        return Err(AppError::field("state", "news.changed_meanwhile"));
    }
    let event = Event::ok("work.choose", format!("work:{work}"))
        .unit(c.unit_id.0)
        .detail(json!({ "article_id": article }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    tell_author(tx, v, &w, &c.title, verdict).await?;
    Ok(campaign)
}

/// The event that tells a work's author the campaign's decision on it (the notifications
/// consumer words it).
async fn tell_author(
    tx: &mut Tx,
    v: &Viewer,
    w: &repo::Work,
    campaign_title: &str,
    verdict: WorkVerdict,
) -> AppResult<()> {
    let verdict = match verdict {
        WorkVerdict::Shortlist => "shortlisted",
        _ => "chosen",
    };
    let event =
        crate::outbox::DomainEvent::new(crate::outbox::Kind::WorkDecided, format!("work:{}", w.id))
            .actor(Some(v.p.id.0))
            .payload(
                json!({ "account_id": w.author_id, "verdict": verdict, "work": w.title,
                             "campaign": campaign_title, "campaign_id": w.campaign_id }),
            );
    crate::outbox::emit(tx, event).await?;
    Ok(())
}

/// Sends a work to the review workflow as an article of `column` by its author, submitted
/// on the author's behalf by `by`; returns the article.
pub(super) async fn to_review(
    tx: &mut crate::db::Tx,
    w: &repo::Work,
    column: ColumnId,
    origin: &str,
    by: AccountId,
) -> Result<ArticleId, sqlx::Error> {
    let article = crate::news::service::submit_on_behalf(
        tx,
        &crate::news::service::Submission {
            column,
            unit: w.unit_id,
            author: w.author_id,
            title: &w.title,
            body: &w.body,
            tags: &w.kind,
            origin,
            by,
        },
    )
    .await?;
    crate::files::service::move_to_article(tx, w.id, article).await?;
    Ok(article)
}
