//! The state every handler shares.

use std::sync::Arc;

use crate::auth::AdminToken;
use crate::config::Config;
use crate::domain::EndpointPolicy;
use crate::http::rate_limit::IpRateLimiter;
use crate::storage::Storage;
use crate::vapid::VapidKeys;

/// Cloned into each request; every field is cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub storage: Storage,
    /// The server's VAPID key pair; handlers only hand out the public half.
    pub vapid: VapidKeys,
    /// Which push endpoints subscriptions may use.
    pub endpoint_policy: Arc<EndpointPolicy>,
    /// Per-IP limit on subscribe requests; `None` when turned off.
    pub subscribe_limiter: Option<Arc<IpRateLimiter>>,
    /// Checks `Authorization: Bearer` tokens on admin routes.
    pub admin_token: AdminToken,
    /// Checks admin passwords at login, a few at a time, off the async threads.
    pub passwords: Arc<crate::accounts::PasswordChecker>,
    /// Failed-login limits per account and per client address.
    pub login_throttle: Arc<crate::accounts::LoginThrottle>,
    /// Queues and sends pushes; handlers only wake it.
    pub delivery: crate::delivery::DeliveryEngine,
    /// Tells the source scheduler about changed sources.
    pub sources: crate::sources::SchedulerHandle,
    /// Fetches sources on demand ("try it").
    pub fetcher: crate::sources::Fetcher,
    /// Subscribes feeds to their WebSub hubs and takes what the hubs push.
    pub websub: crate::sources::websub::WebSub,
    /// Runs stored documents through the stories' diff engines.
    pub pipeline: Arc<crate::pipeline::Pipeline>,
    /// Counters and histograms behind `GET /metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The configuration the server started with.
    pub config: Arc<Config>,
    /// The demo's live page, with `herald serve --demo`.
    pub demo: Option<crate::demo::Demo>,
}
