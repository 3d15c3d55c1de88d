//! Notice pages: the list with the form, the check of how many it reaches, sending, and one
//! notice's figures.

use super::model::{NoticeDraft, NoticeId, NoticeInput};
use super::repo::NoticeRow;
use super::service;
use crate::access::{PEOPLE_KEEPERS, Perm, Scope};
use crate::error::AppResult;
use crate::people::model::Category;
use crate::state::AppState;
use crate::units::{Unit, service as units};
use crate::web::auth::Viewer;
use crate::web::flash::{self, Flash};
use crate::web::form_with_lists;
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "notify/notices.html")]
struct NoticesPage {
    page: Page,
    notices: Vec<NoticeRow>,
    units: Vec<Unit>,
    categories: &'static [Category],
    /// The form as sent, and how many it reaches, after "check".
    draft: NoticeInput,
    /// After "check": accounts reached, and people of the registry by SMS.
    reach: Option<(usize, usize)>,
    tiers: &'static [crate::care::model::Tier],
}

impl NoticesPage {
    fn chosen(&self, c: &Category) -> bool {
        self.draft.categories.iter().any(|x| x == c.as_str())
    }
    fn is_hours(&self, h: &i32) -> bool {
        self.draft
            .fallback_hours
            .as_deref()
            .map_or(*h == 24, |x| x.trim() == h.to_string())
    }
    fn has_tier(&self, t: &crate::care::model::Tier) -> bool {
        self.draft.tiers.iter().any(|x| x == t.as_str())
    }
    fn is_unit(&self, u: &crate::ids::UnitId) -> bool {
        self.draft.unit_id == Some(u.0)
    }
    fn when(&self, n: &NoticeRow) -> String {
        crate::i18n::local_time(&n.created_at)
    }
}

async fn page(
    state: &AppState,
    v: &Viewer,
    draft: NoticeInput,
    reach: Option<(usize, usize)>,
) -> AppResult<NoticesPage> {
    let mut tx = state.db.read().await?;
    let notices = service::list(&mut tx, v).await?;
    let units = units::list(&mut tx, &Scope::of(v.p.id.0, PEOPLE_KEEPERS), false, 2000).await?;
    Ok(NoticesPage {
        page: Page::new(&v.ctx, "/notices"),
        notices,
        units,
        categories: Category::ALL,
        draft,
        reach,
        tiers: crate::care::model::Tier::ALL,
    })
}

pub async fn notices(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    v.scope(Perm::People)?;
    let members = NoticeInput {
        members: true,
        ..NoticeInput::default()
    };
    html(&page(&state, &v, members, None).await?)
}

/// "Check": how many the notice would reach, the form kept, nothing sent.
pub async fn check_notice(
    State(state): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let raw: NoticeInput = form_with_lists(&body)?;
    let draft = NoticeDraft::parse(&raw)?;
    let mut tx = state.db.read().await?;
    let r = service::recipients(&mut tx, &v, &draft).await?;
    let reach = (r.accounts.len(), r.registry.len());
    drop(tx);
    html(&page(&state, &v, raw, Some(reach)).await?)
}

pub async fn send_notice(
    State(state): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let draft = NoticeDraft::parse(&form_with_lists::<NoticeInput>(&body)?)?;
    let mut tx = state.db.write().await?;
    let (id, _) = service::send(&mut tx, &v, &draft).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/notices/{id}"), Flash::Sent).into_response())
}

#[derive(Template)]
#[template(path = "notify/notice.html")]
struct NoticePage {
    page: Page,
    n: NoticeRow,
}

impl NoticePage {
    fn when(&self) -> String {
        crate::i18n::local_time(&self.n.created_at)
    }
}

pub async fn show_notice(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<NoticeId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let n = service::get(&mut tx, &v, id).await?;
    drop(tx);
    html(&NoticePage {
        page: Page::new(&v.ctx, "/notices"),
        n,
    })
}
