//! Random but valid timelines against one employee: SPEC §3/§6 invariants at every step and
//! determinism. The body lives in `fuzz/logic/timeline.rs`, shared with `tests/fuzz_replay.rs`.
#![no_main]

#[path = "../logic/timeline.rs"]
mod timeline;

libfuzzer_sys::fuzz_target!(|data: &[u8]| timeline::run(data));
