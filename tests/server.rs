//! Black-box tests of the server's other routes, its start-up and its lifecycle.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{TestServer, error_code};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn vapid_public_key_is_an_uncompressed_point_and_survives_restarts() {
    let server = TestServer::start().await;
    let key = public_key(&server).await;
    use base64::Engine;
    let point = herald::domain::BASE64URL.decode(&key).expect("base64url");
    assert_eq!(point.len(), 65);
    assert!(p256::PublicKey::from_sec1_bytes(&point).is_ok());

    let server = server.restart().await;
    assert_eq!(
        public_key(&server).await,
        key,
        "the key pair is reused after a restart"
    );
    server.stop().await;
}

async fn public_key(server: &TestServer) -> String {
    let response = server.get("/api/vapid-public-key").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    body["publicKey"].as_str().expect("publicKey").to_owned()
}

#[tokio::test]
async fn alerts_list_is_empty_until_alerts_exist_and_checks_its_limit() {
    let server = TestServer::start().await;
    let response = server.get("/api/alerts?limit=5").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["alerts"], serde_json::json!([]));
    for bad in ["?limit=0", "?limit=101", "?limit=abc", "?limit=-1"] {
        let response = server.get(&format!("/api/alerts{bad}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(error_code(response).await, "invalid_query", "{bad}");
    }
    server.stop().await;
}

#[tokio::test]
async fn health_pages_and_unknown_routes() {
    let server = TestServer::start().await;
    assert_eq!(server.get("/healthz").await.status(), StatusCode::OK);

    for (path, content_type) in [
        ("/", "text/html"),
        ("/admin", "text/html"),
        ("/sw.js", "text/javascript"),
        ("/app.js", "text/javascript"),
        ("/style.css", "text/css"),
        ("/manifest.webmanifest", "application/manifest+json"),
        ("/icon.svg", "image/svg+xml"),
    ] {
        let response = server.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert!(
            header("content-type").is_some_and(|t| t.starts_with(content_type)),
            "{path}"
        );
        if content_type == "text/html" {
            let csp = header("content-security-policy").expect("pages carry a CSP");
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{csp}"
            );
        }
        let etag = header("etag").expect("etag");
        let cached = server
            .client()
            .get(format!("{}{path}", server.url))
            .header("if-none-match", etag)
            .send()
            .await
            .expect("request");
        assert_eq!(cached.status(), StatusCode::NOT_MODIFIED, "{path}");
    }

    let missing = server.get("/api/nope").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(missing).await, "not_found");
    let missing = server.get("/nope").await;
    assert_eq!(error_code(missing).await, "not_found");
    let wrong_method = server
        .client()
        .put(format!("{}/api/alerts", server.url))
        .send()
        .await
        .expect("request");
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_code(wrong_method).await, "method_not_allowed");
    server.stop().await;
}

#[tokio::test]
async fn reopening_the_database_runs_no_migration_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/herald.db");
    let first = herald::storage::Storage::open(&path).expect("first open creates the file");
    let version = first.schema_version().await.expect("version");
    assert!(version >= 1);
    drop(first);
    let second = herald::storage::Storage::open(&path).expect("second open");
    assert_eq!(second.schema_version().await.expect("version"), version);
}

/// The real binary: generates its admin token once, answers, and exits 0 on SIGTERM.
#[test]
fn binary_starts_with_defaults_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    for start in 0..2 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_herald"))
            .arg("serve")
            .current_dir(dir.path())
            .env("HERALD_LISTEN", "127.0.0.1:0")
            .env_remove("HERALD_ADMIN_TOKEN")
            .env_remove("HERALD_DATA_DIR")
            .env("HERALD_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("herald starts");
        let address = logged_address(child.stdout.take().expect("stdout"));
        let health = reqwest_blocking_get(&format!("http://{address}/healthz"));
        assert_eq!(health, 200);
        let probe = Command::new(env!("CARGO_BIN_EXE_herald"))
            .arg("healthcheck")
            .env("HERALD_LISTEN", &address)
            .status()
            .expect("healthcheck runs");
        assert!(
            probe.success(),
            "healthcheck passes against the running server"
        );
        assert!(
            dir.path().join("data/herald.db").exists(),
            "database under ./data"
        );

        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let exit = wait_with_timeout(&mut child, Duration::from_secs(15));
        assert!(exit.success(), "exit status {exit:?}");
        let probe = Command::new(env!("CARGO_BIN_EXE_herald"))
            .arg("healthcheck")
            .env("HERALD_LISTEN", &address)
            .stderr(Stdio::null())
            .status()
            .expect("healthcheck runs");
        assert!(
            !probe.success(),
            "healthcheck fails once the server is gone"
        );
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
            .expect("read");
        assert_eq!(
            stderr.contains("Admin token"),
            start == 0,
            "token shown on first start only: {stderr}"
        );
    }
}

/// The address from the "listening" log line, read on a thread so a silent server fails the
/// test instead of hanging it.
fn logged_address(stdout: std::process::ChildStdout) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(address) = line.split("address=").nth(1) {
                let _ = tx.send(address.trim().to_owned());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("herald logs its address within 20 s")
}

fn reqwest_blocking_get(url: &str) -> u16 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        reqwest::get(url)
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    })
}

fn wait_with_timeout(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("herald did not exit within {limit:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
