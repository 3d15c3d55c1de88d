//! SQL for campaigns, works, judges and scores. What judges read never names the author.

use super::states::{CampaignState, WorkState};
use crate::db::{Tx, now};
use crate::ids::{AccountId, ArticleId, CampaignId, ColumnId, UnitId, WorkId};
use crate::on_tx;
use chrono::{DateTime, Utc};

/// A campaign with its counts.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Campaign {
    pub id: CampaignId,
    /// The organising unit (主办单位): its news managers run the campaign.
    pub unit_id: UnitId,
    pub unit_name: String,
    /// The units it is open to (members at or below any of them may submit).
    #[sqlx(skip)]
    pub open_units: Vec<OpenUnit>,
    pub column_id: ColumnId,
    pub title: String,
    pub theme: String,
    pub rules: Option<String>,
    pub opens_on: String,
    pub closes_on: String,
    #[sqlx(try_from = "String")]
    pub state: CampaignState,
    /// Works received.
    pub received: i64,
    /// Chosen works whose article is published.
    pub published: i64,
}

/// A unit a campaign is open to.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct OpenUnit {
    pub id: UnitId,
    pub name: String,
}

const CAMPAIGN_COLS: &str = "k.id, k.unit_id, u.name AS unit_name, k.column_id, k.title, k.theme, k.rules,
    k.opens_on, k.closes_on, k.state,
    (SELECT COUNT(*) FROM works w WHERE w.campaign_id = k.id) AS received,
    (SELECT COUNT(*) FROM works w JOIN articles a ON a.id = w.article_id WHERE w.campaign_id = k.id AND a.state = 'published') AS published
    FROM campaigns k JOIN units u ON u.id = k.unit_id";

/// A campaign as written.
pub struct CampaignRow<'a> {
    pub unit: UnitId,
    /// The units it is open to (at least one).
    pub open_units: &'a [UnitId],
    pub column: ColumnId,
    pub title: &'a str,
    pub theme: &'a str,
    pub rules: Option<&'a str>,
    pub opens_on: &'a str,
    pub closes_on: &'a str,
    pub by: AccountId,
}

pub async fn insert(tx: &mut Tx, c: &CampaignRow<'_>) -> Result<CampaignId, sqlx::Error> {
    let id: CampaignId = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO campaigns (unit_id, column_id, title, theme, rules, opens_on, closes_on, state, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9) RETURNING id")
        .bind(c.unit).bind(c.column).bind(c.title).bind(c.theme).bind(c.rules).bind(c.opens_on)
        .bind(c.closes_on).bind(c.by).bind(now()).fetch_one(conn).await)?;
    for unit in c.open_units {
        on_tx!(tx, conn => sqlx::query("INSERT INTO campaign_units (campaign_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id).bind(*unit).execute(conn).await.map(|r| r.rows_affected()))?;
    }
    Ok(id)
}

/// A new text, dates and open units for a campaign's call.
pub struct CallUpdate<'a> {
    pub id: CampaignId,
    pub open_units: &'a [UnitId],
    pub title: &'a str,
    pub theme: &'a str,
    pub rules: Option<&'a str>,
    pub opens_on: &'a str,
    pub closes_on: &'a str,
}

/// Rewrites an open campaign's call and its open units; false (nothing written) when the
/// campaign is no longer open.
pub async fn update_call(tx: &mut Tx, c: &CallUpdate<'_>) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE campaigns SET title = $2, theme = $3, rules = $4, opens_on = $5, closes_on = $6
         WHERE id = $1 AND state = 'open'")
        .bind(c.id).bind(c.title).bind(c.theme).bind(c.rules).bind(c.opens_on).bind(c.closes_on)
        .execute(conn).await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    on_tx!(tx, conn => sqlx::query("DELETE FROM campaign_units WHERE campaign_id = $1")
        .bind(c.id).execute(conn).await.map(|r| r.rows_affected()))?;
    for unit in c.open_units {
        on_tx!(tx, conn => sqlx::query("INSERT INTO campaign_units (campaign_id, unit_id) VALUES ($1, $2)")
            .bind(c.id).bind(*unit).execute(conn).await.map(|r| r.rows_affected()))?;
    }
    Ok(true)
}

pub async fn add_judge(
    tx: &mut Tx,
    campaign: CampaignId,
    account: AccountId,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("INSERT INTO campaign_judges (campaign_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(campaign).bind(account).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The units a campaign is open to, in tree order.
pub async fn open_units(tx: &mut Tx, campaign: CampaignId) -> Result<Vec<OpenUnit>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, OpenUnit>(
        "SELECT u.id, u.name FROM campaign_units cu JOIN units u ON u.id = cu.unit_id
         WHERE cu.campaign_id = $1 ORDER BY u.path")
        .bind(campaign).fetch_all(c).await)
}

async fn with_open_units(tx: &mut Tx, mut c: Campaign) -> Result<Campaign, sqlx::Error> {
    c.open_units = open_units(tx, c.id).await?;
    Ok(c)
}

pub async fn get(tx: &mut Tx, id: CampaignId) -> Result<Option<Campaign>, sqlx::Error> {
    let sql = format!("SELECT {CAMPAIGN_COLS} WHERE k.id = $1");
    let c = on_tx!(tx, c => sqlx::query_as::<_, Campaign>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(c).await)?;
    match c {
        Some(c) => Ok(Some(with_open_units(tx, c).await?)),
        None => Ok(None),
    }
}

/// Campaigns an account may see: those open to a unit at or above one of its grants (it is a
/// member), those of an organising unit at or below one of its news-manager grants (it may
/// run them), and those it judges; newest first, with the units each is open to.
pub async fn for_account(tx: &mut Tx, account: AccountId) -> Result<Vec<Campaign>, sqlx::Error> {
    let sql = format!(
        "SELECT {CAMPAIGN_COLS} WHERE EXISTS (SELECT 1 FROM role_grants g JOIN units gu ON gu.id = g.unit_id
             WHERE g.account_id = $1 AND g.revoked_at IS NULL
               AND ((g.role IN ('unit_admin', 'editor') AND {sub1})
               OR EXISTS (SELECT 1 FROM campaign_units cu JOIN units ou ON ou.id = cu.unit_id
                          WHERE cu.campaign_id = k.id AND {sub2})))
           OR EXISTS (SELECT 1 FROM campaign_judges j WHERE j.campaign_id = k.id AND j.account_id = $1)
         ORDER BY k.id DESC LIMIT 200", sub1 = crate::under!("u.path", "gu.path"), sub2 = crate::under!("gu.path", "ou.path"));
    let mut list = on_tx!(tx, c => sqlx::query_as::<_, Campaign>(sqlx::AssertSqlSafe(sql.clone())).bind(account).fetch_all(c).await)?;
    // The open units of the whole list in one statement (by the range of its ids).
    let (Some(hi), Some(lo)) = (list.first().map(|c| c.id), list.last().map(|c| c.id)) else {
        return Ok(list);
    };
    let units: Vec<(CampaignId, UnitId, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT cu.campaign_id, u.id, u.name FROM campaign_units cu JOIN units u ON u.id = cu.unit_id
         WHERE cu.campaign_id BETWEEN $1 AND $2 ORDER BY u.path")
        .bind(lo).bind(hi).fetch_all(c).await)?;
    for c in &mut list {
        c.open_units = units
            .iter()
            .filter(|(k, _, _)| *k == c.id)
            .map(|(_, id, name)| OpenUnit {
                id: *id,
                name: name.clone(),
            })
            .collect();
    }
    Ok(list)
}

pub async fn is_judge(
    tx: &mut Tx,
    campaign: CampaignId,
    account: AccountId,
) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM campaign_judges WHERE campaign_id = $1 AND account_id = $2")
        .bind(campaign).bind(account).fetch_one(c).await)?;
    Ok(n > 0)
}

/// The unit of an account's deepest role at or below one of the units a campaign is open to
/// (the account is a member who may submit there), if any. An open unit moved out from under
/// the organising unit since no longer counts.
pub async fn member_unit(
    tx: &mut Tx,
    account: AccountId,
    campaign: CampaignId,
) -> Result<Option<UnitId>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        concat!("SELECT gu.id FROM role_grants g JOIN units gu ON gu.id = g.unit_id
           JOIN campaign_units cu ON cu.campaign_id = $2 JOIN units u ON u.id = cu.unit_id
           JOIN campaigns k ON k.id = cu.campaign_id JOIN units o ON o.id = k.unit_id
         WHERE g.account_id = $1 AND g.revoked_at IS NULL AND ", crate::under!("gu.path", "u.path"), concat!("
           AND ", crate::under!("u.path", "o.path"), "
         ORDER BY LENGTH(gu.path) DESC, gu.id LIMIT 1")))
        .bind(account).bind(campaign).fetch_optional(c).await)
}

pub async fn set_state(
    tx: &mut Tx,
    id: CampaignId,
    from: CampaignState,
    to: CampaignState,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE campaigns SET state = $3 WHERE id = $1 AND state = $2")
        .bind(id).bind(from.as_str()).bind(to.as_str()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub struct NewWork<'a> {
    pub campaign: Option<CampaignId>,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub author: AccountId,
    pub unit: UnitId,
    pub state: WorkState,
}

pub async fn insert_work(tx: &mut Tx, w: &NewWork<'_>) -> Result<WorkId, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO works (campaign_id, kind, title, body, author_id, unit_id, consent, state, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8) RETURNING id")
        .bind(w.campaign).bind(w.kind).bind(w.title).bind(w.body).bind(w.author).bind(w.unit).bind(w.state.as_str())
        .bind(now()).fetch_one(c).await)
}

/// A work as a judge sees it: no author, no unit.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct BlindWork {
    pub id: WorkId,
    pub kind: String,
    pub title: String,
    pub body: String,
    /// This judge's score, if given.
    pub my_score: Option<i32>,
    pub my_comment: Option<String>,
}

/// The works of a campaign for one judge, without their authors; the judge's own works are
/// left out.
pub async fn blind_works(
    tx: &mut Tx,
    campaign: CampaignId,
    judge: AccountId,
) -> Result<Vec<BlindWork>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, BlindWork>(
        "SELECT w.id, w.kind, w.title, w.body, s.score AS my_score, s.comment AS my_comment
         FROM works w LEFT JOIN work_scores s ON s.work_id = w.id AND s.judge_id = $2
         WHERE w.campaign_id = $1 AND w.author_id <> $2 ORDER BY w.id")
        .bind(campaign).bind(judge).fetch_all(c).await)
}

/// The campaign and author of a work (for checks).
pub async fn work_owner(
    tx: &mut Tx,
    work: WorkId,
) -> Result<Option<(Option<CampaignId>, AccountId)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as("SELECT campaign_id, author_id FROM works WHERE id = $1")
        .bind(work).fetch_optional(c).await)
}

pub async fn score(
    tx: &mut Tx,
    work: WorkId,
    judge: AccountId,
    score: i32,
    comment: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO work_scores (work_id, judge_id, score, comment, scored_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (work_id, judge_id) DO UPDATE SET score = excluded.score, comment = excluded.comment, scored_at = excluded.scored_at")
        .bind(work).bind(judge).bind(score).bind(comment).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A work with its author and average score, for the organiser once judging is over.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct RankedWork {
    pub id: WorkId,
    pub kind: String,
    pub title: String,
    pub author_name: String,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub state: WorkState,
    pub article_id: Option<ArticleId>,
    pub scores: i64,
    pub average: Option<f64>,
}

pub async fn ranking(tx: &mut Tx, campaign: CampaignId) -> Result<Vec<RankedWork>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, RankedWork>(
        "SELECT w.id, w.kind, w.title, a.display_name AS author_name, u.name AS unit_name, w.state, w.article_id,
                COUNT(s.score) AS scores, CAST(AVG(s.score) AS DOUBLE PRECISION) AS average
         FROM works w JOIN accounts a ON a.id = w.author_id JOIN units u ON u.id = w.unit_id
         LEFT JOIN work_scores s ON s.work_id = w.id
         WHERE w.campaign_id = $1
         GROUP BY w.id, w.kind, w.title, a.display_name, u.name, w.state, w.article_id
         ORDER BY average DESC NULLS LAST, w.id")
        .bind(campaign).fetch_all(c).await)
}

/// A work in full (for choosing it).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Work {
    pub id: WorkId,
    pub campaign_id: Option<CampaignId>,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub author_id: AccountId,
    pub unit_id: UnitId,
    #[sqlx(try_from = "String")]
    pub state: WorkState,
    pub article_id: Option<ArticleId>,
}

pub async fn work(tx: &mut Tx, id: WorkId) -> Result<Option<Work>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, Work>(
        "SELECT id, campaign_id, kind, title, body, author_id, unit_id, state, article_id FROM works WHERE id = $1")
        .bind(id).fetch_optional(c).await)
}

pub async fn set_work_state(
    tx: &mut Tx,
    id: WorkId,
    from: [WorkState; 2],
    to: WorkState,
    article: Option<ArticleId>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE works SET state = $2, article_id = COALESCE($3, article_id) WHERE id = $1 AND (state = $4 OR state = $5)")
        .bind(id).bind(to.as_str()).bind(article).bind(from[0].as_str()).bind(from[1].as_str())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A work of the library, as anyone may see it.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct LibraryWork {
    pub id: WorkId,
    pub kind: String,
    pub title: String,
    pub author_name: String,
    pub unit_name: String,
    pub article_id: ArticleId,
    pub published_at: Option<DateTime<Utc>>,
}

/// The works library: chosen and library works whose article is published, newest first.
pub async fn library(
    tx: &mut Tx,
    limit: i64,
    offset: i64,
) -> Result<Vec<LibraryWork>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, LibraryWork>(
        "SELECT w.id, w.kind, w.title, ac.display_name AS author_name, u.name AS unit_name, w.article_id AS article_id,
                a.published_at
         FROM works w JOIN articles a ON a.id = w.article_id JOIN accounts ac ON ac.id = w.author_id
         JOIN units u ON u.id = w.unit_id
         WHERE w.state IN ('chosen', 'library') AND a.state = 'published'
         ORDER BY a.published_at DESC, w.id DESC LIMIT $1 OFFSET $2")
        .bind(limit).bind(offset).fetch_all(c).await)
}

/// A member's contribution to the library awaiting an editor, as the editor sees it.
#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Contribution {
    pub id: WorkId,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub author_name: String,
    pub unit_name: String,
}

/// Contributions (works outside campaigns) not yet taken, of units in scope, oldest first.
pub async fn pending_contributions(
    tx: &mut Tx,
    s: &crate::access::Scope,
) -> Result<Vec<Contribution>, sqlx::Error> {
    let sql = format!(
        "SELECT w.id, w.kind, w.title, w.body, a.display_name AS author_name, u.name AS unit_name
         FROM works w JOIN accounts a ON a.id = w.author_id JOIN units u ON u.id = w.unit_id
         WHERE w.campaign_id IS NULL AND w.state = 'received' AND {} ORDER BY w.id LIMIT 200",
        crate::in_scope!("u")
    );
    on_tx!(tx, c => sqlx::query_as::<_, Contribution>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(s.all).bind(s.account).bind(s.roles).fetch_all(c).await)
}

/// A member's own works in a campaign.
pub async fn my_works(
    tx: &mut Tx,
    campaign: CampaignId,
    author: AccountId,
) -> Result<Vec<(WorkId, String, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT id, title, state FROM works WHERE campaign_id = $1 AND author_id = $2 ORDER BY id")
        .bind(campaign).bind(author).fetch_all(c).await)
}
