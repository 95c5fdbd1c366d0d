//! Builders shared by the integration tests.

use ewa::calendar::{parse_instant, Instant};
use ewa::{Company, JobReport, Kind, Outcome, Twin};
use serde_json::{json, Value};

/// An instant from a SPEC §2 timestamp in Europe/Brussels.
pub fn at(s: &str) -> Instant {
    parse_instant(chrono_tz::Europe::Brussels, s).unwrap()
}

/// A Brussels company with default policy.
pub fn company() -> Company {
    Company::new("acme", chrono_tz::Europe::Brussels)
}

/// Applies a batch and checks that the counts add up (SPEC §3).
pub fn push(twin: &mut Twin, kind: Kind, records: Value, received_at: &str) -> JobReport {
    let records = records.as_array().unwrap().clone();
    let r = twin.apply(kind, &records, at(received_at)).unwrap();
    // Whatever the batch held, the twin keeps its structural rules (issue #13).
    twin.check_invariants().unwrap();
    assert_eq!(r.count_received, records.len());
    assert_eq!(
        r.count_received,
        r.count_accepted + r.count_rejected + r.count_pending
    );
    assert_eq!(r.count_pending, 0);
    assert_eq!(r.results.len(), records.len());
    r
}

/// Outcomes of a report, in order.
pub fn outcomes(r: &JobReport) -> Vec<Outcome> {
    r.results.iter().map(|x| x.outcome).collect()
}

/// The (field) of the single error of record `i`.
pub fn error_field(r: &JobReport, i: usize) -> String {
    let errs = &r.results[i].errors;
    assert!(
        !errs.is_empty(),
        "record {i} has no error: {:?}",
        r.results[i]
    );
    errs[0].field.clone()
}

/// A June 2026 monthly schedule paid 3 July, a July period paid 3 August, and an hourly
/// contract of 20.00/h (2000 minor units) on it.
pub fn base_twin() -> Twin {
    base_twin_with(company())
}

/// `base_twin` under another company configuration (policy, fees, limits).
pub fn base_twin_with(company: Company) -> Twin {
    let mut twin = Twin::new(company);
    let t0 = "2026-05-01T00:00:00Z";
    push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "monthly", "frequency": "monthly", "alignment": "arrears",
            "periods": [
                {"pay_period_id": "2026-06", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"},
                {"pay_period_id": "2026-07", "start_at": "2026-07-01", "stop_at": "2026-08-01", "pay_at": "2026-08-03"}]}]),
        t0,
    );
    push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "hourly", "pay_schedule_id": "monthly", "currency": "EUR",
                "wage_rate_period": "hourly", "wage_rate_amount": 2000}]),
        t0,
    );
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "given_name": "Ana", "work_email": "ana@acme.example",
                "contract_id": "hourly", "contract_start_on": "2026-01-01"}]),
        t0,
    );
    twin
}

/// An approved shift record.
pub fn shift(id: &str, start: &str, stop: &str) -> Value {
    json!({"shift_id": id, "shift_status": "approved", "employee_id": "e1", "start_at": start, "stop_at": stop})
}
