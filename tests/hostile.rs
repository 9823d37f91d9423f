//! Hostile input at the public API: endpoints that try to turn Herald into a relay (SSRF),
//! broken keys, and bodies that are not small JSON. Each is a 4xx with the JSON envelope and
//! nothing is stored. (The basic cases are in `tests/subscriptions.rs`; admin routes without
//! credentials, with forged or expired sessions, or cross-site, in `tests/admin_auth.rs`.)

mod common;

use base64::Engine;
use common::{TestServer, browser_keys, subscription};
use herald::domain::BASE64URL;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Posts raw bytes as JSON; returns the status and the error code when there is one.
async fn post_raw(server: &TestServer, body: Vec<u8>) -> (StatusCode, Option<String>) {
    let response = server
        .client()
        .post(format!("{}/api/subscriptions", server.url))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let code = body["error"]["code"].as_str().map(str::to_owned);
    (status, code)
}

async fn refused(server: &TestServer, what: &str, body: Vec<u8>) {
    let (status, code) = post_raw(server, body).await;
    assert!(status.is_client_error(), "{what}: {status}");
    assert!(code.is_some(), "{what}: the answer has the error envelope");
}

async fn stored(server: &TestServer) -> u64 {
    server.storage.count_subscriptions().await.expect("count")
}

#[tokio::test]
async fn endpoints_that_reach_elsewhere_are_refused() {
    let server = TestServer::start().await;
    let standin = server.endpoint("");
    let endpoints = [
        "javascript:alert(1)",
        "data:text/plain,hello",
        "gopher://fcm.googleapis.com/x",
        "ws://fcm.googleapis.com/x",
        "https://localhost/push",
        "https://localhost./push",
        "https://127.0.0.1/push",
        "https://127.1/push",
        "https://2130706433/push",
        "https://0x7f000001/push",
        "https://0177.0.0.1/push",
        "https://%31%32%37.0.0.1/push",
        "https://[::ffff:127.0.0.1]/push",
        "https://[::ffff:7f00:1]/push",
        "https://[fe80::1]/push",
        "https://192.168.1.1/push",
        "https://172.16.0.1/push",
        "https://169.254.169.254/latest/meta-data/",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://fcm.googleapis.com@evil.example/x",
        "https://fcm.googleapis.com%2F@evil.example/x",
        "https://evil.example#@fcm.googleapis.com/x",
        "https://evil.example?@fcm.googleapis.com/x",
        "https://evil.example\\@fcm.googleapis.com/x",
        "https://evil%2Eexample/x",
        "https://fcm.googleapis.com.evil.example/x",
        "https://fcm.googleapis.com%2eevil.example/x",
        "https://fcm.googleapis.com\u{3002}evil.example/x",
        "https://fcm.googleapis.com./fcm/send/x",
        "https://evil.example./x",
        "https://googleapis.com/x",
        "https://fcm.googleapis.com:443@evil.example/x",
        "",
        " ",
    ];
    let traversal = [
        format!("{standin}../api/admin/alerts"),
        format!("{standin}%2e%2e/api/admin/alerts"),
        format!("{standin}x/../../healthz"),
        standin.replace("http://", "http://user@"),
        format!("https://fcm.googleapis.com/{}", "a".repeat(3000)),
    ];
    let all = endpoints.iter().map(|e| (*e).to_owned()).chain(traversal);
    for endpoint in all {
        let body = json!({"endpoint": endpoint, "keys": browser_keys()});
        refused(&server, &endpoint, body.to_string().into_bytes()).await;
    }
    for endpoint in [
        json!(1),
        json!(null),
        json!([]),
        json!({"href": "x"}),
        json!(true),
    ] {
        let body = json!({"endpoint": endpoint, "keys": browser_keys()});
        refused(
            &server,
            &endpoint.to_string(),
            body.to_string().into_bytes(),
        )
        .await;
    }
    assert_eq!(stored(&server).await, 0);
    server.stop().await;
}

#[tokio::test]
async fn keys_that_are_not_a_point_or_a_secret_are_refused() {
    let server = TestServer::start().await;
    let good = browser_keys();
    let mut not_on_curve = BASE64URL
        .decode(good["p256dh"].as_str().expect("key"))
        .expect("b64");
    not_on_curve[64] ^= 1;
    let mut compressed = not_on_curve[..33].to_vec();
    compressed[0] = 2;
    let mut beyond_field = vec![0xffu8; 65];
    beyond_field[0] = 4;
    let b64 = |bytes: &[u8]| json!(BASE64URL.encode(bytes));
    let standard = base64::engine::general_purpose::STANDARD;
    let p256dh_cases = [
        b64(&not_on_curve),
        b64(&compressed),
        b64(&beyond_field),
        b64(&[0u8]),
        b64(&[4u8; 65]),
        b64(&[]),
        json!(standard.encode(&not_on_curve)),
        json!(format!(
            "{}====",
            good["p256dh"].as_str().unwrap_or_default()
        )),
        json!(format!(" {}", good["p256dh"].as_str().unwrap_or_default())),
        json!("é".repeat(87)),
        json!(12345),
        json!(["a"]),
    ];
    for (i, p256dh) in p256dh_cases.into_iter().enumerate() {
        let body = json!({"endpoint": server.endpoint(&format!("p{i}")),
            "keys": {"p256dh": p256dh, "auth": good["auth"]}});
        refused(
            &server,
            &format!("p256dh {p256dh}"),
            body.to_string().into_bytes(),
        )
        .await;
    }
    let auth_cases = [
        b64(&[1u8; 17]),
        b64(&[]),
        json!("!!!!!!!!!!!!!!!!!!!!!!"),
        json!(16),
    ];
    for (i, auth) in auth_cases.into_iter().enumerate() {
        let body = json!({"endpoint": server.endpoint(&format!("a{i}")),
            "keys": {"p256dh": good["p256dh"], "auth": auth}});
        refused(
            &server,
            &format!("auth {auth}"),
            body.to_string().into_bytes(),
        )
        .await;
    }
    assert_eq!(stored(&server).await, 0);
    server.stop().await;
}

#[tokio::test]
async fn bodies_that_are_deep_huge_or_not_text_are_refused() {
    let server = TestServer::start().await;
    let deep_array = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(600), "}".repeat(600));
    let deep_endpoint = format!("{{\"endpoint\": {deep_array}, \"keys\": {{}}}}");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("not JSON", b"endpoint=x".to_vec()),
        (
            "truncated",
            b"{\"endpoint\": \"https://fcm.googleapis.com/x\"".to_vec(),
        ),
        ("a string", b"\"https://fcm.googleapis.com/x\"".to_vec()),
        ("null", b"null".to_vec()),
        ("invalid UTF-8", b"{\"endpoint\": \"\xff\xfe\"}".to_vec()),
        (
            "NUL bytes",
            b"{\"endpoint\": \"https://fcm.googleapis.com/\x00\"}".to_vec(),
        ),
        ("deep array", deep_array.into_bytes()),
        ("deep object", deep_object.into_bytes()),
        ("deep endpoint", deep_endpoint.into_bytes()),
        ("10 MB", vec![b' '; 10_000_000]),
        (
            "1 MB string",
            format!("{{\"endpoint\": \"{}\"}}", "a".repeat(1 << 20)).into_bytes(),
        ),
    ];
    for (what, body) in cases {
        refused(&server, what, body).await;
    }
    // A body streamed without a length is cut off at the limit too.
    let chunks = (0..160).map(|_| Ok::<_, std::io::Error>(vec![b' '; 64 * 1024]));
    let streamed = server
        .client()
        .post(format!("{}/api/subscriptions", server.url))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await;
    if let Ok(response) = streamed {
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    assert_eq!(stored(&server).await, 0);
    assert_eq!(server.get("/healthz").await.status(), StatusCode::OK);
    server.stop().await;
}

/// Random mutations of a valid body: never a 5xx, and whatever is stored is a valid endpoint.
#[tokio::test]
async fn mutated_bodies_never_fail_the_server() {
    let server = TestServer::start().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x004e_5241_4c44);
    let alphabet = b"{}[]\":,\\0123456789abcdef-_./@#%?+=eE \x00\xff";
    let mut created = 0;
    for i in 0..400 {
        let mut body = subscription(&server.endpoint(&format!("m{i}")))
            .to_string()
            .into_bytes();
        for _ in 0..rng.gen_range(1..6) {
            let at = rng.gen_range(0..body.len());
            match rng.gen_range(0..3) {
                0 => body[at] = alphabet[rng.gen_range(0..alphabet.len())],
                1 => {
                    body.remove(at);
                }
                _ => body.insert(at, alphabet[rng.gen_range(0..alphabet.len())]),
            }
        }
        let (status, _) = post_raw(&server, body).await;
        assert!(!status.is_server_error(), "mutation {i}: {status}");
        if status.is_success() {
            created += 1;
        }
    }
    assert!(stored(&server).await <= created);
    let prefix = server.endpoint("");
    let db = rusqlite::Connection::open(server.data_dir.path().join("herald.db")).expect("open");
    let endpoints: Vec<String> = db
        .prepare("SELECT endpoint FROM subscriptions")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("endpoints");
    for endpoint in endpoints {
        assert!(endpoint.starts_with(&prefix), "stored {endpoint}");
    }
    server.stop().await;
}
