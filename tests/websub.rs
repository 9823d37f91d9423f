//! WebSub end to end: a feed that advertises a hub, the hub stand-in verifying and publishing
//! to the real server's callback, leases, refusals and unsubscribing.

mod common;
mod support;

use std::sync::Arc;

use chrono::{Duration, Utc};
use common::{ADMIN_TOKEN, TestServer};
use herald::config::{Config, FetchConfig};
use herald::domain::SourceRequest;
use herald::sources::websub::{Maintained, WebSub};
use herald::sources::{RunOutcome, SchedulerHandle, SourceScheduler};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::hub::{GRANTED_LEASE, Hub, Signing};
use support::news_source::NewsSource;

/// The feed's `rel="self"` link: the topic, deliberately not the URL it is fetched from.
const TOPIC: &str = "https://news.example.org/wire.atom";

fn atom(hub: &str, entries: &[(&str, &str)]) -> String {
    let entries: String = entries
        .iter()
        .map(|(id, title)| {
            format!(
                "<entry><id>urn:{id}</id><title>{title}</title><updated>2018-06-28T10:00:00Z</updated>\
                 <link href=\"https://news.example.org/{id}\"/><summary>{title}.</summary></entry>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>Wire</title><id>urn:wire</id><updated>2018-06-28T10:00:00Z</updated>\
         <link rel=\"hub\" href=\"{hub}\"/><link rel=\"self\" href=\"{TOPIC}\"/>{entries}</feed>"
    )
}

/// The server, a feed advertising the hub, and a scheduler and subscriber driven step by step.
struct World {
    server: TestServer,
    news: NewsSource,
    hub: Hub,
    scheduler: Arc<SourceScheduler>,
    websub: WebSub,
    id: i64,
}

impl World {
    async fn start() -> Self {
        let hub = Hub::start().await;
        let news = NewsSource::start().await;
        news.set_body(
            "feed.atom",
            "application/atom+xml",
            atom(hub.url(), &[("a", "Summit agreed")]),
        );
        let server = TestServer::start().await;
        // Stored directly rather than through the admin API, so the server's own scheduler
        // (which only re-reads sources when told or every few minutes) leaves it to this test.
        let request: SourceRequest = serde_json::from_value(json!({
            "name": "Wire", "url": news.url("feed.atom"), "kind": "feed", "schedule": "every 1h"
        }))
        .expect("request");
        let source = request.validate().expect("valid source");
        let id = server
            .storage
            .insert_source(source)
            .await
            .expect("insert")
            .expect("new source");
        let fetch = FetchConfig {
            host_spacing_ms: 0,
            timeout_seconds: 10,
            ..FetchConfig::default()
        };
        let scheduler =
            SourceScheduler::new(server.storage.clone(), &fetch, SchedulerHandle::default())
                .expect("scheduler");
        let config = Config {
            public_url: Some(server.url.clone()),
            ..Config::default()
        };
        let websub = WebSub::new(&config, server.storage.clone(), SchedulerHandle::default())
            .expect("websub");
        Self {
            server,
            news,
            hub,
            scheduler,
            websub,
            id,
        }
    }

    /// Started, fetched once, subscribed and verified.
    async fn subscribed() -> Self {
        let world = Self::start().await;
        world.scheduler.run_once(world.id).await.expect("run");
        let done = world.websub.maintain_once(Utc::now()).await.expect("pass");
        assert_eq!(done.subscribed, 1);
        let verified = world.hub.verifications(1).await;
        assert!(verified[0].echoed, "{verified:?}");
        world
    }

    fn callback(&self) -> String {
        format!("{}/websub/{}", self.server.url, self.id)
    }

    async fn source(&self) -> Value {
        let response = self
            .server
            .client()
            .get(format!("{}/api/admin/sources/{}", self.server.url, self.id))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("request");
        response.json().await.expect("json")
    }

    /// Item keys of the stored document versions, oldest first.
    fn stored_items(&self) -> Vec<String> {
        let conn = rusqlite::Connection::open(self.server.data_dir.path().join("herald.db"))
            .expect("open the database");
        let mut stmt = conn
            .prepare("SELECT item_key FROM documents WHERE source_id = ?1 ORDER BY id")
            .expect("prepare");
        stmt.query_map([self.id], |row| row.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_with_a_hub_is_subscribed_verified_and_still_polled() {
    let world = World::start().await;
    world.scheduler.run_once(world.id).await.expect("run");
    let source = world.source().await;
    assert_eq!(source["hub_url"], world.hub.url());
    assert_eq!(source["hub_state"], Value::Null);

    // Nothing asked yet: a verification is refused.
    let (status, _) = world
        .hub
        .challenge(&world.callback(), "subscribe", TOPIC)
        .await;
    assert_eq!(status, 404);

    let before = Utc::now();
    let done = world.websub.maintain_once(Utc::now()).await.expect("pass");
    assert_eq!(
        done,
        Maintained {
            subscribed: 1,
            ..Maintained::default()
        }
    );
    let requests = world.hub.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].mode, "subscribe");
    assert_eq!(requests[0].topic, TOPIC, "the self link is the topic");
    assert_eq!(requests[0].callback, world.callback());
    assert_eq!(requests[0].lease_seconds.as_deref(), Some("86400"));
    assert!(requests[0].secret.as_ref().is_some_and(|s| s.len() >= 32));

    let verified = world.hub.verifications(1).await;
    assert_eq!((verified[0].status, verified[0].echoed), (200, true));
    let source = world.source().await;
    assert_eq!(source["hub_state"], "active");
    let lease_until = source["hub_lease_until"].as_i64().expect("lease");
    let granted = (before + Duration::seconds(GRANTED_LEASE as i64)).timestamp_millis();
    assert!(
        (granted..granted + 60_000).contains(&lease_until),
        "{lease_until} vs {granted}"
    );

    // Nothing is due while the lease runs; polling goes on as before.
    let done = world.websub.maintain_once(Utc::now()).await.expect("pass");
    assert_eq!(done, Maintained::default());
    world.news.set_body(
        "feed.atom",
        "application/atom+xml",
        atom(
            world.hub.url(),
            &[("a", "Summit agreed"), ("b", "Date set")],
        ),
    );
    let outcome = world.scheduler.run_once(world.id).await.expect("run");
    assert!(
        matches!(outcome, RunOutcome::Stored { documents: 2, .. }),
        "{outcome:?}"
    );
    assert_eq!(world.stored_items(), ["urn:a", "urn:b"]);
    assert_eq!(world.hub.requests().len(), 1, "no second subscribe");
    world.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_content_is_stored_and_anything_else_ignored() {
    let world = World::subscribed().await;
    for (id, signing) in [
        ("p1", Signing::Sha1),
        ("p2", Signing::Sha256),
        ("p3", Signing::Wrong),
        ("p4", Signing::Unsigned),
    ] {
        let body = atom(world.hub.url(), &[("a", "Summit agreed"), (id, "Pushed")]);
        let statuses = world.hub.publish(TOPIC, &body, signing).await;
        assert_eq!(
            statuses,
            [202],
            "{signing:?}: acknowledged even when ignored"
        );
    }
    assert_eq!(world.stored_items(), ["urn:a", "urn:p1", "urn:p2"]);
    let source = world.source().await;
    assert_eq!(source["last_status"], 200);

    // A callback we hold no subscription for answers 410, so the hub can drop it.
    let response = world
        .server
        .client()
        .post(format!("{}/websub/{}", world.server.url, world.id + 100))
        .body(atom(world.hub.url(), &[]))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::GONE);
    world.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn verifications_we_did_not_ask_for_are_refused() {
    let world = World::subscribed().await;
    let callback = world.callback();
    let other = format!("{}/websub/{}", world.server.url, world.id + 100);
    for (callback, mode, topic) in [
        (
            callback.as_str(),
            "subscribe",
            "https://elsewhere.example.org/feed",
        ),
        (other.as_str(), "subscribe", TOPIC),
        (callback.as_str(), "unsubscribe", TOPIC),
        (callback.as_str(), "unknown", TOPIC),
    ] {
        let (status, _) = world.hub.challenge(callback, mode, topic).await;
        assert_eq!(status, 404, "{mode} {topic} at {callback}");
    }
    let (status, body) = world.hub.challenge(&callback, "subscribe", TOPIC).await;
    assert_eq!(status, 200, "a hub may verify again while the lease runs");
    assert_eq!(body.len(), 32);

    let (status, _) = world.hub.challenge(&callback, "denied", TOPIC).await;
    assert_eq!(status, 200);
    assert_eq!(world.source().await["hub_state"], "failed");
    world.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn leases_are_renewed_before_they_end_with_the_same_secret() {
    let world = World::subscribed().await;
    let later = |minutes| Utc::now() + Duration::minutes(minutes);
    let done = world.websub.maintain_once(later(30)).await.expect("pass");
    assert_eq!(done, Maintained::default(), "an hour and a half left");
    let done = world.websub.maintain_once(later(61)).await.expect("pass");
    assert_eq!(done.subscribed, 1, "less than an hour left");
    let verified = world.hub.verifications(2).await;
    assert!(verified[1].echoed, "the renewal is confirmed while active");
    let requests = world.hub.requests();
    assert_eq!(requests[1].secret, requests[0].secret);
    assert_eq!(world.source().await["hub_state"], "active");
    world.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusing_hub_is_retried_after_an_hour() {
    let world = World::start().await;
    world.hub.refuse_with(500);
    world.scheduler.run_once(world.id).await.expect("run");
    let done = world.websub.maintain_once(Utc::now()).await.expect("pass");
    assert_eq!(done.failed, 1);
    let source = world.source().await;
    assert_eq!(source["hub_state"], "failed");
    assert_eq!(
        source["last_error"],
        Value::Null,
        "the fetch state is untouched"
    );
    let done = world.websub.maintain_once(Utc::now()).await.expect("pass");
    assert_eq!(done, Maintained::default());
    let later = Utc::now() + Duration::minutes(61);
    let done = world.websub.maintain_once(later).await.expect("pass");
    assert_eq!(done.failed, 1);
    assert_eq!(world.hub.requests().len(), 2);
    world.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_source_unsubscribes_it() {
    let world = World::subscribed().await;
    let response = world
        .server
        .client()
        .delete(format!(
            "{}/api/admin/sources/{}",
            world.server.url, world.id
        ))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let done = world.websub.maintain_once(Utc::now()).await.expect("pass");
    assert_eq!(done.unsubscribed, 1);
    let request = world.hub.requests().pop().expect("a request");
    assert_eq!(
        (request.mode.as_str(), request.topic.as_str()),
        ("unsubscribe", TOPIC)
    );
    let verified = world.hub.verifications(2).await;
    assert_eq!(
        (verified[1].mode.as_str(), verified[1].echoed),
        ("unsubscribe", true)
    );
    assert!(
        world
            .hub
            .publish(TOPIC, "<feed/>", Signing::Sha256)
            .await
            .is_empty(),
        "the hub dropped us"
    );
    let done = world.websub.maintain_once(Utc::now()).await.expect("pass");
    assert_eq!(done, Maintained::default(), "sent once");
    world.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_public_url_nothing_is_subscribed() {
    let world = World::start().await;
    world.scheduler.run_once(world.id).await.expect("run");
    let websub = WebSub::new(
        &Config::default(),
        world.server.storage.clone(),
        SchedulerHandle::default(),
    )
    .expect("websub");
    let done = websub.maintain_once(Utc::now()).await.expect("pass");
    assert_eq!(done, Maintained::default());
    assert!(world.hub.requests().is_empty());
    world.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn content_over_the_fetch_size_cap_is_refused() {
    let server = TestServer::start_with(|c| c.fetch.max_body_bytes = 1024).await;
    let response = server
        .client()
        .post(format!("{}/websub/1", server.url))
        .body(vec![b'x'; 2048])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_that_moves_to_another_hub_leaves_the_old_one() {
    let world = World::subscribed().await;
    let second = Hub::start().await;
    world.news.set_body(
        "feed.atom",
        "application/atom+xml",
        atom(second.url(), &[("a", "Summit agreed")]),
    );
    world.scheduler.run_once(world.id).await.expect("run");
    assert_eq!(world.source().await["hub_url"], second.url());
    let done = world.websub.maintain_once(Utc::now()).await.expect("pass");
    assert_eq!((done.subscribed, done.unsubscribed), (1, 1));
    let old = world.hub.verifications(2).await;
    assert_eq!((old[1].mode.as_str(), old[1].echoed), ("unsubscribe", true));
    let new = second.verifications(1).await;
    assert_eq!((new[0].mode.as_str(), new[0].echoed), ("subscribe", true));
    assert_ne!(
        second.requests()[0].secret,
        world.hub.requests()[0].secret,
        "a new subscription gets a new secret"
    );
    assert_eq!(world.source().await["hub_state"], "active");
    world.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hub_on_a_private_address_is_not_contacted_when_those_are_refused() {
    // The feed names a hub on loopback, as a hostile feed could name a service next to Herald.
    let world = World::start().await;
    world.scheduler.run_once(world.id).await.expect("run");
    let config = Config {
        public_url: Some(world.server.url.clone()),
        fetch: FetchConfig {
            allow_private_addresses: false,
            ..FetchConfig::default()
        },
        ..Config::default()
    };
    let strict = WebSub::new(
        &config,
        world.server.storage.clone(),
        SchedulerHandle::default(),
    )
    .expect("websub");
    let done = strict.maintain_once(Utc::now()).await.expect("pass");
    assert_eq!(done.failed, 1);
    assert_eq!(done.subscribed, 0);
    assert!(world.hub.requests().is_empty(), "the hub was never asked");
    assert_eq!(world.source().await["hub_state"], "failed");
    world.server.stop().await;
}
