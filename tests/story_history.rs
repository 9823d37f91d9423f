//! A story's stored history at work: replaying it under other thresholds, corroboration by a
//! second source, and quiet hours that hold an alert until they end, across a restart.

mod common;
mod support;

use std::time::{Duration, Instant};

use chrono::{Timelike, Utc};
use common::TestServer;
use herald::config::FetchConfig;
use herald::sources::{SchedulerHandle, SourceScheduler};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::news_source::NewsSource;
use support::push_standin::PushStandin;

fn corpus_page(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/01-trump-putin-summit/docs")
        .join(name);
    std::fs::read(path).expect("corpus page")
}

const HTML: &str = "text/html; charset=utf-8";

fn scheduler(server: &TestServer) -> std::sync::Arc<SourceScheduler> {
    let config = FetchConfig {
        host_spacing_ms: 0,
        ..FetchConfig::default()
    };
    SourceScheduler::new(server.storage.clone(), &config, SchedulerHandle::default())
        .expect("scheduler")
}

async fn created_id(response: reqwest::Response) -> i64 {
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.expect("json")["id"]
        .as_i64()
        .expect("id")
}

async fn summit_story(server: &TestServer) -> i64 {
    let body = json!({"name": "Trump–Putin summit", "keywords": ["summit"], "any_keywords": ["Trump", "Putin"]});
    created_id(
        server
            .admin(Method::POST, "/api/admin/stories", Some(body))
            .await,
    )
    .await
}

/// A paused source (the test fetches it by hand) on the news stand-in.
async fn page_source(server: &TestServer, news: &NewsSource, name: &str, kind: &str) -> i64 {
    let body = json!({"name": name, "url": news.url(name), "kind": kind, "paused": true});
    created_id(
        server
            .admin(Method::POST, "/api/admin/sources", Some(body))
            .await,
    )
    .await
}

async fn decisions(server: &TestServer, story: i64) -> Vec<Value> {
    let path = format!("/api/admin/stories/{story}/timeline");
    let body: Value = server
        .admin(Method::GET, &path, None)
        .await
        .json()
        .await
        .expect("json");
    body["timeline"].as_array().cloned().unwrap_or_default()
}

async fn wait_for_decisions(server: &TestServer, story: i64, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let timeline = decisions(server, story).await;
        if timeline.len() >= count {
            return timeline;
        }
        assert!(Instant::now() < deadline, "{count} decisions never came");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A server that pushes to a strict push stand-in, where one reader has subscribed.
async fn server_with_a_reader() -> (TestServer, PushStandin) {
    let standin = PushStandin::start().await;
    let server = TestServer::start_with(|c| standin.accept_in(c)).await;
    let reader = standin.subscriber("reader");
    let subscribed = server
        .post_json("/api/subscriptions", &reader.subscription_json(&[]))
        .await;
    assert_eq!(subscribed.status(), StatusCode::CREATED);
    (server, standin)
}

async fn replay(server: &TestServer, story: i64, body: Value) -> reqwest::Response {
    let path = format!("/api/admin/stories/{story}/replay");
    server.admin(Method::POST, &path, Some(body)).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stored_history_replays_under_proposed_thresholds() {
    let news = NewsSource::start().await;
    let server = TestServer::start().await;
    let story = summit_story(&server).await;
    let source = page_source(&server, &news, "wire", "page").await;
    let scheduler = scheduler(&server);
    for (i, page) in [
        "01-cbsmiami.html",
        "06-globalwire.html",
        "07-meridianpost.html",
    ]
    .iter()
    .enumerate()
    {
        news.set_body("wire", HTML, corpus_page(page));
        scheduler.run_once(source).await.expect("fetch");
        wait_for_decisions(&server, story, i + 1).await;
    }
    let mut stored = decisions(&server, story).await;
    stored.reverse();
    let stored: Vec<bool> = stored.iter().map(|d| d["alert"] == true).collect();
    assert_eq!(stored, [false, true, false]);

    // The saved thresholds reproduce what was decided.
    let same: Value = replay(&server, story, json!({}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(same["documents"], 3);
    assert_eq!(same["current_alerts"], 1);
    assert_eq!(same["proposed_alerts"], 1);
    let replayed: Vec<bool> = same["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|d| d["current"]["alert"] == true)
        .collect();
    assert_eq!(replayed, stored);

    // A bar nothing reaches would have sent nothing; the row that changes says so.
    let mut settings: Value = server
        .admin(Method::GET, "/api/admin/settings", None)
        .await
        .json()
        .await
        .expect("json");
    settings["min_score"] = json!(50);
    let strict: Value = replay(&server, story, json!({ "settings": settings }))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(strict["current_alerts"], 1);
    assert_eq!(strict["proposed_alerts"], 0);
    let changed: Vec<bool> = strict["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|d| d["changed"] == true)
        .collect();
    assert_eq!(changed, [false, true, false]);
    assert!(
        strict["timeline"][1]["proposed"]["reasons"]
            .to_string()
            .contains("below 50")
    );

    settings["min_score"] = json!(0);
    let invalid = replay(&server, story, json!({ "settings": settings })).await;
    assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);
    assert_eq!(common::error_code(invalid).await, "invalid_threshold");
    let missing = replay(&server, 999, json!({})).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_corroboration_two_the_second_source_sends_the_alert() {
    let news = NewsSource::start().await;
    let (server, standin) = server_with_a_reader().await;
    let settings = json!({"corroboration": 2});
    let saved = server
        .admin(Method::PUT, "/api/admin/settings", Some(settings))
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let story = summit_story(&server).await;
    let first = page_source(&server, &news, "first", "page").await;
    let second = page_source(&server, &news, "second", "page").await;
    let scheduler = scheduler(&server);

    news.set_body("first", HTML, corpus_page("01-cbsmiami.html"));
    scheduler.run_once(first).await.expect("fetch");
    wait_for_decisions(&server, story, 1).await;
    // Helsinki, July 16, from one outlet only: not yet.
    news.set_body("first", HTML, corpus_page("06-globalwire.html"));
    scheduler.run_once(first).await.expect("fetch");
    let timeline = wait_for_decisions(&server, story, 2).await;
    assert_eq!(
        timeline[0]["alert"], false,
        "{}",
        timeline[0]["detail"]["reasons"]
    );
    // A second outlet with the same news: now it is confirmed.
    news.set_body("second", HTML, corpus_page("07-meridianpost.html"));
    scheduler.run_once(second).await.expect("fetch");
    let timeline = wait_for_decisions(&server, story, 3).await;
    assert_eq!(
        timeline[0]["alert"], true,
        "{}",
        timeline[0]["detail"]["reasons"]
    );
    assert!(
        timeline[0]["detail"]["reasons"]
            .to_string()
            .contains("corroborated"),
        "{}",
        timeline[0]["detail"]["reasons"]
    );
    assert!(standin.wait_for_received(1, Duration::from_secs(30)).await);
    let title = standin.received("reader")[0].payload["title"].to_string();
    assert!(title.contains("Helsinki"), "{title}");
    // A third outlet adds nothing.
    news.set_body("first", HTML, corpus_page("07-meridianpost.html"));
    scheduler.run_once(first).await.expect("fetch");
    wait_for_decisions(&server, story, 4).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(standin.total_received(), 1);
    standin.assert_no_violations();
    server.stop().await;
}

fn feed(items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, text)| {
            format!("<item><guid>{guid}</guid><title>Summit</title><description>{text}</description></item>")
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>{items}</channel></rss>"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn quiet_hours_hold_an_alert_until_they_end_even_across_a_restart() {
    // Quiet hours from a minute ago to the start of the next minute, with time to work in.
    if Utc::now().second() > 45 {
        tokio::time::sleep(Duration::from_secs(u64::from(61 - Utc::now().second()))).await;
    }
    let now = Utc::now();
    let start = now - chrono::Duration::minutes(1);
    let end = now + chrono::Duration::minutes(1);
    let ends_at = end
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("a minute");
    let news = NewsSource::start().await;
    let (server, standin) = server_with_a_reader().await;
    let quiet = json!({"quiet_hours": {
        "start": start.format("%H:%M").to_string(),
        "end": end.format("%H:%M").to_string(),
        "mode": "hold",
    }});
    let saved = server
        .admin(Method::PUT, "/api/admin/settings", Some(quiet))
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let story = summit_story(&server).await;
    let source = page_source(&server, &news, "feed", "feed").await;
    let scheduler = scheduler(&server);

    let first = "Putin and Trump agreed to a summit; Helsinki remains a leading contender.";
    news.set_body("feed", "application/rss+xml", feed(&[("a", first)]));
    scheduler.run_once(source).await.expect("fetch");
    wait_for_decisions(&server, story, 1).await;
    let second =
        "The Trump–Putin summit will be held in Helsinki on July 16, the White House said.";
    news.set_body(
        "feed",
        "application/rss+xml",
        feed(&[("b", second), ("a", first)]),
    );
    scheduler.run_once(source).await.expect("fetch");
    let timeline = wait_for_decisions(&server, story, 2).await;
    let held = &timeline[0];
    assert_eq!(held["alert"], true, "{}", held["detail"]["reasons"]);
    assert!(held["detail"]["reasons"].to_string().contains("held"));

    // Held: recorded, not pushed, not public; a restart keeps it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(standin.total_received(), 0);
    let public: Value = server.get("/api/alerts").await.json().await.expect("json");
    assert_eq!(public["alerts"], json!([]));
    let server = server.restart().await;
    assert_eq!(standin.total_received(), 0);

    // The hours end: the alert goes out once.
    let wait = (ends_at - Utc::now()).to_std().unwrap_or_default();
    assert!(
        standin
            .wait_for_received(1, wait + Duration::from_secs(20))
            .await,
        "the held alert was never sent"
    );
    // `ends_at`, not `end` with its seconds cleared: that keeps `end`'s fraction of a second,
    // and an alert released in the first moments of the minute would look early.
    assert!(Utc::now() >= ends_at, "sent before the hours ended");
    let title = standin.received("reader")[0].payload["title"].to_string();
    assert!(title.contains("Helsinki"), "{title}");
    let public: Value = server.get("/api/alerts").await.json().await.expect("json");
    assert_eq!(public["alerts"].as_array().map(Vec::len), Some(1));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(standin.total_received(), 1);
    standin.assert_no_violations();
    server.stop().await;
}
