//! Regression tests named after the bugs of issue #13 (STYLE habit 11).

use crate::common::*;
use ewa::{Delivery, Detail, Kind, Reason, Twin};
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
        s("b1", "b", 1, 12, 20),
        s("b2", "b", 2, 12, 20),
        s("b3", "b", 3, 12, 20),
        s("b4", "b", 4, 12, 20),
        s("b5", "b", 5, 12, 20),
        // b, Mon 8 June 00:00–08:00: still b's week of 1 June (until 12:00): overtime.
        s("b8", "b", 8, 0, 8),
        // a, 9–13 June 08:00–16:00: a's week from Mon 8 June 00:00 holds 0 straight hours
        // before them (b8 was overtime), so all 40 h are straight.
        s("a9", "a", 9, 8, 16),
        s("a10", "a", 10, 8, 16),
        s("a11", "a", 11, 8, 16),
        s("a12", "a", 12, 8, 16),
        s("a13", "a", 13, 8, 16),
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
        let el = twin
            .eligibility("e1", at(t), Delivery::Standard, Detail::Explained)
            .unwrap();
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

/// `base_twin` (monthly June and July periods, contract `hourly` at 20.00/h, e1) plus a
/// second hourly contract `hourly2` on the same schedule, then `employees` pushed at once.
fn with_employees(company: ewa::Company, employees: Value) -> Twin {
    let mut twin = base_twin_with(company);
    let t0 = "2026-05-01T00:00:00Z";
    push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "hourly2", "pay_schedule_id": "monthly", "currency": "EUR",
                "wage_rate_period": "hourly", "wage_rate_amount": 2500}]),
        t0,
    );
    let n = employees.as_array().unwrap().len();
    let r = push(&mut twin, Kind::Employees, employees, t0);
    assert_eq!(r.count_accepted, n, "{:?}", r.error_summary);
    twin
}

fn reasons(twin: &Twin, employee: &str, t: &str) -> Vec<Reason> {
    twin.eligibility(employee, at(t), Delivery::Standard, Detail::Explained)
        .unwrap()
        .reasons
        .to_vec()
}

/// Issue #13, bug 2 (SPEC §2: an empty stint is no employment; §6 reasons in order). e2 is
/// hired from 11 June, then the hire is withdrawn with `contract_stop_on` 10 June: the stint
/// is cut to end (11 June 00:00) where it starts. It used to make the June period e2's (the
/// half-open test `start < stop_at && start_at < end` holds for an empty stint inside the
/// period), so the answer named June as recovery period with `nothing_accrued`.
#[test]
fn an_empty_stint_is_no_employment() {
    let twin = with_employees(
        company(),
        json!([{"employee_id": "e2", "contract_id": "hourly", "contract_start_on": "2026-06-11"},
               {"employee_id": "e2", "contract_stop_on": "2026-06-10"}]),
    );
    for t in [
        "2026-06-10T12:00:00",
        "2026-06-11T00:00:00",
        "2026-06-25T12:00:00",
        "2026-07-15T12:00:00",
    ] {
        let el = twin
            .eligibility("e2", at(t), Delivery::Standard, Detail::Explained)
            .unwrap();
        // Never active; not `employment_ended` (it never began); no period intersects it.
        assert_eq!(
            el.reasons.to_vec(),
            [Reason::NoActiveAssignment, Reason::NoUnpaidPeriod],
            "{t}"
        );
        assert!(el.recovery.is_none(), "{t}");
        assert!(el.periods.is_empty(), "{t}");
        assert!(
            twin.accruals("e2", at(t)).unwrap().periods.is_empty(),
            "{t}"
        );
    }
    // A counted shift on it overlaps no active interval: rejected (SPEC §2), even one
    // around the instant where the empty stint starts and ends.
    let mut twin = twin;
    let r = push(
        &mut twin,
        Kind::Shifts,
        json!([{"shift_id": "x", "shift_status": "approved", "employee_id": "e2",
                "contract_id": "hourly", "start_at": "2026-06-10T22:00:00",
                "stop_at": "2026-06-11T02:00:00"}]),
        "2026-06-12T00:00:00Z",
    );
    assert_eq!(outcomes(&r), [ewa::Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "start_at");
}

/// SPEC §2, §6: an empty stint does not make employment "ended" while another stint has
/// ended: e3 worked on `hourly` until 5 June and had a withdrawn hire on `hourly2` (from 20
/// June, cut to 10 June). On 8 June (before the empty stint's "end", 11 June 00:00) every
/// real stint has ended: `employment_ended`.
#[test]
fn an_empty_stint_does_not_keep_employment_open() {
    let twin = with_employees(
        company(),
        json!([{"employee_id": "e3", "contract_id": "hourly", "contract_start_on": "2026-01-01",
                "contract_stop_on": "2026-06-05"},
               {"employee_id": "e3", "contract_id": "hourly2", "contract_start_on": "2026-06-20"},
               {"employee_id": "e3", "contract_stop_on": "2026-06-10"}]),
    );
    for t in ["2026-06-08T12:00:00", "2026-06-25T12:00:00"] {
        let r = reasons(&twin, "e3", t);
        assert_eq!(
            r[..2],
            [Reason::NoActiveAssignment, Reason::EmploymentEnded],
            "{t}"
        );
    }
}

/// SPEC §6 tenure ignores an empty stint: e4's hire on `hourly` from 20 April was withdrawn
/// (cut to 10 April), and e4 was then hired on `hourly2` from 1 June. With
/// `min_tenure_days` 30, on 10 June tenure is 10 June − 1 June = 9 days (too short; counting
/// the empty stint would give 51 days); on 1 July it is 30 days (enough).
#[test]
fn tenure_ignores_an_empty_stint() {
    let base = company();
    let policy = base
        .policy()
        .to_builder()
        .min_tenure_days(30)
        .build()
        .unwrap();
    let c = base.with_policy(policy);
    let twin = with_employees(
        c,
        json!([{"employee_id": "e4", "contract_id": "hourly", "contract_start_on": "2026-04-20"},
               {"employee_id": "e4", "contract_stop_on": "2026-04-10"},
               {"employee_id": "e4", "contract_id": "hourly2", "contract_start_on": "2026-06-01"}]),
    );
    let early = reasons(&twin, "e4", "2026-06-10T12:00:00");
    assert!(early.contains(&Reason::TenureTooShort), "{early:?}");
    assert!(!early.contains(&Reason::NoActiveAssignment), "{early:?}");
    let later = reasons(&twin, "e4", "2026-07-01T12:00:00");
    assert!(!later.contains(&Reason::TenureTooShort), "{later:?}");
}

/// Issue #13, bug 3 (SPEC §5.2: only time inside the assignment's active interval is worked
/// time; the clipped part of a shift neither earns nor counts toward any counter). e2 starts
/// on contract `ot` (20.00/h, overtime after 8 h a work day at 1.5×, work days from 18:00)
/// on 10 June. Shift s1 runs 9 June 20:00 – 10 June 08:00 (12 h, all in the work day from 9
/// June 18:00); its first 4 h lie before the assignment. Shift s2 runs 10:00–12:00 the same
/// work day.
///   Worked: s1 00:00–08:00 = 8 h (the day's counter reaches 8 h only at 08:00: straight),
///   s2 = 2 h with 8 h already worked: overtime.
///   regular 10 h × 2,000 = 20,000; overtime 2 h × (1.5 − 1) × 2,000 = 2,000; gross 22,000.
/// Counting the clipped 4 h would make s1 overtime from 04:00: 6 h × 1,000 = 6,000, 26,000.
#[test]
fn clipped_hours_count_toward_no_overtime_counter() {
    let mut twin = base_twin();
    let t0 = "2026-05-01T00:00:00Z";
    push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "ot", "pay_schedule_id": "monthly", "currency": "EUR",
                "wage_rate_period": "hourly", "wage_rate_amount": 2000,
                "custom_info": {"overtime": {"daily_threshold_hours": "8", "multiplier": "1.5",
                                             "workday_starts_at": "18:00"}}}]),
        t0,
    );
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e2", "contract_id": "ot", "contract_start_on": "2026-06-10"}]),
        t0,
    );
    let s = |id: &str, start: &str, stop: &str| {
        json!({"shift_id": id, "shift_status": "approved", "employee_id": "e2",
               "contract_id": "ot", "start_at": start, "stop_at": stop})
    };
    let r = push(
        &mut twin,
        Kind::Shifts,
        json!([
            s("s1", "2026-06-09T20:00:00", "2026-06-10T08:00:00"),
            s("s2", "2026-06-10T10:00:00", "2026-06-10T12:00:00")
        ]),
        "2026-06-11T00:00:00Z",
    );
    assert_eq!(r.count_accepted, 2, "{:?}", r.error_summary);
    let acc = twin.accruals("e2", at("2026-06-20T12:00:00")).unwrap();
    let june = &acc.periods[0];
    assert_eq!(june.pay_period_id, "2026-06");
    assert_eq!(june.gross, 22_000);
    let v: Value = serde_json::to_value(june).unwrap();
    let lines = v["lines"].as_array().unwrap();
    let of = |kind: &str| -> Vec<(Value, Value)> {
        lines
            .iter()
            .filter(|l| l["kind"] == kind)
            .map(|l| (l["source_ids"].clone(), l["quantity"].clone()))
            .collect()
    };
    // s1's regular line is its 8 h inside the assignment (28,800 s); only s2 is overtime.
    assert_eq!(
        of("regular"),
        [
            (json!(["s1"]), json!("28800")),
            (json!(["s2"]), json!("7200"))
        ]
    );
    assert_eq!(of("overtime"), [(json!(["s2"]), json!("7200"))]);
}
