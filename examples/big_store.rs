//! A store file holding one generated company, for measuring cold command-line calls on it
//! (issue #17 item 3, issue #16): `cargo run --release --example big_store -- EMPLOYEES PATH
//! [no-pay-rules]`.
//!
//! Generates the payroll of `ewa bench` (40 shifts per employee, company `synthetic`) and
//! imports it into a new store at PATH (its snapshot and one view per employee, in one
//! transaction); prints the time of each step and the file's size. Then, for example:
//! `/usr/bin/time -v target/release/ewa --db PATH eligibility --employee e0123456`.

use ewa::store::Store;
use std::time::Instant as Clock;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let employees: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let path = args.next().unwrap_or_else(|| "big.db".into());
    let pay_rules = args.next().as_deref() != Some("no-pay-rules");
    let o = ewa::generate::Options {
        employees,
        pay_rules,
        ..ewa::generate::Options::default()
    };
    let clock = Clock::now();
    let twin = ewa::generate::twin(&o)?;
    println!(
        "generated {employees} employees, {} shifts in {:.1} s",
        twin.counts().shifts,
        clock.elapsed().as_secs_f64()
    );
    let clock = Clock::now();
    let mut store = Store::open(&path)?;
    store.import(&twin)?;
    println!(
        "imported into {path} in {:.1} s ({:.2} GB)",
        clock.elapsed().as_secs_f64(),
        std::fs::metadata(&path)?.len() as f64 / 1e9
    );
    println!("as of {}", o.as_of());
    Ok(())
}
