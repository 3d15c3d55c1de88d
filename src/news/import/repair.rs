//! Repairs of the damage common in text scraped from Chinese news sites, each one reported:
//! pinyin glosses after characters (設(shè)計 → 設計), doubled or mixed punctuation (`，，`,
//! `，。`), half-width punctuation inside Chinese text, stray page furniture lines (举报 links,
//! "（资料图）", an empty "关键词："), and runs of replacement characters, which are marked
//! for a person to check rather than guessed at.

use regex::Regex;
use std::sync::OnceLock;

/// One kind of repair and how often it was made.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Repair {
    /// pinyin_gloss, doubled_punctuation, halfwidth_punctuation, page_furniture,
    /// replacement_chars.
    pub kind: String,
    pub count: usize,
    /// Up to five examples of what was changed.
    pub examples: Vec<String>,
}

/// Repaired text and what was done to it.
#[derive(Clone, Debug)]
pub struct Repaired {
    pub text: String,
    pub repairs: Vec<Repair>,
}

/// Where replacement characters were; a person must look at the original there.
pub const CHECK_MARK: &str = "【待核：此处原文乱码】";

/// A fixed pattern, compiled once.
pub(super) fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a fixed pattern compiles"))
}

fn pinyin_gloss() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    // A Han character, then a bracketed pinyin syllable that carries a tone mark (plain words
    // in brackets such as (AI) or (试行) are left alone).
    re(
        &R,
        r"(\p{Han})[(（]\s*([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ][a-zü]*)\s*[)）]",
    )
}

fn furniture_line() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"^\s*(?:[\[【(（]?\s*(?:举报|我要举报|举报/反馈|举报反馈|违法和不良信息举报)\s*[\]】)）]?|关键词\s*[:：]\s*|[(（]\s*资料图\s*[)）]|[(（]\s*图片来源[:：]?\s*网络\s*[)）]|返回搜狐，查看更多|责任编辑\s*[:：]\s*)\s*$",
    )
}

fn furniture_inline() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"[(（]\s*资料图\s*[)）]")
}

fn doubled() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    // Runs of Chinese or ASCII sentence punctuation: the strongest mark wins.
    re(&R, r"[，,、；;：:。.！!？?]{2,}")
}

fn halfwidth() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    // ASCII punctuation right after a Han character; see `stays_ascii` for what is kept.
    re(&R, r"(\p{Han})([,;:?!.])")
}

fn blank_run() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"\n(?:[ \t]*\n){2,}")
}

fn numbering() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    // A Chinese numeral opening a line with an ASCII full stop or comma: section numbering
    // ("一.指导思想"), which Chinese writes with a 、.
    re(&R, r"(?m)^(\s*[一二三四五六七八九十百零]{1,4})[.,]")
}

fn replacement_run() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"\u{FFFD}+")
}

fn tags() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"<[^>]*>")
}

struct Tally {
    repairs: Vec<Repair>,
}

impl Tally {
    fn add(&mut self, kind: &str, example: String) {
        match self.repairs.iter_mut().find(|r| r.kind == kind) {
            Some(r) => {
                r.count += 1;
                if r.examples.len() < 5 {
                    r.examples.push(example);
                }
            }
            None => self.repairs.push(Repair {
                kind: kind.to_string(),
                count: 1,
                examples: vec![example],
            }),
        }
    }
}

/// The mark that stands for a run of punctuation: full stop over question and exclamation
/// marks over semicolon and colon over comma; Chinese forms.
fn strongest(run: &str) -> &'static str {
    let has = |cs: &[char]| run.chars().any(|c| cs.contains(&c));
    if has(&['。', '.']) {
        "。"
    } else if has(&['？', '?']) {
        "？"
    } else if has(&['！', '!']) {
        "！"
    } else if has(&['；', ';']) {
        "；"
    } else if has(&['：', ':']) {
        "："
    } else if has(&['、']) && !has(&['，', ',']) {
        "、"
    } else {
        "，"
    }
}

fn fullwidth(c: &str) -> &'static str {
    match c {
        "," => "，",
        ";" => "；",
        "." => "。",
        ":" => "：",
        "?" => "？",
        _ => "！",
    }
}

/// Repairs scraped text (plain text or HTML; markup is left as it is).
/// Whether a line (its visible text) is page furniture that the repairs drop.
pub fn is_furniture(line: &str) -> bool {
    let visible = tags().replace_all(line, "");
    !visible.trim().is_empty() && furniture_line().is_match(&visible)
}

pub fn repair(input: &str) -> Repaired {
    let mut t = Tally {
        repairs: Vec::new(),
    };
    // Page furniture: whole lines whose visible text is only furniture.
    let mut lines = Vec::new();
    for line in input.lines() {
        let visible = tags().replace_all(line, "");
        if !visible.trim().is_empty() && furniture_line().is_match(&visible) {
            t.add("page_furniture", visible.trim().to_string());
            continue;
        }
        lines.push(line);
    }
    // A dropped line between paragraphs leaves its blank lines behind: keep one.
    let mut text = blank_run()
        .replace_all(&lines.join("\n"), "\n\n")
        .into_owned();
    let inline: Vec<String> = furniture_inline()
        .find_iter(&text)
        .map(|m| m.as_str().to_string())
        .collect();
    for m in inline {
        t.add("page_furniture", m);
    }
    text = furniture_inline().replace_all(&text, "").into_owned();

    let glosses: Vec<String> = pinyin_gloss()
        .find_iter(&text)
        .map(|m| m.as_str().to_string())
        .collect();
    for g in glosses {
        t.add("pinyin_gloss", g);
    }
    text = pinyin_gloss().replace_all(&text, "$1").into_owned();

    let numbered: Vec<String> = numbering()
        .find_iter(&text)
        .map(|m| m.as_str().trim().to_string())
        .collect();
    for n in numbered {
        t.add("halfwidth_punctuation", n);
    }
    text = numbering().replace_all(&text, "$1、").into_owned();

    let half: Vec<String> = halfwidth()
        .captures_iter(&text)
        .filter(|c| !stays_ascii(&c[2], &text[c.get(0).map_or(0, |m| m.end())..]))
        .map(|c| c[0].to_string())
        .collect();
    for h in &half {
        t.add("halfwidth_punctuation", h.clone());
    }
    let before = text.clone();
    text = halfwidth()
        .replace_all(&before, |c: &regex::Captures| {
            let end = c.get(0).map_or(0, |m| m.end());
            if stays_ascii(&c[2], &before[end..]) {
                c[0].to_string()
            } else {
                format!("{}{}", &c[1], fullwidth(&c[2]))
            }
        })
        .into_owned();

    let runs: Vec<String> = doubled()
        .find_iter(&text)
        .filter(|m| !is_ellipsis(m.as_str()))
        .map(|m| m.as_str().to_string())
        .collect();
    for r in &runs {
        t.add("doubled_punctuation", r.clone());
    }
    text = doubled()
        .replace_all(&text, |c: &regex::Captures| {
            let run = &c[0];
            if is_ellipsis(run) {
                run.to_string()
            } else {
                strongest(run).to_string()
            }
        })
        .into_owned();

    let bad: Vec<String> = replacement_run()
        .find_iter(&text)
        .map(|m| m.as_str().to_string())
        .collect();
    for b in bad {
        t.add("replacement_chars", b);
    }
    text = replacement_run()
        .replace_all(&text, CHECK_MARK)
        .into_owned();

    Repaired {
        text,
        repairs: t.repairs,
    }
}

/// Whether the ASCII mark `mark` after a Han character stays as it is, given the text after
/// it: before a digit (`第3,500`), and a full stop before another one (an ellipsis, `...`)
/// or before Latin letters (`新华网.com`).
fn stays_ascii(mark: &str, rest: &str) -> bool {
    rest.starts_with(|c: char| c.is_ascii_digit())
        || (mark == "." && rest.starts_with(|c: char| c == '.' || c.is_ascii_alphabetic()))
}

/// `...` and `。。。` are ellipses, kept as written.
fn is_ellipsis(run: &str) -> bool {
    run.chars().count() >= 3 && (run.chars().all(|c| c == '.') || run.chars().all(|c| c == '。'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(r: &Repaired) -> Vec<(&str, usize)> {
        r.repairs
            .iter()
            .map(|x| (x.kind.as_str(), x.count))
            .collect()
    }

    #[test]
    fn pinyin_glosses_are_removed_but_plain_brackets_stay() {
        let r = repair("这次會(huì)議討論了設(shè)計方案（试行）和AI(人工智能)。");
        assert_eq!(r.text, "这次會議討論了設計方案（试行）和AI(人工智能)。");
        assert_eq!(kinds(&r), [("pinyin_gloss", 2)]);
        let r = repair("老干部（lǎo）活动中心");
        assert_eq!(r.text, "老干部活动中心");
    }

    #[test]
    fn doubled_and_mixed_punctuation_is_cleaned() {
        let r = repair("今天,,天气很好，。大家都来了！！明天见。。。");
        assert_eq!(r.text, "今天，天气很好。大家都来了！明天见。。。");
        assert_eq!(
            kinds(&r),
            [("halfwidth_punctuation", 1), ("doubled_punctuation", 3)]
        );
    }

    #[test]
    fn halfwidth_punctuation_in_chinese_becomes_fullwidth_but_numbers_stay() {
        let r = repair("会议决定:明年继续开展;参加者有3,500人?");
        assert_eq!(r.text, "会议决定：明年继续开展；参加者有3,500人？");
        let r = repair("一.指导思想\n二,工作目标\n实现统一.会后散会");
        assert_eq!(r.text, "一、指导思想\n二、工作目标\n实现统一。会后散会");
        let r = repair("会议圆满结束.下午参观.见新华网.com,详情待续...");
        assert_eq!(r.text, "会议圆满结束。下午参观。见新华网.com,详情待续...");
        let r = repair("Version 2.5, English text: untouched.");
        assert!(r.repairs.is_empty());
        assert_eq!(r.text, "Version 2.5, English text: untouched.");
    }

    #[test]
    fn page_furniture_lines_are_dropped() {
        let r = repair(
            "标题\n（资料图）\n正文第一段。\n关键词：\n关键词：老干部\n[举报]\n<p>举报</p>\n责任编辑：\n正文（资料图）第二段。",
        );
        assert_eq!(r.text, "标题\n正文第一段。\n关键词：老干部\n正文第二段。");
        assert_eq!(kinds(&r), [("page_furniture", 6)]);
    }

    #[test]
    fn replacement_characters_are_marked_for_a_person() {
        let r = repair("老人们\u{FFFD}\u{FFFD}\u{FFFD}很高兴。");
        assert_eq!(r.text, format!("老人们{CHECK_MARK}很高兴。"));
        assert_eq!(kinds(&r), [("replacement_chars", 1)]);
    }

    #[test]
    fn clean_text_is_left_alone() {
        let text = "重阳节当天，县委老干部局组织离退休干部登高望远。活动结束后，大家合影留念。";
        let r = repair(text);
        assert_eq!(r.text, text);
        assert!(r.repairs.is_empty());
    }
}
