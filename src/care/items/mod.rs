//! Care-plan service items (一人一策: family-doctor contract, monthly call, medicine
//! delivery …) on a person's file.

pub mod api;
pub mod model;
pub mod pages;
pub(super) mod repo;
pub mod service;

pub use model::{ItemChanges, ItemInput, NewItem};
pub use repo::CareItem;
