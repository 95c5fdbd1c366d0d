//! A scenario document → never panics; every answer keeps SPEC §6's invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(out) = ewa::scenario::run_str(text) {
        for r in &out.results {
            // Results are the answers serialized (SPEC §8).
            let eligible = r["eligible"].as_bool();
            assert_eq!(eligible, r["available"].as_i64().map(|a| a > 0));
            let no_reason = r["reasons"].as_array().is_none_or(|v| v.is_empty());
            assert!(eligible == Some(true) || !no_reason);
        }
    }
});
