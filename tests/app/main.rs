//! One integration-test binary: the whole router in-process, a fresh database per test.
//! `TEST_DATABASE_URL=postgres://…` runs the same tests on PostgreSQL.

mod fixtures;
mod helpers;

mod access_matrix;
mod access_rules;
mod accounts;
mod api_v1;
mod audit;
mod audit_search;
mod bombs;
mod campaigns;
mod campaigns_api;
mod care;
mod demo;
mod events;
mod foundation;
mod home;
mod items;
mod mail;
mod news;
mod news_api;
mod news_files;
mod news_import;
mod news_reading;
mod news_search;
mod news_stats;
mod notify;
mod ops;
mod outbox;
mod people;
mod refusals;
mod rekey;
mod restore;
mod roster;
mod rounds;
mod search;
mod search_lists;
mod sessions;
mod settings;
mod shell;
mod sms;
mod tasks;
mod totals;
mod units;
mod wechat;
