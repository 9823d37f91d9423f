//! `herald bench pages`: main-text extraction time on pages built to be slow, the shapes that
//! deep nesting makes expensive for the extractors (see `crate::extract`), next to flat pages
//! of the same size.

use std::time::Instant;

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct PagesReport {
    pub runs: usize,
    pub pages: Vec<PageTiming>,
}

#[derive(Debug, Serialize)]
pub struct PageTiming {
    pub shape: &'static str,
    pub bytes: usize,
    /// Paragraphs extracted (0 when the page yields no article).
    pub paragraphs: usize,
    pub median_ms: f64,
    pub max_ms: f64,
}

/// Paragraphs under the nested elements: under the 40,000 elements rs-trafilatura is given
/// (0.7 MB), or a page just under Herald's 5 MB cap, which dom_smoothie reads alone.
const SMALL: usize = 39_000;
const LARGE: usize = 250_000;

/// Each shape: a name, the element opened again and again without being closed, how many
/// times, and how many paragraphs follow.
const SHAPES: [(&str, &str, usize, usize); 9] = [
    ("flat, 0.7 MB", "", 0, SMALL),
    (
        "250 nested <header>, 0.7 MB",
        "<header class=\"masthead\">Summit ",
        250,
        SMALL,
    ),
    (
        "250 nested <footer>, 0.7 MB",
        "<footer class=\"credits\">Summit ",
        250,
        SMALL,
    ),
    (
        "250 nested <div class>, 0.7 MB",
        "<div class=\"story-body\">Summit ",
        250,
        SMALL,
    ),
    (
        "125 nested <ul><li>, 0.7 MB",
        "<ul class=\"updates\"><li>Summit ",
        125,
        SMALL,
    ),
    (
        "250 nested <div><a>, 0.7 MB",
        "<div><a href=\"/more\">More</a> Summit ",
        250,
        SMALL,
    ),
    // Under the nesting budget: left as it is for the extractors.
    (
        "100 nested <header>, 30,000 paragraphs",
        "<header class=\"masthead\">Summit ",
        100,
        30_000,
    ),
    ("flat, 4.8 MB", "", 0, LARGE),
    (
        "250 nested <div class>, 4.8 MB",
        "<div class=\"story-body\">Summit ",
        250,
        LARGE,
    ),
];

fn page(open: &str, times: usize, paragraphs: usize) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html><head><title>Summit set for Helsinki</title></head><body><article>",
    );
    html.push_str(&open.repeat(times));
    html.push_str(&"<p>Talks go on.</p>".repeat(paragraphs));
    html
}

pub fn run(runs: usize) -> PagesReport {
    let url = url::Url::parse("https://news.example.org/summit").ok();
    let runs = runs.max(1);
    let pages = SHAPES
        .iter()
        .map(|&(shape, open, times, paragraphs)| {
            let html = page(open, times, paragraphs);
            let mut extracted = 0;
            let mut times: Vec<f64> = (0..runs)
                .map(|_| {
                    let started = Instant::now();
                    extracted = crate::extract::article(&html, url.as_ref())
                        .map_or(0, |e| e.paragraphs.len());
                    started.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            times.sort_by(f64::total_cmp);
            PageTiming {
                shape,
                bytes: html.len(),
                paragraphs: extracted,
                median_ms: super::quantile(&times, 0.5),
                max_ms: times.last().copied().unwrap_or_default(),
            }
        })
        .collect();
    PagesReport { runs, pages }
}
