//! Writing a command's output: JSON or a table, and a closed pipe as a quiet end.

use super::{exit, Cli, Failure, Format};
use serde::Serialize;
use std::io::Write;

/// A failed write of the output; a closed pipe (`ewa ... | head`) is a quiet end.
pub fn write_failed(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Failure {
            code: exit::OK,
            message: String::new(),
        };
    }
    Failure::input(format!("cannot write the output: {e}"))
}

/// `v` as pretty JSON and a newline.
pub fn write_json(out: &mut dyn Write, v: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(v).map_err(|e| Failure::input(e.to_string()))?;
    writeln!(out, "{text}").map_err(write_failed)
}

/// JSON by default, the table when asked.
pub fn emit(
    cli: &Cli,
    out: &mut dyn Write,
    v: &impl Serialize,
    table: impl FnOnce() -> String,
) -> Result<(), Failure> {
    match cli.format.unwrap_or(Format::Json) {
        Format::Json => write_json(out, v),
        Format::Table => write!(out, "{}", table()).map_err(write_failed),
    }
}
