//! Campaign use cases: call, submissions with consent, blind judging, ranking, choosing works
//! for publication (through the usual review) and the works library. All changes audited.

use super::repo::{self, BlindWork, Campaign, NewCampaign, NewWork, RankedWork};
use crate::access::Perm;
use crate::audit::{self as audit, model::Event};
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::model::parse_text;
use crate::units::model::UnitId;
use crate::web::auth::Viewer;
use chrono::{NaiveDate, Utc};
use serde_json::json;

/// Kinds of work a member may contribute.
pub const KINDS: [&str; 6] = [
    "poem",
    "essay",
    "calligraphy",
    "painting",
    "recitation",
    "video",
];

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CampaignInput {
    /// The organising unit (主办单位), in the caller's scope.
    pub unit_id: i64,
    /// The units the campaign is open to, each at or below the organising unit (members
    /// at or below any of them may submit); none means the organising unit itself.
    pub open_unit_ids: Vec<i64>,
    /// Where chosen works are published.
    pub column_id: i64,
    pub title: String,
    pub theme: String,
    pub rules: Option<String>,
    /// `YYYY-MM-DD`
    pub opens_on: String,
    /// `YYYY-MM-DD`, the last day submissions are taken.
    pub closes_on: String,
    /// User names of the judges, separated by commas or spaces.
    pub judges: String,
}

/// A change to an open campaign's call.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CampaignEdit {
    pub title: String,
    pub theme: String,
    pub rules: Option<String>,
    /// `YYYY-MM-DD`
    pub opens_on: String,
    /// `YYYY-MM-DD`, the last day submissions are taken.
    pub closes_on: String,
    /// As in [`CampaignInput`]: none means the organising unit itself.
    pub open_unit_ids: Vec<i64>,
}

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WorkInput {
    /// poem, essay, calligraphy, painting, recitation or video.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The author agrees that the work may be published (required).
    #[serde(deserialize_with = "crate::web::checkbox")]
    pub consent: bool,
}

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ScoreInput {
    /// 0 to 100.
    pub score: i32,
    pub comment: Option<String>,
}

/// Units one campaign may be open to (each with its subtree).
const MAX_OPEN_UNITS: usize = 50;

fn required(
    field: &'static str,
    v: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match parse_text(field, Some(v), max) {
        Ok(Some(t)) => Some(t),
        Ok(None) => {
            errors.push(FieldError::new(field, "validation.required"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&crate::news::service::china())
        .date_naive()
}

fn date(field: &'static str, v: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map_err(|_| errors.push(FieldError::new(field, "validation.date")))
        .ok()
}

/// The campaign, if the caller may manage it (news managers over its unit).
async fn managed(tx: &mut Tx, v: &Viewer, id: i64) -> AppResult<Campaign> {
    let s = v.scope(Perm::ManageNews)?;
    let c = repo::get(tx, id).await?.ok_or(AppError::NotFound)?;
    if crate::units::service::get_in_scope(tx, &s, UnitId(c.unit_id))
        .await?
        .is_none()
    {
        return Err(AppError::OutOfScope);
    }
    Ok(c)
}

/// A call's text, dates and open units, as checked for writing.
struct Call {
    title: String,
    theme: String,
    rules: Option<String>,
    opens: NaiveDate,
    closes: NaiveDate,
    open: Vec<i64>,
}

/// Checks what a call says (title, theme, rules, dates) and the units it is open to, each at
/// or below the organising unit `organiser` (in the caller's scope); none means the organiser
/// itself. Problems go to `errors`; the call comes back only when there are none so far.
async fn check_call(
    tx: &mut crate::db::Tx,
    s: &crate::access::Scope,
    organiser: i64,
    input: &CampaignEdit,
    errors: &mut Vec<FieldError>,
) -> AppResult<Option<Call>> {
    let title = required("title", &input.title, 60, errors);
    let theme = required("theme", &input.theme, 200, errors);
    let rules = parse_text("rules", input.rules.as_deref(), 2000)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let opens = date("opens_on", &input.opens_on, errors);
    let closes = date("closes_on", &input.closes_on, errors);
    if let (Some(o), Some(c)) = (opens, closes)
        && c < o
    {
        errors.push(FieldError::new("closes_on", "validation.date_order"));
    }
    let org = crate::units::service::get_in_scope(tx, s, UnitId(organiser)).await?;
    if org.is_none() {
        errors.push(FieldError::new("unit_id", "validation.unit_scope"));
    }
    let mut open = input.open_unit_ids.clone();
    if open.is_empty() {
        open.push(organiser);
    }
    open.sort_unstable();
    open.dedup();
    if open.len() > MAX_OPEN_UNITS {
        errors.push(FieldError::new(
            "open_unit_ids",
            "validation.open_units_too_many",
        ));
    } else if let Some(org) = &org {
        for id in &open {
            let u = crate::units::service::get_in_scope(tx, s, UnitId(*id)).await?;
            if !u.is_some_and(|u| u.active && u.path.starts_with(&org.path)) {
                errors.push(FieldError::new("open_unit_ids", "validation.open_unit"));
                break;
            }
        }
    }
    Ok(match (title, theme, opens, closes, errors.is_empty()) {
        (Some(title), Some(theme), Some(opens), Some(closes), true) => Some(Call {
            title,
            theme,
            rules,
            opens,
            closes,
            open,
        }),
        _ => None,
    })
}

pub async fn create(tx: &mut Tx, v: &Viewer, input: &CampaignInput) -> AppResult<i64> {
    let s = v.scope(Perm::ManageNews)?;
    let mut errors = Vec::new();
    let edit = CampaignEdit {
        title: input.title.clone(),
        theme: input.theme.clone(),
        rules: input.rules.clone(),
        opens_on: input.opens_on.clone(),
        closes_on: input.closes_on.clone(),
        open_unit_ids: input.open_unit_ids.clone(),
    };
    let call = check_call(tx, &s, input.unit_id, &edit, &mut errors).await?;
    let columns = crate::news::service::columns_in(tx, &s).await?;
    if !columns.iter().any(|c| c.id == input.column_id && c.active) {
        errors.push(FieldError::new("column_id", "validation.column_scope"));
    }
    let mut judges = Vec::new();
    for name in input
        .judges
        .split([',', '，', ' ', '、'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match crate::accounts::service::find_by_login(tx, name, &[]).await? {
            Some(a) if a.active => judges.push(a.id),
            _ => errors.push(FieldError::new("judges", "validation.judge_unknown")),
        }
    }
    if judges.is_empty() && !errors.iter().any(|e| e.field == "judges") {
        errors.push(FieldError::new("judges", "validation.required"));
    }
    let (Some(call), true) = (call, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let id = repo::insert(
        tx,
        &NewCampaign {
            unit: input.unit_id,
            open_units: &call.open,
            column: input.column_id,
            title: &call.title,
            theme: &call.theme,
            rules: call.rules.as_deref(),
            opens_on: &call.opens.to_string(),
            closes_on: &call.closes.to_string(),
            by: v.p.id.0,
        },
    )
    .await?;
    for j in &judges {
        repo::add_judge(tx, id, j.0).await?;
    }
    let event = Event::ok("campaign.create", format!("campaign:{id}"))
        .unit(input.unit_id)
        .detail(json!({ "after": { "title": call.title, "opens_on": call.opens, "closes_on": call.closes,
            "judges": judges, "open_unit_ids": call.open } }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// Changes an open campaign's call (its organisers): title, theme, rules, dates and the
/// units it is open to. The organising unit, the column and the judges stay as called.
pub async fn update(tx: &mut Tx, v: &Viewer, campaign: i64, input: &CampaignEdit) -> AppResult<()> {
    managed(tx, v, campaign).await?;
    let s = v.scope(Perm::ManageNews)?;
    let mut errors = Vec::new();
    // Read again under the write lock: the audit's "before" is what this change replaces.
    let c = repo::get(tx, campaign).await?.ok_or(AppError::NotFound)?;
    let call = check_call(tx, &s, c.unit_id, input, &mut errors).await?;
    let Some(call) = call else {
        return Err(AppError::Validation(errors));
    };
    let changed = repo::update_call(
        tx,
        &repo::CallUpdate {
            id: campaign,
            open_units: &call.open,
            title: &call.title,
            theme: &call.theme,
            rules: call.rules.as_deref(),
            opens_on: &call.opens.to_string(),
            closes_on: &call.closes.to_string(),
        },
    )
    .await?;
    if !changed {
        // Closed by someone else meanwhile: the call no longer changes.
        return Err(AppError::field("state", "campaign.not_open"));
    }
    let before_units: Vec<i64> = c.open_units.iter().map(|u| u.id).collect();
    let event = Event::ok("campaign.update", format!("campaign:{campaign}"))
        .unit(c.unit_id)
        .detail(json!({
            "before": { "title": c.title, "theme": c.theme, "rules": c.rules, "opens_on": c.opens_on,
                        "closes_on": c.closes_on, "open_unit_ids": before_units },
            "after": { "title": call.title, "theme": call.theme, "rules": call.rules, "opens_on": call.opens,
                       "closes_on": call.closes, "open_unit_ids": call.open } }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(())
}

pub async fn list(tx: &mut Tx, v: &Viewer) -> AppResult<Vec<Campaign>> {
    Ok(repo::for_account(tx, v.p.id.0).await?)
}

/// A campaign the caller may see, with what they may do there: (campaign, member unit,
/// judge, manager).
pub async fn show(
    tx: &mut Tx,
    v: &Viewer,
    id: i64,
) -> AppResult<(Campaign, Option<i64>, bool, bool)> {
    let c = repo::get(tx, id).await?.ok_or(AppError::NotFound)?;
    let member = repo::member_unit(tx, v.p.id.0, id).await?;
    let judge = repo::is_judge(tx, id, v.p.id.0).await?;
    let manager = managed(tx, v, id).await.is_ok();
    if member.is_none() && !judge && !manager {
        return Err(AppError::OutOfScope);
    }
    Ok((c, member, judge, manager))
}

pub async fn submit(tx: &mut Tx, v: &Viewer, campaign: i64, input: &WorkInput) -> AppResult<i64> {
    let (c, member, _, _) = show(tx, v, campaign).await?;
    let Some(unit) = member else {
        return Err(AppError::Forbidden);
    };
    let day = today().to_string();
    let closed = c.state != "open" || day < c.opens_on || day > c.closes_on;
    let (title, body) = check_work(input, closed)?;
    let id = repo::insert_work(
        tx,
        &NewWork {
            campaign: Some(campaign),
            kind: &input.kind,
            title: &title,
            body: &body,
            author: v.p.id.0,
            unit,
            state: "received",
        },
    )
    .await?;
    let event = Event::ok("work.submit", format!("work:{id}"))
        .unit(unit)
        .detail(json!({ "campaign_id": campaign }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(id)
}

/// Checks a work as submitted (kind, title, text, consent); `closed` adds the refusal of a
/// campaign that takes no submissions now. Returns the title and text.
pub(super) fn check_work(input: &WorkInput, closed: bool) -> AppResult<(String, String)> {
    let mut errors = Vec::new();
    if !KINDS.contains(&input.kind.as_str()) {
        errors.push(FieldError::new("kind", "validation.choice"));
    }
    let title = required("title", &input.title, 60, &mut errors);
    let body = required("body", &input.body, 20_000, &mut errors);
    if !input.consent {
        errors.push(FieldError::new("consent", "validation.consent"));
    }
    if closed {
        errors.push(FieldError::new("campaign", "campaign.closed"));
    }
    match (title, body, errors.is_empty()) {
        (Some(title), Some(body), true) => Ok((title, body)),
        _ => Err(AppError::Validation(errors)),
    }
}

/// The works a judge scores, without their authors.
pub async fn judging(tx: &mut Tx, v: &Viewer, campaign: i64) -> AppResult<Vec<BlindWork>> {
    if !repo::is_judge(tx, campaign, v.p.id.0).await? {
        return Err(AppError::Forbidden);
    }
    Ok(repo::blind_works(tx, campaign, v.p.id.0).await?)
}

pub async fn score(tx: &mut Tx, v: &Viewer, work: i64, input: &ScoreInput) -> AppResult<i64> {
    let (campaign, author) = repo::work_owner(tx, work)
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = campaign.ok_or(AppError::NotFound)?;
    if !repo::is_judge(tx, campaign, v.p.id.0).await? || author == v.p.id.0 {
        return Err(AppError::Forbidden);
    }
    let c = repo::get(tx, campaign).await?.ok_or(AppError::NotFound)?;
    if c.state == "finished" {
        return Err(AppError::field("score", "campaign.finished"));
    }
    if !(0..=100).contains(&input.score) {
        return Err(AppError::field("score", "validation.score"));
    }
    let comment = parse_text("comment", input.comment.as_deref(), 500)
        .map_err(|e| AppError::Validation(vec![e]))?;
    repo::score(tx, work, v.p.id.0, input.score, comment.as_deref()).await?;
    let event = Event::ok("work.score", format!("work:{work}"))
        .unit(c.unit_id)
        .detail(json!({ "score": input.score }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(campaign)
}

/// Closes submissions; from now on the organiser sees the ranking with authors.
pub async fn close(tx: &mut Tx, v: &Viewer, campaign: i64) -> AppResult<()> {
    let c = managed(tx, v, campaign).await?;
    if !repo::set_state(tx, campaign, "open", "judging").await? {
        return Err(AppError::field("state", "campaign.not_open"));
    }
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("campaign.close", format!("campaign:{campaign}")).unit(c.unit_id),
    )
    .await?;
    Ok(())
}

/// Ends judging: scores are final, and the organiser sees the ranking with authors.
pub async fn finish(tx: &mut Tx, v: &Viewer, campaign: i64) -> AppResult<()> {
    let c = managed(tx, v, campaign).await?;
    if !repo::set_state(tx, campaign, "judging", "finished").await? {
        return Err(AppError::field("state", "campaign.not_judging"));
    }
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("campaign.finish", format!("campaign:{campaign}")).unit(c.unit_id),
    )
    .await?;
    Ok(())
}

/// Works by average score with their authors: only once judging is over, so no one scores
/// knowing who wrote what.
pub async fn ranking(tx: &mut Tx, v: &Viewer, campaign: i64) -> AppResult<Vec<RankedWork>> {
    let c = managed(tx, v, campaign).await?;
    if c.state != "finished" {
        return Err(AppError::field("state", "campaign.still_judging"));
    }
    Ok(repo::ranking(tx, campaign).await?)
}

/// Shortlists a work, or chooses it: a chosen work becomes an article submitted for review
/// in the campaign's column (the usual review decides its publication) and enters the
/// library.
pub async fn decide(tx: &mut Tx, v: &Viewer, work: i64, choose: bool) -> AppResult<i64> {
    let w = repo::work(tx, work).await?.ok_or(AppError::NotFound)?;
    let campaign = w.campaign_id.ok_or(AppError::NotFound)?;
    let c = managed(tx, v, campaign).await?;
    if c.state != "finished" {
        return Err(AppError::field("state", "campaign.still_judging"));
    }
    if !choose {
        if !repo::set_work_state(tx, work, &["received", "received"], "shortlisted", None).await? {
            return Err(AppError::field("state", "news.changed_meanwhile"));
        }
        audit::record(
            tx,
            &v.ctx.actor(),
            Event::ok("work.shortlist", format!("work:{work}")).unit(c.unit_id),
        )
        .await?;
        return Ok(campaign);
    }
    let article = to_review(tx, &w, c.column_id, &c.title, v.p.id.0).await?;
    if !repo::set_work_state(
        tx,
        work,
        &["received", "shortlisted"],
        "chosen",
        Some(article),
    )
    .await?
    {
        return Err(AppError::field("state", "news.changed_meanwhile"));
    }
    let event = Event::ok("work.choose", format!("work:{work}"))
        .unit(c.unit_id)
        .detail(json!({ "article_id": article }));
    audit::record(tx, &v.ctx.actor(), event).await?;
    Ok(campaign)
}

/// Sends a work to the review workflow as an article of `column` by its author, submitted
/// on the author's behalf by `by`; returns the article.
pub(super) async fn to_review(
    tx: &mut crate::db::Tx,
    w: &repo::Work,
    column: i64,
    origin: &str,
    by: i64,
) -> Result<i64, sqlx::Error> {
    let article = crate::news::service::submit_on_behalf(
        tx,
        &crate::news::service::Submission {
            column,
            unit: w.unit_id,
            author: w.author_id,
            title: &w.title,
            body: &w.body,
            tags: &w.kind,
            origin,
            by,
        },
    )
    .await?;
    crate::files::service::move_to_article(tx, w.id, article).await?;
    Ok(article)
}

/// Whether the caller may see a work's files before it is chosen: its author, the judges and
/// organisers of its campaign, or (outside campaigns) editors over the author's unit.
pub async fn may_see_work(
    tx: &mut Tx,
    ctx: &crate::web::session::Ctx,
    work: i64,
) -> AppResult<bool> {
    let Some(p) = ctx.full_principal() else {
        return Ok(false);
    };
    let Some(w) = repo::work(tx, work).await? else {
        return Ok(false);
    };
    if w.author_id == p.id.0 {
        return Ok(true);
    }
    let unit = match w.campaign_id {
        Some(c) => {
            if repo::is_judge(tx, c, p.id.0).await? {
                return Ok(true);
            }
            repo::get(tx, c).await?.map(|c| c.unit_id)
        }
        None => Some(w.unit_id),
    };
    let (Some(unit), Ok(s)) = (unit, p.scope(Perm::ManageNews)) else {
        return Ok(false);
    };
    Ok(crate::units::service::get_in_scope(tx, &s, UnitId(unit))
        .await?
        .is_some())
}

/// The author adds a file (a recording, a photo of the calligraphy) to their work while it
/// can still change: received, and its campaign (if any) still open.
pub async fn may_add_file(tx: &mut Tx, v: &Viewer, work: i64) -> AppResult<repo::Work> {
    let w = repo::work(tx, work).await?.ok_or(AppError::NotFound)?;
    if w.author_id != v.p.id.0 {
        // Someone else's work: a refusal, shown as not found and audited.
        return Err(AppError::OutOfScope);
    }
    if w.state != "received" || !campaign_open(tx, &w).await? {
        return Err(AppError::field("file", "campaign.closed"));
    }
    Ok(w)
}

/// Whether the work's campaign (if any) still takes submissions.
async fn campaign_open(tx: &mut Tx, w: &repo::Work) -> AppResult<bool> {
    Ok(match w.campaign_id {
        Some(c) => repo::get(tx, c).await?.is_some_and(|c| c.state == "open"),
        None => true,
    })
}

/// Records a received file for `work` (checked first with [`may_add_file`]) in the caller's
/// write transaction, with its audit entry.
pub async fn add_file(
    tx: &mut Tx,
    v: &Viewer,
    work: i64,
    f: crate::files::Received,
) -> AppResult<i64> {
    // The upload took time: the work may have been chosen or the campaign closed meanwhile.
    let w = may_add_file(tx, v, work).await?;
    let (id, detail) = crate::files::service::record(tx, f, None, Some(work), v.p.id.0).await?;
    audit::record(
        tx,
        &v.ctx.actor(),
        Event::ok("attachment.create", format!("work:{work}"))
            .unit(w.unit_id)
            .detail(detail),
    )
    .await?;
    Ok(id)
}
