//! An employee's slice (`Twin::employee_slice`, issue #17): the store answers one employee
//! from it, so every answer about the employee must be the whole twin's, byte for byte.

use crate::common::*;
use ewa::calendar::Instant;
use ewa::{Delivery, Detail, Kind, Twin};
use serde_json::json;

/// Every answer about `id` at `t`, as JSON text (errors as their message).
fn answers(twin: &Twin, id: &str, t: Instant) -> Vec<String> {
    let text = |r: Result<String, ewa::Error>| r.unwrap_or_else(|e| format!("error: {e}"));
    let ser = |v: &dyn erased::Ser| v.json();
    let mut out = Vec::new();
    for d in [Delivery::Standard, Delivery::Instant] {
        for detail in [Detail::Brief, Detail::Explained] {
            out.push(text(twin.eligibility(id, t, d, detail).map(|e| ser(&e))));
        }
        out.push(text(twin.quote_advance(id, 2_500, t, d).map(|q| ser(&q))));
    }
    out.push(text(twin.accruals(id, t).map(|a| ser(&a))));
    out
}

/// JSON of any serializable answer.
mod erased {
    pub trait Ser {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}

/// Checks every employee of `twin` (and one unknown id) at each of `times`.
fn assert_slices_answer_alike(twin: &Twin, times: &[Instant]) -> usize {
    let ids: Vec<String> = twin.employee_ids().iter().map(|s| s.to_string()).collect();
    for id in &ids {
        let slice = twin.employee_slice(id).unwrap().unwrap();
        slice.check_invariants().unwrap();
        assert_eq!(slice.employee_ids(), [id.as_str()]);
        for &t in times {
            assert_eq!(answers(&slice, id, t), answers(twin, id, t), "{id} at {t}");
        }
    }
    assert!(twin.employee_slice("nobody").unwrap().is_none());
    let empty = Twin::new(twin.company().clone());
    for &t in times {
        assert_eq!(answers(&empty, "nobody", t), answers(twin, "nobody", t));
    }
    ids.len()
}

/// The generator's payroll with every pay rule (premiums, holidays, leave, breaks, tips,
/// minimum wage, seventh day, regular rate, bonuses) and its advances: each employee's
/// slice answers as the company does, before, during and after the current period.
#[test]
fn a_generated_payroll_answers_alike_from_every_slice() {
    let o = ewa::generate::Options {
        employees: 120,
        shifts_per_employee: 30,
        advances: Some(40),
        ..ewa::generate::Options::default()
    };
    let mut twin = ewa::generate::twin(&o).unwrap();
    for r in ewa::generate::advance_requests(&o) {
        twin.request_advance(&r).unwrap();
    }
    let day = 86_400_000_000;
    let t = o.as_of().as_micros();
    let times = [t - 25 * day, t, t + 12 * day].map(Instant::from_micros);
    assert_eq!(assert_slices_answer_alike(&twin, &times), 120);
}

/// Moves between employees (a shift, an addition, a leave) leave nothing behind in the
/// earlier owner's slice, and a contract shared by two employees is in both slices.
#[test]
fn slices_follow_records_that_move_between_employees() {
    let mut twin = base_twin();
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e2", "given_name": "Bo", "contract_id": "hourly",
                "contract_start_on": "2026-01-01"}]),
        "2026-05-02T00:00:00Z",
    );
    let june = |d: u32, h: u32| format!("2026-06-{d:02}T{h:02}:00:00+02:00");
    let shifts: Vec<_> = (1..=9)
        .map(|d| shift(&format!("s{d}"), &june(d, 8), &june(d, 17)))
        .collect();
    push(
        &mut twin,
        Kind::Shifts,
        json!(shifts),
        "2026-06-10T00:00:00Z",
    );
    push(
        &mut twin,
        Kind::Additions,
        json!([{"payment_id": "a1", "employee_id": "e1", "amount": 5000, "effective_on": "2026-06-05"}]),
        "2026-06-10T00:00:00Z",
    );
    push(
        &mut twin,
        Kind::Leaves,
        json!([{"leave_id": "l1", "employee_id": "e1", "start_on": "2026-06-15", "stop_on": "2026-06-16",
                "leave_status": "approved", "paid": true}]),
        "2026-06-10T00:00:00Z",
    );
    let t = at("2026-06-20T12:00:00+02:00");
    let before = answers(&twin, "e2", t);
    // Each record moves to e2.
    let mut moved = shift("s3", &june(3, 8), &june(3, 17));
    moved["employee_id"] = json!("e2");
    push(
        &mut twin,
        Kind::Shifts,
        json!([moved]),
        "2026-06-11T00:00:00Z",
    );
    let r = push(
        &mut twin,
        Kind::Additions,
        json!([{"payment_id": "a1", "employee_id": "e2", "amount": 5000, "effective_on": "2026-06-05"}]),
        "2026-06-11T00:00:00Z",
    );
    assert_eq!(outcomes(&r), [ewa::Outcome::Updated]);
    push(
        &mut twin,
        Kind::Leaves,
        json!([{"leave_id": "l1", "employee_id": "e2", "start_on": "2026-06-15", "stop_on": "2026-06-16",
                "leave_status": "approved", "paid": true}]),
        "2026-06-11T00:00:00Z",
    );
    assert_ne!(
        answers(&twin, "e2", t),
        before,
        "the moves change e2's answers"
    );
    assert_eq!(assert_slices_answer_alike(&twin, &[t]), 2);
    let e1 = twin.employee_slice("e1").unwrap().unwrap();
    let c = e1.counts();
    assert_eq!((c.shifts, c.additions, c.contracts), (8, 0, 1));
    let e2 = twin.employee_slice("e2").unwrap().unwrap();
    let c = e2.counts();
    assert_eq!((c.shifts, c.additions, c.contracts), (1, 1, 1));
}
