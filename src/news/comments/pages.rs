//! Comment pages: posting, liking and reporting on the reading side, the moderation queue.

use super::model::{CommentDraft, CommentInput, ModerationStep, Verdict, parse_reply};
use super::service::*;
use crate::error::AppResult;
use crate::ids::{ArticleId, CommentId};
use crate::news::Comment;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::form;
use crate::web::form::Fields;
use crate::web::render::{Page, html};
use crate::web::session::Ctx;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn post_comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ArticleId>,
    body: Bytes,
) -> AppResult<Response> {
    let input: CommentInput = form(&body)?;
    let comment = CommentDraft::parse(&input, ctx.full_principal().is_some())?;
    let mut tx = state.db.write().await?;
    let pending = post(&mut tx, &ctx, id, &comment).await?;
    tx.commit().await?;
    let note = if pending { "pending" } else { "posted" };
    Ok(Redirect::to(&format!("/read/{id}?comment={note}#comments")).into_response())
}

pub async fn like_article(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ArticleId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    like(&mut tx, &ctx, id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/read/{id}#likes")).into_response())
}

pub async fn report_comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<CommentId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let article = report(&mut tx, &ctx, id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/read/{article}?comment=reported#comments")).into_response())
}

#[derive(Template)]
#[template(path = "news/comments.html")]
struct ModerationPage {
    page: Page,
    comments: Vec<Comment>,
}

pub async fn moderation_queue(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let comments = pending(&mut tx, &v).await?;
    html(&ModerationPage {
        page: Page::new(&v.ctx, "/news"),
        comments,
    })
}

#[derive(serde::Deserialize)]
pub struct ModerationForm {
    action: String,
    body: Option<String>,
}

pub async fn moderate_comment(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<CommentId>,
    body: Bytes,
) -> AppResult<Response> {
    let f: ModerationForm = form(&body)?;
    let mut fields = Fields::new();
    let step = fields.choice("action", Some(&f.action), ModerationStep::parse);
    /// The step with a reply's text, parsed before the transaction.
    enum Todo {
        Decide(Verdict),
        Reply(String),
    }
    let todo = match fields.done(step)? {
        ModerationStep::Decide(verdict) => Todo::Decide(verdict),
        ModerationStep::Reply => Todo::Reply(parse_reply(f.body.as_deref())?),
    };
    let mut tx = state.db.write().await?;
    let to = match todo {
        Todo::Decide(verdict) => {
            moderate(&mut tx, &v, id, verdict).await?;
            "/news/comments".to_string()
        }
        Todo::Reply(text) => {
            let article = reply(&mut tx, &v, id, &text).await?;
            format!("/read/{article}#comments")
        }
    };
    tx.commit().await?;
    Ok(Redirect::to(&to).into_response())
}
