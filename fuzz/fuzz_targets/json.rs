//! JSON API sources: fixed field paths on arbitrary bytes, and paths taken from the input.

#![no_main]

use herald::domain::{JsonFields, SourceKind};
use herald::sources::ParseSpec;
use libfuzzer_sys::fuzz_target;

fn parse(fields: &JsonFields, body: &[u8]) {
    let url = url::Url::parse("https://api.example.org/news").expect("a valid URL");
    let spec = ParseSpec {
        kind: SourceKind::Json,
        url: &url,
        content_type: Some("application/json"),
        selector: None,
        json: Some(fields),
        fetched_at: chrono::Utc::now(),
    };
    let _ = herald::sources::parse::parse(&spec, body);
}

fuzz_target!(|data: &[u8]| {
    let fixed = JsonFields {
        items: "data.items".into(),
        text: vec!["title".into(), "body".into()],
        title: Some("title".into()),
        url: Some("link".into()),
        id: Some("id".into()),
        date: Some("ts".into()),
    };
    parse(&fixed, data);
    // "items path\nbody": paths in both forms (`a.0.b`, `/a/0/b`) meet hostile input.
    if let Some(at) = data.iter().take(128).position(|b| *b == b'\n') {
        let path = String::from_utf8_lossy(&data[..at]).into_owned();
        let from_input = JsonFields {
            items: path.clone(),
            text: vec![path.clone(), "body".into()],
            date: Some(path),
            ..fixed
        };
        parse(&from_input, &data[at + 1..]);
    }
});
