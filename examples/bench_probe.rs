//! A small driver for `ewa::bench::run`: `cargo run --release --example bench_probe --
//! [EMPLOYEES] [SHIFTS_PER_EMPLOYEE] [--sqlite] [--json] [--lookups N] [--scenario FILE]`.

fn main() {
    let mut opts = ewa::bench::Options::default();
    let mut json = false;
    // `EWA_PROBE_BULK=N`: after the run, N more eligibility_all calls (for profilers).
    let bulk_repeat: usize = std::env::var("EWA_PROBE_BULK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // `--bulk-only`: build the twin, run `eligibility_all` EWA_PROBE_BULK times (default 5)
    // and print the median and the totals; no other phase (for profiling the bulk path).
    let mut bulk_only = false;
    let mut positional = 0;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sqlite" => opts.compare_sqlite = true,
            "--json" => json = true,
            "--bulk-only" => bulk_only = true,
            "--lookups" => {
                opts.lookups = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(opts.lookups)
            }
            "--seed" => {
                opts.seed = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(opts.seed)
            }
            "--scenario" => opts.scenario = args.next().map(Into::into),
            n => {
                let v: usize = n.replace('_', "").parse().unwrap_or_else(|_| {
                    eprintln!("bench_probe: unknown argument {n}");
                    std::process::exit(2)
                });
                if positional == 0 {
                    opts.employees = v;
                } else {
                    opts.shifts_per_employee = v;
                }
                positional += 1;
            }
        }
    }
    if bulk_only {
        bulk(&opts, bulk_repeat.max(1));
        return;
    }
    match ewa::bench::run(&opts) {
        Ok(r) => {
            print!("{}", r.to_table());
            if bulk_repeat > 0 {
                let (g, twin) = generated(&opts);
                let t0 = std::time::Instant::now();
                for _ in 0..bulk_repeat {
                    let a = twin
                        .eligibility_all(g.as_of(), ewa::Delivery::Standard)
                        .unwrap_or_default();
                    assert_eq!(a.len(), opts.employees);
                }
                println!(
                    "bulk repeat: {:.4} s per call",
                    t0.elapsed().as_secs_f64() / bulk_repeat as f64
                );
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            }
        }
        Err(e) => {
            eprintln!("bench_probe: {e}");
            std::process::exit(1);
        }
    }
}

/// The generated payroll the bench measured, built again.
fn generated(opts: &ewa::bench::Options) -> (ewa::generate::Options, ewa::Twin) {
    let g = ewa::generate::Options {
        employees: opts.employees,
        seed: opts.seed,
        shifts_per_employee: opts.shifts_per_employee,
        ..Default::default()
    };
    let twin = ewa::generate::twin(&g).unwrap_or_else(|e| panic!("{e}"));
    (g, twin)
}

/// `--bulk-only`: the median of `runs` calls of `eligibility_all` on a generated twin.
fn bulk(opts: &ewa::bench::Options, runs: usize) {
    let (g, twin) = generated(opts);
    let at = g.as_of();
    let d = ewa::Delivery::Standard;
    let mut times = Vec::new();
    let (mut eligible, mut total) = (0usize, 0i64);
    let cpu0 = cpu_seconds();
    for _ in 0..runs {
        let t0 = std::time::Instant::now();
        let a = twin
            .eligibility_all(at, d)
            .unwrap_or_else(|e| panic!("{e}"));
        times.push(t0.elapsed().as_secs_f64());
        eligible = a.iter().filter(|e| e.eligible).count();
        total = a.iter().map(|e| e.available).sum();
    }
    let cpu = cpu_seconds() - cpu0;
    times.sort_by(f64::total_cmp);
    println!(
        "eligibility_all: {} employees, median {:.4} s over {runs} runs (min {:.4} s), CPU {:.3} µs per employee; {eligible} eligible, total available {total}",
        opts.employees,
        times.get(times.len() / 2).copied().unwrap_or(0.0),
        times.first().copied().unwrap_or(0.0),
        cpu * 1e6 / (runs * opts.employees) as f64,
    );
}

/// User + system CPU time of this process so far (Linux `/proc/self/stat`, 100 Hz ticks).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // fields after the command: state(skipped, not a number) ppid pgrp ... utime is the
    // 14th field of the line, the 11th number here.
    (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) / 100.0
}
