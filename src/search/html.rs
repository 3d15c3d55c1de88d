//! The plain text of sanitised HTML, for the search index and result snippets: what a reader
//! sees, without tags, Markdown marks or escaped entities (`&amp;` is `&`). html5ever's
//! tokenizer reads the HTML; a block element (paragraph, heading, list item, line break …)
//! starts a new line, so words of two paragraphs never run together.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer};
use std::cell::RefCell;

/// Elements after whose start or end the text continues on a new line.
const BLOCKS: [&str; 22] = [
    "address",
    "article",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "p",
    "pre",
    "section",
    "td",
    "tr",
];

struct Collect(RefCell<String>);

impl TokenSink for Collect {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut out = self.0.borrow_mut();
        match token {
            Token::CharacterTokens(t) => out.push_str(&t),
            Token::TagToken(tag)
                if BLOCKS.contains(&&*tag.name) && !out.is_empty() && !out.ends_with('\n') =>
            {
                out.push('\n');
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// The text of `html` (an article body as [`render_body`](crate::news::model::render_body)
/// made it), one line per block, trimmed.
pub fn text_of(html: &str) -> String {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tok = Tokenizer::new(Collect(RefCell::new(String::new())), Default::default());
    let _ = tok.feed(&input);
    tok.end();
    tok.sink.0.take().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::text_of;

    #[test]
    fn tags_go_entities_are_decoded_blocks_break_lines() {
        assert_eq!(
            text_of(
                "<h1>重阳</h1><p><strong>敬老</strong>爱老 &amp; 助老</p><ul><li>一</li><li>二</li></ul>"
            ),
            "重阳\n敬老爱老 & 助老\n一\n二"
        );
        assert_eq!(text_of("第一行<br>第二行"), "第一行\n第二行");
        assert_eq!(text_of(""), "");
        assert_eq!(text_of("没有标签 < 也不怕"), "没有标签 < 也不怕");
    }
}
