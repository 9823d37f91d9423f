//! Test harness: the real server on port 0 with a temporary data directory.
#![allow(dead_code)] // each test binary uses a different part of the harness

use base64::Engine;
use herald::app::Application;
use herald::config::{Config, Secret};
use herald::domain::BASE64URL;
use herald::sources::SchedulerHandle;
use herald::storage::Storage;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const ADMIN_TOKEN: &str = "test-admin-token";

/// A running server and what a test needs to talk to it.
pub struct TestServer {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    pub data_dir: tempfile::TempDir,
    pub storage: Storage,
    /// The running server's handle on its source scheduler.
    pub sources: SchedulerHandle,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl TestServer {
    /// Rate limit off; endpoints under `<url>/push-standin/` accepted.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(configure: impl FnOnce(&mut Config)) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(data_dir, configure).await
    }

    /// Starts on an existing data directory (to test restarts).
    pub async fn start_in(
        data_dir: tempfile::TempDir,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let mut config = Config {
            data_dir: data_dir.path().to_owned(),
            admin_token: Some(Secret::new(ADMIN_TOKEN)),
            ..Config::default()
        };
        config.subscribe.rate_limit_per_minute = 0;
        config
            .push
            .allowed_endpoints
            .push(format!("{url}/push-standin/"));
        configure(&mut config);
        let app = Application::with_listener(config, listener)
            .await
            .expect("server builds");
        let storage = app.state().storage.clone();
        let sources = app.state().sources.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Self {
            url,
            data_dir,
            storage,
            sources,
            stop,
            task,
        }
    }

    /// Stops the server and waits until it has shut down.
    pub async fn stop(self) -> tempfile::TempDir {
        let _ = self.stop.send(());
        self.task
            .await
            .expect("server task")
            .expect("server exits cleanly");
        self.data_dir
    }

    /// Stops and starts again on the same data directory.
    pub async fn restart(self) -> Self {
        let data_dir = self.stop().await;
        Self::start_in(data_dir, |_| {}).await
    }

    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    pub fn endpoint(&self, name: &str) -> String {
        format!("{}/push-standin/{name}", self.url)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client()
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client()
            .post(format!("{}{path}", self.url))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// An admin API call with the Bearer token; a JSON body when given.
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self
            .client()
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(ADMIN_TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }
}

/// Subscription keys as a browser makes them: a fresh P-256 point and 16 random bytes.
pub fn browser_keys() -> Value {
    let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let point = secret.public_key().to_sec1_bytes();
    let auth: [u8; 16] = rand::random();
    json!({ "p256dh": BASE64URL.encode(point), "auth": BASE64URL.encode(auth) })
}

/// A `PushSubscription.toJSON()` body for `endpoint`.
pub fn subscription(endpoint: &str) -> Value {
    json!({ "endpoint": endpoint, "expirationTime": null, "keys": browser_keys() })
}

/// Reads an error envelope and returns its code.
pub async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("error body is JSON");
    let code = body["error"]["code"]
        .as_str()
        .expect("envelope has a code")
        .to_owned();
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    code
}
pub mod binary;
