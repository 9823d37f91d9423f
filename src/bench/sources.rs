//! `herald bench sources`: N feed sources on a one-minute schedule, run by the real scheduler
//! against a loopback feed server that mostly answers 304, and the CPU and memory Herald needs
//! to keep up with them.
//!
//! Every source is on the one loopback host, so the per-host politeness (a second between two
//! requests, two at once) is switched off; with it, 1,000 sources could not all run every
//! minute. Real deployments spread their sources over many hosts and keep it on.

pub mod feed_server;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::process::{cpu_seconds, peak_rss_mb, rss_mb};
use crate::config::FetchConfig;
use crate::domain::{NewSource, Schedule, SourceKind};
use crate::sources::{SchedulerHandle, SourceScheduler};
use crate::storage::Storage;
use feed_server::FeedStats;

/// Not measured: the first fetch of every feed (a 200 and a parse each) happens here.
const WARM_UP: Duration = Duration::from_secs(60);
const SAMPLE_EVERY: Duration = Duration::from_secs(10);
const SCHEDULE: &str = "every 1m";
const NOTE: &str = "one loopback host, so host_spacing_ms=0 and per_host_concurrency=concurrency; \
    real deployments spread their sources over many hosts";

/// What to run.
#[derive(Debug, Clone)]
pub struct SourcesOptions {
    pub sources: usize,
    /// Minutes measured, after the warm-up.
    pub minutes: u64,
    /// Share of the feeds that change each minute.
    pub changed_percent: f64,
}

/// One JSON line of results; the counts cover the measured minutes only.
#[derive(Debug, Serialize)]
pub struct SourcesReport {
    pub sources: usize,
    pub minutes: u64,
    pub warm_up_seconds: u64,
    /// Feed requests the server answered.
    pub fetches: u64,
    pub not_modified: u64,
    /// Changed feeds served, each with one changed item for Herald to store.
    pub changed_documents: u64,
    /// Sources whose last fetch failed, read from the database at the end.
    pub failing_sources: usize,
    pub cpu_percent_of_one_core: f64,
    /// Highest resident set size of the whole run, warm-up included.
    pub peak_rss_mb: f64,
    /// Mean of the resident set sizes sampled every 10 s after the warm-up.
    pub avg_rss_mb: f64,
    pub note: &'static str,
}

pub async fn run(options: SourcesOptions) -> anyhow::Result<SourcesReport> {
    let dir = tempfile::tempdir().context("cannot create a temporary data directory")?;
    let server = FeedServer::spawn(options.sources, options.changed_percent)?;
    let path = dir.path().join("herald.db");
    let storage = tokio::task::spawn_blocking(move || Storage::open(&path)).await??;
    insert_sources(&storage, &server.url, options.sources).await?;

    let scheduler =
        SourceScheduler::new(storage.clone(), &fetch_config(), SchedulerHandle::default())?;
    let token = CancellationToken::new();
    let running = tokio::spawn(scheduler.run(token.clone()));
    tokio::time::sleep(WARM_UP).await;
    let measured = measure(&server.url, Duration::from_secs(options.minutes * 60)).await;
    token.cancel();
    running.await?;
    let measured = measured?;
    let failing_sources = storage
        .list_sources()
        .await?
        .iter()
        .filter(|s| s.last_error.is_some())
        .count();
    Ok(SourcesReport {
        sources: options.sources,
        minutes: options.minutes,
        warm_up_seconds: WARM_UP.as_secs(),
        fetches: measured.stats.fetches,
        not_modified: measured.stats.not_modified,
        changed_documents: measured.stats.changed,
        failing_sources,
        cpu_percent_of_one_core: measured.cpu_seconds / measured.seconds * 100.0,
        peak_rss_mb: peak_rss_mb(),
        avg_rss_mb: measured.rss_mb.iter().sum::<f64>() / measured.rss_mb.len().max(1) as f64,
        note: NOTE,
    })
}

/// The politeness settings assume many hosts; here every source is on one.
fn fetch_config() -> FetchConfig {
    let defaults = FetchConfig::default();
    FetchConfig {
        host_spacing_ms: 0,
        per_host_concurrency: defaults.concurrency,
        ..defaults
    }
}

async fn insert_sources(storage: &Storage, base: &str, count: usize) -> anyhow::Result<()> {
    let schedule = Schedule::parse(SCHEDULE).map_err(|e| anyhow::anyhow!("{e}"))?;
    for i in 0..count {
        let source = NewSource {
            name: format!("Bench feed {i}"),
            url: url::Url::parse(&format!("{base}/feed/{i}.xml"))?,
            kind: SourceKind::Feed,
            schedule: schedule.clone(),
            selector: None,
            json: None,
            paused: false,
        };
        storage.insert_source(source).await?;
    }
    Ok(())
}

struct Measured {
    stats: FeedStats,
    cpu_seconds: f64,
    seconds: f64,
    rss_mb: Vec<f64>,
}

/// This process's CPU time and memory, and the server's counts, over `length`.
async fn measure(server: &str, length: Duration) -> anyhow::Result<Measured> {
    let client = reqwest::Client::new();
    let before = server_stats(&client, server).await?;
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let mut rss = vec![rss_mb()];
    let mut ticks = tokio::time::interval_at(started + SAMPLE_EVERY, SAMPLE_EVERY);
    for _ in 0..length.as_secs() / SAMPLE_EVERY.as_secs() {
        ticks.tick().await;
        rss.push(rss_mb());
    }
    let cpu = cpu_seconds() - cpu_before;
    let seconds = started.elapsed().as_secs_f64();
    let after = server_stats(&client, server).await?;
    Ok(Measured {
        stats: after.since(before),
        cpu_seconds: cpu,
        seconds,
        rss_mb: rss,
    })
}

async fn server_stats(client: &reqwest::Client, server: &str) -> anyhow::Result<FeedStats> {
    Ok(client
        .get(format!("{server}/stats"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

/// `herald bench feed-server` as a child process, so its CPU is not counted as Herald's.
struct FeedServer {
    child: Child,
    url: String,
}

impl FeedServer {
    fn spawn(feeds: usize, changed_percent: f64) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("cannot find the herald binary")?;
        let child = Command::new(exe)
            .args(["bench", "feed-server", "--listen", "127.0.0.1:0"])
            .args(["--feeds", &feeds.to_string()])
            .args(["--changed-percent", &changed_percent.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .context("cannot start the benchmark feed server")?;
        // Owned from here on, so the child is stopped on every way out.
        let mut server = Self {
            child,
            url: String::new(),
        };
        let stdout = server
            .child
            .stdout
            .take()
            .context("feed server has no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .context("feed server did not print its address")?;
        server.url = format!("http://{}", line.trim());
        Ok(server)
    }
}

impl Drop for FeedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
