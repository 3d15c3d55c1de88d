//! Visit records and care plans: the staff member's record of contact, and the per-person
//! plan (tier, contact interval, paired staff member).

pub mod api;
pub mod model;
pub mod pages;
pub(super) mod repo;
pub mod service;

pub use model::{CarePlanInput, NewVisit, PlanChoice, VisitInput};
pub use repo::{CarePlan, Visit};
