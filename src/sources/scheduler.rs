//! The source scheduler: each source on its own cron schedule or interval, with jitter, global
//! and per-host limits, no overlap with itself, missed ticks skipped, backoff after failures.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use tokio::sync::{Notify, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use super::hosts::HostGate;
use super::{FetchConfig, FetchError, Fetcher, SourceError, Target, fetch_and_parse};
use crate::domain::{Schedule, SourceKind};
use crate::storage::{FetchRecord, SourceRecord, Storage, StorageError};

/// Longest the scheduler goes without re-reading the sources table.
const RELOAD_EVERY: Duration = Duration::from_secs(300);
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

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

/// What the rest of the server uses to talk to the scheduler.
#[derive(Clone, Default)]
pub struct SchedulerHandle {
    reload: Arc<Notify>,
    documents: Arc<Notify>,
    hub_links: Arc<Notify>,
}

impl SchedulerHandle {
    /// Sources changed (added, edited, paused, deleted): re-read them now.
    pub fn reload(&self) {
        self.reload.notify_one();
    }

    /// Resolves when a fetch stored new document versions.
    pub async fn new_documents(&self) {
        self.documents.notified().await;
    }

    /// New document versions arrived another way (a WebSub content distribution).
    pub fn documents_stored(&self) {
        self.documents.notify_waiters();
    }

    /// A feed's WebSub hub or topic changed: wake the subscriber.
    pub fn hub_links_changed(&self) {
        self.hub_links.notify_one();
    }

    /// Resolves when a feed's WebSub hub or topic changed.
    pub async fn new_hub_links(&self) {
        self.hub_links.notified().await;
    }
}

pub struct SourceScheduler {
    storage: Storage,
    fetcher: Fetcher,
    keep_versions: u32,
    gate: HostGate,
    global: Arc<Semaphore>,
    handle: SchedulerHandle,
}

struct Planned {
    record: SourceRecord,
    schedule: Option<Schedule>,
    next: DateTime<Utc>,
    running: Option<CancellationToken>,
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
            self.handle.documents.notify_waiters();
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
                    Ok(records) => replan(&mut plan, records),
                    Err(err) => tracing::error!(error = %err, "scheduler: cannot read sources"),
                }
                reload_at = tokio::time::Instant::now() + RELOAD_EVERY;
                self.gate.prune();
            }
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
                let next = match scheduler.fetch(&record, &cancel).await {
                    Ok((_, next)) => next,
                    Err(err) => {
                        tracing::error!(source.id = record.id, error = %err, "scheduler: cannot record a fetch");
                        None
                    }
                };
                let _ = done.send((record.id, next));
            });
        }
    }
}

/// Brings the plan in line with the stored sources: new ones planned, removed or paused ones
/// stopped at once, changed schedules re-planned.
fn replan(plan: &mut HashMap<i64, Planned>, records: Vec<SourceRecord>) {
    let now = Utc::now();
    let mut fresh = HashMap::with_capacity(records.len());
    for record in records {
        let previous = plan.remove(&record.id);
        let schedule = Schedule::parse(&record.schedule).ok();
        let same = previous
            .as_ref()
            .is_some_and(|p| p.record.schedule == record.schedule && p.record.url == record.url);
        let (next, running) = match previous {
            Some(p) if same => (p.next, p.running),
            Some(p) => {
                if let Some(running) = p.running {
                    running.cancel();
                }
                (first_run(&record, schedule.as_ref(), now), None)
            }
            None => (first_run(&record, schedule.as_ref(), now), None),
        };
        if record.paused
            && let Some(running) = &running
        {
            running.cancel();
        }
        let running = if record.paused { None } else { running };
        fresh.insert(
            record.id,
            Planned {
                record,
                schedule,
                next,
                running,
            },
        );
    }
    for gone in plan.values() {
        if let Some(running) = &gone.running {
            running.cancel();
        }
    }
    *plan = fresh;
}

fn first_run(
    record: &SourceRecord,
    schedule: Option<&Schedule>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    match record.next_run_at.and_then(DateTime::from_timestamp_millis) {
        Some(stored) if stored > now => stored,
        // Never fetched, or the planned time passed while we were down: now, with jitter.
        _ => now + jitter(schedule),
    }
}

fn finish(plan: &mut HashMap<i64, Planned>, id: i64, next: Option<i64>) {
    if let Some(planned) = plan.get_mut(&id) {
        planned.running = None;
        let fallback = || {
            let schedule = planned.schedule.as_ref();
            schedule
                .and_then(|s| s.next_after(Utc::now()))
                .unwrap_or_else(|| Utc::now() + MAX_BACKOFF)
        };
        planned.next = next
            .and_then(DateTime::from_timestamp_millis)
            .unwrap_or_else(fallback);
    }
}

/// The next run after a fetch: the schedule's next tick from now (missed ticks are skipped),
/// pushed back after failures and never before a `Retry-After`.
fn next_run(
    record: &SourceRecord,
    result: &Result<Option<super::FreshBody>, SourceError>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let schedule = Schedule::parse(&record.schedule).ok()?;
    let mut next = schedule.next_after(now)? + jitter(Some(&schedule));
    if let Err(err) = result {
        let failures = record.consecutive_failures + 1;
        let backoff = Duration::from_secs(30)
            .saturating_mul(1 << failures.min(12))
            .min(MAX_BACKOFF);
        next = next.max(now + backoff.min(schedule.period().max(Duration::from_secs(30)) * 8));
        if let SourceError::Fetch(FetchError::RetryLater { after, .. }) = err {
            next = next.max(now + *after);
        }
    }
    Some(next)
}

/// Up to a tenth of the period, at most 30 s, so sources on one schedule do not fire at once.
fn jitter(schedule: Option<&Schedule>) -> chrono::Duration {
    let period = schedule.map_or(Duration::from_secs(60), Schedule::period);
    let max_ms = (period.as_millis() / 10).min(30_000) as i64;
    chrono::Duration::milliseconds(if max_ms > 0 {
        rand::thread_rng().gen_range(0..=max_ms)
    } else {
        0
    })
}

fn target_of(record: &SourceRecord) -> Option<Target> {
    Some(Target {
        url: url::Url::parse(&record.url).ok()?,
        kind: SourceKind::parse(&record.kind).ok()?,
        selector: record.selector.clone(),
        json: record.json.clone(),
    })
}
