//! Timestamp and policy-number parsing never panics and round-trips. The body lives in
//! `fuzz/logic/parse.rs`, shared with `tests/fuzz_replay.rs`.
#![no_main]

#[path = "../logic/parse.rs"]
mod parse;

libfuzzer_sys::fuzz_target!(|data: &[u8]| parse::run(data));
