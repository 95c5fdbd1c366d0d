//! One test per ingestion rule of SPEC §2–§3 and §7, asserting the exact outcome and field.

use crate::common::*;
use ewa::{Company, Delivery, Detail, Error, Kind, Limits, Outcome, Twin};
use serde_json::json;

const T1: &str = "2026-06-15T12:00:00Z";

#[test]
fn schedule_created_unchanged_then_merged() {
    let mut twin = base_twin();
    let same = json!([{"pay_schedule_id": "monthly", "frequency": "monthly", "alignment": "arrears",
        "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]}]);
    // Re-pushing a known period changes nothing (merge by pay_period_id).
    let r = push(&mut twin, Kind::PaySchedules, same, T1);
    assert_eq!(outcomes(&r), [Outcome::Unchanged]);
    let more = json!([{"pay_schedule_id": "monthly", "frequency": "monthly", "alignment": "arrears",
        "periods": [{"pay_period_id": "2026-08", "start_at": "2026-08-01", "stop_at": "2026-09-01", "pay_at": "2026-09-03"}]}]);
    let r = push(&mut twin, Kind::PaySchedules, more, T1);
    assert_eq!(outcomes(&r), [Outcome::Updated]);
    assert_eq!(twin.counts().pay_schedules, 1);
}

#[test]
fn schedule_period_must_start_before_it_stops() {
    let mut twin = Twin::new(company());
    let r = push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "s", "frequency": "weekly",
            "periods": [{"pay_period_id": "p", "start_at": "2026-06-08", "stop_at": "2026-06-08", "pay_at": "2026-06-10"}]}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "periods[0].stop_at");
}

#[test]
fn schedule_merge_that_overlaps_is_rejected_whole() {
    let mut twin = base_twin();
    let r = push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "monthly", "frequency": "monthly",
            "periods": [{"pay_period_id": "ok", "start_at": "2026-09-01", "stop_at": "2026-10-01", "pay_at": "2026-10-03"},
                        {"pay_period_id": "bad", "start_at": "2026-06-20", "stop_at": "2026-07-10", "pay_at": "2026-07-12"}]}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "periods");
    assert!(r.results[0].errors[0].message.contains("overlaps"));
    // Nothing of the push was merged: the "ok" period is not there either.
    let eli = twin
        .eligibility(
            "e1",
            at("2026-09-10T00:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(eli.reasons.to_vec(), [ewa::Reason::NoUnpaidPeriod]);
}

#[test]
fn schedule_alignment_must_hold_for_every_period() {
    let mut twin = Twin::new(company());
    let r = push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "s", "frequency": "weekly", "alignment": "arrears",
            "periods": [{"pay_period_id": "p", "start_at": "2026-06-08", "stop_at": "2026-06-15", "pay_at": "2026-06-12"}]}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "alignment");
    for (al, pay) in [("aligned", "2026-06-12"), ("advance", "2026-06-08")] {
        let r = push(
            &mut twin,
            Kind::PaySchedules,
            json!([{"pay_schedule_id": al, "frequency": "weekly", "alignment": al,
                "periods": [{"pay_period_id": "p", "start_at": "2026-06-08", "stop_at": "2026-06-15", "pay_at": pay}]}]),
            T1,
        );
        assert_eq!(outcomes(&r), [Outcome::Created], "{al}");
    }
}

#[test]
fn schedule_enumerations_and_unknown_fields_are_named() {
    let mut twin = Twin::new(company());
    let r = push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "s", "frequency": "fortnightly"},
               {"pay_schedule_id": "t", "frequency": "weekly", "periodz": []},
               {"frequency": "weekly"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected; 3]);
    assert_eq!(error_field(&r, 0), "frequency");
    assert_eq!(error_field(&r, 1), "periodz");
    assert_eq!(r.results[1].errors[0].message, "unknown field");
    assert_eq!(error_field(&r, 2), "pay_schedule_id");
    assert_eq!(r.results[2].key, None);
}

#[test]
fn contract_needs_a_known_schedule_and_a_real_currency() {
    let mut twin = base_twin();
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "a", "pay_schedule_id": "nope", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 1},
               {"contract_id": "b", "pay_schedule_id": "monthly", "currency": "EURO", "wage_rate_period": "hourly", "wage_rate_amount": 1},
               {"contract_id": "c", "pay_schedule_id": "monthly", "currency": "HRK", "wage_rate_period": "hourly", "wage_rate_amount": 1},
               {"contract_id": "d", "pay_schedule_id": "monthly", "currency": "KWD", "wage_rate_period": "hourly", "wage_rate_amount": 1}]),
        T1,
    );
    assert_eq!(
        outcomes(&r),
        [
            Outcome::Rejected,
            Outcome::Rejected,
            Outcome::Rejected,
            Outcome::Created
        ]
    );
    assert_eq!(error_field(&r, 0), "pay_schedule_id");
    assert!(r.results[0].errors[0].message.contains("nope"));
    assert_eq!(error_field(&r, 1), "currency");
    assert_eq!(error_field(&r, 2), "currency"); // withdrawn in 2023
}

#[test]
fn misspelled_field_is_rejected_by_name() {
    let mut twin = base_twin();
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "x", "pay_schedule_id": "monthly", "currency": "EUR",
                "wage_rate_period": "hourly", "wage_rate_ammount": 1500}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    let fields: Vec<&str> = r.results[0]
        .errors
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(fields, ["wage_rate_ammount", "wage_rate_amount"]);
    assert_eq!(r.results[0].errors[0].message, "unknown field");
    assert_eq!(r.results[0].errors[1].message, "is required");
    assert!(r.error_summary[0].contains("wage_rate_ammount"));
}

#[test]
fn amounts_are_integers_within_limits() {
    let mut twin = base_twin();
    let c = |id: &str, amount: serde_json::Value| json!({"contract_id": id, "pay_schedule_id": "monthly", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": amount});
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([
            c("neg", json!(-1)),
            c("frac", json!(12.5)),
            c("big", json!(1_000_000_000_001i64)),
            c("max", json!(1_000_000_000_000i64)),
            c("str", json!("100"))
        ]),
        T1,
    );
    assert_eq!(
        outcomes(&r),
        [
            Outcome::Rejected,
            Outcome::Rejected,
            Outcome::Rejected,
            Outcome::Created,
            Outcome::Rejected
        ]
    );
    for i in [0, 1, 2, 4] {
        assert_eq!(error_field(&r, i), "wage_rate_amount");
    }
    assert!(r.results[2].errors[0].message.contains("amount_max"));
}

#[test]
fn salaried_contract_needs_a_periodic_schedule() {
    let mut twin = base_twin();
    push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "odd", "frequency": "adhoc"}]),
        T1,
    );
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "sal", "pay_schedule_id": "odd", "currency": "EUR", "wage_rate_period": "monthly", "wage_rate_amount": 300000},
               {"contract_id": "sal2", "pay_schedule_id": "monthly", "currency": "EUR", "wage_rate_period": "monthly", "wage_rate_amount": 300000}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected, Outcome::Created]);
    assert_eq!(error_field(&r, 0), "pay_schedule_id");
    // ... and the schedule of a salaried contract cannot become adhoc.
    let r = push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "monthly", "frequency": "adhoc"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "frequency");
}

#[test]
fn overtime_rules_are_validated() {
    let mut twin = base_twin();
    let c = |id: &str, ot: serde_json::Value| {
        json!({"contract_id": id, "pay_schedule_id": "monthly", "currency": "EUR", "wage_rate_period": "hourly",
               "wage_rate_amount": 1200, "custom_info": {"overtime": ot}})
    };
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([
            c(
                "ok",
                json!({"weekly_threshold_hours": "40", "multiplier": "1.5", "workday_starts_at": "22:00"})
            ),
            c(
                "typo",
                json!({"weekly_treshold_hours": "40", "multiplier": "1.5"})
            ),
            c("nomult", json!({"daily_threshold_hours": "8"})),
            c(
                "low",
                json!({"weekly_threshold_hours": "40", "multiplier": "0.5"})
            ),
            c(
                "neg",
                json!({"daily_threshold_hours": "-1", "multiplier": "1.5"})
            ),
            c("dt", json!({"double_time_daily_threshold_hours": "12"})),
            c("time", json!({"workday_starts_at": "25:00"}))
        ]),
        T1,
    );
    assert_eq!(r.results[0].outcome, Outcome::Created);
    let fields: Vec<String> = (1..7).map(|i| error_field(&r, i)).collect();
    assert_eq!(
        fields,
        [
            "custom_info.overtime.weekly_treshold_hours",
            "custom_info.overtime.multiplier",
            "custom_info.overtime.multiplier",
            "custom_info.overtime.daily_threshold_hours",
            "custom_info.overtime.double_time_multiplier",
            "custom_info.overtime.workday_starts_at",
        ]
    );
}

#[test]
fn rate_versions_follow_effective_from_and_from_now_on() {
    let mut twin = base_twin();
    let c = |amount: i64, from: Option<&str>| {
        let mut v = json!({"contract_id": "hourly", "pay_schedule_id": "monthly", "currency": "EUR",
                           "wage_rate_period": "hourly", "wage_rate_amount": amount});
        if let Some(f) = from {
            v["effective_from"] = json!(f);
        }
        v
    };
    // An announced raise from 16 June.
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([c(2500, Some("2026-06-16"))]),
        "2026-06-01T00:00:00Z",
    );
    assert_eq!(outcomes(&r), [Outcome::Updated]);
    // A daily full sync on 10 June with the old amount, and with the announced one: nothing changes.
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([c(2000, None)]),
        "2026-06-10T00:00:00Z",
    );
    assert_eq!(outcomes(&r), [Outcome::Unchanged]);
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([c(2500, None)]),
        "2026-06-10T00:00:00Z",
    );
    assert_eq!(outcomes(&r), [Outcome::Unchanged]);
    // Shifts of 1 h on 15 June and on 16 June (local 09:00-10:00): 20.00 + 25.00 = 45.00.
    push(
        &mut twin,
        Kind::Shifts,
        json!([
            shift("a", "2026-06-15T09:00:00", "2026-06-15T10:00:00"),
            shift("b", "2026-06-16T09:00:00", "2026-06-16T10:00:00")
        ]),
        T1,
    );
    let acc = twin.accruals("e1", at("2026-06-20T00:00:00Z")).unwrap();
    assert_eq!(acc.periods[0].gross, 4500);
    // A different amount without effective_from applies from received_at on: 1 h on
    // 18 June after the push at 17 June → 30.00; 16 June stays 25.00.
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([c(3000, None)]),
        "2026-06-17T00:00:00Z",
    );
    assert_eq!(outcomes(&r), [Outcome::Updated]);
    push(
        &mut twin,
        Kind::Shifts,
        json!([shift("c", "2026-06-18T09:00:00", "2026-06-18T10:00:00")]),
        T1,
    );
    let acc = twin.accruals("e1", at("2026-06-20T00:00:00Z")).unwrap();
    // 2000 + 2500 + 3000 = 7500
    assert_eq!(acc.periods[0].gross, 7500);
}

#[test]
fn contract_currency_cannot_change_under_its_employees() {
    let mut twin = base_twin();
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "hourly", "pay_schedule_id": "monthly", "currency": "USD", "wage_rate_period": "hourly", "wage_rate_amount": 2000}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "currency");
}

#[test]
fn employee_re_push_is_unchanged_and_absent_fields_keep_values() {
    let mut twin = base_twin();
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Unchanged]);
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "given_name": null, "contract_id": "hourly"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Unchanged]);
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "family_name": "Silva"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Updated]);
}

#[test]
fn emails_and_phones_are_validated() {
    let mut twin = base_twin();
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e2", "work_email": "not-an-email"},
               {"employee_id": "e3", "personal_phone": "0470 12 34 56"},
               {"employee_id": "e4", "personal_phone": "+32 470 12 34 56", "personal_email": "x@y.be"}]),
        T1,
    );
    assert_eq!(
        outcomes(&r),
        [Outcome::Rejected, Outcome::Rejected, Outcome::Created]
    );
    assert_eq!(error_field(&r, 0), "work_email");
    assert_eq!(error_field(&r, 1), "personal_phone");
}

#[test]
fn custom_info_keys_must_be_agreed() {
    let mut twin = Twin::new(company().with_custom_info_keys(["badge"]));
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "a", "custom_info": {"badge": "42"}},
               {"employee_id": "b", "custom_info": {"badge": "7", "religion": "x"}}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Created, Outcome::Rejected]);
    assert_eq!(error_field(&r, 1), "custom_info.religion");
    assert_eq!(twin.counts().employees, 1);
}

#[test]
fn integrity_rule_guards_name_phone_and_phone_email() {
    let mut twin = base_twin();
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "work_phone": "+32 2 000 00 00"}]),
        T1,
    );
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "given_name": "Mallory", "work_phone": "+32 2 999 99 99"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "given_name");
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "personal_phone": "+32 2 999 99 99", "work_email": "m@evil.example"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "personal_phone");
    // Re-sending stored values is not a change; a phone alone may change.
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "given_name": "Ana", "work_phone": "+32 2 999 99 99", "work_email": "ana@acme.example"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Updated]);
}

#[test]
fn assignment_rules_unknown_contract_dates_and_currency() {
    let mut twin = base_twin();
    push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "usd", "pay_schedule_id": "monthly", "currency": "USD", "wage_rate_period": "hourly", "wage_rate_amount": 1}]),
        T1,
    );
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e2", "contract_id": "nope"},
               {"employee_id": "e3", "contract_id": "hourly", "contract_start_on": "2026-06-10", "contract_stop_on": "2026-06-09"},
               {"employee_id": "e1", "contract_id": "usd"},
               {"employee_id": "e4", "contract_id": "hourly", "contract_start_on": "2026-6-1"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected; 4]);
    assert_eq!(error_field(&r, 0), "contract_id");
    assert_eq!(error_field(&r, 1), "contract_stop_on");
    assert_eq!(error_field(&r, 2), "contract_id");
    assert!(r.results[2].errors[0].message.contains("one currency"));
    assert_eq!(error_field(&r, 3), "contract_start_on");
}

#[test]
fn offboarding_cuts_assignments_and_access_stops_after_that_day() {
    let mut twin = base_twin();
    push(
        &mut twin,
        Kind::Shifts,
        json!([shift("a", "2026-06-02T09:00:00", "2026-06-02T17:00:00")]),
        T1,
    );
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "contract_stop_on": "2026-06-05"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Updated]);
    // A shift after the last day no longer fits the assignment.
    let r = push(
        &mut twin,
        Kind::Shifts,
        json!([shift("b", "2026-06-08T09:00:00", "2026-06-08T17:00:00")]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "contract_id");
    let eli = twin
        .eligibility(
            "e1",
            at("2026-06-10T00:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(
        eli.reasons.to_vec(),
        [
            ewa::Reason::NoActiveAssignment,
            ewa::Reason::EmploymentEnded
        ]
    );
    // The earned 8 h × 20.00 is still in the (unpaid) June period.
    assert_eq!(eli.accessible_base, 16_000);
    assert_eq!(eli.available, 0);
    // A routine profile sync does not re-open it; an explicit null does.
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "contract_id": "hourly"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Unchanged]);
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "contract_id": "hourly", "contract_stop_on": null}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Updated]);
    let r = push(
        &mut twin,
        Kind::Shifts,
        json!([shift("b", "2026-06-08T09:00:00", "2026-06-08T17:00:00")]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Created]);
}

#[test]
fn rehire_opens_a_new_stint_and_keeps_the_old_one() {
    let mut twin = base_twin();
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "contract_id": "hourly", "contract_stop_on": "2026-06-05"}]),
        T1,
    );
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "contract_id": "hourly", "contract_start_on": "2026-06-20"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Updated]);
    let r = push(
        &mut twin,
        Kind::Shifts,
        json!([
            shift("old", "2026-06-03T09:00:00", "2026-06-03T10:00:00"),
            shift("gap", "2026-06-10T09:00:00", "2026-06-10T10:00:00"),
            shift("new", "2026-06-22T09:00:00", "2026-06-22T10:00:00")
        ]),
        T1,
    );
    assert_eq!(
        outcomes(&r),
        [Outcome::Created, Outcome::Rejected, Outcome::Created]
    );
    // 1 h + 1 h at 20.00 = 40.00 in June.
    let acc = twin.accruals("e1", at("2026-06-25T00:00:00Z")).unwrap();
    assert_eq!(acc.periods[0].gross, 4000);
}

#[test]
fn shift_times_and_length_limit() {
    let mut twin = base_twin();
    let r = push(
        &mut twin,
        Kind::Shifts,
        json!([
            shift("rev", "2026-06-02T17:00:00", "2026-06-02T09:00:00"),
            shift("long", "2026-06-03T00:00:00", "2026-06-04T00:00:01"),
            shift("day", "2026-06-05T00:00:00", "2026-06-06T00:00:00"),
            shift("fmt", "2026-06-07 09:00", "2026-06-07T10:00:00")
        ]),
        T1,
    );
    assert_eq!(
        outcomes(&r),
        [
            Outcome::Rejected,
            Outcome::Rejected,
            Outcome::Created,
            Outcome::Rejected
        ]
    );
    assert_eq!(error_field(&r, 0), "stop_at");
    assert_eq!(error_field(&r, 1), "stop_at");
    assert!(r.results[1].errors[0].message.contains("shift_hours_max"));
    assert_eq!(error_field(&r, 3), "start_at");
}

#[test]
fn shift_references_and_contract_resolution() {
    let mut twin = base_twin();
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "nobody"}]),
        T1,
    );
    push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "other", "pay_schedule_id": "monthly", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 1}]),
        T1,
    );
    let r = push(
        &mut twin,
        Kind::Shifts,
        json!([{"shift_id": "a", "shift_status": "approved", "employee_id": "ghost", "start_at": "2026-06-02T09:00:00", "stop_at": "2026-06-02T10:00:00"},
               {"shift_id": "b", "shift_status": "approved", "employee_id": "e1", "contract_id": "ghost", "start_at": "2026-06-02T09:00:00", "stop_at": "2026-06-02T10:00:00"},
               {"shift_id": "c", "shift_status": "approved", "employee_id": "nobody", "start_at": "2026-06-02T09:00:00", "stop_at": "2026-06-02T10:00:00"},
               {"shift_id": "d", "shift_status": "approved", "employee_id": "e1", "contract_id": "other", "start_at": "2026-06-02T09:00:00", "stop_at": "2026-06-02T10:00:00"},
               {"shift_id": "e", "shift_status": "approved", "employee_id": "e1", "start_at": "2025-06-02T09:00:00", "stop_at": "2025-06-02T10:00:00", "contract_id": "hourly"},
               {"shift_id": "f", "shift_status": "available", "start_at": "2026-06-02T09:00:00", "stop_at": "2026-06-02T10:00:00"},
               {"shift_id": "g", "shift_status": "finished", "employee_id": "e1", "start_at": "2026-06-02T09:00:00", "stop_at": "2026-06-02T10:00:00"}]),
        T1,
    );
    assert_eq!(
        outcomes(&r),
        [
            Outcome::Rejected,
            Outcome::Rejected,
            Outcome::Rejected,
            Outcome::Rejected,
            Outcome::Rejected,
            Outcome::Created,
            Outcome::Rejected
        ]
    );
    assert_eq!(error_field(&r, 0), "employee_id");
    assert_eq!(error_field(&r, 1), "contract_id");
    assert_eq!(error_field(&r, 2), "contract_id"); // no assignment active at start_at
    assert_eq!(error_field(&r, 3), "contract_id"); // not assigned to that contract
    assert_eq!(error_field(&r, 4), "start_at"); // counted, outside the assignment
    assert_eq!(error_field(&r, 6), "shift_status");
}

#[test]
fn counted_overlap_is_a_conflict_naming_the_earliest_other_shift() {
    let mut twin = base_twin();
    push(
        &mut twin,
        Kind::Shifts,
        json!([
            shift("a", "2026-06-02T09:00:00", "2026-06-02T12:00:00"),
            shift("b", "2026-06-02T13:00:00", "2026-06-02T17:00:00"),
            shift("touch", "2026-06-02T12:00:00", "2026-06-02T13:00:00")
        ]),
        T1,
    );
    let r = push(
        &mut twin,
        Kind::Shifts,
        json!([shift("x", "2026-06-02T11:00:00", "2026-06-02T14:00:00"),
               {"shift_id": "plan", "shift_status": "scheduled", "employee_id": "e1", "start_at": "2026-06-02T10:00:00", "stop_at": "2026-06-02T11:00:00"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Conflict, Outcome::Created]);
    assert_eq!(r.results[0].conflicts_with.as_deref(), Some("a"));
    assert_eq!(r.count_rejected, 1);
    // An update that would overlap is a conflict and the previous version stays current.
    let r = push(
        &mut twin,
        Kind::Shifts,
        json!([shift("b", "2026-06-02T11:30:00", "2026-06-02T17:00:00")]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Conflict]);
    assert_eq!(twin.shift_history("b").unwrap().len(), 1);
    let acc = twin.accruals("e1", at("2026-06-03T00:00:00Z")).unwrap();
    // 3 h + 4 h + 1 h = 8 h × 20.00
    assert_eq!(acc.periods[0].gross, 16_000);
}

#[test]
fn every_shift_version_is_kept() {
    let mut twin = base_twin();
    push(
        &mut twin,
        Kind::Shifts,
        json!([{"shift_id": "s", "shift_status": "scheduled", "employee_id": "e1", "start_at": "2026-06-02T09:00:00", "stop_at": "2026-06-02T17:00:00"}]),
        "2026-06-01T00:00:00Z",
    );
    push(
        &mut twin,
        Kind::Shifts,
        json!([shift("s", "2026-06-02T09:00:00", "2026-06-02T17:30:00")]),
        "2026-06-03T00:00:00Z",
    );
    let r = push(
        &mut twin,
        Kind::Shifts,
        json!([shift("s", "2026-06-02T09:00:00", "2026-06-02T17:30:00")]),
        "2026-06-04T00:00:00Z",
    );
    assert_eq!(outcomes(&r), [Outcome::Unchanged]);
    let h = twin.shift_history("s").unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(
        (h[0].shift_status, h[1].shift_status),
        ("scheduled", "approved")
    );
    assert_eq!(h[1].stop_at, "2026-06-02T15:30:00Z");
    assert_eq!(h[0].received_at, "2026-06-01T00:00:00Z");
    assert!(twin.shift_history("nope").is_none());
}

#[test]
fn payments_reference_employee_and_currency() {
    let mut twin = base_twin();
    let r = push(
        &mut twin,
        Kind::Additions,
        json!([{"payment_id": "p1", "employee_id": "ghost", "amount": 100},
               {"payment_id": "p2", "employee_id": "e1", "amount": 100, "currency": "USD"},
               {"payment_id": "p3", "employee_id": "e1", "amount": -5},
               {"payment_id": "p4", "employee_id": "e1", "amount": 100, "currency": "EUR", "effective_on": "2026-06-10"},
               {"payment_id": "p5", "employee_id": "e1", "amount": 100, "contract_id": "ghost"}]),
        T1,
    );
    assert_eq!(
        outcomes(&r),
        [
            Outcome::Rejected,
            Outcome::Rejected,
            Outcome::Rejected,
            Outcome::Created,
            Outcome::Rejected
        ]
    );
    assert_eq!(error_field(&r, 0), "employee_id");
    assert_eq!(error_field(&r, 1), "currency");
    assert_eq!(error_field(&r, 2), "amount");
    assert_eq!(error_field(&r, 4), "contract_id");
    // Deductions are a separate key space: the same payment_id is a new deduction.
    let r = push(
        &mut twin,
        Kind::Deductions,
        json!([{"payment_id": "p4", "employee_id": "e1", "amount": 30}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Created]);
    let acc = twin.accruals("e1", at("2026-06-20T00:00:00Z")).unwrap();
    assert_eq!(
        (
            acc.periods[0].additions,
            acc.periods[0].deductions,
            acc.periods[0].net
        ),
        (100, 30, 70)
    );
}

#[test]
fn identical_copies_collapse_and_differing_copies_all_conflict() {
    let mut twin = base_twin();
    let a = shift("a", "2026-06-02T09:00:00", "2026-06-02T10:00:00");
    let b1 = shift("b", "2026-06-03T09:00:00", "2026-06-03T10:00:00");
    let b2 = shift("b", "2026-06-03T09:00:00", "2026-06-03T11:00:00");
    let r = push(&mut twin, Kind::Shifts, json!([a.clone(), b1, a, b2]), T1);
    assert_eq!(
        outcomes(&r),
        [
            Outcome::Created,
            Outcome::Conflict,
            Outcome::Created,
            Outcome::Conflict
        ]
    );
    assert_eq!(r.results[2].index, 2);
    assert_eq!(r.count_accepted, 2);
    assert_eq!(twin.counts().shifts, 1);
    // Employees key on (employee_id, contract_id): an assignment and the offboarding signal
    // travel in one batch.
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e9", "contract_id": "hourly", "contract_start_on": "2026-06-01"},
               {"employee_id": "e9", "contract_stop_on": "2026-06-30"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Created, Outcome::Updated]);
}

#[test]
fn whole_batch_refusals_apply_nothing() {
    let limits = Limits::builder()
        .batch_records_max(2)
        .batch_bytes_max(200)
        .build()
        .unwrap();
    let mut twin = Twin::new(Company::new("acme", chrono_tz::UTC).with_limits(limits));
    let rec = json!({"employee_id": "a"});
    let e = twin
        .apply(
            Kind::Employees,
            &[rec.clone(), rec.clone(), rec.clone()],
            at(T1),
        )
        .unwrap_err();
    assert!(matches!(e, Error::BatchRefused { .. }) && e.is_input());
    let e = twin
        .apply(Kind::Employees, &[rec, json!(3)], at(T1))
        .unwrap_err();
    assert_eq!(
        e,
        Error::BatchRefused {
            reason: "record 1 is not a JSON object".into()
        }
    );
    let e = twin
        .apply_json(Kind::Employees, br#"{"employee_id": "a"}"#, at(T1))
        .unwrap_err();
    assert_eq!(
        e,
        Error::BatchRefused {
            reason: "not a JSON array of objects".into()
        }
    );
    assert!(twin.apply_json(Kind::Employees, b"[{", at(T1)).is_err());
    let big = format!("[{{\"employee_id\": \"{}\"}}]", "x".repeat(300));
    assert!(twin
        .apply_json(Kind::Employees, big.as_bytes(), at(T1))
        .is_err());
    assert_eq!(twin.counts().employees, 0);
    assert_eq!(twin.job_count(), 0);
    let r = twin
        .apply_json(Kind::Employees, br#"[{"employee_id": "a"}]"#, at(T1))
        .unwrap();
    assert_eq!(r.job_id, "job-1");
    assert_eq!(r.target_entity, "employees");
}

#[test]
fn ids_and_texts_respect_their_limits() {
    let mut twin = base_twin();
    let long_id = "x".repeat(129);
    let long_name = "n".repeat(257);
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": long_id}, {"employee_id": "ok", "given_name": long_name}, {"employee_id": ""}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Rejected; 3]);
    assert!(r.results[0].errors[0].message.contains("id_chars_max"));
    assert!(r.results[1].errors[0].message.contains("text_chars_max"));
    assert_eq!(error_field(&r, 2), "employee_id");
}

/// A batch of every shift outcome, as typed records: created (one built from a `chrono`
/// value), an identical copy, differing copies, a counted overlap, bad times, an unknown
/// employee, an open slot with `custom_info`.
fn typed_batch() -> Vec<ewa::Shift<'static>> {
    use ewa::chrono::{TimeZone, Utc};
    use ewa::{Shift, ShiftStatus};
    let approved = |id: &'static str, start: &'static str, stop: &'static str| Shift {
        shift_id: id.into(),
        shift_status: ShiftStatus::Approved,
        employee_id: Some("e1".into()),
        start_at: start.into(),
        stop_at: stop.into(),
        ..Default::default()
    };
    let mut info = serde_json::Map::new();
    info.insert("site".into(), json!("north"));
    vec![
        approved("a", "2026-06-02T09:00:00", "2026-06-02T17:00:00"),
        Shift {
            // 2026-06-03 07:00Z is 09:00 in Brussels (CEST, +02:00).
            start_at: Utc.with_ymd_and_hms(2026, 6, 3, 7, 0, 0).unwrap().into(),
            ..approved("b", "", "2026-06-03T12:00:00")
        },
        approved("a", "2026-06-02T09:00:00", "2026-06-02T17:00:00"),
        approved("c", "2026-06-04T09:00:00", "2026-06-04T10:00:00"),
        approved("c", "2026-06-04T09:00:00", "2026-06-04T11:00:00"),
        approved("d", "2026-06-02T16:00:00", "2026-06-02T18:00:00"),
        approved("e", "2026-06-05T10:00:00", "2026-06-05T09:00:00"),
        Shift {
            employee_id: Some("ghost".into()),
            ..approved("f", "2026-06-05T10:00:00", "2026-06-05T11:00:00")
        },
        Shift {
            shift_id: "g".into(),
            shift_status: ShiftStatus::Available,
            start_at: "2026-06-06".into(),
            stop_at: "2026-06-06T04:00:00".into(),
            custom_info: Some(info),
            ..Default::default()
        },
    ]
}

#[test]
fn typed_records_values_and_bytes_give_one_report_and_one_twin() {
    let shifts = typed_batch();
    let values: Vec<serde_json::Value> = shifts
        .iter()
        .map(|s| serde_json::to_value(s).unwrap())
        .collect();
    let bytes = serde_json::to_vec(&values).unwrap();
    let (mut typed, mut by_value, mut by_bytes) = (base_twin(), base_twin(), base_twin());
    let r = typed.apply_records(&shifts, at(T1)).unwrap();
    assert_eq!(r, by_value.apply(Kind::Shifts, &values, at(T1)).unwrap());
    assert_eq!(
        r,
        by_bytes.apply_json(Kind::Shifts, &bytes, at(T1)).unwrap()
    );
    assert!(typed == by_value && typed == by_bytes);
    use Outcome::*;
    assert_eq!(
        outcomes(&r),
        [Created, Created, Created, Conflict, Conflict, Conflict, Rejected, Rejected, Created]
    );
    assert_eq!(r.results[5].conflicts_with.as_deref(), Some("a"));
    assert_eq!(error_field(&r, 6), "stop_at");
    assert_eq!(r.results[7].errors[0].message, "unknown employee `ghost`");
    // The answers agree too: a (8 h) + b (3 h) = 11 h × 20.00 = 220.00 accrued.
    let as_of = at("2026-06-10T00:00:00Z");
    let answer = |t: &Twin| {
        format!(
            "{:?}",
            t.eligibility("e1", as_of, Delivery::Standard, Detail::Explained)
        )
    };
    assert_eq!(answer(&typed), answer(&by_value));
    assert_eq!(answer(&typed), answer(&by_bytes));
    let acc = typed.accruals("e1", as_of).unwrap();
    assert_eq!(acc.periods[0].gross, 22_000);
    // Pushed again, every accepted record is unchanged, whichever way.
    let again = typed.apply_records(&shifts, at(T1)).unwrap();
    assert_eq!(
        again,
        by_bytes.apply_json(Kind::Shifts, &bytes, at(T1)).unwrap()
    );
    assert_eq!(again.results[0].outcome, Unchanged);
}

#[test]
fn wrong_types_and_unknown_fields_are_named_field_by_field() {
    let mut twin = base_twin();
    // As bytes, `zz` and `shift_id` sent twice reject the record naming the first key found
    // twice (decision 69); parsed as a JSON value (which keeps the last of each), every
    // field's error is named.
    let bytes = br#"[{"zz": 1, "shift_id": 7, "shift_status": true, "employee_id": [],
        "start_at": 3, "stop_at": null, "custom_info": "x", "aa": null, "zz": 2, "shift_id": ""}]"#;
    let r = twin.apply_json(Kind::Shifts, bytes, at(T1)).unwrap();
    assert_eq!(outcomes(&r), [Outcome::Rejected]);
    assert_eq!(r.results[0].errors.len(), 1);
    assert_eq!(error_field(&r, 0), "zz");
    let values: Vec<serde_json::Value> = serde_json::from_slice(bytes).unwrap();
    let mut other = base_twin();
    let r = other.apply(Kind::Shifts, &values, at(T1)).unwrap();
    let errors: Vec<(&str, &str)> = r.results[0]
        .errors
        .iter()
        .map(|e| (e.field.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            ("zz", "unknown field"),
            ("aa", "unknown field"),
            ("shift_id", "must not be empty"),
            (
                "shift_status",
                "`true` is not one of: available, scheduled, declined, voided, no_show, submitted, provisionally_approved, approved"
            ),
            ("start_at", "must be a timestamp string"),
            ("stop_at", "is required"),
            ("employee_id", "must be a string"),
            ("custom_info", "must be an object"),
        ]
    );
    assert_eq!(r.results[0].key.as_deref(), Some(""));
}

#[test]
fn a_typed_shift_reads_and_writes_payd_json() {
    use std::borrow::Cow;
    let text = r#"{"shift_id": "s1", "shift_status": "no_show", "start_at": "2026-06-02T09:00:00Z", "stop_at": "2026-06-02T10:00:00Z"}"#;
    let s: ewa::Shift<'_> = serde_json::from_str(text).unwrap();
    assert!(
        matches!(s.shift_id, Cow::Borrowed("s1")),
        "borrowed from the text"
    );
    assert_eq!(s.shift_status, ewa::ShiftStatus::NoShow);
    assert_eq!(s.employee_id, None);
    assert_eq!(
        serde_json::to_value(&s).unwrap(),
        serde_json::from_str::<serde_json::Value>(text).unwrap()
    );
    let e = serde_json::from_str::<ewa::Shift<'_>>(r#"{"shift_id": "s1", "break_minutes": 5}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`break_minutes`: unknown field"), "{e}");
    assert!(e.contains("`shift_status`: is required"), "{e}");
}

#[test]
fn shift_batches_over_the_record_limit_are_refused_whichever_way() {
    let c = company().with_limits(Limits::builder().batch_records_max(2).build().unwrap());
    let mut twin = base_twin_with(c);
    let shifts = &typed_batch()[..3];
    let refusal = Error::BatchRefused {
        reason: "3 records exceed the limit of 2 (batch_records_max)".into(),
    };
    assert_eq!(twin.apply_records(shifts, at(T1)).unwrap_err(), refusal);
    let bytes = serde_json::to_vec(shifts).unwrap();
    assert_eq!(
        twin.apply_json(Kind::Shifts, &bytes, at(T1)).unwrap_err(),
        refusal
    );
    // Three elements, the last one broken: not JSON wins, as when the bytes are parsed whole.
    let broken = br#"[{"shift_id": "a"}, {"shift_id": "b"}, {"shift_id": "c" 1}]"#;
    let e = twin.apply_json(Kind::Shifts, broken, at(T1)).unwrap_err();
    assert!(e.to_string().contains("not JSON"), "{e}");
    assert_eq!(twin.counts().shifts, 0);
}

/// Issue #18, defect 6: an id with a NUL, a zero-width space or a right-to-left override was
/// accepted, and could then not be named on a command line or looked like another id.
/// Control (Cc) and format (Cf) characters are refused in every id, through every path;
/// other non-ASCII ids stay welcome.
#[test]
fn ids_with_control_or_format_characters_are_refused() {
    let mut twin = base_twin();
    for (id, code) in [
        ("e\u{0}1", "U+0000"),
        ("e\u{200B}1", "U+200B"),
        ("e\u{202E}1", "U+202E"),
        ("e1\u{7F}", "U+007F"),
        ("\u{FEFF}e1", "U+FEFF"),
    ] {
        let r = push(
            &mut twin,
            Kind::Employees,
            json!([{"employee_id": id, "contract_id": "hourly"}]),
            T1,
        );
        assert_eq!(outcomes(&r), [Outcome::Rejected], "{id:?}");
        assert_eq!(error_field(&r, 0), "employee_id");
        assert!(r.error_summary[0].contains(code), "{:?}", r.error_summary);
        // The same rule for a shift id, whether the batch comes as values or as bytes.
        let s = json!([shift(id, "2026-06-02T09:00:00Z", "2026-06-02T10:00:00Z")]);
        let r = push(&mut twin, Kind::Shifts, s.clone(), T1);
        assert_eq!(error_field(&r, 0), "shift_id", "{id:?}");
        let bytes = serde_json::to_vec(&s).unwrap();
        let r = twin.apply_json(Kind::Shifts, &bytes, at(T1)).unwrap();
        assert_eq!(error_field(&r, 0), "shift_id", "{id:?}");
    }
    // Letters of any script, spaces and punctuation are not control or format characters.
    let r = push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "Zoë 日本-7", "contract_id": "hourly"}]),
        T1,
    );
    assert_eq!(outcomes(&r), [Outcome::Created]);
    // Advance ids follow the same rule.
    let req = ewa::AdvanceRequest {
        advance_id: "a\u{202E}1".into(),
        employee_id: "e1".into(),
        amount: 100,
        requested_at: at(T1),
        delivery: Delivery::Standard,
    };
    let e = twin.request_advance(&req).unwrap_err().to_string();
    assert!(e.contains("advance_id") && e.contains("U+202E"), "{e}");
}

/// Issue #18, defect 6: a JSON batch starting with a UTF-8 byte order mark was refused
/// ("not JSON") while a CSV one was accepted; both are accepted now.
#[test]
fn a_json_batch_may_start_with_a_byte_order_mark() {
    let mut twin = base_twin();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(
        serde_json::to_vec(&json!([shift(
            "s1",
            "2026-06-02T09:00:00Z",
            "2026-06-02T17:00:00Z"
        )]))
        .unwrap(),
    );
    let r = twin.apply_json(Kind::Shifts, &bytes, at(T1)).unwrap();
    assert_eq!(outcomes(&r), [Outcome::Created]);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(br#"[{"payment_id": "p1", "employee_id": "e1", "amount": 500}]"#);
    let r = twin.apply_json(Kind::Additions, &bytes, at(T1)).unwrap();
    assert_eq!(outcomes(&r), [Outcome::Created]);
}

/// Issue #18: a key carried twice in a record's JSON is refused naming its path, for every
/// kind read from bytes (the shift path and the general one), while the batch's other
/// records are applied.
#[test]
fn a_key_carried_twice_rejects_the_record_naming_it() {
    let mut twin = base_twin();
    let at_ = at(T1);
    let additions = br#"[
        {"payment_id": "p1", "employee_id": "e1", "amount": 1, "amount": 999999},
        {"payment_id": "p2", "employee_id": "e1", "amount": 5, "custom_info": {"a": 1, "a": 2}},
        {"payment_id": "p3", "employee_id": "e1", "amount": 7}]"#;
    let r = twin.apply_json(Kind::Additions, additions, at_).unwrap();
    assert_eq!(
        outcomes(&r),
        [Outcome::Rejected, Outcome::Rejected, Outcome::Created]
    );
    assert_eq!(error_field(&r, 0), "amount");
    assert_eq!(error_field(&r, 1), "custom_info.a");
    let shifts = br#"[
        {"shift_id": "s1", "shift_status": "approved", "employee_id": "e1",
         "start_at": "2026-06-02T09:00:00Z", "stop_at": "2026-06-02T17:00:00Z",
         "stop_at": "2026-06-02T23:00:00Z"},
        {"shift_id": "s2", "shift_status": "approved", "employee_id": "e1",
         "start_at": "2026-06-03T09:00:00Z", "stop_at": "2026-06-03T17:00:00Z"}]"#;
    let r = twin.apply_json(Kind::Shifts, shifts, at_).unwrap();
    assert_eq!(outcomes(&r), [Outcome::Rejected, Outcome::Created]);
    assert_eq!(error_field(&r, 0), "stop_at");
    assert_eq!(r.results[0].key.as_deref(), Some("s1"));
    // Nothing of the refused records was stored: 8 h of s2 at 20.00/h, plus the addition.
    let acc = twin.accruals("e1", at("2026-06-20T00:00:00Z")).unwrap();
    assert_eq!(
        (acc.periods[0].gross, acc.periods[0].additions),
        (16_000, 7)
    );
}

/// The shift reader names a field sent twice in the record itself while reading it, and
/// scans the text only when the record holds a nested object (decision 69): every shape
/// gives the field the text scan gives — known and unknown fields, escaped keys, a
/// duplicate nested in `custom_info` or in a break before a top-level one.
#[test]
fn a_shift_field_twice_is_named_as_the_text_scan_names_it() {
    let base = r#""shift_id": "s1", "shift_status": "approved", "employee_id": "e1", "start_at": "2026-06-02T09:00:00Z""#;
    let cases = [
        (
            r#""stop_at": "2026-06-02T17:00:00Z", "stop_at": "2026-06-02T18:00:00Z""#,
            Some("stop_at"),
        ),
        (
            r#""stop_at": "2026-06-02T17:00:00Z", "x": 1, "x": 2"#,
            Some("x"),
        ),
        (
            r#""stop_at": "2026-06-02T17:00:00Z", "x": 1, "y": 2, "x": 3, "stop_at": "2026-06-02T17:00:00Z""#,
            Some("x"),
        ),
        (
            r#""stop_at": "2026-06-02T17:00:00Z", "shift\u005fstatus": "approved""#,
            Some("shift_status"),
        ),
        (
            r#""stop_at": "2026-06-02T17:00:00Z", "custom_info": {"a": 1, "a": 2}"#,
            Some("custom_info.a"),
        ),
        (
            r#""custom_info": {"a": {"b": 1, "b": 2}}, "stop_at": "2026-06-02T17:00:00Z", "stop_at": "2026-06-02T17:00:00Z""#,
            Some("custom_info.a.b"),
        ),
        (
            r#""stop_at": "2026-06-02T17:00:00Z", "unpaid_breaks": [{"start_at": "2026-06-02T12:00:00Z", "start_at": "2026-06-02T12:00:00Z", "stop_at": "2026-06-02T12:30:00Z"}]"#,
            Some("unpaid_breaks[0].start_at"),
        ),
        (
            r#""stop_at": "2026-06-02T17:00:00Z", "custom_info": {"a": 1, "b": {"a": 2}}"#,
            None,
        ),
        (r#""stop_at": "2026-06-02T17:00:00Z", "tips": 500"#, None),
    ];
    for (rest, want) in cases {
        let mut twin = base_twin();
        let batch = format!("[{{{base}, {rest}}}]");
        let r = twin
            .apply_json(Kind::Shifts, batch.as_bytes(), at(T1))
            .unwrap();
        match want {
            Some(field) => {
                assert_eq!(outcomes(&r), [Outcome::Rejected], "{batch}");
                assert_eq!(error_field(&r, 0), field, "{batch}");
                assert!(r.results[0].errors[0].message.contains("appears twice"));
            }
            None => assert!(
                r.results[0]
                    .errors
                    .iter()
                    .all(|e| !e.message.contains("twice")),
                "{batch}: {:?}",
                r.results[0]
            ),
        }
    }
}
