//! A search as sent ([`SearchQuery`]) and as parsed at the edge ([`Search`]).

use crate::error::AppResult;
use crate::web::PageParams;
use crate::web::form::Fields;

/// Longest query accepted, in characters.
const MAX_QUERY: usize = 100;

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// What to look for: words or characters, Simplified or Traditional.
    pub q: Option<String>,
    pub page: Option<i64>,
}

/// A search as parsed: the text trimmed and bounded (`None` when nothing was asked), the page.
#[derive(Clone, Debug)]
pub struct Search {
    pub text: Option<String>,
    pub paging: PageParams,
}

impl Search {
    pub fn parse(q: &SearchQuery) -> AppResult<Self> {
        let mut f = Fields::new();
        let text = f.text("q", q.q.as_deref(), MAX_QUERY);
        let value = text.map(|text| Search {
            text,
            paging: PageParams { page: q.page },
        });
        f.done(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_trimmed_and_bounded() {
        let q = |s: &str| SearchQuery {
            q: Some(s.to_string()),
            page: None,
        };
        assert_eq!(
            Search::parse(&q(" 敬老 ")).unwrap().text.as_deref(),
            Some("敬老")
        );
        assert_eq!(Search::parse(&q("  ")).unwrap().text, None);
        assert!(Search::parse(&q(&"长".repeat(101))).is_err());
    }
}
