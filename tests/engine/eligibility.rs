//! Eligibility and advances through the public API (SPEC §6).
