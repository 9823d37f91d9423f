//! `herald serve --demo`, sped up: the seed story replays on the server's own `/demo/summit`,
//! a subscriber gets exactly its two real alerts, and when the demo ends (or the server stops)
//! its story, source, documents and decisions are gone.

mod common;
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use common::TestServer;
use herald::config::Config;
use herald::demo::DemoOptions;
use herald::domain::SourceRequest;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::push_standin::PushStandin;

fn demo_config(config: &mut Config, standin: &PushStandin, step: Duration) {
    standin.accept_in(config);
    config.fetch.host_spacing_ms = 0;
    config.demo = Some(DemoOptions {
        step,
        grace: Duration::from_millis(300),
    });
}

async fn list(server: &TestServer, what: &str) -> Vec<Value> {
    let body: Value = server
        .admin(Method::GET, &format!("/api/admin/{what}"), None)
        .await
        .json()
        .await
        .expect("json");
    body[what].as_array().cloned().unwrap_or_default()
}

/// Rows the demo could leave behind, by table.
fn demo_rows(data_dir: &Path) -> Vec<(&'static str, i64)> {
    let db = rusqlite::Connection::open(data_dir.join("herald.db")).expect("open the database");
    [
        ("stories", "SELECT count(*) FROM stories WHERE demo = 1"),
        ("sources", "SELECT count(*) FROM sources"),
        ("documents", "SELECT count(*) FROM documents"),
        ("decisions", "SELECT count(*) FROM decisions"),
        (
            "alerts still attached",
            "SELECT count(*) FROM alerts WHERE story_id IS NOT NULL OR url IS NOT NULL",
        ),
    ]
    .into_iter()
    .map(|(table, sql)| (table, db.query_row(sql, [], |row| row.get(0)).expect(sql)))
    .filter(|(_, n)| *n > 0)
    .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_sends_its_two_alerts_then_leaves_no_rows() {
    let standin = PushStandin::start().await;
    let server =
        TestServer::start_with(|c| demo_config(c, &standin, Duration::from_millis(300))).await;
    let reader = standin.subscriber("reader");
    let subscribed = server
        .post_json("/api/subscriptions", &reader.subscription_json(&[]))
        .await;
    assert_eq!(subscribed.status(), StatusCode::CREATED);
    // A story of the reader's own, which must see nothing of the demo.
    let own = server
        .admin(
            Method::POST,
            "/api/admin/stories",
            Some(json!({"name": "Summit watch", "keywords": ["summit"]})),
        )
        .await;
    assert_eq!(own.status(), StatusCode::CREATED);

    // The demo's story and source are there, marked, the source pointing at this server.
    let stories = list(&server, "stories").await;
    assert_eq!(stories.len(), 2, "{stories:?}");
    assert_eq!(stories[0]["demo"], true);
    assert_eq!(stories[0]["story"]["name"], "Trump–Putin summit (demo)");
    assert_eq!(stories[1]["demo"], false);
    let sources = list(&server, "sources").await;
    assert_eq!(sources.len(), 1, "{sources:?}");
    assert_eq!(sources[0]["demo"], true);
    assert_eq!(
        sources[0]["url"].as_str(),
        Some(format!("{}/demo/summit", server.url).as_str())
    );
    let page = server.get("/demo/summit").await;
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp");
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let feed = server.get("/demo/feed.xml").await;
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(feed.text().await.expect("feed").contains("<rss"));

    // Two pushes: the announcement, then the summit held.
    assert!(
        standin.wait_for_received(2, Duration::from_secs(60)).await,
        "two pushes within a minute; got {}",
        standin.total_received()
    );
    let titles: Vec<String> = standin
        .received("reader")
        .iter()
        .map(|push| {
            push.payload["title"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    eprintln!(
        "TITLES {titles:?} {:?}",
        standin
            .received("reader")
            .iter()
            .map(|p| p.payload.clone())
            .collect::<Vec<_>>()
    );
    assert!(
        titles[0].starts_with("Trump–Putin summit (demo)"),
        "{titles:?}"
    );
    assert!(
        titles[0].contains("Helsinki") && titles[0].contains("July 16"),
        "{titles:?}"
    );
    assert!(titles[1].contains("held"), "{titles:?}");

    // The demo ends after its last step and grace: story and source gone, page down.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !list(&server, "sources").await.is_empty() || list(&server, "stories").await.len() > 1 {
        assert!(Instant::now() < deadline, "the demo never ended");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stories = list(&server, "stories").await;
    assert_eq!(stories[0]["story"]["name"], "Summit watch");
    assert_eq!(
        stories[0]["documents"], 0,
        "the reader's story saw no demo document"
    );
    let gone = server.get("/demo/summit").await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert_eq!(common::error_code(gone).await, "demo_ended");
    assert_eq!(standin.total_received(), 2, "nothing more after the demo");
    let history: Value = server.get("/api/alerts").await.json().await.expect("json");
    let history = history["alerts"].as_array().cloned().unwrap_or_default();
    assert_eq!(history.len(), 2, "the alerts sent stay in the history");
    assert!(
        history
            .iter()
            .all(|a| a["story"].is_null() && a["url"].is_null())
    );
    standin.assert_no_violations();

    let data_dir = server.stop().await;
    assert_eq!(demo_rows(data_dir.path()), [], "no demo rows left");
}

#[tokio::test(flavor = "multi_thread")]
async fn stopping_mid_demo_or_restarting_after_a_crash_leaves_no_rows() {
    let standin = PushStandin::start().await;
    let server =
        TestServer::start_with(|c| demo_config(c, &standin, Duration::from_secs(30))).await;
    let story = list(&server, "stories").await[0]["id"]
        .as_i64()
        .expect("story id");
    // The first page becomes the story's baseline.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let timeline: Value = server
            .admin(
                Method::GET,
                &format!("/api/admin/stories/{story}/timeline"),
                None,
            )
            .await
            .json()
            .await
            .expect("json");
        if timeline["timeline"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the first page was never decided"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let data_dir = server.stop().await;
    assert_eq!(demo_rows(data_dir.path()), [], "stopped: no demo rows left");

    // Rows left by a process that died mid-demo go at the next start, demo or not.
    let server = TestServer::start_in(data_dir, |_| {}).await;
    let source = SourceRequest {
        name: Some("Trump–Putin summit, replayed (demo)".into()),
        url: Some("http://127.0.0.1:9/demo/summit".into()),
        kind: Some("page".into()),
        schedule: Some("every 1h".into()),
        selector: None,
        json: None,
        paused: true,
    }
    .validate()
    .expect("valid source");
    let story = r#"{"name": "Trump–Putin summit (demo)", "keywords": ["summit"]}"#;
    server
        .storage
        .insert_demo("Trump–Putin summit (demo)".into(), story.into(), source)
        .await
        .expect("insert")
        .expect("rows");
    assert_eq!(list(&server, "stories").await.len(), 1);
    let server = server.restart().await;
    assert_eq!(list(&server, "stories").await, Vec::<Value>::new());
    assert_eq!(list(&server, "sources").await, Vec::<Value>::new());
    let data_dir = server.stop().await;
    assert_eq!(demo_rows(data_dir.path()), [], "leftovers removed at start");
}
