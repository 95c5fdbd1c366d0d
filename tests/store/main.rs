//! The store and the command line: round trips of generated twins, crash safety under
//! SIGKILL, corrupt, foreign and newer-schema files, and the `ewa` binary end to end.

// Tests may unwrap, expect and index: a panic there is a failing test, not a crash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod cli;
mod cli_commands;
mod cli_exit;
mod cli_ingest;
mod cli_output;
#[path = "../support/cli.rs"]
mod cli_support;
mod cli_transcript;
mod common;
mod crash;
mod errors;
mod files;
mod growth;
mod readonly;
mod roundtrip;
mod views;
