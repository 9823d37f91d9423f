//! Fact extraction and the diff engine: arbitrary text as two documents of a story, the second
//! compared with what the first taught it (dates, places, quantities, events, hedges).

#![no_main]

use chrono::{TimeZone, Utc};
use herald::engine::{DocInput, Story, StoryEngine, Thresholds};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Lines become paragraphs; the first line is the title. Split in two documents at `\x00`.
    let (first, second) = text.split_once('\0').unwrap_or((&text, ""));
    let story = Story {
        name: "Fuzzed story".into(),
        keywords: vec![],
        any_keywords: vec![],
        ..Story::default()
    };
    let mut engine = StoryEngine::new(story, &Thresholds::default());
    let date = Utc
        .with_ymd_and_hms(2018, 6, 27, 12, 0, 0)
        .single()
        .unwrap_or_default();
    for (i, doc) in [first, second].into_iter().enumerate() {
        let mut lines = doc.lines();
        let title = lines.next();
        let paragraphs: Vec<String> = lines.map(str::to_owned).collect();
        let input = DocInput {
            source: if i == 0 { "one" } else { "two" },
            item: "item",
            url: "https://news.example.org/a",
            title,
            paragraphs: &paragraphs,
            date,
        };
        let _ = engine.process(&input);
    }
});
