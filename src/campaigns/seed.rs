//! Bulk loading for the command line's demo generator: a campaign with its judges, works and
//! scores, written directly, without the use cases' checks or audit entries. Never called by
//! a request.

use super::repo;
pub use super::repo::{NewCampaign, NewWork};
use crate::db::Tx;

pub async fn campaign(tx: &mut Tx, c: &NewCampaign<'_>) -> Result<i64, sqlx::Error> {
    repo::insert(tx, c).await
}

pub async fn judge(tx: &mut Tx, campaign: i64, account: i64) -> Result<(), sqlx::Error> {
    repo::add_judge(tx, campaign, account).await
}

pub async fn work(tx: &mut Tx, w: &NewWork<'_>) -> Result<i64, sqlx::Error> {
    repo::insert_work(tx, w).await
}

pub async fn score(
    tx: &mut Tx,
    work: i64,
    judge: i64,
    score: i32,
    comment: Option<&str>,
) -> Result<(), sqlx::Error> {
    repo::score(tx, work, judge, score, comment).await
}
