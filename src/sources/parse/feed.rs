//! RSS 0.9x/1.0/2.0, Atom and JSON Feed through `feed-rs`.

use feed_rs::parser::ParseFeedError;

use super::{ParseError, ParseSpec, Parsed, fragment_paragraphs, line_of};
use crate::domain::Document;

/// Links a feed advertises for WebSub (W3C): its hub and its canonical self URL.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FeedLinks {
    pub hub: Option<String>,
    pub this: Option<String>,
}

pub(super) fn parse(spec: &ParseSpec<'_>, body: &[u8]) -> Result<Parsed, ParseError> {
    if looks_like_html(body) {
        let got = spec.content_type.unwrap_or("an HTML page").to_owned();
        return Err(ParseError::WrongContentType {
            expected: "a feed (RSS, Atom or JSON Feed)",
            got,
        });
    }
    misplaced_declaration(body)?;
    let body = &*as_utf8(
        body,
        crate::sources::charset::header_charset(spec.content_type),
    );
    // Again on the text the reader gets: in UTF-16 a second declaration only shows once decoded.
    misplaced_declaration(body)?;
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(spec.url.as_str()))
        .timestamp_parser(super::timestamp::parse)
        .build();
    // quick-xml (inside feed-rs) panics on some malformed declarations instead of failing;
    // the checks above catch the known forms, this keeps any other one an error.
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(body)))
        .map_err(|_| ParseError::NotAFeed("the XML reader could not read this document".into()))?;
    let feed = parsed.map_err(|e| explain(e, body))?;
    let link = |rel: &str| {
        feed.links
            .iter()
            .find(|l| l.rel.as_deref() == Some(rel))
            .map(|l| l.href.clone())
    };
    let links = FeedLinks {
        hub: link("hub"),
        this: link("self"),
    };
    let documents = feed
        .entries
        .into_iter()
        .map(|entry| {
            let url = entry
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(entry.links.first())
                .map_or_else(|| spec.url.to_string(), |l| l.href.clone());
            let html = entry
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
                .unwrap_or_default();
            let item_key = if entry.id.is_empty() {
                url.clone()
            } else {
                entry.id.clone()
            };
            Document {
                item_key,
                url,
                title: entry.title.map(|t| fold(&t.content)),
                published: entry.published.or(entry.updated),
                paragraphs: fragment_paragraphs(&html),
                fetched_at: spec.fetched_at,
            }
        })
        .collect();
    Ok(Parsed { documents, links })
}

/// The feed as UTF-8 without its XML declaration: decoded here from the encoding a byte-order
/// mark, else the declaration, else the server's `charset` names, so the XML reader never
/// switches encodings. Bytes that are not valid in that encoding become U+FFFD.
///
/// RFC 7303 puts the server's charset before the declaration. Servers often send a default
/// charset they never checked against the file (`text/xml; charset=iso-8859-1` for UTF-8), while
/// the declaration is written with the document, so the header only fills in where the
/// document names no encoding of its own, as in feeds with no declaration at all.
fn as_utf8<'a>(
    body: &'a [u8],
    header: Option<&'static encoding_rs::Encoding>,
) -> std::borrow::Cow<'a, [u8]> {
    use std::borrow::Cow;
    let start = prolog_end(body);
    // A whole declaration at the start, with the encoding it names if that is one we know.
    let declared = body[start..]
        .starts_with(b"<?xml")
        .then(|| {
            let end = body[start..]
                .windows(2)
                .position(|w| w == b"?>")
                .map(|e| start + e + 2)?;
            let declaration = String::from_utf8_lossy(&body[start..end]).to_ascii_lowercase();
            Some(declaration.split("encoding").nth(1).and_then(|rest| {
                let rest = rest.trim_start().strip_prefix('=')?.trim_start();
                let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
                let label = rest[1..].split(quote).next()?;
                encoding_rs::Encoding::for_label(label.trim().as_bytes())
            }))
        })
        .flatten();
    let bom = encoding_rs::Encoding::for_bom(body).map(|(encoding, _)| encoding);
    let encoding = match (bom, declared) {
        (Some(encoding), _) => Some(encoding),
        (None, Some(named)) => Some(named.or(header).unwrap_or(encoding_rs::UTF_8)),
        (None, None) => header.filter(|encoding| *encoding != encoding_rs::UTF_8),
    };
    match encoding {
        Some(encoding) => Cow::Owned(strip_declaration(&encoding.decode(body).0)),
        // UTF-8 by default (XML 1.0, 4.3.3). Bytes that are not are replaced here: quick-xml
        // reads on after its decoding error and, finding a declaration further on, would try
        // to switch encodings mid-stream (a panic).
        None => match String::from_utf8_lossy(body) {
            Cow::Borrowed(_) => Cow::Borrowed(body),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        },
    }
}

fn strip_declaration(text: &str) -> Vec<u8> {
    let trimmed = text.trim_start_matches(|c: char| c == '\u{feff}' || c.is_ascii_whitespace());
    let rest = trimmed
        .strip_prefix("<?xml")
        .and_then(|r| r.split_once("?>"))
        .map_or(trimmed, |(_, after)| after);
    rest.as_bytes().to_vec()
}

/// An XML declaration is only allowed once, at the very start, with one encoding. Anything
/// else would make the XML reader change its encoding mid-stream, which it cannot do (it
/// panics): refuse such input first.
fn misplaced_declaration(body: &[u8]) -> Result<(), ParseError> {
    let is_declaration =
        |w: &[u8]| w[..5].eq_ignore_ascii_case(b"<?xml") && w[5].is_ascii_whitespace();
    let start = prolog_end(body);
    let bad = |at: usize, reason: &str| {
        Err(ParseError::Xml {
            line: line_of(body, at),
            reason: reason.to_owned(),
        })
    };
    if let Some((at, _)) = body
        .windows(6)
        .enumerate()
        .skip(start + 1)
        .find(|(_, w)| is_declaration(w))
    {
        return bad(at, "XML declaration not at the start");
    }
    if body.len() > start + 6 && is_declaration(&body[start..start + 6]) {
        let end = body[start..]
            .windows(2)
            .position(|w| w == b"?>")
            .map_or(body.len(), |e| start + e);
        let declaration = String::from_utf8_lossy(&body[start..end]).to_ascii_lowercase();
        if declaration.matches("encoding").count() > 1 {
            return bad(start, "XML declaration names its encoding twice");
        }
    }
    Ok(())
}

/// Where the document proper starts: after any whitespace and UTF-8 byte-order marks (a feed
/// written out twice by a careless pipeline can carry two). A declaration is at the start only
/// here; `as_utf8` removes it from there, and anywhere else it is refused.
fn prolog_end(body: &[u8]) -> usize {
    let mut at = 0;
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"\xEF\xBB\xBF") {
            at += 3;
        } else if rest.first().is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        } else {
            return at;
        }
    }
}

fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn looks_like_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// feed-rs does not say where XML broke: scan again with quick-xml to find the line.
fn explain(err: ParseFeedError, body: &[u8]) -> ParseError {
    match err {
        ParseFeedError::XmlReader(reason) => {
            let (line, detail) = locate_xml_error(body).unwrap_or((1, reason.to_string()));
            ParseError::Xml {
                line,
                reason: detail,
            }
        }
        ParseFeedError::JsonSerde(e) => ParseError::Json {
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
        },
        ParseFeedError::ParseError(kind) => match locate_xml_error(body) {
            Some((line, detail)) => ParseError::Xml {
                line,
                reason: detail,
            },
            None => ParseError::NotAFeed(kind.to_string()),
        },
        other => ParseError::NotAFeed(other.to_string()),
    }
}

fn locate_xml_error(body: &[u8]) -> Option<(usize, String)> {
    let mut reader = quick_xml::Reader::from_reader(body);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Eof) => return None,
            Ok(_) => buf.clear(),
            Err(e) => {
                return Some((
                    line_of(body, reader.error_position() as usize),
                    e.to_string(),
                ));
            }
        }
    }
}
