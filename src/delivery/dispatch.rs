//! The engine's loop: claim due deliveries, encrypt on all cores, send, record.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, Semaphore};

use super::CLAIM_BATCH;
use super::alert_cache::{AlertCache, PreparedAlert};
use super::crypto::{Encryptor, PreparedPush};
use super::origins::{Origins, Refusal, Slot};
use super::retry::RetryPolicy;
use super::send::{PushClient, SendResult, Verdict, classify};
use crate::metrics::Metrics;
use crate::storage::{ClaimedDelivery, DeliveryUpdate, Storage, StorageError};

pub(super) struct Inner {
    pub storage: Storage,
    pub client: PushClient,
    pub encryptor: Arc<Encryptor>,
    pub origins: Origins,
    pub retry: RetryPolicy,
    /// Claimed and not yet recorded: the bound on pushes re-sent after a crash.
    pub in_flight: Arc<Semaphore>,
    pub alerts: AlertCache,
    pub wake: Notify,
    pub metrics: Arc<Metrics>,
}

/// What one `run_once` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    pub claimed: usize,
    pub delivered: usize,
    pub retried: usize,
    pub deferred: usize,
    pub failed: usize,
    pub gone: usize,
}

impl Drained {
    fn count(&mut self, update: &DeliveryUpdate) {
        match update {
            DeliveryUpdate::Delivered { .. } => self.delivered += 1,
            DeliveryUpdate::Gone { .. } => self.gone += 1,
            DeliveryUpdate::Retry { .. } => self.retried += 1,
            DeliveryUpdate::Deferred { .. } => self.deferred += 1,
            DeliveryUpdate::Failed { .. } => self.failed += 1,
        }
    }
}

/// A claimed delivery that may be sent now.
pub(super) struct Ready {
    pub delivery: ClaimedDelivery,
    alert: Arc<PreparedAlert>,
    slot: Slot,
}

pub(super) type Update = (i64, DeliveryUpdate);

/// Sorts claimed deliveries into those to send and those already decided.
pub(super) async fn triage(
    inner: &Inner,
    claimed: Vec<ClaimedDelivery>,
) -> Result<(Vec<Ready>, Vec<Update>), StorageError> {
    let mut ready = Vec::with_capacity(claimed.len());
    let mut decided = Vec::new();
    let now = chrono::Utc::now().timestamp_millis();
    for delivery in claimed {
        if delivery.target.is_none() {
            decided.push((
                delivery.id,
                DeliveryUpdate::Gone {
                    status: None,
                    subscription: None,
                },
            ));
            continue;
        }
        let Some(alert) = inner.alerts.get(&inner.storage, delivery.alert_id).await? else {
            decided.push((
                delivery.id,
                DeliveryUpdate::Failed {
                    status: None,
                    error: "alert deleted".into(),
                },
            ));
            continue;
        };
        match inner.origins.reserve(&delivery.origin) {
            Ok(slot) => ready.push(Ready {
                delivery,
                alert,
                slot,
            }),
            Err(Refusal::Paused(until)) => {
                decided.push((delivery.id, DeliveryUpdate::Deferred { at: until }))
            }
            // Back to the queue; claims skip this origin until it has room.
            Err(Refusal::Full) => decided.push((delivery.id, DeliveryUpdate::Deferred { at: now })),
        }
    }
    Ok((ready, decided))
}

/// Encrypts every ready push, spread over all cores (encryption is the CPU cost).
pub(super) async fn encrypt_all(
    inner: &Inner,
    ready: Vec<Ready>,
) -> Vec<(Ready, Option<PreparedPush>, Option<String>)> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = ready.len().div_ceil(threads).max(16);
    let mut chunks = Vec::new();
    let mut rest = ready;
    while !rest.is_empty() {
        let tail = rest.split_off(chunk.min(rest.len()));
        chunks.push(std::mem::replace(&mut rest, tail));
    }
    let tasks: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let encryptor = Arc::clone(&inner.encryptor);
            tokio::task::spawn_blocking(move || {
                chunk
                    .into_iter()
                    .map(|ready| {
                        let alert = &ready.alert;
                        let payload = if ready.delivery.shortened {
                            &alert.short_payload
                        } else {
                            &alert.payload
                        };
                        let target = ready
                            .delivery
                            .target
                            .as_ref()
                            .expect("triage keeps targets");
                        match encryptor.prepare(target, payload, &alert.topic) {
                            Ok(push) => (ready, Some(push), None),
                            Err(err) => (ready, None, Some(err.to_string())),
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut done = Vec::new();
    for task in tasks {
        match task.await {
            Ok(part) => done.extend(part),
            Err(err) => tracing::error!(error = %err, "encryption task failed"),
        }
    }
    done
}

/// Sends one push and decides what to record.
pub(super) async fn send_one(inner: &Inner, ready: Ready, push: PreparedPush) -> Update {
    let _permit = ready.slot.permit().await;
    let started = Instant::now();
    let result = inner.client.send(&push).await;
    inner
        .metrics
        .observe_send(&push.origin, started.elapsed().as_secs_f64());
    let update = decide(inner, &ready, &push.origin, &result);
    inner
        .metrics
        .count_push(&push.origin, result_label(&update));
    (ready.delivery.id, update)
}

fn result_label(update: &DeliveryUpdate) -> &'static str {
    match update {
        DeliveryUpdate::Delivered { .. } => "delivered",
        DeliveryUpdate::Gone { .. } => "gone",
        DeliveryUpdate::Retry {
            shortened: true, ..
        } => "too_large",
        DeliveryUpdate::Retry { .. } => "retry",
        DeliveryUpdate::Deferred { .. } => "vapid_refused",
        DeliveryUpdate::Failed { .. } => "failed",
    }
}

fn decide(inner: &Inner, ready: &Ready, origin: &str, result: &SendResult) -> DeliveryUpdate {
    let status = match result {
        SendResult::Answered { status, .. } => Some(*status),
        _ => None,
    };
    let now = chrono::Utc::now().timestamp_millis();
    let age = Duration::from_millis(
        u64::try_from(now - ready.alert.record.created_at).unwrap_or_default(),
    );
    let attempts = ready.delivery.attempts + 1;
    match classify(result) {
        Verdict::Delivered => DeliveryUpdate::Delivered {
            status: status.unwrap_or(201),
        },
        Verdict::Gone => {
            let target = ready
                .delivery
                .target
                .as_ref()
                .expect("triage keeps targets");
            let subscription = Some((target.subscription_id, target.endpoint.as_str().to_owned()));
            DeliveryUpdate::Gone {
                status,
                subscription,
            }
        }
        Verdict::Shorten if !ready.delivery.shortened => DeliveryUpdate::Retry {
            at: now,
            status,
            error: "payload too large; retrying with the short form".into(),
            shortened: true,
        },
        Verdict::Shorten => DeliveryUpdate::Failed {
            status,
            error: "payload too large".into(),
        },
        Verdict::PauseOrigin if age < inner.retry.max_age => {
            let (until, started) = inner.origins.pause(origin);
            if started {
                tracing::error!(
                    push.origin = origin,
                    status,
                    pause_s = (until - now) / 1000,
                    "push service refuses our VAPID credentials; pausing its deliveries (check push.subject and the VAPID key)"
                );
            }
            DeliveryUpdate::Deferred { at: until }
        }
        Verdict::PauseOrigin => DeliveryUpdate::Failed {
            status,
            error: "VAPID credentials refused".into(),
        },
        Verdict::Retry {
            retry_after,
            reason,
        } => {
            let delay = inner.retry.delay(attempts, retry_after);
            if inner.retry.may_retry(attempts, age, delay) {
                let at = now + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
                DeliveryUpdate::Retry {
                    at,
                    status,
                    error: reason,
                    shortened: false,
                }
            } else {
                DeliveryUpdate::Failed {
                    status,
                    error: format!("gave up after {attempts} attempts: {reason}"),
                }
            }
        }
        Verdict::Failed { reason } => DeliveryUpdate::Failed {
            status,
            error: reason,
        },
    }
}

/// Claims, sends and records one batch, waiting for every send: the synchronous step.
pub(super) async fn drain_batch(inner: &Arc<Inner>) -> Result<Drained, StorageError> {
    let claimed = inner
        .storage
        .claim_due_deliveries(CLAIM_BATCH, inner.origins.excluded())
        .await?;
    let mut drained = Drained {
        claimed: claimed.len(),
        ..Drained::default()
    };
    let (ready, mut updates) = triage(inner, claimed).await?;
    let mut sends = tokio::task::JoinSet::new();
    for (ready, push, error) in encrypt_all(inner, ready).await {
        match push {
            Some(push) => {
                let inner = Arc::clone(inner);
                sends.spawn(async move { send_one(&inner, ready, push).await });
            }
            None => updates.push((ready.delivery.id, encryption_failed(error))),
        }
    }
    while let Some(sent) = sends.join_next().await {
        match sent {
            Ok(update) => updates.push(update),
            Err(err) => tracing::error!(error = %err, "send task failed"),
        }
    }
    for (_, update) in &updates {
        drained.count(update);
    }
    inner.storage.record_delivery_updates(updates).await?;
    Ok(drained)
}

pub(super) fn encryption_failed(error: Option<String>) -> DeliveryUpdate {
    DeliveryUpdate::Failed {
        status: None,
        error: error.unwrap_or_else(|| "encryption failed".into()),
    }
}
