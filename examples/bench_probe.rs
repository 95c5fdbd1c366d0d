//! A small driver for `ewa::bench::run`: `cargo run --release --example bench_probe --
//! [EMPLOYEES] [SHIFTS_PER_EMPLOYEE] [--sqlite] [--json] [--lookups N] [--scenario FILE]`.

fn main() {
    let mut opts = ewa::bench::Options::default();
    let mut json = false;
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
