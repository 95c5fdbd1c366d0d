//! The figures of one bench run, and their table.

use serde::Serialize;

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

/// Every employee at one instant: [`Twin::eligibility_summaries`] (the compact answers) or
/// [`Twin::eligibility_all`] (the full answers, with their text).
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

/// [`Twin::eligibility`] for random employees, one call at a time.
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
    /// [`Twin::eligibility_summary`] (the compact answer) for the same ids, in a pass of its
    /// own: median, µs.
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
    /// Seconds to read the pushed records again, load the in-memory database and build its
    /// indexes (not in the ratio).
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
    /// One employee's answer with lines from a new read-only handle on the file (its view
    /// read, `Store::employee_twin`), median over 200 employees, µs.
    pub employee_view_p50_us: f64,
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
    /// Bulk eligibility, compact answers.
    pub eligibility_summaries: BulkPhase,
    /// Bulk eligibility, full answers.
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
            (
                "employees / shifts".into(),
                format!("{} / {}", self.employees, self.shifts),
            ),
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
            ("one employee".into(), lookup_row(&self.one_employee)),
            ("memory".into(), memory_row(&self.memory)),
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

/// `x` with a k or M suffix.
pub(super) fn rate(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.1}")
    }
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

/// The table's row for the one-employee lookups.
fn lookup_row(l: &LookupPhase) -> String {
    format!(
        "with lines p50 {:.2} µs, p95 {:.2} µs, max {:.1} µs; summary p50 {:.2} µs, p95 {:.2} µs ({} lookups each)",
        l.p50_us, l.p95_us, l.max_us, l.summary_p50_us, l.summary_p95_us, l.lookups
    )
}

/// The table's row for resident memory.
fn memory_row(m: &MemoryPhase) -> String {
    match (m.rss_before, m.rss_after, m.bytes_per_shift) {
        (Some(b), Some(a), Some(p)) => format!(
            "RSS {} MiB -> {} MiB = {:.1} B per shift (whole process); shift storage {:.1} B per shift (accounted); caches {:.1} B per shift after the bulk phases",
            b >> 20,
            a >> 20,
            p,
            m.shift_storage_bytes_per_shift,
            m.cache_bytes_per_shift
        ),
        _ => "not available (needs Linux /proc)".into(),
    }
}
