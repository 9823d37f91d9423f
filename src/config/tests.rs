use std::collections::HashMap;

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn example_parses_and_matches_the_defaults() {
    let example = Config::from_toml(EXAMPLE).expect("example config parses");
    let defaults = Config::default();
    assert_eq!(format!("{example:?}"), format!("{defaults:?}"));
    example.validate().expect("example config is valid");
}

#[test]
fn environment_overrides_the_file() {
    let mut config = Config::from_toml(
        "listen = \"127.0.0.1:9000\"\n[push]\nallowed_endpoints = [\"http://127.0.0.1:1/a/\"]\n",
    )
    .expect("parses");
    apply_env(
        &mut config,
        env(&[
            ("HERALD_LISTEN", "0.0.0.0:7000"),
            ("HERALD_DATA_DIR", "/tmp/h"),
            ("HERALD_ADMIN_TOKEN", "tok"),
            ("HERALD_PUSH_SUBJECT", "mailto:ops@example.org"),
            (
                "HERALD_PUSH_ALLOWED_ENDPOINTS",
                "http://127.0.0.1:2/b/, http://127.0.0.1:3/c/",
            ),
            ("HERALD_SUBSCRIBE_RATE_LIMIT", "0"),
            ("HERALD_ADMIN_SESSION_LIFETIME", "3600"),
        ]),
    )
    .expect("env applies");
    assert_eq!(config.listen.to_string(), "0.0.0.0:7000");
    assert_eq!(config.data_dir, PathBuf::from("/tmp/h"));
    assert_eq!(config.admin_token.as_ref().map(Secret::expose), Some("tok"));
    assert_eq!(
        config.push.subject.as_deref(),
        Some("mailto:ops@example.org")
    );
    assert_eq!(config.push.allowed_endpoints.len(), 3);
    assert_eq!(config.subscribe.rate_limit_per_minute, 0);
    assert_eq!(config.admin.session_lifetime_seconds, 3600);
    config.validate().expect("valid");

    config.admin.session_lifetime_seconds = 0;
    let err = config.validate().expect_err("a session must last");
    assert!(
        err.to_string().contains("admin.session_lifetime_seconds"),
        "{err}"
    );
}

#[test]
fn bad_values_name_what_is_wrong() {
    let mut config = Config::default();
    let err = apply_env(&mut config, env(&[("HERALD_LISTEN", "nope")])).expect_err("rejected");
    assert!(err.to_string().contains("HERALD_LISTEN"), "{err}");

    let err = Config::from_toml("listen = \"127.0.0.1:1\"\nbogus = 1\n").expect_err("unknown key");
    assert!(err.to_string().contains("bogus"), "{err}");

    let mut config = Config::default();
    config.push.subject = Some("mailto:me@localhost".into());
    let err = config.validate().expect_err("localhost subject refused");
    assert!(err.to_string().contains("push.subject"), "{err}");
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let config = Config {
        admin_token: Some(Secret::new("hunter2")),
        ..Config::default()
    };
    assert!(!format!("{config:?}").contains("hunter2"));
}

/// The commented example block that starts at `marker`, uncommented: from that line to the
/// first line that is not a comment.
fn uncommented(marker: &str) -> String {
    let start = EXAMPLE.find(marker).expect("the example block");
    EXAMPLE[start..]
        .lines()
        .take_while(|line| line.starts_with('#'))
        .map(|line| line.strip_prefix("# ").unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_commented_source_examples_are_valid() {
    let config = Config::from_toml(&uncommented("# [[sources]]")).expect("examples parse");
    assert_eq!(config.sources.len(), 6);
    assert!(config.stories.is_empty());
    config.validate().expect("examples are valid sources");
}

#[test]
fn the_commented_story_examples_are_valid() {
    let config = Config::from_toml(&uncommented("# [[stories]]")).expect("examples parse");
    assert_eq!(config.stories.len(), 2);
    assert!(config.stories.iter().all(|s| s.thresholds.is_some()));
    config.validate().expect("examples are valid stories");
}

#[test]
fn a_bad_story_is_named() {
    let config = Config::from_toml(
        "[[stories]]\nname = \"Quake\"\ntopic = \"World News\"\nkeywords = [\"quake\"]\n",
    )
    .expect("parses");
    let err = config.validate().expect_err("bad topic");
    assert!(err.to_string().contains("stories"), "{err}");
    assert!(err.to_string().contains("entry 1"), "{err}");
    let typo = Config::from_toml("[[stories]]\nname = \"Quake\"\nkeyword = [\"quake\"]\n");
    assert!(typo.is_err(), "unknown story fields are refused");
}
