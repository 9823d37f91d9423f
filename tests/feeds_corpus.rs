//! Every feed of the corpus in `tests/data/feeds` parses; the news feeds yield items with a
//! title, a link, a date and text.

use std::path::{Path, PathBuf};

use herald::domain::SourceKind;
use herald::sources::{ParseSpec, parse::parse};

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/feeds");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).expect("corpus dir") {
        let dir = dir.expect("entry").path();
        // `xml/` holds fixtures of feed-rs's XML reader (a book catalogue, a bare <rdf>), not feeds.
        if !dir.is_dir() || dir.ends_with("xml") {
            continue;
        }
        for file in std::fs::read_dir(&dir).expect("feed dir") {
            let path = file.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if (name.ends_with(".xml") || name.ends_with(".json")) && !name.ends_with(".serde.json")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A source of this kind at `url`, without a content type or a selector.
fn spec_for(kind: SourceKind, url: &url::Url) -> ParseSpec<'_> {
    ParseSpec {
        kind,
        url,
        content_type: None,
        selector: None,
        json: None,
        fetched_at: chrono::Utc::now(),
    }
}

/// An RSS 2.0 feed of one item with this title; `more` goes inside the item.
fn one_item_feed(title: &str, more: &str) -> String {
    format!(
        "<rss version=\"2.0\"><channel><title>T</title><item><title>{title}</title>\
         <link>https://feeds.example.org/1</link>{more}</item></channel></rss>"
    )
}

fn parse_file(path: &Path) -> Result<herald::sources::Parsed, herald::sources::ParseError> {
    let url = url::Url::parse("https://feeds.example.org/feed").expect("url");
    let spec = spec_for(SourceKind::Feed, &url);
    parse(&spec, &std::fs::read(path).expect("read"))
}

#[test]
fn every_feed_in_the_corpus_parses() {
    let files = corpus();
    assert!(files.len() >= 60, "corpus is there ({} files)", files.len());
    let mut failures: Vec<String> = Vec::new();
    for path in &files {
        let result = parse_file(path);
        // The corpus keeps one deliberately truncated feed: it must fail, and say so clearly.
        if path.ends_with("rss_2.0_invalid_1.xml") {
            let err = result.expect_err("the truncated feed is refused");
            assert!(err.to_string().starts_with("invalid XML at line"), "{err}");
            continue;
        }
        if let Err(e) = result {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn news_feeds_yield_complete_items() {
    for name in [
        "rss2/rss_2.0_bbc.xml",
        "rss2/rss_2.0_spiegel.xml",
        "rss2/rss_2.0_nbcny.xml",
        "rss2/rss_2.0_ilgiornale.xml",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/feeds")
            .join(name);
        let parsed = parse_file(&path).expect(name);
        // The corpus keeps one item of each real feed.
        assert!(!parsed.documents.is_empty(), "{name}: no items");
        for doc in &parsed.documents {
            assert!(
                doc.title.as_deref().is_some_and(|t| !t.is_empty()),
                "{name}: title"
            );
            assert!(doc.url.starts_with("http"), "{name}: link {}", doc.url);
            assert!(doc.published.is_some(), "{name}: date of {:?}", doc.title);
            assert!(
                !doc.paragraphs.is_empty(),
                "{name}: text of {:?}",
                doc.title
            );
        }
    }
}

#[test]
fn broken_feeds_say_where() {
    let url = url::Url::parse("https://feeds.example.org/feed").expect("url");
    let spec = ParseSpec {
        kind: SourceKind::Feed,
        url: &url,
        content_type: Some("application/rss+xml"),
        selector: None,
        json: None,
        fetched_at: chrono::Utc::now(),
    };
    let broken = b"<?xml version=\"1.0\"?>\n<rss version=\"2.0\">\n<channel><title>x</title>\n<item><title>a</titl></item>\n</channel></rss>";
    let err = parse(&spec, broken).expect_err("broken XML");
    assert!(
        err.to_string().starts_with("invalid XML at line 4"),
        "{err}"
    );
    let html = b"<!doctype html><html><body>Not a feed</body></html>";
    let err = parse(&spec, html).expect_err("HTML is not a feed");
    assert!(err.to_string().contains("expected a feed"), "{err}");
    for garbage in [&b""[..], b"\xff\xfe\x00", b"{", b"<rss><channel>"] {
        assert!(parse(&spec, garbage).is_err(), "{garbage:?}");
    }
}

thread_local! {
    static PANICKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Parses `bytes` and says whether anything panicked on the way, even a panic the parser caught
/// itself (the feed parser guards the XML reader with `catch_unwind`, so the result alone would
/// not show one).
fn panics_while_parsing(spec: &ParseSpec<'_>, bytes: &[u8]) -> bool {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.with(|p| p.set(true));
            previous(info);
        }));
    });
    PANICKED.with(|p| p.set(false));
    let unwound = std::panic::catch_unwind(|| parse(spec, bytes).map(|p| p.documents.len()));
    unwound.is_err() || PANICKED.with(std::cell::Cell::get)
}

/// Inputs that once made a parser panic (found by fuzzing): each must now parse or be a clear
/// error, without a panic anywhere inside. `page-1`, `page-2` and `feed-7` sliced a string inside
/// a character in dom_smoothie, rs-trafilatura and feed-rs, and `page-3` cut rs-trafilatura's
/// length limit inside one (fixed in `vendor/`).
#[test]
fn fuzz_regressions_are_errors_not_panics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions");
    let url = url::Url::parse("https://feeds.example.org/feed").expect("url");
    let mut tried = 0;
    for entry in std::fs::read_dir(dir).expect("regressions") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let kind = match name.split('-').next() {
            Some("page") => SourceKind::Page,
            Some("json") => SourceKind::Json,
            _ => SourceKind::Feed,
        };
        let spec = spec_for(kind, &url);
        let bytes = std::fs::read(&path).expect("read");
        assert!(!panics_while_parsing(&spec, &bytes), "{name} panics");
        tried += 1;
    }
    assert!(tried >= 10, "only {tried} regression inputs");
}

/// Declarations after byte-order marks: a feed written out with two marks still parses; a
/// declaration that is not at the start, whether seen in the bytes or only once UTF-16 is
/// decoded, is refused before the XML reader could switch encodings mid-stream.
#[test]
fn declarations_after_byte_order_marks() {
    let url = url::Url::parse("https://feeds.example.org/feed").expect("url");
    let spec = spec_for(SourceKind::Feed, &url);
    let rss = one_item_feed("Caf\u{e9}", "");
    let latin1 = format!("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>{rss}");

    let mut twice = b"\xEF\xBB\xBF\xEF\xBB\xBF \n".to_vec();
    twice.extend_from_slice(latin1.as_bytes());
    assert!(!panics_while_parsing(&spec, &twice));
    let parsed = parse(&spec, &twice).expect("two marks, then a declaration");
    assert_eq!(parsed.documents[0].title.as_deref(), Some("Caf\u{e9}"));

    let mut stray = b"\xEF\xBB\xBF\xEF\xBB\xBF\xEF".to_vec();
    stray.extend_from_slice(latin1.as_bytes());
    assert!(!panics_while_parsing(&spec, &stray));
    let err = parse(&spec, &stray).expect_err("a stray byte before the declaration");
    assert!(err.to_string().contains("not at the start"), "{err}");

    let inner = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss><channel>{latin1}</channel></rss>"
    );
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(inner.encode_utf16().flat_map(u16::to_le_bytes));
    assert!(!panics_while_parsing(&spec, &utf16));
    let err = parse(&spec, &utf16).expect_err("a second declaration inside");
    assert!(err.to_string().contains("not at the start"), "{err}");
}

/// feed-rs 3.0.0 cut one byte off an author's name next to the e-mail address, inside a
/// delimiter that takes more (fixed in `vendor/feed-rs`): the feed now parses.
#[test]
fn authors_with_wide_delimiters() {
    let url = url::Url::parse("https://feeds.example.org/feed").expect("url");
    let spec = spec_for(SourceKind::Feed, &url);
    for author in [
        "jane@example.org\u{ff08}Jane Doe\u{ff09}",
        "\u{ff08}Jane Doe\u{ff09}jane@example.org",
    ] {
        let rss = one_item_feed("Floods", &format!("<author>{author}</author>"));
        assert!(!panics_while_parsing(&spec, rss.as_bytes()), "{author}");
        let parsed = parse(&spec, rss.as_bytes()).expect("a feed with an author");
        assert_eq!(parsed.documents[0].title.as_deref(), Some("Floods"));
    }
}

/// The server's `charset` decodes a feed that names no encoding itself; a byte-order mark or
/// the XML declaration, written with the document, still come first.
#[test]
fn server_charset_fills_in_where_the_feed_names_none() {
    let url = url::Url::parse("https://feeds.example.org/feed").expect("url");
    let title_with = |content_type: Option<&str>, body: &[u8]| {
        let spec = ParseSpec {
            content_type,
            ..spec_for(SourceKind::Feed, &url)
        };
        let parsed = parse(&spec, body).expect("the feed parses");
        parsed.documents[0].title.clone().expect("a title")
    };
    let rss = |title: &str| one_item_feed(title, "");
    let cyrillic = "Саммит в Хельсинки";
    let plain = rss(cyrillic);
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(&plain);
    assert_eq!(
        title_with(Some("application/rss+xml; charset=windows-1251"), &cp1251),
        cyrillic
    );
    assert_eq!(
        title_with(Some("text/xml; Charset=\"CP1251\""), &cp1251),
        cyrillic
    );
    assert!(title_with(None, &cp1251).contains('\u{fffd}'));

    let bare = format!("<?xml version=\"1.0\"?>{}", rss(cyrillic));
    let (bare_cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(&bare);
    assert_eq!(
        title_with(Some("text/xml; charset=windows-1251"), &bare_cp1251),
        cyrillic
    );

    // A default charset the server never checked against the file loses to the declaration.
    let declared = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", rss("Café"));
    assert_eq!(
        title_with(Some("text/xml; charset=iso-8859-1"), declared.as_bytes()),
        "Café"
    );
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(rss("Café").encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(
        title_with(Some("text/xml; charset=windows-1251"), &utf16),
        "Café"
    );
    // An unknown label is no charset.
    assert_eq!(
        title_with(Some("text/xml; charset=x-unknown"), rss("Café").as_bytes()),
        "Café"
    );
}
