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
    let mut positional = 0;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sqlite" => opts.compare_sqlite = true,
            "--json" => json = true,
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
    match ewa::bench::run(&opts) {
        Ok(r) => {
            print!("{}", r.to_table());
            if bulk_repeat > 0 {
                let g = ewa::generate::Options {
                    employees: opts.employees,
                    seed: opts.seed,
                    shifts_per_employee: opts.shifts_per_employee,
                    ..Default::default()
                };
                let twin = ewa::generate::twin(&g).unwrap_or_else(|e| panic!("{e}"));
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
