//! Delivery end to end: Herald pushes to a strict push-service stand-in that decrypts every
//! message and checks every header, and answers as scripted.

mod common;
mod support;

use std::time::{Duration, Instant};

use common::{ADMIN_TOKEN, TestServer, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::push_standin::{PushStandin, Reply, Subscriber};

const WAIT: Duration = Duration::from_secs(20);

struct Fixture {
    server: TestServer,
    standin: PushStandin,
    http: reqwest::Client,
}

impl Fixture {
    async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    async fn start_with(configure: impl FnOnce(&mut herald::config::Config)) -> Self {
        let standin = PushStandin::start().await;
        let server = TestServer::start_with(|c| {
            standin.accept_in(c);
            c.delivery.retry_base_ms = 50;
            c.delivery.retry_max_seconds = 1;
            c.delivery.request_timeout_seconds = 2;
            configure(c);
        })
        .await;
        let http = reqwest::Client::new();
        let key: Value = http
            .get(format!("{}/api/vapid-public-key", server.url))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        standin.set_expected_key(key["publicKey"].as_str().expect("key"));
        Self {
            server,
            standin,
            http,
        }
    }

    async fn subscribe(&self, name: &str, topics: &[&str]) -> Subscriber {
        let subscriber = self.standin.subscriber(name);
        let response = self
            .http
            .post(format!("{}/api/subscriptions", self.server.url))
            .json(&subscriber.subscription_json(topics))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::CREATED);
        subscriber
    }

    async fn alert(&self, body: Value) -> i64 {
        let response = self.admin_post("/api/admin/alerts", &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let created: Value = response.json().await.expect("json");
        created["id"].as_i64().expect("id")
    }

    async fn admin_post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.server.url))
            .bearer_auth(ADMIN_TOKEN)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    async fn counts(&self, id: i64) -> Value {
        let response = self
            .http
            .get(format!("{}/api/admin/alerts/{id}", self.server.url))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        let alert: Value = response.json().await.expect("json");
        alert["counts"].clone()
    }

    /// Polls the alert's counts until `done` holds (bounded).
    async fn wait_counts(&self, id: i64, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let counts = self.counts(id).await;
            if done(&counts) {
                return counts;
            }
            assert!(Instant::now() < deadline, "counts never settled: {counts}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    async fn settled(&self, id: i64) -> Value {
        self.wait_counts(id, |c| c["queued"] == 0).await
    }
}

fn summit() -> Value {
    json!({
        "title": "Summit: set for Helsinki, July 16",
        "body": "The White House and the Kremlin announced the summit for July 16 in Helsinki.",
        "url": "https://example.org/summit",
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn pushes_are_encrypted_signed_and_carry_the_right_headers() {
    let f = Fixture::start().await;
    f.subscribe("a", &[]).await;
    f.subscribe("b", &[]).await;
    let id = f.alert(summit()).await;
    assert!(f.standin.wait_for_received(2, WAIT).await);
    let counts = f.settled(id).await;
    assert_eq!(
        counts,
        json!({"queued": 0, "delivered": 2, "failed": 0, "gone": 0})
    );

    let received = f.standin.received("a");
    assert_eq!(received.len(), 1);
    let push = &received[0];
    assert_eq!(push.payload["title"], "Summit: set for Helsinki, July 16");
    assert_eq!(push.payload["url"], "https://example.org/summit");
    assert_eq!(push.payload["alert_id"], id);
    assert!(
        push.payload["ts"]
            .as_i64()
            .is_some_and(|ts| ts > 1_700_000_000_000)
    );
    assert_eq!(push.ttl, 900);
    assert_eq!(push.urgency, "high");
    assert_eq!(push.topic.as_deref(), Some(format!("alert-{id}").as_str()));
    assert_eq!(push.claims["aud"], f.standin.url());
    assert_eq!(push.claims["sub"], "mailto:ops@example.org");
    f.standin.assert_no_violations();

    let public: Value = f
        .server
        .get("/api/alerts")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(public["alerts"][0]["id"], id, "manual alerts are public");
}

#[tokio::test(flavor = "multi_thread")]
async fn topics_decide_who_gets_an_alert() {
    let f = Fixture::start().await;
    f.subscribe("everything", &[]).await;
    f.subscribe("world", &["world", "politics"]).await;
    f.subscribe("sports", &["sports"]).await;

    let mut world = summit();
    world["topics"] = json!(["world"]);
    let id = f.alert(world).await;
    assert_eq!(f.settled(id).await["delivered"], 2);
    assert_eq!(f.standin.received("everything").len(), 1);
    assert_eq!(f.standin.received("world").len(), 1);
    assert_eq!(f.standin.received("sports").len(), 0);

    let id = f.alert(summit()).await;
    assert_eq!(
        f.settled(id).await["delivered"],
        3,
        "an alert without topics goes to everyone"
    );
    f.standin.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn gone_subscriptions_are_removed() {
    let f = Fixture::start().await;
    f.subscribe("expired", &[]).await;
    f.subscribe("unknown", &[]).await;
    f.subscribe("fine", &[]).await;
    f.standin.reply("expired", vec![Reply::Status(410)]);
    f.standin.reply("unknown", vec![Reply::Status(404)]);
    let id = f.alert(summit()).await;
    let counts = f.settled(id).await;
    assert_eq!(
        counts,
        json!({"queued": 0, "delivered": 1, "failed": 0, "gone": 2})
    );
    assert_eq!(
        f.server.storage.count_subscriptions().await.expect("count"),
        1
    );
    f.standin.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_and_rate_limits_are_retried() {
    let f = Fixture::start().await;
    f.subscribe("flaky", &[]).await;
    f.subscribe("busy", &[]).await;
    f.standin
        .reply("flaky", vec![Reply::Status(500), Reply::Status(503)]);
    f.standin.reply(
        "busy",
        vec![Reply::TooManyRequests {
            retry_after_secs: 1,
        }],
    );
    let started = Instant::now();
    let id = f.alert(summit()).await;
    let counts = f.settled(id).await;
    assert_eq!(counts["delivered"], 2, "{counts}");
    assert_eq!(f.standin.attempts("flaky"), 3);
    assert_eq!(f.standin.attempts("busy"), 2);
    let busy_at = f.standin.received("busy")[0].at;
    assert!(
        busy_at - started >= Duration::from_secs(1),
        "Retry-After is honoured"
    );
    f.standin.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delivery_fails_after_its_last_attempt() {
    let f = Fixture::start_with(|c| c.delivery.max_attempts = 3).await;
    f.subscribe("down", &[]).await;
    f.standin.reply_all(Reply::Status(502));
    let id = f.alert(summit()).await;
    let counts = f.settled(id).await;
    assert_eq!(
        counts,
        json!({"queued": 0, "delivered": 0, "failed": 1, "gone": 0})
    );
    assert_eq!(f.standin.attempts("down"), 3);
    assert_eq!(
        f.server.storage.count_subscriptions().await.expect("count"),
        1,
        "kept"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn too_large_is_retried_once_with_the_short_form() {
    let f = Fixture::start().await;
    f.subscribe("once", &[]).await;
    f.subscribe("twice", &[]).await;
    f.standin.reply("once", vec![Reply::Status(413)]);
    f.standin
        .reply("twice", vec![Reply::Status(413), Reply::Status(413)]);
    let mut long = summit();
    long["body"] = json!("The summit will be held in Helsinki on July 16. ".repeat(80));
    let id = f.alert(long).await;
    let counts = f.settled(id).await;
    assert_eq!(
        counts,
        json!({"queued": 0, "delivered": 1, "failed": 1, "gone": 0})
    );
    let body = f.standin.received("once")[0].payload["body"]
        .as_str()
        .expect("body")
        .to_owned();
    assert!(body.chars().count() <= 160 && body.ends_with('…'), "{body}");
    assert_eq!(f.standin.attempts("twice"), 2);
    f.standin.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_credentials_pause_the_push_service_and_keep_subscriptions() {
    let f = Fixture::start_with(|c| c.delivery.origin_pause_seconds = 1).await;
    for name in ["a", "b", "c"] {
        f.subscribe(name, &[]).await;
    }
    f.standin.reply_all(Reply::Status(403));
    let id = f.alert(summit()).await;
    assert!(f.standin.wait_for_attempts("a", 1, WAIT).await);
    let counts = f.counts(id).await;
    assert_eq!(counts["failed"], 0, "{counts}");
    assert_eq!(
        f.server.storage.count_subscriptions().await.expect("count"),
        3
    );
    f.standin.reply_all(Reply::Created);
    let counts = f.settled(id).await;
    assert_eq!(
        counts["delivered"], 3,
        "delivered once the pause ends: {counts}"
    );
    f.standin.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_push_service_does_not_hold_up_another() {
    let slow = PushStandin::start().await;
    slow.reply_all(Reply::Hang);
    let slow_prefix = slow.endpoint_prefix();
    let f = Fixture::start_with(|c| {
        c.push.allowed_endpoints.push(slow_prefix);
        c.delivery.concurrency = 8;
        c.delivery.per_origin_concurrency = 2;
        c.delivery.request_timeout_seconds = 30;
    })
    .await;
    for i in 0..10 {
        let subscriber = slow.subscriber(&format!("slow{i}"));
        let response = f
            .http
            .post(format!("{}/api/subscriptions", f.server.url))
            .json(&subscriber.subscription_json(&[]))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    for i in 0..10 {
        f.subscribe(&format!("fast{i}"), &[]).await;
    }
    let id = f.alert(summit()).await;
    // The slow service holds its requests for 30 s; the fast one still gets all ten at once.
    assert!(
        f.standin
            .wait_for_received(10, Duration::from_secs(15))
            .await
    );
    let slow_attempts = || {
        (0..10)
            .map(|i| slow.attempts(&format!("slow{i}")))
            .sum::<usize>()
    };
    let deadline = Instant::now() + WAIT;
    while slow_attempts() == 0 {
        assert!(
            Instant::now() < deadline,
            "the slow service was never tried"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let total_slow = slow_attempts();
    assert!(
        total_slow <= 2,
        "at most per_origin_concurrency in flight to the slow service"
    );
    let counts = f.wait_counts(id, |c| c["delivered"] == 10).await;
    assert_eq!(counts["failed"], 0, "{counts}");
    f.standin.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_alert_routes_need_the_token_and_valid_input() {
    let f = Fixture::start().await;
    let url = format!("{}/api/admin/alerts", f.server.url);
    let anonymous = f
        .http
        .post(&url)
        .json(&summit())
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(anonymous).await, "unauthorized");
    let forged = f
        .http
        .get(&url)
        .bearer_auth("not-the-token")
        .send()
        .await
        .expect("request");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);

    for (body, code) in [
        (json!({"body": "no title"}), "invalid_title"),
        (
            json!({"title": "t", "url": "javascript:alert(1)"}),
            "invalid_url",
        ),
        (
            json!({"title": "t", "topics": ["Bad Topic"]}),
            "invalid_topic",
        ),
        (json!({"title": "t", "surprise": 1}), "invalid_body"),
    ] {
        let response = f.admin_post("/api/admin/alerts", &body).await;
        assert!(response.status().is_client_error());
        assert_eq!(error_code(response).await, code, "{body}");
    }
    let missing = f
        .http
        .get(format!("{url}/999"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("request");
    assert_eq!(error_code(missing).await, "alert_not_found");

    let id = f.alert(summit()).await;
    let list: Value = f
        .http
        .get(&url)
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("r")
        .json()
        .await
        .expect("json");
    assert_eq!(list["alerts"][0]["id"], id);
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_pushes_by_result_and_origin() {
    let f = Fixture::start().await;
    f.subscribe("a", &["world"]).await;
    let id = f.alert(summit()).await;
    f.settled(id).await;
    let text = f.server.get("/metrics").await.text().await.expect("text");
    let origin = f.standin.url();
    assert!(
        text.lines().any(|l| l.starts_with("herald_pushes_total")
            && l.contains("result=\"delivered\"")
            && l.contains(&origin)
            && l.ends_with(" 1")),
        "{text}"
    );
    assert!(text.contains("herald_delivery_queue_depth 0"), "{text}");
    assert!(
        text.contains("herald_subscriptions{topic=\"world\"} 1"),
        "{text}"
    );
    assert!(text.contains("herald_push_send_seconds_bucket"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn stale_subscriptions_are_asked_once_then_removed() {
    let f = Fixture::start().await;
    let gone = f.subscribe("gone", &[]).await;
    let back = f.subscribe("back", &["world"]).await;
    let config = herald::config::SubscribeConfig::default();
    let day = 24 * 3600 * 1000;
    let now = chrono::Utc::now().timestamp_millis();

    let swept = herald::housekeeping::run_once(&f.server.storage, &config, now)
        .await
        .expect("sweep");
    assert_eq!(
        swept,
        herald::housekeeping::Swept::default(),
        "fresh subscriptions are left alone"
    );

    let later = now + 61 * day;
    let swept = herald::housekeeping::run_once(&f.server.storage, &config, later)
        .await
        .expect("sweep");
    assert_eq!(swept.warned, 2);
    let again = herald::housekeeping::run_once(&f.server.storage, &config, later)
        .await
        .expect("sweep");
    assert_eq!(again.warned, 0, "asked once only");
    assert!(
        f.standin.wait_for_received(2, WAIT).await,
        "the question is pushed"
    );
    let question = &f.standin.received("gone")[0].payload;
    assert_eq!(question["title"], "Still want breaking-news alerts?");

    // "back" opens the page again, which re-posts (and so refreshes) its subscription.
    let response = f
        .http
        .post(format!("{}/api/subscriptions", f.server.url))
        .json(&back.subscription_json(&["world"]))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);

    let swept = herald::housekeeping::run_once(&f.server.storage, &config, later + 8 * day)
        .await
        .expect("sweep");
    assert_eq!(swept.removed, 1);
    assert_eq!(
        f.server.storage.count_subscriptions().await.expect("count"),
        1
    );
    let public: Value = f
        .server
        .get("/api/alerts")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        public["alerts"],
        json!([]),
        "the question is not a public alert"
    );
    drop(gone);
}
