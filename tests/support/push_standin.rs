//! A strict stand-in for a Web Push service: a real HTTP server on 127.0.0.1 that checks every
//! request against RFC 8030/8291/8292, decrypts it for its subscribers and answers as scripted.
//!
//! It shares no code with Herald, so a bug in Herald's encryption or VAPID token shows up
//! here as a violation instead of agreeing with itself.

pub mod crypto;
pub mod jwt;
mod request;
mod server;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::SecretKey;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use request::SubscriberKeys;

/// How the stand-in answers a request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// 201, the message is accepted (and shows up in [`PushStandin::received`]).
    Created,
    /// Any other status, e.g. 404 or 410 (gone), 413, 403, 500.
    Status(u16),
    /// 429 with `Retry-After`.
    TooManyRequests { retry_after_secs: u64 },
    /// Never answers; the request stays open until the client gives up or the stand-in stops.
    Hang,
}

/// A browser's subscription, as Herald would receive it from the page.
#[derive(Debug, Clone)]
pub struct Subscriber {
    pub name: String,
    pub endpoint: String,
    /// base64url (no padding) of the 65-byte uncompressed P-256 point.
    pub p256dh: String,
    /// base64url (no padding) of the 16-byte authentication secret.
    pub auth: String,
}

impl Subscriber {
    /// The body a page posts to subscribe: `PushSubscription.toJSON()` plus `topics`.
    pub fn subscription_json(&self, topics: &[&str]) -> Value {
        json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": { "p256dh": self.p256dh, "auth": self.auth },
            "topics": topics,
        })
    }
}

/// A message that was decrypted and accepted with 201.
#[derive(Debug, Clone)]
pub struct Received {
    pub payload: Value,
    pub ttl: u32,
    pub urgency: String,
    pub topic: Option<String>,
    /// The VAPID JWT claims.
    pub claims: Value,
    /// The VAPID `k=` key, base64url.
    pub vapid_key: String,
    pub at: Instant,
    pub body_len: usize,
}

/// A running stand-in; dropping it stops the server and releases hanging requests.
pub struct PushStandin {
    url: String,
    shared: Arc<Shared>,
}

/// What the server task and the test both see.
struct Shared {
    origin: String,
    book: Mutex<Book>,
    /// Bumped after every request, so waiters re-check without polling.
    events: watch::Sender<u64>,
    stop: CancellationToken,
}

/// The mutable record: subscribers, scripts and everything observed.
struct Book {
    subscribers: HashMap<String, SubscriberKeys>,
    scripts: HashMap<String, VecDeque<Reply>>,
    default_reply: Reply,
    received: HashMap<String, Vec<Received>>,
    total_received: usize,
    attempts: HashMap<String, usize>,
    violations: Vec<String>,
    expected_key: Option<String>,
    require_sub: bool,
}

impl PushStandin {
    /// Binds 127.0.0.1 on a free port and serves until dropped.
    pub async fn start() -> PushStandin {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the push stand-in on port 0");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let shared = Arc::new(Shared {
            origin: url.clone(),
            book: Mutex::new(Book {
                subscribers: HashMap::new(),
                scripts: HashMap::new(),
                default_reply: Reply::Created,
                received: HashMap::new(),
                total_received: 0,
                attempts: HashMap::new(),
                violations: Vec::new(),
                expected_key: None,
                require_sub: true,
            }),
            events: watch::channel(0).0,
            stop: CancellationToken::new(),
        });
        server::spawn(listener, shared.clone());
        PushStandin { url, shared }
    }

    /// The origin, e.g. `http://127.0.0.1:41234`: what the VAPID `aud` claim must be.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Every subscriber's endpoint starts with this; give it to Herald's allow-list.
    pub fn endpoint_prefix(&self) -> String {
        format!("{}/push/", self.url)
    }

    /// Sets Herald up to push here: the endpoints allowed and a VAPID subject.
    pub fn accept_in(&self, config: &mut herald::config::Config) {
        config.push.allowed_endpoints.push(self.endpoint_prefix());
        config.push.subject = Some("mailto:ops@example.org".into());
    }

    /// A new subscriber with a fresh key pair and authentication secret.
    pub fn subscriber(&self, name: &str) -> Subscriber {
        let secret = SecretKey::random(&mut rand::rngs::OsRng);
        self.add_subscriber(name, secret, rand::random::<[u8; 16]>().to_vec())
    }

    /// A subscriber whose keys were made elsewhere (fixed vectors, pre-generated sets).
    /// Names must be unique and URL-path safe.
    pub fn add_subscriber(&self, name: &str, secret: SecretKey, auth: Vec<u8>) -> Subscriber {
        let path_safe = |b: u8| b.is_ascii_alphanumeric() || b"-_.".contains(&b);
        assert!(
            !name.is_empty() && name.bytes().all(path_safe),
            "subscriber name {name:?} must be URL-path safe"
        );
        let point = secret.public_key().to_encoded_point(false);
        let subscriber = Subscriber {
            name: name.to_owned(),
            endpoint: format!("{}{name}", self.endpoint_prefix()),
            p256dh: URL_SAFE_NO_PAD.encode(point.as_bytes()),
            auth: URL_SAFE_NO_PAD.encode(&auth),
        };
        let previous = self
            .shared
            .book()
            .subscribers
            .insert(name.to_owned(), SubscriberKeys { secret, auth });
        assert!(previous.is_none(), "subscriber {name:?} exists already");
        subscriber
    }

    /// Queues the next answers for `name`; once used up, the default answer applies.
    pub fn reply(&self, name: &str, replies: Vec<Reply>) {
        let mut book = self.shared.book();
        book.scripts
            .entry(name.to_owned())
            .or_default()
            .extend(replies);
    }

    /// The answer for every subscriber without a queued one, from now on (initially `Created`).
    pub fn reply_all(&self, reply: Reply) {
        self.shared.book().default_reply = reply;
    }

    /// From now on, `k=` must be exactly this base64url key (Herald's VAPID public key).
    pub fn set_expected_key(&self, vapid_public_key: &str) {
        self.shared.book().expected_key = Some(vapid_public_key.to_owned());
    }

    /// Whether the JWT must carry `sub` (default true); when present it is always checked.
    pub fn set_require_sub(&self, require: bool) {
        self.shared.book().require_sub = require;
    }

    /// Messages decrypted and accepted with 201 for `name`, oldest first.
    pub fn received(&self, name: &str) -> Vec<Received> {
        let book = self.shared.book();
        book.received.get(name).cloned().unwrap_or_default()
    }

    /// Accepted messages over all subscribers.
    pub fn total_received(&self) -> usize {
        self.shared.book().total_received
    }

    /// Every request for `name`, whatever the answer.
    pub fn attempts(&self, name: &str) -> usize {
        self.shared.book().attempts.get(name).copied().unwrap_or(0)
    }

    /// Every broken rule so far, as `<path>: <reason>`.
    pub fn violations(&self) -> Vec<String> {
        self.shared.book().violations.clone()
    }

    /// Panics with the list unless no request broke a rule.
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        assert!(
            violations.is_empty(),
            "push requests broke the rules:\n{}",
            violations.join("\n")
        );
    }

    /// Waits until `total` messages were accepted over all subscribers; false on timeout.
    pub async fn wait_for_received(&self, total: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |book| book.total_received >= total)
            .await
    }

    /// Waits until `name` got at least `count` requests, whatever the answers; false on timeout.
    pub async fn wait_for_attempts(&self, name: &str, count: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |book| {
            book.attempts.get(name).copied().unwrap_or(0) >= count
        })
        .await
    }

    async fn wait_until(&self, timeout: Duration, done: impl Fn(&Book) -> bool) -> bool {
        let mut events = self.shared.events.subscribe();
        let waited = events.wait_for(|_| done(&self.shared.book()));
        matches!(tokio::time::timeout(timeout, waited).await, Ok(Ok(_)))
    }
}

impl Drop for PushStandin {
    fn drop(&mut self) {
        self.shared.stop.cancel();
    }
}

impl Shared {
    /// A panic elsewhere must not hide what was recorded, so a poisoned lock is still read.
    fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn notify(&self) {
        self.events.send_modify(|n| *n += 1);
    }
}
