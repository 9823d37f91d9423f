//! Sources: what Herald watches, checked at the edge.

use serde::{Deserialize, Serialize};
use url::Url;

use super::Invalid;
use super::schedule::Schedule;

/// What a source's URL answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// RSS 0.9x/1.0/2.0, Atom or JSON Feed.
    Feed,
    /// An HTML page whose main text is extracted.
    Page,
    /// A JSON API: items at a path, text in named fields.
    Json,
}

impl SourceKind {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "feed" => Ok(Self::Feed),
            "page" => Ok(Self::Page),
            "json" => Ok(Self::Json),
            _ => Err(Invalid::new(
                "invalid_kind",
                format!("kind {raw:?} must be feed, page or json"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Feed => "feed",
            Self::Page => "page",
            Self::Json => "json",
        }
    }
}

/// Where a JSON source keeps its items and their text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonFields {
    /// Path to the array of items: a JSON Pointer (`/data/items`) or dotted (`data.items`);
    /// empty when the document itself is the array.
    #[serde(default)]
    pub items: String,
    /// Fields whose text makes up an item, in order.
    #[serde(default)]
    pub text: Vec<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub id: Option<String>,
    pub date: Option<String>,
}

/// The body of `POST/PUT /api/admin/sources`, and a `[[sources]]` entry of the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRequest {
    pub name: Option<String>,
    pub url: Option<String>,
    pub kind: Option<String>,
    pub schedule: Option<String>,
    pub selector: Option<String>,
    pub json: Option<JsonFields>,
    #[serde(default)]
    pub paused: bool,
}

/// A source that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSource {
    pub name: String,
    pub url: Url,
    pub kind: SourceKind,
    pub schedule: Schedule,
    pub selector: Option<String>,
    pub json: Option<JsonFields>,
    pub paused: bool,
}

impl SourceRequest {
    pub fn validate(self) -> Result<NewSource, Invalid> {
        let name = self.name.unwrap_or_default().trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(Invalid::new(
                "invalid_name",
                "name is required, at most 200 characters",
            ));
        }
        let url = check_source_url(self.url.as_deref().unwrap_or_default())?;
        let kind = SourceKind::parse(self.kind.as_deref().unwrap_or("feed"))?;
        let schedule = Schedule::parse(self.schedule.as_deref().unwrap_or("every 5m"))?;
        let selector = self
            .selector
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        if let Some(selector) = &selector {
            if kind != SourceKind::Page {
                return Err(Invalid::new(
                    "invalid_selector",
                    "a selector applies to page sources only",
                ));
            }
            crate::extract::check_selector(selector)
                .map_err(|e| Invalid::new("invalid_selector", e.to_string()))?;
        }
        let json = match (kind, self.json) {
            (SourceKind::Json, Some(fields)) if !fields.text.is_empty() => Some(fields),
            (SourceKind::Json, _) => {
                return Err(Invalid::new(
                    "invalid_json_fields",
                    "a json source needs json.text: the fields that hold each item's text",
                ));
            }
            (_, Some(_)) => {
                return Err(Invalid::new(
                    "invalid_json_fields",
                    "json fields apply to json sources only",
                ));
            }
            (_, None) => None,
        };
        Ok(NewSource {
            name,
            url,
            kind,
            schedule,
            selector,
            json,
            paused: self.paused,
        })
    }
}

/// An http(s) URL with a host and no user info.
pub fn check_source_url(raw: &str) -> Result<Url, Invalid> {
    let invalid = |why: &str| Invalid::new("invalid_url", format!("url {raw:?} {why}"));
    let url = Url::parse(raw.trim()).map_err(|_| invalid("is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must be http or https"));
    }
    if url.host().is_none() {
        return Err(invalid("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not contain user info"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(kind: &str) -> SourceRequest {
        SourceRequest {
            name: Some("Wire".into()),
            url: Some("https://example.org/feed.xml".into()),
            kind: Some(kind.into()),
            schedule: Some("*/5 * * * *".into()),
            selector: None,
            json: None,
            paused: false,
        }
    }

    fn code(request: SourceRequest) -> Option<&'static str> {
        request.validate().err().map(|e| e.code)
    }

    #[test]
    fn a_feed_source_is_accepted() {
        let source = request("feed").validate().expect("valid");
        assert_eq!(source.kind, SourceKind::Feed);
    }

    #[test]
    fn bad_fields_have_their_codes() {
        assert_eq!(code(request("rss")), Some("invalid_kind"));
        let mut r = request("feed");
        r.url = Some("ftp://example.org/x".into());
        assert_eq!(code(r), Some("invalid_url"));
        let mut r = request("feed");
        r.schedule = Some("every day at noon".into());
        assert_eq!(code(r), Some("invalid_schedule"));
        let mut r = request("feed");
        r.name = Some(" ".into());
        assert_eq!(code(r), Some("invalid_name"));
        assert_eq!(code(request("json")), Some("invalid_json_fields"));
        let mut r = request("feed");
        r.selector = Some("article".into());
        assert_eq!(code(r), Some("invalid_selector"));
    }
}
