//! The HTTP side: `/push/{name}` checks the request, records it, then answers as scripted.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{LOCATION, RETRY_AFTER};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use tokio::net::TcpListener;

use super::request::{self, Checked};
use super::{Received, Reply, Shared, jwt};

/// Serves until the stand-in's stop token is cancelled.
pub(super) fn spawn(listener: TcpListener, shared: Arc<Shared>) {
    let stop = shared.stop.clone();
    let app = Router::new()
        .route("/push/{name}", any(push))
        .fallback(elsewhere)
        .with_state(shared);
    tokio::spawn(async move {
        // Errors here only mean the test is already over.
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await;
    });
}

async fn push(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let outcome = shared.handle(&name, &method, &headers, &body);
    shared.notify();
    match outcome {
        Ok(reply) => answer(reply, &shared).await,
        Err(reason) => (StatusCode::BAD_REQUEST, reason).into_response(),
    }
}

/// Anything outside `/push/` is a request Herald should never make.
async fn elsewhere(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    let reason = "not a push endpoint";
    shared
        .book()
        .violations
        .push(format!("{method} {uri}: {reason}"));
    shared.notify();
    (StatusCode::NOT_FOUND, reason).into_response()
}

async fn answer(reply: Reply, shared: &Shared) -> Response {
    match reply {
        Reply::Created => {
            let id = shared.book().total_received;
            let location = format!("{}/message/{id}", shared.origin);
            (StatusCode::CREATED, [(LOCATION, location)]).into_response()
        }
        Reply::Status(code) => {
            let status = StatusCode::from_u16(code).expect("Reply::Status holds an HTTP status");
            (status, format!("scripted {code}")).into_response()
        }
        Reply::TooManyRequests { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            [(RETRY_AFTER, retry_after_secs.to_string())],
            "scripted 429",
        )
            .into_response(),
        Reply::Hang => {
            shared.stop.cancelled().await;
            (StatusCode::SERVICE_UNAVAILABLE, "stand-in stopped").into_response()
        }
    }
}

impl Shared {
    /// Counts the attempt, checks the request and records the result; on success returns
    /// the scripted answer. The check runs outside the lock so concurrent requests overlap.
    fn handle(
        &self,
        name: &str,
        method: &Method,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Reply, String> {
        let (keys, expected_key, require_sub) = {
            let mut book = self.book();
            *book.attempts.entry(name.to_owned()).or_default() += 1;
            let keys = book.subscribers.get(name).cloned();
            (keys, book.expected_key.clone(), book.require_sub)
        };
        let rules = jwt::Rules {
            audience: &self.origin,
            require_sub,
            expected_key: expected_key.as_deref(),
            now: unix_now(),
        };
        let checked = match (method, keys) {
            (&Method::POST, Some(keys)) => request::check(headers, body, &keys, &rules),
            (&Method::POST, None) => Err("unknown subscriber".to_owned()),
            (other, _) => Err(format!("method {other}, expected POST")),
        };
        let mut book = self.book();
        let checked = checked.inspect_err(|reason| {
            book.violations
                .push(format!("{method} /push/{name}: {reason}"));
        })?;
        let reply = book
            .scripts
            .get_mut(name)
            .and_then(VecDeque::pop_front)
            .unwrap_or_else(|| book.default_reply.clone());
        if reply == Reply::Created {
            book.total_received += 1;
            let received = to_received(checked);
            book.received
                .entry(name.to_owned())
                .or_default()
                .push(received);
        }
        Ok(reply)
    }
}

fn to_received(checked: Checked) -> Received {
    Received {
        payload: checked.payload,
        ttl: checked.ttl,
        urgency: checked.urgency,
        topic: checked.topic,
        claims: checked.claims,
        vapid_key: checked.vapid_key,
        at: Instant::now(),
        body_len: checked.body_len,
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}
