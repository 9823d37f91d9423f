//! A news-source stand-in: a real HTTP server on port 0 whose pages and feeds tests change
//! between requests. It answers conditional GETs with 304, and can be slow, fail, redirect
//! forever or send a huge body.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What one path answers.
#[derive(Clone, Debug)]
pub enum Resource {
    /// A body with an ETag derived from it; conditional GETs get 304 while it is unchanged.
    Body {
        content_type: String,
        body: Vec<u8>,
    },
    Status(u16),
    /// 429 or 503 with `Retry-After` in seconds.
    RetryAfter(u16, u64),
    /// Answers after this delay.
    Slow(Duration, Box<Resource>),
    /// Redirects to itself, forever.
    RedirectLoop,
    /// Redirects to this URL.
    RedirectTo(String),
    /// Streams this many bytes of filler without a Content-Length.
    Huge(usize),
}

#[derive(Default)]
struct Shared {
    resources: HashMap<String, Resource>,
    requests: HashMap<String, usize>,
    not_modified: HashMap<String, usize>,
}

pub struct NewsSource {
    url: String,
    shared: Arc<Mutex<Shared>>,
    stop: CancellationToken,
}

impl Drop for NewsSource {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl NewsSource {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let shared = Arc::new(Mutex::new(Shared::default()));
        let stop = CancellationToken::new();
        let app = Router::new()
            .route("/{*path}", get(serve))
            .with_state(Arc::clone(&shared));
        let token = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(token.cancelled_owned())
                .await;
        });
        Self { url, shared, stop }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.url, path.trim_start_matches('/'))
    }

    pub fn set(&self, path: &str, resource: Resource) {
        self.lock()
            .resources
            .insert(path.trim_start_matches('/').to_owned(), resource);
    }

    pub fn set_body(&self, path: &str, content_type: &str, body: impl Into<Vec<u8>>) {
        self.set(
            path,
            Resource::Body {
                content_type: content_type.to_owned(),
                body: body.into(),
            },
        );
    }

    pub fn requests(&self, path: &str) -> usize {
        self.lock()
            .requests
            .get(path.trim_start_matches('/'))
            .copied()
            .unwrap_or(0)
    }

    pub fn not_modified(&self, path: &str) -> usize {
        self.lock()
            .not_modified
            .get(path.trim_start_matches('/'))
            .copied()
            .unwrap_or(0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

async fn serve(
    State(shared): State<Arc<Mutex<Shared>>>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    let resource = {
        let mut shared = shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *shared.requests.entry(path.clone()).or_default() += 1;
        shared.resources.get(&path).cloned()
    };
    let Some(resource) = resource else {
        return StatusCode::NOT_FOUND.into_response();
    };
    answer(&shared, &path, resource, &headers).await
}

async fn answer(
    shared: &Arc<Mutex<Shared>>,
    path: &str,
    resource: Resource,
    headers: &HeaderMap,
) -> Response {
    match resource {
        Resource::Body { content_type, body } => {
            let etag = format!("\"{:x}\"", fnv(&body));
            if headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                == Some(etag.as_str())
            {
                let mut shared = shared
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                *shared.not_modified.entry(path.to_owned()).or_default() += 1;
                return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
            }
            (
                [(header::CONTENT_TYPE, content_type), (header::ETAG, etag)],
                body,
            )
                .into_response()
        }
        Resource::Status(code) => StatusCode::from_u16(code)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
        Resource::RetryAfter(code, secs) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            (status, [(header::RETRY_AFTER, HeaderValue::from(secs))]).into_response()
        }
        Resource::Slow(delay, inner) => {
            tokio::time::sleep(delay).await;
            Box::pin(answer(shared, path, *inner, headers)).await
        }
        Resource::RedirectLoop => {
            (StatusCode::FOUND, [(header::LOCATION, format!("/{path}"))]).into_response()
        }
        Resource::RedirectTo(url) => (StatusCode::FOUND, [(header::LOCATION, url)]).into_response(),
        Resource::Huge(bytes) => {
            let chunk = vec![b'x'; 64 * 1024];
            let chunks = bytes.div_ceil(chunk.len());
            let stream = futures::stream::iter(
                (0..chunks).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
            );
            (
                [(header::CONTENT_TYPE, "text/html")],
                Body::from_stream(stream),
            )
                .into_response()
        }
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
