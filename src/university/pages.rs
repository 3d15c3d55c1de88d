//! Seniors' university pages: the terms (and a new one), a term's catalogue (enrol; add a
//! course), a section (one's enrolment and code; staff enrol people; the organisers' roster,
//! sessions and materials), one's timetable, and cancelling.

use super::model::{
    CourseForm, CourseId, EnrolmentId, NewCourse, NewSection, NewTerm, SectionForm, SectionId,
    TermForm, TermId, yuan,
};
use super::repo::{EnrolmentRow, SectionRow, SessionRow, TermRow, TimetableRow};
use super::{enrol, service};
use crate::access::{PEOPLE_KEEPERS, Perm, Scope};
use crate::error::{AppError, AppResult};
use crate::ids::{FileId, PersonId};
use crate::state::AppState;
use crate::units::{Unit, service as units};
use crate::web::auth::Viewer;
use crate::web::flash::{self, Flash};
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, Request, State as AxState};
use axum::response::{IntoResponse, Response};

/// A weekday's name in the page's language (1 = Monday).
pub fn weekday(page: &Page, d: i64) -> String {
    page.t(&format!("weekday.d{d}"))
}

#[derive(Template)]
#[template(path = "university/terms.html")]
struct TermsPage {
    page: Page,
    terms: Vec<TermRow>,
    timetable: Vec<TimetableRow>,
    organiser: bool,
    units: Vec<Unit>,
}

impl TermsPage {
    fn day(&self, d: &i64) -> String {
        weekday(&self.page, *d)
    }
}

pub async fn terms(AxState(state): AxState<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let terms = service::terms(&mut tx, &v).await?;
    let timetable = enrol::timetable(&mut tx, &v).await?;
    let organiser = v.p.can(Perm::Events);
    let units = if organiser {
        units::list(&mut tx, &Scope::of(v.p.id.0, PEOPLE_KEEPERS), false, 2000).await?
    } else {
        Vec::new()
    };
    html(&TermsPage {
        page: Page::new(&v.ctx, "/university"),
        terms,
        timetable,
        organiser,
        units,
    })
}

pub async fn create_term(
    AxState(state): AxState<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let raw: TermForm = crate::web::form(&body)?;
    let t = NewTerm::parse(&raw)?;
    let mut tx = state.db.write().await?;
    let id = service::create_term(&mut tx, &v, &t).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/university/terms/{id}"), Flash::Created).into_response())
}

#[derive(Template)]
#[template(path = "university/term.html")]
struct TermPage {
    page: Page,
    t: TermRow,
    sections: Vec<SectionRow>,
    mine: Vec<TimetableRow>,
    manage: bool,
}

impl TermPage {
    fn day(&self, d: &i64) -> String {
        weekday(&self.page, *d)
    }
    fn fee(&self, s: &SectionRow) -> String {
        if s.fee_fen == 0 {
            self.page.t("university.free")
        } else {
            format!("¥{}", yuan(s.fee_fen))
        }
    }
    fn left(&self, s: &SectionRow) -> String {
        match s.capacity {
            Some(c) => (c - s.enrolled).max(0).to_string(),
            None => "—".into(),
        }
    }
    fn state_of(&self, s: &SectionRow) -> Option<String> {
        self.mine
            .iter()
            .find(|m| m.section_id == s.id)
            .map(|m| m.state.label_key())
    }
    fn time(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::i18n::local_time(t)
    }
}

pub async fn term(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<TermId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let t = service::term(&mut tx, &v, id).await?;
    let sections = service::catalogue(&mut tx, id).await?;
    let mine = enrol::timetable(&mut tx, &v).await?;
    html(&TermPage {
        page: Page::new(&v.ctx, "/university"),
        manage: service::manages(&v, &t),
        t,
        sections,
        mine,
    })
}

pub async fn add_course(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<TermId>,
    body: Bytes,
) -> AppResult<Response> {
    let raw: CourseForm = crate::web::form(&body)?;
    let c = NewCourse::parse(&raw)?;
    let mut tx = state.db.write().await?;
    let section = service::add_course(&mut tx, &v, id, &c).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/university/sections/{section}"), Flash::Created).into_response())
}

pub async fn add_section(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<CourseId>,
    body: Bytes,
) -> AppResult<Response> {
    let raw: SectionForm = crate::web::form(&body)?;
    let s = NewSection::parse(&raw)?;
    let mut tx = state.db.write().await?;
    let section = service::add_section(&mut tx, &v, id, &s).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/university/sections/{section}"), Flash::Created).into_response())
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SectionQuery {
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "university/section.html")]
struct SectionPage {
    page: Page,
    t: TermRow,
    s: SectionRow,
    mine: Option<EnrolmentRow>,
    qr: Option<String>,
    manage: bool,
    staff: bool,
    roster: Vec<EnrolmentRow>,
    sessions: Vec<SessionRow>,
    materials: Vec<(FileId, String, String)>,
    q: String,
    found: Vec<crate::people::PersonRow>,
}

impl SectionPage {
    fn day(&self) -> String {
        weekday(&self.page, self.s.weekday)
    }
    fn fee(&self) -> String {
        if self.s.fee_fen == 0 {
            self.page.t("university.free")
        } else {
            format!("¥{}", yuan(self.s.fee_fen))
        }
    }
    fn time(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::i18n::local_time(t)
    }
    fn enrolled(&self) -> bool {
        self.mine.as_ref().is_some_and(|m| m.state.active())
    }
}

pub async fn section(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<SectionId>,
    Query(q): Query<SectionQuery>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (t, s) = service::section(&mut tx, &v, id).await?;
    let mine = enrol::my_enrolment(&mut tx, &v, id).await?;
    let qr = match &mine {
        Some(m) if m.state == super::model::EnrolmentState::Enrolled => {
            Some(crate::web::qr::svg(&m.code, 200)?)
        }
        _ => None,
    };
    let manage = service::manages(&v, &t);
    let roster = if manage {
        enrol::roster(&mut tx, &v, &t, &s).await?
    } else {
        Vec::new()
    };
    let sessions = if manage {
        service::sessions(&mut tx, id).await?
    } else {
        Vec::new()
    };
    let materials = if manage
        || mine
            .as_ref()
            .is_some_and(|m| m.state == super::model::EnrolmentState::Enrolled)
    {
        service::materials(&mut tx, id).await?
    } else {
        Vec::new()
    };
    let staff = v.p.can(Perm::Events) && v.p.can(Perm::People);
    let query = q.q.unwrap_or_default();
    let found = if staff && !query.trim().is_empty() {
        crate::events::service::find_people(&mut tx, &state.crypto, &v, &query).await?
    } else {
        Vec::new()
    };
    html(&SectionPage {
        page: Page::new(&v.ctx, "/university"),
        t,
        s,
        mine,
        qr,
        manage,
        staff,
        roster,
        sessions,
        materials,
        q: query,
        found,
    })
}

pub async fn enrol_self(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<SectionId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    enrol::enrol_self(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/university/sections/{id}#mine"),
        Flash::Registered,
    )
    .into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ForForm {
    person_id: String,
}

pub async fn enrol_for(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<SectionId>,
    body: Bytes,
) -> AppResult<Response> {
    let f: ForForm = crate::web::form(&body)?;
    let person: PersonId = crate::web::form::id("person_id", &f.person_id)
        .map_err(|e| AppError::Validation(vec![e]))?;
    let mut tx = state.db.write().await?;
    enrol::enrol_for(&mut tx, &v, id, person).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/university/sections/{id}"), Flash::Registered).into_response())
}

pub async fn cancel(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<EnrolmentId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let section = enrol::cancel(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(
        flash::redirect(&format!("/university/sections/{section}"), Flash::Cancelled)
            .into_response(),
    )
}

#[derive(Template)]
#[template(path = "university/timetable.html")]
struct TimetablePage {
    page: Page,
    rows: Vec<TimetableRow>,
}

impl TimetablePage {
    fn day(&self, d: &i64) -> String {
        weekday(&self.page, *d)
    }
    fn new_day(&self, i: &usize) -> bool {
        *i == 0 || self.rows[*i - 1].weekday != self.rows[*i].weekday
    }
}

pub async fn timetable(AxState(state): AxState<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let rows = enrol::timetable(&mut tx, &v).await?;
    html(&TimetablePage {
        page: Page::new(&v.ctx, "/university"),
        rows,
    })
}

/// Adds a file to a section's materials: streamed to disk before the write transaction.
pub async fn add_material(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<SectionId>,
    mp: Multipart,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (t, _) = service::section(&mut tx, &v, id).await?;
    if !service::manages(&v, &t) {
        return Err(AppError::Forbidden);
    }
    drop(tx);
    let f = crate::files::service::receive(&state.config.effective_upload_dir(), mp).await?;
    let mut tx = state.db.write().await?;
    service::add_material(&mut tx, &v, id, f).await?;
    tx.commit().await?;
    Ok(flash::redirect(
        &format!("/university/sections/{id}#materials"),
        Flash::Saved,
    )
    .into_response())
}

pub async fn material(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<FileId>,
    req: Request,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let f = enrol::material(&mut tx, &v, id).await?;
    drop(tx);
    let name = f.original_name.clone();
    crate::files::service::respond(&state.config.effective_upload_dir(), &f, &name, req).await
}
