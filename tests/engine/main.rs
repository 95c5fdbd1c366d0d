//! Integration tests of the engine through its public API: one binary, one module per area
//! (STYLE habit 11). Golden scenarios have their own runner in `tests/golden.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod breaks;
mod common;
mod config;
mod eligibility;
mod ingestion;
mod leave;
mod limits;
mod overflow;
mod premiums;
mod properties;
mod regressions;
mod regular_rate;
mod seeds;
mod slices;
