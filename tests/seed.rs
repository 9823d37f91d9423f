//! `[[stories]]` and `[[sources]]` of the config file: created at the first start, left alone
//! (edits kept, nothing doubled) at every later one.

mod common;

use common::TestServer;
use herald::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const SEEDS: &str = r#"
[[sources]]
name = "Wire"
url = "https://wire.example.org/world.xml"
kind = "feed"
schedule = "every 1h"
paused = true

[[stories]]
name = "Strong earthquake"
keywords = ["earthquake"]
any_keywords = ["magnitude", "killed"]
topic = "world"
thresholds = { max_alerts_per_hour = 4 }
"#;

fn seeded(config: &mut Config, extra: &str) {
    let file = Config::from_toml(&format!("{SEEDS}{extra}")).expect("seed config parses");
    config.sources = file.sources;
    config.stories = file.stories;
}

async fn stories(server: &TestServer) -> Vec<Value> {
    let body: Value = server
        .admin(Method::GET, "/api/admin/stories", None)
        .await
        .json()
        .await
        .expect("json");
    body["stories"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn configured_stories_are_created_once_and_edits_survive_restarts() {
    let server = TestServer::start_with(|c| seeded(c, "")).await;
    let first = stories(&server).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["story"]["name"], "Strong earthquake");
    assert_eq!(first[0]["story"]["topic"], "world");
    assert_eq!(
        first[0]["story"]["thresholds"]["max_alerts_per_hour"], 4,
        "{first:?}"
    );
    assert_eq!(first[0]["demo"], false);
    let topics: Value = server.get("/api/topics").await.json().await.expect("json");
    assert_eq!(topics["topics"][0]["name"], "world", "readers can pick it");

    // An admin changes the story; the config's version must not come back.
    let id = first[0]["id"].as_i64().expect("id");
    let edited = server
        .admin(
            Method::PUT,
            &format!("/api/admin/stories/{id}"),
            Some(json!({"name": "Strong earthquake", "keywords": ["earthquake", "quake"]})),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);

    let data_dir = server.stop().await;
    let extra = "\n[[stories]]\nname = \"Government shutdown\"\nkeywords = [\"shutdown\"]\n";
    let server = TestServer::start_in(data_dir, |c| seeded(c, extra)).await;
    let after = stories(&server).await;
    let names: Vec<&str> = after
        .iter()
        .filter_map(|s| s["story"]["name"].as_str())
        .collect();
    assert_eq!(names, ["Strong earthquake", "Government shutdown"]);
    assert_eq!(after[0]["id"], id);
    assert_eq!(
        after[0]["story"]["keywords"],
        json!(["earthquake", "quake"]),
        "the admin's edit is kept"
    );
    let sources: Value = server
        .admin(Method::GET, "/api/admin/sources", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(sources["sources"].as_array().map(Vec::len), Some(1));
    server.stop().await;
}
