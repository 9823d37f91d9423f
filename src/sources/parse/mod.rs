//! Turning a fetched body into documents, by source kind. Pure: no I/O, so it can be fuzzed.

mod feed;
mod json;
mod page;
pub mod timestamp;

use chrono::{DateTime, Utc};

pub use feed::FeedLinks;

use crate::domain::{Document, JsonFields, SourceKind};

/// What a source's body held.
#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<Document>,
    /// WebSub links a feed advertises.
    pub links: FeedLinks,
}

/// Why a body could not be read, worded for the source's status line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("invalid XML at line {line}: {reason}")]
    Xml { line: usize, reason: String },
    #[error("not a feed: {0}")]
    NotAFeed(String),
    #[error("invalid JSON at line {line}, column {column}: {reason}")]
    Json {
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("no items at {0}")]
    NoItems(String),
    #[error("expected {expected}, got {got}")]
    WrongContentType { expected: &'static str, got: String },
    #[error("{0}")]
    Page(String),
}

/// How to read one source's body.
#[derive(Debug, Clone)]
pub struct ParseSpec<'a> {
    pub kind: SourceKind,
    pub url: &'a url::Url,
    pub content_type: Option<&'a str>,
    pub selector: Option<&'a str>,
    pub json: Option<&'a JsonFields>,
    pub fetched_at: DateTime<Utc>,
}

pub fn parse(spec: &ParseSpec<'_>, body: &[u8]) -> Result<Parsed, ParseError> {
    match spec.kind {
        SourceKind::Feed => feed::parse(spec, body),
        SourceKind::Page => page::parse(spec, body).map(|document| Parsed {
            documents: vec![document],
            ..Parsed::default()
        }),
        SourceKind::Json => json::parse(spec, body).map(|documents| Parsed {
            documents,
            ..Parsed::default()
        }),
    }
}

/// Paragraphs of an HTML fragment (a feed item's content or summary).
pub fn fragment_paragraphs(html: &str) -> Vec<String> {
    if !html.contains('<') {
        return crate::domain::paragraphs(&html_escape_decode(html));
    }
    let page = format!("<html><body>{html}</body></html>");
    crate::extract::with_selector(&page, "body")
        .map(|e| e.paragraphs)
        .unwrap_or_default()
}

/// Plain-text fields may still carry entities such as `&amp;`.
fn html_escape_decode(text: &str) -> String {
    quick_xml::escape::unescape(text)
        .map(|t| t.into_owned())
        .unwrap_or_else(|_| text.to_owned())
}

/// The 1-based line of a byte offset.
fn line_of(body: &[u8], offset: usize) -> usize {
    1 + body[..offset.min(body.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}
