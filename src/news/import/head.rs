//! The head of an imported plain-text file. Reposts often begin with page furniture, a
//! source line ("本文转自：人民日报客户端") and the writer's name ("朱巨耀", "□ 忻州市委组织部
//! 副部长… 王志荣", "〉〉〉〉〉 黄欢") before the text, with or without a title line. These are
//! read into the source and byline fields, and the title is the title line when there is
//! one; when there is none, the caller gives a provisional title and says so.

use super::repair::re;
use regex::Regex;
use std::sync::OnceLock;

/// What the head of a file held, and the rest of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    pub title: Option<String>,
    pub source: Option<String>,
    pub byline: Option<String>,
    /// The text after the head (page furniture found in the head stays at its top, for the
    /// repairs to drop and report).
    pub body: String,
}

/// Lines of the head looked at before the text is taken to have begun.
const HEAD_LINES: usize = 8;

/// "本文转自：人民日报客户端", "来源: 新华网".
fn source_line() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"^(?:本文)?(?:转自|转载自|来源|来自|稿源|文章来源|信息来源)\s*[:：]\s*(\S.{0,58})$",
    )
}

/// "作者：王志荣", "文/黄欢", "记者 李明".
fn named_byline() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"^(?:作者|文|撰文|文字|记者|通讯员)\s*[:：/｜|\s]\s*(\S.{0,38})$",
    )
}

/// A byline set off by marks: "□ 忻州市委组织部副部长… 王志荣", "〉〉〉〉〉 黄欢".
fn marked_byline() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"^[□■◇◆◎●○〉>》»▶►]+\s*(\S.{0,38})$")
}

/// A name alone on its line: two to four Chinese characters.
fn bare_name() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"^\p{Han}{2,4}$")
}

/// Whether a line reads as a title: short, and not a sentence.
fn looks_like_title(line: &str) -> bool {
    let n = line.chars().count();
    (5..=40).contains(&n) && !line.ends_with(['。', '！', '？', '；', '…', '”', '.', '!', '?', ';'])
}

/// Reads the head of `text`; `is_furniture` tells page furniture lines (the repairs' rule).
pub fn read(text: &str, is_furniture: impl Fn(&str) -> bool) -> Head {
    let mut head = Head::default();
    let mut furniture = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut seen = 0;
    let mut at = 0;
    while at < lines.len() && seen < HEAD_LINES {
        let line = lines[at].trim();
        if line.is_empty() {
            at += 1;
            continue;
        }
        seen += 1;
        if is_furniture(line) {
            furniture.push(lines[at]);
        } else if let Some(c) = source_line()
            .captures(line)
            .filter(|_| head.source.is_none())
        {
            head.source = Some(c[1].trim().to_string());
        } else if let Some(c) = named_byline()
            .captures(line)
            .or_else(|| marked_byline().captures(line))
            .filter(|_| head.byline.is_none())
        {
            head.byline = Some(c[1].trim().to_string());
        } else if head.byline.is_none() && bare_name().is_match(line) {
            head.byline = Some(line.to_string());
        } else if head.title.is_none() && looks_like_title(line) {
            head.title = Some(line.to_string());
        } else {
            break;
        }
        at += 1;
    }
    let rest = lines[at..].join("\n");
    head.body = if furniture.is_empty() {
        rest.trim().to_string()
    } else {
        format!("{}\n\n{}", furniture.join("\n"), rest.trim())
    };
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    fn furniture(l: &str) -> bool {
        l == "(资料图)" || l == "（资料图）"
    }

    #[test]
    fn a_repost_without_a_title_line() {
        let h = read(
            "(资料图)\n本文转自:人民日报客户端\n朱巨耀\n\n我的家乡在太行山下，那里的老人们……\n\n第二段。",
            furniture,
        );
        assert_eq!(h.title, None);
        assert_eq!(h.source.as_deref(), Some("人民日报客户端"));
        assert_eq!(h.byline.as_deref(), Some("朱巨耀"));
        assert!(h.body.starts_with("(资料图)\n\n我的家乡"), "{}", h.body);
        assert!(h.body.ends_with("第二段。"));
    }

    #[test]
    fn marked_bylines_are_not_titles() {
        let h = read(
            "□ 忻州市委组织部副部长… 王志荣\n\n初冬时节，走进忻州的村落，处处可见老党员的身影。",
            furniture,
        );
        assert_eq!(h.title, None);
        assert_eq!(h.byline.as_deref(), Some("忻州市委组织部副部长… 王志荣"));
        let h = read(
            "〉〉〉〉〉 黄欢\n老干部宣讲团走进校园\n\n十月的一天，宣讲团来到第三中学。",
            furniture,
        );
        assert_eq!(h.byline.as_deref(), Some("黄欢"));
        assert_eq!(h.title.as_deref(), Some("老干部宣讲团走进校园"));
        assert_eq!(h.body, "十月的一天，宣讲团来到第三中学。");
    }

    #[test]
    fn a_plain_file_keeps_its_title_line() {
        let h = read(
            "重阳节登高活动圆满举行\n来源：县老干部局\n作者：李明\n\n九月初九，百余名老同志登上凤凰山。",
            furniture,
        );
        assert_eq!(h.title.as_deref(), Some("重阳节登高活动圆满举行"));
        assert_eq!(h.source.as_deref(), Some("县老干部局"));
        assert_eq!(h.byline.as_deref(), Some("李明"));
        assert_eq!(h.body, "九月初九，百余名老同志登上凤凰山。");
    }

    #[test]
    fn the_text_is_never_taken_for_a_head() {
        let text = "九月初九，百余名老同志登上凤凰山，共庆佳节。\n第二段。";
        let h = read(text, furniture);
        assert_eq!(h.title, None);
        assert_eq!(h.byline, None);
        assert_eq!(h.body, text);
    }
}
