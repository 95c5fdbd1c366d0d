//! The timed phases: bulk and one-employee eligibility, store save and load, and what the
//! machine and `/proc` say.

use super::report::{rate, BulkPhase, LookupPhase, StorePhase};
use ewa::calendar::Instant;
use ewa::error::{Error, Result};
use ewa::store::{Store, StoreOptions};
use ewa::{Delivery, Detail, Twin};
use std::time::Instant as Clock;

/// One employee's answer from a store opened for it (a new handle, its view read, the
/// answer with lines), as a command-line call pays after its process starts: the median
/// over up to [`VIEW_SAMPLES`] employees spread over the company, in µs. Each answer must
/// be the twin's.
fn employee_view_p50_us(path: &std::path::Path, twin: &Twin, t: Instant) -> Result<f64> {
    let ids = twin.employee_ids();
    let step = (ids.len() / VIEW_SAMPLES).max(1);
    let company = twin.company().company_id();
    let mut times = Vec::new();
    for id in ids.iter().step_by(step) {
        let t0 = Clock::now();
        let read_only = StoreOptions {
            read_only: true,
            ..StoreOptions::default()
        };
        let store = Store::open_with(path, &read_only)?;
        let view = store.employee_twin(company, id)?;
        let answer = view.eligibility(id, t, Delivery::Standard, Detail::Explained)?;
        times.push(t0.elapsed().as_secs_f64() * 1e6);
        if answer != twin.eligibility(id, t, Delivery::Standard, Detail::Explained)? {
            return Err(Error::Storage {
                message: format!("the view of {id} answers differently from the twin"),
            });
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(times.get(times.len() / 2).copied().unwrap_or(0.0))
}

/// Employees [`employee_view_p50_us`] samples.
const VIEW_SAMPLES: usize = 200;

/// Saves `twin` to a temporary store and loads it back, checking the loaded twin is equal;
/// then answers employees one by one from their views (at `t`).
pub(super) fn store_phase(twin: &Twin, t: Instant) -> Result<StorePhase> {
    // One directory per call: two runs in one process (tests) must not share a store.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("ewa-bench-{}-{call}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| Error::Storage {
        message: format!("cannot create {}: {e}", dir.display()),
    })?;
    let path = dir.join("bench.db");
    let result = (|| {
        let mut store = Store::open(&path)?;
        let t0 = Clock::now();
        store.import(twin)?;
        let save_s = t0.elapsed().as_secs_f64();
        drop(store);
        let store = Store::open(&path)?;
        let t1 = Clock::now();
        let loaded = store.load(twin.company().company_id())?;
        let load_s = t1.elapsed().as_secs_f64();
        if loaded != *twin {
            return Err(Error::Storage {
                message: "the loaded twin differs from the saved one".into(),
            });
        }
        drop(loaded);
        let view_us = employee_view_p50_us(&path, twin, t)?;
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
                "save {:.3} s = {}/s shifts, load {:.3} s = {}/s shifts, {:.1} MiB; \
                 one employee from its view {view_us:.0} µs p50",
                save_s,
                rate(per(save_s)),
                load_s,
                rate(per(load_s)),
                file_bytes as f64 / 1048576.0
            ),
            employee_view_p50_us: view_us,
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

/// Times `answer_all` (one answer per employee: (eligible, available) of each) over a few
/// runs (the time includes freeing the answers `answer_all` reduces to those pairs); every
/// run must give the same totals.
/// Every employee's answer at `t` (standard delivery), as `(eligible, available)`: what
/// each bulk phase times. Since the one answer type (issue #13) the compact and the full
/// phase time this same call (decision 61).
///
/// # Errors
/// Any error of [`Twin::eligibility_all`].
pub(super) fn all_answers(twin: &Twin, t: Instant) -> Result<Vec<(bool, i64)>> {
    Ok(twin
        .eligibility_all(t, Delivery::Standard)?
        .iter()
        .map(|a| (a.eligible, a.available))
        .collect())
}

pub(super) fn bulk(
    twin: &Twin,
    answer_all: impl Fn() -> Result<Vec<(bool, i64)>>,
) -> Result<BulkPhase> {
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

pub(super) fn lookups(twin: &Twin, as_of: Instant, count: usize, seed: u64) -> Result<LookupPhase> {
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
pub(super) fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

pub(super) fn machine() -> String {
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
