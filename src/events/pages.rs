//! Event pages: the month or week list with one's own registrations, an event (register,
//! cancel, one's QR code; staff register people on file), organising and changing one, and
//! cancelling it.

use super::model::{EventForm, EventId, EventKind, NewEvent, RegistrationId, Span, form_time};
use super::repo::{EventRow, MyRegistration, RegistrationRow};
use super::service;
use crate::access::{PEOPLE_KEEPERS, Perm, Scope};
use crate::error::AppResult;
use crate::ids::{PersonId, UnitId};
use crate::people::model::Category;
use crate::state::AppState;
use crate::units::{Unit, service as units};
use crate::web::auth::Viewer;
use crate::web::flash::{self, Flash};
use crate::web::form_with_lists;
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::response::{IntoResponse, Response};

/// The list's query: a month or a week, and a unit.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct SpanQuery {
    /// `YYYY-MM` (default: this month).
    pub month: Option<String>,
    /// Any day of the week to show, `YYYY-MM-DD`.
    pub week: Option<String>,
    /// Only events organised at or below this unit.
    pub unit: Option<String>,
}

impl SpanQuery {
    pub fn parse(&self) -> AppResult<(Span, Option<UnitId>)> {
        let span = Span::parse(
            self.month.as_deref(),
            self.week.as_deref(),
            crate::i18n::china_today(),
        )?;
        let mut f = crate::web::form::Fields::new();
        let unit = f.optional_id("unit", self.unit.as_deref());
        Ok((span, f.done(unit)?))
    }
}

fn when(e: &EventRow) -> String {
    super::model::when(&e.starts_at, &e.ends_at)
}

#[derive(Template)]
#[template(path = "events/list.html")]
struct ListPage {
    page: Page,
    events: Vec<EventRow>,
    mine: Vec<MyRegistration>,
    span: Span,
    prev: String,
    next: String,
    organiser: bool,
    unit: Option<UnitId>,
    feed: String,
}

impl ListPage {
    fn title(&self) -> String {
        let (a, b) = self.span.days();
        match self.span {
            Span::Month(d) => d.format("%Y-%m").to_string(),
            Span::Week(_) => format!("{a} – {}", b - chrono::Duration::days(1)),
        }
    }
    fn is_week(&self) -> bool {
        matches!(self.span, Span::Week(_))
    }
    fn switch(&self) -> String {
        let (a, _) = self.span.days();
        match self.span {
            Span::Month(_) => format!("week={a}"),
            Span::Week(_) => format!("month={}", a.format("%Y-%m")),
        }
    }
    fn keep(&self) -> String {
        self.unit.map(|u| format!("&unit={u}")).unwrap_or_default()
    }
    fn day(&self, e: &EventRow) -> String {
        crate::i18n::local_time(&e.starts_at)
            .split_once(' ')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default()
    }
    fn when(&self, e: &EventRow) -> String {
        when(e)
    }
    fn mine_when(&self, m: &MyRegistration) -> String {
        crate::i18n::local_time(&m.starts_at)
    }
    fn new_day(&self, i: &usize) -> bool {
        *i == 0 || self.day(&self.events[*i - 1]) != self.day(&self.events[*i])
    }
}

pub async fn list_events(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Query(q): Query<SpanQuery>,
) -> AppResult<Response> {
    let (span, unit) = q.parse()?;
    let mut tx = state.db.read().await?;
    let events = service::list(&mut tx, &v, span.range(), unit).await?;
    let mine = service::mine(&mut tx, &v).await?;
    let (prev, next) = span.neighbours();
    html(&ListPage {
        page: Page::new(&v.ctx, "/events"),
        events,
        mine,
        span,
        prev,
        next,
        organiser: v.p.can(Perm::Events),
        unit,
        feed: format!(
            "/events/calendar/{}/events.ics",
            service::feed_token(&state.crypto, v.p.id)
        ),
    })
}

#[derive(Template)]
#[template(path = "events/form.html")]
struct FormPage {
    page: Page,
    id: Option<EventId>,
    draft: EventForm,
    units: Vec<Unit>,
    kinds: &'static [EventKind],
    categories: &'static [Category],
}

impl FormPage {
    fn is_unit(&self, u: &UnitId) -> bool {
        self.draft.unit_id == Some(u.0)
    }
    fn in_audience(&self, u: &UnitId) -> bool {
        self.draft.audience.iter().any(|a| a == &u.0.to_string())
    }
    fn is_kind(&self, k: &EventKind) -> bool {
        self.draft.kind == k.as_str()
    }
    fn has_cat(&self, c: &Category) -> bool {
        self.draft.categories.iter().any(|x| x == c.as_str())
    }
    fn capacity(&self) -> &str {
        self.draft.capacity.as_deref().unwrap_or("")
    }
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/events/{id}"),
            None => "/events".into(),
        }
    }
}

async fn form_page(
    state: &AppState,
    v: &Viewer,
    id: Option<EventId>,
    draft: EventForm,
) -> AppResult<Response> {
    v.scope(Perm::Events)?;
    let mut tx = state.db.read().await?;
    let units = units::list(&mut tx, &Scope::of(v.p.id.0, PEOPLE_KEEPERS), false, 2000).await?;
    html(&FormPage {
        page: Page::new(&v.ctx, "/events"),
        id,
        draft,
        units,
        kinds: EventKind::ALL,
        categories: Category::ALL,
    })
}

pub async fn new_event(AxState(state): AxState<AppState>, v: Viewer) -> AppResult<Response> {
    let start = crate::i18n::china_today() + chrono::Duration::days(7);
    let draft = EventForm {
        kind: "lecture".into(),
        starts_at: format!("{start}T09:00"),
        ends_at: format!("{start}T11:00"),
        ..EventForm::default()
    };
    form_page(&state, &v, None, draft).await
}

pub async fn create_event(
    AxState(state): AxState<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let raw: EventForm = form_with_lists(&body)?;
    let e = NewEvent::parse(&raw)?;
    let mut tx = state.db.write().await?;
    let id = service::create(&mut tx, &v, &e).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/events/{id}"), Flash::Created).into_response())
}

/// An event as its form shows it.
fn draft_of(e: &EventRow, audience: &[(UnitId, String, String)]) -> EventForm {
    EventForm {
        unit_id: Some(e.unit_id.0),
        title: e.title.clone(),
        kind: e.kind.as_str().into(),
        description: e.description.clone(),
        starts_at: form_time(&e.starts_at),
        ends_at: form_time(&e.ends_at),
        place: e.place.clone().unwrap_or_default(),
        online_url: e.online_url.clone().unwrap_or_default(),
        audience: audience
            .iter()
            .filter(|(u, _, _)| *u != e.unit_id)
            .map(|(u, _, _)| u.0.to_string())
            .collect(),
        categories: e
            .categories
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        public: e.public,
        capacity: e.capacity.map(|c| c.to_string()),
        opens_at: e.opens_at.as_ref().map(form_time).unwrap_or_default(),
        closes_at: e.closes_at.as_ref().map(form_time).unwrap_or_default(),
        approval: e.approval,
    }
}

pub async fn edit_event(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let e = service::get(&mut tx, &v, id).await?;
    if !service::manages(&v, &e) {
        return Err(crate::error::AppError::Forbidden);
    }
    let audience = service::audience_of(&mut tx, id).await?;
    drop(tx);
    form_page(&state, &v, Some(id), draft_of(&e, &audience)).await
}

pub async fn update_event(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
    body: Bytes,
) -> AppResult<Response> {
    let raw: EventForm = form_with_lists(&body)?;
    let e = NewEvent::parse(&raw)?;
    let mut tx = state.db.write().await?;
    service::update(&mut tx, &v, id, &e).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/events/{id}"), Flash::Saved).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CancelForm {
    reason: String,
}

pub async fn cancel_event(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
    body: Bytes,
) -> AppResult<Response> {
    let f: CancelForm = crate::web::form(&body)?;
    let reason = super::model::cancel_reason(&f.reason)?;
    let mut tx = state.db.write().await?;
    service::cancel(&mut tx, &v, id, &reason).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/events/{id}"), Flash::Cancelled).into_response())
}

/// The event page's query: a name to find people to register.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "events/show.html")]
struct ShowPage {
    page: Page,
    e: EventRow,
    audience: Vec<(UnitId, String, String)>,
    mine: Option<RegistrationRow>,
    qr: Option<String>,
    manage: bool,
    staff: bool,
    made: Vec<RegistrationRow>,
    q: String,
    found: Vec<crate::people::PersonRow>,
    open: bool,
    recordings: Vec<super::videos::VideoRow>,
    views: i64,
}

impl ShowPage {
    fn when(&self) -> String {
        when(&self.e)
    }
    fn categories(&self) -> Vec<String> {
        self.e
            .categories
            .split(',')
            .filter_map(Category::parse)
            .map(|c| self.page.t(&c.label_key()))
            .collect()
    }
    fn capacity(&self) -> String {
        match self.e.capacity {
            Some(c) => format!("{} / {c}", self.e.registered),
            None => self.e.registered.to_string(),
        }
    }
    fn time(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::i18n::local_time(t)
    }
    fn is_cancelled(&self) -> bool {
        self.e.status == super::model::EventStatus::Cancelled
    }
    fn has_active(&self) -> bool {
        self.mine.as_ref().is_some_and(|r| r.state.active())
    }
    fn can_register(&self) -> bool {
        self.open && !self.has_active()
    }
}

pub async fn show_event(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let e = service::get(&mut tx, &v, id).await?;
    let audience = service::audience_of(&mut tx, id).await?;
    let mine = service::my_registration(&mut tx, &v, id).await?;
    let qr = match &mine {
        Some(r) if r.state.active() => Some(crate::web::qr::svg(&r.code, 200)?),
        _ => None,
    };
    let staff = v.p.can(Perm::Events) && v.p.can(Perm::People);
    let made = if staff {
        service::made_by_me(&mut tx, &v, id).await?
    } else {
        Vec::new()
    };
    let query = q.q.unwrap_or_default();
    let found = if staff && !query.trim().is_empty() {
        service::find_people(&mut tx, &state.crypto, &v, &query).await?
    } else {
        Vec::new()
    };
    let (recordings, views) = super::videos::service::of_event(&mut tx, &v.ctx, id).await?;
    let open = super::model::window(crate::db::now(), e.opens_at, e.closes_at, e.starts_at).is_ok()
        && e.status == super::model::EventStatus::Open;
    html(&ShowPage {
        page: Page::new(&v.ctx, "/events"),
        manage: service::manages(&v, &e),
        e,
        audience,
        mine,
        qr,
        staff,
        made,
        q: query,
        found,
        open,
        recordings,
        views,
    })
}

pub async fn register(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    service::register_self(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/events/{id}#mine"), Flash::Registered).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ForForm {
    person_id: String,
    #[serde(deserialize_with = "crate::web::checkbox")]
    walk_in: bool,
    /// Where to go back to (the check-in page for a walk-in).
    back: String,
}

pub async fn register_for(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EventId>,
    body: Bytes,
) -> AppResult<Response> {
    let f: ForForm = crate::web::form(&body)?;
    let person: PersonId = crate::web::form::id("person_id", &f.person_id)
        .map_err(|e| crate::error::AppError::Validation(vec![e]))?;
    let mut tx = state.db.write().await?;
    service::register_for(&mut tx, &v, id, person, f.walk_in).await?;
    tx.commit().await?;
    let back = if f.back == "checkin" {
        format!("/events/{id}/checkin")
    } else {
        format!("/events/{id}#made")
    };
    let flash = if f.walk_in {
        Flash::CheckedIn
    } else {
        Flash::Registered
    };
    Ok(flash::redirect(&back, flash).into_response())
}

pub async fn cancel_registration(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RegistrationId>,
    body: Bytes,
) -> AppResult<Response> {
    let f: ForForm = crate::web::form(&body)?;
    let mut tx = state.db.write().await?;
    let event = service::event_of(&mut tx, id).await?;
    service::cancel_registration(&mut tx, &v, id).await?;
    tx.commit().await?;
    let back = if f.back == "people" {
        format!("/events/{event}/people")
    } else {
        format!("/events/{event}")
    };
    Ok(flash::redirect(&back, Flash::Cancelled).into_response())
}
