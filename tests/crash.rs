//! A real `herald serve` killed with SIGKILL in the middle of a fan-out, then restarted:
//! every subscriber is served, duplicates stay within the in-flight bound, the database is sound.

mod common;
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use common::ADMIN_TOKEN;
use common::binary::start_herald;
use serde_json::json;
use support::push_standin::PushStandin;

const SUBSCRIBERS: usize = 2000;
const IN_FLIGHT: usize = 32;

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_mid_fan_out_loses_nothing() {
    let standin = PushStandin::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("herald.toml");
    std::fs::write(
        &config,
        format!(
            "[push]\nsubject = \"mailto:ops@example.org\"\nallowed_endpoints = [\"{}\"]\n\
             [delivery]\nconcurrency = {IN_FLIGHT}\nretry_base_ms = 50\n\
             [subscribe]\nrate_limit_per_minute = 0\n",
            standin.endpoint_prefix()
        ),
    )
    .expect("config written");
    let (mut herald, url) = start_herald(dir.path(), &config);
    let http = reqwest::Client::new();

    let names: Vec<String> = (0..SUBSCRIBERS).map(|i| format!("s{i}")).collect();
    for chunk in names.chunks(50) {
        let posts = chunk.iter().map(|name| {
            let body = standin.subscriber(name).subscription_json(&[]);
            let http = http.clone();
            let url = format!("{url}/api/subscriptions");
            async move {
                http.post(url)
                    .json(&body)
                    .send()
                    .await
                    .expect("subscribe")
                    .status()
            }
        });
        for status in futures::future::join_all(posts).await {
            assert_eq!(status, reqwest::StatusCode::CREATED);
        }
    }
    let alert = http
        .post(format!("{url}/api/admin/alerts"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"title": "Summit held in Helsinki", "body": "Trump and Putin met in Helsinki."}))
        .send()
        .await
        .expect("alert");
    assert_eq!(alert.status(), reqwest::StatusCode::CREATED);

    // Kill as soon as the fan-out is under way.
    let deadline = Instant::now() + Duration::from_secs(30);
    while standin.total_received() < 100 {
        assert!(Instant::now() < deadline, "fan-out never started");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    herald.kill().expect("SIGKILL");
    herald.wait().expect("reaped");
    let at_kill = standin.total_received();
    assert!(
        at_kill < SUBSCRIBERS,
        "killed mid-fan-out ({at_kill} of {SUBSCRIBERS} sent)"
    );

    let (mut herald, _url) = start_herald(dir.path(), &config);
    let deadline = Instant::now() + Duration::from_secs(60);
    while names.iter().any(|n| standin.received(n).is_empty()) {
        assert!(
            Instant::now() < deadline,
            "not every subscriber was served after the restart"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let duplicates: usize = names.iter().map(|n| standin.received(n).len() - 1).sum();
    assert!(
        duplicates <= IN_FLIGHT,
        "{duplicates} duplicates; at most {IN_FLIGHT} were in flight"
    );
    standin.assert_no_violations();

    let _ = Command::new("kill")
        .args(["-TERM", &herald.id().to_string()])
        .status();
    assert!(herald.wait().expect("exit").success());
    let db = rusqlite::Connection::open(dir.path().join("herald.db")).expect("open");
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    let queued: i64 = db
        .query_row(
            "SELECT count(*) FROM deliveries WHERE state != 'delivered'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(queued, 0, "every delivery recorded as delivered");
}
