//! Writing articles: checking what a writer typed, creating and changing drafts (every
//! version kept), the desk of articles in scope.

use super::model::ArticleDraft;
use super::repo;
use crate::access::{Perm, Scope};
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::{AccountId, ArticleId, ColumnId, UnitId};
use crate::news::Article;
use crate::news::Column;
use crate::news::model::State;
use crate::web::auth::Viewer;
use crate::web::form::Fields;
use repo::Text;
use serde_json::json;

pub use super::model::china;

/// Whether a unit lies in a scope.
pub(in crate::news) async fn unit_in(tx: &mut Tx, s: &Scope, unit: UnitId) -> AppResult<bool> {
    Ok(crate::units::service::get_in_scope(tx, s, unit)
        .await?
        .is_some())
}

/// The unit is in scope; else an audited refusal when it exists, not found when it does not.
pub(in crate::news) async fn require_unit_in(
    tx: &mut Tx,
    s: &Scope,
    unit: UnitId,
) -> AppResult<()> {
    if unit_in(tx, s, unit).await? {
        return Ok(());
    }
    if crate::units::service::exists(tx, unit).await? {
        Err(AppError::OutOfScope)
    } else {
        Err(AppError::NotFound)
    }
}

impl ArticleDraft {
    /// The text as the repo writes it.
    fn text(&self) -> Text<'_> {
        Text {
            title: &self.title,
            summary: self.summary.as_deref(),
            body_md: &self.body_md,
            body_html: &self.body_html,
            tags: &self.tags,
            source: self.source.as_deref(),
            byline: self.byline.as_deref(),
            correspondent_id: self.correspondent_id,
        }
    }
}

/// A credited correspondent must hold that role in the writer's units.
async fn check_correspondent(tx: &mut Tx, s: &Scope, who: Option<AccountId>) -> AppResult<()> {
    let Some(who) = who else { return Ok(()) };
    let mut f = Fields::new();
    if !crate::news::stats::repo::is_correspondent_in(tx, s, who).await? {
        f.add(FieldError::new(
            "correspondent_id",
            "validation.correspondent",
        ));
    }
    f.check()
}

/// Correspondents the writer may credit: those of the units in their news scope.
pub async fn correspondents(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<(AccountId, String)>> {
    let s = v.scope(Perm::ReadDrafts)?;
    let mut out: Vec<(AccountId, String)> = Vec::new();
    for g in v.p.grants.iter().filter(|g| s.roles.contains_name(&g.role)) {
        for c in crate::news::stats::repo::correspondents_under(tx, &g.unit_path).await? {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    Ok(out)
}

/// The column an article may go into: one the writer may see, active.
async fn writable_column(tx: &mut Tx, s: &Scope, column: ColumnId) -> AppResult<Column> {
    crate::news::columns::repo::columns_for_writer(tx, s)
        .await?
        .into_iter()
        .find(|c| c.id == column && c.active)
        .ok_or(AppError::field("column_id", "validation.column_scope"))
}

/// Writes a new draft (version 1) from a parsed article; the column, the source unit and the
/// correspondent are checked against the caller's scope here.
pub async fn create_article(tx: &mut Tx, v: &Viewer, d: &ArticleDraft) -> AppResult<ArticleId> {
    let s = v.scope(Perm::WriteNews)?;
    let column = writable_column(tx, &s, d.column_id).await?;
    check_correspondent(tx, &s, d.correspondent_id).await?;
    let unit = match d.unit_id {
        Some(u) => u,
        None => {
            v.p.grants
                .iter()
                .find(|g| matches!(g.role.as_str(), "unit_admin" | "editor" | "correspondent"))
                .map(|g| g.unit_id)
                .unwrap_or(column.unit_id)
        }
    };
    if !unit_in(tx, &s, unit).await? {
        let mut f = Fields::new();
        f.add(FieldError::new("unit_id", "validation.unit_scope"));
        f.check()?;
    }
    let id = repo::insert_article(tx, column.id, unit, v.p.id, &d.text()).await?;
    repo::set_publish_at(tx, id, d.publish_at).await?;
    crate::news::search::repo::index(
        tx,
        id,
        &d.title,
        d.summary.as_deref(),
        &d.body_html,
        &d.tags,
    )
    .await?;
    let event = Event::ok("article.create", format!("article:{id}"))
        .unit(unit.0)
        .detail(json!({ "after": { "title": d.title, "column_id": column.id, "version": 1 } }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// An article the caller may see as staff (in scope, or their own).
pub async fn load(tx: &mut Tx, v: &Viewer, id: ArticleId) -> AppResult<Article> {
    let s = v.scope(Perm::ReadDrafts)?;
    match repo::get_for_staff(tx, &s, id).await? {
        Some(a) => Ok(a),
        None if repo::get(tx, id).await?.is_some() => Err(AppError::OutOfScope),
        None => Err(AppError::NotFound),
    }
}

/// Saves a new version of a draft or rejected article (its author, or a writer over its
/// unit).
pub async fn update_article(
    tx: &mut Tx,
    v: &Viewer,
    id: ArticleId,
    d: &ArticleDraft,
) -> AppResult<()> {
    let s = v.scope(Perm::WriteNews)?;
    let before = load(tx, v, id).await?;
    if before.author_id != v.p.id && !unit_in(tx, &s, before.unit_id).await? {
        return Err(AppError::Forbidden);
    }
    let column = writable_column(tx, &s, d.column_id).await?;
    check_correspondent(tx, &s, d.correspondent_id).await?;
    if !repo::update_text(tx, id, column.id, v.p.id, &d.text()).await? {
        return Err(AppError::field("state", "news.not_editable"));
    }
    repo::set_publish_at(tx, id, d.publish_at).await?;
    crate::news::search::repo::index(
        tx,
        id,
        &d.title,
        d.summary.as_deref(),
        &d.body_html,
        &d.tags,
    )
    .await?;
    let event = Event::ok("article.update", format!("article:{id}"))
        .unit(before.unit_id.0)
        .detail(
            json!({ "before": { "title": before.title, "version": before.version },
                        "after": { "title": d.title, "version": before.version + 1 } }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// Articles the caller may see as staff, optionally in one state.
pub async fn desk(
    tx: &mut Tx,
    v: &Viewer,
    filter: Option<State>,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<Article>> {
    let s = v.scope(Perm::ReadDrafts)?;
    Ok(repo::list_for_staff(tx, &s, filter, limit, offset).await?)
}

/// The desk's state filter as typed: empty for every state, else one of [`State::ALL`].
pub fn state_filter(raw: Option<&str>) -> AppResult<Option<State>> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty());
    let mut f = Fields::new();
    let state = match raw {
        None => Some(None),
        Some(s) => f.choice("state", Some(s), State::parse).map(Some),
    };
    f.done(state)
}
