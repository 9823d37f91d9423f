//! The admin console in a real headless Chromium: sign in through the form, read the
//! dashboard, add a source through the form (its schedule in words, "try it", pause), tune a
//! threshold and watch the live preview change, save, and find the change in the audit log.
//!
//! The story's history is real: a news-source stand-in serves pages of the seed corpus, the
//! scheduler fetches them and the server's diff engine decides. Without a browser the test
//! skips, unless `HERALD_REQUIRE_BROWSER=1`. `HERALD_SCREENSHOTS=1` also saves
//! `docs/screenshots/admin-dashboard.png` and `admin-thresholds.png`.

#[path = "browser/chromium.rs"]
mod chromium;
mod common;
mod support;

use std::time::{Duration, Instant};

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::browser::PermissionSetting;
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use herald::config::FetchConfig;
use herald::domain::{AdminName, NewPassword};
use herald::sources::{SchedulerHandle, SourceScheduler};
use reqwest::Method;
use serde_json::{Value, json};

use chromium::{Chromium, chromium_binary, click, eval, poll, save_screenshot};
use common::TestServer;
use support::news_source::NewsSource;

const PASSWORD: &str = "correct horse battery";

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_signs_in_adds_a_source_and_tunes_thresholds_with_a_live_preview() {
    let Some(binary) = chromium_binary() else {
        return;
    };
    let news = NewsSource::start().await;
    let server = TestServer::start().await;
    let name = AdminName::parse("editor").expect("name");
    let password = NewPassword::parse(PASSWORD.into()).expect("password");
    herald::accounts::add_user(&server.storage, &name, &password, false)
        .await
        .expect("user added");
    let story = story_with_history(&server, &news).await;

    let chromium = Chromium::launch(&binary).await;
    let page = chromium
        .prepare_page(&server.url, PermissionSetting::Granted)
        .await;
    page.goto(format!("{}/admin", server.url))
        .await
        .expect("open /admin");

    signs_in(&page).await;
    shows_the_dashboard(&server, &page).await;
    adds_a_source(&server, &page, &news).await;
    tunes_a_threshold(&server, &page, story).await;
    sends_an_alert_and_a_test_push(&server, &page).await;

    chromium.close().await;
    server.stop().await;
}

/// A story whose source brought four versions of the seed story's page, some of which
/// alerted; returns its id.
async fn story_with_history(server: &TestServer, news: &NewsSource) -> i64 {
    let body = json!({"name": "Trump–Putin summit", "keywords": ["summit"],
        "any_keywords": ["Trump", "Putin"], "topic": "world"});
    let story = api(server, Method::POST, "/api/admin/stories", Some(body)).await["id"]
        .as_i64()
        .expect("story id");
    let body = json!({"name": "Wire", "url": news.url("summit"), "kind": "page", "paused": true});
    let source = api(server, Method::POST, "/api/admin/sources", Some(body)).await["id"]
        .as_i64()
        .expect("source id");
    let config = FetchConfig {
        host_spacing_ms: 0,
        ..FetchConfig::default()
    };
    let scheduler =
        SourceScheduler::new(server.storage.clone(), &config, SchedulerHandle::default())
            .expect("scheduler");
    let docs = [
        "01-cbsmiami.html",
        "04-capitolwire.html",
        "06-globalwire.html",
        "09-globalwire.html",
    ];
    for (decided, file) in docs.iter().enumerate() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/corpus/01-trump-putin-summit/docs")
            .join(file);
        let page = std::fs::read(path).expect("corpus page");
        news.set_body("summit", "text/html; charset=utf-8", page);
        scheduler.run_once(source).await.expect("fetch");
        let deadline = Instant::now() + Duration::from_secs(30);
        while timeline(server, story).await.len() <= decided {
            assert!(Instant::now() < deadline, "{file} was never decided");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let alerts = timeline(server, story)
        .await
        .iter()
        .filter(|e| e["alert"] == true)
        .count();
    assert!(alerts >= 1, "the history has an alert to preview away");
    story
}

async fn signs_in(page: &Page) {
    wait_for(
        page,
        "the sign-in form",
        "!document.getElementById('view-login').hidden",
    )
    .await;
    type_into(page, "#login-username", "editor").await;
    type_into(page, "#login-password", "not the password").await;
    click(page, "#login-form button[type=submit]").await;
    let error = "document.getElementById('login-error').textContent";
    poll(page, "the API's error in words", error, |v| {
        v == "wrong user name or password"
    })
    .await;
    type_into(page, "#login-password", PASSWORD).await;
    click(page, "#login-form button[type=submit]").await;
    wait_for(
        page,
        "the dashboard",
        "!document.getElementById('view-dashboard').hidden",
    )
    .await;
    let who = eval(page, "document.getElementById('who-name').textContent").await;
    assert_eq!(who, "editor");
}

async fn shows_the_dashboard(server: &TestServer, page: &Page) {
    let expected = api(server, Method::GET, "/api/admin/dashboard", None).await;
    let today = expected["alerts"]["today"].to_string();
    let shown = "document.getElementById('dash-alerts').textContent";
    poll(page, "alerts today", shown, |v| {
        v.as_str() == Some(today.as_str())
    })
    .await;
    let sources = eval(page, "document.getElementById('dash-sources').textContent").await;
    assert!(
        sources.as_str().is_some_and(|s| s.contains("1 paused")),
        "{sources}"
    );
    let topics = eval(
        page,
        "document.querySelector('#dash-topics tbody').textContent",
    )
    .await;
    assert!(
        topics.as_str().is_some_and(|t| t.contains("No topics")),
        "{topics}"
    );
    screenshot(page, "admin-dashboard").await;
}

async fn adds_a_source(server: &TestServer, page: &Page, news: &NewsSource) {
    news.set_body("wire.xml", "application/rss+xml", rss());
    eval(page, "location.hash = '#/sources'").await;
    wait_for(
        page,
        "the sources",
        "document.querySelectorAll('#sources-table tbody tr').length === 1",
    )
    .await;
    click(page, "#source-new").await;
    type_into(page, "#source-name", "Storm wire").await;
    type_into(page, "#source-url", &news.url("wire.xml")).await;
    type_into(page, "#source-schedule", "*/5 * * * *").await;
    let words = "document.getElementById('schedule-preview').textContent";
    poll(page, "the schedule in words", words, |v| {
        v.as_str()
            .is_some_and(|t| t.contains("Runs every 5 minutes."))
    })
    .await;
    click(page, "#source-try").await;
    let tried = "document.getElementById('try-documents').textContent";
    poll(page, "the tried documents", tried, |v| {
        v.as_str()
            .is_some_and(|t| t.contains("Storm upgraded to category 4"))
    })
    .await;
    click(page, "#source-form button[type=submit]").await;
    wait_for(
        page,
        "the new row",
        "document.querySelectorAll('#sources-table tbody tr').length === 2",
    )
    .await;
    let listed = api(server, Method::GET, "/api/admin/sources", None).await;
    let added = listed["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .find(|s| s["name"] == "Storm wire")
        .cloned()
        .expect("the form added the source");
    assert_eq!(added["schedule"], "*/5 * * * *");
    assert_eq!(added["kind"], "feed");

    let id = added["id"].as_i64().expect("id");
    click(
        page,
        &format!("#sources-table tr[data-id='{id}'] .row-actions button:nth-child(2)"),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while api(
        server,
        Method::GET,
        &format!("/api/admin/sources/{id}"),
        None,
    )
    .await["paused"]
        != true
    {
        assert!(Instant::now() < deadline, "Pause never reached the server");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn tunes_a_threshold(server: &TestServer, page: &Page, story: i64) {
    eval(page, "location.hash = '#/thresholds'").await;
    let select = format!("document.getElementById('preview-story').value === '{story}'");
    wait_for(page, "the story picked", &select).await;
    // [saved settings' alerts, these settings' alerts, documents decided differently]
    let totals = "document.getElementById('preview-totals').hidden ? null
        : ['preview-current', 'preview-proposed', 'preview-changed']
            .map((id) => Number(document.getElementById(id).textContent))";
    let same = poll(page, "the preview of the saved settings", totals, |v| {
        !v.is_null() && v[0] == v[1] && v[2] == 0
    })
    .await;
    let current = same[0].as_u64().expect("a count");
    assert!(
        current >= 1,
        "the saved settings alert on the history: {same}"
    );

    set_value(page, "#t-min_score", "0").await;
    let error = "[document.getElementById('thresholds-error').textContent,
        document.getElementById('t-min_score').getAttribute('aria-invalid')]";
    poll(page, "the invalid value named", error, |v| {
        v[0].as_str().is_some_and(|m| m.starts_with("min_score")) && v[1] == "true"
    })
    .await;

    set_value(page, "#t-min_score", "100").await;
    poll(page, "the preview of min_score 100", totals, |v| {
        v[0] == current && v[1] == 0 && v[2] == current
    })
    .await;
    let rows = "document.querySelectorAll('#preview-table tr.changed').length";
    let highlighted = eval(page, rows).await;
    assert_eq!(highlighted, current, "the rows that differ are highlighted");
    screenshot(page, "admin-thresholds").await;

    click(page, "#thresholds-save").await;
    let saved = "document.getElementById('thresholds-status').textContent";
    poll(page, "saved", saved, |v| {
        v.as_str().is_some_and(|s| s.starts_with("Saved"))
    })
    .await;
    let settings = api(server, Method::GET, "/api/admin/settings", None).await;
    assert_eq!(settings["min_score"], 100.0);
    let audit = "document.querySelector('#audit-table tbody tr').textContent";
    poll(page, "the change in the audit log", audit, |v| {
        v.as_str().is_some_and(|t| {
            t.contains("editor")
                && t.contains("settings.update")
                && t.contains("min_score: 1 → 100")
        })
    })
    .await;
}

async fn sends_an_alert_and_a_test_push(server: &TestServer, page: &Page) {
    eval(page, "location.hash = '#/alerts'").await;
    wait_for(
        page,
        "the history",
        "document.querySelectorAll('#history > li').length >= 1",
    )
    .await;
    let long = "Talks run late; ".repeat(20);
    type_into(page, "#compose-title", "Summit moved to Vienna").await;
    type_into(page, "#compose-body", &long).await;
    let preview = "document.getElementById('n-body').textContent";
    let shown = poll(page, "the notification preview", preview, |v| {
        v.as_str().is_some_and(|t| t.ends_with('…'))
    })
    .await;
    assert!(
        shown.as_str().is_some_and(|t| t.chars().count() <= 150),
        "{shown}"
    );
    click(page, "#compose-send").await;
    let status = "document.getElementById('compose-status').textContent";
    poll(page, "the alert sent", status, |v| {
        v.as_str()
            .is_some_and(|t| t.ends_with("sent to 0 subscribers."))
    })
    .await;
    let first = "document.querySelector('#history > li').textContent";
    poll(page, "the alert in the history", first, |v| {
        v.as_str()
            .is_some_and(|t| t.contains("Summit moved to Vienna"))
    })
    .await;

    click(page, "#test-push").await;
    let status = "document.getElementById('test-push-status').textContent";
    let queued = poll(page, "the test push queued", status, |v| {
        v.as_str().is_some_and(|t| {
            t.starts_with("Test notification queued") || t.starts_with("No test push")
        })
    })
    .await;
    let id: i64 = queued
        .as_str()
        .and_then(|t| t.split("(alert ").nth(1))
        .and_then(|t| t.split(')').next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{queued}"));
    let alert = api(
        server,
        Method::GET,
        &format!("/api/admin/alerts/{id}"),
        None,
    )
    .await;
    assert_eq!(alert["public"], false, "{alert}");
    let public: Value = server.get("/api/alerts").await.json().await.expect("json");
    assert!(
        public["alerts"]
            .as_array()
            .is_some_and(|a| a.iter().all(|a| a["id"] != id))
    );
}

async fn api(server: &TestServer, method: Method, path: &str, body: Option<Value>) -> Value {
    let response = server.admin(method.clone(), path, body).await;
    assert!(
        response.status().is_success(),
        "{method} {path}: {}",
        response.status()
    );
    response.json().await.expect("json")
}

async fn timeline(server: &TestServer, story: i64) -> Vec<Value> {
    let body = api(
        server,
        Method::GET,
        &format!("/api/admin/stories/{story}/timeline"),
        None,
    )
    .await;
    body["timeline"].as_array().cloned().unwrap_or_default()
}

async fn wait_for(page: &Page, what: &str, condition: &str) {
    poll(page, what, condition, |v| v == true).await;
}

/// Types like a person: focus, select what is there, type over it.
async fn type_into(page: &Page, selector: &str, text: &str) {
    let element = page.find_element(selector).await.expect("find input");
    element.click().await.expect("focus");
    eval(
        page,
        &format!("document.querySelector({selector:?}).select()"),
    )
    .await;
    element.type_str(text).await.expect("type");
}

/// Sets a number field and fires `input`, as a spinner click would.
async fn set_value(page: &Page, selector: &str, value: &str) {
    let script = format!(
        "(() => {{ const i = document.querySelector({selector:?}); i.value = {value:?};
            i.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()"
    );
    eval(page, &script).await;
}

/// With `HERALD_SCREENSHOTS=1`: the whole page at a desktop width, then back to the phone.
async fn screenshot(page: &Page, name: &str) {
    if std::env::var("HERALD_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let metrics = |w, h| SetDeviceMetricsOverrideParams::new(w, h, 1.0, false);
        page.execute(metrics(1280, 900))
            .await
            .expect("desktop width");
        save_screenshot(page, name).await;
        page.execute(metrics(420, 860)).await.expect("phone width");
    }
}

fn rss() -> String {
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title><item>\
     <guid>storm-1</guid><title>Storm upgraded to category 4</title>\
     <link>https://news.example.org/storm-1</link><description>Winds now 215 km/h.</description>\
     </item></channel></rss>"
        .into()
}
