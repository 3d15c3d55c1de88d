//! The review workflow (审核): one or two review steps per unit, decisions with the trail,
//! scheduled publishing and withdrawal, the reviewer's queue and sensitive-word hints.

pub(super) mod api;
pub(super) mod model;
pub(super) mod pages;
pub(super) mod repo;
pub(super) mod service;
