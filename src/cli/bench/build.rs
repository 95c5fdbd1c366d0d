//! Building the measured twin: the generated payroll or a scenario document (kind-array
//! form), pushed through [`Twin::apply_json`] batch by batch with the ingestion timed. The
//! same batches can be read again ([`Source::for_each_batch`]) for the SQLite reference.

use super::report::IngestPhase;
use super::{Options, Order};
use ewa::calendar::{self, Instant};
use ewa::error::{Error, Result};
use ewa::generate;
use ewa::{AdvanceRequest, Company, Delivery, Kind, Outcome, Twin};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant as Clock;

/// Where the measured records come from.
#[derive(Clone, Debug)]
pub(super) enum Source {
    /// The synthetic payroll of these options, pushed in this order.
    Generated(generate::Options, Order),
    /// A scenario document in kind-array form.
    File(PathBuf),
}

impl Source {
    /// `generated (seed N, S shifts per employee)` or the file.
    pub(super) fn describe(&self) -> String {
        match self {
            Source::Generated(g, order) => format!(
                "generated (seed {}, {} shifts per employee, {} order, {})",
                g.seed,
                g.shifts_per_employee,
                match order {
                    Order::Employee => "employee",
                    Order::Time => "time",
                },
                if g.pay_rules {
                    "with pay rules"
                } else {
                    "without pay rules"
                }
            ),
            Source::File(path) => path.display().to_string(),
        }
    }

    /// Calls `f(kind, records, received_at)` with every batch, in the order the bench
    /// ingests them (batch `n` of this call is batch `n` of the ingestion).
    ///
    /// # Errors
    /// An unreadable or malformed file, or the first error of `f`.
    pub(super) fn for_each_batch(
        &self,
        mut f: impl FnMut(Kind, &[Value], Instant) -> Result<()>,
    ) -> Result<()> {
        match self {
            Source::Generated(g, Order::Employee) => {
                let at = g.received_at();
                generate::for_each_batch(g, |kind, records| f(kind, &records, at))
            }
            Source::Generated(g, Order::Time) => {
                let max = generate::company(g)?.limits().batch_records_max();
                let max = usize::try_from(max).unwrap_or(usize::MAX);
                generate::for_each_batch_in_time_order(g, max, f)
            }
            Source::File(path) => read_document(path)?.for_each_batch(f),
        }
    }
}

/// The measured twin and what building it took.
pub(super) struct Built {
    /// The twin.
    pub twin: Twin,
    /// The instant of every answer.
    pub as_of: Instant,
    /// Where the records came from.
    pub source: Source,
    /// The timed ingestion.
    pub ingest: IngestPhase,
    /// (batch, index) of every record the twin rejected or found in conflict.
    pub skipped: HashSet<(usize, usize)>,
}

/// The ingestion so far.
#[derive(Default)]
struct Ingest {
    records: usize,
    rejected: usize,
    seconds: f64,
    shift_records: usize,
    shift_seconds: f64,
    batches: usize,
    skipped: HashSet<(usize, usize)>,
}

impl Ingest {
    /// Times one `apply_json` of `records` (the serialisation is not timed).
    fn apply(&mut self, twin: &mut Twin, kind: Kind, records: &[Value], at: Instant) -> Result<()> {
        let bytes = serde_json::to_vec(records).map_err(|e| arg("records", e.to_string()))?;
        let t0 = Clock::now();
        let report = twin.apply_json(kind, &bytes, at)?;
        let dt = t0.elapsed().as_secs_f64();
        self.records += report.count_received;
        self.rejected += report.count_rejected;
        self.seconds += dt;
        if kind == Kind::Shifts {
            self.shift_records += report.count_received;
            self.shift_seconds += dt;
        }
        for r in &report.results {
            if matches!(r.outcome, Outcome::Rejected | Outcome::Conflict) {
                self.skipped.insert((self.batches, r.index));
            }
        }
        self.batches += 1;
        Ok(())
    }

    fn phase(&self) -> IngestPhase {
        let per = |n: usize, s: f64| if s > 0.0 { n as f64 / s } else { 0.0 };
        IngestPhase {
            records: self.records,
            rejected: self.rejected,
            seconds: self.seconds,
            records_per_s: per(self.records, self.seconds),
            shift_records: self.shift_records,
            shift_seconds: self.shift_seconds,
            shift_records_per_s: per(self.shift_records, self.shift_seconds),
        }
    }
}

/// Builds the twin `opts` asks for: the scenario file's, else the generated payroll's.
///
/// # Errors
/// See [`super::run`].
pub(super) fn build(opts: &Options) -> Result<Built> {
    match &opts.scenario {
        Some(path) => build_from_file(path),
        None => build_generated(opts),
    }
}

fn build_generated(opts: &Options) -> Result<Built> {
    let g = generate::Options {
        employees: opts.employees,
        seed: opts.seed,
        shifts_per_employee: opts.shifts_per_employee,
        pay_rules: opts.pay_rules,
        ..generate::Options::default()
    };
    let mut twin = Twin::new(generate::company(&g)?);
    let mut ingest = Ingest::default();
    let source = Source::Generated(g.clone(), opts.order);
    source.for_each_batch(|kind, records, at| ingest.apply(&mut twin, kind, records, at))?;
    for a in generate::advance_requests(&g) {
        twin.request_advance(&a)?;
    }
    Ok(Built {
        twin,
        as_of: g.as_of(),
        ingest: ingest.phase(),
        skipped: ingest.skipped,
        source,
    })
}

fn build_from_file(path: &Path) -> Result<Built> {
    let doc = read_document(path)?;
    let mut twin = Twin::new(doc.company.clone());
    let mut ingest = Ingest::default();
    doc.for_each_batch(|kind, records, at| ingest.apply(&mut twin, kind, records, at))?;
    for a in doc.advances()? {
        twin.request_advance(&a)?;
    }
    Ok(Built {
        twin,
        as_of: doc.as_of()?,
        ingest: ingest.phase(),
        skipped: ingest.skipped,
        source: Source::File(path.to_path_buf()),
    })
}

/// A scenario document in kind-array form, its company read.
struct Document {
    obj: Map<String, Value>,
    company: Company,
    received_at: Instant,
}

/// An invalid argument of the bench.
pub(super) fn arg(name: &str, message: impl Into<String>) -> Error {
    Error::InvalidArgument {
        name: name.into(),
        message: message.into(),
    }
}

fn bad(path: &str, message: &str) -> Error {
    Error::Scenario {
        path: path.into(),
        message: message.into(),
    }
}

/// Reads `path` as a kind-array scenario document.
fn read_document(path: &Path) -> Result<Document> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| arg("scenario", format!("cannot read {}: {e}", path.display())))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| Error::Scenario {
        path: "document".into(),
        message: format!("not JSON: {e}"),
    })?;
    let Value::Object(obj) = doc else {
        return Err(bad("document", "must be a JSON object"));
    };
    if obj.contains_key("steps") {
        return Err(arg(
            "scenario",
            "the bench measures kind-array documents, not the timeline form",
        ));
    }
    let company = Company::from_json(
        obj.get("company")
            .ok_or_else(|| bad("company", "is required"))?,
    )?;
    let received_at = instant(company.timezone(), obj.get("received_at"), "received_at")?;
    Ok(Document {
        obj,
        company,
        received_at,
    })
}

/// A timestamp string of the document, read in the company's zone.
fn instant(tz: chrono_tz::Tz, v: Option<&Value>, path: &str) -> Result<Instant> {
    let s = v
        .and_then(Value::as_str)
        .ok_or_else(|| bad(path, "must be a timestamp string"))?;
    calendar::parse_instant(tz, s).map_err(|e| bad(path, &e.to_string()))
}

impl Document {
    /// Every kind's records in push order, in batches of at most `batch_records_max`.
    fn for_each_batch(
        &self,
        mut f: impl FnMut(Kind, &[Value], Instant) -> Result<()>,
    ) -> Result<()> {
        let batch = usize::try_from(self.company.limits().batch_records_max())
            .unwrap_or(usize::MAX)
            .max(1);
        for kind in Kind::ALL {
            let Some(v) = self.obj.get(kind.document_key()) else {
                continue;
            };
            let records = v
                .as_array()
                .ok_or_else(|| bad(kind.document_key(), "must be an array of objects"))?;
            for chunk in records.chunks(batch) {
                f(kind, chunk, self.received_at)?;
            }
        }
        Ok(())
    }

    /// The advance requests, sorted as a scenario runs them (`requested_at`, id, position).
    fn advances(&self) -> Result<Vec<AdvanceRequest>> {
        let tz = self.company.timezone();
        let mut advances = Vec::new();
        for (i, a) in self
            .obj
            .get("advances")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let p = format!("advances[{i}]");
            let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
            let request = AdvanceRequest {
                advance_id: text("advance_id")
                    .ok_or_else(|| bad(&p, "advance_id must be a string"))?,
                employee_id: text("employee_id")
                    .ok_or_else(|| bad(&p, "employee_id must be a string"))?,
                amount: a
                    .get("amount")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| bad(&p, "amount must be an integer"))?,
                requested_at: instant(tz, a.get("requested_at"), &p)?,
                delivery: match a.get("delivery").and_then(Value::as_str) {
                    Some("instant") => Delivery::Instant,
                    _ => Delivery::Standard,
                },
            };
            advances.push((request, i));
        }
        advances.sort_by(|(a, i), (b, j)| {
            (a.requested_at, &a.advance_id, i).cmp(&(b.requested_at, &b.advance_id, j))
        });
        Ok(advances.into_iter().map(|(a, _)| a).collect())
    }

    /// The latest `as_of` of the queries, and at least `received_at`.
    fn as_of(&self) -> Result<Instant> {
        let mut as_of = self.received_at;
        for q in self
            .obj
            .get("queries")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            as_of = as_of.max(instant(
                self.company.timezone(),
                q.get("as_of"),
                "queries[].as_of",
            )?);
        }
        Ok(as_of)
    }
}
