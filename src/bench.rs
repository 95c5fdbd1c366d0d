//! The measuring harness behind `ewa bench` (issue #5): ingestion from JSON bytes, bulk and
//! one-employee eligibility, resident memory per shift, and optionally the same accrual as
//! SQL in SQLite. This is the one module of the library that reads the clock
//! (`std::time::Instant`) and `/proc`: it measures the engine, it is not part of it.

use crate::calendar::{self, Instant};
use crate::eligibility::Detail;
use crate::error::{Error, Result};
use crate::generate;
use crate::ingest::Kind;
use crate::model::{Delivery, ShiftStatus};
use crate::twin::Twin;
use crate::Company;
use serde::Serialize;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Instant as Clock;

/// What to measure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Employees of the generated payroll (default 100,000).
    pub employees: usize,
    /// Seed of the generator and of the random lookups (default 1).
    pub seed: u64,
    /// Shifts per employee (default 40).
    pub shifts_per_employee: usize,
    /// Measure this scenario document (kind-array form) instead of generated data.
    pub scenario: Option<PathBuf>,
    /// Also compute the hourly accrual as SQL in an in-memory SQLite database.
    pub compare_sqlite: bool,
    /// One-employee lookups for the p50/p95 (default 10,000).
    pub lookups: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            employees: 100_000,
            seed: 1,
            shifts_per_employee: 40,
            scenario: None,
            compare_sqlite: false,
            lookups: 10_000,
        }
    }
}

/// Ingestion through [`Twin::apply_json`] (JSON bytes in, job reports out).
#[derive(Clone, Debug, Serialize)]
pub struct IngestPhase {
    /// Records of every kind.
    pub records: usize,
    /// Records rejected (a generated payroll has none).
    pub rejected: usize,
    /// Seconds spent in `apply_json`, every kind.
    pub seconds: f64,
    /// `records / seconds`.
    pub records_per_s: f64,
    /// Shift records.
    pub shift_records: usize,
    /// Seconds spent in `apply_json` on shift batches.
    pub shift_seconds: f64,
    /// `shift_records / shift_seconds`.
    pub shift_records_per_s: f64,
}

/// Every employee at one instant: [`Twin::eligibility_all`].
#[derive(Clone, Debug, Serialize)]
pub struct BulkPhase {
    /// Timed runs.
    pub runs: usize,
    /// Median wall time, seconds.
    pub median_s: f64,
    /// Fastest run, seconds.
    pub min_s: f64,
    /// The first run, seconds: when the twin's caches are empty it also fills them (each
    /// overtime employee's classification, SPEC §5.2), which the later runs read.
    pub first_s: f64,
    /// `employees / median_s`.
    pub employees_per_s: f64,
    /// Answers with `eligible`.
    pub eligible: usize,
    /// Σ `available` (the same in every run, checked).
    pub total_available: i64,
}

/// [`Twin::eligibility`] with [`Detail::Explained`] for random employees, one call at a time.
#[derive(Clone, Debug, Serialize)]
pub struct LookupPhase {
    /// Calls timed.
    pub lookups: usize,
    /// Median, microseconds.
    pub p50_us: f64,
    /// 95th percentile, microseconds.
    pub p95_us: f64,
    /// Slowest, microseconds.
    pub max_us: f64,
    /// [`Twin::eligibility`] with [`Detail::Brief`] (no periods) for the same ids, in a pass
    /// of its own: median, µs.
    pub summary_p50_us: f64,
    /// Its 95th percentile, µs.
    pub summary_p95_us: f64,
}

/// Resident memory (Linux `/proc/self/status` VmRSS), before and after building the twin.
#[derive(Clone, Debug, Serialize)]
pub struct MemoryPhase {
    /// Before ingestion, bytes.
    pub rss_before: Option<u64>,
    /// After ingestion, bytes.
    pub rss_after: Option<u64>,
    /// `(after − before) / shifts`: the process's growth per shift while ingesting, which
    /// includes what the allocator keeps of the transient parse buffers.
    pub bytes_per_shift: Option<f64>,
    /// [`Twin::shift_storage_bytes`] per shift: the shift records, ids, id index and side
    /// data, accounted from the twin's structures (not RSS).
    pub shift_storage_bytes_per_shift: f64,
    /// [`Twin::cache_bytes`] per shift after the bulk phases (every employee's overtime
    /// classification made).
    pub cache_bytes_per_shift: f64,
}

/// The same hourly accrual as SQL in SQLite, in the same run.
#[derive(Clone, Debug, Serialize)]
pub struct SqlitePhase {
    /// What was computed.
    pub what: String,
    /// Seconds to load the in-memory database and build its index (not in the ratio).
    pub load_s: f64,
    /// Median seconds of the query.
    pub query_s: f64,
    /// Employees the query answers for.
    pub employees: usize,
    /// Employees whose SQL net differs from the engine's `accessible_base` (expected 0).
    pub mismatches: usize,
    /// `query_s / eligibility_summaries median_s` (the engine also answers every other
    /// employee).
    pub ratio: f64,
}

/// Store save/load phases: the twin saved as a new company's canonical snapshot in a
/// temporary SQLite file (`Store::import`, which also rebuilds the twin once to check the
/// snapshot before writing it), then loaded back (`Store::load`, every row re-validated
/// through ingestion) and compared with the original.
#[derive(Clone, Debug, Serialize)]
pub struct StorePhase {
    /// Whether the phases ran.
    pub available: bool,
    /// What ran, or why not.
    pub note: String,
    /// Seconds to save.
    pub save_s: f64,
    /// Seconds to load.
    pub load_s: f64,
    /// Shifts saved per second.
    pub save_shifts_per_s: f64,
    /// Shifts loaded per second.
    pub load_shifts_per_s: f64,
    /// Size of the file, bytes.
    pub file_bytes: u64,
}

/// Saves `twin` to a temporary store and loads it back, checking the loaded twin is equal.
fn store_phase(twin: &Twin) -> Result<StorePhase> {
    let dir = std::env::temp_dir().join(format!("ewa-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| Error::Storage {
        message: format!("cannot create {}: {e}", dir.display()),
    })?;
    let path = dir.join("bench.db");
    let result = (|| {
        let mut store = crate::store::Store::open(&path)?;
        let t0 = Clock::now();
        store.import(twin)?;
        let save_s = t0.elapsed().as_secs_f64();
        drop(store);
        let store = crate::store::Store::open(&path)?;
        let t1 = Clock::now();
        let loaded = store.load(&twin.company().company_id)?;
        let load_s = t1.elapsed().as_secs_f64();
        if loaded != *twin {
            return Err(Error::Storage {
                message: "the loaded twin differs from the saved one".into(),
            });
        }
        let shifts = twin.counts().shifts as f64;
        let per = |s: f64| if s > 0.0 { shifts / s } else { 0.0 };
        let file_bytes = ["", "-wal"]
            .iter()
            .filter_map(|x| std::fs::metadata(format!("{}{x}", path.display())).ok())
            .map(|m| m.len())
            .sum();
        Ok(StorePhase {
            available: true,
            note: format!(
                "save {:.3} s = {}/s shifts, load {:.3} s = {}/s shifts, {:.1} MiB",
                save_s,
                rate(per(save_s)),
                load_s,
                rate(per(load_s)),
                file_bytes as f64 / 1048576.0
            ),
            save_s,
            load_s,
            save_shifts_per_s: per(save_s),
            load_shifts_per_s: per(load_s),
            file_bytes,
        })
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Every figure of one bench run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// `generated (seed N)` or the scenario file.
    pub source: String,
    /// `nproc` and the CPU model.
    pub machine: String,
    /// Employees in the twin.
    pub employees: usize,
    /// Shifts in the twin.
    pub shifts: usize,
    /// The instant of every answer.
    pub as_of: String,
    /// Ingestion.
    pub ingest: IngestPhase,
    /// Bulk eligibility ([`Twin::eligibility_all`]).
    pub eligibility_summaries: BulkPhase,
    /// Bulk eligibility again: a second series of the same call (there were two answer
    /// types, compact and full, before issue #13; the report keeps its shape).
    pub eligibility_all: BulkPhase,
    /// One-employee eligibility.
    pub one_employee: LookupPhase,
    /// Resident memory.
    pub memory: MemoryPhase,
    /// SQLite comparison, when asked.
    pub sqlite: Option<SqlitePhase>,
    /// Store phases.
    pub store: StorePhase,
}

impl Report {
    /// A human-readable table of the figures.
    pub fn to_table(&self) -> String {
        let mut rows: Vec<(String, String)> = vec![
            ("source".into(), self.source.clone()),
            ("machine".into(), self.machine.clone()),
            ("employees / shifts".into(), format!("{} / {}", self.employees, self.shifts)),
            ("as_of".into(), self.as_of.clone()),
            (
                "ingest (apply_json)".into(),
                format!(
                    "{} records in {:.3} s = {} records/s ({} rejected)",
                    self.ingest.records,
                    self.ingest.seconds,
                    rate(self.ingest.records_per_s),
                    self.ingest.rejected
                ),
            ),
            (
                "ingest shifts".into(),
                format!(
                    "{} shifts in {:.3} s = {} shifts/s",
                    self.ingest.shift_records,
                    self.ingest.shift_seconds,
                    rate(self.ingest.shift_records_per_s)
                ),
            ),
            (
                "eligibility_summaries".into(),
                bulk_row(&self.eligibility_summaries),
            ),
            ("eligibility_all".into(), bulk_row(&self.eligibility_all)),
            (
                "one employee".into(),
                format!(
                    "with lines p50 {:.2} µs, p95 {:.2} µs, max {:.1} µs; summary p50 {:.2} µs, p95 {:.2} µs ({} lookups each)",
                    self.one_employee.p50_us,
                    self.one_employee.p95_us,
                    self.one_employee.max_us,
                    self.one_employee.summary_p50_us,
                    self.one_employee.summary_p95_us,
                    self.one_employee.lookups
                ),
            ),
            (
                "memory".into(),
                match (self.memory.rss_before, self.memory.rss_after, self.memory.bytes_per_shift) {
                    (Some(b), Some(a), Some(p)) => format!(
                        "RSS {} MiB -> {} MiB = {:.1} B per shift (whole process); shift storage {:.1} B per shift (accounted); caches {:.1} B per shift after the bulk phases",
                        b >> 20,
                        a >> 20,
                        p,
                        self.memory.shift_storage_bytes_per_shift,
                        self.memory.cache_bytes_per_shift
                    ),
                    _ => "not available (needs Linux /proc)".into(),
                },
            ),
        ];
        if let Some(s) = &self.sqlite {
            rows.push((
                "sqlite".into(),
                format!(
                    "{}: query {:.4} s for {} employees ({} mismatches), load {:.2} s; sqlite / engine = {:.1}x",
                    s.what, s.query_s, s.employees, s.mismatches, s.load_s, s.ratio
                ),
            ));
        }
        rows.push(("store save / load".into(), self.store.note.clone()));
        let w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        rows.iter()
            .map(|(k, v)| format!("{k:<w$}  {v}\n"))
            .collect()
    }
}

fn rate(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.1}")
    }
}

/// Runs every phase and reports the figures.
///
/// # Errors
/// [`Error::InvalidArgument`] for an unreadable or timeline-form scenario file,
/// [`Error::Scenario`] for a malformed one, [`Error::Storage`] when SQLite fails, and any
/// error of the engine calls.
pub fn run(opts: &Options) -> Result<Report> {
    let rss_before = rss_bytes();
    let built = match &opts.scenario {
        Some(path) => build_from_file(path)?,
        None => build_generated(opts)?,
    };
    let rss_after = rss_bytes();
    let twin = &built.twin;
    let shifts = twin.counts().shifts;
    let per_shift = |bytes: f64| (shifts > 0).then(|| bytes / shifts as f64);
    let per_shift_of = |bytes: usize| per_shift(bytes as f64).unwrap_or(0.0);
    let mut memory = MemoryPhase {
        rss_before,
        rss_after,
        bytes_per_shift: rss_before
            .zip(rss_after)
            .and_then(|(b, a)| per_shift(a.saturating_sub(b) as f64)),
        shift_storage_bytes_per_shift: per_shift_of(twin.shift_storage_bytes()),
        cache_bytes_per_shift: 0.0,
    };
    let t = built.as_of;
    let d = Delivery::Standard;
    let answer_all = || {
        Ok(twin
            .eligibility_all(t, d)?
            .iter()
            .map(|a| (a.eligible, a.available))
            .collect())
    };
    let eligibility_summaries = bulk(twin, answer_all)?;
    let eligibility_all = bulk(twin, answer_all)?;
    assert_eq!(
        (
            eligibility_summaries.eligible,
            eligibility_summaries.total_available
        ),
        (eligibility_all.eligible, eligibility_all.total_available),
        "compact and full answers agree"
    );
    memory.cache_bytes_per_shift = per_shift_of(twin.cache_bytes());
    let one_employee = lookups(twin, built.as_of, opts.lookups, opts.seed)?;
    let sqlite = if opts.compare_sqlite {
        Some(crate::bench::sqlite::compare(
            twin,
            built.as_of,
            eligibility_summaries.median_s,
        )?)
    } else {
        None
    };
    Ok(Report {
        source: built.source,
        machine: machine(),
        employees: twin.counts().employees,
        shifts,
        as_of: built.as_of.to_string(),
        ingest: built.ingest,
        eligibility_summaries,
        eligibility_all,
        one_employee,
        memory,
        sqlite,
        store: store_phase(twin)?,
    })
}

struct Built {
    twin: Twin,
    as_of: Instant,
    source: String,
    ingest: IngestPhase,
}

#[derive(Default)]
struct Ingest {
    records: usize,
    rejected: usize,
    seconds: f64,
    shift_records: usize,
    shift_seconds: f64,
}

impl Ingest {
    /// Times one `apply_json` of `records` (the serialisation is not timed).
    fn apply(&mut self, twin: &mut Twin, kind: Kind, records: &[Value], at: Instant) -> Result<()> {
        let bytes =
            serde_json::to_vec(records).map_err(|e| Error::arg("records", e.to_string()))?;
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

fn build_generated(opts: &Options) -> Result<Built> {
    let g = generate::Options {
        employees: opts.employees,
        seed: opts.seed,
        shifts_per_employee: opts.shifts_per_employee,
        ..generate::Options::default()
    };
    let mut twin = Twin::new(generate::company(&g)?);
    let at = g.received_at();
    let mut ingest = Ingest::default();
    generate::for_each_batch(&g, |kind, records| {
        ingest.apply(&mut twin, kind, &records, at)
    })?;
    for a in generate::advance_requests(&g) {
        twin.request_advance(&a)?;
    }
    Ok(Built {
        twin,
        as_of: g.as_of(),
        source: format!(
            "generated (seed {}, {} shifts per employee)",
            opts.seed, opts.shifts_per_employee
        ),
        ingest: ingest.phase(),
    })
}

fn build_from_file(path: &std::path::Path) -> Result<Built> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::arg("scenario", format!("cannot read {}: {e}", path.display())))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| Error::Scenario {
        path: "document".into(),
        message: format!("not JSON: {e}"),
    })?;
    let bad = |p: &str, m: &str| Error::Scenario {
        path: p.into(),
        message: m.into(),
    };
    let obj = doc
        .as_object()
        .ok_or_else(|| bad("document", "must be a JSON object"))?;
    if obj.contains_key("steps") {
        return Err(Error::arg(
            "scenario",
            "the bench measures kind-array documents, not the timeline form",
        ));
    }
    let company = Company::from_json(
        obj.get("company")
            .ok_or_else(|| bad("company", "is required"))?,
    )?;
    let tz = company.timezone;
    let instant = |v: Option<&Value>, p: &str| {
        let s = v
            .and_then(Value::as_str)
            .ok_or_else(|| bad(p, "must be a timestamp string"))?;
        calendar::parse_instant(tz, s).map_err(|e| bad(p, &e.to_string()))
    };
    let received_at = instant(obj.get("received_at"), "received_at")?;
    let batch = usize::try_from(company.limits.batch_records_max)
        .unwrap_or(usize::MAX)
        .max(1);
    let mut twin = Twin::new(company);
    let mut ingest = Ingest::default();
    for kind in Kind::ALL {
        let Some(v) = obj.get(kind.document_key()) else {
            continue;
        };
        let records = v
            .as_array()
            .ok_or_else(|| bad(kind.document_key(), "must be an array of objects"))?;
        for chunk in records.chunks(batch) {
            ingest.apply(&mut twin, kind, chunk, received_at)?;
        }
    }
    let mut advances = Vec::new();
    for (i, a) in obj
        .get("advances")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let p = format!("advances[{i}]");
        let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
        advances.push((
            crate::AdvanceRequest {
                advance_id: text("advance_id")
                    .ok_or_else(|| bad(&p, "advance_id must be a string"))?,
                employee_id: text("employee_id")
                    .ok_or_else(|| bad(&p, "employee_id must be a string"))?,
                amount: a
                    .get("amount")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| bad(&p, "amount must be an integer"))?,
                requested_at: instant(a.get("requested_at"), &p)?,
                delivery: match a.get("delivery").and_then(Value::as_str) {
                    Some("instant") => Delivery::Instant,
                    _ => Delivery::Standard,
                },
            },
            i,
        ));
    }
    advances.sort_by(|(a, i), (b, j)| {
        (a.requested_at, &a.advance_id, i).cmp(&(b.requested_at, &b.advance_id, j))
    });
    for (a, _) in &advances {
        twin.request_advance(a)?;
    }
    let mut as_of = received_at;
    for q in obj
        .get("queries")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        as_of = as_of.max(instant(q.get("as_of"), "queries[].as_of")?);
    }
    Ok(Built {
        twin,
        as_of,
        source: path.display().to_string(),
        ingest: ingest.phase(),
    })
}

/// One row of the table for a bulk phase.
fn bulk_row(b: &BulkPhase) -> String {
    format!(
        "median {:.4} s of {} (min {:.4} s, first {:.4} s) = {} employees/s; {} eligible, Σ available {}",
        b.median_s,
        b.runs,
        b.min_s,
        b.first_s,
        rate(b.employees_per_s),
        b.eligible,
        b.total_available
    )
}

/// Times `answer_all` (one answer per employee: (eligible, available) of each) over a few
/// runs (the time includes freeing the answers `answer_all` reduces to those pairs); every
/// run must give the same totals.
fn bulk(twin: &Twin, answer_all: impl Fn() -> Result<Vec<(bool, i64)>>) -> Result<BulkPhase> {
    let n = twin.counts().employees;
    let runs = if n <= 200_000 { 5 } else { 3 };
    let mut times = Vec::with_capacity(runs);
    let mut check: Option<(usize, i64)> = None;
    for _ in 0..runs {
        let t0 = Clock::now();
        let answers = answer_all()?;
        let dt = t0.elapsed().as_secs_f64();
        let eligible = answers.iter().filter(|a| a.0).count();
        let total = answers.iter().map(|a| a.1).sum::<i64>();
        assert_eq!(answers.len(), n, "one answer per employee");
        if let Some(c) = check {
            assert_eq!(c, (eligible, total), "every run gives the same answers");
        }
        check = Some((eligible, total));
        times.push(dt);
    }
    let first_s = times.first().copied().unwrap_or(0.0);
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
    let (eligible, total_available) = check.unwrap_or((0, 0));
    Ok(BulkPhase {
        runs,
        median_s: median,
        min_s: times.first().copied().unwrap_or(0.0),
        first_s,
        employees_per_s: if median > 0.0 { n as f64 / median } else { 0.0 },
        eligible,
        total_available,
    })
}

fn lookups(twin: &Twin, as_of: Instant, count: usize, seed: u64) -> Result<LookupPhase> {
    let ids = twin.employee_ids();
    let mut picks = Vec::with_capacity(count);
    let mut state = seed ^ 0x5EED;
    for _ in 0..count {
        if ids.is_empty() {
            break;
        }
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        picks.push(((u128::from(z) * ids.len() as u128) >> 64) as usize);
    }
    // Two passes over the same ids, so that neither finds the other's cache lines.
    let mut summary = Vec::with_capacity(count);
    let mut available = Vec::with_capacity(count);
    for &i in &picks {
        let Some(id) = ids.get(i) else { continue };
        let t0 = Clock::now();
        let s = twin.eligibility(id, as_of, Delivery::Standard, Detail::Brief)?;
        summary.push(t0.elapsed().as_secs_f64() * 1e6);
        available.push(s.available);
    }
    let mut full = Vec::with_capacity(count);
    for (&i, &a) in picks.iter().zip(&available) {
        let Some(id) = ids.get(i) else { continue };
        let t0 = Clock::now();
        let answer = twin.eligibility(id, as_of, Delivery::Standard, Detail::Explained)?;
        full.push(t0.elapsed().as_secs_f64() * 1e6);
        assert_eq!(answer.employee_id, &**id);
        assert_eq!(answer.available, a, "the summary and the full answer agree");
    }
    full.sort_by(f64::total_cmp);
    summary.sort_by(f64::total_cmp);
    let pick = |v: &[f64], q: f64| {
        let i = ((v.len() as f64 - 1.0) * q).round() as usize;
        v.get(i).copied().unwrap_or(0.0)
    };
    Ok(LookupPhase {
        lookups: full.len(),
        p50_us: pick(&full, 0.5),
        p95_us: pick(&full, 0.95),
        max_us: full.last().copied().unwrap_or(0.0),
        summary_p50_us: pick(&summary, 0.5),
        summary_p95_us: pick(&summary, 0.95),
    })
}

/// VmRSS of this process in bytes (Linux only).
fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|c| {
        c.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map(|m| m.trim().to_string())
    });
    format!(
        "{cpus} cpus, {}",
        model.unwrap_or_else(|| "unknown CPU".into())
    )
}

/// Whether a status is counted by default, for the SQL side.
fn counted_code(s: ShiftStatus) -> i64 {
    s as i64
}

mod sqlite;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_and_scenario_runs_measure_the_same_payroll() {
        let opts = Options {
            employees: 300,
            shifts_per_employee: 20,
            lookups: 50,
            compare_sqlite: true,
            ..Options::default()
        };
        let a = run(&opts).unwrap();
        assert_eq!((a.employees, a.ingest.rejected), (300, 0));
        assert_eq!(a.shifts, 300 * 20 + 6);
        assert_eq!(a.one_employee.lookups, 50);
        let sql = a.sqlite.as_ref().unwrap();
        assert!(sql.employees > 0);
        assert_eq!(sql.mismatches, 0);
        assert!(a.store.available, "{}", a.store.note);
        assert!(a.to_table().contains("eligibility_all"));
        let g = generate::Options {
            employees: 300,
            shifts_per_employee: 20,
            ..generate::Options::default()
        };
        let path = std::env::temp_dir().join(format!("ewa-bench-test-{}.json", std::process::id()));
        std::fs::write(&path, serde_json::to_vec(&generate::scenario(&g)).unwrap()).unwrap();
        let b = run(&Options {
            scenario: Some(path.clone()),
            compare_sqlite: false,
            ..opts
        });
        let _ = std::fs::remove_file(&path);
        let b = b.unwrap();
        assert_eq!(
            (b.employees, b.shifts, b.ingest.rejected),
            (300, a.shifts, 0)
        );
        assert_eq!(b.as_of, a.as_of);
        assert_eq!(
            b.eligibility_all.total_available,
            a.eligibility_all.total_available
        );
    }
}
