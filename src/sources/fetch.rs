//! Polite HTTP fetching: conditional GET, compression, a size cap, limited redirects,
//! timeouts, and errors a person can read.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

use super::FetchConfig;
use super::addresses::{self, AddressPolicy, PrivateAddress};

/// What a GET brought back.
#[derive(Debug)]
pub enum Fetched {
    /// 304: nothing changed since the validators we sent; costs no parsing.
    NotModified,
    Body(Body),
}

#[derive(Debug)]
pub struct Body {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub final_url: url::Url,
}

/// Why a fetch failed, worded for the source's status line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Status(String, u16),
    #[error("{status}: asked to retry in {} s", after.as_secs())]
    RetryLater { status: u16, after: Duration },
    #[error("timeout")]
    Timeout,
    #[error("body larger than {} MB", .0 / 1_000_000)]
    TooLarge(usize),
    #[error("too many redirects")]
    TooManyRedirects,
    #[error("cannot resolve host: {0}")]
    Dns(String),
    #[error("TLS error: {0}")]
    Tls(String),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("request failed: {0}")]
    Other(String),
    #[error("refused: {0}")]
    Refused(String),
}

impl FetchError {
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status(_, code) => Some(*code),
            Self::RetryLater { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// One shared client for every source.
#[derive(Clone)]
pub struct Fetcher {
    http: reqwest::Client,
    max_body: usize,
    addresses: AddressPolicy,
}

impl Fetcher {
    pub fn new(config: &FetchConfig) -> anyhow::Result<Self> {
        let agent = match &config.contact {
            Some(contact) => format!("Herald/{} (+{contact})", env!("CARGO_PKG_VERSION")),
            None => format!(
                "Herald/{} (self-hosted news alerts)",
                env!("CARGO_PKG_VERSION")
            ),
        };
        let addresses =
            AddressPolicy::new(config.allow_private_addresses, &config.exempt_addresses);
        let builder = reqwest::Client::builder()
            .user_agent(agent)
            .timeout(Duration::from_secs(config.timeout_seconds))
            .connect_timeout(Duration::from_secs(config.timeout_seconds.min(10)));
        let http = addresses
            .apply(builder, config.max_redirects as usize)
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .pool_idle_timeout(Duration::from_secs(90))
            .build()?;
        Ok(Self {
            http,
            max_body: config.max_body_bytes,
            addresses,
        })
    }

    /// Refuses a URL on an address `[fetch] allow_private_addresses = false` rules out.
    pub fn check_url(&self, url: &url::Url) -> Result<(), PrivateAddress> {
        self.addresses.check_url(url)
    }

    /// GETs `url`, sending the validators of the last 200 so an unchanged resource costs a 304.
    pub async fn get(
        &self,
        url: &url::Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
        accept: &str,
    ) -> Result<Fetched, FetchError> {
        self.check_url(url)
            .map_err(|refused| FetchError::Refused(refused.to_string()))?;
        let mut request = self.http.get(url.clone()).header(header::ACCEPT, accept);
        if let Some(etag) = etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) = last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, date);
        }
        let mut response = request.send().await.map_err(classify)?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(status_error(status, response.headers()));
        }
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body as u64)
        {
            return Err(FetchError::TooLarge(self.max_body));
        }
        let headers = response.headers().clone();
        let final_url = response.url().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if bytes.len() + chunk.len() > self.max_body {
                return Err(FetchError::TooLarge(self.max_body));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        Ok(Fetched::Body(Body {
            bytes,
            content_type: text(header::CONTENT_TYPE),
            etag: text(header::ETAG),
            last_modified: text(header::LAST_MODIFIED),
            final_url,
        }))
    }
}

fn status_error(status: StatusCode, headers: &HeaderMap) -> FetchError {
    let line = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let retry_after = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| crate::retry_after::parse_retry_after(v, chrono::Utc::now()));
    match retry_after {
        Some(after) if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() => {
            FetchError::RetryLater {
                status: status.as_u16(),
                after,
            }
        }
        _ => FetchError::Status(line.trim().to_owned(), status.as_u16()),
    }
}

/// Turns a transport error into words, looking through its causes (never printing the URL's
/// query, which may hold a key).
fn classify(err: reqwest::Error) -> FetchError {
    if let Some(refused) = addresses::refusal(&err) {
        return FetchError::Refused(refused.to_string());
    }
    if err.is_timeout() {
        return FetchError::Timeout;
    }
    if err.is_redirect() {
        return FetchError::TooManyRedirects;
    }
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let chain = causes.join(": ");
    let lower = chain.to_ascii_lowercase();
    if lower.contains("dns error")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
    {
        FetchError::Dns(last(&causes))
    } else if lower.contains("certificate")
        || lower.contains("ssl")
        || lower.contains("tls")
        || lower.contains("handshake")
    {
        FetchError::Tls(last(&causes))
    } else if err.is_connect() {
        FetchError::Connect(last(&causes))
    } else if err.is_timeout() || lower.contains("timed out") {
        FetchError::Timeout
    } else {
        FetchError::Other(if chain.is_empty() {
            "connection closed".into()
        } else {
            last(&causes)
        })
    }
}

fn last(causes: &[String]) -> String {
    causes.last().cloned().unwrap_or_default()
}
