//! `yinyao import articles DIR`: every `.txt`, `.html` and `.htm` file of a folder into a
//! column as drafts, each file in its own transaction, so that a bad file is reported and
//! the others still go in.

use crate::db::Db;
use crate::news::import::{Imported, MAX_ARTICLE_FILE_BYTES, prepare, store, target};
use std::path::Path;

/// Imports every `.txt`, `.html` and `.htm` file of `dir` into `column` as drafts by
/// `author` (an account id; the column unit's editor or admin when `None`).
pub async fn import_dir(
    db: &Db,
    dir: &Path,
    column: i64,
    author: Option<i64>,
) -> anyhow::Result<Vec<Imported>> {
    let to = {
        let mut tx = db.read().await?;
        target(&mut tx, column.into(), author.map(Into::into)).await?
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_lowercase().as_str(), "txt" | "html" | "htm"))
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        // Bounded before it is read, as every upload is: an article is far smaller.
        if std::fs::metadata(&path)?.len() > MAX_ARTICLE_FILE_BYTES {
            out.push(Imported {
                file: name,
                article: None,
                title: String::new(),
                repairs: Vec::new(),
                problem: Some(format!(
                    "file larger than {} MB; not read",
                    MAX_ARTICLE_FILE_BYTES >> 20
                )),
            });
            continue;
        }
        let bytes = std::fs::read(&path)?;
        match prepare(&name, &bytes) {
            Err(report) => out.push(report),
            Ok(p) => {
                let mut tx = db.write().await?;
                let done = store(&mut tx, to, p).await?;
                tx.commit().await?;
                out.push(done);
            }
        }
    }
    Ok(out)
}
