//! The loopback stand-ins `herald bench latency` measures against: a news source whose page
//! and feed change on demand (noting when it first serves each version), a WebSub hub that
//! verifies subscribers and publishes signed content, and a push sink that notes arrivals.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hmac::{Hmac, Mac};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// Serves `app` on a fresh loopback port until `stop`; returns its base URL.
async fn serve(app: Router, stop: &CancellationToken) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let stop = stop.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await;
    });
    Ok(url)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A page (`/page`) and a feed (`/feed.xml`) whose bodies the bench sets.
#[derive(Clone, Default)]
pub struct Source {
    bodies: Arc<Mutex<HashMap<&'static str, Version>>>,
}

struct Version {
    number: u64,
    content_type: &'static str,
    body: String,
    /// When a GET first received this version.
    served: Option<Instant>,
}

impl Source {
    pub async fn start(stop: &CancellationToken) -> anyhow::Result<(Self, String)> {
        let source = Self::default();
        let app = Router::new()
            .route("/page", get(|s, h| answer(s, h, "/page")))
            .route("/feed.xml", get(|s, h| answer(s, h, "/feed.xml")))
            .with_state(source.clone());
        Ok((source, serve(app, stop).await?))
    }

    /// Sets the body at `path`; version numbers make the ETags.
    pub fn set(&self, path: &'static str, number: u64, content_type: &'static str, body: String) {
        let version = Version {
            number,
            content_type,
            body,
            served: None,
        };
        lock(&self.bodies).insert(path, version);
    }

    /// When the current version at `path` was first served.
    pub fn served_at(&self, path: &str) -> Option<Instant> {
        lock(&self.bodies).get(path).and_then(|v| v.served)
    }
}

async fn answer(State(source): State<Source>, headers: HeaderMap, path: &str) -> Response {
    let mut bodies = lock(&source.bodies);
    let Some(version) = bodies.get_mut(path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"v{}\"", version.number);
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|sent| sent.as_bytes() == etag.as_bytes())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    version.served.get_or_insert_with(Instant::now);
    let headers = [
        (header::ETAG, etag),
        (header::CONTENT_TYPE, version.content_type.to_owned()),
    ];
    (headers, version.body.clone()).into_response()
}

/// A WebSub hub: accepts subscribe requests, verifies them against the callback, and then
/// publishes signed bodies to the verified subscriber.
#[derive(Clone)]
pub struct Hub {
    http: reqwest::Client,
    subscriber: Arc<watch::Sender<Option<(String, String)>>>,
}

impl Hub {
    pub async fn start(stop: &CancellationToken) -> anyhow::Result<(Self, String)> {
        let hub = Self {
            http: reqwest::Client::new(),
            subscriber: Arc::new(watch::channel(None).0),
        };
        let app = Router::new()
            .route("/hub", post(request))
            .with_state(hub.clone());
        Ok((hub, serve(app, stop).await?))
    }

    /// Waits until a subscriber was verified; its callback and secret.
    pub async fn subscriber(&self) -> anyhow::Result<(String, String)> {
        let mut changes = self.subscriber.subscribe();
        let verified = changes.wait_for(Option::is_some).await?;
        verified.clone().context("no subscriber")
    }

    /// Publishes `body` to the subscriber, signed with its secret, as a hub does when the
    /// topic changed; returns when it started sending.
    pub async fn publish(
        &self,
        callback: &str,
        secret: &str,
        body: String,
    ) -> anyhow::Result<Instant> {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes())?;
        mac.update(body.as_bytes());
        let signature: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let request = self
            .http
            .post(callback)
            .header(header::CONTENT_TYPE, "application/rss+xml")
            .header("X-Hub-Signature", format!("sha256={signature}"))
            .body(body);
        let started = Instant::now();
        let status = request.send().await?.status();
        anyhow::ensure!(status.is_success(), "the callback answered {status}");
        Ok(started)
    }
}

async fn request(State(hub): State<Hub>, body: Bytes) -> StatusCode {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let Ok(mut verify) = url::Url::parse(&field("hub.callback")) else {
        return StatusCode::BAD_REQUEST;
    };
    if field("hub.mode") != "subscribe" {
        return StatusCode::ACCEPTED;
    }
    let challenge = format!("challenge-{}", rand::random::<u64>());
    verify
        .query_pairs_mut()
        .append_pair("hub.mode", "subscribe")
        .append_pair("hub.topic", &field("hub.topic"))
        .append_pair("hub.challenge", &challenge)
        .append_pair("hub.lease_seconds", "86400");
    let callback = field("hub.callback");
    let secret = field("hub.secret");
    // Verification of intent happens after the 202, as hubs do it.
    tokio::spawn(async move {
        let verified = hub.http.get(verify).send().await;
        if let Ok(response) = verified
            && response.status().is_success()
            && response.text().await.is_ok_and(|body| body == challenge)
        {
            hub.subscriber.send_replace(Some((callback, secret)));
        }
    });
    StatusCode::ACCEPTED
}

/// A push service that answers 201 and reports when each push arrived.
pub async fn sink(
    stop: &CancellationToken,
) -> anyhow::Result<(mpsc::UnboundedReceiver<Instant>, String)> {
    let (arrived, arrivals) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/push/{id}",
        post(move || {
            let _ = arrived.send(Instant::now());
            async { (StatusCode::CREATED, [(header::LOCATION, "/m/1")]) }
        }),
    );
    Ok((arrivals, serve(app, stop).await?))
}
