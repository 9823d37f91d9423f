//! Fetching a source now, whatever its schedule (`SchedulerHandle::run_now`): the running
//! scheduler fetches it at once, or right after the fetch in progress, and says how it went.

mod common;
mod support;

use std::time::Duration;

use common::TestServer;
use herald::sources::RunOutcome;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::news_source::{NewsSource, Resource};

fn rss(items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, text)| {
            format!("<item><guid>{guid}</guid><title>{guid}</title><description>{text}</description></item>")
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>{items}</channel></rss>"
    )
}

async fn add(server: &TestServer, url: String, paused: bool) -> i64 {
    let body = json!({"name": url.clone(), "url": url, "kind": "feed", "schedule": "every 1h", "paused": paused});
    let response = server
        .admin(Method::POST, "/api/admin/sources", Some(body))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let source: Value = response.json().await.expect("json");
    source["id"].as_i64().expect("id")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_source_is_fetched_now_on_request() {
    let news = NewsSource::start().await;
    news.set_body(
        "feed.xml",
        "application/rss+xml",
        rss(&[("a", "Summit agreed.")]),
    );
    let server = TestServer::start_with(|c| c.fetch.host_spacing_ms = 0).await;
    let id = add(&server, news.url("feed.xml"), false).await;

    // The first fetch, ours or the schedule's first run; after it the next run is an hour away.
    let first = server.sources.run_now(id).await.expect("fetched");
    assert!(
        matches!(first, RunOutcome::Stored { .. } | RunOutcome::NotModified),
        "{first:?}"
    );
    news.set_body(
        "feed.xml",
        "application/rss+xml",
        rss(&[("a", "Summit agreed."), ("b", "Helsinki, July 16.")]),
    );
    let second = server.sources.run_now(id).await.expect("fetched");
    assert_eq!(
        second,
        RunOutcome::Stored {
            documents: 2,
            new_versions: 1
        },
        "a change made before the request is seen"
    );

    // Asked for while a fetch is running: a second fetch follows the first.
    let slow = rss(&[
        ("a", "Summit agreed."),
        ("b", "Helsinki, July 16."),
        ("c", "Held."),
    ]);
    news.set(
        "feed.xml",
        Resource::Slow(
            Duration::from_millis(500),
            Box::new(Resource::Body {
                content_type: "application/rss+xml".into(),
                body: slow.into_bytes(),
            }),
        ),
    );
    let before = news.requests("feed.xml");
    let running = server.sources.run_now(id);
    // The second request comes once the first fetch is under way.
    let started = async {
        while news.requests("feed.xml") == before {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), started)
        .await
        .expect("the first fetch started");
    let following = server.sources.run_now(id);
    let (running, following) = tokio::join!(running, following);
    assert!(
        matches!(
            running,
            Ok(RunOutcome::Stored {
                new_versions: 1,
                ..
            })
        ),
        "{running:?}"
    );
    assert!(following.is_ok(), "{following:?}");
    assert_eq!(
        news.requests("feed.xml") - before,
        2,
        "two fetches, one after the other"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_and_paused_sources_are_refused() {
    let news = NewsSource::start().await;
    news.set_body(
        "feed.xml",
        "application/rss+xml",
        rss(&[("a", "Summit agreed.")]),
    );
    let server = TestServer::start().await;
    let paused = add(&server, news.url("feed.xml"), true).await;
    let unknown = tokio::time::timeout(Duration::from_secs(10), server.sources.run_now(9_999));
    assert!(unknown.await.expect("answered").is_err());
    let paused = tokio::time::timeout(Duration::from_secs(10), server.sources.run_now(paused));
    assert!(paused.await.expect("answered").is_err());
    assert_eq!(news.requests("feed.xml"), 0);
    server.stop().await;
}
