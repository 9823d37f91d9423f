//! `herald serve --demo`: the seed story replayed as a live page on this server, followed by a
//! demo story through the real pipeline (fetch, diff engine, alerts, pushes).
//!
//! At start the demo creates its story and its source (a page source pointing at our own
//! `/demo/summit`), both marked `demo` in the database. [`Demo::run`] then shows one step every
//! few seconds and has the source fetch it at once. After the last step and a grace period, or
//! at shutdown, the demo's rows go: the story with its decisions, the source with its
//! documents. The alerts it sent stay in the history, detached (see `Storage::remove_demo`).
//! Rows left by a crash are removed at the next start, demo or not.

mod steps;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub use steps::{STEPS, Step};

use crate::domain::SourceRequest;
use crate::engine::Story;
use crate::sources::{RunOutcome, SchedulerHandle};
use crate::storage::{DemoRows, Storage, StorageError};

/// The demo story's name; alert titles start with it.
pub const STORY_NAME: &str = "Trump–Putin summit (demo)";
const SOURCE_NAME: &str = "Trump–Putin summit, replayed (demo)";
/// The fallback poll; each step is also fetched the moment it is shown.
const SOURCE_SCHEDULE: &str = "every 10s";
/// Longest wait for the fetch of one step.
const FETCH_WAIT: Duration = Duration::from_secs(30);

/// How the demo runs (`herald serve --demo --demo-step-seconds N`).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOptions {
    /// Time between two steps.
    pub step: Duration,
    /// How long the last step stays before the demo's rows are removed.
    pub grace: Duration,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            step: Duration::from_secs(8),
            grace: Duration::from_secs(60),
        }
    }
}

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stepped {
    /// Step `n` (from 0) is shown and was fetched.
    Shown(usize),
    /// Every step was shown.
    Finished,
}

/// The running demo; cheap to clone. The HTTP routes read the current step from it.
#[derive(Clone)]
pub struct Demo {
    inner: Arc<Inner>,
}

struct Inner {
    options: DemoOptions,
    rows: DemoRows,
    /// This server as the demo's source reaches it, e.g. `http://127.0.0.1:8080`.
    base: String,
    progress: Mutex<Progress>,
}

struct Progress {
    /// When each step shown so far began; the last one is on the page.
    shown: Vec<DateTime<Utc>>,
    ended: bool,
}

impl Demo {
    /// Creates the demo's story and source for a server listening on `listen`.
    pub async fn create(
        storage: &Storage,
        options: DemoOptions,
        listen: SocketAddr,
    ) -> anyhow::Result<Self> {
        let base = format!("http://{}", loopback(listen));
        let url = format!("{base}/demo/summit");
        let story = Story {
            name: STORY_NAME.to_owned(),
            keywords: vec!["summit".into()],
            any_keywords: vec!["Trump".into(), "Putin".into()],
            kind: Some("diplomacy".into()),
            ..Story::default()
        };
        let source = SourceRequest {
            name: Some(SOURCE_NAME.into()),
            url: Some(url.clone()),
            kind: Some("page".into()),
            schedule: Some(SOURCE_SCHEDULE.into()),
            selector: None,
            json: None,
            paused: false,
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("demo source: {e}"))?;
        let definition = serde_json::to_string(&story)?;
        let rows = storage
            .insert_demo(story.name.clone(), definition, source)
            .await?
            .with_context(|| {
                format!("a source with the demo's address {url} exists; delete it or start without --demo")
            })?;
        tracing::info!(
            story.id = rows.story_id,
            source.id = rows.source_id,
            "demo: story and source created"
        );
        Ok(Self {
            inner: Arc::new(Inner {
                options,
                rows,
                base,
                progress: Mutex::new(Progress {
                    shown: vec![Utc::now()],
                    ended: false,
                }),
            }),
        })
    }

    /// This server's address as the demo uses it, e.g. `http://127.0.0.1:8080`.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    pub fn options(&self) -> &DemoOptions {
        &self.inner.options
    }

    pub fn rows(&self) -> DemoRows {
        self.inner.rows
    }

    /// The step on the page (from 0) and its HTML; `None` once the demo has ended.
    pub fn page(&self) -> Option<(usize, &'static [u8])> {
        let progress = self.progress();
        let index = progress.shown.len().checked_sub(1)?;
        (!progress.ended).then(|| (index, STEPS[index.min(STEPS.len() - 1)].html))
    }

    /// The RSS feed of the steps shown so far; `None` once the demo has ended.
    pub fn feed(&self) -> Option<String> {
        let progress = self.progress();
        (!progress.ended).then(|| steps::feed(&self.inner.base, &progress.shown))
    }

    /// Shows the next step (the first call fetches the first page, shown from the start) and
    /// waits until the source has fetched it, so that no step goes unseen however short the
    /// steps are.
    pub async fn step_once(&self, sources: &SchedulerHandle, first: bool) -> Stepped {
        let index = {
            let mut progress = self.progress();
            if !first {
                if progress.shown.len() >= STEPS.len() {
                    return Stepped::Finished;
                }
                progress.shown.push(Utc::now());
            }
            progress.shown.len() - 1
        };
        let step = &STEPS[index];
        tracing::info!(
            demo.step = index + 1,
            demo.steps = STEPS.len(),
            demo.alert_due = step.alert,
            "demo: {}",
            step.label
        );
        let fetched = sources.run_now(self.inner.rows.source_id);
        match tokio::time::timeout(FETCH_WAIT, fetched).await {
            Ok(Ok(RunOutcome::Failed(error))) => {
                tracing::warn!(error = %error, "demo: the demo page could not be fetched");
            }
            Ok(Ok(_)) => {}
            Ok(Err(_)) => tracing::warn!("demo: its source is gone or paused"),
            Err(_) => tracing::warn!("demo: the demo page was not fetched in time"),
        }
        Stepped::Shown(index)
    }

    /// Shows every step, one per `options.step`, then waits `options.grace` and removes the
    /// demo's rows; at cancellation it removes them at once.
    pub async fn run(self, storage: Storage, sources: SchedulerHandle, token: CancellationToken) {
        let mut first = true;
        loop {
            let started = Instant::now();
            let stepped = tokio::select! {
                stepped = self.step_once(&sources, first) => stepped,
                () = token.cancelled() => break,
            };
            first = false;
            let wait = match stepped {
                Stepped::Shown(_) => self.inner.options.step,
                Stepped::Finished => self.inner.options.grace,
            };
            tokio::select! {
                () = tokio::time::sleep_until(started + wait) => {}
                () = token.cancelled() => break,
            }
            if stepped == Stepped::Finished {
                break;
            }
        }
        if let Err(err) = self.end(&storage, &sources).await {
            tracing::error!(error = %err, "demo: cannot remove its story and source; the next start will");
        }
    }

    /// Takes the page down and removes the demo's rows.
    async fn end(&self, storage: &Storage, sources: &SchedulerHandle) -> Result<(), StorageError> {
        self.progress().ended = true;
        let removed = storage.remove_demo().await?;
        sources.reload();
        tracing::info!(
            stories = removed.stories,
            sources = removed.sources,
            documents = removed.documents,
            decisions = removed.decisions,
            alerts_kept = removed.alerts_kept,
            "demo over: its story, source, documents and decisions are removed"
        );
        Ok(())
    }

    fn progress(&self) -> MutexGuard<'_, Progress> {
        self.inner
            .progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where this server reaches itself: the listen address, or loopback when it listens on all
/// interfaces.
pub fn loopback(listen: SocketAddr) -> SocketAddr {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, listen.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_reaches_this_server_on_loopback() {
        let any: SocketAddr = "0.0.0.0:8080".parse().expect("addr");
        assert_eq!(loopback(any).to_string(), "127.0.0.1:8080");
        let any6: SocketAddr = "[::]:9000".parse().expect("addr");
        assert_eq!(loopback(any6).to_string(), "[::1]:9000");
        let own: SocketAddr = "192.0.2.7:8080".parse().expect("addr");
        assert_eq!(loopback(own), own);
    }
}
