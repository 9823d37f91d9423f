//! Per-host politeness: a few fetches at once per host, and a least gap between them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

pub struct HostGate {
    per_host: usize,
    spacing: Duration,
    hosts: Mutex<HashMap<String, Host>>,
}

struct Host {
    permits: Arc<Semaphore>,
    /// When the next request to this host may start.
    next_start: Instant,
}

impl HostGate {
    pub fn new(per_host: usize, spacing: Duration) -> Self {
        Self {
            per_host: per_host.max(1),
            spacing,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a turn at `host`; hold the permit for the length of the request.
    pub async fn enter(&self, host: &str) -> Option<OwnedSemaphorePermit> {
        let permits = {
            let mut hosts = self.lock();
            let entry = hosts.entry(host.to_owned()).or_insert_with(|| Host {
                permits: Arc::new(Semaphore::new(self.per_host)),
                next_start: Instant::now(),
            });
            Arc::clone(&entry.permits)
        };
        let permit = permits.acquire_owned().await.ok()?;
        let start = {
            let mut hosts = self.lock();
            let entry = hosts.get_mut(host)?;
            let start = entry.next_start.max(Instant::now());
            entry.next_start = start + self.spacing;
            start
        };
        tokio::time::sleep_until(start).await;
        Some(permit)
    }

    /// Forgets hosts nobody is fetching from, so the map stays small.
    pub fn prune(&self) {
        let now = Instant::now();
        self.lock().retain(|_, host| {
            host.next_start > now || host.permits.available_permits() < self.per_host
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Host>> {
        self.hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_to_one_host_are_spaced() {
        let gate = HostGate::new(4, Duration::from_millis(500));
        let started = Instant::now();
        let _a = gate.enter("a.example").await;
        let _b = gate.enter("a.example").await;
        assert!(started.elapsed() >= Duration::from_millis(500));
        let before = Instant::now();
        let _c = gate.enter("b.example").await;
        assert!(
            before.elapsed() < Duration::from_millis(10),
            "other hosts do not wait"
        );
    }
}
