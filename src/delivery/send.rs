//! Sending one push over the shared HTTP client, and what its answer means.

use std::time::Duration;

use anyhow::Context;

use super::crypto::PreparedPush;
use crate::config::DeliveryConfig;
use crate::retry_after::parse_retry_after;

/// One shared client: pooled keep-alive connections, HTTP/2 where the push service offers it
/// (ALPN), connect and request timeouts, no redirects (a push service never redirects, and
/// following one would let an endpoint send us elsewhere).
#[derive(Clone)]
pub struct PushClient {
    http: reqwest::Client,
}

/// What the push service did with one push.
#[derive(Debug, Clone, PartialEq)]
pub enum SendResult {
    Answered {
        status: u16,
        retry_after: Option<Duration>,
        too_large: bool,
    },
    Timeout,
    Connection(String),
}

/// What to do about it.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Delivered,
    /// 404/410: the subscription is gone for good.
    Gone,
    /// 413 (or FCM's 400 for oversize): send the short form once.
    Shorten,
    /// 429, 5xx, timeouts, connection errors.
    Retry {
        retry_after: Option<Duration>,
        reason: String,
    },
    /// 401/403: our VAPID credentials are refused by this push service.
    PauseOrigin,
    Failed {
        reason: String,
    },
}

impl PushClient {
    pub fn new(config: &DeliveryConfig) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("Herald/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(config.connect_timeout_seconds))
            .timeout(Duration::from_secs(config.request_timeout_seconds))
            .pool_max_idle_per_host(config.per_origin_concurrency as usize)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(path) = &config.extra_ca_cert {
            let pem =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .with_context(|| format!("{} is not a PEM certificate", path.display()))?;
            builder = builder.add_root_certificate(cert);
        }
        Ok(Self {
            http: builder.build().context("cannot build the HTTP client")?,
        })
    }

    pub async fn send(&self, push: &PreparedPush) -> SendResult {
        let mut request = self.http.post(&push.endpoint).body(push.body.clone());
        for (name, value) in &push.headers {
            request = request.header(*name, value);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
                let too_large = status == 413 || (status == 400 && says_too_large(response).await);
                SendResult::Answered {
                    status,
                    retry_after,
                    too_large,
                }
            }
            Err(err) if err.is_timeout() => SendResult::Timeout,
            Err(err) => SendResult::Connection(error_chain(&err)),
        }
    }
}

/// FCM answers an oversize payload with 400 and a message saying so.
async fn says_too_large(response: reqwest::Response) -> bool {
    let Ok(body) = response.text().await else {
        return false;
    };
    let body = body.to_ascii_lowercase();
    ["too large", "too big", "exceeds", "payload size"]
        .iter()
        .any(|p| body.contains(p))
}

/// The error and its causes, without the URL (endpoints never reach the logs).
fn error_chain(err: &reqwest::Error) -> String {
    let mut text = if err.is_connect() {
        "connection failed"
    } else {
        "request failed"
    }
    .to_owned();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

pub fn classify(result: &SendResult) -> Verdict {
    match result {
        SendResult::Answered { status, .. } if (200..300).contains(status) => Verdict::Delivered,
        SendResult::Answered {
            status: 404 | 410, ..
        } => Verdict::Gone,
        SendResult::Answered {
            too_large: true, ..
        } => Verdict::Shorten,
        SendResult::Answered {
            status: 401 | 403, ..
        } => Verdict::PauseOrigin,
        SendResult::Answered {
            status,
            retry_after,
            ..
        } if *status == 429 || *status >= 500 => Verdict::Retry {
            retry_after: *retry_after,
            reason: format!("HTTP {status}"),
        },
        SendResult::Answered { status, .. } => Verdict::Failed {
            reason: format!("HTTP {status}"),
        },
        SendResult::Timeout => Verdict::Retry {
            retry_after: None,
            reason: "timeout".into(),
        },
        SendResult::Connection(reason) => Verdict::Retry {
            retry_after: None,
            reason: reason.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(status: u16) -> SendResult {
        SendResult::Answered {
            status,
            retry_after: None,
            too_large: status == 413,
        }
    }

    #[test]
    fn each_response_class_has_its_verdict() {
        assert_eq!(classify(&answered(201)), Verdict::Delivered);
        assert_eq!(classify(&answered(202)), Verdict::Delivered);
        assert_eq!(classify(&answered(404)), Verdict::Gone);
        assert_eq!(classify(&answered(410)), Verdict::Gone);
        assert_eq!(classify(&answered(413)), Verdict::Shorten);
        assert_eq!(classify(&answered(401)), Verdict::PauseOrigin);
        assert_eq!(classify(&answered(403)), Verdict::PauseOrigin);
        assert!(matches!(classify(&answered(429)), Verdict::Retry { .. }));
        assert!(matches!(classify(&answered(503)), Verdict::Retry { .. }));
        assert!(matches!(classify(&answered(400)), Verdict::Failed { .. }));
        assert!(matches!(
            classify(&SendResult::Timeout),
            Verdict::Retry { .. }
        ));
        let oversize = SendResult::Answered {
            status: 400,
            retry_after: None,
            too_large: true,
        };
        assert_eq!(classify(&oversize), Verdict::Shorten);
    }
}
