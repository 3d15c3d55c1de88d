//! Readers' comments and likes, moderation, reports and official replies.

pub(super) mod api;
pub(super) mod model;
pub(super) mod pages;
pub(super) mod repo;
pub(super) mod service;
