//! Validated domain types. Request bodies become these at the edge; nothing past a handler
//! sees a raw endpoint string or unchecked key bytes.

mod admin;
mod alert;
mod document;
mod endpoint;
mod schedule;
mod source;
mod subject;
mod subscription;
mod topic;

pub use admin::{AdminName, NewPassword, TOKEN_ACTOR};
pub use alert::{ManualAlertRequest, NewAlert, check_link};
pub use document::{Document, paragraphs};
pub use endpoint::{EndpointPolicy, PushEndpoint};
pub use schedule::Schedule;
pub use source::{JsonFields, NewSource, SourceKind, SourceRequest, check_source_url};
pub use subject::PushSubject;
pub use subscription::{BASE64URL, NewSubscription, SubscriptionKeys, SubscriptionRequest};
pub use topic::Topic;

/// A validation failure with a stable code for the API envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<Invalid> for crate::error::ApiError {
    fn from(err: Invalid) -> Self {
        Self::bad_request(err.code, err.message)
    }
}
