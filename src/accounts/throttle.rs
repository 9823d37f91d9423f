//! Failed-login limits per account and per client address, in memory.
//!
//! Only failures count. After `per_account` failures for one name, or `per_ip` from one
//! address, within the window, logins for that name or from that address are refused until
//! the oldest of those failures leaves the window. A success clears the account's failures
//! (not the address's). Every name is counted, known or not, so a refusal says nothing about
//! which names exist. An attempt counts as a failure from the moment it is let through, until
//! it succeeds: many attempts sent at once cannot slip past the limit while their passwords
//! are being checked. The state is lost on restart; the limits still bound guessing to a few
//! tries per window per process start, which only the operator controls.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Names or addresses tracked at most; past that, expired entries are dropped first and new
/// keys are not tracked until there is room (the other limit still applies).
const MAX_KEYS: usize = 50_000;

/// Longest part of a submitted name used as a key (valid names have at most 64 characters).
const MAX_NAME_CHARS: usize = 64;

/// Refused: try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled(pub Duration);

pub struct LoginThrottle {
    window: Duration,
    per_account: usize,
    per_ip: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    accounts: HashMap<String, VecDeque<Instant>>,
    ips: HashMap<IpAddr, VecDeque<Instant>>,
}

impl Default for LoginThrottle {
    /// 5 failures per account and 20 per address in 15 minutes.
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), 5, 20)
    }
}

impl LoginThrottle {
    pub fn new(window: Duration, per_account: usize, per_ip: usize) -> Self {
        Self {
            window,
            per_account: per_account.max(1),
            per_ip: per_ip.max(1),
            state: Mutex::new(State::default()),
        }
    }

    /// Lets a login attempt made at `now` through, counted as a failure until
    /// [`succeeded`](Self::succeeded) says otherwise; `Err` when the name or the address has
    /// used up its failures (the refused attempt is not counted).
    pub fn attempt(&self, name: &str, ip: IpAddr, now: Instant) -> Result<(), Throttled> {
        let mut state = self.lock();
        let name = key(name);
        let account = wait(
            state.accounts.get(&name),
            self.per_account,
            self.window,
            now,
        );
        let address = wait(state.ips.get(&ip), self.per_ip, self.window, now);
        if let Some(wait) = account.max(address) {
            return Err(Throttled(wait));
        }
        push(
            &mut state.accounts,
            name,
            self.per_account,
            self.window,
            now,
        );
        push(&mut state.ips, ip, self.per_ip, self.window, now);
        Ok(())
    }

    /// The attempt let through at `at` succeeded: the account's failures are cleared and the
    /// address's count goes back to what it was.
    pub fn succeeded(&self, name: &str, ip: IpAddr, at: Instant) {
        let mut state = self.lock();
        state.accounts.remove(&key(name));
        if let Some(failures) = state.ips.get_mut(&ip)
            && let Some(index) = failures.iter().position(|t| *t == at)
        {
            failures.remove(index);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Counters only: a panic elsewhere cannot leave them in a harmful state.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn key(name: &str) -> String {
    name.chars().take(MAX_NAME_CHARS).collect()
}

/// How long until `failures` drops below `limit`, if it is at the limit now.
fn wait(
    failures: Option<&VecDeque<Instant>>,
    limit: usize,
    window: Duration,
    now: Instant,
) -> Option<Duration> {
    let failures = failures?;
    let recent: Vec<&Instant> = failures
        .iter()
        .filter(|at| now.duration_since(**at) < window)
        .collect();
    if recent.len() < limit {
        return None;
    }
    let oldest = recent[recent.len() - limit];
    Some(window.saturating_sub(now.duration_since(*oldest)))
}

fn push<K: Hash + Eq>(
    map: &mut HashMap<K, VecDeque<Instant>>,
    key: K,
    limit: usize,
    window: Duration,
    now: Instant,
) {
    if map.len() >= MAX_KEYS && !map.contains_key(&key) {
        map.retain(|_, failures| {
            failures
                .back()
                .is_some_and(|at| now.duration_since(*at) < window)
        });
        if map.len() >= MAX_KEYS {
            return;
        }
    }
    let failures = map.entry(key).or_default();
    failures.retain(|at| now.duration_since(*at) < window);
    failures.push_back(now);
    while failures.len() > limit {
        failures.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn an_account_is_locked_after_its_failures_until_the_oldest_expires() {
        let throttle = LoginThrottle::new(15 * MINUTE, 3, 100);
        let start = Instant::now();
        for i in 0..3u8 {
            let at = start + MINUTE * u32::from(i);
            assert!(throttle.attempt("alice", ip(i), at).is_ok());
        }
        let now = start + 3 * MINUTE;
        assert_eq!(
            throttle.attempt("alice", ip(9), now),
            Err(Throttled(12 * MINUTE)),
            "locked from any address until the first failure is 15 minutes old"
        );
        assert_eq!(
            throttle.attempt("alice", ip(9), now + MINUTE),
            Err(Throttled(11 * MINUTE)),
            "refused attempts do not extend the lock"
        );
        assert!(throttle.attempt("bob", ip(9), now).is_ok());
        assert!(
            throttle
                .attempt("alice", ip(9), start + 15 * MINUTE)
                .is_ok()
        );
    }

    #[test]
    fn a_success_clears_the_account_but_not_the_address() {
        let throttle = LoginThrottle::new(15 * MINUTE, 2, 4);
        let start = Instant::now();
        assert!(throttle.attempt("alice", ip(1), start).is_ok());
        assert!(throttle.attempt("alice", ip(1), start).is_ok());
        assert!(throttle.attempt("alice", ip(2), start).is_err());
        let later = start + MINUTE;
        assert!(throttle.attempt("bob", ip(1), later).is_ok());
        throttle.succeeded("bob", ip(1), later);
        assert!(
            throttle.attempt("alice", ip(2), later).is_err(),
            "bob's success is his"
        );
        throttle.succeeded("alice", ip(2), later);
        assert!(throttle.attempt("alice", ip(2), later).is_ok());
        assert!(throttle.attempt("carol", ip(1), later).is_ok());
        assert!(throttle.attempt("erin", ip(1), later).is_ok());
        assert_eq!(
            throttle.attempt("dave", ip(1), later),
            Err(Throttled(14 * MINUTE)),
            "the address has four failures: two for alice, carol's and erin's"
        );
    }

    #[test]
    fn long_names_share_a_bounded_key() {
        let throttle = LoginThrottle::new(MINUTE, 1, 100);
        let now = Instant::now();
        assert!(throttle.attempt(&"x".repeat(10_000), ip(1), now).is_ok());
        assert!(throttle.attempt(&"x".repeat(70), ip(1), now).is_err());
        assert!(throttle.lock().accounts.keys().all(|k| k.len() <= 64));
    }
}
