//! Articles (稿件): drafts with every version kept, the desk of articles in scope, the article
//! form and page, version comparison, and the article's files.

pub(super) mod api;
pub(super) mod attachments;
pub(super) mod history;
pub(super) mod model;
pub(super) mod pages;
pub(super) mod repo;
pub(super) mod service;
