//! The reader page in a real headless Chromium: subscribe, get a push shown by the service
//! worker, come back, unsubscribe, each step checked against the server.
//!
//! Only `PushManager.subscribe` is replaced, since there is no push service offline: the
//! replacement makes a genuine P-256 subscription whose endpoint is the server's push stand-in.
//! The page, the service worker and the server are the real ones. Without a browser the tests
//! skip, unless `HERALD_REQUIRE_BROWSER=1` (CI) makes that a failure.

#[path = "browser/chromium.rs"]
mod chromium;
mod common;

use chromiumoxide::cdp::browser_protocol::browser::PermissionSetting;
use chromiumoxide::cdp::browser_protocol::service_worker::DeliverPushMessageParams;
use reqwest::StatusCode;
use serde_json::{Value, json};

use chromium::{Chromium, Reader, chromium_binary, click, eval, poll, screenshot, wait_for_state};
use common::TestServer;

#[tokio::test(flavor = "multi_thread")]
async fn reader_subscribes_gets_a_push_and_unsubscribes() {
    let Some(binary) = chromium_binary() else {
        return;
    };
    let server = TestServer::start().await;
    let chromium = Chromium::launch(&binary).await;
    let reader = chromium
        .open_reader(&server.url, PermissionSetting::Granted)
        .await;
    wait_for_state(&reader.page, "unsubscribed").await;

    let subscription = subscribes(&server, &reader).await;
    screenshot(&reader.page).await;
    shows_a_pushed_alert(&server, &reader).await;
    revisit_restores_a_lost_subscription(&server, &reader, &subscription).await;
    unsubscribes(&server, &reader, &subscription).await;

    chromium.close().await;
    server.stop().await;
}

/// Subscribes with a real click (the permission request needs a user gesture) and returns the
/// subscription as the page posted it.
async fn subscribes(server: &TestServer, reader: &Reader) -> Value {
    click(&reader.page, "#subscribe").await;
    wait_for_state(&reader.page, "subscribed").await;
    let asked = eval(&reader.page, "window.subscribeOptions").await;
    let key: Value = server
        .get("/api/vapid-public-key")
        .await
        .json()
        .await
        .expect("key");
    let expected = json!({ "userVisibleOnly": true, "applicationServerKey": key["publicKey"] });
    assert_eq!(asked, expected, "subscribed with the server's VAPID key");

    let subscription = eval(&reader.page, CURRENT_SUBSCRIPTION).await;
    let again = server.post_json("/api/subscriptions", &subscription).await;
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "the page's subscription is already known"
    );
    assert_eq!(subscription_count(server).await, 1);
    subscription
}

/// A push as the server sends it, delivered straight to the service worker, becomes a
/// notification tagged with its story.
async fn shows_a_pushed_alert(server: &TestServer, reader: &Reader) {
    let alert = json!({
        "title": "Storm upgraded to category 4",
        "body": "Winds now 215 km/h; landfall expected tonight.",
        "url": format!("{}/", server.url),
        "story": 42,
        "alert_id": 7,
        "ts": 1_767_225_600,
    });
    let registration = reader.registration.clone();
    let push = DeliverPushMessageParams::new(&server.url, registration, alert.to_string());
    reader
        .page
        .execute(push)
        .await
        .expect("deliver push message");
    let shown = poll(&reader.page, "a notification", SHOWN_NOTIFICATION, |v| {
        !v.is_null()
    })
    .await;
    let expected = json!({
        "title": alert["title"],
        "body": alert["body"],
        "tag": "42",
        "url": alert["url"],
    });
    assert_eq!(shown, expected);
}

/// Each visit re-posts an existing subscription, so one the server lost comes back.
async fn revisit_restores_a_lost_subscription(
    server: &TestServer,
    reader: &Reader,
    subscription: &Value,
) {
    let url = format!("{}/api/subscriptions", server.url);
    let body = json!({ "endpoint": subscription["endpoint"] });
    let forgot = server
        .client()
        .delete(url)
        .json(&body)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(forgot.status(), StatusCode::NO_CONTENT);
    assert_eq!(subscription_count(server).await, 0);

    reader.page.reload().await.expect("reload");
    wait_for_state(&reader.page, "subscribed").await;
    assert_eq!(subscription_count(server).await, 1);
}

async fn unsubscribes(server: &TestServer, reader: &Reader, subscription: &Value) {
    click(&reader.page, "#unsubscribe").await;
    wait_for_state(&reader.page, "unsubscribed").await;
    assert_eq!(subscription_count(server).await, 0);
    let again = server.post_json("/api/subscriptions", subscription).await;
    assert_eq!(
        again.status(),
        StatusCode::CREATED,
        "the server had forgotten it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn denied_notifications_show_blocked_and_how_to_unblock() {
    let Some(binary) = chromium_binary() else {
        return;
    };
    let server = TestServer::start().await;
    let chromium = Chromium::launch(&binary).await;
    let reader = chromium
        .open_reader(&server.url, PermissionSetting::Denied)
        .await;
    let state = wait_for_state(&reader.page, "blocked").await;
    assert!(
        state[1]
            .as_str()
            .is_some_and(|detail| detail.contains("unblock")),
        "{state}"
    );
    let disabled = eval(
        &reader.page,
        "document.getElementById('subscribe').disabled",
    )
    .await;
    assert_eq!(disabled, json!(true));
    chromium.close().await;
    server.stop().await;
}

/// The page's current subscription as it would be posted.
const CURRENT_SUBSCRIPTION: &str = "(async () => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.pushManager.getSubscription()).toJSON();
})()";

/// The first notification the service worker shows, or null.
const SHOWN_NOTIFICATION: &str = "(async () => {
  const [n] = await (await navigator.serviceWorker.ready).getNotifications();
  return n ? { title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url } : null;
})()";

async fn subscription_count(server: &TestServer) -> u64 {
    server
        .storage
        .count_subscriptions()
        .await
        .expect("count subscriptions")
}
