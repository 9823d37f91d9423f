//! The admin console's own routes: the dashboard's figures, the schedule preview and the test
//! push to the admin's browser, against the real server and a strict push-service stand-in.

mod common;
mod support;

use std::time::{Duration, Instant};

use common::{TestServer, error_code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::news_source::NewsSource;
use support::push_standin::{PushStandin, Reply, Subscriber};

const WAIT: Duration = Duration::from_secs(20);

/// The server, wired to a push stand-in whose endpoints it accepts.
async fn start() -> (TestServer, PushStandin) {
    let standin = PushStandin::start().await;
    let server = TestServer::start_with(|c| standin.accept_in(c)).await;
    let key = admin(&server, Method::GET, "/api/vapid-public-key", None).await;
    standin.set_expected_key(key["publicKey"].as_str().expect("key"));
    (server, standin)
}

/// An admin request that must succeed; its JSON body.
async fn admin(server: &TestServer, method: Method, path: &str, body: Option<Value>) -> Value {
    let response = server.admin(method.clone(), path, body).await;
    assert!(
        response.status().is_success(),
        "{method} {path}: {}",
        response.status()
    );
    response.json().await.expect("json")
}

async fn subscribe(
    server: &TestServer,
    standin: &PushStandin,
    name: &str,
    topics: &[&str],
) -> Subscriber {
    let subscriber = standin.subscriber(name);
    let response = server
        .post_json("/api/subscriptions", &subscriber.subscription_json(topics))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    subscriber
}

/// Polls `read` until `done` accepts it; fails after `WAIT`.
async fn wait_until<F, Fut>(what: &str, read: F, done: impl Fn(&Value) -> bool) -> Value
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        let value = read().await;
        if done(&value) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {value}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn settled_counts(server: &TestServer, alert: i64) -> Value {
    let path = format!("/api/admin/alerts/{alert}");
    let read = || async { admin(server, Method::GET, &path, None).await["counts"].clone() };
    wait_until("deliveries to settle", read, |c| c["queued"] == 0).await
}

fn rss(guid: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>\
         <item><guid>{guid}</guid><title>Storm</title><link>https://news.example.org/{guid}</link>\
         <description>The storm made landfall.</description></item></channel></rss>"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_counts_subscribers_alerts_deliveries_and_sources() {
    let (server, standin) = start().await;
    subscribe(&server, &standin, "world", &["world"]).await;
    subscribe(&server, &standin, "both", &["world", "sport"]).await;
    subscribe(&server, &standin, "sport", &["sport"]).await;
    subscribe(&server, &standin, "everything", &[]).await;
    standin.reply("everything", vec![Reply::Status(400)]);

    let alert = json!({ "title": "Storm upgraded", "body": "Category 4." });
    let created = admin(&server, Method::POST, "/api/admin/alerts", Some(alert)).await;
    let counts = settled_counts(&server, created["id"].as_i64().expect("id")).await;
    assert_eq!(
        counts,
        json!({ "queued": 0, "delivered": 3, "failed": 1, "gone": 0 })
    );

    let news = NewsSource::start().await;
    news.set_body("ok.xml", "application/rss+xml", rss("a"));
    for (name, url, paused) in [
        ("fine", news.url("ok.xml"), false),
        ("broken", news.url("missing.xml"), false),
        ("resting", news.url("ok.xml?paused"), true),
    ] {
        let body = json!({ "name": name, "url": url, "schedule": "every 10s", "paused": paused });
        admin(&server, Method::POST, "/api/admin/sources", Some(body)).await;
    }
    let story = json!({ "name": "Storm", "keywords": ["storm"] });
    admin(&server, Method::POST, "/api/admin/stories", Some(story)).await;

    let read = || admin(&server, Method::GET, "/api/admin/dashboard", None);
    let fetched = |d: &Value| d["sources"]["new"] == 0;
    let dashboard = wait_until("both sources fetched", read, fetched).await;
    assert_eq!(
        dashboard["subscribers"],
        json!({
            "total": 4,
            "all_topics": 1,
            "by_topic": [{ "topic": "sport", "count": 2 }, { "topic": "world", "count": 2 }],
        })
    );
    assert_eq!(dashboard["alerts"]["today"], 1);
    assert_eq!(dashboard["alerts"]["manual"], 1);
    assert_eq!(dashboard["alerts"]["from_stories"], 0);
    assert_eq!(dashboard["deliveries"]["delivered"], 3);
    assert_eq!(dashboard["deliveries"]["failed"], 1);
    assert_eq!(dashboard["deliveries"]["success_rate"], 0.75);
    assert_eq!(
        dashboard["sources"],
        json!({ "total": 3, "ok": 1, "failing": 1, "paused": 1, "new": 0 })
    );
    assert_eq!(dashboard["stories"], 1);
    let since = dashboard["alerts"]["since"].as_str().expect("since");
    assert!(
        since.ends_with("T00:00:00Z"),
        "today is the UTC day: {since}"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_schedule_preview_lists_the_next_runs_in_words_or_says_what_is_wrong() {
    let server = TestServer::start().await;
    let path = "/api/admin/schedule/preview";
    let preview = admin(
        &server,
        Method::POST,
        path,
        Some(json!({ "schedule": "*/5 * * * *" })),
    )
    .await;
    assert_eq!(preview["description"], "every 5 minutes");
    let next: Vec<chrono::DateTime<chrono::Utc>> = preview["next"]
        .as_array()
        .expect("next")
        .iter()
        .map(|t| t.as_str().expect("RFC 3339").parse().expect("a time"))
        .collect();
    assert_eq!(next.len(), 5);
    assert!(next[0] > chrono::Utc::now());
    for pair in next.windows(2) {
        assert_eq!(pair[1] - pair[0], chrono::Duration::minutes(5));
    }
    assert!(next.iter().all(|t| chrono::Timelike::minute(t) % 5 == 0));

    let weekdays = json!({ "schedule": "0 9 * * MON-FRI" });
    let preview = admin(&server, Method::POST, path, Some(weekdays)).await;
    assert_eq!(
        preview["description"],
        "at 09:00 UTC, on weekdays (Monday to Friday)"
    );

    for bad in [
        json!({ "schedule": "sometimes" }),
        json!({ "schedule": "* * *" }),
        json!({}),
    ] {
        let response = server.admin(Method::POST, path, Some(bad.clone())).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(error_code(response).await, "invalid_schedule", "{bad}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_test_push_reaches_only_the_admins_browser_and_is_not_public() {
    let (server, standin) = start().await;
    subscribe(&server, &standin, "reader", &[]).await;
    // The admin's browser already follows one topic on the reader page; it keeps it.
    let browser = subscribe(&server, &standin, "admin", &["sport"]).await;
    let browser = browser.subscription_json(&[]);

    let created = admin(&server, Method::POST, "/api/admin/test-push", Some(browser)).await;
    assert_eq!(created["queued"], 1);
    let id = created["id"].as_i64().expect("id");
    let counts = settled_counts(&server, id).await;
    assert_eq!(
        counts,
        json!({ "queued": 0, "delivered": 1, "failed": 0, "gone": 0 })
    );
    let pushes = standin.received("admin");
    assert_eq!(pushes.len(), 1);
    assert_eq!(pushes[0].payload["title"], "Herald test notification");
    assert!(
        standin.received("reader").is_empty(),
        "no other subscriber gets it"
    );
    standin.assert_no_violations();

    let public: Value = server.get("/api/alerts").await.json().await.expect("json");
    assert_eq!(public["alerts"], json!([]), "a test push is not public");
    let listed = admin(&server, Method::GET, "/api/admin/alerts", None).await;
    assert_eq!(listed["alerts"][0]["id"], id);
    assert_eq!(listed["alerts"][0]["public"], false);

    let world = json!({ "title": "World news", "body": "b", "topics": ["world"] });
    let created = admin(&server, Method::POST, "/api/admin/alerts", Some(world)).await;
    settled_counts(&server, created["id"].as_i64().expect("id")).await;
    assert_eq!(standin.received("reader").len(), 1);
    assert_eq!(standin.received("admin").len(), 1, "its topics were kept");

    let elsewhere = common::subscription("https://evil.example/push/1");
    let response = server
        .admin(Method::POST, "/api/admin/test-push", Some(elsewhere))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(response).await, "endpoint_not_allowed");
    server.stop().await;
}

#[tokio::test]
async fn the_console_routes_need_credentials() {
    let server = TestServer::start().await;
    for (method, path) in [
        (Method::GET, "/api/admin/dashboard"),
        (Method::POST, "/api/admin/schedule/preview"),
        (Method::POST, "/api/admin/test-push"),
    ] {
        let response = server
            .client()
            .request(method.clone(), format!("{}{path}", server.url))
            .json(&json!({ "schedule": "every 5m" }))
            .send()
            .await
            .expect("request");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        assert_eq!(
            error_code(response).await,
            "unauthorized",
            "{method} {path}"
        );
    }
    server.stop().await;
}
