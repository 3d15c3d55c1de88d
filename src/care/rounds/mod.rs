//! Contact rounds (排查台账): in a heat wave, a flood or an epidemic, staff reach every
//! person of a subtree who matches a filter, record each attempt, and end each person safe,
//! needing help (a care item follows) or unreachable (a visit task follows); coverage per
//! unit is live, the ledger exports and prints, and a round closes once nobody is pending.

pub mod api;
pub mod bulk;
mod ledger;
pub mod model;
pub mod pages;
mod repo;
pub mod service;

pub use model::RoundId;
pub use repo::{RoundCoverage, RoundMember, RoundRow};
