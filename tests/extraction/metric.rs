//! The benchmark's shingle metric: four-token shingles compared as multisets.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::corpus_support::{Page, threads};

const SHINGLE: usize = 4;

/// True positives, false positives and false negatives of one page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub tp: f64,
    pub fp: f64,
    pub fn_: f64,
}

/// Word tokens as the benchmark's `\w+` finds them.
fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect()
}

/// Shingle counts; a text shorter than a shingle is one short shingle, as in the benchmark.
fn shingles(text: &str) -> HashMap<Vec<&str>, i64> {
    let tokens = tokens(text);
    let mut counts = HashMap::new();
    if tokens.len() < SHINGLE {
        if !tokens.is_empty() {
            counts.insert(tokens, 1);
        }
        return counts;
    }
    for window in tokens.windows(SHINGLE) {
        *counts.entry(window.to_vec()).or_insert(0) += 1;
    }
    counts
}

/// Shingle matching between the gold text and an extraction.
pub fn compare(gold: &str, extracted: &str) -> Counts {
    let gold = shingles(gold);
    let extracted = shingles(extracted);
    let mut counts = Counts::default();
    for (shingle, &g) in &gold {
        let e = extracted.get(shingle).copied().unwrap_or(0);
        counts.tp += g.min(e) as f64;
        counts.fn_ += (g - e).max(0) as f64;
    }
    for (shingle, &e) in &extracted {
        let g = gold.get(shingle).copied().unwrap_or(0);
        counts.fp += (e - g).max(0) as f64;
    }
    counts
}

/// Runs `extract` on one page and compares with its gold text. Soft hyphens are dropped first,
/// as the benchmark's runner does.
pub fn score(page: &Page, extract: fn(&Page) -> String) -> Counts {
    compare(&page.gold, &extract(page).replace('\u{ad}', ""))
}

/// [`score`] over all pages on [`threads`] workers (debug builds are slow).
pub fn score_in_parallel(pages: &[Page], extract: fn(&Page) -> String) -> Vec<Counts> {
    let next = AtomicUsize::new(0);
    let mut scored: Vec<(usize, Counts)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads())
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(page) = pages.get(i) else { break mine };
                        mine.push((i, score(page, extract)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("scoring thread"))
            .collect()
    });
    scored.sort_by_key(|(i, _)| *i);
    scored.into_iter().map(|(_, c)| c).collect()
}

/// Counts summed over pages (micro) plus the per-page means the benchmark script reports.
pub struct Totals {
    sum: Counts,
    precisions: Vec<f64>,
    recalls: Vec<f64>,
}

impl Totals {
    pub fn sum(pages: &[Counts]) -> Self {
        let mut totals = Totals {
            sum: Counts::default(),
            precisions: Vec::new(),
            recalls: Vec::new(),
        };
        for c in pages {
            totals.sum.tp += c.tp;
            totals.sum.fp += c.fp;
            totals.sum.fn_ += c.fn_;
            let perfect = c.fp == 0.0 && c.fn_ == 0.0;
            if c.tp + c.fp > 0.0 {
                totals
                    .precisions
                    .push(if perfect { 1.0 } else { c.tp / (c.tp + c.fp) });
            }
            if c.tp + c.fn_ > 0.0 {
                totals
                    .recalls
                    .push(if perfect { 1.0 } else { c.tp / (c.tp + c.fn_) });
            }
        }
        totals
    }

    pub fn precision(&self) -> f64 {
        self.sum.tp / (self.sum.tp + self.sum.fp).max(1.0)
    }

    pub fn recall(&self) -> f64 {
        self.sum.tp / (self.sum.tp + self.sum.fn_).max(1.0)
    }

    pub fn f1(&self) -> f64 {
        harmonic(self.precision(), self.recall())
    }

    pub fn mean_precision(&self) -> f64 {
        mean(&self.precisions)
    }

    pub fn mean_recall(&self) -> f64 {
        mean(&self.recalls)
    }

    pub fn mean_f1(&self) -> f64 {
        harmonic(self.mean_precision(), self.mean_recall())
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / (values.len().max(1) as f64)
}

fn harmonic(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

#[test]
fn metric_matches_the_benchmark_definition() {
    let perfect = compare("one two three four five", "one two three four five");
    assert_eq!((perfect.tp, perfect.fp, perfect.fn_), (2.0, 0.0, 0.0));
    let half = compare("a b c d e f", "a b c d x y z w");
    assert_eq!((half.tp, half.fp, half.fn_), (1.0, 4.0, 2.0));
    let repeated = compare("w w w w w", "w w w w");
    assert_eq!((repeated.tp, repeated.fp, repeated.fn_), (1.0, 0.0, 1.0));
    let short = compare("just two", "just two");
    assert_eq!((short.tp, short.fp, short.fn_), (1.0, 0.0, 0.0));
}
