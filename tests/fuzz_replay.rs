//! Replays inputs that once crashed or could crash the fuzz targets (fuzz/), so stable CI
//! checks them: each must give an answer or an error, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use ewa::calendar::Instant;
use ewa::{Company, Kind, Twin};

#[test]
fn replay_regressions_through_both_targets() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
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
        n += 1;
    }
    assert!(
        n >= 5,
        "expected the committed regression inputs, found {n}"
    );
}
