//! Leaves (SPEC §2 leave, §3, §5.5, §8): ingestion refusals name their field, re-pushes are
//! updates, the scenario's `leaves` key and timeline push, and leave never creates hours
//! worked.

use crate::common::*;
use ewa::{Kind, Outcome};
use serde_json::{json, Value};

const T1: &str = "2026-06-15T12:00:00Z";

/// A valid approved paid leave of e1, with `edit` applied to its fields.
fn leave(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut v = json!({"leave_id": "l1", "employee_id": "e1", "leave_status": "approved",
        "start_on": "2026-06-08", "stop_on": "2026-06-12", "paid": true});
    edit(v.as_object_mut().unwrap());
    v
}

#[test]
fn each_refusal_names_its_field() {
    let cases: Vec<(&str, Value)> = vec![
        (
            "leave_id",
            leave(|m| {
                m.remove("leave_id");
            }),
        ),
        (
            "leave_id",
            leave(|m| {
                m.insert("leave_id".into(), json!(""));
            }),
        ),
        (
            "employee_id",
            leave(|m| {
                m.remove("employee_id");
            }),
        ),
        (
            "employee_id",
            leave(|m| {
                m.insert("employee_id".into(), json!("nobody"));
            }),
        ),
        (
            "contract_id",
            leave(|m| {
                m.insert("contract_id".into(), json!("nope"));
            }),
        ),
        (
            "leave_status",
            leave(|m| {
                m.insert("leave_status".into(), json!("pending"));
            }),
        ),
        (
            "leave_status",
            leave(|m| {
                m.remove("leave_status");
            }),
        ),
        (
            "start_on",
            leave(|m| {
                m.insert("start_on".into(), json!("2026-06-08T00:00:00"));
            }),
        ),
        (
            "start_on",
            leave(|m| {
                m.remove("start_on");
            }),
        ),
        (
            "stop_on",
            leave(|m| {
                m.insert("stop_on".into(), json!(null));
            }),
        ),
        (
            "stop_on",
            leave(|m| {
                m.insert("stop_on".into(), json!("2026-06-07"));
            }),
        ),
        (
            "stop_on",
            leave(|m| {
                m.insert("stop_on".into(), json!("2027-06-09"));
            }),
        ),
        (
            "paid",
            leave(|m| {
                m.remove("paid");
            }),
        ),
        (
            "paid",
            leave(|m| {
                m.insert("paid".into(), json!("true"));
            }),
        ),
        (
            "hours_per_day",
            leave(|m| {
                m.insert("hours_per_day".into(), json!(0));
            }),
        ),
        (
            "hours_per_day",
            leave(|m| {
                m.insert("hours_per_day".into(), json!("24.5"));
            }),
        ),
        (
            "hours_per_day",
            leave(|m| {
                m.insert("hours_per_day".into(), json!("eight"));
            }),
        ),
        (
            "leave_type",
            leave(|m| {
                m.insert("leave_type".into(), json!(3));
            }),
        ),
        (
            "custom_info",
            leave(|m| {
                m.insert("custom_info".into(), json!([1]));
            }),
        ),
        (
            "leave_kind",
            leave(|m| {
                m.insert("leave_kind".into(), json!("x"));
            }),
        ),
    ];
    for (field, record) in cases {
        let mut twin = base_twin();
        let r = push(&mut twin, Kind::Leaves, json!([record]), T1);
        assert_eq!(outcomes(&r), [Outcome::Rejected], "{field}: {r:?}");
        assert_eq!(error_field(&r, 0), field, "{r:?}");
    }
    // A contract that exists but is not the employee's.
    let mut twin = base_twin();
    push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "other", "pay_schedule_id": "monthly", "currency": "EUR",
                "wage_rate_period": "hourly", "wage_rate_amount": 1000}]),
        T1,
    );
    let r = push(
        &mut twin,
        Kind::Leaves,
        json!([leave(|m| {
            m.insert("contract_id".into(), json!("other"));
        })]),
        T1,
    );
    assert_eq!(error_field(&r, 0), "contract_id");
    assert!(r.results[0].errors[0].message.contains("not assigned"));
}

#[test]
fn a_366_day_leave_is_accepted_and_repushes_are_updates() {
    let mut twin = base_twin();
    let long = leave(|m| {
        m.insert("stop_on".into(), json!("2027-06-08"));
        m.insert("hours_per_day".into(), json!("7.50"));
    });
    let r = push(&mut twin, Kind::Leaves, json!([long]), T1);
    assert_eq!(outcomes(&r), [Outcome::Created]);
    assert_eq!(r.target_entity, "leaves");
    assert_eq!(r.results[0].key.as_deref(), Some("l1"));
    // The same value spelled as a number: unchanged.
    let same = leave(|m| {
        m.insert("stop_on".into(), json!("2027-06-08"));
        m.insert("hours_per_day".into(), json!(7.5));
    });
    let r = push(&mut twin, Kind::Leaves, json!([same]), T1);
    assert_eq!(outcomes(&r), [Outcome::Unchanged]);
    let cancelled = leave(|m| {
        m.insert("leave_status".into(), json!("cancelled"));
    });
    let r = push(
        &mut twin,
        Kind::Leaves,
        json!([cancelled.clone(), cancelled]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Updated, Outcome::Updated]);
    // Differing copies in one batch: both conflict, none stored.
    let a = leave(|_| {});
    let b = leave(|m| {
        m.insert("paid".into(), json!(false));
    });
    let r = push(&mut twin, Kind::Leaves, json!([a, b]), T1);
    assert_eq!(outcomes(&r), [Outcome::Conflict, Outcome::Conflict]);
}

/// The scenario document's shape around `leaves` (SPEC §8).
fn doc(leaves: Option<Value>) -> Value {
    let mut d = json!({
        "company": {"company_id": "acme", "timezone": "Europe/Brussels"},
        "received_at": "2026-06-01T00:00:00Z",
        "pay_schedules": [{"pay_schedule_id": "m", "frequency": "monthly", "periods": [
            {"pay_period_id": "jun", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]}],
        "contracts": [{"contract_id": "h", "pay_schedule_id": "m", "currency": "EUR",
            "wage_rate_period": "hourly", "wage_rate_amount": 2000}],
        "employees": [{"employee_id": "e1", "contract_id": "h"}]
    });
    if let Some(l) = leaves {
        d["leaves"] = l;
    }
    d
}

#[test]
fn the_scenario_runs_a_leaves_job_only_with_the_key() {
    let entities = |d: &Value| -> Vec<String> {
        ewa::scenario::run(d)
            .unwrap()
            .jobs
            .iter()
            .map(|j| j.target_entity.to_string())
            .collect()
    };
    let six = [
        "pay-schedules",
        "contracts",
        "employees",
        "shifts",
        "additions",
        "deductions",
    ];
    assert_eq!(entities(&doc(None)), six);
    assert_eq!(entities(&doc(Some(Value::Null))), six);
    let with = entities(&doc(Some(json!([{"leave_id": "l1", "employee_id": "e1",
        "leave_status": "approved", "start_on": "2026-06-02", "stop_on": "2026-06-02", "paid": false}]))));
    assert_eq!(
        with,
        [
            "pay-schedules",
            "contracts",
            "employees",
            "leaves",
            "shifts",
            "additions",
            "deductions"
        ]
    );
    let out = ewa::scenario::run(&doc(Some(json!([{"leave_id": "l1"}])))).unwrap();
    assert_eq!(out.jobs[3].count_rejected, 1);
    assert!(ewa::scenario::run(&doc(Some(json!({})))).is_err());
}

#[test]
fn a_timeline_pushes_leaves() {
    let d = json!({
        "company": {"company_id": "acme", "timezone": "Europe/Brussels"},
        "leaves": null,
        "steps": [
            {"push": "pay_schedules", "received_at": "2026-06-01T00:00:00Z", "records": [
                {"pay_schedule_id": "m", "frequency": "monthly"}]},
            {"push": "contracts", "received_at": "2026-06-01T00:00:00Z", "records": [
                {"contract_id": "h", "pay_schedule_id": "m", "currency": "EUR",
                 "wage_rate_period": "hourly", "wage_rate_amount": 2000}]},
            {"push": "employees", "received_at": "2026-06-01T00:00:00Z", "records": [
                {"employee_id": "e1", "contract_id": "h"}]},
            {"push": "leaves", "received_at": "2026-06-02T00:00:00Z", "records": [
                {"leave_id": "l1", "employee_id": "e1", "leave_status": "approved",
                 "start_on": "2026-06-02", "stop_on": "2026-06-03", "paid": true}]}]
    });
    let out = ewa::scenario::run(&d).unwrap();
    assert_eq!(out.jobs.len(), 4);
    assert_eq!(out.jobs[3].target_entity, "leaves");
    assert_eq!(out.jobs[3].count_accepted, 1);
}

#[test]
fn holiday_pay_hours_is_checked_on_every_contract() {
    let contract = |id: &str, period: &str, h: Value| {
        json!({"contract_id": id, "pay_schedule_id": "monthly", "currency": "EUR",
               "wage_rate_period": period, "wage_rate_amount": 2000,
               "custom_info": {"holiday_pay_hours": h}})
    };
    let mut twin = base_twin();
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([
            contract("a", "hourly", json!("7.5")),
            contract("b", "hourly", json!(8)),
            contract("c", "monthly", json!("4")),
            contract("d", "hourly", json!(null)),
            contract("x", "hourly", json!("-1")),
            contract("y", "monthly", json!("25")),
            contract("z", "hourly", json!("8h")),
        ]),
        T1,
    );
    use Outcome::*;
    assert_eq!(
        outcomes(&r),
        [Created, Created, Created, Created, Rejected, Rejected, Rejected]
    );
    for i in 4..7 {
        assert_eq!(error_field(&r, i), "custom_info.holiday_pay_hours");
    }
}

/// A twin over June 2026 (Brussels) with holidays 06-10 and 06-24, an hourly contract with
/// overtime (daily 8 h, weekly 40 h, × 1.5; 8 holiday hours) and one without, and e1 on both.
fn overtime_twin(shifts: &[(u32, u32, u32, bool)]) -> ewa::Twin {
    use chrono::NaiveDate;
    let day = |d| NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
    let company = company()
        .with_holidays([(day(10), "A"), (day(24), "B")])
        .unwrap();
    let mut twin = ewa::Twin::new(company);
    let t0 = "2026-05-01T00:00:00Z";
    push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "bw", "frequency": "bi-weekly", "periods": [
            {"pay_period_id": "p1", "start_at": "2026-06-01", "stop_at": "2026-06-15", "pay_at": "2026-06-19"},
            {"pay_period_id": "p2", "start_at": "2026-06-15", "stop_at": "2026-06-29", "pay_at": "2026-07-03"}]}]),
        t0,
    );
    push(
        &mut twin,
        Kind::Contracts,
        json!([
            {"contract_id": "ot", "pay_schedule_id": "bw", "currency": "EUR", "wage_rate_period": "hourly",
             "wage_rate_amount": 2000, "custom_info": {"holiday_pay_hours": 8, "overtime": {
                "daily_threshold_hours": "8", "weekly_threshold_hours": "40", "multiplier": "1.5"}}},
            {"contract_id": "plain", "pay_schedule_id": "bw", "currency": "EUR", "wage_rate_period": "hourly",
             "wage_rate_amount": 1500}]),
        t0,
    );
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "contract_id": "ot", "contract_start_on": "2026-06-02"},
               {"employee_id": "e1", "contract_id": "plain", "contract_start_on": "2026-06-01"}]),
        t0,
    );
    // Shift k: on date 1 + day, from `start` h for `hours` h (one per date, so none overlap).
    let recs: Vec<Value> = shifts
        .iter()
        .enumerate()
        .map(|(k, &(d, start, hours, plain))| {
            let from = format!("2026-06-{:02}T{start:02}:00:00", d + 1);
            let stop = start + hours;
            let to = format!("2026-06-{:02}T{stop:02}:00:00", d + 1);
            json!({"shift_id": format!("s{k}"), "shift_status": "approved", "employee_id": "e1",
                   "contract_id": if plain { "plain" } else { "ot" }, "start_at": from, "stop_at": to})
        })
        .collect();
    push(&mut twin, Kind::Shifts, Value::Array(recs), t0);
    twin
}

/// Every line of e1's accruals at `as_of` of the given kinds, as (period, kind, amount).
fn lines_of(twin: &ewa::Twin, as_of: &str, kinds: &[&str]) -> Vec<(String, String, String)> {
    let a = twin.accruals("e1", at(as_of)).unwrap();
    let mut out = Vec::new();
    for p in &a.periods {
        let sum: rust_decimal::Decimal = p
            .lines
            .iter()
            .map(|l| l.amount.parse::<rust_decimal::Decimal>().unwrap())
            .sum();
        // The lines add up exactly to the period's net (SPEC §5.3).
        assert_eq!(sum, rust_decimal::Decimal::from(p.net), "{p:?}");
        for l in &p.lines {
            let kind = serde_json::to_value(l.kind).unwrap();
            if kinds.contains(&kind.as_str().unwrap()) {
                out.push((p.pay_period_id.clone(), kind.to_string(), l.amount.clone()));
            }
        }
    }
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..Default::default() })]

    /// SPEC §5.5: holiday and leave hours are not hours worked. Adding any leaves (paid or
    /// not, any status, overlapping, on either contract or both, inside and outside the
    /// assignments) never changes a regular, overtime or double-time line; what it adds is
    /// only `holiday` and `leave` lines.
    #[test]
    fn leave_never_creates_hours_worked(
        shift_days in proptest::collection::btree_map(0u32..28, (6u32..10, 1u32..13, proptest::bool::ANY), 0..20),
        leaves in proptest::collection::vec(
            (0u32..30, 0u32..6, proptest::bool::ANY, 1u32..=48, 0usize..4, 0usize..3), 0..6),
        as_of_day in 2u32..31,
    ) {
        let shifts: Vec<(u32, u32, u32, bool)> =
            shift_days.iter().map(|(d, (s, h, p))| (*d, *s, *h, *p)).collect();
        let base = overtime_twin(&shifts);
        let mut with = base.clone();
        let statuses = ["approved", "approved", "requested", "cancelled"];
        let recs: Vec<Value> = leaves
            .iter()
            .enumerate()
            .map(|(k, &(d, len, paid, half_hours, status, contract))| {
                let start = chrono::NaiveDate::from_ymd_opt(2026, 5, 28).unwrap()
                    + chrono::Days::new(u64::from(d));
                let mut l = json!({"leave_id": format!("l{k}"), "employee_id": "e1",
                    "leave_status": statuses[status], "start_on": start.to_string(),
                    "stop_on": (start + chrono::Days::new(u64::from(len))).to_string(),
                    "paid": paid, "hours_per_day": format!("{}.{}", half_hours / 2, 5 * (half_hours % 2))});
                if contract > 0 {
                    l["contract_id"] = json!(["ot", "plain"][contract - 1]);
                }
                l
            })
            .collect();
        let r = push(&mut with, Kind::Leaves, Value::Array(recs), "2026-05-01T00:00:00Z");
        proptest::prop_assert_eq!(r.count_rejected, 0);
        let as_of = format!("2026-06-{as_of_day:02}T13:00:00Z");
        let worked = ["regular", "overtime", "double_time"];
        proptest::prop_assert_eq!(lines_of(&base, &as_of, &worked), lines_of(&with, &as_of, &worked));
        // Holiday lines are the same with or without leave, but a holiday with holiday pay
        // that is also a paid leave date earns no leave line.
        proptest::prop_assert_eq!(
            lines_of(&base, &as_of, &["holiday"]),
            lines_of(&with, &as_of, &["holiday"])
        );
        proptest::prop_assert!(lines_of(&base, &as_of, &["leave"]).is_empty());
    }
}

/// The property's world does hold overtime, holiday and leave lines (so it tests something):
/// a 12-hour shift on 06-03 (4 h over the daily 8), the holiday 06-10, paid leave 06-04 on
/// both contracts and 06-10 (holiday pay only on `ot`, leave on `plain`).
#[test]
fn the_property_world_has_overtime_holiday_and_leave_lines() {
    let mut twin = overtime_twin(&[(2, 8, 12, false)]);
    push(
        &mut twin,
        Kind::Leaves,
        json!([{"leave_id": "l", "employee_id": "e1", "leave_status": "approved",
                "start_on": "2026-06-04", "stop_on": "2026-06-04", "paid": true},
               {"leave_id": "h", "employee_id": "e1", "leave_status": "approved",
                "start_on": "2026-06-10", "stop_on": "2026-06-10", "paid": true, "hours_per_day": 2}]),
        T1,
    );
    let as_of = "2026-06-12T13:00:00Z";
    // 4 h × (1.5 − 1) × 2,000 = 4,000.
    assert_eq!(
        lines_of(&twin, as_of, &["overtime"]),
        [("p1".into(), "\"overtime\"".into(), "4000.000000".into())]
    );
    // 06-10 is a holiday: 8 h × 2,000 on `ot` (the leave's 2 h do not count there).
    assert_eq!(
        lines_of(&twin, as_of, &["holiday"]),
        [("p1".into(), "\"holiday\"".into(), "16000.000000".into())]
    );
    // 06-04: 8 h × 2,000 on `ot` and 8 h × 1,500 on `plain`; 06-10: 2 h × 1,500 on `plain`.
    let mut leave: Vec<String> = lines_of(&twin, as_of, &["leave"])
        .into_iter()
        .map(|l| l.2)
        .collect();
    leave.sort();
    assert_eq!(leave, ["12000.000000", "16000.000000", "3000.000000"]);
}
