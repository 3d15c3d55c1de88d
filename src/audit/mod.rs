//! The audit trail: append-only, hash-chained entries of every change, login decision,
//! refused access and reveal, written in the transaction of what they record. A library of
//! the house: every module records through [`record`]; the audit admin's pages are `trail`.

pub mod chain;
pub mod model;
mod repo;

pub use repo::{
    Filter, checkpoint, count, count_since, hash_algo, purge_before, record, search, set_hash_algo,
    verify, verify_with,
};
