//! The load generator: an open loop (requests start on a timer, whether or not earlier ones
//! answered), spread round-robin over client addresses 127.0.x.y.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;

use crate::domain::BASE64URL;

/// What the requests came back with.
#[derive(Debug, Default)]
pub struct Outcome {
    pub seconds: f64,
    pub latencies_ms: Vec<f64>,
    pub created: usize,
    pub rate_limited: usize,
    pub errors: usize,
}

/// `count` subscription bodies with real P-256 keys, made before the clock starts.
pub fn bodies(sink_url: &str, count: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| {
            let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
            let auth: [u8; 16] = rand::random();
            serde_json::to_vec(&serde_json::json!({
                "endpoint": format!("{sink_url}/push/load-{i}"),
                "expirationTime": null,
                "keys": {
                    "p256dh": BASE64URL.encode(secret.public_key().to_sec1_bytes()),
                    "auth": BASE64URL.encode(auth),
                },
            }))
            .unwrap_or_default()
        })
        .collect()
}

/// The `n`th client address: 127.0.0.2, 127.0.0.3, ... (127.0.0.1 is left to the rest).
fn address(n: u32) -> IpAddr {
    let host = n + 2;
    IpAddr::V4(Ipv4Addr::new(
        127,
        0,
        (host >> 8) as u8,
        (host & 0xff) as u8,
    ))
}

/// One HTTP client per source address, built before the clock starts.
pub fn clients(addresses: u32) -> anyhow::Result<Vec<reqwest::Client>> {
    Ok((0..addresses.max(1))
        .map(|n| {
            reqwest::Client::builder()
                .local_address(address(n))
                .timeout(Duration::from_secs(30))
                .build()
        })
        .collect::<Result<Vec<_>, _>>()?)
}

/// Sends every body at `rate` per second; returns when all have answered.
pub async fn drive(
    url: &str,
    clients: &[reqwest::Client],
    bodies: Vec<Vec<u8>>,
    rate: u32,
) -> Outcome {
    let started = Instant::now();
    let outcome = Arc::new(Mutex::new(Outcome::default()));
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate.max(1))));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = tokio::task::JoinSet::new();
    let endpoint = format!("{url}/api/subscriptions");
    for (i, body) in bodies.into_iter().enumerate() {
        tick.tick().await;
        let client = clients[i % clients.len()].clone();
        let endpoint = endpoint.clone();
        let outcome = Arc::clone(&outcome);
        tasks.spawn(async move {
            let started = Instant::now();
            let sent = client
                .post(endpoint)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let mut outcome = outcome
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            outcome.latencies_ms.push(ms);
            match sent.map(|r| r.status().as_u16()) {
                Ok(201 | 200) => outcome.created += 1,
                Ok(429) => outcome.rate_limited += 1,
                _ => outcome.errors += 1,
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let mut outcome = std::mem::take(
        &mut *outcome
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    outcome.seconds = started.elapsed().as_secs_f64();
    outcome
}
