//! Uploaded files (附件): images, audio and video checked by their content (not their name),
//! size-limited per kind, streamed to the upload directory, photos stripped of their metadata,
//! recorded in the `attachments` table and served with their checked type. A library of the
//! house: news attaches them to articles, campaigns to works; it knows neither. Who may see a
//! file is its owner's rule, so the `/files/{id}` route is served where both owners are known
//! (`campaigns::pages::serve_file`), with [`service::respond`] doing the serving.

mod model;
mod repo;
pub mod service;

pub use model::{Attachment, MAX_UPLOAD, sniff, strip_image};
pub use service::Received;
