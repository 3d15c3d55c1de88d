//! An article as a writer sends it: the form or JSON body as read ([`ArticleInput`]) and as
//! parsed at the edge ([`ArticleDraft`]): text trimmed and bounded, tags split, the body
//! rendered, the publishing time read in China time, ids typed.

use crate::error::{AppResult, FieldError};
use crate::ids::{AccountId, ColumnId, UnitId};
use crate::news::model::{given_id, parse_tags, render_body};
use crate::web::form::Fields;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

/// An article as written. `publish_at` is local time (China, UTC+8) `YYYY-MM-DDTHH:MM`;
/// empty means "as soon as it is approved".
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ArticleInput {
    pub column_id: i64,
    /// The source unit the news comes from; the writer's own unit when 0.
    pub unit_id: i64,
    pub title: String,
    pub summary: Option<String>,
    /// Markdown or plain text; sanitised on display.
    pub body: String,
    /// Separated by commas or spaces.
    pub tags: Option<String>,
    pub source: Option<String>,
    /// The writer's name as printed with the article (作者署名).
    pub byline: Option<String>,
    /// The correspondent credited (an account id).
    #[serde(deserialize_with = "crate::web::optional_id")]
    pub correspondent_id: Option<i64>,
    pub publish_at: Option<String>,
}

/// An article as parsed: what the services write.
#[derive(Clone, Debug)]
pub struct ArticleDraft {
    pub column_id: ColumnId,
    /// The source unit; `None` for the writer's own.
    pub unit_id: Option<UnitId>,
    pub title: String,
    pub summary: Option<String>,
    pub body_md: String,
    /// `body_md` rendered and sanitised.
    pub body_html: String,
    /// Comma-separated, as stored.
    pub tags: String,
    pub source: Option<String>,
    pub byline: Option<String>,
    pub correspondent_id: Option<AccountId>,
    pub publish_at: Option<DateTime<Utc>>,
}

impl ArticleDraft {
    /// Every field of `raw` checked at once; one answer names every bad field.
    pub fn parse(raw: &ArticleInput) -> AppResult<Self> {
        let mut f = Fields::new();
        let column_id = f.take(given_id("column_id", raw.column_id));
        let unit_id = match raw.unit_id {
            0 => Some(None),
            n => f.take(given_id("unit_id", n)).map(Some),
        };
        let correspondent_id = match raw.correspondent_id {
            None => Some(None),
            Some(n) => f.take(given_id("correspondent_id", n)).map(Some),
        };
        let title = f.required_text("title", Some(&raw.title), 80);
        let body_md = f.required_text("body", Some(&raw.body), 50_000);
        let summary = f.text("summary", raw.summary.as_deref(), 200);
        let source = f.text("source", raw.source.as_deref(), 60);
        let byline = f.text("byline", raw.byline.as_deref(), 40);
        let tags = f.take(parse_tags(raw.tags.as_deref().unwrap_or("")));
        let publish_at = f.take(parse_publish_at(raw.publish_at.as_deref()));
        let value = (|| {
            let body_md = body_md?;
            Some(ArticleDraft {
                column_id: column_id?,
                unit_id: unit_id?,
                title: title?,
                summary: summary?,
                body_html: render_body(&body_md),
                body_md,
                tags: tags?.join(","),
                source: source?,
                byline: byline?,
                correspondent_id: correspondent_id?,
                publish_at: publish_at?,
            })
        })();
        f.done(value)
    }
}

/// The time zone of the bureaus: publishing times are typed and shown in it.
pub fn china() -> FixedOffset {
    crate::i18n::china()
}

/// A publishing time typed in China time, `YYYY-MM-DDTHH:MM` (or with a space); empty is
/// `None`.
fn parse_publish_at(s: Option<&str>) -> Result<Option<DateTime<Utc>>, FieldError> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .map_err(|_| FieldError::new("publish_at", "validation.datetime"))?;
    let local = china()
        .from_local_datetime(&naive)
        .single()
        .ok_or(FieldError::new("publish_at", "validation.datetime"))?;
    Ok(Some(local.with_timezone(&Utc)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn every_bad_field_is_named_and_ids_are_typed() {
        let raw = ArticleInput {
            column_id: 0,
            title: " ".into(),
            body: "正文".into(),
            publish_at: Some("明天".into()),
            ..Default::default()
        };
        match ArticleDraft::parse(&raw) {
            Err(AppError::Validation(e)) => assert_eq!(
                e.iter().map(|e| e.field).collect::<Vec<_>>(),
                ["column_id", "title", "publish_at"]
            ),
            other => panic!("{other:?}"),
        }
        let raw = ArticleInput {
            column_id: 3,
            title: " 重阳 ".into(),
            body: "**敬老**".into(),
            tags: Some("重阳，敬老".into()),
            correspondent_id: Some(9),
            publish_at: Some("2026-10-29T08:00".into()),
            ..Default::default()
        };
        let d = ArticleDraft::parse(&raw).unwrap();
        assert_eq!((d.column_id, d.unit_id), (ColumnId(3), None));
        assert_eq!(d.correspondent_id, Some(AccountId(9)));
        assert_eq!((d.title.as_str(), d.tags.as_str()), ("重阳", "重阳,敬老"));
        assert!(d.body_html.contains("<strong>敬老</strong>"));
        assert_eq!(
            d.publish_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-10-29T00:00:00+00:00")
        );
    }
}
