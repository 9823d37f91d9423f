//! HTML pages: the page parser, without a selector (the article extractor) and with a fixed one,
//! then the selector extractor with a selector taken from the input's first line.

#![no_main]

use herald::domain::SourceKind;
use herald::sources::ParseSpec;
use libfuzzer_sys::fuzz_target;

const SELECTORS: [&str; 4] = [
    "body",
    "article p",
    "div.story > p:nth-child(2n+1)",
    "h1, h2",
];

fuzz_target!(|data: &[u8]| {
    let url = url::Url::parse("https://news.example.org/story/1").expect("a valid URL");
    let selector = SELECTORS[data.first().copied().unwrap_or(0) as usize % SELECTORS.len()];
    for selector in [None, Some(selector)] {
        let spec = ParseSpec {
            kind: SourceKind::Page,
            url: &url,
            content_type: Some("text/html"),
            selector,
            json: None,
            fetched_at: chrono::Utc::now(),
        };
        let _ = herald::sources::parse::parse(&spec, data);
    }
    // The parser above already ran the article extractor and the selector on the decoded page.
    // "selector\nhtml": the selector parser sees hostile input too.
    let html = String::from_utf8_lossy(data);
    if let Some((first, rest)) = html.split_once('\n')
        && first.len() <= 200
    {
        let _ = herald::extract::with_selector(rest, first);
    }
});
