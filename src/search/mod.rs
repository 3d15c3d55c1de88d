//! Text folding shared by every search: Traditional → Simplified (OpenCC tables via
//! ferrous-opencc), lower case, and pinyin forms of names so that staff can type `zs` or
//! `zhangsan` for 张三.

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

/// Name-search tokens of a person: each distinct character of the folded name (`c:王`),
/// every prefix of the pinyin initials (`i:w`, `i:wj`, `i:wjg`) and the full pinyin up to
/// each syllable (`p:wang`, `p:wangjian`, `p:wangjianguo`). Every query is then one exact
/// token, which the index serves in name order.
pub fn name_tokens(folded: &str, initials: &str, pinyin: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: String| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    for c in folded.chars().filter(|c| !c.is_whitespace()) {
        push(format!("c:{c}"));
    }
    for end in 1..=initials.chars().count() {
        push(format!(
            "i:{}",
            initials.chars().take(end).collect::<String>()
        ));
    }
    let mut acc = String::new();
    for syllable in pinyin_syllables(folded) {
        acc.push_str(&syllable);
        push(format!("p:{acc}"));
    }
    if !pinyin.is_empty() {
        push(format!("p:{pinyin}"));
    }
    out
}

/// The toneless pinyin of each character (Latin letters and digits kept as they are).
fn pinyin_syllables(folded: &str) -> Vec<String> {
    folded
        .chars()
        .zip(folded.to_pinyin())
        .filter_map(|(c, p)| match p {
            Some(p) => Some(p.plain().to_string()),
            None if c.is_ascii_alphanumeric() => Some(c.to_string()),
            None => None,
        })
        .collect()
}

/// The order of search results: by pinyin, then by the name itself.
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
    fn tokens_cover_characters_and_pinyin() {
        assert_eq!(
            name_tokens("王建国", "wjg", "wangjianguo"),
            vec![
                "c:王",
                "c:建",
                "c:国",
                "i:w",
                "i:wj",
                "i:wjg",
                "p:wang",
                "p:wangjian",
                "p:wangjianguo"
            ]
        );
        assert_eq!(
            name_tokens("王王", "ww", "wangwang")[..1],
            ["c:王".to_string()]
        );
        assert_eq!(prefix_end("i:zs"), "i:zt");
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escape("a%b_c\\"), "a\\%b\\_c\\\\");
    }
}
