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
