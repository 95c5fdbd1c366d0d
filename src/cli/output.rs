//! Writing a command's output: JSON or a table, and a closed pipe as a quiet end.

use super::{Cli, Failure, Format, Outcome};
use serde::Serialize;
use std::io::Write;

/// A failed write of the output (standard output full or failing): [`Outcome::Output`].
/// A closed pipe never gets here: [`PipeTolerant`] swallows it.
pub fn write_failed(e: std::io::Error) -> Failure {
    Failure {
        outcome: Outcome::Output,
        message: format!("cannot write the output: {e}"),
    }
}

/// A writer for which a closed pipe (`ewa ... | head`) is a quiet end: once the reader has
/// gone, every write is accepted and dropped, so the command ends with its own outcome (a
/// refused advance still exits 1). Every other error is passed on.
#[derive(Debug)]
pub struct PipeTolerant<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> PipeTolerant<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> PipeTolerant<W> {
        PipeTolerant {
            inner,
            closed: false,
        }
    }

    fn absorb<T>(&mut self, r: std::io::Result<T>, done: T) -> std::io::Result<T> {
        match r {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(done)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for PipeTolerant<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let r = self.inner.write(buf);
        self.absorb(r, buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.flush();
        self.absorb(r, ())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose reader has gone.
    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
    }

    /// A writer with no room left.
    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("no space left on device"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_is_quiet_and_other_errors_pass() {
        let mut w = PipeTolerant::new(Closed);
        assert_eq!(w.write(b"abc").unwrap(), 3);
        assert!(w.flush().is_ok());
        assert!(writeln!(w, "more").is_ok());
        let mut w = PipeTolerant::new(Full);
        let e = write_failed(writeln!(w, "x").unwrap_err());
        assert_eq!(e.outcome, Outcome::Output);
        assert_eq!(e.outcome.code(), 4);
    }
}
