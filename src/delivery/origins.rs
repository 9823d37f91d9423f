//! Per-push-service limits: how many pushes may be in flight to one origin, and origins paused
//! after they refused our VAPID credentials.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// Limits keyed by push-service origin.
pub struct Origins {
    per_origin: usize,
    pause: Duration,
    states: Mutex<HashMap<String, Arc<OriginState>>>,
    /// Notified when a full origin has room again.
    freed: Arc<Notify>,
}

struct OriginState {
    freed: Arc<Notify>,
    /// Claims stop for this origin while this many pushes are pending.
    cap: usize,
    permits: Arc<Semaphore>,
    /// Pushes accepted for this origin and not yet finished (sending or waiting for a permit).
    pending: AtomicUsize,
    paused_until: Mutex<Option<chrono::DateTime<chrono::Utc>>>,
}

/// Why a push cannot go to its origin now.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Paused until this time (Unix ms).
    Paused(i64),
    /// As many pushes pending as the origin may have: claimed in the same batch as others.
    Full,
}

/// A place in an origin's line; frees itself when dropped.
pub struct Slot {
    state: Arc<OriginState>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let before = self.state.pending.fetch_sub(1, Ordering::AcqRel);
        if before == self.state.cap {
            self.state.freed.notify_one();
        }
    }
}

impl Slot {
    /// Waits for one of the origin's in-flight permits.
    pub async fn permit(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.state.permits).acquire_owned().await.ok()
    }
}

impl Origins {
    pub fn new(per_origin: usize, pause: Duration) -> Self {
        Self {
            per_origin: per_origin.max(1),
            pause,
            states: Mutex::new(HashMap::new()),
            freed: Arc::new(Notify::new()),
        }
    }

    /// Resolves when a full origin has room again.
    pub async fn freed(&self) {
        self.freed.notified().await;
    }

    /// Origins not to claim deliveries for now: paused, or with twice their in-flight limit
    /// pending (so a hanging push service holds a bounded share of the global budget).
    pub fn excluded(&self) -> Vec<String> {
        let now = chrono::Utc::now();
        let states = self
            .states
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        states
            .iter()
            .filter(|(_, state)| {
                state.pending.load(Ordering::Acquire) >= state.cap
                    || state.paused_until().is_some_and(|until| until > now)
            })
            .map(|(origin, _)| origin.clone())
            .collect()
    }

    fn state(&self, origin: &str) -> Arc<OriginState> {
        let mut states = self
            .states
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(states.entry(origin.to_owned()).or_insert_with(|| {
            Arc::new(OriginState {
                freed: Arc::clone(&self.freed),
                cap: 2 * self.per_origin,
                permits: Arc::new(Semaphore::new(self.per_origin)),
                pending: AtomicUsize::new(0),
                paused_until: Mutex::new(None),
            })
        }))
    }

    /// A place for one push to `origin`, unless it is paused or full.
    pub fn reserve(&self, origin: &str) -> Result<Slot, Refusal> {
        let state = self.state(origin);
        if let Some(until) = state.paused_until()
            && until > chrono::Utc::now()
        {
            return Err(Refusal::Paused(until.timestamp_millis()));
        }
        let pending = state.pending.fetch_add(1, Ordering::AcqRel);
        let slot = Slot { state };
        if pending >= slot.state.cap {
            return Err(Refusal::Full);
        }
        Ok(slot)
    }

    /// Pauses `origin`; returns the end of the pause and whether this call started it.
    pub fn pause(&self, origin: &str) -> (i64, bool) {
        let state = self.state(origin);
        let mut paused = state
            .paused_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = chrono::Utc::now();
        match *paused {
            Some(until) if until > now => (until.timestamp_millis(), false),
            _ => {
                let until = now + self.pause;
                *paused = Some(until);
                (until.timestamp_millis(), true)
            }
        }
    }
}

impl OriginState {
    fn paused_until(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        *self
            .paused_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_origin_is_excluded_until_a_slot_frees() {
        let origins = Origins::new(2, Duration::from_secs(60));
        let slots: Vec<_> = (0..4)
            .map(|_| origins.reserve("https://a").expect("room"))
            .collect();
        assert_eq!(origins.excluded(), vec!["https://a".to_owned()]);
        let other = origins.reserve("https://b").expect("room");
        assert_eq!(
            origins.excluded(),
            vec!["https://a".to_owned()],
            "other origins are unaffected"
        );
        drop(slots);
        drop(other);
        assert!(origins.excluded().is_empty());
    }

    #[test]
    fn a_pause_is_started_once_and_refuses_until_it_ends() {
        let origins = Origins::new(2, Duration::from_secs(60));
        let (until, started) = origins.pause("https://a");
        assert!(started);
        assert!(
            !origins.pause("https://a").1,
            "already paused: not started again"
        );
        assert_eq!(
            origins.reserve("https://a").err(),
            Some(Refusal::Paused(until))
        );
        assert_eq!(origins.excluded(), vec!["https://a".to_owned()]);
        assert!(origins.reserve("https://b").is_ok());
    }
}
