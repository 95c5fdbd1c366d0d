//! The measuring harness behind `ewa bench` (issue #5): ingestion from JSON bytes, bulk and
//! one-employee eligibility, resident memory per shift, and optionally the same accrual as
//! SQL in SQLite. It lives in the binary, not the library: it reads the clock
//! (`std::time::Instant`) and `/proc`, and measures the engine through its public API only.

mod build;
mod order;
mod phases;
mod probe;
mod records;
mod report;
mod sqlite;

use ewa::calendar::Instant;
use ewa::error::Result;
use ewa::Twin;
pub use order::Order;
pub use probe::BulkKind;
pub use report::Report;
use report::{BulkPhase, MemoryPhase};
use std::path::PathBuf;

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
    /// The order the generated records are pushed in (default employee by employee).
    pub order: Order,
    /// Whether the generated payroll carries the pay rules of SPEC §5.2–§5.7 (default
    /// true; see `ewa::generate::Options::pay_rules`).
    pub pay_rules: bool,
}

/// `ewa bench --bulk-only`: only the bulk answers, for profiling that path (formerly the
/// `bench_probe` example's `--bulk-only`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkOnly {
    /// Timed calls of each form.
    pub runs: usize,
    /// Which forms to time.
    pub kind: probe::BulkKind,
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
            order: Order::Employee,
            pay_rules: true,
        }
    }
}

/// Runs every phase and reports the figures.
///
/// # Errors
/// [`ewa::Error::InvalidArgument`] for an unreadable or timeline-form scenario file,
/// [`ewa::Error::Scenario`] for a malformed one, [`ewa::Error::Storage`] when SQLite fails,
/// and any error of the engine calls.
pub fn run(opts: &Options) -> Result<Report> {
    let rss_before = phases::rss_bytes();
    let built = build::build(opts)?;
    let rss_after = phases::rss_bytes();
    let twin = &built.twin;
    let shifts = twin.counts().shifts;
    let mut memory = MemoryPhase {
        rss_before,
        rss_after,
        bytes_per_shift: rss_before
            .zip(rss_after)
            .and_then(|(b, a)| per_shift(a.saturating_sub(b) as f64, shifts)),
        shift_storage_bytes_per_shift: per_shift(twin.shift_storage_bytes() as f64, shifts)
            .unwrap_or(0.0),
        cache_bytes_per_shift: 0.0,
    };
    let (eligibility_summaries, eligibility_all) = bulk_phases(twin, built.as_of)?;
    memory.cache_bytes_per_shift = per_shift(twin.cache_bytes() as f64, shifts).unwrap_or(0.0);
    let one_employee = phases::lookups(twin, built.as_of, opts.lookups, opts.seed)?;
    let sqlite = if opts.compare_sqlite {
        Some(sqlite::compare(&built, eligibility_summaries.median_s)?)
    } else {
        None
    };
    Ok(Report {
        source: built.source.describe(),
        machine: phases::machine(),
        employees: twin.counts().employees,
        shifts,
        as_of: built.as_of.to_string(),
        ingest: built.ingest.clone(),
        eligibility_summaries,
        eligibility_all,
        one_employee,
        memory,
        sqlite,
        store: phases::store_phase(twin, built.as_of)?,
    })
}

/// `bytes / shifts`, none without shifts.
fn per_shift(bytes: f64, shifts: usize) -> Option<f64> {
    (shifts > 0).then(|| bytes / shifts as f64)
}

/// The two bulk phases, compact answers then full answers, which must agree.
fn bulk_phases(twin: &Twin, t: Instant) -> Result<(BulkPhase, BulkPhase)> {
    let eligibility_summaries = phases::bulk(twin, || phases::all_answers(twin, t))?;
    let eligibility_all = phases::bulk(twin, || phases::all_answers(twin, t))?;
    assert_eq!(
        (
            eligibility_summaries.eligible,
            eligibility_summaries.total_available
        ),
        (eligibility_all.eligible, eligibility_all.total_available),
        "compact and full answers agree"
    );
    Ok((eligibility_summaries, eligibility_all))
}

/// `--bulk-only`: builds the twin and times only the bulk answers; returns the text.
///
/// # Errors
/// Any error of building the twin or of the engine calls.
pub fn run_bulk_only(opts: &Options, bulk: &BulkOnly) -> Result<String> {
    let built = build::build(opts)?;
    probe::bulk_only(&built.twin, built.as_of, bulk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ewa::generate;

    /// Issue #16: the time-ordered feed builds the same payroll: every record accepted, the
    /// same shifts, the same answers, and the SQL reference agrees with it.
    #[test]
    fn time_order_feeds_the_same_payroll() {
        let opts = Options {
            employees: 300,
            shifts_per_employee: 20,
            lookups: 50,
            compare_sqlite: true,
            // The SQL reference computes plain hourly pay only.
            pay_rules: false,
            ..Options::default()
        };
        let a = run(&opts).unwrap();
        let b = run(&Options {
            order: Order::Time,
            ..opts
        })
        .unwrap();
        assert_eq!(
            (b.employees, b.shifts, b.ingest.rejected),
            (300, a.shifts, 0)
        );
        assert!(
            b.ingest.records > a.ingest.records,
            "the syncs are pushed too"
        );
        assert_eq!(
            (
                b.eligibility_all.eligible,
                b.eligibility_all.total_available
            ),
            (
                a.eligibility_all.eligible,
                a.eligibility_all.total_available
            )
        );
        assert_eq!(b.sqlite.as_ref().unwrap().mismatches, 0);
        assert!(b.source.contains("time order"), "{}", b.source);
    }

    #[test]
    fn generated_and_scenario_runs_measure_the_same_payroll() {
        let opts = Options {
            employees: 300,
            shifts_per_employee: 20,
            lookups: 50,
            compare_sqlite: true,
            // The SQL reference computes plain hourly pay only.
            pay_rules: false,
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
            pay_rules: false,
            ..generate::Options::default()
        };
        let path = std::env::temp_dir().join(format!("ewa-bench-test-{}.json", std::process::id()));
        std::fs::write(&path, serde_json::to_vec(&generate::scenario(&g)).unwrap()).unwrap();
        let b = run(&Options {
            scenario: Some(path.clone()),
            ..opts
        });
        let _ = std::fs::remove_file(&path);
        let b = b.unwrap();
        assert_eq!(
            (b.employees, b.shifts, b.ingest.rejected),
            (300, a.shifts, 0)
        );
        assert_eq!(b.as_of, a.as_of);
        // The SQL side reads the scenario file's records as it read the generated ones.
        let sql_b = b.sqlite.as_ref().unwrap();
        assert_eq!((sql_b.employees, sql_b.mismatches), (sql.employees, 0));
        assert_eq!(sql_b.what, sql.what);
        assert_eq!(
            b.eligibility_all.total_available,
            a.eligibility_all.total_available
        );
    }
}
