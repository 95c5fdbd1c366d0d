//! The cost of one store write as the journal grows (issue #18, defect 1): `cargo run
//! --release --example store_writes -- [JOURNAL_ROWS] [DIR]`.
//!
//! Creates a store in DIR (default: the system's temp directory), then pushes one shift per
//! write through `Store::apply` — each write one transaction with one journal row, as an EWA
//! backend writes on every request — and prints the rate of the 1,000 writes that follow the
//! journal reaching 1k, 10k, 100k, … rows (up to JOURNAL_ROWS, default 100,000). Automatic
//! compaction is off, so the journal does reach those lengths.

use ewa::store::{Store, StoreOptions};
use ewa::{calendar::parse_instant, Company, Kind};
use serde_json::json;
use std::time::Instant as Clock;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = args.next().map_or_else(std::env::temp_dir, Into::into);
    let path = dir.join(format!("ewa-store-writes-{}.db", std::process::id()));
    let options = StoreOptions {
        auto_compact: None,
        ..StoreOptions::default()
    };
    let mut store = Store::open_with(&path, &options)?;
    store.create_company(&Company::new("w", chrono_tz::UTC))?;
    let at = parse_instant(chrono_tz::UTC, "2026-06-01T00:00:00Z")?;
    store.apply(
        "w",
        Kind::PaySchedules,
        &[json!({"pay_schedule_id": "m", "frequency": "monthly",
        "periods": [{"pay_period_id": "p", "start_at": "2026-01-01", "stop_at": "2100-01-01",
                     "pay_at": "2100-01-02"}]})],
        at,
    )?;
    store.apply(
        "w",
        Kind::Contracts,
        &[json!({"contract_id": "c", "pay_schedule_id": "m",
        "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 1000})],
        at,
    )?;
    store.apply(
        "w",
        Kind::Employees,
        &[json!({"employee_id": "e", "contract_id": "c"})],
        at,
    )?;
    let mut written = 3u64;
    let mut checkpoint = 1_000u64;
    let write = |store: &mut Store, n: u64| -> Result<(), ewa::Error> {
        // Shift n starts n hours after 2026-01-01 (never overlapping), one hour long.
        let start = 1_767_225_600 + n as i64 * 3_600;
        let stamp = |s: i64| chrono::DateTime::from_timestamp(s, 0).map(|d| d.to_rfc3339());
        let record = json!({"shift_id": format!("s{n}"), "shift_status": "approved",
            "employee_id": "e", "start_at": stamp(start), "stop_at": stamp(start + 3_600)});
        store.apply("w", Kind::Shifts, &[record], at).map(|_| ())
    };
    while checkpoint <= rows {
        while written < checkpoint {
            write(&mut store, written)?;
            written += 1;
        }
        let t0 = Clock::now();
        for _ in 0..1_000 {
            write(&mut store, written)?;
            written += 1;
        }
        let s = t0.elapsed().as_secs_f64();
        println!(
            "journal {checkpoint:>9} rows: 1,000 writes in {s:.3} s = {:.0} writes/s",
            1_000.0 / s
        );
        checkpoint *= 10;
    }
    drop(store);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    Ok(())
}
