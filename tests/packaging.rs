//! The container build: crates the manifest takes from a local path must reach the stage that
//! builds the dependencies. cargo-chef's recipe carries only Herald's own manifest, so a patched
//! crate the Dockerfile does not copy in before `cargo chef cook` fails the whole image build.

use std::path::Path;

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Every `path` under `[patch.<registry>]` in the manifest.
fn patched_paths() -> Vec<String> {
    let manifest: toml::Table = read("Cargo.toml").parse().expect("Cargo.toml parses");
    let Some(patch) = manifest.get("patch").and_then(|p| p.as_table()) else {
        return Vec::new();
    };
    patch
        .values()
        .filter_map(|registry| registry.as_table())
        .flat_map(|crates| crates.values())
        .filter_map(|spec| spec.get("path")?.as_str().map(str::to_owned))
        .collect()
}

/// The sources of each `COPY` (without `--from`) in the stage that runs `cargo chef cook`, up to
/// that command.
fn copied_before_cook(dockerfile: &str) -> Vec<String> {
    let mut copied = Vec::new();
    for line in dockerfile.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match words.next().map(str::to_ascii_uppercase).as_deref() {
            Some("FROM") => copied.clear(),
            Some("COPY") => {
                let args: Vec<&str> = words.filter(|w| !w.starts_with("--")).collect();
                if !line.contains("--from=") && args.len() >= 2 {
                    copied.extend(args[..args.len() - 1].iter().map(|s| s.to_string()));
                }
            }
            Some("RUN") if line.contains("cargo chef cook") => return copied,
            _ => {}
        }
    }
    panic!("the Dockerfile has no `cargo chef cook` step");
}

fn covers(source: &str, path: &str) -> bool {
    let source = source.trim_end_matches('/');
    source == "." || path == source || path.starts_with(&format!("{source}/"))
}

#[test]
fn patched_crates_reach_the_dependency_build() {
    let paths = patched_paths();
    assert!(
        !paths.is_empty(),
        "the manifest patches no crate; drop this test with the last patch"
    );
    let copied = copied_before_cook(&read("Dockerfile"));
    for path in &paths {
        assert!(
            copied.iter().any(|source| covers(source, path)),
            "`{path}` is patched in Cargo.toml but not copied before `cargo chef cook` \
             (copied there: {copied:?})"
        );
    }
    let ignored = read(".dockerignore");
    for pattern in ignored.lines().map(str::trim).filter(|l| !l.is_empty()) {
        for path in &paths {
            assert!(
                !covers(pattern, path),
                "`.dockerignore` leaves `{path}` out of the build context through `{pattern}`"
            );
        }
    }
}

#[test]
fn the_cook_step_reader_sees_copies_in_its_own_stage_only() {
    let dockerfile = "FROM a AS planner\nCOPY . .\nFROM a AS builder\n\
                      COPY --from=planner /src/recipe.json recipe.json\n\
                      COPY vendor vendor\nRUN cargo chef cook --release\nCOPY . .\n";
    assert_eq!(copied_before_cook(dockerfile), ["vendor"]);
    assert!(covers("vendor", "vendor/feed-rs"));
    assert!(covers("vendor/", "vendor/feed-rs"));
    assert!(!covers("vendor", "vendored/feed-rs"));
    assert!(!covers("src", "vendor/feed-rs"));
}
