//! One integration-test binary: the whole router in-process, a fresh database per test.
//! `TEST_DATABASE_URL=postgres://…` runs the same tests on PostgreSQL.

mod fixtures;
mod helpers;

mod accounts;
mod audit;
mod care;
mod items;
mod ops;
mod people;
mod roster;
mod search;
mod settings;
mod shell;
mod units;
