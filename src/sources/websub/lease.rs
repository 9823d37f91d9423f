//! When to (re-)subscribe: new hubs at once, leases before they run out, unverified requests
//! after an hour, refusals with a growing backoff of at least an hour. Pure, so a fixed clock
//! tests it.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::storage::{HubRecord, HubState};

/// The lease we ask hubs for.
pub const REQUESTED_LEASE: Duration = Duration::from_secs(86_400);

/// A request the hub accepted but never verified is sent again after this long.
const PENDING_TIMEOUT: Duration = Duration::from_secs(3_600);

/// The least and the most time between two attempts after failures.
const RETRY_MIN: Duration = Duration::from_secs(3_600);
const RETRY_MAX: Duration = Duration::from_secs(86_400);

/// Whether `record` needs a subscribe request at `now`.
pub fn due(record: &HubRecord, now: DateTime<Utc>) -> bool {
    if record.paused {
        return false;
    }
    let now_ms = now.timestamp_millis();
    let since_attempt = |wait: Duration| {
        record
            .attempt_at
            .is_none_or(|at| now_ms - at >= millis(wait))
    };
    match record.state {
        None => true,
        Some(HubState::Pending) => since_attempt(PENDING_TIMEOUT),
        Some(HubState::Failed) => since_attempt(retry_delay(record.failures)),
        Some(HubState::Active) => match record.lease_until {
            None => true,
            Some(until) => until - now_ms <= renew_margin(record.attempt_at, until),
        },
    }
}

/// How long before the lease ends to renew: a tenth of the lease, at least an hour, but never
/// more than half of it (so a short lease is not renewed on every pass).
fn renew_margin(attempt_at: Option<i64>, lease_until: i64) -> i64 {
    // The lease starts when the hub verifies, moments after our request.
    let lease = attempt_at
        .map(|at| lease_until - at)
        .filter(|lease| *lease > 0)
        .unwrap_or(millis(REQUESTED_LEASE));
    (lease / 10)
        .max(millis(Duration::from_secs(3_600)))
        .min(lease / 2)
}

/// An hour after the first failure, doubling per failure in a row, at most a day.
fn retry_delay(failures: u32) -> Duration {
    RETRY_MIN
        .saturating_mul(1 << failures.saturating_sub(1).min(5))
        .min(RETRY_MAX)
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_700_000_000_000).expect("valid")
    }

    fn record(state: Option<HubState>) -> HubRecord {
        HubRecord {
            source_id: 1,
            paused: false,
            hub_url: "https://hub.example.org/".into(),
            topic: "https://news.example.org/feed.xml".into(),
            secret: None,
            state,
            lease_until: None,
            attempt_at: None,
            failures: 0,
        }
    }

    fn at(offset_ms: i64) -> Option<i64> {
        Some(now().timestamp_millis() + offset_ms)
    }

    #[test]
    fn a_new_hub_is_subscribed_at_once_unless_paused() {
        assert!(due(&record(None), now()));
        let paused = HubRecord {
            paused: true,
            ..record(None)
        };
        assert!(!due(&paused, now()));
    }

    #[test]
    fn a_day_lease_is_renewed_in_its_last_tenth() {
        let active = |left_ms: i64| HubRecord {
            attempt_at: at(left_ms - 24 * HOUR),
            lease_until: at(left_ms),
            ..record(Some(HubState::Active))
        };
        assert!(!due(&active(3 * HOUR), now()));
        assert!(due(&active(24 * HOUR / 10), now()));
        assert!(due(&active(HOUR), now()));
        assert!(due(&active(-HOUR), now()), "an expired lease is renewed");
    }

    #[test]
    fn long_and_short_leases_keep_sensible_margins() {
        // Ten days: renewed a day before the end.
        let long = HubRecord {
            attempt_at: at(-9 * 24 * HOUR + 1),
            lease_until: at(24 * HOUR + 1),
            ..record(Some(HubState::Active))
        };
        assert!(!due(&long, now()));
        // Thirty minutes: the one-hour floor would renew at once; half the lease is used.
        let short = |left_ms: i64| HubRecord {
            attempt_at: at(left_ms - HOUR / 2),
            lease_until: at(left_ms),
            ..record(Some(HubState::Active))
        };
        assert!(!due(&short(HOUR / 4 + 1), now()));
        assert!(due(&short(HOUR / 4), now()));
    }

    #[test]
    fn an_unverified_request_is_sent_again_after_an_hour() {
        let pending = |ago_ms: i64| HubRecord {
            attempt_at: at(-ago_ms),
            ..record(Some(HubState::Pending))
        };
        assert!(!due(&pending(HOUR - 1), now()));
        assert!(due(&pending(HOUR), now()));
    }

    #[test]
    fn failures_back_off_from_an_hour_to_a_day() {
        let failed = |failures: u32, ago_ms: i64| HubRecord {
            attempt_at: at(-ago_ms),
            failures,
            ..record(Some(HubState::Failed))
        };
        assert!(!due(&failed(1, HOUR - 1), now()));
        assert!(due(&failed(1, HOUR), now()));
        assert!(!due(&failed(3, 4 * HOUR - 1), now()));
        assert!(due(&failed(3, 4 * HOUR), now()));
        assert!(!due(&failed(30, 24 * HOUR - 1), now()));
        assert!(due(&failed(30, 24 * HOUR), now()));
    }
}
