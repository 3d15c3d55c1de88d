//! Highlighted snippets: where a query's words stand in a text, found on the folded text and
//! mapped back to the characters as written.

use super::*;

/// The folded form of each character of `text` (a character may fold to several, or to
/// none), concatenated, with the byte offset where each character's form starts.
fn aligned_fold(text: &str, chars: &[char]) -> (String, Vec<usize>) {
    // Converting the whole text uses OpenCC's phrase tables; fall back to one character at a
    // time when that changed the number of characters and so lost the alignment.
    let whole: Vec<char> = t2s()
        .map(|c| c.convert(text).chars().collect())
        .unwrap_or_default();
    let simplified: Vec<char> = if whole.len() == chars.len() {
        whole
    } else {
        chars
            .iter()
            .map(|&c| {
                let s = t2s().map(|t| t.convert(&c.to_string())).unwrap_or_default();
                let mut it = s.chars();
                match (it.next(), it.next()) {
                    (Some(one), None) => one,
                    _ => c,
                }
            })
            .collect()
    };
    let mut folded = String::with_capacity(text.len());
    let mut starts = Vec::with_capacity(chars.len());
    for c in simplified {
        starts.push(folded.len());
        for l in c.to_lowercase() {
            folded.push(narrow(l).to_ascii_lowercase());
        }
    }
    (folded, starts)
}

/// The whole of `text` as segments `(text, is_match)`, every occurrence of each of `words`
/// marked, matched in folded form (a Traditional 幹部 in the text matches 干部 in the list).
/// For showing a reviewer where the sensitive words stand.
pub fn mark_all(text: &str, words: &[String]) -> Vec<(String, bool)> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Vec::new();
    }
    let (folded, starts) = aligned_fold(text, &chars);
    let char_at = |byte: usize| starts.partition_point(|&s| s <= byte).saturating_sub(1);
    let mut hit = vec![false; chars.len()];
    for w in words {
        let needle = normalize(w);
        if needle.trim().is_empty() {
            continue;
        }
        for (b, m) in folded.match_indices(needle.as_str()) {
            let (from, to) = (char_at(b), char_at(b + m.len() - 1));
            hit[from..=to].iter_mut().for_each(|h| *h = true);
        }
    }
    let mut out: Vec<(String, bool)> = Vec::new();
    for (c, h) in chars.into_iter().zip(hit) {
        match out.last_mut() {
            Some((t, m)) if *m == h => t.push(c),
            _ => out.push((c.to_string(), h)),
        }
    }
    out
}

/// A snippet of `text` of at most `max_chars` characters around the first match of `q`,
/// as segments `(text, is_match)` of the original text (Traditional stays Traditional).
/// Runs of white space become one space; a cut end is marked with `…`. Without a match
/// the snippet is the start of the text. Templates escape each segment as usual and wrap
/// the matching ones in `<mark>`.
pub fn highlight(text: &str, q: &str, max_chars: usize) -> Vec<(String, bool)> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() || max_chars == 0 {
        return Vec::new();
    }
    let (folded, starts) = aligned_fold(text, &chars);
    let char_at = |byte: usize| starts.partition_point(|&s| s <= byte).saturating_sub(1);
    let mut hit = vec![false; chars.len()];
    let qf: String = normalize(q).chars().take(MAX_QUERY_CHARS).collect();
    for (_, needle) in runs(&qf).into_iter().take(MAX_QUERY_TERMS) {
        for (b, m) in folded.match_indices(needle) {
            let (from, to) = (char_at(b), char_at(b + m.len() - 1));
            hit[from..=to].iter_mut().for_each(|h| *h = true);
        }
    }
    let first = hit.iter().position(|&h| h).unwrap_or(0);
    let mut from = first.saturating_sub(max_chars / 4);
    let to = (from + max_chars).min(chars.len());
    from = from.min(to.saturating_sub(max_chars));
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut push = |s: &str, m: bool| match out.last_mut() {
        Some((t, lm)) if *lm == m => t.push_str(s),
        _ => out.push((s.to_string(), m)),
    };
    if from > 0 {
        push("…", false);
    }
    let mut last_space = true;
    for i in from..to {
        let c = chars[i];
        if c.is_whitespace() {
            if !last_space {
                push(" ", hit[i]);
            }
            last_space = true;
        } else {
            push(c.encode_utf8(&mut [0; 4]), hit[i]);
            last_space = false;
        }
    }
    if to < chars.len() {
        push("…", false);
    }
    out
}
