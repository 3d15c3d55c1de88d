//! The public reading side, made for phones in WeChat's browser: the front page, column
//! pages and feeds, the article page with its read count. No login needed.

pub(super) mod api;
pub(super) mod pages;
pub(super) mod repo;
pub(super) mod service;
