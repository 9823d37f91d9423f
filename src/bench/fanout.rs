//! `herald bench fanout`: N subscriptions with real P-256 keys, one alert, the real delivery
//! path against a sink, and the figures that say how close it runs to this machine's limit.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::ceilings;
use super::process::{cpu_seconds, peak_rss_mb};
use crate::config::Config;
use crate::delivery::DeliveryEngine;
use crate::domain::{
    EndpointPolicy, NewAlert, NewSubscription, SubscriptionKeys, SubscriptionRequest,
};
use crate::metrics::Metrics;
use crate::storage::{DeliveryTarget, Storage};
use crate::vapid::VapidKeys;

/// What to run.
#[derive(Debug, Clone)]
pub struct FanoutOptions {
    pub subscriptions: usize,
    /// A push service to send to; `None` starts `herald bench sink` on loopback.
    pub sink: Option<String>,
    /// JSON lines `{"endpoint", "keys": {"p256dh", "auth"}}` (as `gen_subs.js` writes them).
    pub subs_file: Option<PathBuf>,
    pub ca_cert: Option<PathBuf>,
    pub concurrency: u32,
    pub per_origin_concurrency: u32,
}

/// One JSON line of results.
#[derive(Debug, Serialize)]
pub struct FanoutReport {
    pub subscriptions: usize,
    pub delivered: u64,
    pub failed: u64,
    pub seconds: f64,
    pub msgs_per_s: f64,
    pub cpu_seconds: f64,
    pub cpu_ms_per_msg: f64,
    pub peak_rss_mb: f64,
    pub encrypt_only_msgs_per_s: f64,
    pub encrypt_sign_each_msgs_per_s: f64,
    pub p256_limit_msgs_per_s: f64,
    pub threads: usize,
}

const CHUNK: usize = 10_000;
const SAMPLE: usize = 20_000;

pub async fn run(options: FanoutOptions) -> anyhow::Result<FanoutReport> {
    let dir = tempfile::tempdir().context("cannot create a temporary data directory")?;
    let mut sink = None;
    let sink_url = match &options.sink {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let (child, url) = super::spawn_sink()?;
            sink = Some(child);
            url
        }
    };
    let config = bench_config(&options, dir.path().to_owned(), &sink_url);
    let path = config.database_path();
    let storage = tokio::task::spawn_blocking(move || Storage::open(&path)).await??;
    let vapid = VapidKeys::generate();
    let policy = EndpointPolicy::from_config(&config.push).map_err(anyhow::Error::msg)?;
    let sample = load_subscriptions(&options, &storage, &policy, &sink_url).await?;
    let count = storage.count_subscriptions().await? as usize;

    let metrics = Arc::new(Metrics::default());
    let engine = DeliveryEngine::new(&config, storage.clone(), &vapid, metrics)?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let encrypt_only = ceilings::encrypt_rate(&engine, &sample, false);
    let encrypt_sign_each = ceilings::encrypt_rate(&engine, &sample, true);
    let p256_limit = ceilings::p256_rate(sample.len().min(SAMPLE));

    let token = tokio_util::sync::CancellationToken::new();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let alert = storage.insert_alert(bench_alert()).await?;
    let running = tokio::spawn(engine.clone().run(token.clone()));
    engine.wake();
    while storage.delivery_queue_depth().await? > 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    token.cancel();
    running.await?;
    let counts = storage.alert_delivery_counts(alert.id).await?;
    if let Some(mut child) = sink {
        let _ = child.kill();
        let _ = child.wait();
    }
    Ok(FanoutReport {
        subscriptions: count,
        delivered: counts.delivered,
        failed: counts.failed + counts.gone,
        seconds,
        msgs_per_s: counts.delivered as f64 / seconds,
        cpu_seconds: cpu,
        cpu_ms_per_msg: cpu * 1000.0 / count.max(1) as f64,
        peak_rss_mb: peak_rss_mb(),
        encrypt_only_msgs_per_s: encrypt_only,
        encrypt_sign_each_msgs_per_s: encrypt_sign_each,
        p256_limit_msgs_per_s: p256_limit,
        threads,
    })
}

fn bench_config(options: &FanoutOptions, data_dir: PathBuf, sink_url: &str) -> Config {
    let mut config = Config {
        data_dir,
        ..Config::default()
    };
    config.push.allowed_endpoints.push(format!("{sink_url}/"));
    config.push.subject = Some("mailto:bench@example.org".into());
    config.delivery.extra_ca_cert.clone_from(&options.ca_cert);
    config.delivery.concurrency = options.concurrency;
    config.delivery.per_origin_concurrency = options.per_origin_concurrency;
    config.delivery.max_age_seconds = 3600;
    config
}

fn bench_alert() -> NewAlert {
    NewAlert {
        title: "Summit: set for Helsinki, July 16".into(),
        body: "The White House and the Kremlin announced that the summit will be held in Helsinki on July 16."
            .into(),
        url: Some("https://example.org/summit".into()),
        story_id: Some(1),
        topics: Vec::new(),
        public: true,
    }
}

#[derive(Deserialize)]
struct SubsLine {
    endpoint: String,
    keys: SubsKeys,
}

#[derive(Deserialize)]
struct SubsKeys {
    p256dh: String,
    auth: String,
}

/// Streams subscriptions into the database in chunks; keeps a sample for the ceilings.
async fn load_subscriptions(
    options: &FanoutOptions,
    storage: &Storage,
    policy: &EndpointPolicy,
    sink_url: &str,
) -> anyhow::Result<Vec<DeliveryTarget>> {
    let mut sample = Vec::new();
    let mut loaded = 0;
    let mut lines = match &options.subs_file {
        Some(path) => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            Some(std::io::BufRead::lines(std::io::BufReader::new(file)))
        }
        None => None,
    };
    while loaded < options.subscriptions {
        let want = CHUNK.min(options.subscriptions - loaded);
        let chunk = match lines.as_mut() {
            Some(lines) => read_chunk(lines, want, policy)?,
            None => generate_chunk(loaded, want, sink_url, policy)?,
        };
        if chunk.is_empty() {
            break;
        }
        loaded += chunk.len();
        sample.extend(
            chunk
                .iter()
                .take(SAMPLE.saturating_sub(sample.len()))
                .map(|s| DeliveryTarget {
                    subscription_id: 0,
                    endpoint: s.endpoint.clone(),
                    keys: s.keys.clone(),
                }),
        );
        storage.import_subscriptions(chunk).await?;
    }
    Ok(sample)
}

fn read_chunk(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    want: usize,
    policy: &EndpointPolicy,
) -> anyhow::Result<Vec<NewSubscription>> {
    let mut chunk = Vec::with_capacity(want);
    for line in lines.take(want) {
        let line: SubsLine =
            serde_json::from_str(&line?).context("subscriptions file: bad line")?;
        let endpoint = policy
            .check(&line.endpoint)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let keys = SubscriptionKeys::parse(&line.keys.p256dh, &line.keys.auth)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        chunk.push(NewSubscription {
            endpoint,
            keys,
            topics: Vec::new(),
        });
    }
    Ok(chunk)
}

/// Real key pairs, made on every core, endpoints on the sink.
pub(super) fn generate_chunk(
    start: usize,
    want: usize,
    sink_url: &str,
    policy: &EndpointPolicy,
) -> anyhow::Result<Vec<NewSubscription>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let per_thread = want.div_ceil(threads);
    let parts: Vec<Vec<SubscriptionRequest>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let from = start + t * per_thread;
                    let to = (from + per_thread).min(start + want);
                    (from..to)
                        .map(|i| super::synthetic_request(sink_url, i))
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    parts
        .into_iter()
        .flatten()
        .map(|request| request.validate(policy).map_err(|e| anyhow::anyhow!("{e}")))
        .collect()
}
