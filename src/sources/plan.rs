//! The scheduler's plan: when each source runs next, after a reload, a fetch, a failure or a
//! `Retry-After`. Pure: no I/O.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use tokio_util::sync::CancellationToken;

use super::{FetchError, SourceError, Target};
use crate::domain::{Schedule, SourceKind};
use crate::storage::SourceRecord;

const MAX_BACKOFF: Duration = Duration::from_secs(3600);

pub(super) struct Planned {
    pub record: SourceRecord,
    pub schedule: Option<Schedule>,
    pub next: DateTime<Utc>,
    pub running: Option<CancellationToken>,
}

/// Brings the plan in line with the stored sources: new ones planned, removed or paused ones
/// stopped at once, changed schedules re-planned.
pub(super) fn replan(plan: &mut HashMap<i64, Planned>, records: Vec<SourceRecord>) {
    let now = Utc::now();
    let mut fresh = HashMap::with_capacity(records.len());
    for record in records {
        let previous = plan.remove(&record.id);
        let schedule = Schedule::parse(&record.schedule).ok();
        let same = previous
            .as_ref()
            .is_some_and(|p| p.record.schedule == record.schedule && p.record.url == record.url);
        let (next, running) = match previous {
            Some(p) if same => (p.next, p.running),
            Some(p) => {
                if let Some(running) = p.running {
                    running.cancel();
                }
                (first_run(&record, schedule.as_ref(), now), None)
            }
            None => (first_run(&record, schedule.as_ref(), now), None),
        };
        if record.paused
            && let Some(running) = &running
        {
            running.cancel();
        }
        let running = if record.paused { None } else { running };
        fresh.insert(
            record.id,
            Planned {
                record,
                schedule,
                next,
                running,
            },
        );
    }
    for gone in plan.values() {
        if let Some(running) = &gone.running {
            running.cancel();
        }
    }
    *plan = fresh;
}

pub(super) fn first_run(
    record: &SourceRecord,
    schedule: Option<&Schedule>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    match record.next_run_at.and_then(DateTime::from_timestamp_millis) {
        Some(stored) if stored > now => stored,
        // Never fetched, or the planned time passed while we were down: now, with jitter.
        _ => now + jitter(schedule),
    }
}

pub(super) fn finish(plan: &mut HashMap<i64, Planned>, id: i64, next: Option<i64>) {
    if let Some(planned) = plan.get_mut(&id) {
        planned.running = None;
        let fallback = || {
            let schedule = planned.schedule.as_ref();
            schedule
                .and_then(|s| s.next_after(Utc::now()))
                .unwrap_or_else(|| Utc::now() + MAX_BACKOFF)
        };
        planned.next = next
            .and_then(DateTime::from_timestamp_millis)
            .unwrap_or_else(fallback);
    }
}

/// The next run after a fetch: the schedule's next tick from now (missed ticks are skipped),
/// pushed back after failures and never before a `Retry-After`.
pub(super) fn next_run(
    record: &SourceRecord,
    result: &Result<Option<super::FreshBody>, SourceError>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let schedule = Schedule::parse(&record.schedule).ok()?;
    let mut next = schedule.next_after(now)? + jitter(Some(&schedule));
    if let Err(err) = result {
        let failures = record.consecutive_failures + 1;
        let backoff = Duration::from_secs(30)
            .saturating_mul(1 << failures.min(12))
            .min(MAX_BACKOFF);
        next = next.max(now + backoff.min(schedule.period().max(Duration::from_secs(30)) * 8));
        if let SourceError::Fetch(FetchError::RetryLater { after, .. }) = err {
            next = next.max(now + *after);
        }
    }
    Some(next)
}

/// Up to a tenth of the period, at most 30 s, so sources on one schedule do not fire at once.
pub(super) fn jitter(schedule: Option<&Schedule>) -> chrono::Duration {
    let period = schedule.map_or(Duration::from_secs(60), Schedule::period);
    let max_ms = (period.as_millis() / 10).min(30_000) as i64;
    chrono::Duration::milliseconds(if max_ms > 0 {
        rand::thread_rng().gen_range(0..=max_ms)
    } else {
        0
    })
}

pub(super) fn target_of(record: &SourceRecord) -> Option<Target> {
    Some(Target {
        url: url::Url::parse(&record.url).ok()?,
        kind: SourceKind::parse(&record.kind).ok()?,
        selector: record.selector.clone(),
        json: record.json.clone(),
    })
}
