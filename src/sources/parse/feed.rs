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
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(spec.url.as_str()))
        .timestamp_parser(super::timestamp::parse)
        .build();
    let feed = parser.parse(body).map_err(|e| explain(e, body))?;
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
