//! Property tests (STYLE habit 12): round trips of ingestion, algebraic laws of accrual, the
//! never-more-than-earned invariant of advances, and a naive minute-by-minute overtime model.

use crate::common::*;
use ewa::calendar::Instant;
use ewa::eligibility::AdvanceOutcome;
use ewa::{AdvanceRequest, Company, Delivery, Detail, Kind, Outcome, Twin};
use proptest::prelude::*;
use serde_json::{json, Value};

const MIN: i64 = 60_000_000;
const JUNE_1: i64 = 1_780_264_800_000_000; // 2026-06-01T00:00:00+02:00 (Brussels)

fn iso(micros: i64) -> String {
    Instant::from_micros(micros).to_string()
}

/// Shifts as (start minute offset from 1 June, length in minutes, status), made
/// non-overlapping by laying them one after another with gaps.
fn shifts_strategy(max: usize) -> impl Strategy<Value = Vec<(i64, i64, bool)>> {
    prop::collection::vec((0i64..600, 1i64..720, prop::bool::weighted(0.8)), 0..max).prop_map(|v| {
        let mut t = 0i64;
        v.into_iter()
            .map(|(gap, len, approved)| {
                t += gap;
                let s = (t, len, approved);
                t += len;
                s
            })
            .filter(|(s, len, _)| s + len < 29 * 24 * 60)
            .collect()
    })
}

fn shift_records(shifts: &[(i64, i64, bool)], employee: &str) -> Vec<Value> {
    shifts
        .iter()
        .enumerate()
        .map(|(i, (s, len, approved))| {
            json!({"shift_id": format!("{employee}-s{i}"), "shift_status": if *approved {"approved"} else {"scheduled"},
                   "employee_id": employee, "start_at": iso(JUNE_1 + s * MIN), "stop_at": iso(JUNE_1 + (s + len) * MIN)})
        })
        .collect()
}

fn apply_all(twin: &mut Twin, kind: Kind, records: &[Value]) -> ewa::JobReport {
    twin.apply(kind, records, at("2026-06-30T12:00:00Z"))
        .unwrap()
}

fn june_gross(twin: &Twin, employee: &str, as_of: &str) -> i64 {
    twin.accruals(employee, at(as_of))
        .unwrap()
        .periods
        .iter()
        .filter(|p| p.pay_period_id == "2026-06")
        .map(|p| p.gross)
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// SPEC §3: re-applying any accepted batch yields only `unchanged` and an identical twin.
    #[test]
    fn reapplying_a_batch_is_unchanged(shifts in shifts_strategy(12)) {
        let mut twin = base_twin();
        let recs = shift_records(&shifts, "e1");
        let first = apply_all(&mut twin, Kind::Shifts, &recs);
        let before = twin.clone();
        let again = apply_all(&mut twin, Kind::Shifts, &recs);
        for (a, b) in first.results.iter().zip(&again.results) {
            if a.outcome.is_accepted() {
                prop_assert_eq!(b.outcome, Outcome::Unchanged);
            }
        }
        prop_assert!(twin == before);
    }

    /// SPEC §3: batches split into smaller batches yield the same twin as one batch.
    #[test]
    fn split_batches_give_the_same_twin(shifts in shifts_strategy(12), cut in 0usize..12) {
        let recs = shift_records(&shifts, "e1");
        let mut one = base_twin();
        apply_all(&mut one, Kind::Shifts, &recs);
        let mut two = base_twin();
        let cut = cut.min(recs.len());
        apply_all(&mut two, Kind::Shifts, &recs[..cut]);
        apply_all(&mut two, Kind::Shifts, &recs[cut..]);
        prop_assert!(one == two);
    }

    /// Answers do not depend on batch order or duplication (shifts never overlap here).
    #[test]
    fn answers_ignore_batch_order_and_duplicates(shifts in shifts_strategy(10), seed in any::<u64>()) {
        let recs = shift_records(&shifts, "e1");
        let mut shuffled = recs.clone();
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        shuffled.extend(recs.iter().take(2).cloned());
        let mut a = base_twin();
        apply_all(&mut a, Kind::Shifts, &recs);
        let mut b = base_twin();
        apply_all(&mut b, Kind::Shifts, &shuffled);
        let t = at("2026-06-20T00:00:00Z");
        prop_assert_eq!(a.eligibility("e1", t, Delivery::Standard, Detail::Explained).unwrap(), b.eligibility("e1", t, Delivery::Standard, Detail::Explained).unwrap());
    }

    /// Accrual of a period is monotone in `as_of` while nothing changes.
    #[test]
    fn accrual_is_monotone_in_as_of(shifts in shifts_strategy(12), a in 0i64..(30 * 24 * 60), b in 0i64..(30 * 24 * 60)) {
        let mut twin = base_twin();
        apply_all(&mut twin, Kind::Shifts, &shift_records(&shifts, "e1"));
        let (lo, hi) = (a.min(b), a.max(b));
        let g = |m: i64| june_gross(&twin, "e1", &iso(JUNE_1 + m * MIN));
        prop_assert!(g(lo) <= g(hi));
    }

    /// Splitting an hourly shift (no overtime) leaves gross unchanged.
    #[test]
    fn splitting_a_shift_keeps_gross(start in 0i64..(20 * 24 * 60), len in 2i64..1440, cut in 1i64..1440) {
        let cut = cut % (len - 1) + 1;
        let mut whole = base_twin();
        apply_all(&mut whole, Kind::Shifts, &[shift("w", &iso(JUNE_1 + start * MIN), &iso(JUNE_1 + (start + len) * MIN))]);
        let mut split = base_twin();
        apply_all(&mut split, Kind::Shifts, &[
            shift("p1", &iso(JUNE_1 + start * MIN), &iso(JUNE_1 + (start + cut) * MIN)),
            shift("p2", &iso(JUNE_1 + (start + cut) * MIN), &iso(JUNE_1 + (start + len) * MIN)),
        ]);
        let t = "2026-07-01T12:00:00Z";
        prop_assert_eq!(june_gross(&whole, "e1", t), june_gross(&split, "e1", t));
        // and it is exactly rate × minutes / 60, rounded half away: 2000 × len / 60.
        let expected = (2000 * len * 2 + 60) / 120;
        prop_assert_eq!(june_gross(&whole, "e1", t), expected);
    }

    /// A non-counted shift changes nothing.
    #[test]
    fn non_counted_shift_changes_nothing(shifts in shifts_strategy(10), status in prop::sample::select(vec![
        "available", "scheduled", "declined", "voided", "no_show", "submitted", "provisionally_approved"])) {
        let mut twin = base_twin();
        apply_all(&mut twin, Kind::Shifts, &shift_records(&shifts, "e1"));
        let t = at("2026-06-25T00:00:00Z");
        // The answer borrows the twin, which changes next: keep its serialized form.
        let answer = |twin: &Twin| serde_json::to_value(twin.eligibility("e1", t, Delivery::Standard, Detail::Explained).unwrap()).unwrap();
        let before = answer(&twin);
        let r = apply_all(&mut twin, Kind::Shifts, &[json!({"shift_id": "extra", "shift_status": status, "employee_id": "e1",
            "start_at": "2026-06-10T08:00:00", "stop_at": "2026-06-10T20:00:00"})]);
        prop_assert_eq!(r.results[0].outcome, Outcome::Created);
        prop_assert_eq!(answer(&twin), before);
    }

    /// A full salaried period earns exactly the period amount, calendar or working basis.
    #[test]
    fn full_salaried_period_earns_the_period_amount(rate in 0i64..100_000_000, period in prop::sample::select(vec![
        "weekly", "bi-weekly", "semi-monthly", "monthly", "annually"]), working in any::<bool>()) {
        let mut c = company();
        if working {
            let p = ewa::Policy::builder().salaried_day_basis(ewa::SalariedDayBasis::Working);
            c = c.with_policy(p.build().unwrap());
        }
        let mut twin = Twin::new(c);
        let t0 = "2026-01-01T00:00:00Z";
        push(&mut twin, Kind::PaySchedules, json!([{"pay_schedule_id": "m", "frequency": "monthly",
            "periods": [{"pay_period_id": "feb", "start_at": "2026-02-01", "stop_at": "2026-03-01", "pay_at": "2026-03-05"}]}]), t0);
        push(&mut twin, Kind::Contracts, json!([{"contract_id": "s", "pay_schedule_id": "m", "currency": "EUR",
            "wage_rate_period": period, "wage_rate_amount": rate}]), t0);
        push(&mut twin, Kind::Employees, json!([{"employee_id": "e", "contract_id": "s"}]), t0);
        let acc = twin.accruals("e", at("2026-03-02T00:00:00Z")).unwrap();
        let ppy: i64 = match period { "weekly" => 52, "bi-weekly" => 26, "semi-monthly" => 24, "monthly" => 12, _ => 1 };
        // period_amount = rate × ppy / 12, rounded half away once.
        let expected = (rate * ppy * 2 + 12) / 24;
        prop_assert_eq!(acc.periods[0].gross, expected);
    }

    /// SPEC §6: after any sequence of granted advances Σ(amount + fee) ≤ floor(access_rate ×
    /// net(R)) at each grant; eligible ⇔ available > 0; `available` is maximal.
    #[test]
    fn advances_never_exceed_earnings(shifts in shifts_strategy(12), asks in prop::collection::vec((1i64..20_000, 0i64..(25 * 24 * 60), any::<bool>()), 1..8),
                                      flat in 0i64..300, bps in 0i64..500) {
        let p = ewa::Policy::builder().fee(Delivery::Instant, ewa::Fee { flat, rate_bps: bps });
        let mut twin = base_twin_with(company().with_policy(p.build().unwrap()));
        apply_all(&mut twin, Kind::Shifts, &shift_records(&shifts, "e1"));
        for (i, (amount, minute, instant)) in asks.iter().enumerate() {
            let t = Instant::from_micros(JUNE_1 + minute * MIN);
            let delivery = if *instant { Delivery::Instant } else { Delivery::Standard };
            let eli = twin.eligibility("e1", t, delivery, Detail::Explained).unwrap();
            prop_assert_eq!(eli.eligible, eli.available > 0);
            prop_assert!(eli.eligible || !eli.reasons.is_empty());
            if eli.available > 0 {
                // available + 1 breaks a constraint: asking for it is refused.
                let mut probe = twin.clone();
                let d = probe.request_advance(&AdvanceRequest { advance_id: "probe".into(), employee_id: "e1".into(),
                    amount: eli.available + 1, requested_at: t, delivery }).unwrap();
                prop_assert_eq!(d.outcome, AdvanceOutcome::Rejected);
            }
            let d = twin.request_advance(&AdvanceRequest { advance_id: format!("a{i}"), employee_id: "e1".into(),
                amount: *amount, requested_at: t, delivery }).unwrap();
            if d.outcome == AdvanceOutcome::Accepted {
                let after = twin.eligibility("e1", t, delivery, Detail::Explained).unwrap();
                let base = after.accessible_base.max(0);
                let limit = base / 2; // access_rate 0.5, floored
                let total: i64 = after.outstanding_lines.iter().map(|l| l.amount + l.fee).sum();
                prop_assert!(total <= limit, "Σ(amount+fee) {} > floor(0.5 × {})", total, base);
            }
        }
    }
}

/// A naive model of SPEC §5.2: minute by minute, UTC work days from 00:00, weeks from Monday.
fn naive_gross(
    minutes: &[(i64, i64)],
    rate: i64,
    d: Option<i64>,
    w: Option<i64>,
    dt: Option<i64>,
    m100: i64,
    dm100: i64,
) -> i64 {
    use std::collections::HashMap;
    let mut day_done: HashMap<i64, i64> = HashMap::new();
    let mut week_straight: HashMap<i64, i64> = HashMap::new();
    let mut n: i128 = 0;
    for (s, len) in minutes {
        for m in *s..(s + len) {
            let (day, week) = (m / 1440, m / 10080);
            let done = *day_done.get(&day).unwrap_or(&0);
            let straight = *week_straight.get(&week).unwrap_or(&0);
            let extra = if dt.is_some_and(|t| done >= t) {
                dm100 - 100
            } else if d.is_some_and(|t| done >= t) || w.is_some_and(|t| straight >= t) {
                m100 - 100
            } else {
                *week_straight.entry(week).or_insert(0) += 1;
                0
            };
            *day_done.entry(day).or_insert(0) += 1;
            n += i128::from(rate) * i128::from(100 + extra);
        }
    }
    // round half away from zero of n / 6000
    i64::try_from((2 * n + 6000) / 12000).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The engine's overtime matches the naive minute-by-minute model.
    #[test]
    fn overtime_matches_a_naive_model(shifts in shifts_strategy(14), rate in 100i64..5000,
        d in prop::option::of(8i64..20), w in prop::option::of(10i64..80), dt in prop::option::of(16i64..26),
        m in prop::sample::select(vec![125i64, 150, 200]), dm in prop::sample::select(vec![200i64, 250])) {
        // thresholds in half hours
        let hours = |x: i64| format!("{}.{}", x / 2, if x % 2 == 1 { 5 } else { 0 });
        let mut ot = serde_json::Map::new();
        if let Some(x) = d { ot.insert("daily_threshold_hours".into(), json!(hours(x))); }
        if let Some(x) = w { ot.insert("weekly_threshold_hours".into(), json!(hours(x))); }
        if let Some(x) = dt {
            ot.insert("double_time_daily_threshold_hours".into(), json!(hours(x)));
            ot.insert("double_time_multiplier".into(), json!(format!("{}", dm as f64 / 100.0)));
        }
        ot.insert("multiplier".into(), json!(format!("{}", m as f64 / 100.0)));
        let mut twin = Twin::new(Company::new("utc", chrono_tz::UTC));
        let t0 = "2026-05-01T00:00:00Z";
        push(&mut twin, Kind::PaySchedules, json!([{"pay_schedule_id": "m", "frequency": "monthly",
            "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01T00:00:00Z", "stop_at": "2026-07-01T00:00:00Z", "pay_at": "2026-07-03T00:00:00Z"}]}]), t0);
        push(&mut twin, Kind::Contracts, json!([{"contract_id": "h", "pay_schedule_id": "m", "currency": "USD",
            "wage_rate_period": "hourly", "wage_rate_amount": rate, "custom_info": {"overtime": ot}}]), t0);
        push(&mut twin, Kind::Employees, json!([{"employee_id": "e1", "contract_id": "h"}]), t0);
        let june1_utc = 1_780_272_000_000_000i64; // 2026-06-01T00:00:00Z, a Monday
        let recs: Vec<Value> = shifts.iter().enumerate().map(|(i, (s, len, _))| json!({"shift_id": format!("s{i}"),
            "shift_status": "approved", "employee_id": "e1", "start_at": iso(june1_utc + s * MIN),
            "stop_at": iso(june1_utc + (s + len) * MIN)})).collect();
        let r = twin.apply(Kind::Shifts, &recs, at(t0)).unwrap();
        prop_assert_eq!(r.count_accepted, recs.len());
        let minutes: Vec<(i64, i64)> = shifts.iter().map(|(s, l, _)| (*s, *l)).collect();
        let expected = naive_gross(&minutes, rate, d.map(|x| x * 30), w.map(|x| x * 30), dt.map(|x| x * 30), m, dm);
        let acc = twin.accruals("e1", at("2026-07-01T12:00:00Z")).unwrap();
        prop_assert_eq!(acc.periods[0].gross, expected);
    }
}

/// Overtime rules of one contract for the two-calendar model: thresholds in half hours,
/// work days from `starts` o'clock (UTC).
#[derive(Clone, Debug)]
struct Calendar {
    rate: i64,
    daily: Option<i64>,
    weekly: Option<i64>,
    double: Option<i64>,
    starts: i64,
}

fn calendar_strategy() -> impl Strategy<Value = Calendar> {
    (
        100i64..5000,
        prop::option::weighted(0.3, 8i64..20),
        (10i64..100).prop_map(Some),
        prop::option::weighted(0.3, 16i64..26),
        0i64..24,
    )
        .prop_map(|(rate, daily, weekly, double, starts)| Calendar {
            rate,
            daily,
            weekly,
            double,
            starts,
        })
}

/// The worked minutes of `list` (sorted) in `[from, ∞)`.
fn since(list: &[i64], from: i64) -> i64 {
    (list.len() - list.partition_point(|x| *x < from)) as i64
}

/// A naive model of SPEC §5.2 over two contracts, minute by minute, in UTC from Monday 1
/// June: each minute is classified in the work day and work week of its own contract
/// (days from `starts`, weeks from the work day starting on weekday `week`, 0 = Monday),
/// with one daily counter of all worked minutes and one weekly counter of straight minutes
/// over both contracts. Returns the gross of each weekly period from 1 June: per (contract,
/// period) rounded once, half away from zero (SPEC §5.3), then summed. Multipliers 1.5, 2.
fn naive_two_calendars(shifts: &[(i64, i64, bool)], cals: &[Calendar; 2], week: i64) -> Vec<i64> {
    let (mut worked, mut straight) = (Vec::new(), Vec::new());
    let mut n = [[0i128; 2]; 5];
    for (s, len, on_b) in shifts {
        let c = &cals[usize::from(*on_b)];
        for m in *s..(s + len) {
            let day = (m - c.starts * 60).div_euclid(1440);
            let day_start = day * 1440 + c.starts * 60;
            let week_start = (day - (day - week).rem_euclid(7)) * 1440 + c.starts * 60;
            let done = since(&worked, day_start);
            let straight_week = since(&straight, week_start);
            let half = |t: Option<i64>, x: i64| t.is_some_and(|t| x >= t * 30);
            let extra = if half(c.double, done) {
                100
            } else if half(c.daily, done) || half(c.weekly, straight_week) {
                50
            } else {
                straight.push(m);
                0
            };
            worked.push(m);
            n[(m / 10_080) as usize][usize::from(*on_b)] +=
                i128::from(c.rate) * i128::from(100 + extra);
        }
    }
    // round half away from zero of n / 6000, per contract
    n.iter()
        .map(|p| {
            p.iter()
                .map(|n| i64::try_from((2 * n + 6000) / 12000).unwrap())
                .sum()
        })
        .collect()
}

/// Shifts as (start minute from 1 June, length, _) over June's first 29 days, about 40 h a
/// week: weekly thresholds are then often reached late in a work week, where the work weeks
/// of two calendars overlap (what chains them, issue #13).
fn sparse_shifts() -> impl Strategy<Value = Vec<(i64, i64, bool)>> {
    prop::collection::vec((0i64..1_800, 60i64..600), 20..60).prop_map(|v| {
        let mut t = 0i64;
        v.into_iter()
            .map(|(gap, len)| {
                t += gap;
                let s = (t, len, true);
                t += len;
                s
            })
            .filter(|(s, len, _)| s + len < 29 * 24 * 60)
            .collect()
    })
}

/// A UTC company whose weeks start on weekday `week` (0 = Monday), weekly periods from
/// Monday 1 June (`w0`…`w5`) paid 2 days after they end, contracts `a` and `b` with `cals`'
/// rules, and e1 on both working `shifts` (on `b` when flagged).
fn two_calendar_twin(shifts: &[(i64, i64, bool)], cals: &[Calendar; 2], week: i64) -> Twin {
    let company = Company::new("utc", chrono_tz::UTC)
        .with_week_starts_on(chrono::Weekday::try_from(week as u8).unwrap());
    let mut twin = Twin::new(company);
    let t0 = "2026-05-01T00:00:00Z";
    let day = 24 * 60 * MIN;
    let june1_utc = 1_780_272_000_000_000i64; // 2026-06-01T00:00:00Z, a Monday
    let periods: Vec<Value> = (0..6)
        .map(|k| {
            let start = june1_utc + 7 * k * day;
            json!({"pay_period_id": format!("w{k}"), "start_at": iso(start),
                   "stop_at": iso(start + 7 * day), "pay_at": iso(start + 9 * day)})
        })
        .collect();
    push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "wk", "frequency": "weekly",
        "periods": periods}]),
        t0,
    );
    let hours = |x: i64| format!("{}.{}", x / 2, if x % 2 == 1 { 5 } else { 0 });
    let contract = |id: &str, c: &Calendar| {
        let mut ot = serde_json::Map::new();
        ot.insert("multiplier".into(), json!("1.5"));
        ot.insert(
            "workday_starts_at".into(),
            json!(format!("{:02}:00", c.starts)),
        );
        if let Some(x) = c.daily {
            ot.insert("daily_threshold_hours".into(), json!(hours(x)));
        }
        if let Some(x) = c.weekly {
            ot.insert("weekly_threshold_hours".into(), json!(hours(x)));
        }
        if let Some(x) = c.double {
            ot.insert("double_time_daily_threshold_hours".into(), json!(hours(x)));
            ot.insert("double_time_multiplier".into(), json!("2"));
        }
        json!({"contract_id": id, "pay_schedule_id": "wk", "currency": "USD",
               "wage_rate_period": "hourly", "wage_rate_amount": c.rate, "custom_info": {"overtime": ot}})
    };
    push(
        &mut twin,
        Kind::Contracts,
        json!([contract("a", &cals[0]), contract("b", &cals[1])]),
        t0,
    );
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "contract_id": "a"},
        {"employee_id": "e1", "contract_id": "b"}]),
        t0,
    );
    let recs: Vec<Value> = shifts.iter().enumerate().map(|(i, (s, len, on_b))| json!({"shift_id": format!("s{i}"),
        "shift_status": "approved", "employee_id": "e1", "contract_id": if *on_b { "b" } else { "a" },
        "start_at": iso(june1_utc + s * MIN), "stop_at": iso(june1_utc + (s + len) * MIN)})).collect();
    let r = twin.apply(Kind::Shifts, &recs, at(t0)).unwrap();
    assert_eq!(r.count_accepted, recs.len());
    twin
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Issue #13: overtime over two contracts with different work days and any
    /// `week_starts_on` matches the naive model whichever question is asked first. Week k's
    /// gross, asked an hour after it ends (windows from its start: weeks k and k + 1 are
    /// unpaid), on a twin asked nothing before, on one asked about every week in order and
    /// on one asked in reverse order.
    #[test]
    fn overtime_on_two_calendars_matches_a_naive_model_in_any_query_order(
        shifts in sparse_shifts(), on_b in prop::collection::vec(any::<bool>(), 60),
        a in calendar_strategy(), b in calendar_strategy(), week in 0i64..7,
    ) {
        let shifts: Vec<(i64, i64, bool)> =
            shifts.iter().zip(&on_b).map(|((s, l, _), b)| (*s, *l, *b)).collect();
        let cals = [a, b];
        let want = naive_two_calendars(&shifts, &cals, week);
        let fresh = two_calendar_twin(&shifts, &cals, week);
        let june1_utc = 1_780_272_000_000_000i64;
        let gross = |twin: &Twin, k: usize| -> i64 {
            let t = Instant::from_micros(june1_utc + (7 * 24 * 60 * k as i64 + 60) * MIN + 7 * 24 * 60 * MIN);
            let acc = twin.accruals("e1", t).unwrap();
            acc.periods.iter().filter(|p| p.pay_period_id == format!("w{k}")).map(|p| p.gross).sum()
        };
        let (forward, backward) = (fresh.clone(), fresh.clone());
        for k in 0..5 {
            prop_assert_eq!(gross(&fresh.clone(), k), want[k], "cold, week {}", k);
            prop_assert_eq!(gross(&forward, k), want[k], "forward, week {}", k);
            prop_assert_eq!(gross(&backward, 4 - k), want[4 - k], "backward, week {}", 4 - k);
        }
    }
}
