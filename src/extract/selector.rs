//! Extraction by an admin-given CSS selector, and the check of such a selector at the edge.

use std::collections::HashSet;

use scraper::Selector;

use super::metadata::Metadata;
use super::page::Page;
use super::{ExtractError, Extracted, paragraphs};

/// Longest selector accepted. Real ones are a few dozen characters; the cap also bounds how
/// deeply `:is(:not(...))` can nest in the selector parser.
const MAX_SELECTOR_LEN: usize = 512;

/// Checks a selector at the edge (admin API) without a page.
pub fn check_selector(selector: &str) -> Result<(), ExtractError> {
    parse(selector).map(|_| ())
}

/// The text of the elements matching an admin-given CSS selector, as paragraphs: block
/// elements become separate paragraphs, whitespace is folded. An element inside another
/// match is not read twice. Title and dates come from the whole page.
pub fn with_selector(html: &str, selector: &str) -> Result<Extracted, ExtractError> {
    let parsed = parse(selector)?;
    let document = Page::parse(html).document;
    let mut taken = HashSet::new();
    let mut found = Vec::new();
    for element in document.select(&parsed) {
        let inside_earlier = element.ancestors().any(|a| taken.contains(&a.id()));
        taken.insert(element.id());
        if !inside_earlier {
            paragraphs::of_element(element, &mut found);
        }
    }
    if found.is_empty() {
        return Err(ExtractError::NothingMatched(selector.to_owned()));
    }
    let meta = Metadata::of_document(&document);
    Ok(Extracted {
        title: meta.title,
        paragraphs: found,
        published: meta.published,
        modified: meta.modified,
    })
}

fn parse(selector: &str) -> Result<Selector, ExtractError> {
    let trimmed = selector.trim();
    if trimmed.is_empty() {
        return Err(ExtractError::InvalidSelector("empty selector".to_owned()));
    }
    if trimmed.len() > MAX_SELECTOR_LEN {
        return Err(ExtractError::InvalidSelector(format!(
            "longer than {MAX_SELECTOR_LEN} characters"
        )));
    }
    Selector::parse(trimmed).map_err(|e| ExtractError::InvalidSelector(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_and_oversized_selectors() {
        for bad in ["", "  ", "div[", "..x", "p >", "::nope(", &"a".repeat(600)] {
            assert!(
                matches!(check_selector(bad), Err(ExtractError::InvalidSelector(_))),
                "{bad:?}"
            );
        }
        check_selector("article .story-body > p, #live-updates li").expect("valid selector");
    }

    #[test]
    fn deeply_nested_selector_is_an_error_not_a_crash() {
        let nested = format!("{}p{}", ":is(".repeat(120), ")".repeat(120));
        let _ = check_selector(&nested);
        let nested = format!("{}p{}", ":not(".repeat(120), ")".repeat(120));
        let _ = check_selector(&nested);
    }

    #[test]
    fn nested_matches_are_read_once() {
        let html = "<div class=x>outer<div class=x>inner</div></div>";
        let got = with_selector(html, ".x").expect("matches");
        assert_eq!(got.paragraphs, ["outer", "inner"]);
    }
}
