//! The talent pool (人才库): people in scope by skill, specialty and willingness to serve,
//! filtered by category, unit and age band; results link to the person file.

use super::model::Category;
use super::repo::PersonRow;
use super::service::{self, TalentInput, TalentQuery};
use crate::error::AppResult;
use crate::state::AppState;
use crate::units::Unit;
use crate::web::PageParams;
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;

#[derive(Template)]
#[template(path = "people/talent.html")]
struct TalentPage {
    page: Page,
    people: Vec<PersonRow>,
    t: TalentInput,
    categories: &'static [Category],
    /// The units the filter offers: those where the viewer keeps files.
    units: Vec<Unit>,
    searched: bool,
}

pub async fn talent_page(
    State(state): State<AppState>,
    v: Viewer,
    Query(t): Query<TalentInput>,
) -> AppResult<Response> {
    let paging = PageParams { page: t.page };
    let searched = t.skill.is_some()
        || t.willing.is_some()
        || t.category.is_some()
        || t.unit.is_some()
        || t.age_min.is_some()
        || t.age_max.is_some();
    let query = TalentQuery::parse(&t)?;
    let mut tx = state.db.read().await?;
    let people = service::talent(&mut tx, &v, &query, PageParams::SIZE, paging.offset()).await?;
    let units = super::pages::keeper_units(&mut tx, &v).await?;
    drop(tx);
    html(&TalentPage {
        page: Page::new(&v.ctx, "/people"),
        people,
        t,
        categories: Category::ALL,
        units,
        searched,
    })
}

/// Searches the talent pool, 50 a page.
#[utoipa::path(get, path = "/api/v1/talent", tag = "people", params(TalentInput),
    responses((status = 200, body = Vec<PersonRow>), (status = 422)))]
pub async fn api_talent(
    State(state): State<AppState>,
    v: Viewer,
    Query(t): Query<TalentInput>,
) -> AppResult<Json<Vec<PersonRow>>> {
    let paging = PageParams { page: t.page };
    let query = TalentQuery::parse(&t)?;
    let mut tx = state.db.read().await?;
    Ok(Json(
        service::talent(&mut tx, &v, &query, PageParams::SIZE, paging.offset()).await?,
    ))
}
