//! `ewa bench --bulk-only`: only the bulk answers, timed over a few calls with the CPU time
//! they took, for profiling that path (what the `bench_probe` example's `--bulk-only` did).

use super::BulkOnly;
use ewa::calendar::Instant;
use ewa::error::Result;
use ewa::Twin;
use std::time::Instant as Clock;

/// Which bulk answers `--bulk-only` times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BulkKind {
    /// `eligibility_summaries` then `eligibility_all` in each run.
    Both,
    /// Only `eligibility_summaries` (the compact answers).
    Summaries,
    /// Only `eligibility_all` (the full answers).
    All,
}

/// Wall times, CPU seconds and the last run's (eligible, Σ available) of one form.
#[derive(Default)]
struct Timed {
    times: Vec<f64>,
    cpu: f64,
    eligible: usize,
    available: i64,
}

impl Timed {
    /// Times one call of `answer`, which returns (eligible, available) per employee.
    fn time(&mut self, answer: impl FnOnce() -> Result<Vec<(bool, i64)>>) -> Result<()> {
        let (c0, t0) = (cpu_seconds(), Clock::now());
        let a = answer()?;
        self.times.push(t0.elapsed().as_secs_f64());
        self.cpu += cpu_seconds() - c0;
        self.eligible = a.iter().filter(|e| e.0).count();
        self.available = a.iter().map(|e| e.1).sum();
        Ok(())
    }

    /// `what: N employees, median … over R runs (min …), CPU … µs per employee; …`.
    fn line(&mut self, what: &str, employees: usize) -> String {
        self.times.sort_by(f64::total_cmp);
        let runs = self.times.len();
        format!(
            "{what}: {employees} employees, median {:.4} s over {runs} runs (min {:.4} s), CPU {:.3} µs per employee; {} eligible, total available {}\n",
            self.times.get(runs / 2).copied().unwrap_or(0.0),
            self.times.first().copied().unwrap_or(0.0),
            self.cpu * 1e6 / (runs * employees).max(1) as f64,
            self.eligible,
            self.available,
        )
    }
}

/// Times `bulk.runs` calls of the forms `bulk.kind` names on `twin` at `at`; one line per
/// form timed.
///
/// # Errors
/// Any error of the engine calls.
pub(super) fn bulk_only(twin: &Twin, at: Instant, bulk: &BulkOnly) -> Result<String> {
    let (mut compact, mut full) = (Timed::default(), Timed::default());
    for _ in 0..bulk.runs.max(1) {
        if bulk.kind != BulkKind::All {
            compact.time(|| super::phases::all_answers(twin, at))?;
        }
        if bulk.kind != BulkKind::Summaries {
            full.time(|| super::phases::all_answers(twin, at))?;
        }
    }
    let n = twin.counts().employees;
    let mut out = String::new();
    if bulk.kind != BulkKind::All {
        out.push_str(&compact.line("eligibility_summaries", n));
    }
    if bulk.kind != BulkKind::Summaries {
        out.push_str(&full.line("eligibility_all", n));
    }
    Ok(out)
}

/// User + system CPU seconds of this process so far (Linux `/proc/self/stat`, clock ticks
/// of 1/100 s; 0 where unreadable).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<&str> = after.split_whitespace().collect();
    let tick = |k: usize| f.get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of the file (utime, stime) are 11 and 12 after the command name.
    (tick(11) + tick(12)) / 100.0
}
