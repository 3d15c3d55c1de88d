//! The organiser's desk: who registered (by state, with who was promoted and when), approving
//! and refusing, the check-in page (a phone's camera reads the QR code where the browser can;
//! the short code is typed where it cannot; walk-ins found by name), and a printable ticket.

use super::model::{EventId, RegistrationId, RegistrationState};
use super::repo::{EventRow, RegistrationRow};
use super::service;
use crate::error::{AppError, AppResult};
use crate::people::PersonRow;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::flash::{self, Flash};
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::response::{IntoResponse, Response};

const PAGE_SIZE: i64 = 100;

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PeopleQuery {
    state: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "events/people.html")]
struct PeoplePage {
    page: Page,
    e: EventRow,
    state: Option<RegistrationState>,
    states: &'static [RegistrationState],
    rows: Vec<RegistrationRow>,
    page_no: i64,
    has_more: bool,
}

impl PeoplePage {
    fn time(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::i18n::local_time(t)
    }
    fn count(&self, s: &RegistrationState) -> i64 {
        match s {
            RegistrationState::Registered => self.e.registered,
            RegistrationState::Waiting => self.e.waiting,
            RegistrationState::Pending => self.e.pending,
            _ => -1,
        }
    }
    fn is(&self, s: &RegistrationState) -> bool {
        self.state == Some(*s)
    }
    fn keep(&self) -> String {
        self.state
            .map(|s| format!("state={}&", s.as_str()))
            .unwrap_or_default()
    }
}

pub async fn event_people(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
    Query(q): Query<PeopleQuery>,
) -> AppResult<Response> {
    let mut f = crate::web::form::Fields::new();
    let st = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        s => f.choice("state", s, RegistrationState::parse).map(Some),
    };
    let st = f.done(st)?;
    let page_no = q.page.unwrap_or(1).clamp(1, 10_000);
    let mut tx = state.db.read().await?;
    let e = service::get(&mut tx, &v, id).await?;
    let mut rows = service::registrations(
        &mut tx,
        &v,
        &e,
        st,
        PAGE_SIZE + 1,
        (page_no - 1) * PAGE_SIZE,
    )
    .await?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    html(&PeoplePage {
        page: Page::new(&v.ctx, "/events"),
        e,
        state: st,
        states: RegistrationState::ALL,
        rows,
        page_no,
        has_more,
    })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    /// `1` approves, anything else refuses.
    approve: String,
}

/// The organiser approves or refuses a registration waiting for approval.
pub async fn decide(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RegistrationId>,
    body: Bytes,
) -> AppResult<Response> {
    let f: DecisionForm = crate::web::form(&body)?;
    let mut tx = state.db.write().await?;
    let event = service::event_of(&mut tx, id).await?;
    service::decide(&mut tx, &v, id, f.approve == "1").await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/events/{event}/people?state=pending"),
        Flash::Decided,
    )
    .into_response())
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CheckinQuery {
    /// The registration just checked in, and whether it had been before.
    seen: Option<String>,
    again: Option<String>,
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "events/checkin.html")]
struct CheckinPage {
    page: Page,
    e: EventRow,
    seen: Option<RegistrationRow>,
    again: bool,
    q: String,
    found: Vec<PersonRow>,
}

pub async fn checkin_page(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
    Query(q): Query<CheckinQuery>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let e = service::get(&mut tx, &v, id).await?;
    if !service::manages(&v, &e) {
        return Err(AppError::Forbidden);
    }
    let seen = match q.seen.as_deref().and_then(|s| s.parse::<i64>().ok()) {
        Some(r) => service::registration_at(&mut tx, id, RegistrationId(r)).await?,
        None => None,
    };
    let query = q.q.unwrap_or_default();
    let found = if query.trim().is_empty() {
        Vec::new()
    } else {
        service::find_people(&mut tx, &state.crypto, &v, &query).await?
    };
    html(&CheckinPage {
        page: Page::new(&v.ctx, "/events"),
        e,
        seen,
        again: q.again.as_deref() == Some("1"),
        q: query,
        found,
    })
    .map(crate::web::headers::with_camera)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

pub async fn check_in(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
    body: Bytes,
) -> AppResult<Response> {
    let f: CodeForm = crate::web::form(&body)?;
    let mut tx = state.db.write().await?;
    let c = service::check_in(&mut tx, &v, id, &f.code).await?;
    tx.commit().await?;
    let again = if c.first { "" } else { "&again=1" };
    Ok(axum::response::Redirect::to(&format!(
        "/events/{id}/checkin?seen={}{again}",
        c.registration.id
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "events/ticket.html")]
struct TicketPage {
    page: Page,
    e: EventRow,
    r: RegistrationRow,
    qr: String,
}

impl TicketPage {
    fn when(&self) -> String {
        super::model::when(&self.e.starts_at, &self.e.ends_at)
    }
}

pub async fn ticket(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RegistrationId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (e, r) = service::ticket(&mut tx, &v, id).await?;
    if !r.state.active() {
        return Err(AppError::Conflict("activity.not_registered"));
    }
    let qr = crate::web::qr::svg(&r.code, 240)?;
    html(&TicketPage {
        page: Page::new(&v.ctx, "/events"),
        e,
        r,
        qr,
    })
}
