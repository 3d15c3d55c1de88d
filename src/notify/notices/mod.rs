//! Notices to a unit's subtree (温馨提示): staff who keep files over a unit write one notice
//! to the accounts below it — people with an account (filtered by category) and/or staff —
//! see how many it will reach before sending, then its read and email figures.

pub mod api;
pub mod model;
pub mod pages;
mod repo;
pub mod service;

pub use model::NoticeId;
