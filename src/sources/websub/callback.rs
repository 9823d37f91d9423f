//! The callback side of WebSub: a hub's verification of intent, and content distribution
//! (the feed body, signed with our secret, stored like a polled fetch).

use chrono::{DateTime, Utc};

use super::{WebSub, lease, signature};
use crate::domain::SourceKind;
use crate::sources::parse::{self, ParseSpec};
use crate::storage::{FetchRecord, StorageError};

/// Longest lease we record, whatever the hub grants.
const MAX_LEASE_SECONDS: u64 = 365 * 86_400;

/// A hub's verification request: `GET /websub/{id}?hub.mode=…&hub.topic=…&hub.challenge=…`.
#[derive(Debug, Clone, Default)]
pub struct Intent {
    pub mode: Option<String>,
    pub topic: Option<String>,
    pub challenge: Option<String>,
    pub lease_seconds: Option<u64>,
    /// Why the hub denied a subscription (`hub.mode=denied`).
    pub reason: Option<String>,
}

/// What became of a content distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Stored {
        documents: usize,
        new_versions: usize,
    },
    /// Acknowledged but ignored: unsigned, wrongly signed, unreadable, or the source is paused.
    Discarded,
    /// We hold no subscription for this callback: the hub may drop it (410).
    Gone,
}

impl WebSub {
    /// Answers a verification of intent: `Some(body)` confirms it with a 200 and that body (the
    /// challenge), `None` refuses it with a 404.
    pub async fn verify_intent(
        &self,
        source_id: i64,
        intent: Intent,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StorageError> {
        let storage = &self.inner.storage;
        let (Some(mode), Some(topic)) = (intent.mode, intent.topic) else {
            return Ok(None);
        };
        match (mode.as_str(), intent.challenge) {
            ("subscribe", Some(challenge)) => {
                let seconds = intent
                    .lease_seconds
                    .unwrap_or(lease::REQUESTED_LEASE.as_secs())
                    .min(MAX_LEASE_SECONDS);
                let until = now.timestamp_millis() + i64::try_from(seconds * 1000).unwrap_or(0);
                let confirmed = storage
                    .confirm_hub_subscribe(source_id, topic, until)
                    .await?;
                if confirmed {
                    tracing::info!(
                        source.id = source_id,
                        lease_seconds = seconds,
                        "websub: subscription verified"
                    );
                }
                Ok(confirmed.then_some(challenge))
            }
            ("unsubscribe", Some(challenge)) => Ok(storage
                .confirm_hub_unsubscribe(source_id, topic)
                .await?
                .then_some(challenge)),
            ("denied", _) => {
                let denied = storage.deny_hub_subscribe(source_id, topic).await?;
                if denied {
                    let reason: String = intent
                        .reason
                        .unwrap_or_default()
                        .chars()
                        .take(200)
                        .collect();
                    tracing::warn!(source.id = source_id, reason = %reason, "websub: the hub denied the subscription");
                }
                Ok(denied.then(String::new))
            }
            _ => Ok(None),
        }
    }

    /// Checks a content distribution's signature and stores its documents as a fetch would.
    pub async fn receive(
        &self,
        source_id: i64,
        content_type: Option<String>,
        signature: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Received, StorageError> {
        let storage = &self.inner.storage;
        let Some(delivery) = storage.hub_delivery(source_id).await? else {
            return Ok(Received::Gone);
        };
        if let Err(why) = signature::verify(signature, &delivery.secret, &body) {
            if self.first_bad_signature(source_id) {
                tracing::warn!(source.id = source_id, error = %why, "websub: content ignored (logged once per source)");
            } else {
                tracing::debug!(source.id = source_id, error = %why, "websub: content ignored");
            }
            return Ok(Received::Discarded);
        }
        if delivery.paused {
            return Ok(Received::Discarded);
        }
        let Ok(url) = url::Url::parse(&delivery.url) else {
            return Ok(Received::Discarded);
        };
        // Parsing is CPU work on untrusted input: keep it off the async workers.
        let parsed = tokio::task::spawn_blocking(move || {
            let spec = ParseSpec {
                kind: SourceKind::Feed,
                url: &url,
                content_type: content_type.as_deref(),
                selector: None,
                json: None,
                fetched_at: Utc::now(),
            };
            parse::parse(&spec, &body)
        })
        .await?;
        let documents = match parsed {
            Ok(parsed) => parsed.documents,
            Err(err) => {
                tracing::warn!(source.id = source_id, error = %err, "websub: content ignored");
                return Ok(Received::Discarded);
            }
        };
        let count = documents.len();
        let fetch = FetchRecord {
            status: Some(200),
            ..FetchRecord::default()
        };
        let stored = storage
            .record_fetch(source_id, fetch, documents, self.inner.keep_versions)
            .await?;
        if !stored.is_empty() {
            self.inner.handle.documents_stored();
        }
        tracing::debug!(
            source.id = source_id,
            documents = count,
            new_versions = stored.len(),
            "websub: content received"
        );
        Ok(Received::Stored {
            documents: count,
            new_versions: stored.len(),
        })
    }
}
