//! Review pages: decisions, the review queue, review steps and the sensitive-word list.

use super::model::{Decision, DecisionInput, parse_word};
use super::service;
use crate::error::AppResult;
use crate::ids::{ArticleId, UnitId};
use crate::news::Article;
use crate::news::articles::pages::local_time;
use crate::news::model::Action;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::flash::{self, Flash};
use crate::web::form;
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State as AxState};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn decide(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
    body: Bytes,
) -> AppResult<Response> {
    let decision = Decision::parse(&form::<DecisionInput>(&body)?)?;
    let mut tx = state.db.write().await?;
    service::decide(&mut tx, &v, id, &decision).await?;
    tx.commit().await?;
    let done = if decision.action == Action::Submit {
        Flash::Submitted
    } else {
        Flash::Decided
    };
    Ok(flash::redirect(&format!("/news/{id}"), done).into_response())
}

#[derive(Template)]
#[template(path = "news/review.html")]
struct ReviewPage {
    page: Page,
    articles: Vec<Article>,
}

impl ReviewPage {
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        local_time(t)
    }
}

pub async fn review_queue(AxState(state): AxState<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let articles = service::queue(&mut tx, &v).await?;
    html(&ReviewPage {
        page: Page::new(&v.ctx, "/news"),
        articles,
    })
}

#[derive(serde::Deserialize)]
pub struct WordForm {
    word: String,
    remove: Option<String>,
}

pub async fn change_words(
    AxState(state): AxState<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let f: WordForm = form(&body)?;
    let added = match f.remove {
        Some(_) => None,
        None => Some(parse_word(&f.word)?),
    };
    let mut tx = state.db.write().await?;
    match added {
        None => service::remove_sensitive_word(&mut tx, &v, &f.word).await?,
        Some(word) => service::add_sensitive_word(&mut tx, &v, &word).await?,
    }
    tx.commit().await?;
    Ok(Redirect::to("/news/columns#words").into_response())
}

#[derive(serde::Deserialize)]
pub struct StepsForm {
    unit_id: UnitId,
    steps: u8,
}

pub async fn set_review_steps(
    AxState(state): AxState<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let f: StepsForm = form(&body)?;
    let mut tx = state.db.write().await?;
    service::set_review_steps(&mut tx, &v, f.unit_id, f.steps).await?;
    tx.commit().await?;
    Ok(Redirect::to("/news/columns#steps").into_response())
}
