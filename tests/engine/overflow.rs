//! Issue #18.2: one employee whose amounts do not fit in `i64` never fails the answers of
//! the others (decision 125). Both data sets of the issue are accepted within the default
//! limits (SPEC §7); the employee is answered with the gate `amount_overflow`.

use crate::common::{at, company, push};
use ewa::eligibility::AdvanceOutcome;
use ewa::{AdvanceRequest, Delivery, Detail, Kind, Reason, Twin};
use serde_json::json;

const T0: &str = "2026-01-01T00:00:00Z";

/// A schedule with one period from 2026 to 2040 and `e1`, who worked 10 shifts of 8 h at
/// 20.00/h in it (10 × 8 × 2,000 = 160,000 minor units gross).
fn twin_with_e1() -> Twin {
    let mut twin = Twin::new(company());
    push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "long", "frequency": "adhoc", "alignment": "arrears",
            "periods": [{"pay_period_id": "2026-2040", "start_at": "2026-01-01",
                         "stop_at": "2040-01-01", "pay_at": "2040-01-05"}]}]),
        T0,
    );
    push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "hourly", "pay_schedule_id": "long", "currency": "EUR",
                "wage_rate_period": "hourly", "wage_rate_amount": 2000}]),
        T0,
    );
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "given_name": "Ana", "work_email": "ana@acme.example",
                "contract_id": "hourly", "contract_start_on": "2026-01-01"}]),
        T0,
    );
    let shifts: Vec<_> = (0..10)
        .map(|d| {
            json!({"shift_id": format!("e1-{d}"), "employee_id": "e1", "contract_id": "hourly",
                   "shift_status": "approved",
                   "start_at": format!("2026-02-{:02}T08:00:00Z", d + 2),
                   "stop_at": format!("2026-02-{:02}T16:00:00Z", d + 2)})
        })
        .collect();
    push(&mut twin, Kind::Shifts, json!(shifts), T0);
    twin
}

/// Like the first data set: an hourly rate of 10^12 (the `amount_max`) with an
/// overtime multiplier of 100 beyond the first hour of each day and 5,000 consecutive
/// 24-hour shifts in the 2026–2040 period: 120,000 h, of which 115,000 h overtime, ≈
/// 115,000 × 100 × 10^12 = 1.15 × 10^19 > i64::MAX ≈ 9.22 × 10^18 minor units.
fn add_hourly_overflow(twin: &mut Twin) {
    push(
        twin,
        Kind::Contracts,
        json!([{"contract_id": "huge", "pay_schedule_id": "long", "currency": "EUR",
                "wage_rate_period": "hourly", "wage_rate_amount": 1_000_000_000_000_i64,
                "custom_info": {"overtime": {"daily_threshold_hours": "1", "multiplier": "100"}}}]),
        T0,
    );
    push(
        twin,
        Kind::Employees,
        json!([{"employee_id": "big", "given_name": "Bo", "work_email": "bo@acme.example",
                "contract_id": "huge", "contract_start_on": "2026-01-01"}]),
        T0,
    );
    let start = at("2026-01-05T00:00:00Z");
    let day = 24 * 3_600 * 1_000_000_i64;
    let iso = |d: i64| start.checked_add_micros(d * day).unwrap().to_string();
    let shifts: Vec<_> = (0..5_000_i64)
        .map(|d| {
            json!({"shift_id": format!("big-{d}"), "employee_id": "big", "contract_id": "huge",
                   "shift_status": "approved",
                   "start_at": iso(d), "stop_at": iso(d + 1)})
        })
        .collect();
    push(twin, Kind::Shifts, json!(shifts), T0);
}

/// The second data set: one period from 0001-01-01 to 9999-12-31 on an annual
/// contract (a salaried period that long is an overflow, decision 20).
fn add_annual_overflow(twin: &mut Twin) {
    push(
        twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "forever", "frequency": "annually", "alignment": "arrears",
            "periods": [{"pay_period_id": "all-time", "start_at": "0001-01-01",
                         "stop_at": "9999-12-31", "pay_at": "9999-12-31"}]}]),
        T0,
    );
    let r = push(
        twin,
        Kind::Contracts,
        json!([{"contract_id": "annual", "pay_schedule_id": "forever", "currency": "EUR",
                "wage_rate_period": "annually", "wage_rate_amount": 6_000_000}]),
        T0,
    );
    assert_eq!(r.count_accepted, 1, "{:?}", r.results);
    push(
        twin,
        Kind::Employees,
        json!([{"employee_id": "salaried", "given_name": "Cy", "work_email": "cy@acme.example",
                "contract_id": "annual", "contract_start_on": "2026-01-01"}]),
        T0,
    );
}

fn answers(twin: &Twin, when: &str) -> Vec<serde_json::Value> {
    twin.eligibility_all(at(when), Delivery::Standard)
        .unwrap()
        .iter()
        .map(|a| serde_json::to_value(a).unwrap())
        .collect()
}

/// The employee `id`'s answer in `eligibility_all`, checked against the single answer.
fn overflowed(twin: &Twin, when: &str, id: &str) {
    let all = twin.eligibility_all(at(when), Delivery::Standard).unwrap();
    let a = all.iter().find(|a| a.employee_id == id).unwrap();
    assert!(!a.eligible);
    assert_eq!(a.available, 0);
    assert!(
        a.reasons.contains(Reason::AmountOverflow),
        "{:?}",
        a.reasons
    );
    let one = twin
        .eligibility(id, at(when), Delivery::Standard, Detail::Explained)
        .unwrap();
    assert_eq!(
        serde_json::to_value(&one).unwrap(),
        serde_json::to_value(a).unwrap()
    );
    // The detailed money view cannot give numbers: it says which computation overflowed.
    let err = twin.accruals(id, at(when)).unwrap_err();
    assert!(matches!(err, ewa::Error::Overflow { .. }), "{err}");
}

#[test]
fn one_employees_overflow_leaves_the_others_answered() {
    let when = "2039-06-01T12:00:00Z";
    let alone = answers(&twin_with_e1(), when);
    let mut twin = twin_with_e1();
    add_hourly_overflow(&mut twin);
    add_annual_overflow(&mut twin);
    let all = answers(&twin, when);
    assert_eq!(all.len(), 3);
    // e1 is answered exactly as in a twin without the two others.
    let e1 = all.iter().find(|a| a["employee_id"] == "e1").unwrap();
    assert_eq!(e1, &alone[0]);
    assert_eq!(e1["accrued_unpaid_net"], 160_000);
    assert_eq!(e1["eligible"], true);
    overflowed(&twin, when, "big");
    overflowed(&twin, when, "salaried");
    let big = all.iter().find(|a| a["employee_id"] == "big").unwrap();
    assert_eq!(big["reasons"], json!(["amount_overflow"]));
}

#[test]
fn a_request_of_an_overflowing_employee_is_refused_with_its_reason() {
    let mut twin = twin_with_e1();
    add_hourly_overflow(&mut twin);
    let d = twin
        .request_advance(&AdvanceRequest {
            advance_id: "a1".into(),
            employee_id: "big".into(),
            amount: 100,
            requested_at: at("2039-06-01T12:00:00Z"),
            delivery: Delivery::Standard,
        })
        .unwrap();
    assert_eq!(d.outcome, AdvanceOutcome::Rejected);
    assert_eq!(d.reasons, [Reason::AmountOverflow]);
    // Before the overflow (2026: 150 days of shifts) the same employee is answered.
    let early = twin
        .eligibility(
            "big",
            at("2026-06-01T12:00:00Z"),
            Delivery::Standard,
            Detail::Brief,
        )
        .unwrap();
    assert!(early.eligible, "{:?}", early.reasons);
    twin.check_invariants().unwrap();
}
