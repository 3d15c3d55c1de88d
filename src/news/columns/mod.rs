//! Columns (栏目) and special issues (专题) per unit, where articles are published.

pub(super) mod api;
pub(super) mod model;
pub(super) mod pages;
pub(super) mod repo;
pub(super) mod service;
