//! Writing articles: checking what a writer typed, creating and changing drafts (every
//! version kept), the desk of articles in scope.

use super::repo;
use crate::access::{Perm, Scope};
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::news::Article;
use crate::news::Column;
use crate::news::model::{self as m, State};
use crate::people::model::parse_text;
use crate::units::model::UnitId;
use crate::web::auth::Viewer;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use repo::Text;
use serde_json::json;

/// An article as written. `publish_at` is local time (China, UTC+8) `YYYY-MM-DDTHH:MM`;
/// empty means "as soon as it is approved".
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ArticleInput {
    pub column_id: i64,
    /// The source unit the news comes from; the writer's own unit when 0.
    pub unit_id: i64,
    pub title: String,
    pub summary: Option<String>,
    /// Markdown or plain text; sanitised on display.
    pub body: String,
    /// Separated by commas or spaces.
    pub tags: Option<String>,
    pub source: Option<String>,
    /// The correspondent credited (an account id).
    #[serde(deserialize_with = "crate::web::optional_id")]
    pub correspondent_id: Option<i64>,
    pub publish_at: Option<String>,
}

/// The time zone of the bureaus: publishing times are typed and shown in it.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

fn parse_publish_at(s: Option<&str>) -> Result<Option<DateTime<Utc>>, FieldError> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .map_err(|_| FieldError::new("publish_at", "validation.datetime"))?;
    let local = china()
        .from_local_datetime(&naive)
        .single()
        .ok_or(FieldError::new("publish_at", "validation.datetime"))?;
    Ok(Some(local.with_timezone(&Utc)))
}

/// Whether a unit lies in a scope.
pub(in crate::news) async fn unit_in(tx: &mut Tx, s: &Scope, unit: i64) -> AppResult<bool> {
    Ok(crate::units::service::get_in_scope(tx, s, UnitId(unit))
        .await?
        .is_some())
}

/// The unit is in scope; else an audited refusal when it exists, not found when it does not.
pub(in crate::news) async fn require_unit_in(tx: &mut Tx, s: &Scope, unit: i64) -> AppResult<()> {
    if unit_in(tx, s, unit).await? {
        return Ok(());
    }
    if crate::units::service::exists(tx, UnitId(unit)).await? {
        Err(AppError::OutOfScope)
    } else {
        Err(AppError::NotFound)
    }
}

/// Checks and renders what a writer typed.
struct Checked {
    title: String,
    summary: Option<String>,
    body_md: String,
    body_html: String,
    tags: String,
    source: Option<String>,
    publish_at: Option<DateTime<Utc>>,
}

fn check(input: &ArticleInput) -> AppResult<Checked> {
    let mut errors = Vec::new();
    let mut required =
        |field: &'static str, value: &str, max: usize| match parse_text(field, Some(value), max) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                errors.push(FieldError::new(field, "validation.required"));
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
    let title = required("title", &input.title, 80);
    let body = required("body", &input.body, 50_000);
    let summary = parse_text("summary", input.summary.as_deref(), 200)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let source = parse_text("source", input.source.as_deref(), 60)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let tags = m::parse_tags(input.tags.as_deref().unwrap_or(""))
        .map_err(|e| errors.push(e))
        .ok()
        .unwrap_or_default()
        .join(",");
    let publish_at = parse_publish_at(input.publish_at.as_deref())
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let (Some(title), Some(body), true) = (title, body, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    Ok(Checked {
        body_html: m::render_body(&body),
        title,
        summary,
        body_md: body,
        tags,
        source,
        publish_at,
    })
}

/// A credited correspondent must hold that role in the writer's units.
async fn check_correspondent(tx: &mut Tx, s: &Scope, who: Option<i64>) -> AppResult<()> {
    let Some(who) = who else { return Ok(()) };
    if crate::news::stats::repo::is_correspondent_in(tx, s, who).await? {
        Ok(())
    } else {
        Err(AppError::field(
            "correspondent_id",
            "validation.correspondent",
        ))
    }
}

/// Correspondents the writer may credit: those of the units in their news scope.
pub async fn correspondents(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<(i64, String)>> {
    let s = v.scope(Perm::ReadDrafts)?;
    let mut out: Vec<(i64, String)> = Vec::new();
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
async fn writable_column(tx: &mut Tx, s: &Scope, column: i64) -> AppResult<Column> {
    crate::news::columns::repo::columns_for_writer(tx, s)
        .await?
        .into_iter()
        .find(|c| c.id == column && c.active)
        .ok_or(AppError::field("column_id", "validation.column_scope"))
}

pub async fn create_article(tx: &mut Tx, v: &Viewer, input: &ArticleInput) -> AppResult<i64> {
    let s = v.scope(Perm::WriteNews)?;
    let c = check(input)?;
    let column = writable_column(tx, &s, input.column_id).await?;
    check_correspondent(tx, &s, input.correspondent_id).await?;
    let unit = if input.unit_id == 0 {
        v.p.grants
            .iter()
            .find(|g| matches!(g.role.as_str(), "unit_admin" | "editor" | "correspondent"))
            .map(|g| g.unit_id)
            .unwrap_or(column.unit_id)
    } else {
        input.unit_id
    };
    if !unit_in(tx, &s, unit).await? {
        return Err(AppError::field("unit_id", "validation.unit_scope"));
    }
    let text = Text {
        title: &c.title,
        summary: c.summary.as_deref(),
        body_md: &c.body_md,
        body_html: &c.body_html,
        tags: &c.tags,
        source: c.source.as_deref(),
        correspondent_id: input.correspondent_id,
    };
    let id = repo::insert_article(tx, column.id, unit, v.p.id.0, &text).await?;
    repo::set_publish_at(tx, id, c.publish_at).await?;
    crate::news::search::repo::index(
        tx,
        id,
        &c.title,
        c.summary.as_deref(),
        &c.body_html,
        &c.tags,
    )
    .await?;
    let event = Event::ok("article.create", format!("article:{id}"))
        .unit(unit)
        .detail(json!({ "after": { "title": c.title, "column_id": column.id, "version": 1 } }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// An article the caller may see as staff (in scope, or their own).
pub async fn load(tx: &mut Tx, v: &Viewer, id: i64) -> AppResult<Article> {
    let s = v.scope(Perm::ReadDrafts)?;
    match repo::get_for_staff(tx, &s, id).await? {
        Some(a) => Ok(a),
        None if repo::get(tx, id).await?.is_some() => Err(AppError::OutOfScope),
        None => Err(AppError::NotFound),
    }
}

pub async fn update_article(
    tx: &mut Tx,
    v: &Viewer,
    id: i64,
    input: &ArticleInput,
) -> AppResult<()> {
    let s = v.scope(Perm::WriteNews)?;
    let before = load(tx, v, id).await?;
    if before.author_id != v.p.id.0 && !unit_in(tx, &s, before.unit_id).await? {
        return Err(AppError::Forbidden);
    }
    let c = check(input)?;
    let column = writable_column(tx, &s, input.column_id).await?;
    check_correspondent(tx, &s, input.correspondent_id).await?;
    let text = Text {
        title: &c.title,
        summary: c.summary.as_deref(),
        body_md: &c.body_md,
        body_html: &c.body_html,
        tags: &c.tags,
        source: c.source.as_deref(),
        correspondent_id: input.correspondent_id,
    };
    if !repo::update_text(tx, id, column.id, v.p.id.0, &text).await? {
        return Err(AppError::field("state", "news.not_editable"));
    }
    repo::set_publish_at(tx, id, c.publish_at).await?;
    crate::news::search::repo::index(
        tx,
        id,
        &c.title,
        c.summary.as_deref(),
        &c.body_html,
        &c.tags,
    )
    .await?;
    let event = Event::ok("article.update", format!("article:{id}"))
        .unit(before.unit_id)
        .detail(
            json!({ "before": { "title": before.title, "version": before.version },
                        "after": { "title": c.title, "version": before.version + 1 } }),
        );
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// Articles the caller may see as staff, optionally in one state.
pub async fn desk(
    tx: &mut Tx,
    v: &Viewer,
    filter: Option<&str>,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<Article>> {
    let s = v.scope(Perm::ReadDrafts)?;
    let filter = match filter.filter(|f| !f.is_empty()) {
        Some(f) => Some(
            State::parse(f)
                .ok_or(AppError::field("state", "validation.choice"))?
                .as_str(),
        ),
        None => None,
    };
    Ok(repo::list_for_staff(tx, &s, filter, limit, offset).await?)
}
