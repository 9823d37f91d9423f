//! Prometheus metrics: pushes by result and origin, send latency, queue depth, subscribers.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PushLabels {
    pub origin: String,
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OriginLabel {
    pub origin: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TopicLabel {
    pub topic: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// Every metric Herald exports; cheap to share behind an `Arc`.
pub struct Metrics {
    registry: Registry,
    pub pushes: Family<PushLabels, Counter>,
    pub send_seconds: Family<OriginLabel, Histogram, fn() -> Histogram>,
    pub queue_depth: Gauge,
    pub subscriptions: Family<TopicLabel, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("herald");
        let pushes = Family::<PushLabels, Counter>::default();
        registry.register(
            "pushes",
            "Push attempts by result and push-service origin",
            pushes.clone(),
        );
        let send_seconds =
            Family::<OriginLabel, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "push_send_seconds",
            "Time for a push service to answer",
            send_seconds.clone(),
        );
        let queue_depth = Gauge::default();
        registry.register(
            "delivery_queue_depth",
            "Deliveries waiting to be sent",
            queue_depth.clone(),
        );
        let subscriptions = Family::<TopicLabel, Gauge>::default();
        registry.register(
            "subscriptions",
            "Subscriptions by topic (\"*\": no topic, gets everything; \"all\": total)",
            subscriptions.clone(),
        );
        Self {
            registry,
            pushes,
            send_seconds,
            queue_depth,
            subscriptions,
        }
    }
}

impl Metrics {
    pub fn count_push(&self, origin: &str, result: &'static str) {
        self.pushes
            .get_or_create(&PushLabels {
                origin: origin.to_owned(),
                result,
            })
            .inc();
    }

    pub fn observe_send(&self, origin: &str, seconds: f64) {
        self.send_seconds
            .get_or_create(&OriginLabel {
                origin: origin.to_owned(),
            })
            .observe(seconds);
    }

    /// Sets the gauges read from the database, then renders everything as Prometheus text.
    pub fn render(&self, queue_depth: u64, subscriptions: &[(String, u64)]) -> String {
        self.queue_depth
            .set(i64::try_from(queue_depth).unwrap_or(i64::MAX));
        self.subscriptions.clear();
        for (topic, count) in subscriptions {
            self.subscriptions
                .get_or_create(&TopicLabel {
                    topic: topic.clone(),
                })
                .set(i64::try_from(*count).unwrap_or(i64::MAX));
        }
        let mut text = String::new();
        if let Err(err) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(error = %err, "cannot render metrics");
        }
        text
    }
}
