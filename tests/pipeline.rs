//! The whole pipeline: a page changes at a news source, the scheduler fetches it, the story's
//! diff engine decides, and the alert reaches a subscriber through the push stand-in, once.

mod common;
mod support;

use std::time::{Duration, Instant};

use common::TestServer;
use herald::config::FetchConfig;
use herald::sources::{SchedulerHandle, SourceScheduler};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::news_source::NewsSource;
use support::push_standin::PushStandin;

fn corpus_page(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/01-trump-putin-summit/docs")
        .join(name);
    std::fs::read(path).expect("corpus page")
}

async fn admin(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    server.admin(method, path, body).await
}

async fn wait_for<F: Fn() -> bool>(what: &str, done: F) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn decisions(server: &TestServer, story: i64) -> Vec<Value> {
    let response = admin(
        server,
        reqwest::Method::GET,
        &format!("/api/admin/stories/{story}/timeline"),
        None,
    )
    .await;
    let body: Value = response.json().await.expect("json");
    body["timeline"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_page_becomes_one_push() {
    let news = NewsSource::start().await;
    news.set_body(
        "summit",
        "text/html; charset=utf-8",
        corpus_page("01-cbsmiami.html"),
    );
    let standin = PushStandin::start().await;
    let server = TestServer::start_with(|c| standin.accept_in(c)).await;
    let reader = standin.subscriber("reader");
    let subscribed = server
        .post_json("/api/subscriptions", &reader.subscription_json(&[]))
        .await;
    assert_eq!(subscribed.status(), StatusCode::CREATED);

    let story = admin(&server, reqwest::Method::POST, "/api/admin/stories",
        Some(json!({"name": "Trump–Putin summit", "keywords": ["summit"], "any_keywords": ["Trump", "Putin"]}))).await;
    assert_eq!(story.status(), StatusCode::CREATED);
    let story_id = story.json::<Value>().await.expect("json")["id"]
        .as_i64()
        .expect("id");
    let source = admin(
        &server,
        reqwest::Method::POST,
        "/api/admin/sources",
        Some(
            json!({"name": "CBS Miami", "url": news.url("summit"), "kind": "page", "paused": true}),
        ),
    )
    .await;
    assert_eq!(source.status(), StatusCode::CREATED);
    let source_id = source.json::<Value>().await.expect("json")["id"]
        .as_i64()
        .expect("id");

    let config = FetchConfig {
        host_spacing_ms: 0,
        ..FetchConfig::default()
    };
    let scheduler =
        SourceScheduler::new(server.storage.clone(), &config, SchedulerHandle::default())
            .expect("scheduler");

    // The article Herald began with: the story's baseline, no push.
    scheduler.run_once(source_id).await.expect("fetch");
    let deadline = Instant::now() + Duration::from_secs(30);
    while decisions(&server, story_id).await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the first document was never decided"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(decisions(&server, story_id).await[0]["alert"], false);

    // Helsinki, July 16 announced: one push, naming the news.
    news.set_body(
        "summit",
        "text/html; charset=utf-8",
        corpus_page("06-globalwire.html"),
    );
    scheduler.run_once(source_id).await.expect("fetch");
    wait_for("the push", || standin.total_received() >= 1).await;
    let push = &standin.received("reader")[0];
    let title = push.payload["title"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(title.contains("Helsinki"), "{title}");
    assert_eq!(push.payload["story"], story_id.to_string());
    assert_eq!(
        push.topic.as_deref(),
        Some(format!("story-{story_id}").as_str())
    );

    // A restart re-alerts on nothing: the same page again brings no new push.
    let server = server.restart().await;
    let scheduler =
        SourceScheduler::new(server.storage.clone(), &config, SchedulerHandle::default())
            .expect("scheduler");
    news.set_body(
        "summit",
        "text/html; charset=utf-8",
        corpus_page("07-meridianpost.html"),
    );
    scheduler.run_once(source_id).await.expect("fetch");
    let deadline = Instant::now() + Duration::from_secs(30);
    while decisions(&server, story_id).await.len() < 3 {
        assert!(
            Instant::now() < deadline,
            "the third document was never decided"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let timeline = decisions(&server, story_id).await;
    assert_eq!(
        timeline[0]["alert"], false,
        "the same news again is silent: {}",
        timeline[0]["detail"]["reasons"]
    );
    assert_eq!(standin.total_received(), 1);
    let public: Value = server.get("/api/alerts").await.json().await.expect("json");
    assert_eq!(
        public["alerts"][0]["story"], story_id,
        "automatic alerts name their story"
    );
    standin.assert_no_violations();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_are_validated_and_stories_checked() {
    let server = TestServer::start().await;
    let bad = admin(
        &server,
        reqwest::Method::PUT,
        "/api/admin/settings",
        Some(json!({"min_score": 0})),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_threshold");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("min_score"),
        "{body}"
    );
    let typo = admin(
        &server,
        reqwest::Method::PUT,
        "/api/admin/settings",
        Some(json!({"min_scor": 2})),
    )
    .await;
    assert!(typo.status().is_client_error());
    let good = admin(
        &server,
        reqwest::Method::PUT,
        "/api/admin/settings",
        Some(json!({"min_score": 2.5, "corroboration": 2})),
    )
    .await;
    assert_eq!(good.status(), StatusCode::OK);
    let read: Value = admin(&server, reqwest::Method::GET, "/api/admin/settings", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(read["min_score"], 2.5);
    assert_eq!(read["corroboration"], 2);

    let story = admin(
        &server,
        reqwest::Method::POST,
        "/api/admin/stories",
        Some(json!({"name": "", "keywords": ["x"]})),
    )
    .await;
    assert_eq!(story.status(), StatusCode::BAD_REQUEST);
    let topics: Value = server.get("/api/topics").await.json().await.expect("json");
    assert_eq!(topics["topics"], json!([]));
    let with_topic = admin(
        &server,
        reqwest::Method::POST,
        "/api/admin/stories",
        Some(json!({"name": "Hurricane season", "keywords": ["hurricane"], "topic": "weather"})),
    )
    .await;
    assert_eq!(with_topic.status(), StatusCode::CREATED);
    let topics: Value = server.get("/api/topics").await.json().await.expect("json");
    assert_eq!(
        topics["topics"],
        json!([{"name": "weather", "label": "Hurricane season"}]),
        "readers can pick it"
    );
    let none = admin(&server, reqwest::Method::GET, "/api/admin/stories/99", None).await;
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    let anonymous = server.get("/api/admin/stories").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    server.stop().await;
}
