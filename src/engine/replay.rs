//! Replay: run the engine in memory over a folder of snapshots (HTML pages, feeds or plain
//! text) in name order, the first being the baseline. `03-reuters.html` comes from `reuters`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{DocInput, Story, StoryEngine, Thresholds};
use crate::domain::SourceKind;

/// One line of replay output.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayLine {
    pub file: String,
    pub source: String,
    pub alert: bool,
    pub score: f64,
    pub facts: Vec<String>,
    pub reasons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// With `--explain`: every fact found and the sentences, new or not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub found: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid story file {path}: {reason}")]
    Story { path: PathBuf, reason: String },
    #[error("invalid settings file {path}: {reason}")]
    Settings { path: PathBuf, reason: String },
}

pub fn load_story(path: &Path) -> Result<Story, ReplayError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReplayError::Read {
        path: path.to_owned(),
        source,
    })?;
    let story: Story = toml::from_str(&text).map_err(|e| ReplayError::Story {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    story.validate().map_err(|e| ReplayError::Story {
        path: path.to_owned(),
        reason: e.message,
    })?;
    Ok(story)
}

/// Thresholds from a TOML or JSON file.
pub fn load_settings(path: &Path) -> Result<Thresholds, ReplayError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReplayError::Read {
        path: path.to_owned(),
        source,
    })?;
    let bad = |reason: String| ReplayError::Settings {
        path: path.to_owned(),
        reason,
    };
    let thresholds: Thresholds = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?
    } else {
        toml::from_str(&text).map_err(|e| bad(e.to_string()))?
    };
    thresholds.validate().map_err(|e| bad(e.message))?;
    Ok(thresholds)
}

/// The snapshot files of `dir`, in name order.
pub fn snapshot_files(dir: &Path) -> Result<Vec<PathBuf>, ReplayError> {
    let read = std::fs::read_dir(dir).map_err(|source| ReplayError::Read {
        path: dir.to_owned(),
        source,
    })?;
    let mut files: Vec<PathBuf> = read
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// `03-reuters.html` → `reuters`.
pub fn source_of(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    stem.split_once('-')
        .map_or(stem.clone(), |(_, rest)| rest.to_owned())
}

/// Runs the story over the files and returns one line per file.
pub fn replay(
    story: Story,
    files: &[PathBuf],
    thresholds: &Thresholds,
) -> Result<Vec<ReplayLine>, ReplayError> {
    let mut engine = StoryEngine::new(story, thresholds);
    let mut last_date: Option<DateTime<Utc>> = None;
    let mut lines = Vec::new();
    for path in files {
        let bytes = std::fs::read(path).map_err(|source| ReplayError::Read {
            path: path.clone(),
            source,
        })?;
        let source = source_of(path);
        let documents = read_documents(path, &bytes);
        let mut line = ReplayLine {
            file: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            source: source.clone(),
            alert: false,
            score: 0.0,
            facts: Vec::new(),
            reasons: Vec::new(),
            title: None,
            found: Vec::new(),
        };
        for document in documents {
            let date = document.date.or(last_date).unwrap_or_else(Utc::now);
            last_date = Some(date);
            let input = DocInput {
                source: &source,
                item: &source,
                url: &document.url,
                title: document.title.as_deref(),
                paragraphs: &document.paragraphs,
                date,
            };
            let decision = engine.process(&input);
            line.alert |= decision.alert;
            line.score = line.score.max(decision.score);
            line.facts.extend(decision.facts);
            line.reasons.extend(decision.reasons);
            line.found.extend(decision.found);
            if decision.title.is_some() {
                line.title = decision.title;
            }
        }
        lines.push(line);
    }
    Ok(lines)
}

struct Snapshot {
    url: String,
    title: Option<String>,
    paragraphs: Vec<String>,
    date: Option<DateTime<Utc>>,
}

/// The documents in one file: a page, a feed's items, or plain text.
fn read_documents(path: &Path, bytes: &[u8]) -> Vec<Snapshot> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let url = format!("file://{}", path.display());
    match extension.as_str() {
        "html" | "htm" => {
            let html = crate::sources::charset::decode_html(bytes, None);
            match crate::extract::article(&html, None) {
                Ok(e) => vec![Snapshot {
                    url,
                    title: e.title,
                    paragraphs: e.paragraphs,
                    date: e.modified.or(e.published),
                }],
                Err(_) => Vec::new(),
            }
        }
        "xml" | "rss" | "atom" | "json" => {
            let Ok(base) = url::Url::parse("https://replay.invalid/feed") else {
                return Vec::new();
            };
            let spec = crate::sources::ParseSpec {
                kind: SourceKind::Feed,
                url: &base,
                content_type: None,
                selector: None,
                json: None,
                fetched_at: Utc::now(),
            };
            crate::sources::parse::parse(&spec, bytes)
                .map(|p| {
                    p.documents
                        .into_iter()
                        .map(|d| Snapshot {
                            url: d.url,
                            title: d.title,
                            paragraphs: d.paragraphs,
                            date: d.published,
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
        _ => {
            let text = String::from_utf8_lossy(bytes);
            let mut lines = text.lines();
            let title = lines.next().map(|l| l.trim().to_owned());
            let rest: Vec<&str> = lines.collect();
            vec![Snapshot {
                url,
                title,
                paragraphs: crate::domain::paragraphs(&rest.join("\n")),
                date: None,
            }]
        }
    }
}
