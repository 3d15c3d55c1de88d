//! The review workflow: submitting, approving in one or two steps, rejecting, withdrawing,
//! scheduled publishing, the reviewer's queue, review steps per unit and sensitive words.

use super::model::{Decision, Steps};
use super::repo;
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::ids::{AccountId, ArticleId, ColumnId, UnitId};
use crate::news::Article;
use crate::news::articles::repo::Text;
use crate::news::articles::service::{load, require_unit_in, unit_in};
use crate::news::model::{self as m, Action, Facts, State};
use crate::web::auth::Viewer;
use serde_json::json;

/// The review steps (1 or 2) a unit in the caller's scope has set for its articles.
pub async fn review_steps(tx: &mut Tx, v: &Viewer, unit: UnitId) -> AppResult<u8> {
    let s = v.scope(Perm::WriteNews)?;
    require_unit_in(tx, &s, unit).await?;
    Ok(repo::review_steps(tx, unit).await?)
}

pub async fn set_review_steps(tx: &mut Tx, v: &Viewer, unit: UnitId, steps: u8) -> AppResult<()> {
    let s = v.scope(Perm::ManageUnits)?;
    require_unit_in(tx, &s, unit).await?;
    // Parsed after the scope check, so that a refusal is audited whatever was sent.
    let steps = Steps::parse(steps)?.get();
    let before = repo::review_steps(tx, unit).await?;
    repo::set_review_steps(tx, unit, steps).await?;
    let event = Event::ok("news.review_steps", format!("unit:{unit}"))
        .unit(unit.0)
        .detail(json!({ "before": before, "after": steps }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

/// The state `action` would take the article `a` to, if the caller may take it now: the
/// workflow's rules (`news::model::transition`) and who reviews where.
async fn target(
    tx: &mut Tx,
    v: &Viewer,
    a: &Article,
    action: Action,
    comment: Option<&str>,
) -> AppResult<State> {
    let from = a.state;
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
        actor: v.p.id,
        author: a.author_id,
        first_reviewer: a.first_reviewer,
        publish_at: a.publish_at,
        now: now(),
        comment,
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
            a.author_id == v.p.id
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
    Ok(to)
}

/// Whether the caller may take `action` on the article now: the page offers only these.
pub async fn may(tx: &mut Tx, v: &Viewer, a: &Article, action: Action) -> AppResult<bool> {
    // A reason is asked for on the form itself; here only whether the step is open.
    match target(tx, v, a, action, Some("-")).await {
        Ok(_) => Ok(true),
        Err(AppError::Forbidden | AppError::Validation(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Carries out a workflow action; returns the new state.
pub async fn decide(tx: &mut Tx, v: &Viewer, id: ArticleId, d: &Decision) -> AppResult<State> {
    let a = load(tx, v, id).await?;
    let (action, comment) = (d.action, &d.comment);
    let from = a.state;
    let to = target(tx, v, &a, action, comment.as_deref()).await?;
    let first = (to == State::FirstApproved).then_some(v.p.id);
    let reason = (to == State::Withdrawn)
        .then_some(comment.as_deref())
        .flatten();
    if !repo::set_state(tx, id, from, to, first, None, reason).await? {
        return Err(AppError::field("action", "news.changed_meanwhile"));
    }
    repo::insert_event(
        tx,
        id,
        action,
        from,
        to,
        Some(v.p.id),
        comment.as_deref(),
        a.version,
    )
    .await?;
    let audit_action = action.audit_action();
    // For notifications: no unit, since no figure changes with a decision alone.
    let decided = crate::outbox::DomainEvent::new(
        crate::outbox::Kind::ArticleDecided,
        format!("article:{id}"),
    )
    .actor(Some(v.p.id.0))
    .payload(json!({
        "action": action.as_str(), "state_after": to.as_str(), "title": a.title,
        "author_id": a.author_id, "article_unit": a.unit_id, "comment": comment,
        "article_id": id,
    }));
    crate::outbox::emit(tx, decided).await?;
    if to == State::Published {
        let published = crate::outbox::DomainEvent::new(
            crate::outbox::Kind::ArticlePublished,
            format!("article:{id}"),
        )
        .unit(a.unit_id.0)
        .actor(Some(v.p.id.0));
        crate::outbox::emit(tx, published).await?;
    } else if from == State::Published {
        // A withdrawal takes an article out of the published figures.
        crate::outbox::records_changed(tx, a.unit_id.0, Some(v.p.id.0), format!("article:{id}"))
            .await?;
    }
    let event = Event::ok(audit_action, format!("article:{id}"))
        .unit(a.unit_id.0)
        .detail(json!({ "before": from.as_str(), "after": to.as_str(), "comment": comment, "version": a.version }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(to)
}

/// Whether the caller reviews news over `unit`.
async fn reviews(tx: &mut Tx, v: &Viewer, unit: UnitId) -> AppResult<bool> {
    match v.scope(Perm::ReviewNews) {
        Ok(s) => unit_in(tx, &s, unit).await,
        Err(_) => Ok(false),
    }
}

async fn column_unit(tx: &mut crate::db::Tx, column: ColumnId) -> AppResult<UnitId> {
    Ok(crate::news::columns::repo::column(tx, column)
        .await?
        .ok_or(AppError::NotFound)?
        .unit_id)
}

/// Publishes approved articles whose time has come (every minute, on any node: the
/// conditional update makes each happen once).
pub async fn publish_due(tx: &mut Tx) -> Result<usize, sqlx::Error> {
    let ids = repo::publish_due(tx, now()).await?;
    for id in &ids {
        let (version, unit) = match crate::news::articles::repo::get(tx, *id).await? {
            Some(a) => (a.version, a.unit_id),
            None => continue,
        };
        repo::insert_event(
            tx,
            *id,
            Action::PublishDue,
            State::Approved,
            State::Published,
            None,
            None,
            version,
        )
        .await?;
        let published = crate::outbox::DomainEvent::new(
            crate::outbox::Kind::ArticlePublished,
            format!("article:{id}"),
        )
        .unit(unit.0);
        crate::outbox::emit(tx, published).await?;
        let event = Event::ok("article.publish", format!("article:{id}")).unit(unit.0);
        audit::record(
            tx,
            &crate::audit::model::Actor::system("publish_due"),
            event,
        )
        .await?;
    }
    Ok(ids.len())
}

/// What waits for the caller's review, oldest first.
pub async fn queue(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<Article>> {
    let s = v.scope(Perm::ReviewNews)?;
    Ok(repo::review_queue(tx, &s, 200).await?)
}

/// The sensitive words found in an article, for a reviewer or its author (others are
/// refused: the list itself is kept by a few).
pub async fn hits_for(tx: &mut Tx, v: &Viewer, a: &Article) -> AppResult<Vec<String>> {
    if !(v.p.can(Perm::ReviewNews) || a.author_id == v.p.id) {
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

/// Adds a word (parsed with [`super::model::parse_word`]) to the list.
pub async fn add_sensitive_word(tx: &mut Tx, v: &Viewer, word: &str) -> AppResult<()> {
    keeps_word_list(v)?;
    if repo::add_sensitive_word(tx, word, v.p.id).await? {
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

/// A text sent to review on its author's behalf (a campaign's chosen work, a contribution
/// taken into a column).
pub struct Submission<'a> {
    pub column: ColumnId,
    pub unit: UnitId,
    pub author: AccountId,
    pub title: &'a str,
    /// Markdown or plain text.
    pub body: &'a str,
    pub tags: &'a str,
    /// Where it came from: shown as summary and source, and the trail's comment.
    pub origin: &'a str,
    /// Who sends it.
    pub by: AccountId,
}

/// Writes `s` as an article and submits it for review in the caller's transaction (the
/// caller audits); returns the article.
pub async fn submit_on_behalf(tx: &mut Tx, s: &Submission<'_>) -> Result<ArticleId, sqlx::Error> {
    let body_html = m::render_body(s.body);
    let text = Text {
        title: s.title,
        summary: Some(s.origin),
        body_md: s.body,
        body_html: &body_html,
        tags: s.tags,
        source: Some(s.origin),
        byline: None,
        correspondent_id: None,
    };
    let article =
        crate::news::articles::repo::insert_article(tx, s.column, s.unit, s.author, &text).await?;
    repo::set_state(
        tx,
        article,
        State::Draft,
        State::Submitted,
        None,
        None,
        None,
    )
    .await?;
    repo::insert_event(
        tx,
        article,
        Action::Submit,
        State::Draft,
        State::Submitted,
        Some(s.by),
        Some(s.origin),
        1,
    )
    .await?;
    crate::news::search::repo::index(tx, article, s.title, Some(s.origin), &body_html, s.tags)
        .await?;
    Ok(article)
}
