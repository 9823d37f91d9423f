//! The admin dashboard's figures: subscribers by topic, alerts, deliveries, source health.

use rusqlite::{Connection, params};
use serde::Serialize;

use super::{Storage, StorageError};

/// Everything the dashboard shows, counted in one read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DashboardCounts {
    pub subscribers: SubscriberCounts,
    pub alerts: AlertCounts,
    pub deliveries: DeliveryTotals,
    pub sources: SourceHealth,
    pub stories: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SubscriberCounts {
    pub total: u64,
    /// Subscriptions that picked no topic and so get every alert.
    pub all_topics: u64,
    /// `(topic, subscriptions)`, most subscribed first.
    pub by_topic: Vec<TopicCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicCount {
    pub topic: String,
    pub count: u64,
}

/// Public alerts created since the dashboard's start of day.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AlertCounts {
    pub today: u64,
    /// Of those, the ones the diff engine sent (the rest were written by an editor).
    pub from_stories: u64,
}

/// Deliveries of alerts created since the window's start, by state.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeliveryTotals {
    pub queued: u64,
    pub delivered: u64,
    pub failed: u64,
    pub gone: u64,
}

/// Sources by health: paused ones apart, the others by their last fetch.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceHealth {
    pub total: u64,
    /// Last fetch succeeded.
    pub ok: u64,
    /// Last fetch failed (one or more failures in a row).
    pub failing: u64,
    pub paused: u64,
    /// Not fetched yet.
    pub new: u64,
}

impl Storage {
    /// The dashboard's figures: alerts since `day_start`, deliveries of alerts since
    /// `window_start` (both Unix ms).
    pub async fn dashboard_counts(
        &self,
        day_start: i64,
        window_start: i64,
    ) -> Result<DashboardCounts, StorageError> {
        self.read(move |conn| {
            Ok(DashboardCounts {
                subscribers: subscriber_counts(conn)?,
                alerts: alert_counts(conn, day_start)?,
                deliveries: delivery_totals(conn, window_start)?,
                sources: source_health(conn)?,
                stories: conn.query_row("SELECT count(*) FROM stories", [], |row| row.get(0))?,
            })
        })
        .await
    }
}

fn subscriber_counts(conn: &Connection) -> Result<SubscriberCounts, StorageError> {
    let (total, all_topics) = conn.query_row(
        "SELECT count(*), coalesce(sum(NOT EXISTS
            (SELECT 1 FROM subscription_topics t WHERE t.subscription_id = s.id)), 0)
         FROM subscriptions s",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT topic, count(*) AS n FROM subscription_topics GROUP BY topic
         ORDER BY n DESC, topic",
    )?;
    let by_topic = stmt
        .query_map([], |row| {
            Ok(TopicCount {
                topic: row.get(0)?,
                count: row.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(SubscriberCounts {
        total,
        all_topics,
        by_topic,
    })
}

fn alert_counts(conn: &Connection, since: i64) -> Result<AlertCounts, StorageError> {
    Ok(conn.query_row(
        "SELECT count(*), coalesce(sum(story_id IS NOT NULL), 0) FROM alerts
         WHERE public = 1 AND created_at >= ?1",
        params![since],
        |row| {
            Ok(AlertCounts {
                today: row.get(0)?,
                from_stories: row.get(1)?,
            })
        },
    )?)
}

fn delivery_totals(conn: &Connection, since: i64) -> Result<DeliveryTotals, StorageError> {
    let mut totals = DeliveryTotals::default();
    let mut stmt = conn.prepare_cached(
        "SELECT d.state, count(*) FROM deliveries d JOIN alerts a ON a.id = d.alert_id
         WHERE a.created_at >= ?1 GROUP BY d.state",
    )?;
    let rows = stmt.query_map(params![since], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, u64>(1)?))
    })?;
    for row in rows {
        let (state, n) = row?;
        match state.as_str() {
            "queued" => totals.queued = n,
            "delivered" => totals.delivered = n,
            "failed" => totals.failed = n,
            _ => totals.gone += n,
        }
    }
    Ok(totals)
}

fn source_health(conn: &Connection) -> Result<SourceHealth, StorageError> {
    Ok(conn.query_row(
        "SELECT count(*),
            coalesce(sum(paused = 0 AND last_fetch_at IS NOT NULL AND consecutive_failures = 0), 0),
            coalesce(sum(paused = 0 AND consecutive_failures > 0), 0),
            coalesce(sum(paused = 1), 0),
            coalesce(sum(paused = 0 AND last_fetch_at IS NULL AND consecutive_failures = 0), 0)
         FROM sources",
        [],
        |row| {
            Ok(SourceHealth {
                total: row.get(0)?,
                ok: row.get(1)?,
                failing: row.get(2)?,
                paused: row.get(3)?,
                new: row.get(4)?,
            })
        },
    )?)
}
