//! The article-body extractors and the rule that chooses between them.
//!
//! rs-trafilatura is the primary: on the Scrapinghub article-extraction benchmark (181 news
//! pages, copied to `tests/data/article-extraction/`) it scores micro F1 0.959 against
//! dom_smoothie's 0.961 and per-page F1 0.957 against 0.951. Its misses are of one kind:
//! when its main pass finds too little it takes a recovery path (the whole JSON-LD
//! `articleBody`, a page-wide fallback, a multi-section merge) and that path sometimes pulls in
//! teaser lists and related headlines, exactly the volatile text that would make Herald report
//! changes that are not news. It says so in its warnings. In that case, and when it fails,
//! dom_smoothie (a readability port) gives a second opinion, and the shorter non-empty body
//! wins. On the benchmark that changes 10 of 181 pages, each for the better, and lifts micro
//! F1 to 0.976 (per-page 0.967).

use super::ExtractError;
use super::paragraphs::split_text;

/// Warning prefixes of rs-trafilatura's recovery paths (see `extract.rs` in the crate, 0.2.2).
/// Should a new version reword them, the rule stops firing and the benchmark test in
/// `tests/extraction.rs` drops below its floor.
const RECOVERY_WARNINGS: &[&str] = &[
    "Content extraction failed",
    "Used fallback extraction",
    "Used multi-candidate merge",
    "Used repeated-item collection",
    "Using JSON-LD",
    "Using Discourse",
];

/// Pages with more elements than this go to dom_smoothie alone. rs-trafilatura costs about
/// 18 µs per element in release builds (seven seconds for a 5 MB page of 400,000 `<div>`s),
/// dom_smoothie about 2 µs; news pages have a few thousand elements.
const PRIMARY_MAX_ELEMENTS: usize = 40_000;

/// Paragraphs of the page's main text, from the extractor the rules above pick.
pub fn main_text(
    html: &str,
    url: Option<&url::Url>,
    elements: usize,
) -> Result<Vec<String>, ExtractError> {
    let primary = if elements <= PRIMARY_MAX_ELEMENTS {
        trafilatura(html, url)
    } else {
        tracing::debug!(
            elements,
            "page too large for rs-trafilatura, dom_smoothie only"
        );
        None
    };
    let needs_second_opinion = primary.as_ref().is_none_or(|p| p.recovered);
    let chosen = if needs_second_opinion {
        let second = smoothie(html, url);
        match (primary, second) {
            (Some(p), Some(s)) if word_count(&s) < word_count(&p.paragraphs) => s,
            (Some(p), _) => p.paragraphs,
            (None, Some(s)) => s,
            (None, None) => Vec::new(),
        }
    } else {
        primary.map(|p| p.paragraphs).unwrap_or_default()
    };
    if chosen.is_empty() {
        Err(ExtractError::NoArticle)
    } else {
        Ok(chosen)
    }
}

struct Primary {
    paragraphs: Vec<String>,
    /// The result came from a recovery path rather than the main pass.
    recovered: bool,
}

fn trafilatura(html: &str, url: Option<&url::Url>) -> Option<Primary> {
    let options = rs_trafilatura::Options {
        url: url.map(url::Url::to_string),
        ..rs_trafilatura::Options::default()
    };
    match rs_trafilatura::extract_with_options(html, &options) {
        Ok(result) => {
            let recovered = result
                .warnings
                .iter()
                .any(|w| RECOVERY_WARNINGS.iter().any(|r| w.starts_with(r)));
            let paragraphs = split_text(&result.content_text);
            (!paragraphs.is_empty()).then_some(Primary {
                paragraphs,
                recovered,
            })
        }
        Err(error) => {
            tracing::debug!(%error, "rs-trafilatura found no article");
            None
        }
    }
}

fn smoothie(html: &str, url: Option<&url::Url>) -> Option<Vec<String>> {
    let config = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..dom_smoothie::Config::default()
    };
    // dom_smoothie rejects relative or odd URLs; they only help resolve links, so drop them.
    let url = url.map(url::Url::as_str).filter(|u| u.starts_with("http"));
    let parsed = dom_smoothie::Readability::new(html, url, Some(config.clone()))
        .or_else(|_| dom_smoothie::Readability::new(html, None, Some(config)))
        .and_then(|mut readability| readability.parse());
    match parsed {
        Ok(article) => Some(split_text(&article.text_content)).filter(|p| !p.is_empty()),
        Err(error) => {
            tracing::debug!(%error, "dom_smoothie found no article");
            None
        }
    }
}

fn word_count(paragraphs: &[String]) -> usize {
    paragraphs
        .iter()
        .map(|p| p.split_whitespace().count())
        .sum()
}
