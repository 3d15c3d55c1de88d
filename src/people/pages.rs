//! Person pages: the searchable list and the form to create and edit a file. The file page
//! itself shows care too, so care composes it (`care::file::pages`).

use super::model::{Category, Gender, Living, PersonId, Status};
use super::repo::PersonRow;
use super::service::{self, NewPerson, PersonInput, PersonQuery, SearchInput};
use crate::access::{Perm, Scope};
use crate::db::Tx;
use crate::error::AppResult;
use crate::ids::UnitId;
use crate::state::AppState;
use crate::units::{Unit, service as units};
use crate::web::auth::Viewer;
use crate::web::render::{Page, html};
use crate::web::{PageParams, form_with_lists};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    page: Page,
    people: Vec<PersonRow>,
    q: SearchInput,
    page_no: i64,
    has_more: bool,
    categories: &'static [Category],
}

pub async fn list_people(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<SearchInput>,
) -> AppResult<Response> {
    let paging = PageParams { page: q.page };
    let query = PersonQuery::parse(&q)?;
    let mut tx = state.db.read().await?;
    let mut people = service::search(
        &mut tx,
        &state.crypto,
        &v,
        &query,
        PageParams::SIZE + 1,
        paging.offset(),
    )
    .await?;
    drop(tx);
    let has_more = people.len() as i64 > PageParams::SIZE;
    people.truncate(PageParams::SIZE as usize);
    html(&ListPage {
        page: Page::new(&v.ctx, "/people"),
        people,
        page_no: paging.page(),
        has_more,
        q,
        categories: Category::ALL,
    })
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    page: Page,
    /// `None` for a new file.
    id: Option<PersonId>,
    p: PersonInput,
    masks: Vec<(&'static str, Option<String>)>,
    units: Vec<Unit>,
    categories: &'static [Category],
    genders: &'static [Gender],
    livings: &'static [Living],
    statuses: &'static [Status],
    /// Online branches a mobile party member may belong to.
    branches: Vec<(UnitId, String)>,
}

impl FormPage {
    fn has_category(&self, c: &Category) -> bool {
        self.p.categories.iter().any(|x| x == c.as_str())
    }
    /// Whether `id` (a unit or an online branch) is the file's unit (`branch` false) or branch.
    fn chosen(&self, id: impl std::fmt::Display, branch: bool) -> bool {
        let current = if branch {
            &self.p.online_branch_id
        } else {
            &self.p.unit_id
        };
        current.as_deref() == Some(id.to_string().as_str())
    }
    fn mask_of(&self, field: &str) -> String {
        self.masks
            .iter()
            .find(|(f, _)| *f == field)
            .and_then(|(_, m)| m.clone())
            .unwrap_or_default()
    }
}

/// The units where the viewer keeps person files (for unit pickers and filters).
pub(super) async fn keeper_units(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<Unit>> {
    v.scope(Perm::People)?;
    let scope = Scope::of(v.p.id.0, crate::access::PEOPLE_KEEPERS);
    Ok(units::list(tx, &scope, false, 2000).await?)
}

/// The person form's choices: units where the viewer keeps files, and online branches.
async fn form_choices(tx: &mut Tx, v: &Viewer) -> AppResult<(Vec<Unit>, Vec<(UnitId, String)>)> {
    let units = keeper_units(tx, v).await?;
    Ok((units, super::repo::online_branches(tx).await?))
}

fn form_page(
    v: &Viewer,
    id: Option<PersonId>,
    p: PersonInput,
    masks: Vec<(&'static str, Option<String>)>,
    (units, branches): (Vec<Unit>, Vec<(UnitId, String)>),
) -> FormPage {
    FormPage {
        page: Page::new(&v.ctx, "/people"),
        id,
        p,
        masks,
        units,
        categories: Category::ALL,
        genders: Gender::ALL,
        livings: Living::ALL,
        statuses: Status::ALL,
        branches,
    }
}

pub async fn new_person(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let units = form_choices(&mut tx, &v).await?;
    drop(tx);
    html(&form_page(
        &v,
        None,
        PersonInput::default(),
        Vec::new(),
        units,
    ))
}

pub async fn create_person(
    State(state): State<AppState>,
    v: Viewer,
    body: Bytes,
) -> AppResult<Response> {
    let person = NewPerson::parse(&form_with_lists(&body)?)?;
    let mut tx = state.db.write().await?;
    let id = service::create(&mut tx, &state.crypto, &v, &person).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{}", id.0)).into_response())
}

pub async fn edit_person(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let (row, categories) = service::load(&mut tx, &v, id).await?;
    let units = form_choices(&mut tx, &v).await?;
    drop(tx);
    let masks = vec![
        ("id_number", row.id_number_mask.clone()),
        ("mobile", row.mobile_mask.clone()),
    ];
    let p = PersonInput::of_row(row, categories);
    html(&form_page(&v, Some(id), p, masks, units))
}

pub async fn update_person(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
    body: Bytes,
) -> AppResult<Response> {
    let person = NewPerson::parse(&form_with_lists(&body)?)?;
    let mut tx = state.db.write().await?;
    service::update(&mut tx, &state.crypto, &v, id, &person).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}
