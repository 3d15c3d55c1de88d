//! The inbox page, the unread badge in the header (fetched by htmx after the page loads, so
//! no page pays for it before it is shown), and marking read.

use super::model::{NoticeKind, NotificationId};
use super::repo::Notification;
use super::service;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::PageParams;
use crate::web::auth::Viewer;
use crate::web::flash::{self, Flash};
use crate::web::render::{Page, html};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "notify/inbox.html")]
struct InboxPage {
    page: Page,
    notes: Vec<Notification>,
    unread: i64,
    page_no: i64,
    has_more: bool,
    /// The caller's email address for notifications.
    email: Option<String>,
}

impl InboxPage {
    /// What a notification is about, in the reader's language.
    fn subject(&self, n: &Notification) -> String {
        n.kind.describe(&n.subject, self.page.locale)
    }
    /// The words before a note: a reviewer's comment is called one; other notes (a notice's
    /// text, a reply) stand alone.
    fn note_label(&self, n: &Notification) -> String {
        match n.kind {
            NoticeKind::ArticleRejected | NoticeKind::ArticleWithdrawn => {
                self.page.t("notify.note")
            }
            _ => String::new(),
        }
    }
    fn when(&self, n: &Notification) -> String {
        crate::i18n::local_time(&n.created_at)
    }
}

pub async fn inbox(
    State(state): State<AppState>,
    v: Viewer,
    Query(p): Query<PageParams>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (mut notes, unread) = service::inbox(&mut tx, &v, PageParams::SIZE + 1, p.offset()).await?;
    let email = service::email(&mut tx, &v).await?;
    drop(tx);
    let has_more = notes.len() as i64 > PageParams::SIZE;
    notes.truncate(PageParams::SIZE as usize);
    html(&InboxPage {
        page: Page::new(&v.ctx, "/inbox"),
        notes,
        unread,
        page_no: p.page(),
        has_more,
        email,
    })
}

#[derive(serde::Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// Sets (or removes) the caller's email address for notifications.
pub async fn set_email(
    State(state): State<AppState>,
    v: Viewer,
    axum::Form(f): axum::Form<EmailForm>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    service::set_email(&mut tx, &v, &f.email).await?;
    tx.commit().await?;
    Ok(flash::redirect("/inbox", Flash::Saved).into_response())
}

#[derive(Template)]
#[template(path = "notify/badge.html")]
struct Badge {
    page: Page,
    unread: i64,
}

/// The header's unread count (an htmx fragment).
pub async fn badge(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let unread = service::unread(&mut tx, &v).await?;
    drop(tx);
    html(&Badge {
        page: Page::new(&v.ctx, "/inbox"),
        unread,
    })
}

/// Opens a notification: marks it read and goes where it leads.
pub async fn open(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<NotificationId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let link = service::open(&mut tx, &v, id).await?;
    tx.commit().await?;
    // Only our own paths are followed.
    let to = link
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .unwrap_or_else(|| "/inbox".into());
    Ok(Redirect::to(&to).into_response())
}

pub async fn read_all(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    service::read_all(&mut tx, &v).await?;
    tx.commit().await?;
    Ok(flash::redirect("/inbox", Flash::Saved).into_response())
}
