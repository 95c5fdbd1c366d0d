//! Ingestion alone, for iterating on `Twin::apply_json` (issue #5): `cargo run --release
//! --example ingest_probe -- [EMPLOYEES] [SHIFTS_PER_EMPLOYEE] [RUNS] [no-pay-rules]`
//! (`no-pay-rules`: the generated payroll without the pay rules, as before issue #14).
//!
//! Serialises every generated batch once (not timed), then builds a fresh twin `RUNS` times
//! from those bytes and prints the shift batches' rate of each run and the median. The job
//! reports are kept until the batch is done, as a caller would read them.

fn main() {
    let mut args = std::env::args().skip(1);
    let mut num = |d: usize| {
        args.next()
            .and_then(|a| a.replace('_', "").parse().ok())
            .unwrap_or(d)
    };
    let g = ewa::generate::Options {
        employees: num(100_000),
        shifts_per_employee: num(40),
        ..Default::default()
    };
    let runs = num(3).max(1);
    let g = ewa::generate::Options {
        pay_rules: std::env::args().nth(4).as_deref() != Some("no-pay-rules"),
        ..g
    };
    let mut batches = Vec::new();
    let res = ewa::generate::for_each_batch(&g, |kind, records| {
        let bytes = serde_json::to_vec(&records).unwrap_or_default();
        batches.push((kind, bytes));
        Ok(())
    });
    if let Err(e) = res {
        eprintln!("ingest_probe: {e}");
        std::process::exit(1);
    }
    let at = g.received_at();
    let mut rates = Vec::new();
    let mut check = None;
    for run in 0..runs {
        let company = match ewa::generate::company(&g) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("ingest_probe: {e}");
                std::process::exit(1);
            }
        };
        let mut twin = ewa::Twin::new(company);
        let (mut shifts, mut secs, mut cpu, mut rejected) = (0usize, 0f64, 0f64, 0usize);
        for (kind, bytes) in &batches {
            let (t0, c0) = (std::time::Instant::now(), cpu_seconds());
            let report = match twin.apply_json(*kind, bytes, at) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("ingest_probe: {e}");
                    std::process::exit(1);
                }
            };
            let dt = t0.elapsed().as_secs_f64();
            let dc = cpu_seconds() - c0;
            rejected += report.count_rejected;
            if *kind == ewa::Kind::Shifts {
                shifts += report.count_received;
                secs += dt;
                cpu += dc;
            }
            drop(report);
        }
        let rate = shifts as f64 / secs;
        println!(
            "run {run}: {shifts} shifts in {secs:.3} s = {:.3}M shifts/s, CPU {cpu:.2} s = {:.2} µs per shift ({rejected} rejected)",
            rate / 1e6,
            cpu * 1e6 / shifts as f64
        );
        let c = (twin.counts(), rejected);
        if check.is_some_and(|x| x != c) {
            eprintln!("ingest_probe: runs disagree");
            std::process::exit(1);
        }
        check = Some(c);
        rates.push(rate);
    }
    rates.sort_by(f64::total_cmp);
    let median = rates.get(rates.len() / 2).copied().unwrap_or(0.0);
    println!("median {:.3}M shifts/s of {runs}", median / 1e6);
}

/// User + system CPU seconds of this process so far (`/proc/self/stat`, clock ticks of
/// 1/100 s; 0 where unreadable).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let tick = |k: usize| f.get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of the file (utime, stime) are 11 and 12 after the command name.
    (tick(11) + tick(12)) / 100.0
}
