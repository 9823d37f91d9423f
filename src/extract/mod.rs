//! Main-text extraction of article pages (interim version: the article element's paragraphs;
//! replaced by the measured extractor).

use chrono::{DateTime, Utc};
use scraper::{Html, Selector};

pub struct Extracted {
    pub title: Option<String>,
    pub paragraphs: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("no article text found")]
    NoArticle,
    #[error("invalid CSS selector {0:?}")]
    InvalidSelector(String),
    #[error("selector {0:?} matched nothing")]
    NothingMatched(String),
}

pub fn article(html: &str, _url: Option<&url::Url>) -> Result<Extracted, ExtractError> {
    for selector in ["article", "main", "body"] {
        if let Ok(extracted) = with_selector(html, selector)
            && !extracted.paragraphs.is_empty()
        {
            return Ok(extracted);
        }
    }
    Err(ExtractError::NoArticle)
}

pub fn with_selector(html: &str, selector: &str) -> Result<Extracted, ExtractError> {
    let parsed = Selector::parse(selector)
        .map_err(|_| ExtractError::InvalidSelector(selector.to_owned()))?;
    let document = Html::parse_document(html);
    let mut paragraphs = Vec::new();
    let mut matched = false;
    for element in document.select(&parsed) {
        matched = true;
        let text: Vec<&str> = element.text().collect();
        paragraphs.extend(crate::domain::paragraphs(&text.join("\n")));
    }
    if !matched {
        return Err(ExtractError::NothingMatched(selector.to_owned()));
    }
    let title = Selector::parse("title")
        .ok()
        .and_then(|s| document.select(&s).next())
        .map(|t| t.text().collect::<String>().trim().to_owned());
    Ok(Extracted {
        title,
        paragraphs,
        published: None,
        modified: None,
    })
}

pub fn check_selector(selector: &str) -> Result<(), ExtractError> {
    Selector::parse(selector)
        .map(|_| ())
        .map_err(|_| ExtractError::InvalidSelector(selector.to_owned()))
}
