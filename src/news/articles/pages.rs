//! Staff pages for articles: the desk, the article form, an article with its review trail,
//! files and sensitive-word hints, and two versions compared.

use super::history::DiffLine;
use super::model::{ArticleDraft, ArticleInput};
use super::repo;
use super::service;
use crate::access::Perm;
use crate::error::{AppError, AppResult};
use crate::ids::{AccountId, ArticleId, FileId};
use crate::news::Article;
use crate::news::Column;
use crate::news::Event;
use crate::news::Version;
use crate::news::model::{Action, State};
use crate::state::AppState;
use crate::web::PageParams;
use crate::web::auth::Viewer;
use crate::web::flash::{self, Flash};
use crate::web::form;
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::response::{IntoResponse, Redirect, Response};

/// A publishing time for a form field (`YYYY-MM-DDTHH:MM`, China time).
pub fn local_input(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|t| {
        t.with_timezone(&service::china())
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

/// A time as shown to readers (China time).
pub fn local_time(at: &chrono::DateTime<chrono::Utc>) -> String {
    crate::i18n::local_time(at)
}

#[derive(serde::Deserialize, Default)]
pub struct DeskQuery {
    state: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "news/desk.html")]
struct DeskPage {
    page: Page,
    articles: Vec<Article>,
    states: [State; 7],
    filter: String,
    page_no: i64,
    has_more: bool,
    can_write: bool,
    can_review: bool,
    can_manage: bool,
}

impl DeskPage {
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        local_time(t)
    }
}

pub async fn desk(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Query(q): Query<DeskQuery>,
) -> AppResult<Response> {
    let paging = PageParams { page: q.page };
    let filter = q.state.unwrap_or_default();
    let states = service::state_filter(Some(&filter))?;
    let mut tx = state.db.read().await?;
    let mut articles =
        service::desk(&mut tx, &v, states, PageParams::SIZE + 1, paging.offset()).await?;
    let has_more = articles.len() as i64 > PageParams::SIZE;
    articles.truncate(PageParams::SIZE as usize);
    html(&DeskPage {
        page: Page::new(&v.ctx, "/news"),
        articles,
        states: State::ALL,
        filter,
        page_no: paging.page(),
        has_more,
        can_write: v.p.can(Perm::WriteNews),
        can_review: v.p.can(Perm::ReviewNews),
        can_manage: v.p.can(Perm::ManageNews),
    })
}

#[derive(Template)]
#[template(path = "news/form.html")]
struct FormPage {
    page: Page,
    id: Option<ArticleId>,
    a: ArticleInput,
    columns: Vec<Column>,
    correspondents: Vec<(AccountId, String)>,
    /// The units a new article may come from (the writer's scope); the source unit is set
    /// when the article is written and kept after.
    units: Vec<crate::units::Unit>,
}

impl FormPage {
    /// Whether the form credits `c`.
    fn credited(&self, c: &AccountId) -> bool {
        self.a.correspondent_id == Some(c.0)
    }
}

pub async fn new_article(AxState(state): AxState<AppState>, v: Viewer) -> AppResult<Response> {
    let s = v.scope(Perm::WriteNews)?;
    let mut tx = state.db.read().await?;
    let columns = crate::news::columns::service::columns(&mut tx, &v).await?;
    let units = crate::units::service::list(&mut tx, &s, false, 2000).await?;
    let correspondents = service::correspondents(&mut tx, &v).await?;
    html(&FormPage {
        page: Page::new(&v.ctx, "/news"),
        id: None,
        a: ArticleInput::default(),
        columns,
        correspondents,
        units,
    })
}

pub async fn create_article(
    AxState(state): AxState<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let draft = ArticleDraft::parse(&form::<ArticleInput>(&body)?)?;
    let mut tx = state.db.write().await?;
    let id = service::create_article(&mut tx, &v, &draft).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/news/{id}"), Flash::Created).into_response())
}

pub async fn edit_article(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let a = service::load(&mut tx, &v, id).await?;
    let columns = crate::news::columns::service::columns(&mut tx, &v).await?;
    let correspondents = service::correspondents(&mut tx, &v).await?;
    html(&FormPage {
        page: Page::new(&v.ctx, "/news"),
        id: Some(id),
        a: ArticleInput {
            column_id: a.column_id.0,
            unit_id: a.unit_id.0,
            title: a.title,
            summary: a.summary,
            body: a.body_md,
            tags: Some(a.tags),
            source: a.source,
            byline: a.byline,
            correspondent_id: a.correspondent_id.map(|c| c.0),
            publish_at: Some(local_input(a.publish_at)),
        },
        columns,
        correspondents,
        units: Vec::new(),
    })
}

pub async fn update_article(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
    body: Bytes,
) -> AppResult<Response> {
    let draft = ArticleDraft::parse(&form::<ArticleInput>(&body)?)?;
    let mut tx = state.db.write().await?;
    service::update_article(&mut tx, &v, id, &draft).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/news/{id}"), Flash::Saved).into_response())
}

#[derive(Template)]
#[template(path = "news/show.html")]
struct ShowPage {
    page: Page,
    a: Article,
    events: Vec<Event>,
    versions: Vec<Version>,
    hits: Vec<String>,
    /// Title, summary and text with every sensitive word marked, for the reviewer.
    marked: Vec<(String, bool)>,
    /// For an imported article: the text as it came and the repairs made.
    origin: Option<super::history::ImportOrigin>,
    files: Vec<crate::files::Attachment>,
    cover: Option<FileId>,
    /// The workflow steps this person may take now (the page offers only these).
    can_submit: bool,
    can_approve: bool,
    can_reject: bool,
    can_withdraw: bool,
    editable: bool,
}

impl ShowPage {
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        local_time(t)
    }
}

pub async fn show_article(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let a = service::load(&mut tx, &v, id).await?;
    let (events, versions, origin, files, cover) = (
        crate::news::review::repo::events(&mut tx, id).await?,
        repo::versions(&mut tx, id).await?,
        repo::import_origin(&mut tx, id).await?,
        crate::files::service::of_article(&mut tx, id).await?,
        repo::cover_of(&mut tx, id).await?,
    );
    let origin = origin.map(super::history::ImportOrigin::from_stored);
    let st = a.state;
    let may = crate::news::review::service::may;
    let can_submit = may(&mut tx, &v, &a, Action::Submit).await?;
    let can_approve = may(&mut tx, &v, &a, Action::Approve).await?;
    let can_reject = may(&mut tx, &v, &a, Action::Reject).await?;
    let can_withdraw = may(&mut tx, &v, &a, Action::Withdraw).await?;
    let hits = match crate::news::review::service::hits_for(&mut tx, &v, &a).await {
        Err(AppError::Forbidden) => Vec::new(),
        other => other?,
    };
    // Where the words stand: the text as written, each hit marked.
    let marked = if hits.is_empty() {
        Vec::new()
    } else {
        let text = format!(
            "{}\n{}\n{}",
            a.title,
            a.summary.as_deref().unwrap_or(""),
            a.body_md
        );
        crate::search::text::mark_all(&text, &hits)
    };
    html(&ShowPage {
        page: Page::new(&v.ctx, "/news"),
        can_submit,
        can_approve,
        can_reject,
        can_withdraw,
        editable: st.editable(),
        a,
        events,
        versions,
        hits,
        marked,
        origin,
        files,
        cover,
    })
}

#[derive(serde::Deserialize)]
pub struct CompareQuery {
    from: i32,
    to: i32,
}

#[derive(Template)]
#[template(path = "news/compare.html")]
struct ComparePage {
    page: Page,
    a: Article,
    from: Version,
    to: Version,
    lines: Vec<DiffLine>,
}

/// Compares two saved versions of an article line by line (title, summary, tags and text).
pub async fn compare_versions(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
    Query(q): Query<CompareQuery>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let a = service::load(&mut tx, &v, id).await?;
    let c = super::history::compare(&mut tx, &v, id, q.from, q.to).await?;
    html(&ComparePage {
        page: Page::new(&v.ctx, "/news"),
        a,
        from: c.from,
        to: c.to,
        lines: c.lines,
    })
}

pub async fn upload_page(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<ArticleId>,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    upload_attachment(&state, &v, id, mp).await?;
    Ok(Redirect::to(&format!("/news/{id}#attachments")).into_response())
}

/// An upload to an article, for the page and the API: the caller is checked in a read
/// transaction, the file streamed to disk with no transaction held (it may take minutes),
/// then recorded in one write transaction that checks the article again.
pub(super) async fn upload_attachment(
    state: &AppState,
    v: &Viewer,
    article: ArticleId,
    mp: axum::extract::Multipart,
) -> AppResult<FileId> {
    let mut tx = state.db.read().await?;
    super::attachments::may_upload(&mut tx, v, article).await?;
    drop(tx);
    let f = crate::files::service::receive(&state.config.effective_upload_dir(), mp).await?;
    let mut tx = state.db.write().await?;
    let id = super::attachments::attach(&mut tx, v, article, f).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn set_cover_page(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path((id, file)): Path<(ArticleId, FileId)>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    super::attachments::choose_cover(&mut tx, &v, id, file).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/news/{id}#attachments")).into_response())
}
