//! When to try again: exponential backoff with jitter, `Retry-After`, and when to give up.

use std::time::Duration;

use rand::Rng;

/// The retry knobs from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max_delay: Duration,
    pub max_attempts: u32,
    pub max_age: Duration,
}

impl RetryPolicy {
    /// Delay before attempt `attempts + 1`, given `attempts` already made (≥ 1): "full jitter"
    /// between half and all of `base * 2^(attempts-1)`, capped, and never shorter than what
    /// the push service asked for with `Retry-After`.
    pub fn delay(&self, attempts: u32, retry_after: Option<Duration>) -> Duration {
        let exponent = attempts.saturating_sub(1).min(20);
        let ceiling = self.base.saturating_mul(1 << exponent).min(self.max_delay);
        let jittered = ceiling.mul_f64(rand::thread_rng().gen_range(0.5..=1.0));
        match retry_after {
            Some(asked) => jittered.max(asked),
            None => jittered,
        }
    }

    /// Whether another attempt is allowed after `attempts`, for an alert `age` old, if it would
    /// happen after `delay`.
    pub fn may_retry(&self, attempts: u32, age: Duration, delay: Duration) -> bool {
        attempts < self.max_attempts && age.saturating_add(delay) <= self.max_age
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            max_attempts: 5,
            max_age: Duration::from_secs(900),
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let p = policy();
        for attempts in 1..=10 {
            let ceiling = Duration::from_secs(1 << (attempts - 1)).min(Duration::from_secs(60));
            for _ in 0..20 {
                let delay = p.delay(attempts, None);
                assert!(
                    delay <= ceiling && delay >= ceiling / 2,
                    "{attempts}: {delay:?}"
                );
            }
        }
    }

    #[test]
    fn retry_after_is_a_floor() {
        let delay = policy().delay(1, Some(Duration::from_secs(30)));
        assert!(delay >= Duration::from_secs(30));
    }

    #[test]
    fn gives_up_on_attempts_or_age() {
        let p = policy();
        assert!(p.may_retry(4, Duration::ZERO, Duration::from_secs(1)));
        assert!(!p.may_retry(5, Duration::ZERO, Duration::from_secs(1)));
        assert!(!p.may_retry(1, Duration::from_secs(899), Duration::from_secs(2)));
    }
}
