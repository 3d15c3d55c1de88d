//! Text folding shared by every search: Traditional → Simplified (OpenCC tables via
//! ferrous-opencc), lower case, and pinyin forms of names so that staff can type `zs` or
//! `zhangsan` for 张三. Full-text search of documents: [`text`] makes the tokens, queries
//! and snippets, [`index`] writes and queries the index.

pub mod html;
pub mod index;
pub mod lists;
pub mod text;

/// How many of the most recent matches [`search_hits!`](crate::search_hits) ranks unless
/// told otherwise.
/// (The reader's message `search.capped` names this number.)
pub const CANDIDATES: i64 = 200;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use pinyin::ToPinyin;
use std::sync::OnceLock;

fn t2s() -> Option<&'static OpenCC> {
    static CONVERTER: OnceLock<Option<OpenCC>> = OnceLock::new();
    CONVERTER
        .get_or_init(|| match OpenCC::from_config(BuiltinConfig::T2s) {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::error!(error = %e, "OpenCC t2s tables failed to load");
                None
            }
        })
        .as_ref()
}

/// Simplified, lower-case form used for matching.
pub fn fold(s: &str) -> String {
    let simplified = t2s().map(|c| c.convert(s)).unwrap_or_else(|| s.to_string());
    simplified.trim().to_lowercase()
}

/// Pinyin initials: 张三 → `zs`; Latin letters and digits are kept.
pub fn pinyin_initials(s: &str) -> String {
    let folded = fold(s);
    folded
        .chars()
        .zip(folded.as_str().to_pinyin())
        .filter_map(|(c, p)| match p {
            Some(p) => p.first_letter().chars().next(),
            None if c.is_ascii_alphanumeric() => Some(c),
            None => None,
        })
        .collect()
}

/// Full pinyin without tones or spaces: 张三 → `zhangsan`.
pub fn pinyin_full(s: &str) -> String {
    let folded = fold(s);
    let mut out = String::new();
    for (c, p) in folded.chars().zip(folded.as_str().to_pinyin()) {
        match p {
            Some(p) => out.push_str(p.plain()),
            None if c.is_ascii_alphanumeric() => out.push(c),
            None => {}
        }
    }
    out
}

/// Version of the name-token scheme below. Change it whenever [`name_tokens`] changes:
/// at start-up a database indexed with another version is re-indexed.
pub const NAME_TOKENS_VERSION: &str = "2-fragments";

/// Longest name fragment with a search token of its own; longer queries scan the token of
/// their first characters and check the whole name.
pub const MAX_FRAGMENT: usize = 3;

/// Name-search tokens of a person: each distinct fragment of up to [`MAX_FRAGMENT`]
/// characters of the folded name (`s:王`, `s:王建`, `s:建国`, `s:王建国`, …) and every prefix
/// of the pinyin initials (`i:w`, `i:wj`, `i:wjg`). Such a query is one exact token, which
/// the index serves in name order. (Pinyin itself is a range of the `people` pinyin index.)
pub fn name_tokens(folded: &str, initials: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: String| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    let chars: Vec<char> = folded.chars().filter(|c| !c.is_whitespace()).collect();
    for start in 0..chars.len() {
        for end in start + 1..=(start + MAX_FRAGMENT).min(chars.len()) {
            push(format!(
                "s:{}",
                chars[start..end].iter().collect::<String>()
            ));
        }
    }
    for end in 1..=initials.chars().count() {
        push(format!(
            "i:{}",
            initials.chars().take(end).collect::<String>()
        ));
    }
    out
}

/// The order of search results: by pinyin, then by the name itself. The narrow person
/// search (`people::repo::search`) writes the same key in SQL as
/// `name_pinyin || ':' || name_folded`; change both together.
pub fn sort_key(pinyin: &str, folded: &str) -> String {
    format!("{pinyin}:{folded}")
}

/// The exclusive upper bound of a token prefix range (`i:zs` → `i:zt`).
pub fn prefix_end(prefix: &str) -> String {
    let mut s = prefix.to_string();
    if let Some(last) = s.pop() {
        s.push(char::from_u32(last as u32 + 1).unwrap_or(char::MAX));
    }
    s
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Up to `limit` documents of `kind` indexed with another tokenizer version than this
/// build's; the owner of the documents re-`put`s them (at start-up, or in a job).
pub async fn stale(
    tx: &mut crate::db::Tx,
    kind: &str,
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    crate::on_tx!(tx, c => sqlx::query_scalar(
        "SELECT doc_id FROM search_docs WHERE kind = $1 AND version <> $2 ORDER BY doc_id LIMIT $3")
        .bind(kind).bind(text::TEXT_TOKENS_VERSION).bind(limit).fetch_all(c).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_folds_to_simplified() {
        assert_eq!(fold("老幹部"), "老干部");
        assert_eq!(fold("張三"), "张三");
        assert_eq!(fold(" ABC "), "abc");
    }

    #[test]
    fn pinyin_forms() {
        assert_eq!(pinyin_initials("张三"), "zs");
        assert_eq!(pinyin_initials("張三"), "zs");
        assert_eq!(pinyin_full("李秀英"), "lixiuying");
        assert_eq!(pinyin_initials("王2"), "w2");
    }

    #[test]
    fn tokens_cover_fragments_and_initials() {
        assert_eq!(
            name_tokens("王建国", "wjg"),
            vec![
                "s:王",
                "s:王建",
                "s:王建国",
                "s:建",
                "s:建国",
                "s:国",
                "i:w",
                "i:wj",
                "i:wjg"
            ]
        );
        assert_eq!(
            name_tokens("王王", "ww"),
            vec!["s:王", "s:王王", "i:w", "i:ww"]
        );
        assert_eq!(
            name_tokens("欧阳建国", "oyjg")[..4],
            ["s:欧", "s:欧阳", "s:欧阳建", "s:阳"].map(String::from)
        );
        assert_eq!(prefix_end("zhan"), "zhao");
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escape("a%b_c\\"), "a\\%b\\_c\\\\");
    }
}
