//! An article's history for staff who see it: every saved version, the comparison of two
//! versions line by line, and the review trail (who did what, when, with what comment).

use super::repo;
use super::service;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ids::ArticleId;
use crate::news::Event;
use crate::news::Version;
use crate::web::auth::Viewer;

/// One line of a comparison: `"+"` added, `"-"` removed, `" "` unchanged.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DiffLine {
    pub tag: &'static str,
    pub text: String,
}

/// Two versions and their line-by-line comparison (title, summary, tags and text).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub from: Version,
    pub to: Version,
    pub lines: Vec<DiffLine>,
}

/// Every saved version, newest first.
pub async fn versions(tx: &mut Tx, v: &Viewer, id: ArticleId) -> AppResult<Vec<Version>> {
    service::load(tx, v, id).await?;
    Ok(repo::versions(tx, id).await?)
}

/// The review trail, oldest first.
pub async fn trail(tx: &mut Tx, v: &Viewer, id: ArticleId) -> AppResult<Vec<Event>> {
    service::load(tx, v, id).await?;
    Ok(crate::news::review::repo::events(tx, id).await?)
}

/// An imported article's text as it was found, and what the import repaired.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ImportOrigin {
    pub original_text: String,
    pub repairs: Vec<crate::news::import::repair::Repair>,
}

impl ImportOrigin {
    /// From what [`repo::import_origin`] reads: the text and the report as stored (JSON).
    pub fn from_stored((original_text, repairs_json): (String, String)) -> Self {
        ImportOrigin {
            original_text,
            repairs: serde_json::from_str(&repairs_json).unwrap_or_default(),
        }
    }
}

/// The original text and repair report of an imported article; not found for one written here.
pub async fn import_origin(tx: &mut Tx, v: &Viewer, id: ArticleId) -> AppResult<ImportOrigin> {
    service::load(tx, v, id).await?;
    repo::import_origin(tx, id)
        .await?
        .map(ImportOrigin::from_stored)
        .ok_or(crate::error::AppError::NotFound)
}

/// Versions `from` and `to` compared; not found when either does not exist.
pub async fn compare(
    tx: &mut Tx,
    v: &Viewer,
    id: ArticleId,
    from: i32,
    to: i32,
) -> AppResult<Comparison> {
    let all = versions(tx, v, id).await?;
    let pick = |n: i32| all.iter().find(|x| x.version == n).cloned();
    let (Some(from), Some(to)) = (pick(from), pick(to)) else {
        return Err(AppError::NotFound);
    };
    let lines = diff(&whole(&from), &whole(&to));
    Ok(Comparison { from, to, lines })
}

fn whole(x: &Version) -> String {
    format!(
        "# {}\n{}\n[{}]\n\n{}\n",
        x.title,
        x.summary.as_deref().unwrap_or(""),
        x.tags,
        x.body_md
    )
}

fn diff(old: &str, new: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| DiffLine {
            tag: match c.tag() {
                similar::ChangeTag::Delete => "-",
                similar::ChangeTag::Insert => "+",
                similar::ChangeTag::Equal => " ",
            },
            text: c.value().trim_end_matches('\n').to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::diff;

    #[test]
    fn lines_are_marked_added_removed_or_kept() {
        let tags: Vec<(&str, String)> = diff("甲\n乙\n", "甲\n丙\n")
            .into_iter()
            .map(|l| (l.tag, l.text))
            .collect();
        assert_eq!(
            tags,
            [(" ", "甲"), ("-", "乙"), ("+", "丙")].map(|(t, s)| (t, s.to_string()))
        );
    }
}
