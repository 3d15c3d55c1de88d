//! Readers' comments and likes: the public comment after moderation, signed-in accounts at
//! once; readers report a comment; editors and reviewers moderate and reply.

use super::repo::NewComment;
use crate::access::{Perm, Scope};
use crate::audit::{self as audit, model::Event};
use crate::db::{Tx, now};
use crate::error::{AppError, AppResult, FieldError};
use crate::news::Comment;
use crate::people::model::parse_text;
use crate::web::auth::Viewer;
use crate::web::session::Ctx;
use chrono::Duration;
use serde_json::json;

/// Comments one network address may post in an hour (a community centre's readers share one).
const PER_HOUR: i64 = 20;
/// Reports that send an approved comment back to moderation.
const REPORT_THRESHOLD: i32 = 3;

/// A comment as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CommentInput {
    /// The name shown (readers without an account); signed-in accounts show their own.
    pub author_name: Option<String>,
    pub body: String,
    /// Replying to this comment.
    pub parent_id: Option<i64>,
}

fn required(field: &'static str, v: Option<&str>, max: usize) -> Result<String, FieldError> {
    parse_text(field, v, max)?.ok_or(FieldError::new(field, "validation.required"))
}

/// Posts a comment, or a reader's reply, on a published article; returns whether it awaits
/// moderation.
pub async fn post(tx: &mut Tx, ctx: &Ctx, article: i64, input: &CommentInput) -> AppResult<bool> {
    post_as(tx, ctx, article, input, false).await
}

/// [`post`]; `official` marks a moderator's reply ([`reply`]).
async fn post_as(
    tx: &mut Tx,
    ctx: &Ctx,
    article: i64,
    input: &CommentInput,
    official: bool,
) -> AppResult<bool> {
    let signed = ctx.full_principal();
    let mut errors = Vec::new();
    let body = required("body", Some(&input.body), 500)
        .map_err(|e| errors.push(e))
        .ok();
    let name = match signed {
        Some(p) => Some(p.display_name.clone()),
        None => required("author_name", input.author_name.as_deref(), 20)
            .map_err(|e| errors.push(e))
            .ok(),
    };
    let (Some(body), Some(name), true) = (body, name, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let who = crate::news::reading::readers::address(ctx);
    let a = crate::news::articles::repo::get(tx, article)
        .await?
        .filter(|a| a.state == "published")
        .ok_or(AppError::NotFound)?;
    // Threads are one level deep: answering a reply answers its thread, where it is shown.
    let parent = match input.parent_id {
        Some(parent) => match super::repo::get(tx, parent).await? {
            Some(p) if p.article_id == article && p.state == "approved" => {
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
            account: signed.map(|p| p.id.0),
            author_name: &name,
            body: &body,
            state: if pending { "pending" } else { "approved" },
            visitor: &who,
            official,
        },
    )
    .await?;
    let event = Event::ok("comment.create", format!("comment:{id}"))
        .unit(a.unit_id)
        .detail(json!({ "article_id": article, "pending": pending, "parent_id": parent, "official": official }));
    audit::record(tx, &ctx.actor(), event).await?;
    Ok(pending)
}

/// Counts a reader's like (once per reader).
pub async fn like(tx: &mut Tx, ctx: &Ctx, article: i64) -> AppResult<()> {
    // An account likes as itself (API tokens included), a reader as their cookie.
    let who = crate::news::reading::readers::reader_keys(ctx).0;
    crate::news::articles::repo::get(tx, article)
        .await?
        .filter(|a| a.state == "published")
        .ok_or(AppError::NotFound)?;
    super::repo::like(tx, article, &who).await?;
    Ok(())
}

/// A reader reports an approved comment; enough reports hide it until a moderator looks.
pub async fn report(tx: &mut Tx, ctx: &Ctx, comment: i64) -> AppResult<i64> {
    let c = super::repo::get(tx, comment)
        .await?
        .filter(|c| c.state == "approved")
        .ok_or(AppError::NotFound)?;
    let who = crate::news::reading::readers::address(ctx);
    super::repo::report(tx, comment, &who, REPORT_THRESHOLD).await?;
    let unit = super::repo::unit_of(tx, comment).await?.unwrap_or_default();
    let event = Event::ok("comment.report", format!("comment:{comment}"))
        .unit(unit)
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

async fn may_moderate(tx: &mut Tx, v: &Viewer, comment: i64) -> AppResult<()> {
    let scopes = moderator_scope(v)?;
    let unit = super::repo::unit_of(tx, comment)
        .await?
        .ok_or(AppError::NotFound)?;
    for s in &scopes {
        if crate::units::service::get_in_scope(tx, s, crate::units::model::UnitId(unit))
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
    out.sort_by_key(|c| c.id);
    Ok(out)
}

pub async fn moderate(tx: &mut Tx, v: &Viewer, comment: i64, approve: bool) -> AppResult<()> {
    may_moderate(tx, v, comment).await?;
    let to = if approve { "approved" } else { "rejected" };
    if !super::repo::moderate(tx, comment, to, v.p.id.0).await? {
        return Err(AppError::field("action", "news.changed_meanwhile"));
    }
    let event = Event::ok(
        if approve {
            "comment.approve"
        } else {
            "comment.reject"
        },
        format!("comment:{comment}"),
    )
    .unit(super::repo::unit_of(tx, comment).await?.unwrap_or_default());
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// A moderator's reply, shown at once under the comment.
pub async fn reply(tx: &mut Tx, v: &Viewer, comment: i64, body: &str) -> AppResult<i64> {
    may_moderate(tx, v, comment).await?;
    let c = super::repo::get(tx, comment)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = CommentInput {
        author_name: None,
        body: body.to_string(),
        parent_id: Some(comment),
    };
    if c.state != "approved" {
        return Err(AppError::field("parent_id", "news.reply_approved_only"));
    }
    post_as(tx, &v.ctx, c.article_id, &input, true).await?;
    Ok(c.article_id)
}

/// Approved comments of an article, for anyone; not found unless it is published.
pub async fn public_of(tx: &mut Tx, article: i64) -> AppResult<Vec<Comment>> {
    crate::news::articles::repo::get(tx, article)
        .await?
        .filter(|a| a.state == "published")
        .ok_or(AppError::NotFound)?;
    Ok(super::repo::approved(tx, article).await?)
}

/// Approved comments of a published article (for the reading page).
pub async fn for_article(tx: &mut Tx, article: i64) -> AppResult<Vec<Comment>> {
    Ok(super::repo::approved(tx, article).await?)
}
