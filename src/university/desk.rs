//! The organisers' desk of a class: the check-in page of a session (the camera reads the QR
//! code where the browser can, else the code is typed) and the term's figures as XLSX.

use super::model::{ClassSessionId, TermId};
use super::repo::{EnrolmentRow, FigureRow, SectionRow, SessionRow, TermRow};
use super::{enrol, service};
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::response::{IntoResponse, Response};

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SeenQuery {
    seen: Option<String>,
    again: Option<String>,
}

#[derive(Template)]
#[template(path = "university/checkin.html")]
struct CheckinPage {
    page: Page,
    t: TermRow,
    s: SectionRow,
    sess: SessionRow,
    seen: Option<EnrolmentRow>,
    again: bool,
}

impl CheckinPage {
    fn when(&self) -> String {
        crate::events::model::when(&self.sess.starts_at, &self.sess.ends_at)
    }
}

pub async fn checkin_page(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<ClassSessionId>,
    Query(q): Query<SeenQuery>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (t, s, sess) = enrol::session(&mut tx, &v, id).await?;
    let roster = enrol::roster(&mut tx, &v, &t, &s).await?;
    let seen = q
        .seen
        .as_deref()
        .and_then(|x| x.parse::<i64>().ok())
        .and_then(|e| roster.into_iter().find(|r| r.id.0 == e));
    html(&CheckinPage {
        page: Page::new(&v.ctx, "/university"),
        t,
        s,
        sess,
        seen,
        again: q.again.as_deref() == Some("1"),
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
    Path(id): Path<ClassSessionId>,
    body: Bytes,
) -> AppResult<Response> {
    let f: CodeForm = crate::web::form(&body)?;
    let mut tx = state.db.write().await?;
    let a = enrol::check_in(&mut tx, &v, id, &f.code).await?;
    tx.commit().await?;
    let again = if a.first { "" } else { "&again=1" };
    Ok(axum::response::Redirect::to(&format!(
        "/university/sessions/{id}/checkin?seen={}{again}",
        a.enrolment.id
    ))
    .into_response())
}

fn workbook(t: &TermRow, rows: &[FigureRow], l: Locale) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(l.t("university.figures"))?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, format!("{} · {}", t.unit_name, t.name), &bold)?;
    sheet.write_string(1, 0, format!("{} – {}", t.starts_on, t.ends_on))?;
    let head = [
        "university.subject",
        "university.label",
        "university.teacher",
        "activity.capacity",
        "enrolment_state.enrolled",
        "enrolment_state.waiting",
        "university.sessions",
        "university.held",
        "university.attendances",
        "university.rate",
    ];
    for (c, h) in head.iter().enumerate() {
        let c = u16::try_from(c)?;
        sheet.write_string_with_format(3, c, l.t(h), &bold)?;
        sheet.set_column_width(c, 12)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 4)?;
        sheet.write_string(row, 0, &r.subject)?;
        sheet.write_string(row, 1, &r.label)?;
        sheet.write_string(row, 2, &r.teacher)?;
        match r.capacity {
            Some(c) => sheet.write_number(row, 3, c as f64)?,
            None => sheet.write_string(row, 3, "—")?,
        };
        sheet.write_number(row, 4, r.enrolled as f64)?;
        sheet.write_number(row, 5, r.waiting as f64)?;
        sheet.write_number(row, 6, r.sessions as f64)?;
        sheet.write_number(row, 7, r.held as f64)?;
        sheet.write_number(row, 8, r.attendances as f64)?;
        // Attendance rate: attendances over the places taken at the sessions held.
        let possible = r.held * r.enrolled;
        if possible > 0 {
            sheet.write_number(
                row,
                9,
                (r.attendances as f64 / possible as f64 * 1000.0).round() / 10.0,
            )?;
        } else {
            sheet.write_string(row, 9, "—")?;
        }
    }
    Ok(book.save_to_buffer()?)
}

pub async fn figures_xlsx(
    AxState(state): AxState<AppState>,
    v: Viewer,
    Path(id): Path<TermId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (t, rows) = service::figures(&mut tx, &v, id).await?;
    drop(tx);
    let l = v.ctx.locale;
    let name = format!("{}-{}.xlsx", t.name, l.t("university.figures"));
    let body = tokio::task::spawn_blocking(move || workbook(&t, &rows, l))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)?;
    Ok(crate::web::render::xlsx(
        body,
        &format!("term-{id}.xlsx"),
        &name,
    ))
}
