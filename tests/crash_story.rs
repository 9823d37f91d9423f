//! The crash harness: the real `herald serve` is killed with SIGKILL at random moments while
//! a news site publishes a story page by page (facts change) and the alerts fan out to many
//! subscribers on the strict push stand-in, and restarted each time. At the end every alert
//! reached every subscriber, duplicates stay within the in-flight bound per kill, each story
//! sent exactly the alerts a crash-free replay of its pages sends, and the database is sound.
//!
//! The fast version runs in `cargo test` (3 kills); `bench/crash.sh` runs the long one
//! (`HERALD_CRASH_KILLS`, default 20, and `HERALD_CRASH_SUBSCRIBERS`).

mod common;
mod support;
#[path = "crash_story/verify.rs"]
mod verify;

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use common::ADMIN_TOKEN;
use common::binary::{integrity_check, start_herald};
use herald::engine::replay;
use rand::Rng;
use serde_json::{Value, json};
use support::news_source::NewsSource;
use support::push_standin::PushStandin;

const IN_FLIGHT: usize = 32;

/// One page of a story, published at its own URL when its turn comes.
struct Page {
    story: usize,
    file: PathBuf,
    path: String,
}

/// The server under test, killed and restarted on a random timer.
struct Victim {
    dir: PathBuf,
    config: PathBuf,
    child: Child,
    url: String,
    kills: usize,
    target_kills: usize,
    next_kill: Instant,
    /// Kills that hit while pushes were queued or in flight.
    mid_fanout: usize,
}

impl Victim {
    fn arm(&mut self) {
        let wait = rand::thread_rng().gen_range(300..1500);
        self.next_kill = Instant::now() + Duration::from_millis(wait);
    }

    /// Kills and restarts when the timer is due; checks the database while the server is down.
    fn maybe_kill(&mut self) {
        if self.kills >= self.target_kills || Instant::now() < self.next_kill {
            return;
        }
        let queued = "SELECT count(*) FROM deliveries WHERE state = 'queued'";
        self.mid_fanout += usize::from(count(&self.dir, queued) > 0);
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
        self.kills += 1;
        assert_eq!(
            integrity_check(&self.dir),
            "ok",
            "after kill {}",
            self.kills
        );
        let (child, url) = start_herald(&self.dir, &self.config);
        self.child = child;
        self.url = url;
        self.arm();
    }
}

fn db(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("herald.db")).expect("open the database")
}

fn count(dir: &Path, sql: &str) -> i64 {
    db(dir).query_row(sql, [], |r| r.get(0)).unwrap_or(-1)
}

fn corpus(story: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(story)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Sends `request` until the server answers (it may be down between a kill and a restart).
async fn until_answered(
    victim: &mut Victim,
    method: reqwest::Method,
    path: &str,
    body: &Value,
) -> u16 {
    let http = reqwest::Client::new();
    loop {
        victim.maybe_kill();
        let sent = http
            .request(method.clone(), format!("{}{path}", victim.url))
            .bearer_auth(ADMIN_TOKEN)
            .timeout(Duration::from_secs(5))
            .json(body)
            .send()
            .await;
        if let Ok(response) = sent {
            return response.status().as_u16();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_while(victim: &mut Victim, what: &str, busy: impl Fn(&Path) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(180);
    while busy(&victim.dir) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        victim.maybe_kill();
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn run(stories: &[&str], subscribers: usize, kills: usize) {
    let standin = PushStandin::start().await;
    let news = NewsSource::start().await;
    let data = tempfile::tempdir().expect("temp dir");
    let dir = data.path().to_owned();
    let config = dir.join("herald.toml");
    std::fs::write(
        &config,
        format!(
            "[push]\nsubject = \"mailto:ops@example.org\"\nallowed_endpoints = [\"{}\"]\n\
             [delivery]\nconcurrency = {IN_FLIGHT}\nretry_base_ms = 50\n\
             [subscribe]\nrate_limit_per_minute = 0\n[fetch]\nhost_spacing_ms = 0\n",
            standin.endpoint_prefix()
        ),
    )
    .expect("config written");
    let (child, url) = start_herald(&dir, &config);
    let mut victim = Victim {
        dir: dir.clone(),
        config,
        child,
        url,
        kills: 0,
        target_kills: 0,
        next_kill: Instant::now(),
        mid_fanout: 0,
    };

    // Subscribers and stories first, with no kills: the harness needs their ids.
    let names: Vec<String> = (0..subscribers).map(|i| format!("r{i}")).collect();
    let http = reqwest::Client::new();
    for chunk in names.chunks(50) {
        let posts = chunk.iter().map(|name| {
            let body = standin.subscriber(name).subscription_json(&[]);
            http.post(format!("{}/api/subscriptions", victim.url))
                .json(&body)
                .send()
        });
        for response in futures::future::join_all(posts).await {
            assert_eq!(response.expect("subscribe").status().as_u16(), 201);
        }
    }
    let mut story_ids = Vec::new();
    let mut pages = Vec::new();
    for (index, story) in stories.iter().enumerate() {
        let definition = replay::load_story(&corpus(story).join("story.toml")).expect("story");
        let body = json!({"name": definition.name, "keywords": definition.keywords,
            "any_keywords": definition.any_keywords, "exclude": definition.exclude});
        let created = http
            .post(format!("{}/api/admin/stories", victim.url))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .expect("story");
        assert_eq!(created.status().as_u16(), 201);
        let id = created.json::<Value>().await.expect("json")["id"].as_i64();
        story_ids.push(id.expect("story id"));
        for file in replay::snapshot_files(&corpus(story).join("docs")).expect("docs") {
            let name = file
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            pages.push(Page {
                story: index,
                path: format!("s{index}/{name}"),
                file,
            });
        }
    }
    // The stories advance side by side: page k of every story, then page k + 1.
    pages.sort_by_key(|p| (p.file.file_name().map(|n| n.to_owned()), p.story));

    victim.target_kills = kills;
    victim.arm();
    for page in &pages {
        news.set_body(
            &page.path,
            "text/html; charset=utf-8",
            std::fs::read(&page.file).expect("page"),
        );
        let outlet = replay::source_of(&page.file);
        let body = json!({"name": outlet, "url": news.url(&page.path), "kind": "page", "schedule": "every 10s"});
        let status = until_answered(
            &mut victim,
            reqwest::Method::POST,
            "/api/admin/sources",
            &body,
        )
        .await;
        assert!(
            status == 201 || status == 409,
            "creating a source: {status}"
        );
        let url = news.url(&page.path);
        wait_while(&mut victim, "the page's first fetch", |dir| {
            let fetched: Option<i64> = db(dir)
                .query_row(
                    "SELECT last_fetch_at FROM sources WHERE url = ?1",
                    [&url],
                    |r| r.get(0),
                )
                .unwrap_or(None);
            fetched.is_none()
                || count(dir, "SELECT count(*) FROM documents WHERE processed = 0") != 0
        })
        .await;
    }
    // Keep killing while the last alerts fan out, until every kill was made.
    let busy = |dir: &Path| {
        count(
            dir,
            "SELECT count(*) FROM deliveries WHERE state = 'queued'",
        ) != 0
    };
    while victim.kills < kills {
        victim.maybe_kill();
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    wait_while(&mut victim, "the last deliveries", busy).await;
    std::process::Command::new("kill")
        .args(["-TERM", &victim.child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(victim.child.wait().expect("exit").success());
    assert_eq!(integrity_check(&dir), "ok");

    println!(
        "{} of {kills} kills hit during a fan-out",
        victim.mid_fanout
    );
    verify::verify(&dir, &standin, &names, stories, &story_ids, kills);
}

#[tokio::test(flavor = "multi_thread")]
async fn three_kills_while_a_story_unfolds_lose_nothing() {
    run(&["01-trump-putin-summit"], 200, 3).await;
}

/// `bench/crash.sh`: at least 20 kills in a row over several stories.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "long run; bench/crash.sh"]
async fn many_kills_while_stories_unfold_lose_nothing() {
    let kills = env_usize("HERALD_CRASH_KILLS", 20);
    let subscribers = env_usize("HERALD_CRASH_SUBSCRIBERS", 1000);
    let stories = [
        "01-trump-putin-summit",
        "05-hurricane-michael",
        "12-amber-rudd-resignation",
    ];
    run(&stories, subscribers, kills).await;
}
