//! The person file in the JSON API with its care plan (`GET /api/v1/people/{id}`); the
//! rest of the person API is `people::api`.

use crate::access::Perm;
use crate::care::visits::CarePlan;
use crate::care::visits::service as visits;
use crate::error::AppResult;
use crate::people::PersonRow;
use crate::people::model::PersonId;
use crate::people::service as people;
use crate::state::AppState;
use crate::web::auth::Viewer;
use axum::Json;
use axum::extract::{Path, State};

/// A person file with its categories; sensitive fields masked.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PersonFile {
    #[serde(flatten)]
    pub person: PersonRow,
    pub categories: Vec<String>,
    pub care_plan: Option<CarePlan>,
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = PersonFile), (status = 404)))]
pub async fn show_person(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<PersonId>,
) -> AppResult<Json<PersonFile>> {
    let mut tx = state.db.read().await?;
    // One check of the caller's reach for the file and its plan.
    let scope = v.scope(Perm::People)?;
    let who = crate::access::person(&mut tx, &scope, id).await?;
    let (person, categories) = people::load_in(&mut tx, who).await?;
    let care_plan = visits::plan_in(&mut tx, who).await?;
    Ok(Json(PersonFile {
        person,
        categories,
        care_plan,
    }))
}
