//! Turning extracted text or a chosen element into clean paragraphs.
//!
//! A paragraph is what sits between blank lines (extractor output) or between block-element
//! boundaries (a selected element). Whitespace inside is folded to single spaces, and invisible
//! characters that pages insert or drop between fetches (soft hyphens, zero-width spaces) are
//! removed, so that a paragraph changes only when its visible words do.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};

/// Elements that start and end a paragraph of their own.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "legend",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Elements whose content is never text a reader sees.
const HIDDEN: &[&str] = &[
    "script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "select",
];

/// Paragraphs of plain text: blocks separated by blank (or whitespace-only) lines.
pub fn split_text(text: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut block = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            push_folded(&mut paragraphs, &block);
            block.clear();
        } else {
            block.push_str(line);
            block.push('\n');
        }
    }
    push_folded(&mut paragraphs, &block);
    paragraphs
}

/// Paragraphs of an element's visible text, split at block-element boundaries.
///
/// Walks the subtree iteratively: pages can nest deeply and recursion would risk the stack.
pub fn of_element(element: ElementRef<'_>, into: &mut Vec<String>) {
    let mut current = String::new();
    let mut hidden_depth = 0usize;
    for edge in element.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) if HIDDEN.contains(&e.name()) => hidden_depth += 1,
                Node::Element(e) if hidden_depth == 0 && BLOCKS.contains(&e.name()) => {
                    push_folded(into, &current);
                    current.clear();
                }
                Node::Text(text) if hidden_depth == 0 => current.push_str(text),
                _ => {}
            },
            Edge::Close(node) => match node.value() {
                Node::Element(e) if HIDDEN.contains(&e.name()) => {
                    hidden_depth = hidden_depth.saturating_sub(1);
                }
                Node::Element(e) if hidden_depth == 0 && BLOCKS.contains(&e.name()) => {
                    push_folded(into, &current);
                    current.clear();
                }
                _ => {}
            },
        }
    }
    push_folded(into, &current);
}

/// `text` with whitespace runs folded to one space, invisible characters dropped, trimmed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(char::is_whitespace) {
        let word: String = word.chars().filter(|c| !is_invisible(*c)).collect();
        if !word.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&word);
        }
    }
    out
}

fn push_folded(paragraphs: &mut Vec<String>, text: &str) {
    let folded = fold(text);
    if !folded.is_empty() {
        paragraphs.push(folded);
    }
}

/// Soft hyphen, zero-width space/joiners, word joiner and byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    #[test]
    fn text_splits_on_blank_lines_and_folds_the_rest() {
        let text = "  First  line\ncontinues\n \n\n\tSecond\u{a0}para\u{ad}graph \n\n\n";
        assert_eq!(
            split_text(text),
            ["First line continues", "Second paragraph"]
        );
        assert!(split_text(" \n\u{200b}\n ").is_empty());
    }

    #[test]
    fn elements_split_at_blocks_but_not_inline_tags() {
        let html = Html::parse_document(
            "<div id=a>Lead <b>bold</b> text<p>One<br>Two</p><ul><li>x</li><li> </li></ul>\
             <script>var no;</script><span>tail</span></div>",
        );
        let selector = Selector::parse("#a").expect("valid selector");
        let mut out = Vec::new();
        for element in html.select(&selector) {
            of_element(element, &mut out);
        }
        assert_eq!(out, ["Lead bold text", "One", "Two", "x", "tail"]);
    }
}
