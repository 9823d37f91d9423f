//! Black-box tests of the subscribe path over HTTP.

mod common;

use common::{TestServer, browser_keys, error_code, subscription};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn new_endpoint_is_created_then_refreshed() {
    let server = TestServer::start().await;
    let endpoint = server.endpoint("a");
    let mut body = subscription(&endpoint);
    body["topics"] = json!(["world", "summit"]);

    let first = server.post_json("/api/subscriptions", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.expect("json");
    assert!(first["id"].is_i64(), "{first}");

    body["keys"] = browser_keys();
    body["topics"] = json!(["politics"]);
    let again = server.post_json("/api/subscriptions", &body).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.expect("json");
    assert_eq!(first["id"], again["id"]);

    assert_eq!(
        server.storage.count_subscriptions().await.expect("count"),
        1
    );
    let policy = herald::domain::EndpointPolicy::from_config(&{
        let mut push = herald::config::PushConfig::default();
        push.allowed_endpoints
            .push(format!("{}/push-standin/", server.url));
        push
    })
    .expect("policy");
    let topics = server
        .storage
        .subscription_topics(policy.check(&endpoint).expect("valid"))
        .await
        .expect("topics");
    assert_eq!(
        topics,
        Some(vec!["politics".to_owned()]),
        "topics are replaced, not merged"
    );
    server.stop().await;
}

#[tokio::test]
async fn unsubscribe_removes_and_is_idempotent() {
    let server = TestServer::start().await;
    let endpoint = server.endpoint("gone");
    let created = server
        .post_json("/api/subscriptions", &subscription(&endpoint))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);

    for _ in 0..2 {
        let response = server
            .client()
            .delete(format!("{}/api/subscriptions", server.url))
            .json(&json!({ "endpoint": endpoint }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            server.storage.count_subscriptions().await.expect("count"),
            0
        );
    }
    let missing = server
        .client()
        .delete(format!("{}/api/subscriptions", server.url))
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(missing).await, "missing_endpoint");
    server.stop().await;
}

/// Each invalid body gets its own code, and nothing is stored.
#[tokio::test]
async fn invalid_subscriptions_are_refused_with_their_code() {
    let server = TestServer::start().await;
    let keys = browser_keys();
    let with_endpoint = |endpoint: &str| json!({ "endpoint": endpoint, "keys": keys });
    let with_keys = |p256dh: Value, auth: Value| json!({ "endpoint": server.endpoint("k"), "keys": { "p256dh": p256dh, "auth": auth } });
    let mut off_curve = vec![4u8; 65];
    off_curve[64] = 0;
    let b64 = |bytes: &[u8]| {
        use base64::Engine;
        herald::domain::BASE64URL.encode(bytes)
    };
    let topics =
        |list: Value| json!({ "endpoint": server.endpoint("t"), "keys": keys, "topics": list });
    let too_many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();

    let cases: Vec<(&str, Value, &str)> = vec![
        ("no endpoint", json!({ "keys": keys }), "missing_endpoint"),
        ("not a URL", with_endpoint("nope"), "invalid_endpoint"),
        (
            "plain http",
            with_endpoint("http://fcm.googleapis.com/fcm/send/x"),
            "endpoint_not_https",
        ),
        (
            "other scheme",
            with_endpoint("file:///etc/passwd"),
            "invalid_endpoint",
        ),
        (
            "IPv4 literal",
            with_endpoint("https://10.0.0.1/push"),
            "endpoint_ip_literal",
        ),
        (
            "IPv6 literal",
            with_endpoint("https://[::1]/push"),
            "endpoint_ip_literal",
        ),
        (
            "userinfo",
            with_endpoint("https://a:b@fcm.googleapis.com/x"),
            "endpoint_userinfo",
        ),
        (
            "unknown host",
            with_endpoint("https://example.com/push"),
            "endpoint_not_allowed",
        ),
        (
            "suffix trick",
            with_endpoint("https://fcm.googleapis.com.evil.net/x"),
            "endpoint_not_allowed",
        ),
        (
            "no keys",
            json!({ "endpoint": server.endpoint("k") }),
            "missing_keys",
        ),
        (
            "p256dh not base64",
            with_keys(json!("***"), keys["auth"].clone()),
            "invalid_p256dh",
        ),
        (
            "p256dh off curve",
            with_keys(json!(b64(&off_curve)), keys["auth"].clone()),
            "invalid_p256dh",
        ),
        (
            "p256dh short",
            with_keys(json!(b64(&[4u8; 33])), keys["auth"].clone()),
            "invalid_p256dh",
        ),
        (
            "auth 15 bytes",
            with_keys(keys["p256dh"].clone(), json!(b64(&[1u8; 15]))),
            "invalid_auth",
        ),
        (
            "auth missing",
            with_keys(keys["p256dh"].clone(), Value::Null),
            "invalid_auth",
        ),
        ("topic uppercase", topics(json!(["World"])), "invalid_topic"),
        ("topic empty", topics(json!([""])), "invalid_topic"),
        (
            "topic too long",
            topics(json!(["a".repeat(65)])),
            "invalid_topic",
        ),
        (
            "too many topics",
            topics(json!(too_many)),
            "too_many_topics",
        ),
        ("topics not a list", topics(json!("world")), "invalid_body"),
    ];
    for (name, body, expected) in cases {
        let response = server.post_json("/api/subscriptions", &body).await;
        assert!(
            response.status().is_client_error(),
            "{name}: {}",
            response.status()
        );
        assert_eq!(error_code(response).await, expected, "{name}");
    }
    assert_eq!(
        server.storage.count_subscriptions().await.expect("count"),
        0
    );
    server.stop().await;
}

#[tokio::test]
async fn bodies_that_are_not_small_json_are_refused() {
    let server = TestServer::start().await;
    let url = format!("{}/api/subscriptions", server.url);
    let client = server.client();
    let send = |body: String, content_type: &'static str| {
        client
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    let malformed = send("{\"endpoint\": ".into(), "application/json")
        .await
        .expect("request");
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(malformed).await, "malformed_json");

    let mut big = subscription(&server.endpoint("big"));
    big["padding"] = json!("x".repeat(5000));
    let too_large = send(big.to_string(), "application/json")
        .await
        .expect("request");
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(too_large).await, "payload_too_large");

    let body = subscription(&server.endpoint("type")).to_string();
    let wrong_type = send(body, "text/plain").await.expect("request");
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error_code(wrong_type).await, "unsupported_media_type");

    assert_eq!(
        server.storage.count_subscriptions().await.expect("count"),
        0
    );
    server.stop().await;
}

#[tokio::test]
async fn subscribe_is_rate_limited_per_ip() {
    let server = TestServer::start_with(|c| c.subscribe.rate_limit_per_minute = 3).await;
    for i in 0..3 {
        let response = server
            .post_json(
                "/api/subscriptions",
                &subscription(&server.endpoint(&i.to_string())),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let limited = server
        .post_json("/api/subscriptions", &subscription(&server.endpoint("x")))
        .await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(error_code(limited).await, "rate_limited");
    assert_eq!(
        server.storage.count_subscriptions().await.expect("count"),
        3
    );
    server.stop().await;
}
