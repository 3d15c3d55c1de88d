//! Contact round pages: the rounds with the form to start one, a round's coverage and its
//! people by state (one tap for "safe" or "no answer"), one person's attempts with the full
//! form, adding those filed since, closing, the ledger (XLSX) and its print view.

use super::model::{
    Attempt, AttemptInput, NewRound, RoundChannel, RoundId, RoundInput, RoundNeed, RoundOutcome,
    RoundReason, RoundState,
};
use super::repo::{AttemptRow, Listing, RoundCoverage, RoundMember, RoundRow};
use super::service;
use crate::access::{PEOPLE_KEEPERS, Perm, Scope};
use crate::care::model::Tier;
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

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "rounds/list.html")]
struct RoundsPage {
    page: Page,
    rounds: Vec<RoundRow>,
    units: Vec<Unit>,
    reasons: &'static [RoundReason],
    categories: &'static [Category],
    tiers: &'static [Tier],
    draft: RoundInput,
    reach: Option<i64>,
}

impl RoundsPage {
    fn has_cat(&self, c: &Category) -> bool {
        self.draft.categories.iter().any(|x| x == c.as_str())
    }
    fn has_tier(&self, t: &Tier) -> bool {
        self.draft.tiers.iter().any(|x| x == t.as_str())
    }
    fn is_unit(&self, u: &UnitId) -> bool {
        self.draft.unit_id == Some(u.0)
    }
    fn is_reason(&self, r: &RoundReason) -> bool {
        self.draft.reason == r.as_str()
    }
    fn opt<'a>(&self, s: &'a Option<String>) -> &'a str {
        s.as_deref().unwrap_or("")
    }
}

async fn rounds_page(
    state: &AppState,
    v: &Viewer,
    draft: RoundInput,
    reach: Option<i64>,
) -> AppResult<RoundsPage> {
    let mut tx = state.db.read().await?;
    let rounds = service::list(&mut tx, v).await?;
    let units = units::list(&mut tx, &Scope::of(v.p.id.0, PEOPLE_KEEPERS), false, 2000).await?;
    Ok(RoundsPage {
        page: Page::new(&v.ctx, "/rounds"),
        rounds,
        units,
        reasons: RoundReason::ALL,
        categories: Category::ALL,
        tiers: Tier::ALL,
        draft,
        reach,
    })
}

pub async fn rounds(AxState(state): AxState<AppState>, v: Viewer) -> AppResult<Response> {
    v.scope(Perm::People)?;
    let draft = RoundInput {
        deadline: (crate::i18n::china_today() + chrono::Duration::days(2)).to_string(),
        max_attempts: Some(super::model::DEFAULT_ATTEMPTS.to_string()),
        ..RoundInput::default()
    };
    html(&rounds_page(&state, &v, draft, None).await?)
}

/// "Check": how many the round would take in, the form kept, nothing started.
pub async fn check_round(
    AxState(state): AxState<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let raw: RoundInput = form_with_lists(&body)?;
    let r = NewRound::parse(&raw, crate::i18n::china_today())?;
    let mut tx = state.db.read().await?;
    let reach = service::reach(&mut tx, &v, &r).await?;
    drop(tx);
    html(&rounds_page(&state, &v, raw, Some(reach)).await?)
}

pub async fn start_round(
    AxState(state): AxState<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let raw: RoundInput = form_with_lists(&body)?;
    let r = NewRound::parse(&raw, crate::i18n::china_today())?;
    let mut tx = state.db.write().await?;
    let (id, _) = service::start(&mut tx, &v, &r).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/rounds/{id}"), Flash::Created).into_response())
}

/// The round page's query: where to look from, which state, only mine, the page.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct RoundQuery {
    /// A unit inside the round (its subtree's coverage and people).
    pub unit: Option<String>,
    /// pending (default), safe, needs_help or unreachable.
    pub state: Option<String>,
    /// `1`: only the people paired with the caller.
    pub mine: Option<String>,
    pub page: Option<i64>,
    /// After "add those filed since": how many were added.
    pub added: Option<u64>,
}

/// The query parsed: the unit asked for, the state, mine, the page.
pub struct View {
    pub unit: Option<UnitId>,
    pub state: RoundState,
    pub mine: bool,
    pub page: i64,
}

impl View {
    pub fn parse(q: &RoundQuery) -> AppResult<Self> {
        let mut f = crate::web::form::Fields::new();
        let unit = f.optional_id("unit", q.unit.as_deref());
        let state = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(RoundState::Pending),
            s => f.choice("state", s, RoundState::parse),
        };
        let v = (|| {
            Some(View {
                unit: unit?,
                state: state?,
                mine: q.mine.as_deref() == Some("1"),
                // Bounded, so the offset cannot overflow: 10,000 pages of 50 is a province.
                page: q.page.unwrap_or(1).clamp(1, 10_000),
            })
        })();
        f.done(v)
    }
}

#[derive(Template)]
#[template(path = "rounds/show.html")]
struct RoundPage {
    page: Page,
    r: RoundRow,
    at: UnitId,
    total: RoundCoverage,
    rows: Vec<RoundCoverage>,
    state: RoundState,
    states: &'static [RoundState],
    mine: bool,
    mine_pending: i64,
    members: Vec<RoundMember>,
    page_no: i64,
    has_more: bool,
    manage: bool,
    channels: &'static [RoundChannel],
    added: Option<u64>,
}

impl RoundPage {
    /// The query that keeps the view (unit, state, mine), ending in `&`.
    fn keep(&self) -> String {
        let mut q = format!("state={}&", self.state.as_str());
        if self.at != self.r.unit_id {
            q.push_str(&format!("unit={}&", self.at));
        }
        if self.mine {
            q.push_str("mine=1&");
        }
        q
    }
    fn back(&self) -> String {
        format!("/rounds/{}?{}", self.r.id, self.keep())
    }
    fn count(&self, s: &RoundState) -> i64 {
        count_of(&self.total, *s)
    }
    fn when(&self, m: &RoundMember) -> String {
        m.last_at
            .as_ref()
            .map(crate::i18n::local_time)
            .unwrap_or_default()
    }
    fn needs(&self, m: &RoundMember) -> String {
        needs_words(&self.page, m)
    }
    fn open(&self) -> bool {
        self.r.status == super::model::RoundStatus::Open
    }
}

fn count_of(c: &RoundCoverage, s: RoundState) -> i64 {
    match s {
        RoundState::Pending => c.pending,
        RoundState::Safe => c.safe,
        RoundState::NeedsHelp => c.needs_help,
        RoundState::Unreachable => c.unreachable,
    }
}

fn needs_words(page: &Page, m: &RoundMember) -> String {
    let mut w: Vec<String> = super::model::needs_of(m.needs.as_deref())
        .iter()
        .map(|n| page.t(&n.label_key()))
        .collect();
    if let Some(n) = &m.needs_note {
        w.push(n.clone());
    }
    w.join("、")
}

pub async fn show_round(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RoundId>,
    Query(q): Query<RoundQuery>,
) -> AppResult<Response> {
    let view = View::parse(&q)?;
    let mut tx = state.db.read().await?;
    let r = service::get(&mut tx, &v, id).await?;
    let (at, path) = service::viewpoint(&mut tx, &v, &r, view.unit).await?;
    let (total, rows) = service::coverage(&mut tx, id, at).await?;
    let listing = Listing {
        state: view.state,
        staff: view.mine.then_some(v.p.id),
        under: &path,
    };
    let offset = (view.page - 1) * PAGE_SIZE;
    let mut members = service::members(&mut tx, &v, id, &listing, PAGE_SIZE + 1, offset).await?;
    let has_more = members.len() as i64 > PAGE_SIZE;
    members.truncate(PAGE_SIZE as usize);
    let mine_pending = service::mine_pending(&mut tx, &v, id).await?;
    drop(tx);
    let manage = service::covers(&v, &r);
    html(&RoundPage {
        page: Page::new(&v.ctx, "/rounds"),
        r,
        at,
        total,
        rows,
        state: view.state,
        states: RoundState::ALL,
        mine: view.mine,
        mine_pending,
        members,
        page_no: view.page,
        has_more,
        manage,
        channels: RoundChannel::ALL,
        added: q.added,
    })
}

#[derive(Template)]
#[template(path = "rounds/member.html")]
struct MemberPage {
    page: Page,
    r: RoundRow,
    m: RoundMember,
    attempts: Vec<AttemptRow>,
    channels: &'static [RoundChannel],
    outcomes: &'static [RoundOutcome],
    needs: &'static [RoundNeed],
    back: String,
}

impl MemberPage {
    fn when(&self, a: &AttemptRow) -> String {
        crate::i18n::local_time(&a.at)
    }
    fn attempt_needs(&self, a: &AttemptRow) -> String {
        super::model::needs_of(a.needs.as_deref())
            .iter()
            .map(|n| self.page.t(&n.label_key()))
            .collect::<Vec<_>>()
            .join("、")
    }
    fn found(&self) -> String {
        needs_words(&self.page, &self.m)
    }
    fn open(&self) -> bool {
        self.r.status == super::model::RoundStatus::Open
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct BackQuery {
    pub back: Option<String>,
}

/// Where a form may send the user back to: a page of this round or the person's file;
/// anything else falls back to the person's page in the round.
fn safe_back(back: Option<&str>, round: RoundId, person: PersonId) -> String {
    let here = format!("/rounds/{round}/people/{person}");
    match back {
        Some(b)
            if (b.starts_with(&format!("/rounds/{round}?"))
                || b == format!("/rounds/{round}")
                || b == format!("/people/{person}"))
                && !b.contains("//")
                && !b.contains('\\') =>
        {
            b.to_string()
        }
        _ => here,
    }
}

pub async fn show_member(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path((id, person)): Path<(RoundId, PersonId)>,
    Query(q): Query<BackQuery>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let r = service::get(&mut tx, &v, id).await?;
    let (m, attempts) = service::member(&mut tx, &v, &r, person).await?;
    drop(tx);
    let back = safe_back(q.back.as_deref(), id, person);
    html(&MemberPage {
        page: Page::new(&v.ctx, "/rounds"),
        r,
        m,
        attempts,
        channels: RoundChannel::ALL,
        outcomes: RoundOutcome::ALL,
        needs: RoundNeed::ALL,
        back,
    })
}

pub async fn record_attempt(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path((id, person)): Path<(RoundId, PersonId)>,
    body: Bytes,
) -> AppResult<Response> {
    let raw: AttemptInput = form_with_lists(&body)?;
    let back: BackQuery = form_with_lists(&body)?;
    let a = Attempt::parse(&raw)?;
    let mut tx = state.db.write().await?;
    service::record(&mut tx, &v, id, person, &a).await?;
    tx.commit().await?;
    let to = safe_back(back.back.as_deref(), id, person);
    Ok(flash::redirect(&to, Flash::Recorded).into_response())
}

pub async fn add_new(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RoundId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let n = service::add_new(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(axum::response::Redirect::to(&format!("/rounds/{id}?added={n}")).into_response())
}

pub async fn close_round(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RoundId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    service::close(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/rounds/{id}"), Flash::Saved).into_response())
}

#[derive(Template)]
#[template(path = "rounds/print.html")]
struct PrintPage {
    page: Page,
    r: RoundRow,
    people: Vec<RoundMember>,
}

impl PrintPage {
    fn needs(&self, m: &RoundMember) -> String {
        needs_words(&self.page, m)
    }
    fn when(&self, m: &RoundMember) -> String {
        m.last_at
            .as_ref()
            .map(crate::i18n::local_time)
            .unwrap_or_default()
    }
}

/// The ledger to print: everyone the caller may see, masked.
pub async fn print_round(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RoundId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let r = service::get(&mut tx, &v, id).await?;
    let people = service::ledger(&mut tx, &v, id).await?;
    drop(tx);
    html(&PrintPage {
        page: Page::new(&v.ctx, "/rounds"),
        r,
        people,
    })
}

/// The ledger as XLSX: one row a person, masked as the caller sees them.
pub async fn ledger_xlsx(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<RoundId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let r = service::get(&mut tx, &v, id).await?;
    let people = service::ledger(&mut tx, &v, id).await?;
    drop(tx);
    let l = v.ctx.locale;
    let name = format!("{}-{}.xlsx", r.title, l.t("round.ledger"));
    let body = tokio::task::spawn_blocking(move || super::ledger::workbook(&r, &people, l))
        .await
        .map_err(|e| crate::error::AppError::Internal(e.into()))?
        .map_err(crate::error::AppError::Internal)?;
    Ok(crate::web::render::xlsx(
        body,
        &format!("round-{id}.xlsx"),
        &name,
    ))
}
