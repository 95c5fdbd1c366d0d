//! The weighted regular rate (SPEC §5.2 `regular_rate`, §9), bonuses in it (addition
//! `in_regular_rate`) and the minimum-wage top-up (SPEC §5.7): ingestion refusals naming
//! each field, the t-dependence of the regular rate, and two properties — the top-up makes
//! `paid ≥ due` in every week, and the weighted rate is the contract rate when every hour of
//! the week has one rate and there is no bonus.

use crate::common::*;
use ewa::calendar::Instant;
use ewa::{Kind, LineKind, Outcome, Twin};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::str::FromStr;

const HOUR: i64 = 3_600_000_000;
const T0: &str = "2026-01-01T00:00:00Z";

/// A twin with one schedule of `periods` and the given contracts and employee `e1` assigned
/// to each of them from 2026-01-01.
fn twin_with(periods: Value, contracts: Value) -> Twin {
    let mut twin = Twin::new(company());
    push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "s", "frequency": "daily", "periods": periods}]),
        T0,
    );
    let r = push(&mut twin, Kind::Contracts, contracts.clone(), T0);
    assert_eq!(r.count_rejected, 0, "{:?}", r.error_summary);
    let assignments: Vec<Value> = contracts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!({"employee_id": "e1", "contract_id": c["contract_id"], "contract_start_on": "2026-01-01"}))
        .collect();
    let r = push(&mut twin, Kind::Employees, Value::Array(assignments), T0);
    assert_eq!(r.count_rejected, 0, "{:?}", r.error_summary);
    twin
}

fn hourly_contract(id: &str, rate: i64, custom_info: Value) -> Value {
    json!({"contract_id": id, "pay_schedule_id": "s", "currency": "EUR",
           "wage_rate_period": "hourly", "wage_rate_amount": rate, "custom_info": custom_info})
}

fn one_period() -> Value {
    json!([{"pay_period_id": "p", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}])
}

/// The field of the single rejected record of a one-record contract batch.
fn contract_refusal(custom_info: Value, rate_period: &str) -> String {
    let mut twin = twin_with(one_period(), json!([]));
    let mut c = hourly_contract("x", 1000, custom_info);
    c["wage_rate_period"] = rate_period.into();
    let r = push(&mut twin, Kind::Contracts, json!([c]), T0);
    assert_eq!(outcomes(&r), vec![Outcome::Rejected], "{:?}", r.results);
    error_field(&r, 0)
}

#[test]
fn contract_rules_are_refused_naming_the_field() {
    let cases = [
        (
            json!({"overtime": {"multiplier": "1.5", "weekly_threshold_hours": "40", "regular_rate": "weighted"}}),
            "custom_info.overtime.regular_rate",
        ),
        (
            json!({"overtime": {"regular_rate": true}}),
            "custom_info.overtime.regular_rate",
        ),
        (json!({"minimum_wage": 725}), "custom_info.minimum_wage"),
        (
            json!({"minimum_wage": {}}),
            "custom_info.minimum_wage.hourly",
        ),
        (
            json!({"minimum_wage": {"hourly": 0}}),
            "custom_info.minimum_wage.hourly",
        ),
        (
            json!({"minimum_wage": {"hourly": -5}}),
            "custom_info.minimum_wage.hourly",
        ),
        (
            json!({"minimum_wage": {"hourly": "7.25"}}),
            "custom_info.minimum_wage.hourly",
        ),
        (
            json!({"minimum_wage": {"hourly": 7.5}}),
            "custom_info.minimum_wage.hourly",
        ),
        (
            json!({"minimum_wage": {"hourly": "lots"}}),
            "custom_info.minimum_wage.hourly",
        ),
        (
            json!({"minimum_wage": {"hourly": 725, "tip_credit": "yes"}}),
            "custom_info.minimum_wage.tip_credit",
        ),
        (
            json!({"minimum_wage": {"hourly": 725, "tips": true}}),
            "custom_info.minimum_wage.tips",
        ),
    ];
    for (custom_info, field) in cases {
        assert_eq!(
            contract_refusal(custom_info.clone(), "hourly"),
            field,
            "{custom_info}"
        );
        // SPEC §2: validated on a non-hourly contract too.
        assert_eq!(
            contract_refusal(custom_info.clone(), "daily"),
            field,
            "{custom_info}"
        );
    }
}

#[test]
fn whole_minimum_wages_are_accepted_in_any_spelling() {
    for hourly in [json!(725), json!("725"), json!(725.0), json!("725.00")] {
        let mut twin = twin_with(one_period(), json!([]));
        let c = hourly_contract("x", 500, json!({"minimum_wage": {"hourly": hourly}}));
        let r = push(&mut twin, Kind::Contracts, json!([c.clone()]), T0);
        assert_eq!(outcomes(&r), vec![Outcome::Created], "{hourly}");
        // Re-pushing the same record changes nothing (SPEC §3).
        let r = push(&mut twin, Kind::Contracts, json!([c]), T0);
        assert_eq!(outcomes(&r), vec![Outcome::Unchanged], "{hourly}");
    }
}

#[test]
fn in_regular_rate_is_an_addition_field() {
    let mut twin = twin_with(one_period(), json!([hourly_contract("c", 1000, json!({}))]));
    let bonus = |flag: Value| json!([{"payment_id": "b", "employee_id": "e1", "amount": 100, "in_regular_rate": flag}]);
    let r = push(&mut twin, Kind::Deductions, bonus(json!(true)), T0);
    assert_eq!(outcomes(&r), vec![Outcome::Rejected]);
    assert_eq!(error_field(&r, 0), "in_regular_rate");
    // Even `false` on a deduction is refused: the field is not one of a deduction's.
    let r = push(&mut twin, Kind::Deductions, bonus(json!(false)), T0);
    assert_eq!(error_field(&r, 0), "in_regular_rate");
    let r = push(&mut twin, Kind::Deductions, bonus(Value::Null), T0);
    assert_eq!(outcomes(&r), vec![Outcome::Created]);
    let r = push(&mut twin, Kind::Additions, bonus(json!("yes")), T0);
    assert_eq!(error_field(&r, 0), "in_regular_rate");
    let r = push(&mut twin, Kind::Additions, bonus(json!(true)), T0);
    assert_eq!(outcomes(&r), vec![Outcome::Created]);
    let r = push(&mut twin, Kind::Additions, bonus(json!(true)), T0);
    assert_eq!(outcomes(&r), vec![Outcome::Unchanged]);
    let r = push(&mut twin, Kind::Additions, bonus(json!(false)), T0);
    assert_eq!(outcomes(&r), vec![Outcome::Updated]);
}

/// A minimum wage on a daily contract is validated and ignored (SPEC §2).
#[test]
fn a_minimum_wage_on_a_daily_contract_pays_nothing() {
    let mut c = hourly_contract("d", 100, json!({"minimum_wage": {"hourly": 725}}));
    c["wage_rate_period"] = "daily".into();
    let mut twin = twin_with(one_period(), json!([c]));
    push(
        &mut twin,
        Kind::Shifts,
        json!([shift("s1", "2026-06-01T08:00:00", "2026-06-01T18:00:00")]),
        T0,
    );
    let a = twin.accruals("e1", at("2026-06-02")).unwrap();
    assert_eq!(a.periods[0].gross, 100);
}

/// SPEC §9: RR depends on `t`; later work in the same week changes the premium of an
/// earlier overtime second, also in an earlier period.
#[test]
fn later_work_changes_an_earlier_periods_premium() {
    // Daily periods: Monday 15 June and Tuesday 16 June 2026 (a Monday week).
    let periods = json!([
        {"pay_period_id": "mon", "start_at": "2026-06-15", "stop_at": "2026-06-16", "pay_at": "2026-06-30"},
        {"pay_period_id": "tue", "start_at": "2026-06-16", "stop_at": "2026-06-17", "pay_at": "2026-06-30"}]);
    let ot = json!({"overtime": {"daily_threshold_hours": "8", "multiplier": "1.5", "regular_rate": "weighted_average"}});
    let mut twin = twin_with(
        periods,
        json!([
            hourly_contract("a", 1000, ot),
            hourly_contract("b", 2000, json!({}))
        ]),
    );
    let mut s1 = shift("mon", "2026-06-15T08:00:00", "2026-06-15T18:00:00");
    s1["contract_id"] = "a".into();
    let mut s2 = shift("tue", "2026-06-16T08:00:00", "2026-06-16T18:00:00");
    s2["contract_id"] = "b".into();
    push(&mut twin, Kind::Shifts, json!([s1, s2]), T0);
    let monday = |t: &str| twin.accruals("e1", at(t)).unwrap().periods[0].gross;
    // Monday evening: RR = 10 h × 1,000 / 10 h = 1,000; 2 h overtime × 0.5 × 1,000 = 1,000.
    assert_eq!(monday("2026-06-15T20:00:00"), 10_000 + 1_000);
    // Wednesday: RR = (10,000 + 10 × 2,000) / 20 = 1,500; premium 2 × 0.5 × 1,500 = 1,500.
    assert_eq!(monday("2026-06-17T00:00:00"), 10_000 + 1_500);
    // Tuesday noon: RR = (10,000 + 4 × 2,000) / 14 = 1,285.714…; premium 1,285.714… →
    // 11,285.714… → 11,286.
    assert_eq!(monday("2026-06-16T12:00:00"), 11_286);
}

/// A bonus counts in the regular rate only with `in_regular_rate`, once its instant is
/// before `t`, and only in the week holding its instant.
#[test]
fn only_flagged_bonuses_of_the_week_count() {
    let ot = json!({"overtime": {"weekly_threshold_hours": "8", "multiplier": "2", "regular_rate": "weighted_average"}});
    let mut twin = twin_with(one_period(), json!([hourly_contract("c", 1000, ot)]));
    push(
        &mut twin,
        Kind::Shifts,
        json!([shift("s1", "2026-06-02T08:00:00", "2026-06-02T18:00:00")]),
        T0,
    );
    // 10 h in the week of Monday 1 June: 2 h overtime, premium (2 − 1) × RR × 2.
    let gross = |twin: &Twin| twin.accruals("e1", at("2026-06-20")).unwrap().periods[0].gross;
    assert_eq!(gross(&twin), 10_000 + 2 * 1_000);
    let add = |twin: &mut Twin, id: &str, on: &str, flag: bool| {
        let r = push(
            twin,
            Kind::Additions,
            json!([{"payment_id": id, "employee_id": "e1", "amount": 5_000, "effective_on": on, "in_regular_rate": flag}]),
            T0,
        );
        assert_eq!(r.count_accepted, 1);
    };
    add(&mut twin, "plain", "2026-06-03", false);
    add(&mut twin, "next-week", "2026-06-08", true);
    assert_eq!(gross(&twin), 12_000);
    add(&mut twin, "this-week", "2026-06-07", true);
    // RR = (10,000 + 5,000) / 10 = 1,500: premium 2 × 1,500 = 3,000.
    assert_eq!(gross(&twin), 10_000 + 3_000);
    // Before the bonus's instant it does not count yet.
    let early = twin.accruals("e1", at("2026-06-06")).unwrap().periods[0].gross;
    assert_eq!(early, 12_000);
}

/// Shifts as (start minute offset, length in minutes), laid one after another with gaps.
fn laid(v: Vec<(i64, i64)>, horizon_min: i64) -> Vec<(i64, i64)> {
    let mut t = 0i64;
    v.into_iter()
        .map(|(gap, len)| {
            t += gap;
            let s = (t, len);
            t += len;
            s
        })
        .filter(|(s, len)| s + len < horizon_min)
        .collect()
}

/// Monday 16 March 2026, 00:00 Brussels: three weeks over the DST change of 29 March.
fn march_16() -> i64 {
    at("2026-03-16").as_micros()
}

fn iso(micros: i64) -> String {
    Instant::from_micros(micros).to_string()
}

/// Daily periods (each inside one Monday week) from 16 March for 22 days, paid long after.
fn daily_periods() -> Value {
    let d0 = chrono::NaiveDate::from_ymd_opt(2026, 3, 16).unwrap();
    let periods: Vec<Value> = (0..22)
        .map(|k| {
            let d = d0 + chrono::Duration::days(k);
            json!({"pay_period_id": format!("d{k:02}"), "start_at": d.to_string(),
                   "stop_at": (d + chrono::Duration::days(1)).to_string(), "pay_at": "2026-12-31"})
        })
        .collect();
    Value::Array(periods)
}

fn shift_values(shifts: &[(i64, i64)], contract: impl Fn(usize) -> &'static str) -> Value {
    let min = HOUR / 60;
    Value::Array(
        shifts
            .iter()
            .enumerate()
            .map(|(i, (s, len))| {
                json!({"shift_id": format!("s{i}"), "shift_status": "approved", "employee_id": "e1",
                       "contract_id": contract(i),
                       "start_at": iso(march_16() + s * min), "stop_at": iso(march_16() + (s + len) * min)})
            })
            .collect(),
    )
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// SPEC §5.7: with the top-up, every work week of a contract with a minimum wage pays at
    /// least `hourly × hours` (and exactly that when topped up); the top-up is shared among
    /// the daily periods' windows of the week. Rate versions and a second contract without a
    /// minimum wage make the pay uneven.
    #[test]
    fn the_top_up_makes_paid_at_least_due_every_week(
        hourly in 200i64..1_500,
        rate in 100i64..1_600,
        raise in 100i64..1_600,
        shifts in prop::collection::vec((0i64..1_500, 30i64..720), 1..40),
        other in prop::collection::vec(any::<bool>(), 40),
        t_hours in 24i64..22 * 24,
    ) {
        let shifts = laid(shifts, 21 * 24 * 60);
        let c = json!([
            {"contract_id": "mw", "pay_schedule_id": "s", "currency": "EUR", "wage_rate_period": "hourly",
             "wage_rate_amount": rate, "custom_info": {"minimum_wage": {"hourly": hourly}}},
            {"contract_id": "mw", "pay_schedule_id": "s", "currency": "EUR", "wage_rate_period": "hourly",
             "wage_rate_amount": raise, "effective_from": "2026-03-25T13:00:00",
             "custom_info": {"minimum_wage": {"hourly": hourly}}},
            {"contract_id": "plain", "pay_schedule_id": "s", "currency": "EUR", "wage_rate_period": "hourly",
             "wage_rate_amount": 100}]);
        let mut twin = twin_with(daily_periods(), c);
        let r = push(&mut twin, Kind::Shifts,
            shift_values(&shifts, |i| if other[i % other.len()] { "plain" } else { "mw" }), T0);
        prop_assert_eq!(r.count_rejected, 0);
        let t = Instant::from_micros(march_16() + t_hours * HOUR);
        let a = twin.accruals("e1", t).unwrap();
        // Per week (periods d00–d06, d07–d13, d14–d21): the regular seconds and pay, the top-ups.
        let mut weeks = [(Decimal::ZERO, Decimal::ZERO, Decimal::ZERO); 4];
        let mut topped = 0;
        for p in &a.periods {
            let k: usize = p.pay_period_id[1..].parse::<usize>().unwrap() / 7;
            for l in p.lines.iter().filter(|l| l.contract_id.as_deref() == Some("mw")) {
                match l.kind {
                    LineKind::Regular => {
                        weeks[k].0 += dec(&l.quantity);
                        weeks[k].1 += dec(&l.amount);
                    }
                    LineKind::MinimumWage => {
                        weeks[k].2 += dec(&l.amount);
                        topped += 1;
                    }
                    _ => {}
                }
            }
        }
        // Line amounts are shown to 6 decimals: allow their rounding.
        let tolerance = dec("0.0001");
        for (seconds, paid, top_up) in weeks {
            let due = Decimal::from(hourly) * seconds / Decimal::from(3600);
            prop_assert!(paid + top_up >= due - tolerance, "{} + {} < {}", paid, top_up, due);
            if top_up > Decimal::ZERO {
                prop_assert!((paid + top_up - due).abs() <= tolerance, "{} + {} != {}", paid, top_up, due);
            }
        }
        // Not vacuous when the rate is below the minimum and something was worked.
        if rate < hourly && raise < hourly && a.periods.iter().any(|p| p.lines.iter().any(|l|
            l.kind == LineKind::Regular && l.contract_id.as_deref() == Some("mw"))) {
            prop_assert!(topped > 0);
        }
    }

    /// SPEC §5.2: when every hour of the week has one rate and there is no bonus, the
    /// weighted regular rate is the contract rate: weighted and contract pay the same.
    #[test]
    fn weighted_equals_contract_with_one_rate_and_no_bonus(
        rate in 100i64..5_000,
        weekly in prop::sample::select(vec![8u32, 16, 24, 40]),
        daily in prop::option::of(prop::sample::select(vec![4u32, 6, 8])),
        starts in 0u32..24,
        shifts in prop::collection::vec((0i64..1_200, 30i64..720), 1..40),
        t_hours in 24i64..22 * 24,
    ) {
        let shifts = laid(shifts, 21 * 24 * 60);
        let twin_of = |regular_rate: &str| {
            let mut o = json!({"weekly_threshold_hours": weekly.to_string(), "multiplier": "1.5",
                               "workday_starts_at": format!("{starts:02}:00"), "regular_rate": regular_rate});
            if let Some(d) = daily {
                o["daily_threshold_hours"] = d.to_string().into();
                o["double_time_daily_threshold_hours"] = (d + 3).to_string().into();
                o["double_time_multiplier"] = "2".into();
            }
            let mut twin = twin_with(daily_periods(), json!([hourly_contract("c", rate, json!({"overtime": o}))]));
            push(&mut twin, Kind::Shifts, shift_values(&shifts, |_| "c"), T0);
            // A bonus not in the regular rate changes nothing.
            push(&mut twin, Kind::Additions,
                json!([{"payment_id": "b", "employee_id": "e1", "amount": 9_999, "effective_on": "2026-03-18"}]), T0);
            twin
        };
        let (weighted, contract) = (twin_of("weighted_average"), twin_of("contract"));
        let t = Instant::from_micros(march_16() + t_hours * HOUR);
        let (w, c) = (weighted.accruals("e1", t).unwrap(), contract.accruals("e1", t).unwrap());
        prop_assert_eq!(w.accrued_unpaid_net, c.accrued_unpaid_net);
        prop_assert_eq!(w.periods.len(), c.periods.len());
        for (pw, pc) in w.periods.iter().zip(&c.periods) {
            prop_assert_eq!(pw.gross, pc.gross);
            let premium = |p: &ewa::PeriodAccrual| -> Decimal { p.lines.iter()
                .filter(|l| matches!(l.kind, LineKind::Overtime | LineKind::DoubleTime))
                .map(|l| dec(&l.amount)).sum() };
            prop_assert_eq!(premium(pw), premium(pc));
        }
    }
}
