//! Property tests (SPEC §3, §5, §6).
