//! Account pages: the list, one account with its roles, creating accounts, granting and
//! revoking roles, and the owner's API tokens.

use super::model::{AccountId, UnitRole};
use super::repo::{self, AccountRow, GrantRow, TokenRow};
use super::service::{self, NewAccountInput, NewGrant};
use crate::access::Perm;
use crate::error::{AppError, AppResult};
use crate::ids::{GrantId, TokenId};
use crate::state::AppState;
use crate::units::{Unit, service as units};
use crate::web::PageParams;
use crate::web::auth::Viewer;
use crate::web::flash::{self, Flash};
use crate::web::form::Fields;
use crate::web::render::{Page, html};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "accounts/list.html")]
struct ListPage {
    page: Page,
    accounts: Vec<AccountRow>,
    q: String,
    page_no: i64,
    has_more: bool,
    can_manage: bool,
    units: Vec<Unit>,
    /// The new-account form as sent, after a refusal (kept so nothing is typed twice).
    draft: NewAccountForm,
    /// Why the form was refused, each naming its field.
    errors: Vec<String>,
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<i64>,
}

pub async fn list_accounts(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let page = list_page(&mut tx, &v, &q, NewAccountForm::default(), Vec::new()).await?;
    drop(tx);
    html(&page)
}

/// The list with the new-account form (`draft` and its `errors` after a refusal).
async fn list_page(
    tx: &mut crate::db::Tx,
    v: &Viewer,
    q: &ListQuery,
    draft: NewAccountForm,
    errors: Vec<String>,
) -> AppResult<ListPage> {
    let scope = v.scope(Perm::ViewAccounts)?;
    let search = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut accounts = repo::list(
        tx,
        &scope,
        search,
        PageParams::SIZE + 1,
        PageParams { page: q.page }.offset(),
    )
    .await?;
    let has_more = accounts.len() as i64 > PageParams::SIZE;
    accounts.truncate(PageParams::SIZE as usize);
    let units = match v.scope(Perm::ManageAccounts) {
        Ok(s) => units::list(tx, &s, false, 2000).await?,
        Err(_) => Vec::new(),
    };
    Ok(ListPage {
        page: Page::new(&v.ctx, "/accounts"),
        accounts,
        q: search.unwrap_or_default().to_string(),
        page_no: PageParams { page: q.page }.page(),
        has_more,
        can_manage: !units.is_empty(),
        units,
        draft,
        errors,
    })
}

#[derive(Template)]
#[template(path = "accounts/created.html")]
struct CreatedPage {
    page: Page,
    account: AccountRow,
    password: String,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewAccountForm {
    username: String,
    display_name: String,
    phone: Option<String>,
    unit_id: String,
}

impl ListPage {
    /// Whether `unit` is the unit chosen in the kept form.
    fn is_draft_unit(&self, unit: &crate::ids::UnitId) -> bool {
        self.draft.unit_id == unit.to_string()
    }
}

/// Creates an account; a refused form comes back filled in, with the reasons above it.
pub async fn create_account(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<NewAccountForm>,
) -> AppResult<Response> {
    match create(&state, &v, f.clone()).await {
        Ok(page) => html(&page),
        Err(AppError::Validation(fs)) => {
            let l = v.ctx.locale;
            let errors = fs
                .iter()
                .map(|e| format!("{}：{}", l.t(&format!("field.{}", e.field)), l.t(e.key)))
                .collect();
            let mut tx = state.db.read().await?;
            let q = ListQuery {
                q: None,
                page: None,
            };
            let page = list_page(&mut tx, &v, &q, f, errors).await?;
            drop(tx);
            let mut r = html(&page)?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

async fn create(state: &AppState, v: &Viewer, f: NewAccountForm) -> AppResult<CreatedPage> {
    let mut fields = Fields::new();
    let unit_id = fields.id("unit_id", &f.unit_id);
    let Some(unit_id) = unit_id else {
        return Err(fields.failed());
    };
    let input = NewAccountInput {
        username: f.username,
        display_name: f.display_name,
        phone: f.phone,
        unit_id,
    };
    let new = service::prepare(&state.crypto, v, &input)?;
    let mut tx = state.db.write().await?;
    let created = service::create(&mut tx, v, new).await?;
    tx.commit().await?;
    Ok(CreatedPage {
        page: Page::new(&v.ctx, "/accounts"),
        account: created.account,
        password: created.one_time_password,
    })
}

#[derive(Template)]
#[template(path = "accounts/show.html")]
struct ShowPage {
    page: Page,
    account: AccountRow,
    grants: Vec<GrantRow>,
    can_manage: bool,
    /// False for the system admin on an account with a unit role (its unit admins reset it).
    can_reset: bool,
    can_grant: bool,
    grant_units: Vec<Unit>,
    roles: Vec<UnitRole>,
}

pub async fn show_account(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<AccountId>,
) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let account = service::get(&mut tx, &v, id).await?;
    let grants = service::grants_of(&mut tx, &v, id).await?;
    let (can_manage, can_reset) = match v.scope(Perm::ManageAccounts) {
        Ok(s) => {
            let manage = repo::get_in_scope(&mut tx, &s, id).await?.is_some()
                && account.platform_role.is_none();
            (manage, manage && service::may_reset(&mut tx, &s, id).await?)
        }
        Err(_) => (false, false),
    };
    let grant_units = match v.scope(Perm::GrantRoles) {
        Ok(s) if account.platform_role.is_none() && id != v.p.id => {
            units::list(&mut tx, &s, false, 2000).await?
        }
        _ => Vec::new(),
    };
    html(&ShowPage {
        page: Page::new(&v.ctx, "/accounts"),
        account,
        grants,
        can_manage: can_manage && id != v.p.id,
        can_reset: can_reset && id != v.p.id,
        can_grant: !grant_units.is_empty(),
        grant_units,
        roles: UnitRole::ALL.to_vec(),
    })
}

#[derive(serde::Deserialize)]
pub struct GrantForm {
    unit_id: String,
    role: String,
}

pub async fn grant_role(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<AccountId>,
    Form(f): Form<GrantForm>,
) -> AppResult<Response> {
    let mut fields = Fields::new();
    let Some(unit_id) = fields.id("unit_id", &f.unit_id) else {
        return Err(fields.failed());
    };
    let g = NewGrant {
        account_id: id,
        unit_id,
        role: f.role,
    }
    .parse()?;
    let mut tx = state.db.write().await?;
    service::grant(&mut tx, &v, g).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/accounts/{id}"), Flash::Granted).into_response())
}

pub async fn revoke_grant(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<GrantId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let g = service::revoke(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/accounts/{}", g.account_id), Flash::Revoked).into_response())
}

pub async fn reset_password(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<AccountId>,
) -> AppResult<Response> {
    let new = service::NewPassword::generate()?;
    let mut tx = state.db.write().await?;
    let password = service::reset_password(&mut tx, &v, id, new).await?;
    let account = service::get(&mut tx, &v, id).await?;
    tx.commit().await?;
    html(&CreatedPage {
        page: Page::new(&v.ctx, "/accounts"),
        account,
        password,
    })
}

pub async fn disable_account(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<AccountId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    service::set_active(&mut tx, &v, id, false).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/accounts/{id}"), Flash::Saved).into_response())
}

pub async fn enable_account(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<AccountId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    service::set_active(&mut tx, &v, id, true).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/accounts/{id}"), Flash::Saved).into_response())
}

pub async fn unlock_account(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<AccountId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    service::unlock(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(flash::redirect(&format!("/accounts/{id}"), Flash::Saved).into_response())
}

#[derive(Template)]
#[template(path = "accounts/tokens.html")]
struct TokensPage {
    page: Page,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
}

pub async fn list_tokens(State(state): State<AppState>, v: Viewer) -> AppResult<Response> {
    let mut tx = state.db.read().await?;
    let tokens = service::tokens(&mut tx, &v).await?;
    html(&TokensPage {
        page: Page::new(&v.ctx, "/tokens"),
        tokens,
        new_token: None,
    })
}

#[derive(serde::Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<TokenForm>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    let created = service::create_token(&mut tx, &v, &f.name).await?;
    let tokens = service::tokens(&mut tx, &v).await?;
    tx.commit().await?;
    html(&TokensPage {
        page: Page::new(&v.ctx, "/tokens"),
        tokens,
        new_token: Some(created.token),
    })
}

pub async fn revoke_token(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<TokenId>,
) -> AppResult<Response> {
    let mut tx = state.db.write().await?;
    service::revoke_token(&mut tx, &v, id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/tokens").into_response())
}
