//! Publishing use cases shared by pages and API: columns, writing with versions, the review
//! workflow, scheduled publishing, reads. Every change is audited.

use super::model::{self as m, Action, Facts, State};
use super::repo::{self, Article, Column, Text};
use crate::access::{Perm, Scope};
use crate::audit::{model::Event, repo as audit};
use crate::db::Tx;
use crate::db::now;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::model::parse_text;
use crate::units::model::UnitId;
use crate::web::auth::Viewer;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde_json::json;

/// A column as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ColumnInput {
    pub unit_id: i64,
    pub name: String,
    /// column (栏目) or special (专题).
    pub kind: String,
    pub description: Option<String>,
}

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

/// A reviewer's or author's decision on an article.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionInput {
    /// submit, approve, reject or withdraw.
    pub action: String,
    /// Required to reject or withdraw.
    pub comment: Option<String>,
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
async fn unit_in(tx: &mut Tx, s: &Scope, unit: i64) -> AppResult<bool> {
    Ok(crate::units::repo::get_in_scope(tx, s, UnitId(unit))
        .await?
        .is_some())
}

/// The unit is in scope; else an audited refusal when it exists, not found when it does not.
async fn require_unit_in(tx: &mut Tx, s: &Scope, unit: i64) -> AppResult<()> {
    if unit_in(tx, s, unit).await? {
        return Ok(());
    }
    if crate::units::repo::exists(tx, UnitId(unit)).await? {
        Err(AppError::OutOfScope)
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn create_column(tx: &mut Tx, v: &Viewer, input: &ColumnInput) -> AppResult<i64> {
    let s = v.scope(Perm::ManageNews)?;
    let mut errors = Vec::new();
    let name = match parse_text("name", Some(&input.name), 40) {
        Ok(Some(n)) => Some(n),
        Ok(None) => {
            errors.push(FieldError::new("name", "validation.required"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    if !matches!(input.kind.as_str(), "column" | "special") {
        errors.push(FieldError::new("kind", "validation.choice"));
    }
    let description = parse_text("description", input.description.as_deref(), 200)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if !unit_in(tx, &s, input.unit_id).await? {
        errors.push(FieldError::new("unit_id", "validation.unit_scope"));
    }
    let (Some(name), true) = (name, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let id = repo::insert_column(
        tx,
        input.unit_id,
        &name,
        &input.kind,
        description.as_deref(),
    )
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::field("name", "validation.column_exists"),
        other => other,
    })?;
    let event = Event::ok("column.create", format!("column:{id}"))
        .unit(input.unit_id)
        .detail(json!({ "after": { "name": name, "kind": input.kind } }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// Columns the caller may see as staff (their units' and, for writers, those above).
pub async fn columns(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<Column>> {
    let s = v.scope(Perm::ReadDrafts)?;
    Ok(repo::columns_for_writer(tx, &s).await?)
}

/// Active and inactive columns an article may go into for a caller with scope `s` (their
/// units' and those above); callers keep the active ones.
pub async fn columns_in(tx: &mut Tx, s: &Scope) -> AppResult<Vec<Column>> {
    Ok(repo::columns_for_writer(tx, s).await?)
}

/// The review steps (1 or 2) a unit in the caller's scope has set for its articles.
pub async fn review_steps(tx: &mut Tx, v: &Viewer, unit: i64) -> AppResult<u8> {
    let s = v.scope(Perm::WriteNews)?;
    require_unit_in(tx, &s, unit).await?;
    Ok(repo::review_steps(tx, unit).await?)
}

pub async fn set_review_steps(tx: &mut Tx, v: &Viewer, unit: i64, steps: u8) -> AppResult<()> {
    let s = v.scope(Perm::ManageUnits)?;
    require_unit_in(tx, &s, unit).await?;
    if !(1..=2).contains(&steps) {
        return Err(AppError::field("steps", "validation.choice"));
    }
    let before = repo::review_steps(tx, unit).await?;
    repo::set_review_steps(tx, unit, steps).await?;
    let event = Event::ok("news.review_steps", format!("unit:{unit}"))
        .unit(unit)
        .detail(json!({ "before": before, "after": steps }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
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
    if super::stats_repo::is_correspondent_in(tx, s, who).await? {
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
        for c in super::stats_repo::correspondents_under(tx, &g.unit_path).await? {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    Ok(out)
}

/// The column an article may go into: one the writer may see, active.
async fn writable_column(tx: &mut Tx, s: &Scope, column: i64) -> AppResult<Column> {
    repo::columns_for_writer(tx, s)
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
    super::search_repo::index(
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
    super::search_repo::index(
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

/// Carries out a workflow action; returns the new state.
pub async fn decide(tx: &mut Tx, v: &Viewer, id: i64, input: &DecisionInput) -> AppResult<State> {
    let a = load(tx, v, id).await?;
    let action = match input.action.as_str() {
        "submit" => Action::Submit,
        "approve" => Action::Approve,
        "reject" => Action::Reject,
        "withdraw" => Action::Withdraw,
        _ => return Err(AppError::field("action", "validation.choice")),
    };
    let comment = parse_text("comment", input.comment.as_deref(), 500)
        .map_err(|e| AppError::Validation(vec![e]))?;
    let from = State::parse(&a.state).ok_or(AppError::NotFound)?;
    if action != Action::Submit && !v.p.can(Perm::ReviewNews) {
        return Err(AppError::Forbidden);
    }
    let (publisher, steps) = {
        let publisher = column_unit(tx, a.column_id).await?;
        (publisher, repo::review_steps(tx, publisher).await?)
    };
    let facts = Facts {
        state: from,
        steps,
        actor: v.p.id.0,
        author: a.author_id,
        first_reviewer: a.first_reviewer,
        publish_at: a.publish_at,
        now: now(),
        comment: comment.as_deref(),
    };
    let to = m::transition(action, &facts).map_err(|r| match r {
        m::Refusal::ReasonRequired => AppError::field("comment", r.key()),
        _ => AppError::field("action", r.key()),
    })?;
    // Authors (or writers over the source unit) submit. Reviewers over the source unit or
    // over the column's unit take the first step or send an article back; what publishes
    // (or withdraws) needs a reviewer over the column's unit, the publisher.
    let allowed = match (action, to) {
        (Action::Submit, _) => {
            a.author_id == v.p.id.0
                || match v.scope(Perm::WriteNews) {
                    Ok(s) => unit_in(tx, &s, a.unit_id).await?,
                    Err(_) => false,
                }
        }
        (Action::Reject, _) | (Action::Approve, State::FirstApproved) => {
            reviews(tx, v, a.unit_id).await? || reviews(tx, v, publisher).await?
        }
        _ => reviews(tx, v, publisher).await?,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let first = (to == State::FirstApproved).then_some(v.p.id.0);
    let reason = (to == State::Withdrawn)
        .then_some(comment.as_deref())
        .flatten();
    if !repo::set_state(tx, id, from.as_str(), to.as_str(), first, None, reason).await? {
        return Err(AppError::field("action", "news.changed_meanwhile"));
    }
    repo::insert_event(
        tx,
        id,
        action.as_str(),
        from.as_str(),
        to.as_str(),
        Some(v.p.id.0),
        comment.as_deref(),
        a.version,
    )
    .await?;
    let audit_action = match action {
        Action::Submit => "article.submit",
        Action::Approve => "article.approve",
        Action::Reject => "article.reject",
        Action::Withdraw => "article.withdraw",
        Action::PublishDue => "article.publish",
    };
    if to == State::Published {
        let published = crate::outbox::DomainEvent::new(
            crate::outbox::Kind::ArticlePublished,
            format!("article:{id}"),
        )
        .unit(a.unit_id)
        .actor(Some(v.p.id.0));
        crate::outbox::emit(tx, published).await?;
    }
    let event = Event::ok(audit_action, format!("article:{id}"))
        .unit(a.unit_id)
        .detail(json!({ "before": from.as_str(), "after": to.as_str(), "comment": comment, "version": a.version }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(to)
}

/// Whether the caller reviews news over `unit`.
async fn reviews(tx: &mut Tx, v: &Viewer, unit: i64) -> AppResult<bool> {
    match v.scope(Perm::ReviewNews) {
        Ok(s) => unit_in(tx, &s, unit).await,
        Err(_) => Ok(false),
    }
}

async fn column_unit(tx: &mut crate::db::Tx, column: i64) -> AppResult<i64> {
    Ok(repo::column(tx, column)
        .await?
        .ok_or(AppError::NotFound)?
        .unit_id)
}

/// Publishes approved articles whose time has come (every minute, on any node: the
/// conditional update makes each happen once).
pub async fn publish_due(tx: &mut Tx) -> Result<usize, sqlx::Error> {
    let ids = repo::publish_due(tx, now()).await?;
    for id in &ids {
        let (version, unit) = match repo::get(tx, *id).await? {
            Some(a) => (a.version, a.unit_id),
            None => continue,
        };
        repo::insert_event(
            tx,
            *id,
            "publish",
            "approved",
            "published",
            None,
            None,
            version,
        )
        .await?;
        let published = crate::outbox::DomainEvent::new(
            crate::outbox::Kind::ArticlePublished,
            format!("article:{id}"),
        )
        .unit(unit);
        crate::outbox::emit(tx, published).await?;
        let event = Event::ok("article.publish", format!("article:{id}")).unit(unit);
        audit::record(
            tx,
            &crate::audit::model::Actor::system("publish_due"),
            event,
        )
        .await?;
    }
    Ok(ids.len())
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

/// What waits for the caller's review, oldest first.
pub async fn queue(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<Article>> {
    let s = v.scope(Perm::ReviewNews)?;
    Ok(repo::review_queue(tx, &s, 200).await?)
}

/// A published article for any reader; counts one read per visitor per day.
/// `visitor` is the reader's key and another to record without counting (see
/// `readers::reader_keys`).
pub async fn read(
    tx: &mut Tx,
    id: i64,
    visitor: Option<(&str, Option<&str>)>,
) -> AppResult<Article> {
    let mut a = repo::get(tx, id)
        .await?
        .filter(|a| a.state == State::Published.as_str())
        .ok_or(AppError::NotFound)?;
    if let Some((who, alias)) = visitor {
        let day = Utc::now().with_timezone(&china()).date_naive().to_string();
        if repo::record_read(tx, id, &day, who, alias).await? {
            a.read_count += 1;
        }
    }
    Ok(a)
}

/// The sensitive words found in an article, for a reviewer or its author (others are
/// refused: the list itself is kept by a few).
pub async fn hits_for(tx: &mut Tx, v: &Viewer, a: &Article) -> AppResult<Vec<String>> {
    if !(v.p.can(Perm::ReviewNews) || a.author_id == v.p.id.0) {
        return Err(AppError::Forbidden);
    }
    sensitive_hits(tx, a).await
}

/// The sensitive words found in an article, for its reviewer.
pub async fn sensitive_hits(tx: &mut Tx, a: &Article) -> AppResult<Vec<String>> {
    let list = repo::sensitive_words(tx).await?;
    let text = format!(
        "{}\n{}\n{}",
        a.title,
        a.summary.as_deref().unwrap_or(""),
        a.body_md
    );
    Ok(m::sensitive_hits(&text, &list))
}

/// The sensitive-word list is one for the whole system, so only news managers of a city or
/// county bureau (the top two levels of the tree) change it.
fn keeps_word_list(v: &Viewer) -> AppResult<()> {
    v.scope(Perm::ManageNews)?;
    let top = v.p.grants.iter().any(|g| {
        matches!(g.role.as_str(), "unit_admin" | "editor") && g.unit_path.matches('/').count() <= 3
    });
    if top {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The sensitive-word list, for those who keep it.
pub async fn sensitive_words(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<String>> {
    keeps_word_list(v)?;
    Ok(repo::sensitive_words(tx).await?)
}

pub async fn add_sensitive_word(tx: &mut Tx, v: &Viewer, word: &str) -> AppResult<()> {
    keeps_word_list(v)?;
    let word = match parse_text("word", Some(word), 20) {
        Ok(Some(w)) => w,
        Ok(None) => return Err(AppError::field("word", "validation.required")),
        Err(e) => return Err(AppError::Validation(vec![e])),
    };
    if repo::add_sensitive_word(tx, &word, v.p.id.0).await? {
        let event =
            Event::ok("news.sensitive_word_add", "sensitive_words").detail(json!({ "word": word }));
        audit::record(tx, &v.ctx.actor(), event).await?;
    }
    Ok(())
}

pub async fn remove_sensitive_word(tx: &mut Tx, v: &Viewer, word: &str) -> AppResult<()> {
    keeps_word_list(v)?;
    if repo::remove_sensitive_word(tx, word).await? {
        let event = Event::ok("news.sensitive_word_remove", "sensitive_words")
            .detail(json!({ "word": word }));
        audit::record(tx, &v.ctx.actor(), event).await?;
    }
    Ok(())
}

/// Re-indexes one batch (at most `limit`) of the articles indexed by an older tokenizer
/// (after a search upgrade); returns how many it took, 0 when none is left. The caller
/// (start-up) runs batches until none is left, each batch its own transaction.
pub async fn reindex_stale_batch(tx: &mut Tx, limit: i64) -> Result<usize, sqlx::Error> {
    let ids = crate::search::index::stale(tx, "article", limit).await?;
    for id in &ids {
        if let Some(a) = repo::get(tx, *id).await? {
            super::search_repo::index(
                tx,
                a.id,
                &a.title,
                a.summary.as_deref(),
                &a.body_html,
                &a.tags,
            )
            .await?;
        } else {
            crate::search::index::remove(tx, "article", *id).await?;
        }
    }
    Ok(ids.len())
}

/// A text sent to review on its author's behalf (a campaign's chosen work, a contribution
/// taken into a column).
pub struct Submission<'a> {
    pub column: i64,
    pub unit: i64,
    pub author: i64,
    pub title: &'a str,
    /// Markdown or plain text.
    pub body: &'a str,
    pub tags: &'a str,
    /// Where it came from: shown as summary and source, and the trail's comment.
    pub origin: &'a str,
    /// Who sends it.
    pub by: i64,
}

/// Writes `s` as an article and submits it for review in the caller's transaction (the
/// caller audits); returns the article.
pub async fn submit_on_behalf(tx: &mut Tx, s: &Submission<'_>) -> Result<i64, sqlx::Error> {
    let body_html = m::render_body(s.body);
    let text = Text {
        title: s.title,
        summary: Some(s.origin),
        body_md: s.body,
        body_html: &body_html,
        tags: s.tags,
        source: Some(s.origin),
        correspondent_id: None,
    };
    let article = repo::insert_article(tx, s.column, s.unit, s.author, &text).await?;
    repo::set_state(tx, article, "draft", "submitted", None, None, None).await?;
    repo::insert_event(
        tx,
        article,
        "submit",
        "draft",
        "submitted",
        Some(s.by),
        Some(s.origin),
        1,
    )
    .await?;
    super::search_repo::index(tx, article, s.title, Some(s.origin), &body_html, s.tags).await?;
    Ok(article)
}

/// Whether the caller may see an article's files: anyone once published, else staff who
/// see the article.
pub async fn may_see_files(
    tx: &mut Tx,
    ctx: &crate::web::session::Ctx,
    article: i64,
) -> AppResult<bool> {
    let Some(a) = repo::get(tx, article).await? else {
        return Ok(false);
    };
    if a.state == "published" {
        return Ok(true);
    }
    let Some(p) = ctx.full_principal() else {
        return Ok(false);
    };
    let Ok(s) = p.scope(Perm::ReadDrafts) else {
        return Ok(false);
    };
    Ok(repo::get_for_staff(tx, &s, article).await?.is_some())
}
