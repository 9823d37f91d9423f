//! A loopback feed server for `herald bench sources`: N small RSS feeds with ETags, 304 to a
//! matching `If-None-Match`, a few feeds changed each minute, and counts of what it answered.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

/// What the server answered so far (`GET /stats`).
#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize)]
pub struct FeedStats {
    /// Feed requests, whatever the answer.
    pub fetches: u64,
    pub not_modified: u64,
    /// 200s to a request whose `If-None-Match` named an older version: one changed item each.
    pub changed: u64,
}

impl FeedStats {
    pub fn since(self, earlier: Self) -> Self {
        Self {
            fetches: self.fetches - earlier.fetches,
            not_modified: self.not_modified - earlier.not_modified,
            changed: self.changed - earlier.changed,
        }
    }
}

struct Feeds {
    /// Each feed's version; its ETag is `"{index}-{version}"`.
    versions: Vec<AtomicU32>,
    fetches: AtomicU64,
    not_modified: AtomicU64,
    changed: AtomicU64,
}

/// Serves `GET /feed/{i}.xml` for `i` in `0..feeds` and `GET /stats` until `shutdown`
/// resolves; prints its address first. Every minute the next `changed_percent` % of the feeds
/// (in turn) get a new version of their first item.
pub async fn run(
    listen: std::net::SocketAddr,
    feeds: usize,
    changed_percent: f64,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<FeedStats> {
    let listener = TcpListener::bind(listen).await?;
    println!("{}", listener.local_addr()?);
    let state = Arc::new(Feeds {
        versions: (0..feeds).map(|_| AtomicU32::new(0)).collect(),
        fetches: AtomicU64::new(0),
        not_modified: AtomicU64::new(0),
        changed: AtomicU64::new(0),
    });
    let per_minute = ((feeds as f64 * changed_percent / 100.0).round() as usize).min(feeds);
    let changer = tokio::spawn(change_every_minute(Arc::clone(&state), per_minute));
    let app = Router::new()
        .route("/feed/{file}", get(feed))
        .route("/stats", get(stats))
        .with_state(Arc::clone(&state));
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    changer.abort();
    served?;
    Ok(snapshot(&state))
}

async fn change_every_minute(feeds: Arc<Feeds>, per_minute: usize) {
    let count = feeds.versions.len();
    let mut next = 0;
    let mut ticks = tokio::time::interval(Duration::from_secs(60));
    ticks.tick().await;
    loop {
        ticks.tick().await;
        for _ in 0..per_minute {
            feeds.versions[next].fetch_add(1, Ordering::Relaxed);
            next = (next + 1) % count;
        }
    }
}

async fn feed(
    State(feeds): State<Arc<Feeds>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(index) = file
        .strip_suffix(".xml")
        .and_then(|i| i.parse::<usize>().ok())
        .filter(|i| *i < feeds.versions.len())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    feeds.fetches.fetch_add(1, Ordering::Relaxed);
    let version = feeds.versions[index].load(Ordering::Relaxed);
    let etag = format!("\"{index}-{version}\"");
    match headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        Some(sent) if sent == etag => {
            feeds.not_modified.fetch_add(1, Ordering::Relaxed);
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
        }
        Some(_) => {
            feeds.changed.fetch_add(1, Ordering::Relaxed);
        }
        None => {}
    }
    let content_type = "application/rss+xml; charset=utf-8".to_owned();
    (
        [(header::CONTENT_TYPE, content_type), (header::ETAG, etag)],
        rss(index, version),
    )
        .into_response()
}

async fn stats(State(feeds): State<Arc<Feeds>>) -> Json<FeedStats> {
    Json(snapshot(&feeds))
}

fn snapshot(feeds: &Feeds) -> FeedStats {
    FeedStats {
        fetches: feeds.fetches.load(Ordering::Relaxed),
        not_modified: feeds.not_modified.load(Ordering::Relaxed),
        changed: feeds.changed.load(Ordering::Relaxed),
    }
}

/// A small feed of three items, distinct per feed; only the first item changes with `version`.
fn rss(index: usize, version: u32) -> String {
    let texts = [
        format!("Update {version}: officials in region {index} revised the count."),
        format!("Roads in district {index} reopened on Monday."),
        format!("Schools in area {index} stay closed until further notice."),
    ];
    let items: String = texts
        .iter()
        .enumerate()
        .map(|(n, text)| {
            format!(
                "<item><title>Story {index}.{n}</title><link>https://news{index}.example.org/{n}</link>\
                 <guid>feed-{index}-item-{n}</guid><pubDate>Thu, 28 Jun 2018 10:00:00 GMT</pubDate>\
                 <description>&lt;p&gt;{text}&lt;/p&gt;</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Feed {index}</title><link>https://news{index}.example.org/</link>\
         <description>Benchmark feed</description>{items}</channel></rss>\n"
    )
}
