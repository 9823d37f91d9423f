//! Feed parsing (RSS, Atom, JSON Feed) of arbitrary bytes: errors are fine, panics are not.

#![no_main]

use herald::domain::SourceKind;
use herald::sources::ParseSpec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let url = url::Url::parse("https://news.example.org/feed.xml").expect("a valid URL");
    // Without a header, and with a server charset that reads the bytes very differently.
    for content_type in [None, Some("application/rss+xml; charset=utf-16le")] {
        let spec = ParseSpec {
            kind: SourceKind::Feed,
            url: &url,
            content_type,
            selector: None,
            json: None,
            fetched_at: chrono::Utc::now(),
        };
        let _ = herald::sources::parse::parse(&spec, data);
    }
});
