//! Readers' comments and likes: the public comment after moderation, signed-in accounts at
//! once; readers report a comment; editors and reviewers moderate and reply.

use super::model::{CommentDraft, CommentState, Verdict};
use super::repo::NewComment;
use crate::access::{Perm, Scope};
use crate::audit::{self as audit, model::Event};
use crate::db::{Tx, now};
use crate::error::{AppError, AppResult};
use crate::ids::{ArticleId, CommentId};
use crate::news::Comment;
use crate::web::auth::Viewer;
use crate::web::session::Ctx;
use chrono::Duration;
use serde_json::json;

/// Comments one network address may post in an hour (a community centre's readers share one).
const PER_HOUR: i64 = 20;
/// Reports that send an approved comment back to moderation.
const REPORT_THRESHOLD: i32 = 3;

/// Posts a comment, or a reader's reply, on a published article; returns whether it awaits
/// moderation.
pub async fn post(tx: &mut Tx, ctx: &Ctx, article: ArticleId, c: &CommentDraft) -> AppResult<bool> {
    post_as(tx, ctx, article, c, false).await
}

/// [`post`]; `official` marks a moderator's reply ([`reply`]).
async fn post_as(
    tx: &mut Tx,
    ctx: &Ctx,
    article: ArticleId,
    input: &CommentDraft,
    official: bool,
) -> AppResult<bool> {
    let signed = ctx.full_principal();
    // Parsed for a reader without an account, who must give a name; an account shows its own.
    let name = match (signed, &input.author_name) {
        (Some(p), _) => p.display_name.clone(),
        (None, Some(n)) => n.clone(),
        (None, None) => return Err(AppError::field("author_name", "validation.required")),
    };
    let body = &input.body;
    let who = crate::web::readers::address(ctx);
    let a = crate::news::articles::repo::get(tx, article)
        .await?
        .filter(|a| a.state.is_published())
        .ok_or(AppError::NotFound)?;
    // Threads are one level deep: answering a reply answers its thread, where it is shown.
    let parent = match input.parent_id {
        Some(parent) => match super::repo::get(tx, parent).await? {
            Some(p) if p.article_id == article && p.state == CommentState::Approved => {
                Some(p.parent_id.unwrap_or(parent))
            }
            _ => return Err(AppError::field("parent_id", "validation.choice")),
        },
        None => None,
    };
    if super::repo::count_since(tx, &who, now() - Duration::hours(1)).await? >= PER_HOUR {
        return Err(AppError::TooManyRequests);
    }
    let pending = signed.is_none();
    let id = super::repo::insert(
        tx,
        &NewComment {
            article,
            parent,
            account: signed.map(|p| p.id),
            author_name: &name,
            body,
            state: if pending {
                CommentState::Pending
            } else {
                CommentState::Approved
            }
            .as_str(),
            visitor: &who,
            official,
        },
    )
    .await?;
    let event = Event::ok("comment.create", format!("comment:{id}"))
        .unit(a.unit_id.0)
        .detail(json!({ "article_id": article, "pending": pending, "parent_id": parent, "official": official }));
    audit::record(tx, &ctx.actor(), event).await?;
    if let (false, Some(root)) = (pending, parent) {
        let by = signed.map(|p| p.id);
        replied(tx, root, by, (article, &a.title), &name, body).await?;
    }
    Ok(pending)
}

/// Tells the account that wrote comment `root` (if one did, and it is not the replier) that a
/// reply under it is shown, through a domain event the notifications read.
async fn replied(
    tx: &mut Tx,
    root: CommentId,
    by: Option<crate::ids::AccountId>,
    (article, title): (ArticleId, &str),
    replier: &str,
    body: &str,
) -> AppResult<()> {
    let Some(to) = super::repo::author_account(tx, root).await? else {
        return Ok(());
    };
    if Some(to) == by {
        return Ok(());
    }
    let excerpt: String = body.chars().take(60).collect();
    let event = crate::outbox::DomainEvent::new(
        crate::outbox::Kind::CommentReplied,
        format!("comment:{root}"),
    )
    .actor(by.map(|a| a.0))
    .payload(json!({ "account_id": to, "article_id": article, "title": title, "replier": replier, "excerpt": excerpt }));
    crate::outbox::emit(tx, event).await?;
    Ok(())
}

/// Counts a reader's like (once per reader).
pub async fn like(tx: &mut Tx, ctx: &Ctx, article: ArticleId) -> AppResult<()> {
    // An account likes as itself (API tokens included), a reader as their cookie.
    let who = crate::web::readers::reader_keys(ctx).0;
    crate::news::articles::repo::get(tx, article)
        .await?
        .filter(|a| a.state.is_published())
        .ok_or(AppError::NotFound)?;
    super::repo::like(tx, article, &who).await?;
    Ok(())
}

/// Whether this reader (an account, or a reader's cookie) has liked the article.
pub async fn has_liked(tx: &mut Tx, ctx: &Ctx, article: ArticleId) -> AppResult<bool> {
    let who = crate::web::readers::reader_keys(ctx).0;
    Ok(super::repo::has_liked(tx, article, &who).await?)
}

/// A reader reports an approved comment; enough reports hide it until a moderator looks.
pub async fn report(tx: &mut Tx, ctx: &Ctx, comment: CommentId) -> AppResult<ArticleId> {
    let c = super::repo::get(tx, comment)
        .await?
        .filter(|c| c.state == CommentState::Approved)
        .ok_or(AppError::NotFound)?;
    let who = crate::web::readers::address(ctx);
    super::repo::report(tx, comment, &who, REPORT_THRESHOLD).await?;
    // The comment was just read, so its article's unit is there.
    let unit = super::repo::unit_of(tx, comment)
        .await?
        .ok_or(AppError::NotFound)?;
    let event = Event::ok("comment.report", format!("comment:{comment}"))
        .unit(unit.0)
        .detail(json!({ "article_id": c.article_id }));
    audit::record(tx, &ctx.actor(), event).await?;
    Ok(c.article_id)
}

/// The moderator's scope: reviewers' and editors' subtrees.
fn moderator_scope(v: &Viewer) -> AppResult<Vec<Scope>> {
    let scopes: Vec<Scope> = [Perm::ReviewNews, Perm::ManageNews]
        .into_iter()
        .filter_map(|p| v.scope(p).ok())
        .collect();
    if scopes.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(scopes)
}

async fn may_moderate(tx: &mut Tx, v: &Viewer, comment: CommentId) -> AppResult<()> {
    let scopes = moderator_scope(v)?;
    let unit = super::repo::unit_of(tx, comment)
        .await?
        .ok_or(AppError::NotFound)?;
    for s in &scopes {
        if crate::units::service::get_in_scope(tx, s, unit)
            .await?
            .is_some()
        {
            return Ok(());
        }
    }
    Err(AppError::OutOfScope)
}

/// Comments waiting for the caller's moderation, oldest first.
pub async fn pending(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<Comment>> {
    let scopes = moderator_scope(v)?;
    let mut out: Vec<Comment> = Vec::new();
    for s in &scopes {
        for c in super::repo::pending_in_scope(tx, s, 200).await? {
            if !out.iter().any(|x| x.id == c.id) {
                out.push(c);
            }
        }
    }
    out.sort_by_key(|c| c.id.0);
    Ok(out)
}

pub async fn moderate(
    tx: &mut Tx,
    v: &Viewer,
    comment: CommentId,
    verdict: Verdict,
) -> AppResult<()> {
    may_moderate(tx, v, comment).await?;
    if !super::repo::moderate(tx, comment, verdict.state(), v.p.id).await? {
        return Err(AppError::field("action", "news.changed_meanwhile"));
    }
    // `may_moderate` found the unit.
    let unit = super::repo::unit_of(tx, comment)
        .await?
        .ok_or(AppError::NotFound)?;
    let event = Event::ok(verdict.audit_action(), format!("comment:{comment}")).unit(unit.0);
    audit::record(tx, &v.ctx.actor(), event).await?;
    // An approved reply is now shown: its thread's author hears of it.
    if verdict == Verdict::Approve
        && let Some(c) = super::repo::get(tx, comment).await?
        && let Some(root) = c.parent_id
    {
        let by = super::repo::author_account(tx, comment).await?;
        let article = (c.article_id, c.article_title.as_str());
        replied(tx, root, by, article, &c.author_name, &c.body).await?;
    }
    Ok(())
}

/// A moderator's reply (its text parsed with [`super::model::parse_reply`]), shown at once.
pub async fn reply(
    tx: &mut Tx,
    v: &Viewer,
    comment: CommentId,
    body: &str,
) -> AppResult<ArticleId> {
    may_moderate(tx, v, comment).await?;
    let c = super::repo::get(tx, comment)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = CommentDraft {
        author_name: None,
        body: body.to_string(),
        parent_id: Some(comment),
    };
    if c.state != CommentState::Approved {
        return Err(AppError::field("parent_id", "news.reply_approved_only"));
    }
    post_as(tx, &v.ctx, c.article_id, &input, true).await?;
    Ok(c.article_id)
}

/// Approved comments of an article, for anyone; not found unless it is published.
pub async fn public_of(tx: &mut Tx, article: ArticleId) -> AppResult<Vec<Comment>> {
    crate::news::articles::repo::get(tx, article)
        .await?
        .filter(|a| a.state.is_published())
        .ok_or(AppError::NotFound)?;
    Ok(super::repo::approved(tx, article).await?)
}

/// Approved comments of a published article (for the reading page).
pub async fn for_article(tx: &mut Tx, article: ArticleId) -> AppResult<Vec<Comment>> {
    Ok(super::repo::approved(tx, article).await?)
}
