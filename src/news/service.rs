//! The publishing use cases other modules call: campaigns (columns, sending a work to review,
//! who may see an article's files), the job runner (scheduled publishing) and start-up
//! (re-indexing). Each takes the caller's transaction.

pub use super::articles::attachments::may_see_files;
pub use super::articles::model::china;
pub use super::columns::service::columns_in;
pub use super::review::service::{Submission, publish_due, submit_on_behalf};
pub use super::search::service::reindex_stale_batch;
