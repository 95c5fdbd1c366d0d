//! `ewa ingest`: every file is read, parsed and checked first; only then is each applied,
//! as its own job (docs/cli.md "Several files"). Input is read at most `batch_bytes_max`
//! + 1 bytes at a time, so an oversized file or stream is refused without reading it all.

use super::args::{company_id, open_for_run, time, InputArgs, InputFormat};
use super::output::{emit, emit_list};
use super::table;
use super::{csv, jsonl, Cli, Command, Env, Failure, Outcome};
use clap::builder::PossibleValue;
use ewa::calendar::Instant;
use ewa::store::{AutoCompact, Store};
use ewa::{JobReport, Kind};
use serde_json::Value;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::LazyLock;

/// A job with more records than this prints a summary by default: its counts and only the
/// records not accepted (`--full-report` prints them all).
pub const SUMMARY_OVER: usize = 1_000;

/// A run of more records than this many times the company's employees, and large enough to
/// be compacted at its end anyway, defers the employee views to that compaction
/// ([`ewa::store::Store::set_defer_views`]): a large feed in time order changes most
/// employees in every file, and rewriting their views after each file would cost more than
/// writing every view once.
const DEFER_VIEWS_OVER: usize = 2;

/// An entity kind on the command line (`--entity`): every kind the engine ingests
/// ([`Kind::ALL`]), so help and completions list them and cannot fall behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entity(pub Kind);

static ENTITIES: LazyLock<Vec<Entity>> =
    LazyLock::new(|| Kind::ALL.iter().map(|k| Entity(*k)).collect());

impl clap::ValueEnum for Entity {
    fn value_variants<'a>() -> &'a [Self] {
        ENTITIES.as_slice()
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let v = PossibleValue::new(self.0.target_entity());
        let key = self.0.document_key();
        Some(if key == self.0.target_entity() {
            v
        } else {
            v.alias(key)
        })
    }
}

/// How much of each job report to print.
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct ReportArgs {
    /// Print only the records not accepted (rejected or in conflict); the counts stay whole.
    #[arg(long, conflicts_with = "full_report")]
    pub rejected_only: bool,
    /// Print every record's result even for a job over 1,000 records (by default such a
    /// job lists only the records not accepted, and `results_omitted` counts the others).
    #[arg(long)]
    pub full_report: bool,
}

/// `ewa ingest` from its parsed arguments.
pub fn run(
    cli: &Cli,
    env: Env,
    command: &Command,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    let Command::Ingest {
        entity,
        received_at,
        files,
        input,
        report,
    } = command
    else {
        return Err(Failure::input("not the ingest command"));
    };
    let kind = entity.0;
    let mut store = open_for_run(cli)?;
    let id = company_id(cli, &store)?;
    let company = store.twin(&id)?.company().clone();
    let at = time(
        received_at.as_deref(),
        "received-at",
        company.timezone(),
        env,
    )?;
    let progress = Progress::new(env);
    let max = company.limits().batch_bytes_max();
    let batches = prepare_all(kind, input, files, max, &progress)?;
    let records: usize = batches.iter().map(|(_, b)| b.records).sum();
    let bytes: usize = batches.iter().map(|(_, b)| b.bytes).sum();
    let employees = store.twin(&id)?.counts().employees;
    // Decision 135: a run that compacts anyway and changes about every employee.
    let large = bytes as u64 >= AutoCompact::default().bytes;
    store.set_defer_views(large && records > DEFER_VIEWS_OVER.saturating_mul(employees));
    let mut reports: Vec<Printed> = Vec::new();
    let mut failure = None;
    for (i, ((name, batch), file)) in batches.into_iter().zip(files).enumerate() {
        progress.phase(&format!(
            "{name}: applying {} records",
            table::count(batch.records)
        ));
        let again = || prepare(kind, input, file, max);
        let applied = apply_file(&mut store, &id, (kind, at), batch, again);
        match applied {
            Ok(r) => {
                progress.done(&format!(
                    "{name}: {} — {} received, {} accepted, {} rejected",
                    r.job_id, r.count_received, r.count_accepted, r.count_rejected
                ));
                reports.push(Printed::new(name, r, *report));
            }
            Err(e) => {
                progress.done(&format!("{name}: failed"));
                let rest = files.iter().skip(i).map(|f| f.display().to_string());
                failure = Some(partial(&name, e, &reports, rest));
                break;
            }
        }
    }
    // Once for the whole run, when the journal has grown past what a write compacts at or
    // the views were deferred.
    if let Err(e) = store.compact_if_due(&id, AutoCompact::default()) {
        failure.get_or_insert(e.into());
    }
    finish(cli, out, &reports, failure)
}

/// The reports printed, then the run's failure or its outcome.
fn finish(
    cli: &Cli,
    out: &mut dyn Write,
    reports: &[Printed],
    failure: Option<Failure>,
) -> Result<Outcome, Failure> {
    print_reports(cli, out, reports)?;
    if let Some(f) = failure {
        return Err(f);
    }
    Ok(if reports.iter().any(|p| p.report.count_rejected > 0) {
        Outcome::Refused
    } else {
        Outcome::Ok
    })
}

/// Phase two: one file applied as its own job. A file is read again for its turn with
/// `again` (only standard input was kept from phase one), so that one file's text is in
/// memory at a time.
fn apply_file(
    store: &mut Store,
    id: &str,
    (kind, at): (Kind, Instant),
    batch: Batch,
    again: impl FnOnce() -> Result<Batch, Failure>,
) -> Result<JobReport, Failure> {
    let text = match batch.input {
        Some(text) => text,
        None => again()?
            .input
            .ok_or_else(|| Failure::input("the file was not read"))?,
    };
    Ok(match text {
        BatchInput::Values(records) => store.apply(id, kind, &records, at)?,
        BatchInput::Json(bytes) => store.apply_json(id, kind, &bytes, at)?,
    })
}

/// A job report as it is kept for printing: every count, and its results, or, when it is
/// summarised (`--rejected-only`, or over [`SUMMARY_OVER`] records without
/// `--full-report`), only the records not accepted and how many were left out. Summarised
/// as soon as the job is done, so that a long run of large files does not hold every
/// record's result.
struct Printed {
    file: String,
    report: JobReport,
    omitted: Option<usize>,
}

impl Printed {
    fn new(file: String, mut report: JobReport, opts: ReportArgs) -> Printed {
        let omitted = summarised(&report, opts).then(|| {
            let before = report.results.len();
            report.results.retain(|x| !x.outcome.is_accepted());
            before - report.results.len()
        });
        Printed {
            file,
            report,
            omitted,
        }
    }
}

/// Phase one: every file read, parsed and checked; the first bad one refuses them all.
fn prepare_all(
    kind: Kind,
    input: &InputArgs,
    files: &[std::path::PathBuf],
    max: u64,
    progress: &Progress,
) -> Result<Vec<(String, Batch)>, Failure> {
    let mut batches = Vec::with_capacity(files.len());
    for file in files {
        let name = file.display().to_string();
        progress.phase(&format!("{name}: reading"));
        match prepare(kind, input, file, max) {
            // Checked; read again when applied, except standard input.
            Ok(batch) if file != Path::new("-") => batches.push((
                name,
                Batch {
                    input: None,
                    ..batch
                },
            )),
            Ok(batch) => batches.push((name, batch)),
            Err(f) => {
                progress.done(&format!("{name}: refused"));
                let note = if files.len() > 1 {
                    " (no file applied: every file is checked before any is applied)"
                } else {
                    ""
                };
                return Err(Failure {
                    outcome: f.outcome,
                    message: format!("{name}: {}{note}", f.message),
                });
            }
        }
    }
    Ok(batches)
}

/// The failure of a file while applying: which files were applied (each its own job) and
/// which were not.
fn partial(
    name: &str,
    f: Failure,
    applied: &[Printed],
    not_applied: impl Iterator<Item = String>,
) -> Failure {
    let mut message = format!("{name}: {}", f.message);
    if !applied.is_empty() {
        let done: Vec<String> = applied
            .iter()
            .map(|p| format!("{} ({})", p.file, p.report.job_id))
            .collect();
        message.push_str(&format!(
            "; applied before it, each its own job: {}",
            done.join(", ")
        ));
    }
    let rest: Vec<String> = not_applied.collect();
    message.push_str(&format!("; not applied: {}", rest.join(", ")));
    Failure {
        outcome: f.outcome,
        message,
    }
}

/// One file's records, checked and ready to apply.
struct Batch {
    /// How many records it holds.
    records: usize,
    /// The bytes it was read from.
    bytes: usize,
    /// The records; `None` once checked, for a file read again when its turn comes.
    input: Option<BatchInput>,
}

/// What is applied: JSON keeps its text, so that the engine sees every key as written (a
/// record with a duplicated key is rejected, decision 69) and the journal keeps the text.
enum BatchInput {
    /// Records made from CSV (its header check refuses duplicated columns).
    Values(Vec<Value>),
    /// A JSON array's text (JSON Lines: its objects joined into one array).
    Json(Vec<u8>),
}

/// One file's records: read (bounded), format, parse, CSV header check.
fn prepare(kind: Kind, input: &InputArgs, file: &Path, max: u64) -> Result<Batch, Failure> {
    let bytes = read_input(file, max)?;
    match input.format_of(file, &bytes) {
        InputFormat::Csv => {
            if !csv::supported(kind) {
                return Err(Failure::input(format!(
                    "CSV is read for employees, shifts, additions and deductions; send {} as a JSON array",
                    kind.target_entity()
                )));
            }
            let records =
                csv::records(&bytes, kind, input).map_err(|e| Failure::input(e.to_string()))?;
            Ok(Batch {
                records: records.len(),
                bytes: bytes.len(),
                input: Some(BatchInput::Values(records)),
            })
        }
        InputFormat::Jsonl => {
            let (text, records) = jsonl::array(&bytes).map_err(Failure::input)?;
            Ok(Batch {
                records,
                bytes: bytes.len(),
                input: Some(BatchInput::Json(text)),
            })
        }
        InputFormat::Json | InputFormat::Auto => Ok(Batch {
            records: json_array_len(&bytes)?,
            bytes: bytes.len(),
            input: Some(BatchInput::Json(bytes)),
        }),
    }
}

/// The number of elements of a JSON array, as `Twin::apply_json` reads it (a UTF-8 BOM
/// skipped): the syntax is checked without building the records.
fn json_array_len(bytes: &[u8]) -> Result<usize, Failure> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let refused = |reason: String| Failure::from(ewa::Error::BatchRefused { reason });
    match serde_json::from_slice::<Vec<serde::de::IgnoredAny>>(bytes) {
        Ok(elements) => Ok(elements.len()),
        // Not an array: JSON of another shape, or not JSON at all (said as the engine does).
        Err(e) => match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Ok(_) if e.is_data() => Err(refused("not a JSON array of objects".into())),
            Ok(_) => Err(refused(format!("not JSON: {e}"))),
            Err(e) => Err(refused(format!("not JSON: {e}"))),
        },
    }
}

/// A file or standard input (`-`), read at most `max + 1` bytes: more is refused without
/// reading the rest (SPEC §7 `batch_bytes_max`).
fn read_input(file: &Path, max: u64) -> Result<Vec<u8>, Failure> {
    let stdin = file == Path::new("-");
    let what = if stdin {
        "standard input".to_string()
    } else {
        file.display().to_string()
    };
    let reader: Box<dyn Read> = if stdin {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(file)
                .map_err(|e| Failure::input(format!("cannot read {what}: {e}")))?,
        )
    };
    let mut buf = Vec::new();
    reader
        .take(max.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| Failure::input(format!("cannot read {what}: {e}")))?;
    if buf.len() as u64 > max {
        return Err(ewa::Error::BatchRefused {
            reason: format!(
                "more than {max} bytes exceed the limit (batch_bytes_max); read no further"
            ),
        }
        .into());
    }
    Ok(buf)
}

/// The reports: one object for one file, else an array with each report's `file`.
fn print_reports(cli: &Cli, out: &mut dyn Write, reports: &[Printed]) -> Result<(), Failure> {
    let text = || {
        reports
            .iter()
            .map(|p| report_table(&p.file, &p.report))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match reports {
        [] => Ok(()),
        [one] => emit(cli, out, &report_value(one, false)?, text),
        many => {
            let values = many
                .iter()
                .map(|p| report_value(p, true))
                .collect::<Result<Vec<_>, _>>()?;
            emit_list(cli, out, &values, text)
        }
    }
}

/// Whether a report lists only the records not accepted.
fn summarised(r: &JobReport, opts: ReportArgs) -> bool {
    opts.rejected_only || (!opts.full_report && r.results.len() > SUMMARY_OVER)
}

/// A job report as JSON: `results_omitted` when it was summarised, its `file` when several
/// were sent.
fn report_value(p: &Printed, with_file: bool) -> Result<Value, Failure> {
    let mut v = serde_json::to_value(&p.report).map_err(|e| Failure::input(e.to_string()))?;
    if let Some(o) = v.as_object_mut() {
        if let Some(n) = p.omitted {
            o.insert("results_omitted".into(), n.into());
        }
        if with_file {
            o.insert("file".into(), p.file.as_str().into());
        }
    }
    Ok(v)
}

/// A job's counts and its records not accepted (a table never lists accepted ones).
fn report_table(name: &str, r: &JobReport) -> String {
    let mut s = format!(
        "{} {} ({name}): {} received, {} accepted, {} rejected\n",
        r.job_id, r.target_entity, r.count_received, r.count_accepted, r.count_rejected
    );
    let rows: Vec<Vec<String>> = r
        .results
        .iter()
        .filter(|x| !x.outcome.is_accepted())
        .flat_map(|x| {
            x.errors.iter().map(move |e| {
                vec![
                    x.index.to_string(),
                    x.key.clone().unwrap_or_default(),
                    x.outcome.as_str().to_string(),
                    e.field.clone(),
                    e.message.clone(),
                ]
            })
        })
        .collect();
    if !rows.is_empty() {
        s.push_str(&table::render(
            &["index", "key", "outcome", "field", "message"],
            &rows,
        ));
    }
    s
}

/// Progress on stderr while it is a terminal.
struct Progress {
    on: bool,
}

impl Progress {
    fn new(env: Env) -> Progress {
        Progress {
            on: env.progress && std::io::stderr().is_terminal(),
        }
    }
    fn phase(&self, msg: &str) {
        if self.on {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r\x1b[2Kewa: {msg}");
            let _ = err.flush();
        }
    }
    fn done(&self, msg: &str) {
        if self.on {
            let _ = writeln!(std::io::stderr(), "\r\x1b[2Kewa: {msg}");
        }
    }
}
