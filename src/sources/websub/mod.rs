//! WebSub (W3C Recommendation) subscriber: feeds that advertise a hub get their updates pushed
//! to `{public_url}/websub/{source_id}`; polling goes on as the fallback.
//!
//! The scheduler records the hub and topic a fetched feed advertises; [`WebSub::run`] then
//! subscribes, renews leases before they end, retries refusals with backoff, and sends the
//! unsubscribe requests for subscriptions that were dropped. The callback side (verification of
//! intent and content distribution) is in `callback`.

mod callback;
pub mod lease;
pub mod signature;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

pub use callback::{Intent, Received};

use super::addresses::{self, AddressPolicy};
use super::{FeedLinks, SchedulerHandle};
use crate::config::Config;
use crate::storage::{HubRecord, SourceRecord, Storage, StorageError};

/// Longest time between two maintenance passes.
const PASS_EVERY: Duration = Duration::from_secs(300);

/// An unsubscribe request the hub never verified is forgotten after this long.
const UNSUBSCRIBE_KEPT: Duration = Duration::from_secs(86_400);

/// What one maintenance pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Maintained {
    /// Subscribe requests the hub accepted (new subscriptions and renewals).
    pub subscribed: usize,
    /// Subscribe requests the hub refused or did not answer.
    pub failed: usize,
    /// Unsubscribe requests sent.
    pub unsubscribed: usize,
}

enum Asked {
    Accepted,
    Refused,
    /// The feed's hub or topic changed meanwhile; the next pass asks the new one.
    Moved,
}

/// The subscriber; cheap to clone.
#[derive(Clone)]
pub struct WebSub {
    inner: Arc<Inner>,
}

struct Inner {
    storage: Storage,
    handle: SchedulerHandle,
    http: reqwest::Client,
    /// Where hubs may be: a feed names its hub, so a hostile feed could name any address.
    addresses: AddressPolicy,
    /// Callbacks are `{public_url}/websub/{id}`; nothing is subscribed without it.
    public_url: Option<String>,
    keep_versions: u32,
    /// Sources whose bad signatures were logged at warn already.
    warned: Mutex<HashSet<i64>>,
    told_no_public_url: AtomicBool,
}

impl WebSub {
    pub fn new(config: &Config, storage: Storage, handle: SchedulerHandle) -> anyhow::Result<Self> {
        let addresses = AddressPolicy::new(
            config.fetch.allow_private_addresses,
            &config.fetch.exempt_addresses,
        );
        let builder = reqwest::Client::builder()
            .user_agent(format!("Herald/{} (WebSub)", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(config.fetch.timeout_seconds));
        let http = addresses.apply(builder, 0).build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                storage,
                handle,
                http,
                addresses,
                public_url: config
                    .public_url
                    .as_deref()
                    .map(|url| url.trim_end_matches('/').to_owned()),
                keep_versions: config.fetch.keep_versions,
                warned: Mutex::new(HashSet::new()),
                told_no_public_url: AtomicBool::new(false),
            }),
        })
    }

    /// Runs maintenance passes until `token` is cancelled: at start, every few minutes, and
    /// whenever a feed's hub links change.
    pub async fn run(self, token: CancellationToken) {
        loop {
            if let Err(err) = self.maintain_once(Utc::now()).await {
                tracing::error!(error = %err, "websub: cannot read subscriptions");
            }
            tokio::select! {
                () = tokio::time::sleep(PASS_EVERY) => {}
                () = self.inner.handle.new_hub_links() => {}
                () = token.cancelled() => break,
            }
        }
    }

    /// Sends the subscribe and unsubscribe requests due at `now`.
    pub async fn maintain_once(&self, now: DateTime<Utc>) -> Result<Maintained, StorageError> {
        let storage = &self.inner.storage;
        let mut done = Maintained::default();
        let hubs = storage.list_hubs().await?;
        let Some(base) = self.inner.public_url.as_deref() else {
            if !hubs.is_empty() && !self.inner.told_no_public_url.swap(true, Ordering::Relaxed) {
                tracing::info!(
                    "a feed advertises a WebSub hub; set public_url (HERALD_PUBLIC_URL) to receive its updates as they happen"
                );
            }
            return Ok(done);
        };
        for record in hubs.iter().filter(|r| lease::due(r, now)) {
            match self.subscribe(base, record, now).await? {
                Asked::Accepted => done.subscribed += 1,
                Asked::Refused => done.failed += 1,
                Asked::Moved => {}
            }
        }
        for old in storage.list_hub_unsubscribes().await? {
            let callback = format!("{base}/websub/{}", old.source_id);
            let form = [("hub.mode", "unsubscribe"), ("hub.topic", &old.topic)];
            // Marked first, so that a hub verifying at once finds the request.
            storage
                .mark_hub_unsubscribe_sent(old.id, now.timestamp_millis())
                .await?;
            // Best effort: the hub forgets us when the lease ends in any case.
            if let Err(why) = self.post(&old.hub_url, &callback, &form).await {
                tracing::info!(source.id = old.source_id, error = %why, "websub: unsubscribe request failed");
            }
            done.unsubscribed += 1;
        }
        let kept = chrono::Duration::from_std(UNSUBSCRIBE_KEPT).unwrap_or_default();
        storage
            .prune_hub_unsubscribes((now - kept).timestamp_millis())
            .await?;
        Ok(done)
    }

    /// Asks the hub for a subscription, or to renew one.
    async fn subscribe(
        &self,
        base: &str,
        record: &HubRecord,
        now: DateTime<Utc>,
    ) -> Result<Asked, StorageError> {
        let storage = &self.inner.storage;
        let secret = record.secret.clone().unwrap_or_else(signature::new_secret);
        if !storage
            .begin_hub_subscribe(record, &secret, now.timestamp_millis())
            .await?
        {
            return Ok(Asked::Moved);
        }
        let callback = format!("{base}/websub/{}", record.source_id);
        let lease = lease::REQUESTED_LEASE.as_secs().to_string();
        let form = [
            ("hub.mode", "subscribe"),
            ("hub.topic", record.topic.as_str()),
            ("hub.secret", secret.expose()),
            ("hub.lease_seconds", lease.as_str()),
        ];
        match self.post(&record.hub_url, &callback, &form).await {
            Ok(()) => {
                tracing::info!(source.id = record.source_id, hub = %host(&record.hub_url), "websub: subscribe request accepted");
                Ok(Asked::Accepted)
            }
            Err(why) => {
                tracing::warn!(source.id = record.source_id, hub = %host(&record.hub_url), error = %why, "websub: hub refused the subscription");
                storage.fail_hub_subscribe(record.source_id).await?;
                Ok(Asked::Refused)
            }
        }
    }

    /// POSTs a form to the hub with our callback; any 2xx is an acceptance (202 is usual).
    async fn post(&self, hub: &str, callback: &str, form: &[(&str, &str)]) -> Result<(), String> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("hub.callback", callback)
            .extend_pairs(form)
            .finish();
        let url = url::Url::parse(hub).map_err(|_| "the hub URL is not a URL".to_owned())?;
        self.inner
            .addresses
            .check_url(&url)
            .map_err(|refused| refused.to_string())?;
        let response = self
            .inner
            .http
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .map_err(|e| {
                if let Some(refused) = addresses::refusal(&e) {
                    refused.to_string()
                } else if e.is_timeout() {
                    "timeout".to_owned()
                } else {
                    "cannot reach the hub".to_owned()
                }
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        let reason: String = text.trim().chars().take(200).collect();
        Err(format!("{} {reason}", status.as_u16()).trim().to_owned())
    }

    /// `true` the first time a source's content is ignored for its signature.
    fn first_bad_signature(&self, source_id: i64) -> bool {
        let mut warned = self
            .inner
            .warned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        warned.insert(source_id)
    }
}

/// Records the hub and topic a freshly fetched feed advertises (after every 200 of a feed),
/// waking the subscriber when they changed.
pub(crate) async fn record_links(
    storage: &Storage,
    handle: &SchedulerHandle,
    record: &SourceRecord,
    links: FeedLinks,
) {
    if record.kind != crate::domain::SourceKind::Feed.as_str() {
        return;
    }
    let valid = |url: &String| crate::domain::check_source_url(url).is_ok();
    let hub = links.hub.filter(valid);
    let topic = hub.as_ref().map(|_| {
        links
            .this
            .filter(valid)
            .unwrap_or_else(|| record.url.clone())
    });
    match storage.set_hub_links(record.id, hub, topic).await {
        Ok(true) => handle.hub_links_changed(),
        Ok(false) => {}
        Err(err) => {
            tracing::error!(source.id = record.id, error = %err, "websub: cannot record the feed's hub");
        }
    }
}

/// The host of a hub URL, for logs (its path or query may hold a key).
fn host(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}
