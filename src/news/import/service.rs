//! Article import (`yinyao import articles DIR --column ID`): plain-text and HTML files become
//! drafts after the repairs of [`super::repair`]; the original text is kept beside the
//! repaired one and every repair is reported.

use super::repair;
use super::repair::Repair;
use crate::audit::{model::Actor, model::Event, repo as audit};
use crate::db::Db;
use crate::news::articles::repo::Text;
use serde_json::json;
use std::path::Path;

/// The largest file the import reads (a scraped page with its markup; an article's text is
/// a few kilobytes).
pub const MAX_ARTICLE_FILE_BYTES: u64 = 4 << 20;

/// What became of one file.
pub struct Imported {
    pub file: String,
    pub article: Option<i64>,
    pub title: String,
    pub repairs: Vec<Repair>,
    pub problem: Option<String>,
}

/// The text of a file: UTF-8 (a byte-order mark dropped) when it is valid UTF-8. Otherwise
/// the file is read both as UTF-8 and as GB18030 (which covers GBK and GB2312, the encodings
/// of many older Chinese sites), what does not decode replaced by U+FFFD, and the reading
/// with fewer replacements wins; GB18030 is then named so the report can say so. Scraped
/// files are sometimes cut mid-character, and the replacement characters left are marked
/// for a person to check.
pub(crate) fn decode(bytes: &[u8]) -> (String, Option<&'static str>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), None);
    }
    let bad = |s: &str| s.chars().filter(|&c| c == '\u{FFFD}').count();
    let utf8 = String::from_utf8_lossy(bytes);
    let (gb, _) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if bad(&gb) < bad(&utf8) {
        (gb.into_owned(), Some("GB18030/GBK"))
    } else {
        (utf8.into_owned(), None)
    }
}

/// Title and body of a file: the HTML `<title>` or first `<h1>`, else the first line.
fn is_html(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.ends_with(".html") || lower.ends_with(".htm")
}

fn split(name: &str, text: &str) -> (String, String) {
    if is_html(name) {
        let find = |open: &str, close: &str| {
            // ASCII lower case keeps every byte offset, so positions found in it cut `text`.
            let lower = text.to_ascii_lowercase();
            let start = lower.find(open)?;
            let from = start + lower[start..].find('>')? + 1;
            let end = from + lower[from..].find(close)?;
            Some(text[from..end].trim().to_string())
        };
        let h1 = find("<h1", "</h1>");
        let title = h1
            .clone()
            .or_else(|| find("<title", "</title>"))
            .unwrap_or_else(|| name.to_string());
        let mut body = find("<body", "</body>").unwrap_or_else(|| text.to_string());
        // The heading became the title; the body should not repeat it.
        if h1.is_some() {
            let lower = body.to_ascii_lowercase();
            if let (Some(start), Some(end)) = (lower.find("<h1"), lower.find("</h1>"))
                && start < end
            {
                body.replace_range(start..end + "</h1>".len(), "");
            }
        }
        return (title, body);
    }
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    let title = lines.next().unwrap_or(name).trim().to_string();
    (
        title,
        lines.collect::<Vec<_>>().join("\n").trim().to_string(),
    )
}

/// Imports every `.txt`, `.html` and `.htm` file of `dir` into `column` as drafts by
/// `author` (an account id; the column unit's editor or admin when `None`). Each file is its
/// own transaction: a bad file is reported and the others still go in.
pub async fn import_dir(
    db: &Db,
    dir: &Path,
    column: i64,
    author: Option<i64>,
) -> anyhow::Result<Vec<Imported>> {
    let mut tx = db.read().await?;
    let col = crate::news::columns::repo::column(&mut tx, column)
        .await?
        .filter(|c| c.active)
        .ok_or_else(|| anyhow::anyhow!("column {column} does not exist or is inactive"))?;
    let author = match author {
        Some(a) => a,
        None => crate::news::articles::repo::default_author(&mut tx, col.unit_id)
            .await?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "no editor or unit admin covers the column's unit; name one with --author"
                )
            })?,
    };
    drop(tx);
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
        let (original, encoding) = decode(&bytes);
        let (title, body) = split(&name, &original);
        // An HTML page becomes plain paragraphs, which an editor can work on and the repairs
        // see line by line: sanitised first (scripts and styles go with their content), then
        // its text, one paragraph a block.
        let body = if is_html(&name) {
            crate::search::html::text_of(&ammonia::clean(&body))
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n")
        } else {
            body
        };
        let fixed_title = repair::repair(&title);
        let fixed = repair::repair(&body);
        let title: String = fixed_title.text.chars().take(80).collect();
        let mut repairs = fixed_title.repairs;
        if let Some(e) = encoding {
            repairs.insert(
                0,
                repair::Repair {
                    kind: "decoded_gb18030".into(),
                    count: 1,
                    examples: vec![e.into()],
                },
            );
        }
        for r in fixed.repairs {
            match repairs.iter_mut().find(|x| x.kind == r.kind) {
                Some(x) => {
                    x.count += r.count;
                    x.examples.extend(r.examples);
                    x.examples.truncate(5);
                }
                None => repairs.push(r),
            }
        }
        let body = fixed.text;
        if title.trim().is_empty() || body.trim().is_empty() {
            out.push(Imported {
                file: name,
                article: None,
                title,
                repairs,
                problem: Some("empty title or text".into()),
            });
            continue;
        }
        let html = crate::news::model::render_body(&body);
        let mut tx = db.write().await?;
        let id = crate::news::articles::repo::insert_article(
            &mut tx,
            col.id,
            col.unit_id,
            author,
            &Text {
                title: &title,
                summary: None,
                body_md: &body,
                body_html: &html,
                tags: "",
                source: None,
                correspondent_id: None,
            },
        )
        .await?;
        crate::news::articles::repo::set_import_origin(
            &mut tx,
            id,
            &original,
            &serde_json::to_string(&repairs)?,
        )
        .await?;
        crate::news::search::repo::index(&mut tx, id, &title, None, &html, "").await?;
        let event = Event::ok("article.import", format!("article:{id}"))
            .unit(col.unit_id)
            .detail(json!({ "file": name, "repairs": repairs.iter().map(|r| (r.kind.clone(), r.count)).collect::<Vec<_>>() }));
        audit::record(&mut tx, &Actor::cli("import articles"), event).await?;
        tx.commit().await?;
        out.push(Imported {
            file: name,
            article: Some(id),
            title,
            repairs,
            problem: None,
        });
    }
    Ok(out)
}
