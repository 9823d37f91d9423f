//! `herald bench latency`: how long a change takes to become a push, on this machine, through
//! the whole running server (fetch, storage, diff engine, alert, delivery).
//!
//! (a) From the moment a loopback news source first serves a changed page to the moment the
//! push reaches a loopback push service; the fetch is asked for directly, so the wait for the
//! next poll is not counted. (b) With WebSub: from the hub's POST of the changed feed to our
//! callback to the push's arrival. Each run raises an earthquake's toll, which the story's
//! diff engine must report; the page is a real-looking 10 KB article with all its chrome.

mod servers;

use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::app::Application;
use crate::config::{Config, Secret};
use crate::domain::{EndpointPolicy, SourceRequest};
use crate::engine::Story;
use crate::state::AppState;
use servers::{Hub, Source};

/// Longest wait for one push before the run counts as failed.
const PUSH_WAIT: Duration = Duration::from_secs(10);

/// One JSON line of results.
#[derive(Debug, Serialize)]
pub struct LatencyReport {
    pub runs: usize,
    /// A changed page, from the source's answer to the push.
    pub fetch: Summary,
    /// A WebSub content distribution, from the hub's POST to the push.
    pub websub: Summary,
    pub target_p50_ms: f64,
    pub target_p99_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl Summary {
    fn of(mut times: Vec<f64>) -> Self {
        times.sort_by(f64::total_cmp);
        let at = |q: f64| super::quantile(&times, q);
        Self {
            p50_ms: at(0.5),
            p99_ms: at(0.99),
            max_ms: at(1.0),
            mean_ms: times.iter().sum::<f64>() / times.len().max(1) as f64,
        }
    }
}

/// What the runs share: the server, its stand-ins, and the toll that rises every run.
struct Bench {
    state: AppState,
    source: Source,
    source_url: String,
    hub_url: String,
    pushes: mpsc::UnboundedReceiver<Instant>,
    toll: u64,
}

pub async fn run(runs: usize) -> anyhow::Result<LatencyReport> {
    let stop = CancellationToken::new();
    let (source, source_url) = Source::start(&stop).await?;
    let (hub, hub_url) = Hub::start(&stop).await?;
    let (pushes, sink_url) = servers::sink(&stop).await?;
    let dir = tempfile::tempdir().context("cannot create a temporary data directory")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let config = bench_config(dir.path(), &sink_url, &listener)?;
    let app = Application::with_listener(config, listener).await?;
    let state = app.state().clone();
    let server = tokio::spawn(app.run_until(stop.clone().cancelled_owned()));
    subscribe(&state, &sink_url).await?;
    let story = Story {
        name: "Earthquake".into(),
        keywords: vec!["earthquake".into()],
        thresholds: Some(serde_json::from_str(r#"{"max_alerts_per_hour": 0}"#)?),
        ..Story::default()
    };
    state
        .storage
        .insert_story(story.name.clone(), serde_json::to_string(&story)?)
        .await?;
    let mut bench = Bench {
        state,
        source,
        source_url,
        hub_url,
        pushes,
        toll: 10,
    };
    let fetch = bench.fetch_runs(runs).await?;
    let websub = bench.websub_runs(runs, &hub).await?;
    // Every push measured was an alert of its own run, and there were no others.
    let alerts = bench.state.storage.list_alerts(10_000).await?;
    anyhow::ensure!(
        alerts.len() == 2 * runs,
        "expected {} alerts, one per run, found {}",
        2 * runs,
        alerts.len()
    );
    stop.cancel();
    server.await??;
    Ok(LatencyReport {
        runs,
        fetch: Summary::of(fetch),
        websub: Summary::of(websub),
        target_p50_ms: 250.0,
        target_p99_ms: 1000.0,
    })
}

fn bench_config(
    dir: &std::path::Path,
    sink_url: &str,
    listener: &tokio::net::TcpListener,
) -> anyhow::Result<Config> {
    let mut config = Config {
        data_dir: dir.to_owned(),
        admin_token: Some(Secret::new("bench")),
        public_url: Some(format!("http://{}", listener.local_addr()?)),
        ..Config::default()
    };
    config.push.allowed_endpoints.push(format!("{sink_url}/"));
    config.push.subject = Some("mailto:bench@example.org".into());
    // One loopback host serves every fetch; politeness spacing would only slow the bench (it
    // is spent before the request, so it is not part of what is measured).
    config.fetch.host_spacing_ms = 0;
    Ok(config)
}

async fn subscribe(state: &AppState, sink_url: &str) -> anyhow::Result<()> {
    let policy = EndpointPolicy::from_config(&state.config.push).map_err(anyhow::Error::msg)?;
    let subscription = super::synthetic_request(sink_url, 0)
        .validate(&policy)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    state
        .storage
        .import_subscriptions(vec![subscription])
        .await?;
    Ok(())
}

impl Bench {
    /// Adds a source and fetches it once: the story's first document, or no news.
    async fn add_source(&self, name: &str, url: String, kind: &str) -> anyhow::Result<i64> {
        let source = SourceRequest {
            name: Some(name.into()),
            url: Some(url),
            kind: Some(kind.into()),
            schedule: Some("every 1h".into()),
            selector: None,
            json: None,
            paused: false,
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let id = self
            .state
            .storage
            .insert_source(source)
            .await?
            .context("the source exists")?;
        self.state.sources.run_now(id).await?;
        Ok(id)
    }

    async fn fetch_runs(&mut self, runs: usize) -> anyhow::Result<Vec<f64>> {
        self.source
            .set("/page", 0, "text/html; charset=utf-8", page(self.toll));
        let url = format!("{}/page", self.source_url);
        let id = self.add_source("Quake page", url, "page").await?;
        let mut times = Vec::with_capacity(runs);
        for run in 1..=runs {
            self.drain();
            self.toll += 1;
            let body = page(self.toll);
            self.source
                .set("/page", run as u64, "text/html; charset=utf-8", body);
            self.state.sources.run_now(id).await?;
            let arrived = self.next_push().await?;
            let served = self
                .source
                .served_at("/page")
                .context("the page was never served")?;
            times.push(ms(arrived - served));
        }
        Ok(times)
    }

    async fn websub_runs(&mut self, runs: usize, hub: &Hub) -> anyhow::Result<Vec<f64>> {
        let topic = format!("{}/feed.xml", self.source_url);
        let body = feed(&self.hub_url, &topic, self.toll);
        self.source.set("/feed.xml", 0, "application/rss+xml", body);
        self.add_source("Quake feed", topic.clone(), "feed").await?;
        let verified = tokio::time::timeout(Duration::from_secs(30), hub.subscriber()).await;
        let (callback, secret) = verified.context("the hub never verified a subscription")??;
        let mut times = Vec::with_capacity(runs);
        for run in 1..=runs {
            self.drain();
            self.toll += 1;
            let body = feed(&self.hub_url, &topic, self.toll);
            // The feed changes at its address, and its hub pushes the new version at once.
            let version = run as u64;
            self.source
                .set("/feed.xml", version, "application/rss+xml", body.clone());
            let sent = hub.publish(&callback, &secret, body).await?;
            let arrived = self.next_push().await?;
            times.push(ms(arrived - sent));
        }
        Ok(times)
    }

    async fn next_push(&mut self) -> anyhow::Result<Instant> {
        tokio::time::timeout(PUSH_WAIT, self.pushes.recv())
            .await
            .context("no push within 10 s")?
            .context("the sink stopped")
    }

    /// Forgets pushes nobody waited for, so that a run only sees its own.
    fn drain(&mut self) {
        while self.pushes.try_recv().is_ok() {}
    }
}

fn ms(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1000.0
}

/// A real-looking 10 KB news page (the demo's first page, with its chrome) whose lead now
/// reports the toll.
fn page(toll: u64) -> String {
    let html = String::from_utf8_lossy(crate::demo::STEPS[0].html);
    let news = format!(
        "<p>At least {toll} people were killed in the earthquake that struck the coast, officials \
         said, as rescue teams kept searching collapsed buildings.</p>"
    );
    let at = html
        .find("<article")
        .and_then(|article| html[article..].find("<p").map(|p| article + p))
        .unwrap_or(0);
    format!("{}{news}{}", &html[..at], &html[at..])
}

fn feed(hub: &str, topic: &str, toll: u64) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel>\
         <title>Quake wire</title><link>{topic}</link><description>Updates</description>\
         <atom:link rel=\"hub\" href=\"{hub}/hub\"/><atom:link rel=\"self\" href=\"{topic}\"/>\
         <item><guid>quake-toll</guid><title>Earthquake: toll rises to {toll}</title>\
         <description>At least {toll} people were killed in the earthquake that struck the coast, \
         officials said.</description></item></channel></rss>"
    )
}
