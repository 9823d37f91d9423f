//! `herald bench`: measurements that live outside the test suite.

mod ceilings;
pub mod engine;
pub mod fanout;
pub mod latency;
pub mod load;
pub mod pages;
mod process;
pub mod sink;
pub mod sources;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use anyhow::Context;
use base64::Engine;

use crate::domain::{BASE64URL, SubscriptionRequest};

/// Starts `herald bench sink` as a child process (so its CPU is not counted as ours).
/// The `q` quantile (0..=1) of `sorted` (ascending), nearest rank; 0 when empty.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn spawn_sink() -> anyhow::Result<(Child, String)> {
    let exe = std::env::current_exe().context("cannot find the herald binary")?;
    let mut child = Command::new(exe)
        .args(["bench", "sink", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start the benchmark sink")?;
    let stdout = child.stdout.take().context("sink has no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .context("sink did not print its address")?;
    Ok((child, format!("http://{}", line.trim())))
}

/// A subscription with a real P-256 key, as a browser would send it.
fn synthetic_request(sink_url: &str, i: usize) -> SubscriptionRequest {
    let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let auth: [u8; 16] = rand::random();
    serde_json::from_value(serde_json::json!({
        "endpoint": format!("{sink_url}/push/{i}"),
        "keys": {
            "p256dh": BASE64URL.encode(secret.public_key().to_sec1_bytes()),
            "auth": BASE64URL.encode(auth),
        }
    }))
    .expect("a well-formed subscription")
}
