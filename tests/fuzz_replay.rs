//! Replays inputs that once crashed or could crash the fuzz targets (fuzz/), so stable CI
//! checks them: each must give an answer or an error, never a panic.
//!
//! `tests/fuzz_regressions/*.json` go through the `apply` and `scenario` targets (whose
//! bodies are repeated below); `tests/fuzz_regressions/<target>/*` go through the `timeline`
//! and `parse` targets, whose bodies live in `fuzz/logic/` and are imported here unchanged.
//! A crash the fuzzer finds becomes a regression by copying its (minimized) input into the
//! target's directory (see fuzz/README.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use ewa::calendar::Instant;
use ewa::{Company, Kind, Twin};
use std::path::{Path, PathBuf};

#[path = "../fuzz/logic/parse.rs"]
mod parse;
#[path = "../fuzz/logic/timeline.rs"]
mod timeline;

/// The committed inputs of one directory (files only), sorted.
fn inputs(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn replay_regressions_through_both_targets() {
    let files = inputs("tests/fuzz_regressions");
    for path in &files {
        let data = std::fs::read(path).unwrap();
        for kind in Kind::ALL {
            let mut twin = Twin::new(Company::new("fuzz", chrono_tz::Europe::Brussels));
            if let Ok(r) = twin.apply_json(kind, &data, Instant::from_micros(1_780_000_000_000_000))
            {
                assert_eq!(
                    r.count_received,
                    r.count_accepted + r.count_rejected,
                    "{}",
                    path.display()
                );
            }
        }
        if let Ok(text) = std::str::from_utf8(&data) {
            if let Ok(out) = ewa::scenario::run_str(text) {
                for r in &out.results {
                    // Results are the answers serialized (SPEC §8).
                    assert_eq!(
                        r["eligible"].as_bool(),
                        r["available"].as_i64().map(|a| a > 0),
                        "{}",
                        path.display()
                    );
                }
            }
        }
    }
    let n = files.len();
    assert!(
        n >= 5,
        "expected the committed regression inputs, found {n}"
    );
}

/// Runs `target` on every input of `dir`, naming the input that fails.
fn replay_dir(dir: &str, target: impl Fn(&Path, &[u8])) -> usize {
    let files = inputs(dir);
    for path in &files {
        let data = std::fs::read(path).unwrap();
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target(path, &data)));
        if let Err(e) = outcome {
            eprintln!("fuzz input {} failed", path.display());
            std::panic::resume_unwind(e);
        }
    }
    files.len()
}

#[test]
fn replay_timeline_inputs_on_a_twin_and_through_a_store() {
    let tmp = std::env::temp_dir().join(format!("ewa-fuzz-replay-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let outcomes = std::cell::RefCell::new([0usize; 3]);
    let n = replay_dir("tests/fuzz_regressions/timeline", |path, data| {
        let db = tmp.join(format!(
            "{}.db",
            path.file_name().unwrap().to_string_lossy()
        ));
        let _ = std::fs::remove_file(&db);
        timeline::run_with_store(data, &db);
        let log = timeline::drive(&mut Twin::new(timeline::company_for(data)), data);
        let mut o = outcomes.borrow_mut();
        for (i, word) in ["accepted", "rejected", "cancelled"].iter().enumerate() {
            o[i] += log.matches(&format!("\"outcome\":\"{word}\"")).count();
        }
    });
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(n >= 4, "expected the committed timeline inputs, found {n}");
    // The seeds reach every branch of an advance's life: accepted, refused and cancelled.
    let o = outcomes.into_inner();
    eprintln!("timeline seeds: {o:?} accepted / rejected / cancelled");
    assert!(o.iter().all(|&k| k > 0), "{o:?}");
}

#[test]
fn replay_parse_inputs() {
    let n = replay_dir("tests/fuzz_regressions/parse", |_, data| parse::run(data));
    assert!(n >= 4, "expected the committed parse inputs, found {n}");
}
