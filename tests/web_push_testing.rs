//! Herald's pushes checked by an implementation written by others: the npm package
//! `web-push-testing`, a mock push service that verifies the VAPID signature, decrypts each
//! payload and hands the plaintext back. It also checks topic filtering end to end and that a
//! subscription the push service has expired is counted as gone.
//!
//! `tests/support/install-wpt.sh` installs it; `HERALD_WPT_DIR` points at that directory.
//! Without it the test skips, unless `HERALD_REQUIRE_WPT=1` (CI) makes that a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use common::{ADMIN_TOKEN, TestServer};

const POLL_INTERVAL: Duration = Duration::from_millis(50);

#[tokio::test(flavor = "multi_thread")]
async fn pushes_are_verified_and_decrypted_by_web_push_testing() {
    let Some(dir) = wpt_dir() else {
        return;
    };
    let mock = MockPushService::start(&dir).await;
    let server = TestServer::start_with(|config| {
        config
            .push
            .allowed_endpoints
            .push(format!("http://localhost:{}/", mock.port));
        config.push.subject = Some("mailto:ops@example.org".into());
    })
    .await;
    let key: Value = server
        .get("/api/vapid-public-key")
        .await
        .json()
        .await
        .expect("key");
    let key = key["publicKey"].as_str().expect("publicKey is a string");

    let [kept, expired, sports] = [
        mock.subscribe(key).await,
        mock.subscribe(key).await,
        mock.subscribe(key).await,
    ];
    subscribe(&server, &kept, &[]).await;
    subscribe(&server, &expired, &[]).await;
    subscribe(&server, &sports, &["sports"]).await;

    let summit = json!({
        "title": "Summit: set for Helsinki, July 16",
        "body": "The White House and the Kremlin announced the summit for July 16 in Helsinki.",
        "url": "https://example.org/summit",
        "topics": ["world"],
    });
    let first = send_alert(&server, &summit).await;
    for received in mock.wait_for_messages(&[&kept, &expired], 1).await {
        assert_payload(&received[0], &summit, first);
    }
    let filtered = mock.messages(&sports).await;
    assert!(
        filtered.is_empty(),
        "a sports-only subscription got a world alert: {filtered:?}"
    );

    mock.expire(&expired).await;
    let follow_up = json!({
        "title": "Summit: moved to July 17",
        "body": "The Helsinki summit now opens a day later, on July 17.",
        "url": "https://example.org/summit",
        "topics": ["world"],
    });
    let second = send_alert(&server, &follow_up).await;
    let counts = wait_for_counts(&server, second).await;
    assert_eq!(counts["failed"], 0, "{counts}");
    let [received] = mock.wait_for_messages(&[&kept], 2).await;
    assert_payload(&received[1], &follow_up, second);
    let after_expiry = mock.messages(&expired).await;
    assert_eq!(
        after_expiry.len(),
        1,
        "the expired subscription got nothing new: {after_expiry:?}"
    );
    server.stop().await;
}

/// The install directory, or `None` (skip) when it is missing and not required.
fn wpt_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("HERALD_WPT_DIR").map(PathBuf::from);
    if let Some(dir) = dir.filter(|d| d.join("node_modules/web-push-testing").is_dir()) {
        return Some(dir);
    }
    let required = std::env::var("HERALD_REQUIRE_WPT").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "HERALD_REQUIRE_WPT=1 but HERALD_WPT_DIR does not hold web-push-testing \
         (run tests/support/install-wpt.sh DIR and set HERALD_WPT_DIR=DIR)"
    );
    eprintln!(
        "skipping the web-push-testing check: set HERALD_WPT_DIR to a directory prepared by \
         tests/support/install-wpt.sh"
    );
    None
}

/// A subscription as web-push-testing hands it out.
struct MockSubscription {
    endpoint: String,
    keys: Value,
    client_hash: String,
}

/// `web-push-testing` running under node on 127.0.0.1; killed when dropped.
struct MockPushService {
    child: Child,
    port: u16,
    url: String,
    http: reqwest::Client,
    log: tempfile::NamedTempFile,
}

impl MockPushService {
    async fn start(dir: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("free port")
            .port();
        let log = tempfile::NamedTempFile::new().expect("log file");
        let child = Command::new("node")
            .arg(dir.join("wpt-loopback.js"))
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(log.reopen().expect("log for stdout"))
            .stderr(log.reopen().expect("log for stderr"))
            .spawn()
            .expect("node starts (is Node.js >= 20 installed?)");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client");
        let mut mock = Self {
            child,
            port,
            url: format!("http://127.0.0.1:{port}"),
            http,
            log,
        };
        mock.wait_until_ready().await;
        mock
    }

    async fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                panic!("web-push-testing exited early ({status})");
            }
            let answer = self.http.post(format!("{}/status", self.url)).send().await;
            if answer.is_ok_and(|r| r.status() == StatusCode::OK) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "web-push-testing not ready after 10 s"
            );
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    async fn post(&self, path: &str, body: &Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .json(body)
            .send()
            .await
            .expect("request to web-push-testing");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert!(
            status.is_success(),
            "web-push-testing {path}: {status} {text}"
        );
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn subscribe(&self, key: &str) -> MockSubscription {
        let body = json!({ "applicationServerKey": key, "userVisibleOnly": "true" });
        let answer = self.post("/subscribe", &body).await;
        let data = &answer["data"];
        MockSubscription {
            endpoint: data["endpoint"].as_str().expect("endpoint").to_owned(),
            keys: data["keys"].clone(),
            client_hash: data["clientHash"].as_str().expect("clientHash").to_owned(),
        }
    }

    async fn messages(&self, subscription: &MockSubscription) -> Vec<String> {
        let body = json!({ "clientHash": subscription.client_hash });
        let answer = self.post("/get-notifications", &body).await;
        serde_json::from_value(answer["data"]["messages"].clone()).expect("messages are strings")
    }

    /// Waits until each subscription holds `count` messages and returns them.
    async fn wait_for_messages<const N: usize>(
        &self,
        subscriptions: &[&MockSubscription; N],
        count: usize,
    ) -> [Vec<String>; N] {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mut received = Vec::with_capacity(N);
            for subscription in subscriptions {
                received.push(self.messages(subscription).await);
            }
            if received.iter().all(|m| m.len() >= count) {
                return received.try_into().expect("one list per subscription");
            }
            assert!(
                Instant::now() < deadline,
                "expected {count} message(s) each within 20 s, got {received:?}"
            );
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// From now on the mock answers pushes to this subscription with 410 Gone.
    async fn expire(&self, subscription: &MockSubscription) {
        let path = format!("/expire-subscription/{}", subscription.client_hash);
        self.post(&path, &json!({})).await;
    }
}

impl Drop for MockPushService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.log.path()).unwrap_or_default();
            eprintln!("--- web-push-testing log ---\n{log}--- end ---");
        }
    }
}

async fn subscribe(server: &TestServer, subscription: &MockSubscription, topics: &[&str]) {
    let mut body = json!({ "endpoint": subscription.endpoint, "keys": subscription.keys });
    if !topics.is_empty() {
        body["topics"] = json!(topics);
    }
    let response = server.post_json("/api/subscriptions", &body).await;
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, StatusCode::CREATED, "subscribing: {text}");
}

/// Sends a manual alert through the admin API and returns its id.
async fn send_alert(server: &TestServer, alert: &Value) -> i64 {
    let response = server
        .client()
        .post(format!("{}/api/admin/alerts", server.url))
        .bearer_auth(ADMIN_TOKEN)
        .json(alert)
        .send()
        .await
        .expect("POST /api/admin/alerts");
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(
        status,
        StatusCode::CREATED,
        "POST /api/admin/alerts answered {status}: {text}"
    );
    let created: Value = serde_json::from_str(&text).expect("JSON body");
    created["id"].as_i64().expect("alert id")
}

/// A decrypted push carries the alert as Herald sent it.
fn assert_payload(message: &str, alert: &Value, alert_id: i64) {
    let payload: Value = serde_json::from_str(message).expect("payload is JSON");
    for field in ["title", "body", "url"] {
        assert_eq!(payload[field], alert[field], "{field} in {payload}");
    }
    assert_eq!(payload["alert_id"], alert_id, "{payload}");
    assert!(!payload["ts"].is_null(), "ts in {payload}");
}

/// Waits until the alert's delivery counts show one delivered and one gone, and returns them.
async fn wait_for_counts(server: &TestServer, alert_id: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let response = server
            .client()
            .get(format!("{}/api/admin/alerts/{alert_id}", server.url))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("GET /api/admin/alerts/{id}");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(
            status,
            StatusCode::OK,
            "GET /api/admin/alerts/{alert_id}: {text}"
        );
        let alert: Value = serde_json::from_str(&text).expect("alert JSON");
        let counts = &alert["counts"];
        if counts["gone"] == 1 && counts["delivered"] == 1 {
            return counts.clone();
        }
        assert!(
            Instant::now() < deadline,
            "expected one delivered and one gone within 20 s: {alert}"
        );
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}
