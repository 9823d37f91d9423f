//! Sources end to end against a local news-source stand-in: feeds and pages that change,
//! conditional GETs, errors of every kind, the admin API and the scheduler.

mod common;
mod support;

use std::time::{Duration, Instant};

use common::{ADMIN_TOKEN, TestServer, error_code};
use herald::config::FetchConfig;
use herald::sources::{RunOutcome, SchedulerHandle, SourceScheduler};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::news_source::{NewsSource, Resource};

fn rss(items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title, text)| {
            format!(
                "<item><guid>{guid}</guid><title>{title}</title><link>https://news.example.org/{guid}</link>\
                 <pubDate>Thu, 28 Jun 2018 10:00:00 GMT</pubDate><description>{text}</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>{items}</channel></rss>"
    )
}

async fn add_source(server: &TestServer, body: Value) -> Value {
    let response = server
        .client()
        .post(format!("{}/api/admin/sources", server.url))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.expect("json")
}

fn scheduler(server: &TestServer, timeout_seconds: u64) -> std::sync::Arc<SourceScheduler> {
    scheduler_with(server, timeout_seconds, |_| {})
}

fn scheduler_with(
    server: &TestServer,
    timeout_seconds: u64,
    configure: impl FnOnce(&mut FetchConfig),
) -> std::sync::Arc<SourceScheduler> {
    let mut config = FetchConfig {
        host_spacing_ms: 0,
        timeout_seconds,
        ..FetchConfig::default()
    };
    configure(&mut config);
    SourceScheduler::new(server.storage.clone(), &config, SchedulerHandle::default())
        .expect("scheduler")
}

/// Adds a paused feed source (so only the test runs it) and runs it once.
async fn add_and_run(
    server: &TestServer,
    scheduler: &SourceScheduler,
    name: &str,
    url: String,
) -> (i64, RunOutcome) {
    let source = add_source(
        server,
        json!({"name": name, "url": url, "kind": "feed", "paused": true}),
    )
    .await;
    let id = source["id"].as_i64().expect("id");
    (id, scheduler.run_once(id).await.expect("run"))
}

async fn source_state(server: &TestServer, id: i64) -> Value {
    let response = server
        .client()
        .get(format!("{}/api/admin/sources/{id}", server.url))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("request");
    response.json().await.expect("json")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_is_read_once_per_change() {
    let news = NewsSource::start().await;
    news.set_body(
        "feed.xml",
        "application/rss+xml",
        rss(&[
            ("a", "Summit agreed", "Details Thursday."),
            ("b", "Bolton in Moscow", "Talks."),
        ]),
    );
    let server = TestServer::start().await;
    let source = add_source(&server, json!({"name": "Wire", "url": news.url("feed.xml"), "kind": "feed", "schedule": "every 1h", "paused": true})).await;
    let id = source["id"].as_i64().expect("id");
    let scheduler = scheduler(&server, 10);

    assert_eq!(
        scheduler.run_once(id).await.expect("run"),
        RunOutcome::Stored {
            documents: 2,
            new_versions: 2
        }
    );
    assert_eq!(
        scheduler.run_once(id).await.expect("run"),
        RunOutcome::NotModified
    );
    assert_eq!(
        news.not_modified("feed.xml"),
        1,
        "the second GET was conditional"
    );

    news.set_body(
        "feed.xml",
        "application/rss+xml",
        rss(&[
            ("a", "Summit set for Helsinki", "July 16."),
            ("b", "Bolton in Moscow", "Talks."),
            ("c", "New", "Item."),
        ]),
    );
    assert_eq!(
        scheduler.run_once(id).await.expect("run"),
        RunOutcome::Stored {
            documents: 3,
            new_versions: 2
        }
    );
    let state = source_state(&server, id).await;
    assert_eq!(state["last_status"], 200);
    assert_eq!(state["consecutive_failures"], 0);
    assert!(state["last_fetch"].is_string());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_failure_is_recorded_in_words_and_others_go_on() {
    let news = NewsSource::start().await;
    news.set("gone.xml", Resource::Status(404));
    news.set(
        "slow.xml",
        Resource::Slow(Duration::from_secs(5), Box::new(Resource::Status(200))),
    );
    news.set("loop.xml", Resource::RedirectLoop);
    // 1 GB on offer: Herald stops reading at its 5 MB cap.
    news.set("huge.html", Resource::Huge(1 << 30));
    news.set_body(
        "broken.xml",
        "application/rss+xml",
        "<?xml version=\"1.0\"?>\n<rss>\n<channel>\n<item><title>x</titl></item></channel></rss>",
    );
    news.set_body(
        "page.xml",
        "text/html",
        "<!doctype html><html><body><p>Not a feed</p></body></html>",
    );
    news.set("busy.xml", Resource::RetryAfter(503, 120));
    news.set_body(
        "fine.xml",
        "application/rss+xml",
        rss(&[("a", "Fine", "Still fine.")]),
    );
    let server = TestServer::start().await;
    let scheduler = scheduler(&server, 1);
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        drop(listener);
        format!("http://127.0.0.1:{port}/feed.xml")
    };
    let cases = [
        (news.url("gone.xml"), "feed", "404 Not Found"),
        (news.url("slow.xml"), "feed", "timeout"),
        (news.url("loop.xml"), "feed", "too many redirects"),
        (news.url("huge.html"), "page", "body larger than 5 MB"),
        (news.url("broken.xml"), "feed", "invalid XML at line 4"),
        (news.url("page.xml"), "feed", "expected a feed"),
        (news.url("busy.xml"), "feed", "503: asked to retry in 120 s"),
        (refused, "feed", "cannot connect"),
        // TLS spoken to a plain-HTTP server, and a name no resolver knows (RFC 6761).
        (
            news.url("fine.xml").replace("http://", "https://"),
            "feed",
            "TLS error",
        ),
        (
            "http://no-such-host.invalid/feed.xml".to_owned(),
            "feed",
            "cannot resolve host",
        ),
    ];
    for (url, kind, expected) in cases {
        let source = add_source(
            &server,
            json!({"name": expected, "url": url, "kind": kind, "paused": true}),
        )
        .await;
        let id = source["id"].as_i64().expect("id");
        let started = Instant::now();
        let outcome = scheduler.run_once(id).await.expect("run");
        assert!(
            matches!(&outcome, RunOutcome::Failed(e) if e.starts_with(expected)),
            "{expected}: {outcome:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{expected}: bounded"
        );
        let state = source_state(&server, id).await;
        assert!(
            state["last_error"]
                .as_str()
                .is_some_and(|e| e.starts_with(expected)),
            "{state}"
        );
        assert_eq!(state["consecutive_failures"], 1);
        if expected.starts_with("503") {
            // (A paused source shows no next run; the planned time is still stored.)
            let next = state["next_run_at"].as_i64().unwrap_or_default();
            let wait = (next - chrono::Utc::now().timestamp_millis()) / 1000;
            assert!(
                wait >= 100,
                "Retry-After is respected: next run in {wait} s"
            );
        }
    }
    let (_, outcome) = add_and_run(&server, &scheduler, "fine", news.url("fine.xml")).await;
    assert_eq!(
        outcome,
        RunOutcome::Stored {
            documents: 1,
            new_versions: 1
        }
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_api_manages_sources() {
    let server = TestServer::start().await;
    let url = format!("{}/api/admin/sources", server.url);
    let http = server.client();
    let anonymous = http.get(&url).send().await.expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    for (body, code) in [
        (json!({"name": "x", "url": "not a url"}), "invalid_url"),
        (
            json!({"name": "x", "url": "file:///etc/passwd"}),
            "invalid_url",
        ),
        (
            json!({"name": "x", "url": "https://example.org/", "kind": "rss"}),
            "invalid_kind",
        ),
        (
            json!({"name": "x", "url": "https://example.org/", "schedule": "sometimes"}),
            "invalid_schedule",
        ),
        (
            json!({"name": "x", "url": "https://example.org/", "schedule": "* * *"}),
            "invalid_schedule",
        ),
        (
            json!({"name": "x", "url": "https://example.org/", "kind": "page", "selector": "div[[["}),
            "invalid_selector",
        ),
        (
            json!({"name": "x", "url": "https://example.org/", "kind": "json"}),
            "invalid_json_fields",
        ),
        (json!({"url": "https://example.org/"}), "invalid_name"),
    ] {
        let response = http
            .post(&url)
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .expect("request");
        assert!(response.status().is_client_error(), "{body}");
        assert_eq!(error_code(response).await, code, "{body}");
    }

    let created = add_source(
        &server,
        json!({"name": "Wire", "url": "https://example.org/feed", "schedule": "*/5 * * * *"}),
    )
    .await;
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["kind"], "feed");
    assert_eq!(
        created["upcoming"].as_array().map(Vec::len),
        Some(3),
        "next runs in plain words"
    );
    let again = http
        .post(&url)
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": "Dup", "url": "https://example.org/feed"}))
        .send()
        .await
        .expect("r");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(again).await, "source_exists");

    let paused = http
        .put(format!("{url}/{id}"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": "Wire", "url": "https://example.org/feed", "schedule": "every 10m", "paused": true}))
        .send()
        .await
        .expect("request");
    assert_eq!(paused.status(), StatusCode::OK);
    let paused: Value = paused.json().await.expect("json");
    assert_eq!(paused["paused"], true);
    assert_eq!(paused["schedule"], "every 10m");
    assert!(
        paused["next_run"].is_null(),
        "a paused source has no next run"
    );

    let list: Value = http
        .get(&url)
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("r")
        .json()
        .await
        .expect("json");
    assert_eq!(list["sources"].as_array().map(Vec::len), Some(1));
    let deleted = http
        .delete(format!("{url}/{id}"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("r");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let missing = http
        .get(format!("{url}/{id}"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("r");
    assert_eq!(error_code(missing).await, "source_not_found");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scheduler_runs_sources_and_seeds_them_from_the_config() {
    let news = NewsSource::start().await;
    news.set_body(
        "feed.xml",
        "application/rss+xml",
        rss(&[("a", "Summit agreed", "Details Thursday.")]),
    );
    let seeded = news.url("feed.xml");
    let server = TestServer::start_with(|c| {
        c.sources.push(
            serde_json::from_value(
                json!({"name": "Seeded", "url": seeded, "schedule": "every 10s"}),
            )
            .expect("request"),
        );
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while news.requests("feed.xml") == 0 {
        assert!(
            Instant::now() < deadline,
            "the seeded source was never fetched"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Its next run (10 s later) is a conditional GET: the feed has not changed, so a 304.
    let deadline = Instant::now() + Duration::from_secs(40);
    while news.not_modified("feed.xml") == 0 {
        assert!(
            Instant::now() < deadline,
            "the scheduler's second fetch was not conditional"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let list: Value = server
        .client()
        .get(format!("{}/api/admin/sources", server.url))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("r")
        .json()
        .await
        .expect("json");
    assert_eq!(list["sources"][0]["name"], "Seeded");

    // A restart seeds nothing twice.
    let server = server.restart().await;
    assert_eq!(server.storage.list_sources().await.expect("list").len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn try_it_and_the_fetch_command_show_documents() {
    let news = NewsSource::start().await;
    news.set_body(
        "feed.xml",
        "application/rss+xml",
        rss(&[("a", "Summit agreed", "Details will be announced Thursday.")]),
    );
    let server = TestServer::start().await;
    let response = server
        .client()
        .post(format!("{}/api/admin/sources/try", server.url))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"url": news.url("feed.xml"), "kind": "feed"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["documents"][0]["title"], "Summit agreed");
    assert_eq!(
        server.storage.list_sources().await.expect("list").len(),
        0,
        "nothing saved"
    );

    let url = news.url("feed.xml");
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
            .args(["fetch", &url, "--kind", "feed"])
            .output()
    })
    .await
    .expect("join")
    .expect("herald fetch runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let documents: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(
        documents[0]["paragraphs"][0],
        "Details will be announced Thursday."
    );

    let output = tokio::task::spawn_blocking(|| {
        std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
            .args(["fetch", "not a url"])
            .output()
    })
    .await
    .expect("join")
    .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a URL"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pausing_a_source_cancels_its_fetch_in_progress() {
    let news = NewsSource::start().await;
    let feed = rss(&[("a", "Summit agreed", "Details Thursday.")]);
    news.set(
        "slow.xml",
        Resource::Slow(
            Duration::from_secs(3),
            Box::new(Resource::Body {
                content_type: "application/rss+xml".into(),
                body: feed.into_bytes(),
            }),
        ),
    );
    let server = TestServer::start().await;
    let body = json!({"name": "Slow wire", "url": news.url("slow.xml"), "schedule": "every 10s"});
    let id = add_source(&server, body.clone()).await["id"]
        .as_i64()
        .expect("id");
    let deadline = Instant::now() + Duration::from_secs(15);
    while news.requests("slow.xml") == 0 {
        assert!(Instant::now() < deadline, "the source was never fetched");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let mut paused = body;
    paused["paused"] = json!(true);
    let response = server
        .client()
        .put(format!("{}/api/admin/sources/{id}", server.url))
        .bearer_auth(ADMIN_TOKEN)
        .json(&paused)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);

    // Had the fetch gone on, its answer (3 s later) would be recorded with its documents.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let state = source_state(&server, id).await;
    assert_eq!(state["last_fetch"], Value::Null, "{state}");
    assert_eq!(state["next_run"], Value::Null, "{state}");
    assert_eq!(news.requests("slow.xml"), 1);
    server.stop().await;
}

#[tokio::test]
async fn private_addresses_are_refused_when_the_option_is_off() {
    let news = NewsSource::start().await;
    news.set_body(
        "fine.xml",
        "application/rss+xml",
        rss(&[("a", "Fine", "Still fine.")]),
    );
    // Another port on loopback, as a service next to Herald would be.
    news.set(
        "hop.xml",
        Resource::RedirectTo("http://127.0.0.1:9/admin".into()),
    );
    // The stand-in itself stays reachable, as the demo's own pages do: that is what lets this
    // test follow a redirect from it.
    let own: std::net::SocketAddr = news
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("stand-in address");
    let strict = |c: &mut FetchConfig| {
        c.allow_private_addresses = false;
        c.exempt_addresses.push(own);
    };
    let server = TestServer::start_with(|c| strict(&mut c.fetch)).await;

    for url in [
        "http://127.0.0.1:8080/feed.xml",
        "http://localhost:8080/feed.xml",
        "http://127.1/feed.xml",
        "http://[::ffff:7f00:1]/feed.xml",
        "http://10.0.0.8/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/feed.xml",
    ] {
        for path in ["/api/admin/sources", "/api/admin/sources/try"] {
            let response = server
                .admin(
                    reqwest::Method::POST,
                    path,
                    Some(json!({"name": "inside", "url": url, "kind": "feed"})),
                )
                .await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path} {url}");
            assert_eq!(error_code(response).await, "private_address", "{url}");
        }
    }
    let listed = server
        .admin(reqwest::Method::GET, "/api/admin/sources", None)
        .await;
    let listed: Value = listed.json().await.expect("json");
    assert_eq!(listed["sources"], json!([]), "nothing stored");

    // A public-looking source that redirects inside is refused when it redirects, by the
    // scheduler and by "try it", and the source's status line says why.
    let scheduler = scheduler_with(&server, 5, strict);
    let (_, outcome) = add_and_run(&server, &scheduler, "fine", news.url("fine.xml")).await;
    assert!(matches!(outcome, RunOutcome::Stored { .. }), "{outcome:?}");
    let (id, outcome) = add_and_run(&server, &scheduler, "hop", news.url("hop.xml")).await;
    assert!(
        matches!(&outcome, RunOutcome::Failed(e) if e.starts_with("refused: 127.0.0.1 is loopback, private or link-local")),
        "{outcome:?}"
    );
    let state = source_state(&server, id).await;
    assert!(
        state["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("allow_private_addresses")),
        "{state}"
    );
    let tried = server
        .admin(
            reqwest::Method::POST,
            "/api/admin/sources/try",
            Some(json!({"url": news.url("hop.xml"), "kind": "feed"})),
        )
        .await;
    assert_eq!(tried.status(), StatusCode::BAD_GATEWAY);
    let body: Value = tried.json().await.expect("json");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("refused: 127.0.0.1")),
        "{body}"
    );
    server.stop().await;
}
