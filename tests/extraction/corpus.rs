//! The copied Scrapinghub benchmark pages and their gold text.

use std::io::Read;
use std::path::{Path, PathBuf};

/// One benchmark page: its HTML, address and gold article text.
pub struct Page {
    pub id: String,
    pub url: String,
    pub html: String,
    pub gold: String,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/article-extraction")
}

/// All pages of the corpus, in id order.
pub fn corpus() -> Vec<Page> {
    let dir = corpus_dir();
    let truth = std::fs::read_to_string(dir.join("ground-truth.json")).expect("ground truth");
    let truth: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&truth).expect("ground truth is JSON");
    let mut pages: Vec<Page> = truth
        .into_iter()
        .map(|(id, entry)| {
            let path = dir.join("html").join(format!("{id}.html.gz"));
            let file = std::fs::File::open(&path).expect("corpus page");
            let mut html = String::new();
            flate2::read::GzDecoder::new(file)
                .read_to_string(&mut html)
                .expect("gzip of UTF-8 HTML");
            let text = |key: &str| entry[key].as_str().unwrap_or_default().to_owned();
            Page {
                url: text("url"),
                gold: text("articleBody"),
                html,
                id,
            }
        })
        .collect();
    pages.sort_by(|a, b| a.id.cmp(&b.id));
    pages
}

/// Worker threads for scoring: the machine's cores, at least two.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().max(2))
}
