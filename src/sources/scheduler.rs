//! The source scheduler: each source on its own cron schedule or interval, with jitter, global
//! and per-host limits, no overlap with itself, missed ticks skipped, backoff after failures.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::SchedulerHandle;
use super::hosts::HostGate;
use super::plan::{Planned, finish, next_run, replan, target_of};
use super::{FetchConfig, Fetcher, SourceError, fetch_and_parse};
use crate::storage::{FetchRecord, SourceRecord, Storage, StorageError};

/// Longest the scheduler goes without re-reading the sources table.
const RELOAD_EVERY: Duration = Duration::from_secs(300);

/// What one fetch of one source did.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    NotModified,
    Stored {
        documents: usize,
        new_versions: usize,
    },
    Failed(String),
    /// Cancelled (paused or deleted mid-fetch), or the source is gone.
    Skipped,
}

pub struct SourceScheduler {
    storage: Storage,
    fetcher: Fetcher,
    keep_versions: u32,
    gate: HostGate,
    global: Arc<Semaphore>,
    handle: SchedulerHandle,
}

type Done = (i64, Option<i64>);

impl SourceScheduler {
    pub fn new(
        storage: Storage,
        config: &FetchConfig,
        handle: SchedulerHandle,
    ) -> anyhow::Result<Arc<Self>> {
        Ok(Arc::new(Self {
            storage,
            fetcher: Fetcher::new(config)?,
            keep_versions: config.keep_versions,
            gate: HostGate::new(
                config.per_host_concurrency as usize,
                Duration::from_millis(config.host_spacing_ms),
            ),
            global: Arc::new(Semaphore::new(config.concurrency as usize)),
            handle,
        }))
    }

    /// Fetches one source now and records the result (also the step the loop runs).
    pub async fn run_once(&self, id: i64) -> Result<RunOutcome, StorageError> {
        let Some(record) = self.storage.get_source(id).await? else {
            return Ok(RunOutcome::Skipped);
        };
        Ok(self.fetch(&record, &CancellationToken::new()).await?.0)
    }

    /// Fetches `record`, records the outcome, and returns it with the next run (Unix ms).
    async fn fetch(
        &self,
        record: &SourceRecord,
        cancel: &CancellationToken,
    ) -> Result<(RunOutcome, Option<i64>), StorageError> {
        let Some(target) = target_of(record) else {
            let error = "the stored URL is not valid".to_owned();
            let fetch = FetchRecord {
                error: Some(error.clone()),
                ..FetchRecord::default()
            };
            self.storage
                .record_fetch(record.id, fetch, Vec::new(), self.keep_versions)
                .await?;
            return Ok((RunOutcome::Failed(error), None));
        };
        let host = target.url.host_str().unwrap_or_default().to_owned();
        let attempt = async {
            let _global = self.global.acquire().await.ok();
            let _host = self.gate.enter(&host).await;
            fetch_and_parse(
                &self.fetcher,
                &target,
                record.etag.as_deref(),
                record.last_modified.as_deref(),
            )
            .await
        };
        let result = tokio::select! {
            result = attempt => result,
            () = cancel.cancelled() => return Ok((RunOutcome::Skipped, None)),
        };
        let now = Utc::now();
        let next = next_run(record, &result, now).map(|t| t.timestamp_millis());
        let mut links = None;
        let (outcome, fetch, documents) = match result {
            Ok(None) => (
                RunOutcome::NotModified,
                FetchRecord {
                    status: Some(304),
                    ..FetchRecord::default()
                },
                Vec::new(),
            ),
            Ok(Some(body)) => {
                links = Some(body.parsed.links);
                let fetch = FetchRecord {
                    status: Some(200),
                    validators: Some((body.etag, body.last_modified)),
                    ..FetchRecord::default()
                };
                (
                    RunOutcome::Stored {
                        documents: body.parsed.documents.len(),
                        new_versions: 0,
                    },
                    fetch,
                    body.parsed.documents,
                )
            }
            Err(err) => {
                let status = match &err {
                    SourceError::Fetch(e) => e.status(),
                    SourceError::Parse(_) => Some(200),
                };
                let fetch = FetchRecord {
                    status,
                    error: Some(err.to_string()),
                    ..FetchRecord::default()
                };
                (RunOutcome::Failed(err.to_string()), fetch, Vec::new())
            }
        };
        let fetch = FetchRecord {
            next_run_at: next,
            ..fetch
        };
        let stored = self
            .storage
            .record_fetch(record.id, fetch, documents, self.keep_versions)
            .await?;
        if !stored.is_empty() {
            self.handle.documents_stored();
        }
        if let Some(links) = links {
            super::websub::record_links(&self.storage, &self.handle, record, links).await;
        }
        let outcome = match outcome {
            RunOutcome::Stored { documents, .. } => RunOutcome::Stored {
                documents,
                new_versions: stored.len(),
            },
            other => other,
        };
        if let RunOutcome::Failed(error) = &outcome {
            tracing::warn!(source.id = record.id, error = %error, "source fetch failed");
        }
        Ok((outcome, next))
    }

    /// Runs every source on its schedule until `token` is cancelled.
    pub async fn run(self: Arc<Self>, token: CancellationToken) {
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
        let mut plan: HashMap<i64, Planned> = HashMap::new();
        let mut reload_at = tokio::time::Instant::now();
        loop {
            if tokio::time::Instant::now() >= reload_at {
                match self.storage.list_sources().await {
                    Ok(records) => {
                        replan(&mut plan, records);
                        self.bring_forward(&mut plan, true);
                    }
                    Err(err) => tracing::error!(error = %err, "scheduler: cannot read sources"),
                }
                reload_at = tokio::time::Instant::now() + RELOAD_EVERY;
                self.gate.prune();
            }
            self.bring_forward(&mut plan, false);
            self.start_due(&mut plan, &done_tx, &token);
            let sleep = plan
                .values()
                .filter(|p| p.running.is_none() && !p.record.paused)
                .map(|p| (p.next - Utc::now()).to_std().unwrap_or_default())
                .min()
                .unwrap_or(RELOAD_EVERY)
                .min(RELOAD_EVERY);
            tokio::select! {
                () = tokio::time::sleep(sleep) => {}
                () = self.handle.reload.notified() => reload_at = tokio::time::Instant::now(),
                Some((id, next)) = done_rx.recv() => finish(&mut plan, id, next),
                () = token.cancelled() => break,
            }
        }
        for planned in plan.values() {
            if let Some(running) = &planned.running {
                running.cancel();
            }
        }
        // Nothing will run them now: their waiters hear so.
        self.handle.wanted().clear();
    }

    /// Plans the sources asked for with `run_now` for now, unless a fetch of theirs is running
    /// (they follow it). After a fresh read of the sources (`fresh`), requests for unknown or
    /// paused sources are dropped, which tells their waiters.
    fn bring_forward(&self, plan: &mut HashMap<i64, Planned>, fresh: bool) {
        let now = Utc::now();
        self.handle.wanted().retain(|id, _| match plan.get_mut(id) {
            Some(planned) if planned.record.paused => false,
            Some(planned) => {
                if planned.running.is_none() {
                    planned.next = planned.next.min(now);
                }
                true
            }
            None => !fresh,
        });
    }

    fn start_due(
        self: &Arc<Self>,
        plan: &mut HashMap<i64, Planned>,
        done: &mpsc::UnboundedSender<Done>,
        token: &CancellationToken,
    ) {
        let now = Utc::now();
        for planned in plan.values_mut() {
            if planned.record.paused || planned.running.is_some() || planned.next > now {
                continue;
            }
            let cancel = token.child_token();
            planned.running = Some(cancel.clone());
            let record = planned.record.clone();
            let scheduler = Arc::clone(self);
            let done = done.clone();
            let waiters = self.handle.wanted().remove(&record.id).unwrap_or_default();
            tokio::spawn(async move {
                // The plan's copy is as old as the last reload; the validators of the last 200
                // and the failure count must be current, or the GET would not be conditional.
                let record = match scheduler.storage.get_source(record.id).await {
                    Ok(Some(fresh)) => fresh,
                    Ok(None) => {
                        let _ = done.send((record.id, None));
                        return;
                    }
                    Err(_) => record,
                };
                let (outcome, next) = match scheduler.fetch(&record, &cancel).await {
                    Ok(done) => done,
                    Err(err) => {
                        tracing::error!(source.id = record.id, error = %err, "scheduler: cannot record a fetch");
                        (RunOutcome::Failed(err.to_string()), None)
                    }
                };
                tell(waiters, &outcome);
                let _ = done.send((record.id, next));
            });
        }
    }
}

/// Gives the outcome to everyone who asked for this fetch with `run_now`.
fn tell(waiters: Vec<oneshot::Sender<RunOutcome>>, outcome: &RunOutcome) {
    for waiter in waiters {
        let _ = waiter.send(outcome.clone());
    }
}
