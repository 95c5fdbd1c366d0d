//! `ewa ingest`: every file is read, parsed and checked first; only then is each applied,
//! as its own job (docs/cli.md "Several files"). Input is read at most `batch_bytes_max`
//! + 1 bytes at a time, so an oversized file or stream is refused without reading it all.

use super::args::{company_id, open, time, InputArgs, InputFormat};
use super::output::{emit, emit_list};
use super::table;
use super::{csv, jsonl, Cli, Command, Env, Failure, Outcome};
use clap::builder::PossibleValue;
use ewa::{JobReport, Kind};
use serde_json::Value;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::LazyLock;

/// A job with more records than this prints a summary by default: its counts and only the
/// records not accepted (`--full-report` prints them all).
pub const SUMMARY_OVER: usize = 1_000;

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
    let mut store = open(cli, false)?;
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
    let mut reports: Vec<(String, JobReport)> = Vec::new();
    let mut failure = None;
    for (i, (name, batch)) in batches.iter().enumerate() {
        progress.phase(&format!(
            "{name}: applying {} records",
            table::count(batch.records)
        ));
        let applied = match &batch.input {
            BatchInput::Values(records) => store.apply(&id, kind, records, at),
            BatchInput::Json(bytes) => store.apply_json(&id, kind, bytes, at),
        };
        match applied {
            Ok(r) => {
                progress.done(&format!(
                    "{name}: {} — {} received, {} accepted, {} rejected",
                    r.job_id, r.count_received, r.count_accepted, r.count_rejected
                ));
                reports.push((name.clone(), r));
            }
            Err(e) => {
                progress.done(&format!("{name}: failed"));
                let rest = batches.iter().skip(i).map(|(n, _)| n.as_str());
                failure = Some(partial(name, e.into(), &reports, rest));
                break;
            }
        }
    }
    print_reports(cli, out, &reports, *report)?;
    if let Some(f) = failure {
        return Err(f);
    }
    Ok(if reports.iter().any(|(_, r)| r.count_rejected > 0) {
        Outcome::Refused
    } else {
        Outcome::Ok
    })
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
fn partial<'a>(
    name: &str,
    f: Failure,
    applied: &[(String, JobReport)],
    not_applied: impl Iterator<Item = &'a str>,
) -> Failure {
    let mut message = format!("{name}: {}", f.message);
    if !applied.is_empty() {
        let done: Vec<String> = applied
            .iter()
            .map(|(n, r)| format!("{n} ({})", r.job_id))
            .collect();
        message.push_str(&format!(
            "; applied before it, each its own job: {}",
            done.join(", ")
        ));
    }
    let rest: Vec<&str> = not_applied.collect();
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
    input: BatchInput,
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
                input: BatchInput::Values(records),
            })
        }
        InputFormat::Jsonl => {
            let (text, records) = jsonl::array(&bytes).map_err(Failure::input)?;
            Ok(Batch {
                records,
                input: BatchInput::Json(text),
            })
        }
        InputFormat::Json | InputFormat::Auto => Ok(Batch {
            records: json_array_len(&bytes)?,
            input: BatchInput::Json(bytes),
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
fn print_reports(
    cli: &Cli,
    out: &mut dyn Write,
    reports: &[(String, JobReport)],
    opts: ReportArgs,
) -> Result<(), Failure> {
    let text = || {
        reports
            .iter()
            .map(|(name, r)| report_table(name, r))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match reports {
        [] => Ok(()),
        [(_, one)] => emit(cli, out, &report_value(one, None, opts)?, text),
        many => {
            let values = many
                .iter()
                .map(|(n, r)| report_value(r, Some(n), opts))
                .collect::<Result<Vec<_>, _>>()?;
            emit_list(cli, out, &values, text)
        }
    }
}

/// Whether a report lists only the records not accepted.
fn summarised(r: &JobReport, opts: ReportArgs) -> bool {
    opts.rejected_only || (!opts.full_report && r.results.len() > SUMMARY_OVER)
}

/// A job report as JSON, summarised as `opts` says, with its file when several were sent.
fn report_value(r: &JobReport, file: Option<&str>, opts: ReportArgs) -> Result<Value, Failure> {
    let mut v = serde_json::to_value(r).map_err(|e| Failure::input(e.to_string()))?;
    if let Some(o) = v.as_object_mut() {
        if summarised(r, opts) {
            let kept: Vec<Value> = r
                .results
                .iter()
                .filter(|x| !x.outcome.is_accepted())
                .map(serde_json::to_value)
                .collect::<Result<_, _>>()
                .map_err(|e| Failure::input(e.to_string()))?;
            o.insert(
                "results_omitted".into(),
                (r.results.len() - kept.len()).into(),
            );
            o.insert("results".into(), Value::Array(kept));
        }
        if let Some(f) = file {
            o.insert("file".into(), f.into());
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
