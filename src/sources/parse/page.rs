//! HTML pages: the main article text, or what an admin's CSS selector picks.

use super::{ParseError, ParseSpec};
use crate::domain::Document;
use crate::sources::charset::decode_html;

pub(super) fn parse(spec: &ParseSpec<'_>, body: &[u8]) -> Result<Document, ParseError> {
    if let Some(content_type) = spec.content_type {
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !(mime.contains("html") || mime.starts_with("text/") || mime.is_empty()) {
            return Err(ParseError::WrongContentType {
                expected: "an HTML page",
                got: mime,
            });
        }
    }
    let html = decode_html(body, spec.content_type);
    let extracted = match spec.selector {
        Some(selector) => crate::extract::with_selector(&html, selector),
        None => crate::extract::article(&html, Some(spec.url)),
    }
    .map_err(|e| ParseError::Page(e.to_string()))?;
    Ok(Document {
        item_key: spec.url.to_string(),
        url: spec.url.to_string(),
        title: extracted.title,
        published: extracted.modified.or(extracted.published),
        paragraphs: extracted.paragraphs,
        fetched_at: spec.fetched_at,
    })
}
