//! Article import (`yinyao import articles DIR --column ID`): plain-text and HTML files become
//! drafts after the repairs of [`super::repair`]; the original text is kept beside the
//! repaired one and every repair is reported.

use super::repair;
use super::repair::Repair;
use crate::audit::{self as audit, model::Actor, model::Event};
use crate::db::Tx;
use crate::ids::{AccountId, ArticleId, ColumnId, UnitId};
use crate::news::articles::repo::Text;
use serde_json::json;

/// The largest file the import reads (a scraped page with its markup; an article's text is
/// a few kilobytes).
pub const MAX_ARTICLE_FILE_BYTES: u64 = 4 << 20;

/// What became of one file.
pub struct Imported {
    pub file: String,
    pub article: Option<ArticleId>,
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

/// Where imported articles go: a column, its unit, and the author the drafts stand under.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    column: ColumnId,
    unit: UnitId,
    author: AccountId,
}

/// The target of an import into `column` by `author` (an account id; the column unit's
/// editor or admin when `None`).
pub async fn target(
    tx: &mut Tx,
    column: ColumnId,
    author: Option<AccountId>,
) -> anyhow::Result<Target> {
    let col = crate::news::columns::repo::column(tx, column)
        .await?
        .filter(|c| c.active)
        .ok_or_else(|| anyhow::anyhow!("column {column} does not exist or is inactive"))?;
    let author = match author {
        Some(a) => a,
        None => crate::news::articles::repo::default_author(tx, col.unit_id)
            .await?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "no editor or unit admin covers the column's unit; name one with --author"
                )
            })?,
    };
    Ok(Target {
        column: col.id,
        unit: col.unit_id,
        author,
    })
}

/// One file read and repaired, ready to store.
pub struct Prepared {
    name: String,
    original: String,
    title: String,
    body: String,
    html: String,
    source: Option<String>,
    byline: Option<String>,
    repairs: Vec<Repair>,
}

/// A repair of one kind, made once, with what it found.
fn noted(kind: &str, example: &str) -> Repair {
    Repair {
        kind: kind.into(),
        count: 1,
        examples: vec![example.chars().take(60).collect()],
    }
}

/// The file's name without its folders and extension: a provisional title.
fn stem(name: &str) -> String {
    std::path::Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| name.to_string())
}

/// Decodes and repairs one file's text (no database): the article to store, or the file's
/// report when there is nothing to import.
pub fn prepare(name: &str, bytes: &[u8]) -> Result<Prepared, Imported> {
    let name = name.to_string();
    let (original, encoding) = decode(bytes);
    let mut notes = Vec::new();
    let (mut source, mut byline) = (None, None);
    let (title, body) = if is_html(&name) {
        split(&name, &original)
    } else {
        // A plain file's head: source and byline lines go into their fields; without a
        // title line the file name stands in, marked for the editor.
        let head = super::head::read(&original, repair::is_furniture);
        if let Some(s) = &head.source {
            notes.push(noted("source_line", s));
        }
        if let Some(b) = &head.byline {
            notes.push(noted("byline", b));
        }
        source = head.source;
        byline = head.byline;
        let title = match head.title {
            Some(t) => t,
            None => {
                let t = stem(&name);
                notes.push(noted("provisional_title", &t));
                t
            }
        };
        (title, head.body)
    };
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
    repairs.extend(notes);
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
    // A dropped furniture line at the top leaves blank lines behind.
    let body = fixed.text.trim().to_string();
    if title.trim().is_empty() || body.trim().is_empty() {
        return Err(Imported {
            file: name,
            article: None,
            title,
            repairs,
            problem: Some("empty title or text".into()),
        });
    }
    let html = crate::news::model::render_body(&body);
    Ok(Prepared {
        name,
        original,
        title,
        body,
        html,
        source: source.map(|s| s.chars().take(60).collect()),
        byline: byline.map(|b| b.chars().take(40).collect()),
        repairs,
    })
}

/// Stores a prepared file as a draft, indexed and audited, in the caller's transaction.
pub async fn store(tx: &mut Tx, to: Target, p: Prepared) -> anyhow::Result<Imported> {
    let id = crate::news::articles::repo::insert_article(
        tx,
        to.column,
        to.unit,
        to.author,
        &Text {
            title: &p.title,
            summary: None,
            body_md: &p.body,
            body_html: &p.html,
            tags: "",
            source: p.source.as_deref(),
            byline: p.byline.as_deref(),
            correspondent_id: None,
        },
    )
    .await?;
    crate::news::articles::repo::set_import_origin(
        tx,
        id,
        &p.original,
        &serde_json::to_string(&p.repairs)?,
    )
    .await?;
    crate::news::search::repo::index(tx, id, &p.title, None, &p.html, "").await?;
    let event = Event::ok("article.import", format!("article:{id}"))
        .unit(to.unit.0)
        .detail(json!({ "file": p.name, "repairs": p.repairs.iter().map(|r| (r.kind.clone(), r.count)).collect::<Vec<_>>() }));
    audit::record(tx, &Actor::cli("import articles"), event).await?;
    Ok(Imported {
        file: p.name,
        article: Some(id),
        title: p.title,
        repairs: p.repairs,
        problem: None,
    })
}
