//! A video's kind and the video as the form or the API sends it, parsed.

use crate::error::{AppResult, FieldError};
use crate::ids::{EventId, UnitId};
use crate::people::model::code_enum;
use crate::web::form::Fields;
use serde::{Deserialize, Serialize};

pub use crate::ids::VideoId;

code_enum!(
    /// What a video is: an event's recording, a micro party lesson, a micro-video.
    VideoKind, "video_kind" { Recording => "recording", MicroLesson => "micro_lesson", MicroVideo => "micro_video" }
);

/// A video as the form or the API sends it (the page's form adds the file).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VideoForm {
    #[serde(deserialize_with = "crate::web::optional_id")]
    pub unit_id: Option<i64>,
    /// The event it records (its unit becomes the video's).
    #[serde(deserialize_with = "crate::web::optional_id")]
    pub event_id: Option<i64>,
    /// At most 60 characters.
    pub title: String,
    /// recording, micro_lesson or micro_video.
    pub kind: String,
    /// At most 1,000 characters.
    pub description: String,
    /// Where it is watched (`https://…`), when no file is uploaded.
    pub url: String,
    #[serde(deserialize_with = "crate::web::checkbox")]
    pub public: bool,
}

/// A video as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewVideo {
    pub unit: Option<UnitId>,
    pub event: Option<EventId>,
    pub title: String,
    pub kind: VideoKind,
    pub description: String,
    pub url: Option<String>,
    pub public: bool,
}

impl NewVideo {
    /// Parses a video: a unit or an event, a title, a kind, a link that is http(s) when given.
    /// Whether it has a file or a link is checked once the file is known.
    pub fn parse(raw: &VideoForm) -> AppResult<Self> {
        let mut f = Fields::new();
        let title = f.required_text("title", Some(&raw.title), 60);
        let kind = f.choice("kind", Some(&raw.kind), VideoKind::parse);
        let description = f.text("description", Some(&raw.description), 1000);
        let url = f.text("url", Some(&raw.url), 300);
        if let Some(Some(u)) = &url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            f.add(FieldError::new("url", "activity.url"));
        }
        if raw.unit_id.is_none() && raw.event_id.is_none() {
            f.add(FieldError::new("unit_id", "validation.choose"));
        }
        let value = (|| {
            Some(NewVideo {
                unit: raw.unit_id.map(UnitId),
                event: raw.event_id.map(EventId),
                title: title?,
                kind: kind?,
                description: description?.unwrap_or_default(),
                url: url?,
                public: raw.public,
            })
        })();
        f.done(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_video_names_its_unit_or_event_and_a_safe_link() {
        let raw = VideoForm {
            unit_id: Some(3),
            title: "微党课：初心".into(),
            kind: "micro_lesson".into(),
            url: "https://v.qq.com/x/abc".into(),
            ..VideoForm::default()
        };
        assert!(NewVideo::parse(&raw).is_ok());
        let nowhere = VideoForm {
            unit_id: None,
            ..raw.clone()
        };
        assert!(NewVideo::parse(&nowhere).is_err());
        let bad = VideoForm {
            url: "data:text/html,x".into(),
            ..raw
        };
        assert!(NewVideo::parse(&bad).is_err());
    }
}
