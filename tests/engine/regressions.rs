//! Regression tests named after the bugs of issue #13 (STYLE habit 11).

use crate::common::*;
use ewa::{Delivery, Kind, Twin};
use serde_json::{json, Value};

/// Two half-month periods of June, each paid 3 days after it ends, and two hourly contracts
/// with a 40-hour weekly overtime threshold (1.5×) on it: `a` (20.00/h) with work days from
/// 00:00 and `b` (30.00/h) with work days from 12:00. With `week_starts_on` Monday, `a`'s
/// work weeks run Monday 00:00 to Monday 00:00 and `b`'s Monday 12:00 to Monday 12:00
/// (SPEC §5.2: the work week is the contract's; one straight-time counter over both).
fn two_work_weeks() -> Twin {
    let mut twin = Twin::new(company());
    let t0 = "2026-05-01T00:00:00Z";
    push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "half", "frequency": "semi-monthly", "alignment": "arrears",
            "periods": [
                {"pay_period_id": "h1", "start_at": "2026-06-01", "stop_at": "2026-06-15", "pay_at": "2026-06-18"},
                {"pay_period_id": "h2", "start_at": "2026-06-15", "stop_at": "2026-07-01", "pay_at": "2026-07-04"}]}]),
        t0,
    );
    let weekly = |starts: &str| {
        json!({"overtime": {"weekly_threshold_hours": "40", "multiplier": "1.5",
                            "workday_starts_at": starts}})
    };
    push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "a", "pay_schedule_id": "half", "currency": "EUR",
                "wage_rate_period": "hourly", "wage_rate_amount": 2000, "custom_info": weekly("00:00")},
               {"contract_id": "b", "pay_schedule_id": "half", "currency": "EUR",
                "wage_rate_period": "hourly", "wage_rate_amount": 3000, "custom_info": weekly("12:00")}]),
        t0,
    );
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "contract_id": "a", "contract_start_on": "2026-01-01"},
               {"employee_id": "e1", "contract_id": "b", "contract_start_on": "2026-01-01"}]),
        t0,
    );
    assert_eq!(r.count_accepted, 2);
    // June 2026: the 1st, 8th and 15th are Mondays.
    let s = |id: &str, c: &str, day: u32, from: u32, to: u32| {
        json!({"shift_id": id, "shift_status": "approved", "employee_id": "e1", "contract_id": c,
               "start_at": format!("2026-06-{day:02}T{from:02}:00:00"),
               "stop_at": format!("2026-06-{day:02}T{to:02}:00:00")})
    };
    let shifts = json!([
        // b, 1–5 June 12:00–20:00: 40 h in b's week from Mon 1 June 12:00, all straight.
        s("b1", "b", 1, 12, 20), s("b2", "b", 2, 12, 20), s("b3", "b", 3, 12, 20),
        s("b4", "b", 4, 12, 20), s("b5", "b", 5, 12, 20),
        // b, Mon 8 June 00:00–08:00: still b's week of 1 June (until 12:00): overtime.
        s("b8", "b", 8, 0, 8),
        // a, 9–13 June 08:00–16:00: a's week from Mon 8 June 00:00 holds 0 straight hours
        // before them (b8 was overtime), so all 40 h are straight.
        s("a9", "a", 9, 8, 16), s("a10", "a", 10, 8, 16), s("a11", "a", 11, 8, 16),
        s("a12", "a", 12, 8, 16), s("a13", "a", 13, 8, 16),
        // b, Mon 15 June 00:00–08:00: b's week from Mon 8 June 12:00 holds a9–a13's 40
        // straight hours: all 8 h are overtime.
        s("b15", "b", 15, 0, 8),
    ]);
    let r = push(&mut twin, Kind::Shifts, shifts, "2026-06-16T00:00:00Z");
    assert_eq!(r.count_accepted, 12, "{:?}", r.error_summary);
    twin
}

/// Accruals and eligibility of e1 at each instant, asked in that order on a fresh twin, as
/// JSON bytes.
fn answers(at_: &[&str]) -> Vec<Vec<u8>> {
    let twin = two_work_weeks();
    let mut out = Vec::new();
    for t in at_ {
        let acc = twin.accruals("e1", at(t)).unwrap();
        out.push(serde_json::to_vec(&acc).unwrap());
        let el = twin.eligibility("e1", at(t), Delivery::Standard).unwrap();
        out.push(serde_json::to_vec(&el).unwrap());
    }
    out
}

/// Issue #13, bug 1: the class of b15's hours depends on work 14 days earlier (b1–b5 make
/// b8 overtime, which keeps a9–a13 straight, which make b15 overtime), further back than
/// the overtime cache's 8-day look-back. Asking first about 20 June (only h2 unpaid: window
/// from 15 June) used to classify from 7 June, see b8 as straight, a13 as overtime and b15
/// as straight; asking first about 16 June (h1 and h2 unpaid: window from 1 June) saw it
/// all. The same question must get the same bytes whatever was asked before (SPEC §1).
#[test]
fn overtime_answers_do_not_depend_on_query_order() {
    let (early, late) = ("2026-06-16T12:00:00", "2026-06-20T12:00:00");
    let one = answers(&[early, late]);
    let mut two = answers(&[late, early]);
    // Same order of answers: [early acc, early el, late acc, late el].
    two.rotate_left(2);
    for (k, (x, y)) in one.iter().zip(&two).enumerate() {
        assert!(
            x == y,
            "answer {k} differs:\n{}\n{}",
            String::from_utf8_lossy(x),
            String::from_utf8_lossy(y)
        );
    }
    // The value itself, on 20 June (h2 only): b15 is 8 h on b at 30.00/h = 24,000, plus the
    // overtime premium 8 h × (1.5 − 1) × 3,000 = 12,000: gross 36,000.
    let twin = two_work_weeks();
    let acc = twin.accruals("e1", at(late)).unwrap();
    assert_eq!(acc.periods.len(), 1);
    assert_eq!(acc.periods[0].pay_period_id, "h2");
    assert_eq!(acc.periods[0].gross, 36_000);
    let v: Value = serde_json::to_value(&acc).unwrap();
    let overtime: Vec<&Value> = v["periods"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "overtime")
        .collect();
    assert_eq!(overtime.len(), 1);
    assert_eq!(overtime[0]["source_ids"], json!(["b15"]));
    assert_eq!(overtime[0]["quantity"], "28800");
}
