//! Delivery: every queued push reaches its push service once, through crashes and errors.
//!
//! The outbox lives in SQLite (`deliveries`). The engine claims due rows (leasing them),
//! encrypts on all cores, sends with global and per-origin limits, and records each answer.
//! A crash loses nothing: leases are released at start, so only the pushes that were in
//! flight are sent again, with the same `Topic`, which push services and browsers replace.

mod alert_cache;
mod crypto;
mod dispatch;
mod origins;
pub mod payload;
mod retry;
mod runner;
mod send;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;

pub use crypto::{Encryptor, PreparedPush};
pub use dispatch::Drained;
pub use send::{PushClient, SendResult, Verdict, classify};

use crate::config::Config;
use crate::domain::PushSubject;
use crate::metrics::Metrics;
use crate::storage::Storage;
use crate::vapid::VapidKeys;

/// Rows claimed per round trip to the database.
const CLAIM_BATCH: u32 = 256;
/// Longest the engine sleeps before looking at the queue again on its own.
const IDLE_POLL: Duration = Duration::from_secs(1);

/// The delivery engine; cheap to clone.
#[derive(Clone)]
pub struct DeliveryEngine {
    inner: Arc<dispatch::Inner>,
}

impl DeliveryEngine {
    pub fn new(
        config: &Config,
        storage: Storage,
        keys: &VapidKeys,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<Self> {
        let subject = config
            .push
            .subject
            .as_deref()
            .map(PushSubject::parse)
            .transpose()
            .map_err(anyhow::Error::msg)?;
        let encryptor = Encryptor::new(keys, subject, config.push.ttl_seconds)?;
        let d = &config.delivery;
        let inner = dispatch::Inner {
            storage,
            client: PushClient::new(d)?,
            encryptor: Arc::new(encryptor),
            origins: origins::Origins::new(
                d.per_origin_concurrency as usize,
                Duration::from_secs(d.origin_pause_seconds),
            ),
            retry: retry::RetryPolicy {
                base: Duration::from_millis(d.retry_base_ms),
                max_delay: Duration::from_secs(d.retry_max_seconds),
                max_attempts: d.max_attempts,
                max_age: Duration::from_secs(d.max_age_seconds),
            },
            in_flight: Arc::new(Semaphore::new(d.concurrency as usize)),
            alerts: alert_cache::AlertCache::default(),
            wake: Notify::new(),
            metrics,
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The encryptor, for the benchmark's ceilings.
    pub fn encryptor(&self) -> &Encryptor {
        &self.inner.encryptor
    }

    /// Tells the engine new deliveries are queued, so it does not wait for its next poll.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Releases the leases a previous process held: call once at start-up.
    pub async fn recover(&self) -> Result<u64, crate::storage::StorageError> {
        let released = self.inner.storage.release_delivery_leases().await?;
        if released > 0 {
            tracing::info!(
                deliveries = released,
                "re-queued deliveries that were in flight at the last stop"
            );
        }
        Ok(released)
    }

    /// Claims one batch of due deliveries, sends them all and records the results.
    /// Tests use it to drain the queue step by step.
    pub async fn run_once(&self) -> Result<Drained, crate::storage::StorageError> {
        dispatch::drain_batch(&self.inner).await
    }

    /// Sends until `token` is cancelled; pushes in flight then finish or are re-sent next start.
    pub async fn run(self, token: CancellationToken) {
        runner::run(self.inner, token).await;
    }
}
