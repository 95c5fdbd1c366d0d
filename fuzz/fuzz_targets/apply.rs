//! Bytes → `Twin::apply_json` never panics and gives every record exactly one outcome.
#![no_main]

use ewa::calendar::Instant;
use ewa::{Company, Kind, Twin};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&k, body)) = data.split_first() else { return };
    let kind = Kind::ALL[usize::from(k) % Kind::ALL.len()];
    let mut twin = Twin::new(Company::new("fuzz", chrono_tz::Europe::Brussels));
    // A little context so references can resolve.
    let setup = br#"[{"pay_schedule_id":"s","frequency":"weekly","periods":[{"pay_period_id":"p","start_at":"2026-06-01","stop_at":"2026-06-08","pay_at":"2026-06-10"}]}]"#;
    let t = Instant::from_micros(1_780_000_000_000_000);
    let _ = twin.apply_json(Kind::PaySchedules, setup, t);
    if let Ok(report) = twin.apply_json(kind, body, t) {
        assert_eq!(report.count_received, report.results.len());
        assert_eq!(report.count_received, report.count_accepted + report.count_rejected);
        for (i, r) in report.results.iter().enumerate() {
            assert_eq!(r.index, i);
        }
    }
    let _ = twin.eligibility_all(t, ewa::Delivery::Standard);
});
