//! Article import (`yinyao import articles DIR --column ID`): plain-text and HTML files become
//! drafts after the repairs of [`repair`], the original text kept beside the repaired one.

mod head;
pub mod repair;
mod service;

pub use service::{Imported, MAX_ARTICLE_FILE_BYTES, Prepared, Target, prepare, store, target};
