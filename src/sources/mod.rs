//! Sources: fetch feeds, pages and JSON APIs on their schedules and store the documents they
//! yield for the diff engine.

pub mod addresses;
pub mod charset;
pub mod fetch;
mod handle;
mod hosts;
pub mod parse;
mod plan;
mod scheduler;
pub mod websub;

use chrono::Utc;

pub use crate::config::FetchConfig;
pub use fetch::{FetchError, Fetched, Fetcher};
pub use handle::SchedulerHandle;
pub use parse::{FeedLinks, ParseError, ParseSpec, Parsed};
pub use scheduler::{RunOutcome, SourceScheduler};

use crate::domain::{Document, JsonFields, SourceKind};

/// Why a source yielded nothing this time.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// What to fetch and how to read it.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: url::Url,
    pub kind: SourceKind,
    pub selector: Option<String>,
    pub json: Option<JsonFields>,
}

/// A fetch that brought a body and parsed it.
#[derive(Debug)]
pub struct FreshBody {
    pub parsed: Parsed,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Fetches `target` (conditionally when validators are given) and parses what came back.
/// `Ok(None)` is a 304.
pub async fn fetch_and_parse(
    fetcher: &Fetcher,
    target: &Target,
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> Result<Option<FreshBody>, SourceError> {
    let accept = match target.kind {
        SourceKind::Feed => {
            "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
        }
        SourceKind::Page => "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
        SourceKind::Json => "application/json, */*;q=0.5",
    };
    let body = match fetcher
        .get(&target.url, etag, last_modified, accept)
        .await?
    {
        Fetched::NotModified => return Ok(None),
        Fetched::Body(body) => body,
    };
    let target = target.clone();
    let content_type = body.content_type.clone();
    let final_url = body.final_url.clone();
    let bytes = body.bytes;
    // Parsing is CPU work on untrusted input: keep it off the async workers.
    let parsed = tokio::task::spawn_blocking(move || {
        let spec = ParseSpec {
            kind: target.kind,
            url: &final_url,
            content_type: content_type.as_deref(),
            selector: target.selector.as_deref(),
            json: target.json.as_ref(),
            fetched_at: Utc::now(),
        };
        parse::parse(&spec, &bytes)
    })
    .await
    .map_err(|e| ParseError::Page(format!("parser stopped: {e}")))??;
    Ok(Some(FreshBody {
        parsed,
        etag: body.etag,
        last_modified: body.last_modified,
    }))
}

/// Fetches once, unconditionally, and returns the documents: `herald fetch` and "try it".
pub async fn try_target(fetcher: &Fetcher, target: &Target) -> Result<Vec<Document>, SourceError> {
    Ok(fetch_and_parse(fetcher, target, None, None)
        .await?
        .map(|b| b.parsed.documents)
        .unwrap_or_default())
}
