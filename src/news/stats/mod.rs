//! Correspondents' quarterly figures (通讯员统计): submitted, published and read per
//! correspondent, the top ten, an XLSX export and a printable summary.

pub(super) mod api;
pub(super) mod model;
pub(super) mod pages;
pub(super) mod repo;
pub(super) mod service;
