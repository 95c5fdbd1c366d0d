//! A scenario document → never panics; every answer keeps SPEC §6's invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(out) = ewa::scenario::run_str(text) {
        for r in &out.results {
            assert_eq!(r.eligible, r.available > 0);
            assert!(r.eligible || !r.reasons.is_empty());
        }
    }
});
