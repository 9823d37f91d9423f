//! Faults Herald must survive without losing anything: a push service failing for a while,
//! the database locked by another process past the busy timeout (with writes queued behind
//! it, and reads alongside), and a full disk.
//! (Retries after 500/503 for one push, 429 with Retry-After, and a hanging push service are
//! in `tests/delivery.rs`; hanging, looping and huge sources in `tests/sources.rs`.)

mod common;
mod support;

use std::time::{Duration, Instant};

use common::{ADMIN_TOKEN, TestServer, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::push_standin::{PushStandin, Reply};

async fn start(standin: &PushStandin) -> TestServer {
    TestServer::start_with(|c| {
        standin.accept_in(c);
        c.delivery.retry_base_ms = 100;
        c.delivery.retry_max_seconds = 1;
        c.delivery.max_attempts = 30;
    })
    .await
}

async fn subscribe(server: &TestServer, standin: &PushStandin, names: &[String]) {
    for name in names {
        let body = standin.subscriber(name).subscription_json(&[]);
        let response = server.post_json("/api/subscriptions", &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
}

async fn alert(server: &TestServer, title: &str) -> reqwest::Response {
    let body = json!({"title": title, "body": "The summit is set for Helsinki on July 16."});
    server
        .client()
        .post(format!("{}/api/admin/alerts", server.url))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .expect("request")
}

/// Every subscriber got exactly one message: none lost, none doubled.
async fn each_got_one(standin: &PushStandin, names: &[String]) {
    assert!(
        standin
            .wait_for_received(names.len(), Duration::from_secs(30))
            .await,
        "only {} of {} delivered",
        standin.total_received(),
        names.len()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    for name in names {
        assert_eq!(standin.received(name).len(), 1, "{name}");
    }
    standin.assert_no_violations();
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_service_failing_for_a_while_then_recovering_gets_everything() {
    let standin = PushStandin::start().await;
    let server = start(&standin).await;
    let readers = names("r", 50);
    subscribe(&server, &standin, &readers).await;
    standin.reply_all(Reply::Status(500));
    assert_eq!(
        alert(&server, "Summit set").await.status(),
        StatusCode::CREATED
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while readers.iter().any(|n| standin.attempts(n) < 2) {
        assert!(Instant::now() < deadline, "failed pushes are retried");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    standin.reply_all(Reply::Created);
    each_got_one(&standin, &readers).await;
    server.stop().await;
}

/// Another process holds the write lock for `hold`; returns once it has it.
async fn lock_database(server: &TestServer, hold: Duration) -> std::thread::JoinHandle<()> {
    let path = server.data_dir.path().join("herald.db");
    let (locked_tx, locked_rx) = tokio::sync::oneshot::channel();
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(path).expect("open");
        conn.execute_batch("BEGIN IMMEDIATE").expect("write lock");
        let _ = locked_tx.send(());
        std::thread::sleep(hold);
        conn.execute_batch("COMMIT").expect("release");
    });
    locked_rx.await.expect("locked");
    holder
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_locked_past_the_busy_timeout_is_a_clear_503_then_works() {
    let standin = PushStandin::start().await;
    let server = start(&standin).await;
    let readers = names("r", 5);
    subscribe(&server, &standin, &readers).await;

    // A write request waits the busy timeout (5 s), then says so.
    let holder = lock_database(&server, Duration::from_millis(6500)).await;
    let late = standin.subscriber("late").subscription_json(&[]);
    let started = Instant::now();
    let refused = server.post_json("/api/subscriptions", &late).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "waited for the busy timeout"
    );
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(error_code(refused).await, "database_busy");
    holder.join().expect("lock holder");
    let retried = server.post_json("/api/subscriptions", &late).await;
    assert_eq!(
        retried.status(),
        StatusCode::CREATED,
        "the client's retry is stored"
    );

    // The delivery engine, retrying failed pushes, meets the lock: it carries on afterwards
    // and every queued push goes out once.
    standin.reply_all(Reply::Status(503));
    assert_eq!(
        alert(&server, "Summit set").await.status(),
        StatusCode::CREATED
    );
    let holder = lock_database(&server, Duration::from_millis(6000)).await;
    standin.reply_all(Reply::Created);
    holder.join().expect("lock holder");
    let mut everyone = readers;
    everyone.push("late".into());
    each_got_one(&standin, &everyone).await;
    assert_eq!(server.storage.integrity_check().await.expect("check"), "ok");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_queued_behind_a_locked_database_wait_one_busy_timeout_and_reads_go_on() {
    let standin = PushStandin::start().await;
    let server = start(&standin).await;
    subscribe(&server, &standin, &names("r", 2)).await;

    // Three writes arrive together while another process holds the lock for longer than
    // three busy timeouts' worth of queueing would hide. Each waits one busy timeout in all
    // (queueing for the write connection included) and says so; none waits for the others.
    let holder = lock_database(&server, Duration::from_secs(12)).await;
    let bodies: Vec<Value> = names("queued", 3)
        .iter()
        .map(|name| standin.subscriber(name).subscription_json(&[]))
        .collect();
    let started = Instant::now();
    let attempts = bodies.iter().map(|body| {
        let server = &server;
        async move {
            let response = server.post_json("/api/subscriptions", body).await;
            (
                response.status(),
                started.elapsed(),
                error_code(response).await,
            )
        }
    });
    // Reads meanwhile are answered from a read connection, lock or no lock.
    let read = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let alerts = server.get("/api/alerts").await;
        let health = server.get("/healthz").await;
        (alerts.status(), health.status(), started.elapsed())
    };
    let (answers, (alerts, health, read_at)) =
        tokio::join!(futures::future::join_all(attempts), read);
    for (status, at, code) in &answers {
        assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(code, "database_busy");
        assert!(
            *at < Duration::from_secs(9),
            "a queued write answered after {at:?}, not within one busy timeout"
        );
    }
    assert_eq!(alerts, StatusCode::OK);
    assert_eq!(health, StatusCode::OK);
    assert!(
        read_at < Duration::from_secs(4),
        "reads waited: {read_at:?}"
    );
    holder.join().expect("lock holder");

    // Nothing was half-stored; the clients' retries are.
    for body in &bodies {
        let retried = server.post_json("/api/subscriptions", body).await;
        assert_eq!(retried.status(), StatusCode::CREATED);
    }
    assert_eq!(server.storage.integrity_check().await.expect("check"), "ok");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_is_a_clear_503_stores_nothing_half_and_recovers() {
    let standin = PushStandin::start().await;
    let server = start(&standin).await;
    let readers = names("r", 3);
    subscribe(&server, &standin, &readers).await;
    let pages = server.storage.page_count().await.expect("pages");
    server.storage.cap_pages(pages).await.expect("cap");

    // Subscribe until the file would have to grow.
    let mut stored = readers.clone();
    let mut refused = None;
    for i in 0..2000 {
        let name = format!("f{i}");
        let body = standin.subscriber(&name).subscription_json(&[]);
        let response = server.post_json("/api/subscriptions", &body).await;
        if response.status() == StatusCode::CREATED {
            stored.push(name);
            continue;
        }
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key("retry-after"));
        assert_eq!(error_code(response).await, "storage_full");
        refused = Some(body);
        break;
    }
    let refused = refused.expect("the capped database filled up");
    let count = server.storage.count_subscriptions().await.expect("count");
    assert_eq!(count, stored.len() as u64, "nothing half-stored");
    let full_alert = alert(&server, "Summit set").await;
    if full_alert.status() != StatusCode::CREATED {
        assert_eq!(error_code(full_alert).await, "storage_full");
    }
    assert_eq!(server.storage.integrity_check().await.expect("check"), "ok");

    // Space again: the retried requests succeed and every subscriber gets the alert once.
    server.storage.cap_pages(1 << 30).await.expect("uncap");
    let again = server.post_json("/api/subscriptions", &refused).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    let body: Value = server.get("/api/alerts").await.json().await.expect("json");
    if body["alerts"].as_array().is_none_or(Vec::is_empty) {
        assert_eq!(
            alert(&server, "Summit set").await.status(),
            StatusCode::CREATED
        );
    }
    each_got_one(&standin, &stored).await;
    assert_eq!(server.storage.integrity_check().await.expect("check"), "ok");
    server.stop().await;
}
