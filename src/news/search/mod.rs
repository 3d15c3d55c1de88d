//! Article search: readers find published articles, staff also their drafts in scope.

pub(super) mod api;
pub(super) mod model;
pub(super) mod pages;
pub(super) mod repo;
pub(super) mod service;

/// The staff search with PostgreSQL's narrow plan taken for scopes of up to a given number
/// of units (tests compare the two plans).
pub use repo::for_staff_planned;
