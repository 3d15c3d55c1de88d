//! Bulk loading for the command line's demo generator: a campaign with its judges, works and
//! scores, written directly, without the use cases' checks or audit entries. Never called by
//! a request.

use super::repo;
pub use super::repo::{CampaignRow, NewWork};
use crate::db::Tx;
use crate::ids::{AccountId, CampaignId, WorkId};

pub async fn campaign(tx: &mut Tx, c: &CampaignRow<'_>) -> Result<CampaignId, sqlx::Error> {
    repo::insert(tx, c).await
}

pub async fn judge(
    tx: &mut Tx,
    campaign: CampaignId,
    account: impl Into<AccountId>,
) -> Result<(), sqlx::Error> {
    repo::add_judge(tx, campaign, account.into()).await
}

pub async fn work(tx: &mut Tx, w: &NewWork<'_>) -> Result<WorkId, sqlx::Error> {
    repo::insert_work(tx, w).await
}

pub async fn score(
    tx: &mut Tx,
    work: WorkId,
    judge: impl Into<AccountId>,
    score: i32,
    comment: Option<&str>,
) -> Result<(), sqlx::Error> {
    repo::score(tx, work, judge.into(), score, comment).await
}
