//! Parsing a page within bounds on size, nesting depth and time.
//!
//! html5ever (under scraper, rs-trafilatura and dom_smoothie alike) does scope checks that walk
//! its stack of open elements, so parsing costs O(tags × depth): 100,000 nested `<div>`s, or
//! 100,000 `<a><div></a>` (the adoption agency leaves each `<div>` open), take a minute to
//! parse; and both extractors recurse over the tree, so a few thousand levels overflow a
//! thread's stack and abort the process. A parser cannot protect itself from that, so the page
//! is fed to it in small chunks and parsing stops once the tree runs deeper than
//! [`MAX_DEPTH`]. A page that went that deep is handed to the extractors re-serialized with
//! everything below that depth lifted up to it (as browsers do at 512 levels).
//!
//! Under that cap the extractors still do work per element and per ancestor (text and link
//! density of every block, measured over its whole subtree), so their time follows the sum of
//! all elements' depths, not the page's size: 250,000 paragraphs under 250 nested `<div>`s (a
//! 5 MB page) took 10 to 15 s. That sum is held to [`NESTING_BUDGET`] the same way, by lifting the
//! deepest elements until it fits.

use std::borrow::Cow;

use ego_tree::iter::Edge;
use html5ever::tendril::{StrTendril, TendrilSink};
use scraper::{Html, HtmlTreeSink, Node};

/// Largest input considered. Herald caps response bodies at 5 MB before extraction; this keeps
/// the functions bounded when called from elsewhere.
pub const MAX_HTML_BYTES: usize = 5 * 1024 * 1024;

/// Deepest element nesting passed to the extractors. The 181 benchmark pages stay under 60;
/// debug builds overflow a 2 MiB thread stack somewhere past 1,200 levels.
pub const MAX_DEPTH: usize = 256;

/// Largest sum of element depths passed to the extractors: about 0.2 µs of their time per
/// unit, so under a second. The 181 benchmark pages stay under 24,000; a heavy news page of
/// 10,000 elements 25 deep on average would be 250,000.
pub const NESTING_BUDGET: usize = 4_000_000;

/// Bytes fed to the parser between depth checks: small enough that one chunk's tags cannot
/// run the quadratic cost up far (about 1,400 tags on top of [`MAX_DEPTH`]).
const CHUNK_BYTES: usize = 4096;

/// Elements whose text is raw: serialized without escaping.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
    "noscript",
];

/// Elements without an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// A parsed page and the HTML to give the extractors.
pub struct Page<'a> {
    pub document: Html,
    /// The input, or a depth-capped re-serialization of it when it nested too deep.
    pub source: Cow<'a, str>,
    /// Number of elements, a measure of how long extraction will take.
    pub elements: usize,
}

impl<'a> Page<'a> {
    pub fn parse(html: &'a str) -> Self {
        let html = &html[..html.floor_char_boundary(MAX_HTML_BYTES)];
        let (document, complete) = parse_bounded(html);
        let per_depth = elements_per_depth(&document);
        let (cap, elements) = depth_cap(&per_depth, MAX_DEPTH, NESTING_BUDGET);
        let deepest = per_depth.len().saturating_sub(1);
        let source = if complete && cap >= deepest {
            Cow::Borrowed(html)
        } else {
            tracing::debug!(deepest, cap, complete, "page nests too deep, flattened");
            Cow::Owned(serialize_flattened(&document, cap))
        };
        Page {
            document,
            source,
            elements,
        }
    }
}

/// Parses chunk by chunk; stops early (returning `false`) when the newest node is too deep.
fn parse_bounded(html: &str) -> (Html, bool) {
    let mut parser = html5ever::driver::parse_document(
        HtmlTreeSink::new(Html::new_document()),
        html5ever::ParseOpts::default(),
    );
    let mut rest = html;
    while !rest.is_empty() {
        // A chunk of 4096 bytes backs off at most 3 to a boundary, so it is never empty.
        let chunk = &rest[..rest.floor_char_boundary(CHUNK_BYTES)];
        rest = &rest[chunk.len()..];
        parser.process(StrTendril::from_slice(chunk));
        if !rest.is_empty() && newest_node_depth(&parser.tokenizer.sink.sink.0.borrow()) > MAX_DEPTH
        {
            return (parser.finish(), false);
        }
    }
    (parser.finish(), true)
}

fn newest_node_depth(document: &Html) -> usize {
    document
        .tree
        .nodes()
        .next_back()
        .map_or(0, |node| node.ancestors().count())
}

/// How many elements sit at each depth (index 0 is the document, always 0), walking the tree
/// without recursion.
fn elements_per_depth(document: &Html) -> Vec<usize> {
    let mut per_depth = vec![0];
    let mut depth = 0usize;
    for edge in document.tree.root().traverse() {
        match edge {
            Edge::Open(node) if node.value().is_element() => {
                depth += 1;
                if per_depth.len() <= depth {
                    per_depth.push(0);
                }
                per_depth[depth] += 1;
            }
            Edge::Close(node) if node.value().is_element() => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    per_depth
}

/// The deepest depth to keep, at most `max_depth`, such that the elements down to it have
/// depths summing to no more than `budget`; and how many elements that keeps.
fn depth_cap(per_depth: &[usize], max_depth: usize, budget: usize) -> (usize, usize) {
    let (mut sum, mut kept) = (0usize, 0usize);
    for (depth, &count) in per_depth.iter().enumerate().take(max_depth + 1) {
        let cost = depth.saturating_mul(count);
        if sum.saturating_add(cost) > budget {
            return (depth.saturating_sub(1), kept);
        }
        sum += cost;
        kept += count;
    }
    (max_depth.min(per_depth.len().saturating_sub(1)), kept)
}

/// HTML for the tree with the tags of elements deeper than `max_depth` left out (their content
/// stays, lifted into the deepest kept ancestor). Comments are dropped.
fn serialize_flattened(document: &Html, max_depth: usize) -> String {
    let mut out = String::from("<!DOCTYPE html>");
    let mut depth = 0usize;
    let mut raw_depth = 0usize;
    for edge in document.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(element) => {
                    depth += 1;
                    raw_depth += usize::from(RAW_TEXT.contains(&element.name()));
                    if depth <= max_depth {
                        out.push('<');
                        out.push_str(element.name());
                        for (name, value) in element.attrs() {
                            out.push(' ');
                            out.push_str(name);
                            out.push_str("=\"");
                            escape_into(&mut out, value, true);
                            out.push('"');
                        }
                        out.push('>');
                    }
                }
                Node::Text(text) if raw_depth > 0 => out.push_str(text),
                Node::Text(text) => escape_into(&mut out, text, false),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(element) = node.value() {
                    if depth <= max_depth && !VOID.contains(&element.name()) {
                        out.push_str("</");
                        out.push_str(element.name());
                        out.push('>');
                    }
                    raw_depth -= usize::from(RAW_TEXT.contains(&element.name()));
                    depth = depth.saturating_sub(1);
                }
            }
        }
    }
    out
}

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' if !attribute => out.push_str("&lt;"),
            '>' if !attribute => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_pass_unchanged() {
        let html = "<html><body><div><p>one<p>two<ul><li>a<li>b</ul><br><img src=x></div>";
        let page = Page::parse(html);
        assert!(matches!(page.source, Cow::Borrowed(_)));
        assert!(page.elements >= 10);
    }

    #[test]
    fn runaway_nesting_is_flattened_and_parsing_stops() {
        for open in ["<div>", "<a href=x><div>x</a>", "<div><table><td></div>"] {
            let html = format!("<body><p>start</p>{}text", open.repeat(50_000));
            let page = Page::parse(&html);
            assert!(matches!(page.source, Cow::Owned(_)), "{open}");
            let reparsed = Page::parse(&page.source);
            assert!(matches!(reparsed.source, Cow::Borrowed(_)), "{open}");
            assert!(page.source.contains("<p>start</p>"), "{open}");
        }
    }

    #[test]
    fn deep_and_wide_pages_are_flattened_to_the_nesting_budget() {
        // 250 levels over 40,000 paragraphs: under the depth cap, but 10 million in depths.
        let html = format!(
            "<body>{}{}<p>last words",
            "<div class=c>".repeat(250),
            "<p>more text here</p>".repeat(40_000)
        );
        let page = Page::parse(&html);
        assert!(matches!(page.source, Cow::Owned(_)));
        let per_depth = elements_per_depth(&Html::parse_document(&page.source));
        let sum: usize = per_depth.iter().enumerate().map(|(d, n)| d * n).sum();
        assert!(sum <= NESTING_BUDGET, "{sum}");
        assert_eq!(page.elements, per_depth.iter().sum::<usize>());
        // The divs stay; the paragraphs below them are lifted, their text kept.
        assert!(page.source.contains(&"<div class=\"c\">".repeat(250)));
        assert!(!page.source.contains("<p>"));
        assert_eq!(page.source.matches("more text here").count(), 40_000);
        assert!(page.source.contains("last words"));
        let reparsed = Page::parse(&page.source);
        assert!(matches!(reparsed.source, Cow::Borrowed(_)));

        // As many paragraphs at an ordinary depth pass unchanged.
        let wide = format!(
            "<body><div>{}</div>",
            "<p>more text here</p>".repeat(40_000)
        );
        assert!(matches!(Page::parse(&wide).source, Cow::Borrowed(_)));
    }

    #[test]
    fn depth_cap_keeps_the_deepest_level_that_fits() {
        // One element at each of depths 1..=3, then 100 at depth 4 (sum 6 + 400).
        let per_depth = [0, 1, 1, 1, 100];
        assert_eq!(depth_cap(&per_depth, 256, 406), (4, 103));
        assert_eq!(depth_cap(&per_depth, 256, 405), (3, 3));
        assert_eq!(depth_cap(&per_depth, 2, 1_000), (2, 2));
        assert_eq!(depth_cap(&per_depth, 256, 0), (0, 0));
        assert_eq!(depth_cap(&[0], 256, 10), (0, 0));
    }

    #[test]
    fn flattening_keeps_text_attributes_and_raw_scripts() {
        let html = format!(
            "<body>{}<p title='a\"b'>x &amp; &lt;y&gt;</p><script>if (a<b) {{}}</script>",
            "<div>".repeat(MAX_DEPTH + 5)
        );
        let flat = serialize_flattened(&Html::parse_document(&html), MAX_DEPTH);
        assert!(flat.contains("x &amp; &lt;y&gt;"));
        assert!(flat.contains("if (a<b) {}"));
        assert!(
            !flat.contains("<p title"),
            "deeper than the cap: tag lifted"
        );
        let shallow = serialize_flattened(&Html::parse_document(&html), 2 * MAX_DEPTH);
        assert!(shallow.contains(r#"<p title="a&quot;b">"#));
    }

    #[test]
    fn size_cut_respects_char_boundaries() {
        // "<p>" puts every "é" on odd offsets, so the even size limit falls inside one.
        let html = format!("<p>{}", "é".repeat(MAX_HTML_BYTES / 2));
        let page = Page::parse(&html);
        let text: String = page.document.root_element().text().collect();
        assert_eq!(text.chars().count(), (MAX_HTML_BYTES - 3) / 2);
    }

    #[test]
    fn multibyte_text_is_chunked_on_boundaries() {
        let html = format!("<p>{}</p>", "日本語のテキスト。".repeat(2000));
        let page = Page::parse(&html);
        let text: String = page.document.root_element().text().collect();
        assert_eq!(text, "日本語のテキスト。".repeat(2000));
    }
}
