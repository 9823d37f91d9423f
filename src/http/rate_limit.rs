//! Per-client-IP rate limits (GCRA, via `governor`).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// A limiter keyed by client address. IPv6 clients are keyed by their /64, since one host
/// usually holds a whole /64 and could otherwise rotate addresses freely.
pub struct IpRateLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl IpRateLimiter {
    /// `None` when `per_minute` is 0 (limit turned off).
    pub fn per_minute(per_minute: u32) -> Option<Self> {
        let rate = NonZeroU32::new(per_minute)?;
        Some(Self {
            limiter: RateLimiter::keyed(Quota::per_minute(rate)),
        })
    }

    /// `Err(seconds to wait)` when `ip` is over its limit.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        self.limiter.check_key(&key(ip)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }

    /// Forgets clients whose budget has refilled, so memory stays bounded.
    pub fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// Middleware for the subscribe routes: runs before the body is read, so floods cost little.
pub async fn limit_subscribe(
    State(state): State<crate::state::AppState>,
    request: Request,
    next: Next,
) -> Response {
    let client = request.extensions().get::<ConnectInfo<SocketAddr>>();
    if let (Some(limiter), Some(ConnectInfo(addr))) = (&state.subscribe_limiter, client)
        && let Err(wait) = limiter.check(addr.ip())
    {
        return crate::error::ApiError::rate_limited(wait).into_response();
    }
    next.run(request).await
}

/// The address a client is known by: IPv4 as is, IPv6 by its /64.
pub fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_client_separately() {
        let limiter = IpRateLimiter::per_minute(2).expect("on");
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "10.0.0.2".parse().expect("ip");
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(a).is_ok());
        let wait = limiter.check(a).expect_err("third is over");
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(limiter.check(b).is_ok());
        assert!(IpRateLimiter::per_minute(0).is_none());
    }

    #[test]
    fn ipv6_clients_share_their_slash_64() {
        let limiter = IpRateLimiter::per_minute(1).expect("on");
        assert!(limiter.check("2001:db8::1".parse().expect("ip")).is_ok());
        assert!(
            limiter
                .check("2001:db8::ffff".parse().expect("ip"))
                .is_err()
        );
        assert!(
            limiter
                .check("2001:db8:0:1::1".parse().expect("ip"))
                .is_ok()
        );
    }
}
