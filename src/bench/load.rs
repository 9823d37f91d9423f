//! `herald bench load`: subscribe requests at a fixed rate over loopback, from many source
//! addresses (127.0.x.y, so the per-IP limit stays on), while fan-outs to a large audience run
//! back to back against a loopback sink. Prints one JSON line: errors, latency, fan-out pace.

mod client;

use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use tokio::net::TcpListener;

use crate::app::Application;
use crate::config::{Config, Secret};
use crate::domain::EndpointPolicy;
use crate::storage::Storage;

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Subscribe requests per second.
    pub rate: u32,
    pub seconds: u64,
    /// Subscriptions already stored, each sent every alert.
    pub audience: usize,
    /// Client addresses the requests are spread over.
    pub addresses: u32,
    /// The server's per-IP limit (`subscribe.rate_limit_per_minute`).
    pub rate_limit_per_minute: u32,
}

/// One JSON line of results.
#[derive(Debug, Serialize)]
pub struct LoadReport {
    pub requests: usize,
    pub created: usize,
    pub rate_limited: usize,
    /// Anything else: other statuses, connection errors, timeouts. Must be 0.
    pub errors: usize,
    pub latency_ms_p50: f64,
    pub latency_ms_p99: f64,
    pub latency_ms_max: f64,
    pub achieved_rate: f64,
    pub addresses: u32,
    pub rate_limit_per_minute: u32,
    pub audience: usize,
    pub fanouts_started: usize,
    pub fanouts_completed: usize,
    pub pushes_delivered: u64,
    pub pushes_failed: u64,
    pub fanout_msgs_per_s: f64,
    pub subscriptions_after: u64,
    /// Server, load generator and key generation together, in one process.
    pub peak_rss_mb_whole_process: f64,
}

const ADMIN_TOKEN: &str = "bench-load-admin-token";

pub async fn run(options: LoadOptions) -> anyhow::Result<LoadReport> {
    let dir = tempfile::tempdir().context("cannot create a temporary data directory")?;
    let (mut sink, sink_url) = super::spawn_sink()?;
    let mut config = Config {
        data_dir: dir.path().to_owned(),
        admin_token: Some(Secret::new(ADMIN_TOKEN)),
        ..Config::default()
    };
    config.log = "warn".into();
    config.push.allowed_endpoints.push(format!("{sink_url}/"));
    config.push.subject = Some("mailto:bench@example.org".into());
    config.delivery.max_age_seconds = 3600;
    config.subscribe.rate_limit_per_minute = options.rate_limit_per_minute;

    let policy = EndpointPolicy::from_config(&config.push).map_err(anyhow::Error::msg)?;
    let path = config.database_path();
    let storage = tokio::task::spawn_blocking(move || Storage::open(&path)).await??;
    seed_audience(&storage, &policy, &sink_url, options.audience).await?;
    drop(storage);

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = Application::with_listener(config, listener).await?;
    let storage = app.state().storage.clone();
    let stop = tokio_util::sync::CancellationToken::new();
    let server = tokio::spawn(app.run_until(stop.clone().cancelled_owned()));

    let bodies = client::bodies(&sink_url, options.rate as usize * options.seconds as usize);
    let clients = client::clients(options.addresses)?;
    let fanouts = tokio::spawn(keep_fanning_out(
        url.clone(),
        storage.clone(),
        Duration::from_secs(options.seconds),
    ));
    let mut outcome = client::drive(&url, &clients, bodies, options.rate).await;
    outcome.latencies_ms.sort_by(f64::total_cmp);
    let fanout = fanouts.await??;

    let subscriptions_after = storage.count_subscriptions().await?;
    stop.cancel();
    server.await??;
    let _ = sink.kill();
    let _ = sink.wait();
    Ok(LoadReport {
        requests: outcome.latencies_ms.len(),
        created: outcome.created,
        rate_limited: outcome.rate_limited,
        errors: outcome.errors,
        latency_ms_p50: super::quantile(&outcome.latencies_ms, 0.50),
        latency_ms_p99: super::quantile(&outcome.latencies_ms, 0.99),
        latency_ms_max: super::quantile(&outcome.latencies_ms, 1.0),
        achieved_rate: outcome.latencies_ms.len() as f64 / outcome.seconds,
        addresses: options.addresses,
        rate_limit_per_minute: options.rate_limit_per_minute,
        audience: options.audience,
        fanouts_started: fanout.started,
        fanouts_completed: fanout.completed,
        pushes_delivered: fanout.delivered,
        pushes_failed: fanout.failed,
        fanout_msgs_per_s: fanout.delivered as f64 / fanout.seconds.max(0.001),
        subscriptions_after,
        peak_rss_mb_whole_process: super::process::peak_rss_mb(),
    })
}

async fn seed_audience(
    storage: &Storage,
    policy: &EndpointPolicy,
    sink_url: &str,
    audience: usize,
) -> anyhow::Result<()> {
    let mut loaded = 0;
    while loaded < audience {
        let want = 10_000.min(audience - loaded);
        let sink = sink_url.to_owned();
        let policy = policy.clone();
        let chunk = tokio::task::spawn_blocking(move || {
            super::fanout::generate_chunk(1_000_000 + loaded, want, &sink, &policy)
        })
        .await??;
        storage.import_subscriptions(chunk).await?;
        loaded += want;
    }
    Ok(())
}

struct FanoutTally {
    started: usize,
    completed: usize,
    delivered: u64,
    failed: u64,
    seconds: f64,
}

/// Sends an alert to everyone whenever the previous one has been delivered, for `window`,
/// then waits for the last one to finish.
async fn keep_fanning_out(
    url: String,
    storage: Storage,
    window: Duration,
) -> anyhow::Result<FanoutTally> {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut ids = Vec::new();
    loop {
        if storage.delivery_queue_depth().await? == 0 {
            if started.elapsed() >= window {
                break;
            }
            let alert = bench_alert(ids.len());
            let response = http
                .post(format!("{url}/api/admin/alerts"))
                .bearer_auth(ADMIN_TOKEN)
                .json(&alert)
                .send()
                .await?;
            let body: serde_json::Value = response.error_for_status()?.json().await?;
            ids.push(body["id"].as_i64().context("alert id")?);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut tally = FanoutTally {
        started: ids.len(),
        completed: 0,
        delivered: 0,
        failed: 0,
        seconds,
    };
    for id in ids {
        let counts = storage.alert_delivery_counts(id).await?;
        tally.completed += usize::from(counts.queued == 0);
        tally.delivered += counts.delivered;
        tally.failed += counts.failed + counts.gone;
    }
    Ok(tally)
}

fn bench_alert(n: usize) -> serde_json::Value {
    serde_json::json!({
        "title": format!("Load test alert {n}"),
        "body": "The White House and the Kremlin announced the summit for Helsinki on July 16.",
    })
}
