//! What each account chooses: kind by kind, whether a message also goes by email or SMS
//! beyond the inbox, and its own quiet hours; and the unsubscribe link every email carries,
//! which turns email off for that kind without logging in.

pub mod model;
pub mod pages;
pub mod service;
