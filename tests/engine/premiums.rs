//! Premiums (SPEC §5.4) and California's seventh day (SPEC §5.2 `seventh_day`): ingestion
//! refusals naming each field path, algebraic laws (premiums never reduce pay, a rule that
//! pays nothing changes nothing, premiums do not move overtime), a naive minute-by-minute
//! model in Los Angeles across the fall-back change compared with the engine, and answers
//! that do not depend on the order of the queries.

use crate::common::*;
use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::America::Los_Angeles as LA;
use ewa::calendar::{local_to_instant, Instant};
use ewa::{Company, Kind, LineKind, Outcome, Twin};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::HashMap;

const MIN: i64 = 60_000_000;
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A contract record of `base_twin`'s schedule with `custom_info`.
fn contract(id: &str, period: &str, custom_info: Value) -> Value {
    json!({"contract_id": id, "pay_schedule_id": "monthly", "currency": "EUR",
           "wage_rate_period": period, "wage_rate_amount": 2000, "custom_info": custom_info})
}

#[test]
fn invalid_premium_rules_are_refused_naming_the_field_path() {
    let mut twin = base_twin();
    let night = json!({"name": "night", "from": "22:00", "to": "06:00", "per_hour": 150});
    let cases = [
        (json!({"premiums": "night"}), "custom_info.premiums"),
        (
            json!({"premiums": [night, {"name": "night", "per_hour": 1}]}),
            "custom_info.premiums[1].name",
        ),
        (
            json!({"premiums": [night, {"name": "x", "per_hour": 1, "from": "24:00", "to": "06:00"}]}),
            "custom_info.premiums[1].from",
        ),
        (
            json!({"premiums": [{"name": "x", "per_hour": 1, "from": "06:00"}]}),
            "custom_info.premiums[0].to",
        ),
        (
            json!({"premiums": [{"name": "x", "per_hour": 1, "days": ["monday", "mon"]}]}),
            "custom_info.premiums[0].days[1]",
        ),
        (
            json!({"premiums": [{"name": "x", "per_hour": 1, "days": []}]}),
            "custom_info.premiums[0].days",
        ),
        (
            json!({"premiums": [{"name": "x", "per_hour": 1, "holidays": "never"}]}),
            "custom_info.premiums[0].holidays",
        ),
        (
            json!({"premiums": [{"name": "x", "per_hour": "1.5"}]}),
            "custom_info.premiums[0].per_hour",
        ),
        (
            json!({"premiums": [{"name": "x", "multiplier": "0.9"}]}),
            "custom_info.premiums[0].multiplier",
        ),
        (
            json!({"premiums": [{"name": "x", "per_hour": 1, "multiplier": 2}]}),
            "custom_info.premiums[0].multiplier",
        ),
        (
            json!({"premiums": [{"name": "x"}]}),
            "custom_info.premiums[0].per_hour",
        ),
        (
            json!({"premiums": [{"name": "x", "per_hour": 1, "regular_rate": 1}]}),
            "custom_info.premiums[0].regular_rate",
        ),
        (
            json!({"premiums": [{"name": "x", "per_hour": 1, "weekend": true}]}),
            "custom_info.premiums[0].weekend",
        ),
        (
            json!({"overtime": {"seventh_day": "yes", "multiplier": "1.5", "double_time_multiplier": "2"}}),
            "custom_info.overtime.seventh_day",
        ),
        (
            json!({"overtime": {"seventh_day": true, "double_time_multiplier": "2"}}),
            "custom_info.overtime.multiplier",
        ),
        (
            json!({"overtime": {"seventh_day": true, "multiplier": "1.5"}}),
            "custom_info.overtime.double_time_multiplier",
        ),
    ];
    for (i, (custom_info, path)) in cases.iter().enumerate() {
        // Validated on a salaried contract too (SPEC §2: validated and ignored).
        for period in ["hourly", "monthly"] {
            let r = push(
                &mut twin,
                Kind::Contracts,
                json!([contract(&format!("c{i}"), period, custom_info.clone())]),
                "2026-05-02T00:00:00Z",
            );
            assert_eq!(outcomes(&r), vec![Outcome::Rejected], "{custom_info}");
            assert_eq!(error_field(&r, 0), *path, "{custom_info}");
        }
    }
    // Whole by value, as a number or a decimal string (SPEC §9); seventh_day with both
    // multipliers; `false` needs nothing.
    let ok = [
        json!({"premiums": [{"name": "a", "per_hour": "150"}, {"name": "b", "per_hour": 150.0,
               "days": ["saturday", "sunday"], "holidays": "only", "regular_rate": false},
               {"name": "c", "multiplier": 1.5, "from": "22:00", "to": "06:00"}]}),
        json!({"overtime": {"seventh_day": true, "multiplier": "1.5", "double_time_multiplier": 2}}),
        json!({"overtime": {"seventh_day": false}}),
    ];
    for (i, custom_info) in ok.iter().enumerate() {
        let r = push(
            &mut twin,
            Kind::Contracts,
            json!([contract(&format!("ok{i}"), "hourly", custom_info.clone())]),
            "2026-05-02T00:00:00Z",
        );
        assert_eq!(outcomes(&r), vec![Outcome::Created], "{custom_info}");
    }
}

#[test]
fn premiums_on_a_salaried_contract_are_ignored() {
    let mut with = base_twin();
    let rules = json!({"premiums": [{"name": "all", "per_hour": 500}]});
    push(
        &mut with,
        Kind::Contracts,
        json!([contract("sal", "monthly", rules)]),
        "2026-05-02T00:00:00Z",
    );
    let mut without = base_twin();
    push(
        &mut without,
        Kind::Contracts,
        json!([contract("sal", "monthly", json!({}))]),
        "2026-05-02T00:00:00Z",
    );
    for twin in [&mut with, &mut without] {
        push(
            twin,
            Kind::Employees,
            json!([{"employee_id": "e2", "contract_id": "sal"}]),
            "2026-05-02T00:00:00Z",
        );
        push(
            twin,
            Kind::Shifts,
            json!([{"shift_id": "x", "shift_status": "approved", "employee_id": "e2",
            "start_at": "2026-06-03T08:00:00", "stop_at": "2026-06-03T16:00:00"}]),
            "2026-05-02T00:00:00Z",
        );
    }
    let t = at("2026-06-20T00:00:00");
    assert_eq!(
        with.accruals("e2", t).unwrap(),
        without.accruals("e2", t).unwrap()
    );
    assert!(with.accruals("e2", t).unwrap().periods[0].gross > 0);
}

/// A premium rule of the model: days as a bit set (bit 0 = Monday), a window in half hours
/// of the day, holidays 0 any / 1 only / 2 exclude, `per_hour` or a multiplier × 100.
#[derive(Clone, Debug)]
struct Rule {
    days: u8,
    window: Option<(u32, u32)>,
    holidays: u8,
    per_hour: Option<i64>,
    mult100: i64,
}

fn rule_strategy() -> impl Strategy<Value = Rule> {
    (
        prop_oneof![Just(0x7fu8), 1u8..0x80],
        prop::option::of((0u32..48, 0u32..48).prop_filter("from ≠ to", |(a, b)| a != b)),
        0u8..3,
        prop::option::of(0i64..400),
        prop::sample::select(vec![100i64, 110, 125, 150, 200]),
    )
        .prop_map(|(days, window, holidays, per_hour, mult100)| Rule {
            days,
            window,
            holidays,
            per_hour,
            mult100,
        })
}

fn hhmm(half_hours: u32) -> String {
    format!("{:02}:{:02}", half_hours / 2, (half_hours % 2) * 30)
}

fn rule_json(i: usize, r: &Rule) -> Value {
    let days: Vec<&str> = (0..7)
        .filter(|k| r.days & (1 << k) != 0)
        .map(|k| WEEKDAYS[k])
        .collect();
    let holidays = ["any", "only", "exclude"][r.holidays as usize];
    let mut v = json!({"name": format!("r{i}"), "days": days, "holidays": holidays});
    if let Some((a, b)) = r.window {
        v["from"] = hhmm(a).into();
        v["to"] = hhmm(b).into();
    }
    match r.per_hour {
        Some(p) => v["per_hour"] = p.into(),
        None => v["multiplier"] = format!("{}", r.mult100 as f64 / 100.0).into(),
    }
    v
}

/// Overtime rules of the model: thresholds in half hours; multipliers 1.5 and 2.
#[derive(Clone, Debug)]
struct Ot {
    daily: Option<i64>,
    weekly: Option<i64>,
    double_time: Option<i64>,
    seventh_day: bool,
}

fn ot_strategy() -> impl Strategy<Value = Ot> {
    (
        prop::option::of(8i64..20),
        prop::option::of(10i64..80),
        prop::option::of(16i64..26),
        prop::bool::weighted(0.7),
    )
        .prop_map(|(daily, weekly, double_time, seventh_day)| Ot {
            daily,
            weekly,
            double_time,
            seventh_day,
        })
}

fn ot_json(o: &Ot) -> Value {
    let hours = |x: i64| format!("{}.{}", x / 2, if x % 2 == 1 { 5 } else { 0 });
    let mut v =
        json!({"multiplier": "1.5", "double_time_multiplier": "2", "seventh_day": o.seventh_day});
    if let Some(x) = o.daily {
        v["daily_threshold_hours"] = hours(x).into();
    }
    if let Some(x) = o.weekly {
        v["weekly_threshold_hours"] = hours(x).into();
    }
    if let Some(x) = o.double_time {
        v["double_time_daily_threshold_hours"] = hours(x).into();
    }
    v
}

/// Monday 2026-10-19 00:00 in Los Angeles (PDT): the model's origin. Clocks fall back on
/// Sunday 11-01, a company holiday here, as is Wednesday 11-11.
fn origin() -> i64 {
    local_to_instant(LA, date(2026, 10, 19).and_time(NaiveTime::MIN)).as_micros()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn holidays() -> [NaiveDate; 2] {
    [date(2026, 11, 1), date(2026, 11, 11)]
}

/// Shifts as (start minute from the origin, length in minutes), one after another with gaps
/// (counted shifts do not overlap), within the four weeks of the model: dense enough that
/// seventh days happen.
fn shifts_strategy() -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec((0i64..900, 30i64..720), 1..70).prop_map(|v| {
        let mut t = 0i64;
        v.into_iter()
            .map(|(gap, len)| {
                t += gap;
                let s = (t, len);
                t += len;
                s
            })
            .filter(|(s, len)| s + len <= 28 * 24 * 60)
            .collect()
    })
}

/// A Los Angeles company (holidays 11-01 and 11-11), weekly periods from the origin paid on
/// 2026-12-31, a 2,000/h contract with `premiums` and `overtime`, and e1 working `shifts`.
fn twin(rules: &[Rule], ot: Option<&Ot>, shifts: &[(i64, i64)]) -> Twin {
    let company = Company::new("la", LA)
        .with_holidays(holidays().map(|d| (d, "holiday")))
        .unwrap();
    let mut twin = Twin::new(company);
    let t0 = "2026-10-01T00:00:00Z";
    let periods: Vec<Value> = (0..6)
        .map(|k| {
            let d = |w: u64| {
                date(2026, 10, 19)
                    .checked_add_days(chrono::Days::new(7 * w))
                    .unwrap()
            };
            json!({"pay_period_id": format!("w{k}"), "start_at": d(k).to_string(),
                   "stop_at": d(k + 1).to_string(), "pay_at": "2026-12-31"})
        })
        .collect();
    push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "weekly", "frequency": "weekly",
        "periods": periods}]),
        t0,
    );
    let mut custom_info = json!({});
    if !rules.is_empty() {
        let list: Vec<Value> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| rule_json(i, r))
            .collect();
        custom_info["premiums"] = Value::Array(list);
    }
    if let Some(o) = ot {
        custom_info["overtime"] = ot_json(o);
    }
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "h", "pay_schedule_id": "weekly",
        "currency": "USD", "wage_rate_period": "hourly", "wage_rate_amount": 2000,
        "custom_info": custom_info}]),
        t0,
    );
    assert_eq!(r.count_accepted, 1, "{:?}", r.results);
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "contract_id": "h"}]),
        t0,
    );
    let o = origin();
    let recs: Vec<Value> = shifts
        .iter()
        .enumerate()
        .map(|(i, (s, len))| {
            json!({"shift_id": format!("s{i}"), "shift_status": "approved",
            "employee_id": "e1", "start_at": Instant::from_micros(o + s * MIN).to_string(),
            "stop_at": Instant::from_micros(o + (s + len) * MIN).to_string()})
        })
        .collect();
    let r = push(&mut twin, Kind::Shifts, Value::Array(recs), t0);
    assert_eq!(r.count_accepted, shifts.len());
    twin
}

/// Each rule's covered intervals (micros) over the model's dates, built from the SPEC §5.4
/// text: date `d` (weekday in days, holiday status matching) covers `[d from, d to)`,
/// `[d from, (d+1) to)` when to < from, or the whole date; local times by SPEC §2's rule.
fn windows(r: &Rule) -> Vec<(i64, i64)> {
    let at = |d: NaiveDate, half: u32| {
        let t = NaiveTime::from_hms_opt(half / 2, (half % 2) * 30, 0).unwrap();
        local_to_instant(LA, d.and_time(t)).as_micros()
    };
    let mut out = Vec::new();
    let mut d = date(2026, 10, 17);
    while d < date(2026, 11, 20) {
        let next = d.succ_opt().unwrap();
        let holiday = holidays().contains(&d);
        let status = match r.holidays {
            0 => true,
            1 => holiday,
            _ => !holiday,
        };
        if status && r.days & (1 << d.weekday().num_days_from_monday()) != 0 {
            out.push(match r.window {
                None => (at(d, 0), at(next, 0)),
                Some((a, b)) if a < b => (at(d, a), at(d, b)),
                Some((a, b)) => (at(d, a), at(next, b)),
            });
        }
        d = next;
    }
    out
}

/// The naive model (SPEC §5.2, §5.4): minute by minute in Los Angeles local time, work days
/// from local 00:00, weeks from Monday; returns each weekly period's gross (one contract:
/// rounded once per period, half away from zero).
fn naive(rules: &[Rule], ot: Option<&Ot>, shifts: &[(i64, i64)]) -> Vec<i64> {
    let covered: Vec<Vec<(i64, i64)>> = rules.iter().map(windows).collect();
    let mut day_done: HashMap<NaiveDate, i64> = HashMap::new();
    let mut week_straight: HashMap<NaiveDate, i64> = HashMap::new();
    let mut num = [0i128; 6]; // in 1/6000 minor units
    let rate = 2000i128;
    let o = origin();
    for (s, len) in shifts {
        for m in *s..(s + len) {
            let x = o + m * MIN;
            let local = LA.timestamp_micros(x).unwrap().date_naive();
            let wd = i64::from(local.weekday().num_days_from_monday());
            let week = local - chrono::Duration::days(wd);
            let period = ((week - date(2026, 10, 19)).num_days() / 7) as usize;
            let done = *day_done.get(&local).unwrap_or(&0);
            let straight = *week_straight.get(&week).unwrap_or(&0);
            let extra: i128 = match ot {
                None => 0,
                Some(ot) => {
                    let worked = |k: i64| {
                        day_done
                            .get(&(local - chrono::Duration::days(k)))
                            .is_some_and(|v| *v > 0)
                    };
                    let seventh = ot.seventh_day && wd == 6 && (1..=6).all(worked);
                    if seventh {
                        if done >= 480 {
                            100
                        } else {
                            50
                        }
                    } else if ot.double_time.is_some_and(|t| done >= t * 30) {
                        100
                    } else if ot.daily.is_some_and(|t| done >= t * 30)
                        || ot.weekly.is_some_and(|t| straight >= t * 30)
                    {
                        50
                    } else {
                        *week_straight.entry(week).or_insert(0) += 1;
                        0
                    }
                }
            };
            *day_done.entry(local).or_insert(0) += 1;
            num[period] += rate * (100 + extra);
            for (r, cov) in rules.iter().zip(&covered) {
                if cov.iter().any(|(a, b)| *a <= x && x < *b) {
                    num[period] += match r.per_hour {
                        Some(p) => i128::from(p) * 100,
                        None => rate * i128::from(r.mult100 - 100),
                    };
                }
            }
        }
    }
    num.iter()
        .map(|n| i64::try_from((2 * n + 6000) / 12000).unwrap())
        .collect()
}

/// The engine's gross per weekly period (w0…w5) at 2026-12-01.
fn engine(twin: &Twin) -> Vec<i64> {
    let acc = twin.accruals("e1", at("2026-12-01T00:00:00Z")).unwrap();
    (0..6)
        .map(|k| {
            acc.periods
                .iter()
                .filter(|p| p.pay_period_id == format!("w{k}"))
                .map(|p| p.gross)
                .sum()
        })
        .collect()
}

/// Overtime and double-time lines of an answer: (kind, shift, seconds).
fn overtime_lines(twin: &Twin) -> Vec<(LineKind, Vec<String>, String)> {
    let acc = twin.accruals("e1", at("2026-12-01T00:00:00Z")).unwrap();
    acc.periods
        .iter()
        .flat_map(|p| &p.lines)
        .filter(|l| matches!(l.kind, LineKind::Overtime | LineKind::DoubleTime))
        .map(|l| (l.kind, l.source_ids.clone(), l.quantity.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// The engine matches the naive minute-by-minute model: premiums (days, overnight windows
    /// across the fall-back change, holidays only / excluded, per hour or multiplier,
    /// stacking) with overtime and the seventh day.
    #[test]
    fn premiums_and_seventh_day_match_a_naive_model(
        rules in prop::collection::vec(rule_strategy(), 0..4),
        ot in prop::option::of(ot_strategy()),
        shifts in shifts_strategy(),
    ) {
        let twin = twin(&rules, ot.as_ref(), &shifts);
        prop_assert_eq!(engine(&twin), naive(&rules, ot.as_ref(), &shifts));
    }

    /// Premiums never reduce pay, and do not change which seconds are overtime.
    #[test]
    fn premiums_never_reduce_pay_nor_move_overtime(
        rules in prop::collection::vec(rule_strategy(), 1..4),
        ot in prop::option::of(ot_strategy()),
        shifts in shifts_strategy(),
    ) {
        let with = twin(&rules, ot.as_ref(), &shifts);
        let without = twin(&[], ot.as_ref(), &shifts);
        for (a, b) in engine(&with).iter().zip(engine(&without)) {
            prop_assert!(*a >= b, "{} < {}", a, b);
        }
        prop_assert_eq!(overtime_lines(&with), overtime_lines(&without));
    }

    /// A rule with `per_hour: 0` or `multiplier: 1` changes nothing: the answers, lines
    /// included, are those without it.
    #[test]
    fn a_rule_that_pays_nothing_changes_nothing(
        rules in prop::collection::vec(rule_strategy(), 0..3),
        zero in rule_strategy(),
        per_hour in any::<bool>(),
        ot in prop::option::of(ot_strategy()),
        shifts in shifts_strategy(),
    ) {
        let mut zero = zero;
        zero.per_hour = per_hour.then_some(0);
        zero.mult100 = 100;
        let mut more = rules.clone();
        more.push(zero);
        let t = at("2026-11-20T00:00:00Z");
        prop_assert_eq!(twin(&more, ot.as_ref(), &shifts).accruals("e1", t).unwrap(),
                        twin(&rules, ot.as_ref(), &shifts).accruals("e1", t).unwrap());
    }

    /// Answers at instants asked in any order on one twin (its classification cache filled
    /// by the first) are those of a fresh twin for each (SPEC §1): the seventh day looks
    /// back over its work week only.
    #[test]
    fn seventh_day_answers_do_not_depend_on_query_order(
        rules in prop::collection::vec(rule_strategy(), 0..2),
        ot in ot_strategy(),
        shifts in shifts_strategy(),
        hours in prop::collection::vec(0i64..(34 * 24), 2..6),
    ) {
        let mut ot = ot;
        ot.seventh_day = true;
        let warm = twin(&rules, Some(&ot), &shifts);
        for h in hours {
            let t = Instant::from_micros(origin() + h * 60 * MIN);
            let cold = twin(&rules, Some(&ot), &shifts);
            prop_assert_eq!(warm.accruals("e1", t).unwrap(), cold.accruals("e1", t).unwrap(), "at {}", t);
        }
    }
}

/// The seventh day is found whatever the shifts' lengths: six 1-minute days, then a 10-hour
/// Sunday pays 8 h overtime and 2 h double time; without the Saturday minute, nothing.
#[test]
fn six_worked_minutes_make_a_seventh_day() {
    let ot = Ot {
        daily: None,
        weekly: None,
        double_time: None,
        seventh_day: true,
    };
    // Monday 10-26 … Saturday 10-31 at 09:00 for a minute; Sunday 11-01 (the fall-back day)
    // 08:00 → 18:00 PST is 10 h.
    let day = 24 * 60;
    let mut shifts: Vec<(i64, i64)> = (7..13).map(|k| (k * day + 9 * 60, 1)).collect();
    // 11-01 08:00 PST is origin + 13 days + 1 h (the day is 25 h long) + 8 h.
    shifts.push((13 * day + 9 * 60, 600));
    let g = engine(&twin(&[], Some(&ot), &shifts));
    // w1: 6 min + 10 h at 2,000 = 200 + 20,000; 8 h × 1,000 + 2 h × 2,000 = 12,000.
    assert_eq!(g[1], 200 + 20_000 + 12_000);
    shifts.remove(5);
    let g = engine(&twin(&[], Some(&ot), &shifts));
    // w1: 5 min (166.67) + 10 h straight (20,000) = 20,166.67 → 20,167.
    assert_eq!(g[1], 20_167);
}
