//! `herald bench engine`: the diff engine's time per document, for a 10 KB article against a
//! story that already knows 1,000 documents.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use rand::Rng;
use serde::Serialize;

use crate::engine::{DocInput, Story, StoryEngine, Thresholds};

#[derive(Debug, Serialize)]
pub struct EngineReport {
    pub prior_documents: usize,
    pub article_bytes: usize,
    pub runs: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
}

const PLACES: [&str; 8] = [
    "Helsinki",
    "Vienna",
    "Geneva",
    "Singapore",
    "Hanoi",
    "Oslo",
    "Brussels",
    "Moscow",
];
const MONTHS: [&str; 6] = [
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A news-like paragraph about the summit with varying details.
fn paragraph(rng: &mut impl Rng, i: usize) -> String {
    let place = PLACES[rng.gen_range(0..PLACES.len())];
    let month = MONTHS[rng.gen_range(0..MONTHS.len())];
    format!(
        "Officials said on Thursday that the summit between the two leaders could be held in {place} on {month} {}, \
         according to {} people familiar with the planning, and that at least {} delegates were expected. \
         The talks, the {i}th round this year, would cover trade, security and arms control, an aide told reporters.",
        rng.gen_range(1..28),
        rng.gen_range(2..9),
        rng.gen_range(10..900),
    )
}

pub fn run(prior: usize, runs: usize) -> EngineReport {
    let mut rng = rand::thread_rng();
    let story: Story = toml::from_str(
        "name = \"Summit\"\nkeywords = [\"summit\"]\nany_keywords = [\"leaders\"]\n",
    )
    .unwrap_or_default();
    let mut engine = StoryEngine::new(story, &Thresholds::default());
    let start = Utc
        .with_ymd_and_hms(2018, 6, 27, 12, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    for i in 0..prior {
        let paragraphs: Vec<String> = (0..6).map(|p| paragraph(&mut rng, i * 6 + p)).collect();
        let source = format!("outlet{}", i % 40);
        let item = format!("item{i}");
        engine.process(&DocInput {
            source: &source,
            item: &item,
            url: "https://example.org/",
            title: Some("Summit talks continue"),
            paragraphs: &paragraphs,
            date: start + Duration::minutes(i as i64),
        });
    }
    let mut article = Vec::new();
    while article.iter().map(String::len).sum::<usize>() < 10_000 {
        article.push(paragraph(&mut rng, article.len()));
    }
    let bytes = article.iter().map(String::len).sum();
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let mut fresh = engine.clone();
            let started = Instant::now();
            fresh.process(&DocInput {
                source: "wire",
                item: "article",
                url: "https://example.org/a",
                title: Some("Summit set for Helsinki"),
                paragraphs: &article,
                date: start + Duration::days(1),
            });
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| super::quantile(&times, q);
    EngineReport {
        prior_documents: prior,
        article_bytes: bytes,
        runs,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        mean_ms: times.iter().sum::<f64>() / times.len().max(1) as f64,
    }
}
