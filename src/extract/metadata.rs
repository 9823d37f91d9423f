//! A page's headline and its published/modified dates, from the places news sites declare
//! them: Open Graph and article meta tags, microdata, JSON-LD, and `<time>` in the article.

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use super::dates;
use super::paragraphs::fold;
use chrono::{DateTime, Utc};

/// Title and dates of a page; each may be missing.
#[derive(Debug, Default)]
pub struct Metadata {
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
}

/// Where the publication date may be, most specific first.
const PUBLISHED: &[&str] = &[
    r#"meta[property="article:published_time"]"#,
    r#"meta[name="article:published_time"]"#,
    r#"[itemprop="datePublished"]"#,
    r#"meta[name="date"]"#,
    r#"meta[name="pubdate"]"#,
    r#"meta[name="publish-date"]"#,
    r#"meta[name="dc.date"], meta[name="DC.date"], meta[name="dcterms.created"]"#,
];

/// Where the modification date may be, most specific first.
const MODIFIED: &[&str] = &[
    r#"meta[property="article:modified_time"]"#,
    r#"meta[name="article:modified_time"]"#,
    r#"meta[property="og:updated_time"]"#,
    r#"[itemprop="dateModified"]"#,
    r#"meta[name="last-modified"], meta[name="dcterms.modified"]"#,
];

/// A `<time>` inside the article stands for the publication date when nothing declares one.
const ARTICLE_TIME: &str = "article time[datetime], main time[datetime]";

const TITLES: &[&str] = &[
    r#"meta[property="og:title"]"#,
    r#"meta[name="og:title"]"#,
    "h1",
    "title",
];

/// JSON-LD blocks larger than this are not read for dates.
const MAX_JSON_LD_BYTES: usize = 1024 * 1024;

impl Metadata {
    pub fn of_document(document: &Html) -> Self {
        let json_ld = JsonLdDates::of(document);
        Self {
            title: TITLES.iter().find_map(|s| first_text(document, s)),
            published: first_date(document, PUBLISHED)
                .or(json_ld.published)
                .or_else(|| first_date(document, &[ARTICLE_TIME])),
            modified: first_date(document, MODIFIED).or(json_ld.modified),
        }
    }
}

/// The first date any of `selectors` yields, trying them in order.
fn first_date(document: &Html, selectors: &[&str]) -> Option<DateTime<Utc>> {
    selectors.iter().find_map(|s| {
        let selector = Selector::parse(s).ok()?;
        document.select(&selector).find_map(date_of)
    })
}

/// A date from an element: `content` (meta), `datetime` (time), else its text.
fn date_of(element: ElementRef<'_>) -> Option<DateTime<Utc>> {
    let value = element.value();
    match value.attr("content").or_else(|| value.attr("datetime")) {
        Some(attr) => dates::parse(attr),
        None => dates::parse(&element.text().take(8).collect::<String>()),
    }
}

/// The first non-empty title from `selector`: a meta tag's `content`, else element text.
fn first_text(document: &Html, selector: &str) -> Option<String> {
    let selector = Selector::parse(selector).ok()?;
    document.select(&selector).find_map(|element| {
        let text = match element.value().attr("content") {
            Some(content) => fold(content),
            None => fold(&element.text().collect::<String>()),
        };
        (!text.is_empty()).then_some(text)
    })
}

/// `datePublished`/`dateModified` from JSON-LD, preferring the article object over others
/// (a page's JSON-LD also describes the site, breadcrumbs, videos).
#[derive(Default)]
struct JsonLdDates {
    published: Option<DateTime<Utc>>,
    modified: Option<DateTime<Utc>>,
}

impl JsonLdDates {
    fn of(document: &Html) -> Self {
        let Ok(selector) = Selector::parse(r#"script[type="application/ld+json"]"#) else {
            return Self::default();
        };
        let documents: Vec<Value> = document
            .select(&selector)
            .map(|script| script.text().collect::<String>())
            .filter(|text| text.len() <= MAX_JSON_LD_BYTES)
            // serde_json stops at 128 levels of nesting, so hostile JSON cannot go deep.
            .filter_map(|text| serde_json::from_str(text.trim()).ok())
            .collect();
        let mut objects = Vec::new();
        for value in &documents {
            collect_objects(value, &mut objects);
        }
        objects.sort_by_key(|o| !is_article(o));
        let date = |key: &str| {
            objects
                .iter()
                .find_map(|o| o.get(key).and_then(Value::as_str).and_then(dates::parse))
        };
        Self {
            published: date("datePublished"),
            modified: date("dateModified"),
        }
    }
}

/// Every JSON object in `value` that carries a date, in document order.
fn collect_objects<'a>(value: &'a Value, into: &mut Vec<&'a serde_json::Map<String, Value>>) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if map.contains_key("datePublished") || map.contains_key("dateModified") {
                    into.push(map);
                }
                stack.extend(map.values().rev());
            }
            Value::Array(items) => stack.extend(items.iter().rev()),
            _ => {}
        }
    }
}

fn is_article(object: &serde_json::Map<String, Value>) -> bool {
    let named = |v: &Value| {
        v.as_str()
            .is_some_and(|t| t.ends_with("Article") || t == "BlogPosting" || t == "Report")
    };
    match object.get("@type") {
        Some(Value::Array(types)) => types.iter().any(named),
        Some(t) => named(t),
        None => false,
    }
}
