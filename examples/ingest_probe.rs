//! Ingestion alone, for iterating on `Twin::apply_json` (issues #5, #16): `cargo run
//! --release --example ingest_probe -- [EMPLOYEES] [SHIFTS_PER_EMPLOYEE] [RUNS] [WORD ...]`
//! with the words
//!
//! * `no-pay-rules`: the generated payroll without the pay rules, as before issue #14;
//! * `order=time`: the shifts in start order in daily batches, an HR sync along the way
//!   (`ewa::generate::for_each_batch_in_time_order`, as `ewa bench --order time` pushes
//!   them); `order=employee` (the default): employee by employee, 100,000 records a batch;
//! * `digest`: after each run, a hash of every job report's JSON and the invariants checked
//!   (not timed), so that two builds can be shown to answer alike.
//!
//! Serialises every generated batch once (not timed), then builds a fresh twin `RUNS` times
//! from those bytes and prints the shift batches' rate of each run and the median, with the
//! CPU time of all threads and of the calling thread alone (the batch's serial part: the
//! calling thread waits while rayon's workers run the parallel steps). The job reports are
//! kept until the batch is done, as a caller would read them.

use std::hash::{Hash, Hasher};

/// What the arguments ask for.
struct Args {
    g: ewa::generate::Options,
    runs: usize,
    time_order: bool,
    digest: bool,
}

fn args() -> Args {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let nums: Vec<usize> = all
        .iter()
        .filter_map(|a| a.replace('_', "").parse().ok())
        .collect();
    let num = |k: usize, d: usize| nums.get(k).copied().unwrap_or(d);
    let has = |w: &str| all.iter().any(|a| a == w);
    Args {
        g: ewa::generate::Options {
            employees: num(0, 100_000),
            shifts_per_employee: num(1, 40),
            pay_rules: !has("no-pay-rules"),
            ..Default::default()
        },
        runs: num(2, 3).max(1),
        time_order: has("order=time"),
        digest: has("digest"),
    }
}

fn fail(e: impl std::fmt::Display) -> ! {
    eprintln!("ingest_probe: {e}");
    std::process::exit(1);
}

fn main() {
    let a = args();
    let g = &a.g;
    let mut batches = Vec::new();
    let mut keep = |kind, records: &[serde_json::Value]| {
        let bytes = serde_json::to_vec(records).unwrap_or_default();
        batches.push((kind, bytes));
        Ok(())
    };
    let res = if a.time_order {
        let max = ewa::generate::company(g)
            .map(|c| c.limits().batch_records_max())
            .unwrap_or_else(|e| fail(e));
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        ewa::generate::for_each_batch_in_time_order(g, max, |kind, records, _| keep(kind, records))
    } else {
        ewa::generate::for_each_batch(g, |kind, records| keep(kind, &records))
    };
    if let Err(e) = res {
        fail(e);
    }
    let at = g.received_at();
    let shift_batches = batches.iter().filter(|b| b.0 == ewa::Kind::Shifts).count();
    println!(
        "{} order: {} batches, {shift_batches} of shifts",
        if a.time_order { "time" } else { "employee" },
        batches.len()
    );
    let mut rates = Vec::new();
    let mut check = None;
    for run in 0..a.runs {
        let company = ewa::generate::company(g).unwrap_or_else(|e| fail(e));
        let mut twin = ewa::Twin::new(company);
        let (mut shifts, mut rejected) = (0usize, 0usize);
        let (mut secs, mut cpu, mut serial) = (0f64, 0f64, 0f64);
        let mut digest = std::collections::hash_map::DefaultHasher::new();
        for (kind, bytes) in &batches {
            let (t0, c0, s0) = (std::time::Instant::now(), cpu_seconds(), thread_seconds());
            let report = twin
                .apply_json(*kind, bytes, at)
                .unwrap_or_else(|e| fail(e));
            let dt = t0.elapsed().as_secs_f64();
            let dc = cpu_seconds() - c0;
            let ds = thread_seconds() - s0;
            rejected += report.count_rejected;
            if *kind == ewa::Kind::Shifts {
                shifts += report.count_received;
                secs += dt;
                cpu += dc;
                serial += ds;
            }
            if a.digest {
                serde_json::to_string(&report)
                    .unwrap_or_default()
                    .hash(&mut digest);
            }
            drop(report);
        }
        let rate = shifts as f64 / secs;
        println!(
            "run {run}: {shifts} shifts in {secs:.3} s = {:.3}M shifts/s, CPU {cpu:.2} s = {:.2} µs per shift, {:.2} µs on the calling thread ({rejected} rejected)",
            rate / 1e6,
            cpu * 1e6 / shifts as f64,
            serial * 1e6 / shifts as f64
        );
        println!(
            "run {run}: shift storage {:.1} B per shift",
            twin.shift_storage_bytes() as f64 / twin.counts().shifts.max(1) as f64
        );
        if a.digest {
            twin.check_invariants().unwrap_or_else(|e| fail(e));
            println!(
                "run {run}: reports digest {:016x}, invariants hold",
                digest.finish()
            );
        }
        let c = (twin.counts(), rejected);
        if check.is_some_and(|x| x != c) {
            fail("runs disagree");
        }
        check = Some(c);
        rates.push(rate);
    }
    rates.sort_by(f64::total_cmp);
    let median = rates.get(rates.len() / 2).copied().unwrap_or(0.0);
    println!("median {:.3}M shifts/s of {}", median / 1e6, a.runs);
}

/// CPU seconds of this process's threads so far (the first field of each thread's
/// `/proc/self/task/*/schedstat`, in ns; 0 where unreadable).
fn cpu_seconds() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    tasks
        .filter_map(|t| t.ok())
        .map(|t| run_seconds(&t.path().join("schedstat")))
        .sum()
}

/// CPU seconds of the calling thread so far: the serial part of a batch is what the
/// calling thread runs while no rayon task of the batch runs on it.
fn thread_seconds() -> f64 {
    run_seconds(std::path::Path::new("/proc/thread-self/schedstat"))
}

/// The run time in a `schedstat` file, in seconds.
fn run_seconds(path: &std::path::Path) -> f64 {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let ns = text
        .split_whitespace()
        .next()
        .and_then(|v| v.parse::<f64>().ok());
    ns.unwrap_or(0.0) / 1e9
}
