//! Life events and hardship aid (困难帮扶) on a person's file.

pub mod api;
pub mod model;
pub mod pages;
pub(super) mod repo;
pub mod service;

pub use model::{AidInput, EventInput, NewAid, NewLifeEvent};
pub use repo::{Aid, LifeEvent};
