//! A WebSub hub stand-in: a real HTTP server on port 0 that accepts subscribe and unsubscribe
//! requests with 202 (or a chosen refusal), verifies intent against the callback with a random
//! challenge, and publishes feed bodies to verified subscribers, signed well or badly.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use hmac::{Hmac, Mac};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// One subscribe or unsubscribe request as the hub received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubRequest {
    pub mode: String,
    pub topic: String,
    pub callback: String,
    pub secret: Option<String>,
    pub lease_seconds: Option<String>,
}

/// One verification of intent: what the callback answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub mode: String,
    pub topic: String,
    pub status: u16,
    /// The body was exactly the challenge.
    pub echoed: bool,
}

/// How a publication is signed.
#[derive(Clone, Copy, Debug)]
pub enum Signing {
    Sha1,
    Sha256,
    /// `sha256=` over the body with another secret.
    Wrong,
    Unsigned,
}

#[derive(Default)]
struct Shared {
    refuse_with: Option<u16>,
    requests: Vec<HubRequest>,
    verifications: Vec<Verification>,
    /// Verified subscriptions: (callback, topic) → secret.
    subscribers: HashMap<(String, String), Option<String>>,
}

pub struct Hub {
    url: String,
    shared: Arc<Mutex<Shared>>,
    verified: watch::Receiver<usize>,
    http: reqwest::Client,
    stop: CancellationToken,
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// The hub grants this lease, in seconds.
pub const GRANTED_LEASE: u64 = 7_200;

#[derive(Clone)]
struct AppState {
    shared: Arc<Mutex<Shared>>,
    verified: Arc<watch::Sender<usize>>,
    http: reqwest::Client,
}

impl Hub {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hub", listener.local_addr().expect("addr"));
        let shared = Arc::new(Mutex::new(Shared::default()));
        let (sender, verified) = watch::channel(0);
        let http = reqwest::Client::new();
        let state = AppState {
            shared: Arc::clone(&shared),
            verified: Arc::new(sender),
            http: http.clone(),
        };
        let app = Router::new().route("/hub", post(request)).with_state(state);
        let stop = CancellationToken::new();
        let token = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(token.cancelled_owned())
                .await;
        });
        Self {
            url,
            shared,
            verified,
            http,
            stop,
        }
    }

    /// The hub's endpoint, as a feed advertises it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answers later requests with `status` instead of 202 (and verifies nothing).
    pub fn refuse_with(&self, status: u16) {
        lock(&self.shared).refuse_with = Some(status);
    }

    pub fn requests(&self) -> Vec<HubRequest> {
        lock(&self.shared).requests.clone()
    }

    /// Waits until `count` verifications of intent have been made, and returns them all.
    pub async fn verifications(&self, count: usize) -> Vec<Verification> {
        let mut verified = self.verified.clone();
        tokio::time::timeout(Duration::from_secs(10), verified.wait_for(|n| *n >= count))
            .await
            .expect("the hub verified in time")
            .expect("hub running");
        lock(&self.shared).verifications.clone()
    }

    /// Sends a verification of intent as a hub would; returns the status and the body.
    pub async fn challenge(&self, callback: &str, mode: &str, topic: &str) -> (u16, String) {
        let challenge = format!("{:032x}", rand::random::<u128>());
        let (status, body) = verify(&self.http, callback, mode, topic, &challenge).await;
        (status, body)
    }

    /// POSTs `body` to every verified subscriber of `topic`; returns their statuses.
    pub async fn publish(&self, topic: &str, body: &str, signing: Signing) -> Vec<u16> {
        let subscribers: Vec<(String, Option<String>)> = lock(&self.shared)
            .subscribers
            .iter()
            .filter(|((_, t), _)| t == topic)
            .map(|((callback, _), secret)| (callback.clone(), secret.clone()))
            .collect();
        let mut statuses = Vec::new();
        for (callback, secret) in subscribers {
            let secret = secret.unwrap_or_default();
            let mut request = self
                .http
                .post(&callback)
                .header("content-type", "application/atom+xml")
                .header(
                    "link",
                    format!("<{}>; rel=\"hub\", <{topic}>; rel=\"self\"", self.url),
                );
            let signature = match signing {
                Signing::Sha1 => Some(format!("sha1={}", sign::<Hmac<sha1::Sha1>>(&secret, body))),
                Signing::Sha256 => Some(format!(
                    "sha256={}",
                    sign::<Hmac<sha2::Sha256>>(&secret, body)
                )),
                Signing::Wrong => Some(format!(
                    "sha256={}",
                    sign::<Hmac<sha2::Sha256>>("nope", body)
                )),
                Signing::Unsigned => None,
            };
            if let Some(signature) = signature {
                request = request.header("x-hub-signature", signature);
            }
            let response = request.body(body.to_owned()).send().await.expect("publish");
            statuses.push(response.status().as_u16());
        }
        statuses
    }
}

async fn request(State(state): State<AppState>, body: Bytes) -> StatusCode {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| form.get(name).cloned();
    let request = HubRequest {
        mode: field("hub.mode").unwrap_or_default(),
        topic: field("hub.topic").unwrap_or_default(),
        callback: field("hub.callback").unwrap_or_default(),
        secret: field("hub.secret"),
        lease_seconds: field("hub.lease_seconds"),
    };
    let refuse_with = {
        let mut shared = lock(&state.shared);
        shared.requests.push(request.clone());
        shared.refuse_with
    };
    if let Some(status) = refuse_with {
        return StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    }
    if request.topic.is_empty() || request.callback.is_empty() {
        return StatusCode::BAD_REQUEST;
    }
    // Verification of intent follows the 202, as with a real hub.
    tokio::spawn(async move {
        let challenge = format!("{:032x}", rand::random::<u128>());
        let (status, body) = verify(
            &state.http,
            &request.callback,
            &request.mode,
            &request.topic,
            &challenge,
        )
        .await;
        let echoed = status == 200 && body == challenge;
        let mut shared = lock(&state.shared);
        let key = (request.callback.clone(), request.topic.clone());
        match (request.mode.as_str(), echoed) {
            ("subscribe", true) => {
                shared.subscribers.insert(key, request.secret.clone());
            }
            ("unsubscribe", true) => {
                shared.subscribers.remove(&key);
            }
            _ => {}
        }
        shared.verifications.push(Verification {
            mode: request.mode,
            topic: request.topic,
            status,
            echoed,
        });
        let count = shared.verifications.len();
        drop(shared);
        state.verified.send_replace(count);
    });
    StatusCode::ACCEPTED
}

async fn verify(
    http: &reqwest::Client,
    callback: &str,
    mode: &str,
    topic: &str,
    challenge: &str,
) -> (u16, String) {
    let mut url = url::Url::parse(callback).expect("callback URL");
    url.query_pairs_mut()
        .append_pair("hub.mode", mode)
        .append_pair("hub.topic", topic)
        .append_pair("hub.challenge", challenge)
        .append_pair("hub.lease_seconds", &GRANTED_LEASE.to_string());
    let response = http.get(url).send().await.expect("verification GET");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

fn sign<M: Mac + hmac::digest::KeyInit>(secret: &str, body: &str) -> String {
    let mut mac =
        <M as hmac::digest::KeyInit>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
