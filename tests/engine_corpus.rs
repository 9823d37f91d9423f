//! The diff engine against the labelled story timelines in `tests/corpus`: precision and
//! recall of its alerts with the default thresholds.

use std::path::Path;

use herald::engine::Thresholds;
use herald::engine::replay::{load_story, replay, snapshot_files};
use serde::Deserialize;

#[derive(Deserialize)]
struct Expected {
    doc: Vec<Label>,
}

#[derive(Deserialize)]
struct Label {
    file: String,
    alert: bool,
    why: String,
}

/// The goal for both (measured: precision 0.983, recall 0.958).
const PRECISION_FLOOR: f64 = 0.95;
const RECALL_FLOOR: f64 = 0.95;

#[test]
fn alerts_match_the_labels() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut stories: Vec<_> = std::fs::read_dir(&root)
        .expect("corpus")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    stories.sort();
    assert!(
        stories.len() >= 30,
        "at least 30 timelines, found {}",
        stories.len()
    );
    let (mut tp, mut fp, mut fn_, mut documents) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    for dir in &stories {
        let story = load_story(&dir.join("story.toml")).expect("story");
        let expected: Expected =
            toml::from_str(&std::fs::read_to_string(dir.join("expected.toml")).expect("labels"))
                .expect("labels parse");
        let files = snapshot_files(&dir.join("docs")).expect("docs");
        let lines = replay(story, &files, &Thresholds::default()).expect("replay");
        for (line, label) in lines.iter().zip(&expected.doc) {
            assert_eq!(
                line.file,
                label.file,
                "labels follow the files in {}",
                dir.display()
            );
            documents += 1;
            match (line.alert, label.alert) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                (false, false) => {}
            }
            if line.alert != label.alert {
                let name = dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                misses.push(format!(
                    "{name}/{}: got {} want {} ({})\n    facts {:?}\n    reasons {:?}",
                    line.file, line.alert, label.alert, label.why, line.facts, line.reasons
                ));
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    eprintln!("{}", misses.join("\n"));
    eprintln!(
        "corpus: {} stories, {documents} documents, tp {tp} fp {fp} fn {fn_}: precision {precision:.3} recall {recall:.3}",
        stories.len()
    );
    assert!(precision >= PRECISION_FLOOR, "precision {precision:.3}");
    assert!(recall >= RECALL_FLOOR, "recall {recall:.3}");
}
