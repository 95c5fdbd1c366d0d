//! Running the built `ewa` binary in tests: one place for the command, its exit code and its
//! output as text or JSON. Included with `#[path]` by every test binary that runs `ewa`.
#![allow(dead_code)]

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `ewa args` in `dir` with `env` set and `EWA_DB` from the caller's environment
/// removed (so that `--db`'s default is the test's, whatever the shell exports).
pub fn ewa_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ewa"));
    c.args(args).current_dir(dir).env_remove("EWA_DB");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// Runs `ewa args` in `dir`.
pub fn ewa(dir: &Path, args: &[&str]) -> Output {
    ewa_env(dir, args, &[])
}

/// Runs `ewa args` in `dir` with its standard output sent to `stdout`.
pub fn ewa_to(dir: &Path, args: &[&str], stdout: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ewa"))
        .args(args)
        .current_dir(dir)
        .env_remove("EWA_DB")
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// The exit code.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Standard output as JSON (the test fails, showing the output, when it is not).
pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {o:?}"))
}

/// `ewa advance request` for employee `e1` at 2026-06-10T00:00:00Z.
pub fn request(d: &Path, id: &str, amount: &str, delivery: &str) -> Output {
    ewa(
        d,
        &[
            "advance",
            "request",
            "--advance-id",
            id,
            "--employee",
            "e1",
            "--amount",
            amount,
            "--at",
            "2026-06-10T00:00:00Z",
            "--delivery",
            delivery,
        ],
    )
}
