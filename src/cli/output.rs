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

/// One answer: pretty JSON by default, one line of JSON (`jsonl`), a CSV header and one
/// row (`csv`, see [`csv_rows`]), or the table.
pub fn emit(
    cli: &Cli,
    out: &mut dyn Write,
    v: &impl Serialize,
    table: impl FnOnce() -> String,
) -> Result<(), Failure> {
    match cli.format.unwrap_or(Format::Json) {
        Format::Json => write_json(out, v),
        Format::Jsonl => write_jsonl(out, std::slice::from_ref(&v)),
        Format::Csv => write_csv(out, std::slice::from_ref(&v)),
        Format::Table => write!(out, "{}", table()).map_err(write_failed),
    }
}

/// A list: a pretty JSON array by default, one JSON object per line (`jsonl`), CSV with
/// a header row (`csv`, see [`csv_rows`]), or the table.
pub fn emit_list<T: Serialize>(
    cli: &Cli,
    out: &mut dyn Write,
    items: &[T],
    table: impl FnOnce() -> String,
) -> Result<(), Failure> {
    match cli.format.unwrap_or(Format::Json) {
        Format::Json => write_json(out, &items),
        Format::Jsonl => write_jsonl(out, items),
        Format::Csv => write_csv(out, items),
        Format::Table => write!(out, "{}", table()).map_err(write_failed),
    }
}

/// `v` as one line of compact JSON.
pub fn write_json_line(out: &mut dyn Write, v: &impl Serialize) -> Result<(), Failure> {
    let line = serde_json::to_string(v).map_err(|e| Failure::input(e.to_string()))?;
    writeln!(out, "{line}").map_err(write_failed)
}

fn write_jsonl<T: Serialize>(out: &mut dyn Write, items: &[T]) -> Result<(), Failure> {
    for v in items {
        let line = serde_json::to_string(v).map_err(|e| Failure::input(e.to_string()))?;
        writeln!(out, "{line}").map_err(write_failed)?;
    }
    Ok(())
}

fn write_csv<T: Serialize>(out: &mut dyn Write, items: &[T]) -> Result<(), Failure> {
    let values = items
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::input(e.to_string()))?;
    let (header, rows) = csv_rows(&values);
    write_csv_table(out, &header, &rows)
}

/// `header` and `rows` as RFC 4180 CSV (cells quoted when needed).
pub fn write_csv_table(
    out: &mut dyn Write,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<(), Failure> {
    if header.is_empty() {
        return Ok(());
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Failure::input(format!("CSV: {e}"));
    w.write_record(header).map_err(fail)?;
    for r in rows {
        w.write_record(r).map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Failure::input(format!("CSV: {e}")))?;
    out.write_all(&bytes).map_err(write_failed)
}

/// The generic CSV of JSON objects: one column per top-level field (in order of first
/// appearance), one row per object. A null is an empty cell, an array of strings or numbers
/// is its items separated by spaces, other arrays and objects are their JSON text. An empty
/// list has no header.
pub fn csv_rows(values: &[serde_json::Value]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = Vec::new();
    for v in values {
        for k in v.as_object().into_iter().flat_map(|o| o.keys()) {
            if !header.contains(k) {
                header.push(k.clone());
            }
        }
    }
    let rows = values
        .iter()
        .map(|v| {
            header
                .iter()
                .map(|k| v.get(k).map(cell).unwrap_or_default())
                .collect()
        })
        .collect();
    (header, rows)
}

fn cell(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|i| i.is_string() || i.is_number()) => {
            items.iter().map(cell).collect::<Vec<_>>().join(" ")
        }
        other => other.to_string(),
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
    fn csv_of_objects() {
        let values = vec![
            serde_json::json!({"id": "e1", "n": 5, "reasons": ["a", "b"], "x": null}),
            serde_json::json!({"id": "e,2", "n": -1, "reasons": [], "extra": {"k": 1}}),
        ];
        let (header, rows) = csv_rows(&values);
        assert_eq!(header, ["id", "n", "reasons", "x", "extra"]);
        let mut out = Vec::new();
        write_csv_table(&mut out, &header, &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "id,n,reasons,x,extra\ne1,5,a b,,\n\"e,2\",-1,,,\"{\"\"k\"\":1}\"\n"
        );
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
