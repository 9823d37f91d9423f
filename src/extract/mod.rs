//! Main-text extraction of news pages: the article body as paragraphs, plus title and dates.
//!
//! Pure functions over an HTML string, no I/O. Two ways in:
//! - [`article`] finds the article body by itself (rs-trafilatura, with dom_smoothie as the
//!   second opinion where rs-trafilatura is known to over-reach; see [`engine`]);
//! - [`with_selector`] takes the elements an admin pointed at with a CSS selector.
//!
//! Every page is first parsed within bounds by [`page`], because the HTML parsers under both
//! extractors take time quadratic in nesting depth and recurse deep enough to overflow the
//! stack on hostile pages; a page must never take a worker down.

mod dates;
mod engine;
mod metadata;
mod page;
mod paragraphs;
mod selector;

use chrono::{DateTime, Utc};

pub use selector::{check_selector, with_selector};

/// What Herald keeps of a page: the text that a story update can change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// Headline: `og:title`, else the first `<h1>`, else `<title>`.
    pub title: Option<String>,
    /// Body paragraphs in page order: trimmed, whitespace folded, none empty.
    pub paragraphs: Vec<String>,
    /// When the page says the article was first published.
    pub published: Option<DateTime<Utc>>,
    /// When the page says the article was last changed.
    pub modified: Option<DateTime<Utc>>,
}

/// Why no text came out of a page. Messages are safe to show to the admin who set the source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// Neither extractor found an article body on the page.
    #[error("no article text found on the page")]
    NoArticle,
    /// The CSS selector does not parse (or is unreasonably long).
    #[error("invalid CSS selector: {0}")]
    InvalidSelector(String),
    /// The selector parses but matches no element with text on this page.
    #[error("selector {0:?} matched no text on the page")]
    NothingMatched(String),
}

/// Main text of an article page (the chosen extractor). `url` helps resolve and score.
pub fn article(html: &str, url: Option<&url::Url>) -> Result<Extracted, ExtractError> {
    let page = page::Page::parse(html);
    let paragraphs = engine::main_text(&page.source, url, page.elements)?;
    let meta = metadata::Metadata::of_document(&page.document);
    Ok(Extracted {
        title: meta.title,
        paragraphs,
        published: meta.published,
        modified: meta.modified,
    })
}
