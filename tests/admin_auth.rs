//! Admin accounts: `herald admin add-user`, login sessions, throttling, CSRF and the audit log.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{ADMIN_TOKEN, TestServer, error_code};
use herald::domain::{AdminName, NewPassword};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

/// Runs `herald admin ARGS` on `data_dir`, with `stdin` as its (non-terminal) input.
fn herald_admin(data_dir: &std::path::Path, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("admin")
        .args(args)
        .env("HERALD_DATA_DIR", data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("herald starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("writes the password");
    let output = child.wait_with_output().expect("herald exits");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

async fn add_user(server: &TestServer, name: &str, password: &str) {
    let name = AdminName::parse(name).expect("valid name");
    let password = NewPassword::parse(password.into()).expect("valid password");
    herald::accounts::add_user(&server.storage, &name, &password, false)
        .await
        .expect("user added");
}

async fn login(server: &TestServer, name: &str, password: &str) -> reqwest::Response {
    server
        .post_json(
            "/api/admin/login",
            &json!({ "username": name, "password": password }),
        )
        .await
}

/// A logged-in admin: the `Cookie` header to send and the session's CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

async fn log_in(server: &TestServer, name: &str) -> Session {
    let response = login(server, name, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = set_cookie(&response);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["username"], name);
    let pair = cookie.split(';').next().expect("name=value").to_owned();
    Session {
        cookie: pair,
        csrf: body["csrf_token"].as_str().expect("csrf token").to_owned(),
    }
}

fn set_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("Set-Cookie")
        .to_owned()
}

fn request(server: &TestServer, method: Method, path: &str) -> reqwest::RequestBuilder {
    server
        .client()
        .request(method, format!("{}{path}", server.url))
}

fn with_session(
    server: &TestServer,
    session: &Session,
    method: Method,
    path: &str,
) -> reqwest::RequestBuilder {
    request(server, method, path).header("cookie", &session.cookie)
}

#[tokio::test]
async fn the_cli_adds_a_user_who_can_log_in_and_resets_the_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_owned();
    let (ok, text) = herald_admin(&path, &["add-user", "alice"], "short\n");
    assert!(!ok && text.contains("at least 8"), "{text}");
    let (ok, text) = herald_admin(&path, &["add-user", "al ice"], "long enough\n");
    assert!(!ok && text.contains("invalid user name"), "{text}");
    let (ok, text) = herald_admin(&path, &["add-user", "alice"], &format!("{PASSWORD}\n"));
    assert!(ok, "{text}");
    let (ok, text) = herald_admin(&path, &["add-user", "alice"], "another password\n");
    assert!(!ok && text.contains("--reset"), "{text}");
    let (ok, text) = herald_admin(&path, &["list-users"], "");
    assert!(ok && text.starts_with("alice\t"), "{text}");

    let server = TestServer::start_in(dir, |_| {}).await;
    let session = log_in(&server, "alice").await;
    let stories = with_session(&server, &session, Method::GET, "/api/admin/stories")
        .send()
        .await
        .expect("request");
    assert_eq!(
        stories.status(),
        StatusCode::OK,
        "the session opens admin routes"
    );

    let (ok, text) = herald_admin(
        &path,
        &["add-user", "alice", "--reset"],
        "new password 2\r\n",
    );
    assert!(ok, "{text}");
    let old = with_session(&server, &session, Method::GET, "/api/admin/session");
    assert_eq!(
        old.send().await.expect("request").status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&server, "alice", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&server, "alice", "new password 2").await.status(),
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_wrong_credentials_get_one_answer() {
    let server = TestServer::start().await;
    add_user(&server, "alice", PASSWORD).await;
    let response = login(&server, "alice", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = set_cookie(&response);
    assert!(cookie.starts_with("herald_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let tls = request(&server, Method::POST, "/api/admin/login")
        .header("x-forwarded-proto", "https")
        .json(&json!({ "username": "alice", "password": PASSWORD }))
        .send()
        .await
        .expect("request");
    assert!(set_cookie(&tls).ends_with("; Secure"));

    for (name, password) in [("alice", "wrong password"), ("nobody", PASSWORD), ("", "")] {
        let response = login(&server, name, password).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert!(response.headers().get("set-cookie").is_none());
        assert_eq!(error_code(response).await, "invalid_credentials", "{name}");
    }
    let cross_site = request(&server, Method::POST, "/api/admin/login")
        .header("origin", "https://evil.example")
        .json(&json!({ "username": "alice", "password": PASSWORD }))
        .send()
        .await
        .expect("request");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(cross_site).await, "csrf_rejected");
    server.stop().await;
}

#[tokio::test]
async fn failed_logins_lock_the_account_and_then_the_address() {
    let server = TestServer::start().await;
    add_user(&server, "alice", PASSWORD).await;
    add_user(&server, "bob", PASSWORD).await;
    for _ in 0..4 {
        assert_eq!(
            login(&server, "alice", "nope").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login(&server, "alice", PASSWORD).await.status(),
        StatusCode::OK
    );
    for _ in 0..4 {
        let response = login(&server, "alice", "nope").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "a success reset the count"
        );
    }
    assert_eq!(
        login(&server, "alice", "nope").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let locked = login(&server, "alice", PASSWORD).await;
    assert_eq!(
        locked.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password"
    );
    let retry: u64 = locked.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    assert_eq!(error_code(locked).await, "too_many_attempts");
    assert_eq!(
        login(&server, "bob", PASSWORD).await.status(),
        StatusCode::OK
    );

    // 9 failures so far from this address; 11 more reach its limit of 20.
    for i in 0..11 {
        let name = format!("guess{i}");
        assert_eq!(
            login(&server, &name, "nope").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = login(&server, "bob", PASSWORD).await;
    assert_eq!(
        locked.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the address is locked"
    );
    assert!(locked.headers().contains_key("retry-after"));
    assert_eq!(error_code(locked).await, "too_many_attempts");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn attempts_sent_at_once_cannot_slip_past_the_limit() {
    let server = TestServer::start().await;
    add_user(&server, "alice", PASSWORD).await;
    let attempts = (0..12).map(|_| login(&server, "alice", "nope"));
    let mut statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [[401; 5].as_slice(), &[429; 7]].concat());
    server.stop().await;
}

#[tokio::test]
async fn logout_forged_and_expired_sessions() {
    let server = TestServer::start().await;
    add_user(&server, "alice", PASSWORD).await;
    let session = log_in(&server, "alice").await;
    let current: Value = with_session(&server, &session, Method::GET, "/api/admin/session")
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(current["username"], "alice");
    assert_eq!(current["csrf_token"], session.csrf.as_str());

    let forced = with_session(&server, &session, Method::POST, "/api/admin/logout");
    assert_eq!(
        forced.send().await.expect("request").status(),
        StatusCode::FORBIDDEN
    );
    let logout = with_session(&server, &session, Method::POST, "/api/admin/logout")
        .header("x-csrf-token", &session.csrf)
        .send()
        .await
        .expect("request");
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    assert!(set_cookie(&logout).contains("Max-Age=0"));
    for path in ["/api/admin/session", "/api/admin/stories"] {
        let after = with_session(&server, &session, Method::GET, path);
        let response = after.send().await.expect("request");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(error_code(response).await, "unauthorized");
    }

    let forged = format!("herald_session={}", "A".repeat(43));
    for cookie in [forged.as_str(), "herald_session=garbage", "herald_session="] {
        let response = request(&server, Method::GET, "/api/admin/stories")
            .header("cookie", cookie)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{cookie}");
        assert_eq!(error_code(response).await, "unauthorized");
    }

    let user = server
        .storage
        .admin_credentials("alice".into())
        .await
        .expect("reads")
        .expect("alice");
    let token = [7u8; 32];
    use sha2::Digest;
    server
        .storage
        .insert_admin_session(herald::storage::NewAdminSession {
            user_id: user.user_id,
            token_sha256: sha2::Sha256::digest(token).into(),
            csrf_token: "csrf".into(),
            expires_at: chrono::Utc::now().timestamp_millis() - 1000,
        })
        .await
        .expect("inserted");
    use base64::Engine;
    let expired = format!("herald_session={}", herald::domain::BASE64URL.encode(token));
    for path in ["/api/admin/session", "/api/admin/stories"] {
        let response = request(&server, Method::GET, path)
            .header("cookie", &expired)
            .send()
            .await
            .expect("request");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "expired: {path}"
        );
    }
    server.stop().await;
}

/// Every admin route (method, path) except login and logout, which take no credentials.
const ADMIN_ROUTES: &[(Method, &str)] = &[
    (Method::GET, "/api/admin/alerts"),
    (Method::POST, "/api/admin/alerts"),
    (Method::GET, "/api/admin/alerts/1"),
    (Method::GET, "/api/admin/sources"),
    (Method::POST, "/api/admin/sources"),
    (Method::POST, "/api/admin/sources/try"),
    (Method::GET, "/api/admin/sources/1"),
    (Method::PUT, "/api/admin/sources/1"),
    (Method::DELETE, "/api/admin/sources/1"),
    (Method::GET, "/api/admin/stories"),
    (Method::POST, "/api/admin/stories"),
    (Method::GET, "/api/admin/stories/1"),
    (Method::PUT, "/api/admin/stories/1"),
    (Method::DELETE, "/api/admin/stories/1"),
    (Method::GET, "/api/admin/stories/1/timeline"),
    (Method::POST, "/api/admin/stories/1/replay"),
    (Method::GET, "/api/admin/settings"),
    (Method::PUT, "/api/admin/settings"),
    (Method::GET, "/api/admin/audit"),
    (Method::GET, "/api/admin/session"),
    (Method::GET, "/api/admin/dashboard"),
    (Method::POST, "/api/admin/schedule/preview"),
    (Method::POST, "/api/admin/test-push"),
];

#[tokio::test]
async fn every_admin_route_needs_credentials_and_session_writes_need_the_csrf_token() {
    let server = TestServer::start().await;
    add_user(&server, "alice", PASSWORD).await;
    let session = log_in(&server, "alice").await;
    for (method, path) in ADMIN_ROUTES {
        let anonymous = request(&server, method.clone(), path).json(&json!({}));
        let response = anonymous.send().await.expect("request");
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
        let wrong = request(&server, method.clone(), path).bearer_auth("not-the-token");
        let response = wrong.json(&json!({})).send().await.expect("request");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        if *method != Method::GET {
            let no_token = with_session(&server, &session, method.clone(), path);
            let response = no_token.json(&json!({})).send().await.expect("request");
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
            assert_eq!(
                error_code(response).await,
                "csrf_rejected",
                "{method} {path}"
            );
        }
    }

    let put = |csrf: &str, extra: Option<(&'static str, &str)>| {
        let mut builder = with_session(&server, &session, Method::PUT, "/api/admin/settings")
            .header("x-csrf-token", csrf)
            .json(&json!({ "min_score": 2.0 }));
        if let Some((name, value)) = extra {
            builder = builder.header(name, value);
        }
        builder
    };
    let refused = [
        put("wrong", None),
        put(&session.csrf, Some(("origin", "https://evil.example"))),
        put(&session.csrf, Some(("origin", "null"))),
        put(&session.csrf, Some(("sec-fetch-site", "cross-site"))),
    ];
    for attempt in refused {
        let response = attempt.send().await.expect("request");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(error_code(response).await, "csrf_rejected");
    }
    let ok = put(&session.csrf, Some(("origin", server.url.as_str())));
    assert_eq!(ok.send().await.expect("request").status(), StatusCode::OK);
    let ok = put(&session.csrf, Some(("sec-fetch-site", "same-origin")));
    assert_eq!(ok.send().await.expect("request").status(), StatusCode::OK);
    let bearer = request(&server, Method::PUT, "/api/admin/settings")
        .bearer_auth(ADMIN_TOKEN)
        .header("origin", "https://elsewhere.example")
        .json(&json!({ "min_score": 1.0 }));
    let response = bearer.send().await.expect("request");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the token needs no CSRF token"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_audit_log_records_who_changed_what_and_how() {
    let server = TestServer::start().await;
    add_user(&server, "alice", PASSWORD).await;
    let session = log_in(&server, "alice").await;
    let started = chrono::Utc::now().timestamp_millis();
    let response = with_session(&server, &session, Method::PUT, "/api/admin/settings")
        .header("x-csrf-token", &session.csrf)
        .header("origin", &server.url)
        .json(&json!({ "min_score": 2.5 }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);

    let token =
        |method: Method, path: &str| request(&server, method, path).bearer_auth(ADMIN_TOKEN);
    let story = json!({ "name": "Summit", "keywords": ["summit"] });
    let created: Value = token(Method::POST, "/api/admin/stories")
        .json(&story)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_i64().expect("story id");
    let path = format!("/api/admin/stories/{id}");
    let renamed = json!({ "name": "Helsinki summit", "keywords": ["summit"] });
    let updated = token(Method::PUT, &path)
        .json(&renamed)
        .send()
        .await
        .expect("request");
    assert_eq!(updated.status(), StatusCode::OK);
    let deleted = token(Method::DELETE, &path).send().await.expect("request");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let failed = token(Method::DELETE, &path).send().await.expect("request");
    assert_eq!(
        failed.status(),
        StatusCode::NOT_FOUND,
        "a failed change is not logged"
    );

    let audit = with_session(&server, &session, Method::GET, "/api/admin/audit?limit=10");
    let body: Value = audit
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let entries = body["entries"].as_array().expect("entries");
    let summary: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            let field = |name: &str| e[name].as_str().unwrap_or_default();
            (field("actor"), field("action"), field("subject"))
        })
        .collect();
    let subject = format!("story {id}");
    assert_eq!(
        summary,
        [
            ("token", "story.delete", subject.as_str()),
            ("token", "story.update", subject.as_str()),
            ("token", "story.create", subject.as_str()),
            ("alice", "settings.update", "settings"),
        ],
        "newest first"
    );
    let settings = &entries[3];
    assert_eq!(settings["before"]["min_score"], 1.0);
    assert_eq!(settings["after"]["min_score"], 2.5);
    let at = settings["at"].as_str().expect("at");
    let at_ms = chrono::DateTime::parse_from_rfc3339(at)
        .expect("RFC 3339")
        .timestamp_millis();
    assert!(
        at_ms >= started - 1000 && at_ms <= chrono::Utc::now().timestamp_millis() + 1000,
        "{at}"
    );
    assert_eq!(entries[2]["before"], Value::Null);
    assert_eq!(entries[2]["after"]["name"], "Summit");
    assert_eq!(entries[1]["before"]["name"], "Summit");
    assert_eq!(entries[1]["after"]["name"], "Helsinki summit");
    assert_eq!(entries[0]["after"], Value::Null);

    let bad = token(Method::GET, "/api/admin/audit?limit=0")
        .send()
        .await
        .expect("request");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(bad).await, "invalid_query");
    server.stop().await;
}
