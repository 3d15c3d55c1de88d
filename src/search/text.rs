//! Tokens for Chinese full-text search, for both the index and the query, and highlighted
//! snippets.
//!
//! The scheme (measured in docs/PERFORMANCE.md, "Full-text search"): the text is folded
//! (Traditional → Simplified, lower case, full-width Latin to ASCII) and cut into runs of CJK
//! characters and runs of letters/digits; punctuation and spaces separate runs. Each CJK run
//! gives its overlapping **trigrams** followed by its **single characters**; each letter run
//! gives one **word**. After all runs come the **bigrams** of every CJK run, then the **jieba
//! words** of four or more characters (search mode, with a few domain words added to the
//! dictionary).
//!
//! A query of one, two or three characters is that one token (`党`, `长安`, `明月光`), held
//! by exactly the documents whose folded text contains it. A query of four or more
//! characters is the *phrase* of its trigrams (`床前明月` → `"床前明 前明月"`), which holds
//! exactly where the text contains the characters in a row: substring semantics, so recall is
//! that of a `LIKE '%…%'` over the folded text. Trigrams of one run are consecutive tokens and
//! runs are kept apart by their single characters, so a phrase never spans punctuation. When
//! the query is itself a dictionary word of four or more characters (`三会一课`), the word
//! token is an alternative (`OR`) that finds nothing new but ranks documents using it as a
//! word higher. Letters and digits match as word prefixes.
//!
//! Why trigrams: a phrase of bigrams reads the posting lists of its bigrams, and common ones
//! are long (明月 is in over 4,000 of the 311,855 poems of the benchmark, 明月光 in 44), so a three-character query cost 1–2 ms
//! against 0.5 ms for a single token; with trigrams it is one short posting list, and it can
//! have a recent-match list (`search::lists`). Bigrams stay at the end because their positions
//! are never needed (no phrase uses them), which keeps the trigrams within PostgreSQL's
//! position limit as long as before (about two positions per character).

use super::{fold, t2s};
use crate::db::Tx;
use jieba_rs::Jieba;
use std::sync::OnceLock;

/// Version of the token scheme. Change it whenever [`index_tokens`], the dictionary or the
/// folding changes, or what `index::put` stores beside the tokens (version 2 added the
/// document length that `search::lists` ranks with; version 3 the trigrams): rows indexed
/// with another version are listed by `index::stale`.
pub const TEXT_TOKENS_VERSION: &str = "3-trigrams-chars-bigrams-words4-len";

/// Jieba words shorter than this are not indexed: a word of two or three characters is
/// already a bigram or a trigram.
pub const MIN_WORD_CHARS: usize = MAX_GRAM_CHARS + 1;

/// Longest token (in CJK characters) that a query can stand for alone, and so the longest
/// with a recent-match list ([`listable`]): the trigrams.
pub const MAX_GRAM_CHARS: usize = 3;

/// Letter/digit words are cut to this many characters, in the index and in queries alike.
pub const MAX_WORD_CHARS: usize = 64;

/// Only the first this many characters of a text are indexed (a bound on the work).
pub const MAX_INDEXED_CHARS: usize = 200_000;

/// The distinct tokens of a text are cut when their bytes would exceed this: PostgreSQL
/// refuses a tsvector whose lexemes take 1 MB or more (2^20 bytes), which would fail the
/// writer's whole transaction. The text is indexed up to the run (or word) that would cross
/// it. Measured on Song poems, the densest text at hand: 100,000 characters make 762 KB of
/// distinct lexemes, 200,000 make 1.48 MB, so about 120,000 characters of poetry are indexed;
/// prose repeats more of its grams. SQLite has no such limit; the cut is the same on both so
/// that both find the same.
pub const MAX_DISTINCT_BYTES: usize = 900_000;
const _: () = assert!(MAX_DISTINCT_BYTES < 1 << 20);

/// Longest query considered, in characters (after folding); the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 100;

/// Most terms (runs) of a query; the rest are ignored.
pub const MAX_QUERY_TERMS: usize = 8;

/// Domain words the default jieba dictionary lacks.
const DOMAIN_WORDS: [&str; 12] = [
    "老干部局",
    "老干部",
    "关工委",
    "三会一课",
    "离退休干部",
    "流动党员",
    "网络党支部",
    "微心愿",
    "五老",
    "银龄",
    "主题党日",
    "老年大学",
];

/// Which query language [`match_query`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An FTS5 `MATCH` expression.
    Sqlite,
    /// `tsquery` text for `to_tsquery('simple', …)`.
    Postgres,
}

impl Backend {
    /// The backend of an open transaction.
    pub fn of(tx: &Tx) -> Self {
        match tx {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut j = Jieba::new();
        for w in DOMAIN_WORDS {
            j.add_word(w, None, None);
        }
        j
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Cjk,
    Word,
    Gap,
}

fn class(c: char) -> Class {
    match c as u32 {
        0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x323AF
        | 0x3005
        | 0x3007
        | 0x3041..=0x3096
        | 0x30A1..=0x30FA
        | 0x30FC..=0x30FF
        | 0x3105..=0x312F
        | 0xAC00..=0xD7AF => Class::Cjk,
        _ if c.is_alphanumeric() => Class::Word,
        _ => Class::Gap,
    }
}

/// Full-width ASCII (`ＡＢＣ１２`) as ASCII; everything else unchanged.
fn narrow(c: char) -> char {
    match c as u32 {
        u @ 0xFF01..=0xFF5E => char::from_u32(u - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// The folded text every token and every match is made from.
fn normalize(s: &str) -> String {
    fold(s)
        .chars()
        .map(|c| narrow(c).to_ascii_lowercase())
        .collect()
}

/// The CJK and letter/digit runs of folded text, in order.
fn runs(folded: &str) -> Vec<(Class, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, Class)> = None;
    for (i, c) in folded.char_indices() {
        let k = class(c);
        match start {
            Some((_, sk)) if sk == k => {}
            Some((s, sk)) => {
                out.push((sk, &folded[s..i]));
                start = (k != Class::Gap).then_some((i, k));
            }
            None => start = (k != Class::Gap).then_some((i, k)),
        }
    }
    if let Some((s, k)) = start {
        out.push((k, &folded[s..]));
    }
    out
}

fn clip_word(w: &str) -> &str {
    match w.char_indices().nth(MAX_WORD_CHARS) {
        Some((i, _)) => &w[..i],
        None => w,
    }
}

/// The tokens to index for `text`, separated by spaces (see the module comment).
pub fn index_tokens(text: &str) -> String {
    tokens(text, true)
}

/// [`index_tokens`], optionally without the jieba words (the benchmark compares both).
pub(crate) fn tokens(text: &str, words: bool) -> String {
    let text = match text.char_indices().nth(MAX_INDEXED_CHARS) {
        Some((i, _)) => &text[..i],
        None => text,
    };
    let folded = normalize(text);
    let mut runs = runs(&folded);
    let mut distinct = Distinct::default();
    let kept = runs
        .iter()
        .take_while(|&&(k, run)| match k {
            Class::Word => distinct.admit([clip_word(run)]),
            _ => distinct.admit(
                grams(run, MAX_GRAM_CHARS)
                    .chain(grams(run, 1))
                    .chain(grams(run, 2)),
            ),
        })
        .count();
    runs.truncate(kept);
    let mut out = String::with_capacity(folded.len() * 4);
    let mut push = |t: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(t);
    };
    for &(k, run) in &runs {
        match k {
            Class::Word => push(clip_word(run)),
            _ => grams(run, MAX_GRAM_CHARS)
                .chain(grams(run, 1))
                .for_each(&mut push),
        }
    }
    for &(k, run) in &runs {
        if k == Class::Cjk {
            grams(run, 2).for_each(&mut push);
        }
    }
    if words {
        for &(k, run) in &runs {
            if k != Class::Cjk || run.chars().count() < MIN_WORD_CHARS {
                continue;
            }
            for t in jieba().cut_for_search(run, false) {
                if t.word.chars().count() >= MIN_WORD_CHARS && distinct.admit([t.word]) {
                    push(t.word);
                }
            }
        }
    }
    out
}

/// The overlapping substrings of `n` characters of `run`, in order.
fn grams(run: &str, n: usize) -> impl Iterator<Item = &str> {
    let mut bounds: Vec<usize> = run.char_indices().map(|(i, _)| i).collect();
    bounds.push(run.len());
    (0..bounds.len().saturating_sub(n)).map(move |i| &run[bounds[i]..bounds[i + n]])
}

/// The distinct tokens of a text so far and their bytes, kept within [`MAX_DISTINCT_BYTES`].
#[derive(Default)]
struct Distinct<'a> {
    seen: std::collections::HashSet<&'a str>,
    bytes: usize,
}

impl<'a> Distinct<'a> {
    /// Takes in `tokens` when their new distinct bytes fit; otherwise takes none of them and
    /// returns false.
    fn admit(&mut self, tokens: impl IntoIterator<Item = &'a str>) -> bool {
        let mut fresh: Vec<&'a str> = tokens
            .into_iter()
            .filter(|t| !self.seen.contains(t))
            .collect();
        fresh.sort_unstable();
        fresh.dedup();
        let bytes = self.bytes + fresh.iter().map(|t| t.len()).sum::<usize>();
        if bytes > MAX_DISTINCT_BYTES {
            return false;
        }
        self.bytes = bytes;
        self.seen.extend(fresh);
        true
    }
}

/// One condition of a query; all of them must hold.
#[derive(Debug, PartialEq)]
enum Term {
    /// One to three CJK characters: the one token ([`MAX_GRAM_CHARS`]).
    Gram(String),
    /// Four or more CJK characters in a row: the phrase of their trigrams, and the run itself
    /// when it is a dictionary word (an alternative that only improves ranking).
    Phrase(Vec<String>, Option<String>),
    /// A letter/digit word, matched as a prefix.
    Prefix(String),
}

fn query_terms(q: &str) -> Vec<Term> {
    let folded: String = normalize(q).chars().take(MAX_QUERY_CHARS).collect();
    runs(&folded)
        .into_iter()
        .map(|(k, run)| match k {
            Class::Word => Term::Prefix(clip_word(run).to_string()),
            _ if run.chars().count() <= MAX_GRAM_CHARS => Term::Gram(run.to_string()),
            _ => {
                let trigrams = grams(run, MAX_GRAM_CHARS).map(str::to_string).collect();
                let word = (jieba().cut(run, false).len() == 1).then(|| run.to_string());
                Term::Phrase(trigrams, word)
            }
        })
        .take(MAX_QUERY_TERMS)
        .collect()
}

/// Whether `token` can have a recent-match list (`search::lists`): one to three CJK
/// characters, the token of a query of that many characters.
pub fn listable(token: &str) -> bool {
    let mut n = 0;
    for c in token.chars() {
        if class(c) != Class::Cjk {
            return false;
        }
        n += 1;
    }
    (1..=MAX_GRAM_CHARS).contains(&n)
}

/// The one token a query stands for, when it is a single term of one to three characters
/// (`党`, `长安`, `明月光`): such a query matches exactly the documents holding that token.
pub fn single_token(q: &str) -> Option<String> {
    match &query_terms(q)[..] {
        [Term::Gram(g)] => Some(g.clone()),
        _ => None,
    }
}

/// The number of tokens in `tokens` (space-separated, from [`index_tokens`]; what FTS5
/// counts as the document's length) and each [`listable`] token with its occurrences.
pub fn listable_counts(tokens: &str) -> (i64, Vec<(&str, i64)>) {
    let mut len = 0;
    let mut counts: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for t in tokens.split(' ').filter(|t| !t.is_empty()) {
        len += 1;
        if listable(t) {
            *counts.entry(t).or_default() += 1;
        }
    }
    let mut counts: Vec<(&str, i64)> = counts.into_iter().collect();
    counts.sort_unstable();
    (len, counts)
}

/// An FTS5 string literal: tokens never contain `"`, but quoting is what makes user input
/// inert, so it is done properly anyway.
fn fts_quote(t: &str) -> String {
    format!("\"{}\"", t.replace('"', "\"\""))
}

/// A tsquery operand.
fn ts_quote(t: &str) -> String {
    format!("'{}'", t.replace('\\', "\\\\").replace('\'', "''"))
}

/// The query for `q`: an FTS5 `MATCH` string for SQLite, `tsquery` text for
/// `to_tsquery('simple', …)` on PostgreSQL. `None` when `q` has nothing to search for
/// (empty, or only punctuation). Every piece of user input is a quoted token, so query
/// syntax typed by the user (`"`, `*`, `OR`, `-`, `(`, `:`, `&`, `!`) is just text.
pub fn match_query(q: &str, backend: Backend) -> Option<String> {
    let terms = query_terms(q);
    if terms.is_empty() {
        return None;
    }
    let parts: Vec<String> = terms
        .iter()
        .map(|t| match (backend, t) {
            (Backend::Sqlite, Term::Gram(g)) => fts_quote(g),
            (Backend::Sqlite, Term::Prefix(w)) => format!("{}*", fts_quote(w)),
            (Backend::Sqlite, Term::Phrase(b, word)) => {
                let phrase = fts_quote(&b.join(" "));
                match word {
                    Some(w) => format!("({phrase} OR {})", fts_quote(w)),
                    None => phrase,
                }
            }
            (Backend::Postgres, Term::Gram(g)) => ts_quote(g),
            (Backend::Postgres, Term::Prefix(w)) => format!("{}:*", ts_quote(w)),
            (Backend::Postgres, Term::Phrase(b, word)) => {
                let phrase = b
                    .iter()
                    .map(|g| ts_quote(g))
                    .collect::<Vec<_>>()
                    .join(" <-> ");
                match word {
                    Some(w) => format!("({phrase} | {})", ts_quote(w)),
                    None => format!("({phrase})"),
                }
            }
        })
        .collect();
    Some(parts.join(match backend {
        Backend::Sqlite => " AND ",
        Backend::Postgres => " & ",
    }))
}

mod snippet;
pub use snippet::{highlight, mark_all};

#[cfg(test)]
mod tests;
