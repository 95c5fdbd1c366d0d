//! Unpaid breaks and tips (SPEC §2 shift extensions, §5 "Paid time", §5.6, §5.7): every
//! refusal names its field, updates keep or clear the fields, the audit history keeps them
//! per version, and properties of paid time against a naive minute-by-minute model.

use crate::common::*;
use ewa::calendar::Instant;
use ewa::{Company, Kind, Outcome, Patch, Shift, ShiftStatus, Twin, UnpaidBreak};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::str::FromStr;

const MIN: i64 = 60_000_000;
/// 2026-06-01T00:00:00Z, a Monday.
const JUNE1_UTC: i64 = 1_780_272_000_000_000;

fn iso(micros: i64) -> String {
    Instant::from_micros(micros).to_string()
}

/// A shift of e1 on 2 June 08:00–16:00 (Brussels) with `extra` fields merged in.
fn with(extra: Value) -> Value {
    let mut s = shift("s", "2026-06-02T08:00:00", "2026-06-02T16:00:00");
    for (k, v) in extra.as_object().unwrap() {
        s[k] = v.clone();
    }
    s
}

fn brk(a: &str, b: &str) -> Value {
    json!({"start_at": a, "stop_at": b})
}

/// Every refusal of `unpaid_breaks` and `tips` names its field (SPEC §5.6, §5.7), whichever
/// way the record comes (values, bytes).
#[test]
fn every_refusal_names_its_field() {
    let day = |t: &str| format!("2026-06-02T{t}");
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with(json!({"unpaid_breaks": "12:00"})),
            "unpaid_breaks",
            "must be a list",
        ),
        (
            with(json!({"unpaid_breaks": {"start_at": "x"}})),
            "unpaid_breaks",
            "must be a list",
        ),
        (
            with(json!({"unpaid_breaks": [3]})),
            "unpaid_breaks[0]",
            "must be an object",
        ),
        (
            with(json!({"unpaid_breaks": [{"stop_at": day("12:00:00")}]})),
            "unpaid_breaks[0].start_at",
            "is required",
        ),
        (
            with(json!({"unpaid_breaks": [{"start_at": day("12:00:00"), "stop_at": 5}]})),
            "unpaid_breaks[0].stop_at",
            "must be a timestamp string",
        ),
        (
            with(
                json!({"unpaid_breaks": [{"start_at": day("12:00:00"), "stop_at": day("12:30:00"), "paid": false}]}),
            ),
            "unpaid_breaks[0].paid",
            "unknown field",
        ),
        (
            with(
                json!({"unpaid_breaks": [brk(&day("12:00:00"), &day("12:30:00")), brk("noon", &day("13:30:00"))]}),
            ),
            "unpaid_breaks[1].start_at",
            "",
        ),
        (
            with(json!({"unpaid_breaks": [brk(&day("12:30:00"), &day("12:30:00"))]})),
            "unpaid_breaks[0].stop_at",
            "must be after start_at",
        ),
        (
            with(json!({"unpaid_breaks": [brk(&day("07:30:00"), &day("08:30:00"))]})),
            "unpaid_breaks[0].start_at",
            "before the shift's start_at",
        ),
        (
            with(json!({"unpaid_breaks": [brk(&day("15:30:00"), &day("16:00:01"))]})),
            "unpaid_breaks[0].stop_at",
            "after the shift's stop_at",
        ),
        (
            with(
                json!({"unpaid_breaks": [brk(&day("12:00:00"), &day("13:00:00")), brk(&day("11:00:00"), &day("12:00:01"))]}),
            ),
            "unpaid_breaks[1]",
            "overlaps unpaid_breaks[0]",
        ),
        (with(json!({"tips": -1})), "tips", "must be >= 0"),
        (with(json!({"tips": 1.5})), "tips", "must be an integer"),
        (with(json!({"tips": "100"})), "tips", "must be an integer"),
        (
            with(json!({"tips": 1_000_000_000_000_000i64})),
            "tips",
            "amount_max",
        ),
        (with(json!({"tips": u64::MAX})), "tips", "amount_max"),
        (
            with(json!({"tips": 10, "unpaid_breaks": [brk(&day("08:00:00"), &day("16:00:00"))]})),
            "tips",
            "needs paid time",
        ),
    ];
    for (rec, field, message) in cases {
        let mut twin = base_twin();
        let r = push(
            &mut twin,
            Kind::Shifts,
            json!([rec.clone()]),
            "2026-06-03T00:00:00Z",
        );
        assert_eq!(outcomes(&r), [Outcome::Rejected], "{rec}");
        assert_eq!(error_field(&r, 0), field, "{rec}");
        assert!(
            r.results[0].errors[0].message.contains(message),
            "{rec}: {r:?}"
        );
        let mut by_bytes = base_twin();
        let bytes = serde_json::to_vec(&json!([rec])).unwrap();
        let b = by_bytes
            .apply_json(Kind::Shifts, &bytes, at("2026-06-03T00:00:00Z"))
            .unwrap();
        assert_eq!(b, r);
    }
    // Touching breaks and an explicit empty list are fine.
    let mut twin = base_twin();
    let ok = [
        with(
            json!({"unpaid_breaks": [brk(&day("12:00:00"), &day("12:30:00")), brk(&day("12:30:00"), &day("13:00:00"))], "tips": 0}),
        ),
        json!({"shift_id": "t", "shift_status": "approved", "employee_id": "e1", "start_at": day("17:00:00"), "stop_at": day("18:00:00"), "unpaid_breaks": []}),
    ];
    let r = push(&mut twin, Kind::Shifts, json!(ok), "2026-06-03T00:00:00Z");
    assert_eq!(outcomes(&r), [Outcome::Created, Outcome::Created]);
}

/// A counted shift with tips needs paid time; an uncounted one does not (SPEC §9 "Tips"),
/// and neither does a shift whose tips are 0.
#[test]
fn tips_without_paid_time_are_refused_only_when_counted_and_positive() {
    let all = json!([brk("2026-06-02T08:00:00", "2026-06-02T16:00:00")]);
    let mut twin = base_twin();
    let recs = json!([
        with(json!({"unpaid_breaks": all, "tips": 0})),
        {"shift_id": "sub", "shift_status": "submitted", "employee_id": "e1",
         "start_at": "2026-06-04T08:00:00", "stop_at": "2026-06-04T09:00:00",
         "unpaid_breaks": [brk("2026-06-04T08:00:00", "2026-06-04T09:00:00")], "tips": 50},
    ]);
    let r = push(&mut twin, Kind::Shifts, recs, "2026-06-05T00:00:00Z");
    assert_eq!(outcomes(&r), [Outcome::Created, Outcome::Created]);
    // Approving the submitted shift would give tips no paid time: refused.
    let approve = json!([{"shift_id": "sub", "shift_status": "approved", "employee_id": "e1",
        "start_at": "2026-06-04T08:00:00", "stop_at": "2026-06-04T09:00:00"}]);
    let r = push(&mut twin, Kind::Shifts, approve, "2026-06-05T00:00:00Z");
    assert_eq!(error_field(&r, 0), "tips");
}

/// The contract rule's refusals name `custom_info.auto_unpaid_break.*`; a valid rule on a
/// daily contract is accepted and changes nothing (SPEC §5.6: validated, ignored).
#[test]
fn automatic_break_rules_are_checked_and_only_hourly_contracts_use_them() {
    let mut twin = base_twin();
    let contract = |id: &str, period: &str, rule: Value| {
        json!({"contract_id": id, "pay_schedule_id": "monthly", "currency": "EUR",
               "wage_rate_period": period, "wage_rate_amount": 10000,
               "custom_info": {"auto_unpaid_break": rule}})
    };
    let base = "custom_info.auto_unpaid_break";
    let cases = [
        (json!("30"), base.to_string()),
        (json!({"after_hours": 6}), format!("{base}.minutes")),
        (json!({"minutes": 30}), format!("{base}.after_hours")),
        (
            json!({"after_hours": "-1", "minutes": 30}),
            format!("{base}.after_hours"),
        ),
        (
            json!({"after_hours": 6, "minutes": "30.5"}),
            format!("{base}.minutes"),
        ),
        (
            json!({"after_hours": 6, "minutes": 0}),
            format!("{base}.minutes"),
        ),
        (
            json!({"after_hours": 1, "minutes": 60}),
            format!("{base}.minutes"),
        ),
        (
            json!({"after_hours": 6, "minutes": 30, "paid": true}),
            format!("{base}.paid"),
        ),
    ];
    for (rule, field) in cases {
        let r = push(
            &mut twin,
            Kind::Contracts,
            json!([contract("x", "daily", rule.clone())]),
            "2026-05-02T00:00:00Z",
        );
        assert_eq!(error_field(&r, 0), field, "{rule}");
    }
    let ok = json!({"after_hours": "1.5", "minutes": "30"});
    let r = push(
        &mut twin,
        Kind::Contracts,
        json!([contract("daily", "daily", ok)]),
        "2026-05-02T00:00:00Z",
    );
    assert_eq!(r.count_accepted, 1);
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "d1", "contract_id": "daily"}]),
        "2026-05-02T00:00:00Z",
    );
    let recs = json!([{"shift_id": "d", "shift_status": "approved", "employee_id": "d1",
        "start_at": "2026-06-02T08:00:00", "stop_at": "2026-06-02T16:00:00"}]);
    push(&mut twin, Kind::Shifts, recs, "2026-06-03T00:00:00Z");
    let acc = twin.accruals("d1", at("2026-06-10T00:00:00")).unwrap();
    assert_eq!(acc.periods[0].gross, 10000);
}

/// SPEC §2: absent keeps, `null` clears; each version keeps its own breaks and tips in the
/// audit history; re-pushing an unchanged shift with its fields is `unchanged`.
#[test]
fn updates_keep_or_clear_and_the_history_keeps_each_version() {
    let mut twin = base_twin();
    let b = json!([brk("2026-06-02T12:00:00", "2026-06-02T12:30:00")]);
    let first = with(json!({"unpaid_breaks": b, "tips": 700}));
    let steps = [
        (first.clone(), Outcome::Created),
        (first, Outcome::Unchanged),
        (with(json!({})), Outcome::Unchanged),
        (with(json!({"tips": 800})), Outcome::Updated),
        (with(json!({"unpaid_breaks": null})), Outcome::Updated),
        (with(json!({"unpaid_breaks": []})), Outcome::Updated),
    ];
    for (rec, outcome) in steps {
        let r = push(
            &mut twin,
            Kind::Shifts,
            json!([rec]),
            "2026-06-03T00:00:00Z",
        );
        assert_eq!(outcomes(&r), [outcome]);
    }
    let h = twin.shift_history("s").unwrap();
    let seen: Vec<(Option<usize>, Option<i64>)> = h
        .iter()
        .map(|v| (v.unpaid_breaks.as_ref().map(Vec::len), v.tips))
        .collect();
    assert_eq!(
        seen,
        [
            (Some(1), Some(700)),
            (Some(1), Some(800)),
            (None, Some(800)),
            (Some(0), Some(800))
        ]
    );
    assert_eq!(
        h[0].unpaid_breaks.as_ref().unwrap()[0].start_at,
        "2026-06-02T10:00:00Z"
    );
    let v = serde_json::to_value(&h[2]).unwrap();
    assert!(v.get("unpaid_breaks").is_none() && v["tips"] == json!(800));
}

/// Typed records carry the fields too: the same report and twin as their JSON form.
#[test]
fn typed_shifts_with_breaks_and_tips_are_their_json() {
    let rec = Shift {
        shift_id: "s".into(),
        shift_status: ShiftStatus::Approved,
        employee_id: Some("e1".into()),
        start_at: "2026-06-02T08:00:00".into(),
        stop_at: "2026-06-02T16:00:00".into(),
        unpaid_breaks: Patch::Set(vec![UnpaidBreak {
            start_at: "2026-06-02T12:00:00".into(),
            stop_at: "2026-06-02T12:45:00".into(),
        }]),
        tips: Patch::Set(1500),
        ..Default::default()
    };
    let clear = Shift {
        unpaid_breaks: Patch::Null,
        tips: Patch::Absent,
        ..rec.clone()
    };
    let values: Vec<Value> = [&rec, &clear]
        .iter()
        .map(|s| serde_json::to_value(s).unwrap())
        .collect();
    assert_eq!(values[1]["unpaid_breaks"], Value::Null);
    assert!(values[1].get("tips").is_none());
    let text = values[0].to_string();
    let back: Shift<'_> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, rec);
    let (mut typed, mut by_value) = (base_twin(), base_twin());
    for (r, v) in [(&rec, &values[0]), (&clear, &values[1])] {
        let a = typed
            .apply_records(std::slice::from_ref(r), at("2026-06-03T00:00:00"))
            .unwrap();
        let b = by_value
            .apply(
                Kind::Shifts,
                std::slice::from_ref(v),
                at("2026-06-03T00:00:00"),
            )
            .unwrap();
        assert_eq!(a, b);
        assert!(typed == by_value);
    }
    // 8 h at 20.00 with tips 15.00 kept by the second version (breaks cleared).
    let acc = typed.accruals("e1", at("2026-06-10T00:00:00")).unwrap();
    assert_eq!(acc.periods[0].gross, 16_000 + 1_500);
}

// ---- properties ----

/// A twin in UTC with monthly June and July periods (paid 3 Aug) and one hourly contract
/// `h` of `rate` with `custom_info` `info`, and employee e1 on it.
fn utc_twin(rate: i64, info: Value) -> Twin {
    let mut twin = Twin::new(Company::new("utc", chrono_tz::UTC));
    let t0 = "2026-05-01T00:00:00Z";
    push(
        &mut twin,
        Kind::PaySchedules,
        json!([{"pay_schedule_id": "m", "frequency": "monthly", "periods": [
        {"pay_period_id": "2026-06", "start_at": "2026-06-01T00:00:00Z", "stop_at": "2026-07-01T00:00:00Z", "pay_at": "2026-08-03T00:00:00Z"},
        {"pay_period_id": "2026-07", "start_at": "2026-07-01T00:00:00Z", "stop_at": "2026-08-01T00:00:00Z", "pay_at": "2026-08-03T00:00:00Z"}]}]),
        t0,
    );
    push(
        &mut twin,
        Kind::Contracts,
        json!([{"contract_id": "h", "pay_schedule_id": "m", "currency": "USD",
        "wage_rate_period": "hourly", "wage_rate_amount": rate, "custom_info": info}]),
        t0,
    );
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "contract_id": "h"}]),
        t0,
    );
    twin
}

/// One generated shift: start and length in minutes from 1 June 00:00Z, and its breaks
/// (`None`: no field) as minute intervals inside it.
#[derive(Clone, Debug)]
struct Gen {
    start: i64,
    len: i64,
    breaks: Option<Vec<(i64, i64)>>,
}

/// Breaks carved from sorted cut points inside `[s, s + len]`: pairs of points, each pair
/// a break (empty ones dropped; touching allowed).
fn carve(s: i64, len: i64, cuts: &[i64]) -> Vec<(i64, i64)> {
    let mut p: Vec<i64> = cuts.iter().map(|c| s + c.rem_euclid(len + 1)).collect();
    p.sort_unstable();
    p.chunks(2)
        .filter_map(|w| match w {
            [a, b] if a < b => Some((*a, *b)),
            _ => None,
        })
        .collect()
}

/// Non-overlapping shifts of even length (so a centred 30-minute break starts on a whole
/// minute), each with no field, an empty list, or up to two carved breaks.
fn gens(max: usize) -> impl Strategy<Value = Vec<Gen>> {
    let one = (
        0i64..600,
        1i64..400,
        0u8..3,
        prop::collection::vec(any::<i64>(), 0..4),
    );
    prop::collection::vec(one, 0..max).prop_map(|v| {
        let mut t = 0i64;
        v.into_iter()
            .map(|(gap, half, kind, cuts)| {
                t += gap;
                let (start, len) = (t, 2 * half);
                t += len;
                let breaks = match kind {
                    0 => None,
                    1 => Some(Vec::new()),
                    _ => Some(carve(start, len, &cuts)),
                };
                Gen { start, len, breaks }
            })
            .filter(|g| g.start + g.len < 29 * 24 * 60)
            .collect()
    })
}

fn records(shifts: &[Gen]) -> Vec<Value> {
    shifts
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let mut r = json!({"shift_id": format!("s{i}"), "shift_status": "approved", "employee_id": "e1",
                "start_at": iso(JUNE1_UTC + g.start * MIN), "stop_at": iso(JUNE1_UTC + (g.start + g.len) * MIN)});
            if let Some(b) = &g.breaks {
                r["unpaid_breaks"] = b
                    .iter()
                    .map(|(a, z)| brk(&iso(JUNE1_UTC + a * MIN), &iso(JUNE1_UTC + z * MIN)))
                    .collect();
            }
            r
        })
        .collect()
}

/// The naive model's paid minutes of one shift (SPEC §5.6): the explicit breaks, else the
/// automatic `(after, minutes)` break centred when the shift lasts more than `after`.
fn paid_minutes(g: &Gen, auto: Option<(i64, i64)>) -> Vec<i64> {
    let breaks = match (&g.breaks, auto) {
        (Some(b), _) => b.clone(),
        (None, Some((after, m))) if g.len > after => {
            let s = g.start + (g.len - m) / 2;
            vec![(s, s + m)]
        }
        _ => Vec::new(),
    };
    (g.start..g.start + g.len)
        .filter(|m| !breaks.iter().any(|(a, z)| a <= m && m < z))
        .collect()
}

/// The naive model of SPEC §5.2 over paid minutes (copied from properties.rs, which other
/// work owns): UTC work days from 00:00, weeks from Monday, overtime at `m100`/100.
fn naive_gross(paid: &[i64], rate: i64, daily: Option<i64>, weekly: Option<i64>, m100: i64) -> i64 {
    use std::collections::HashMap;
    let mut day_done: HashMap<i64, i64> = HashMap::new();
    let mut week_straight: HashMap<i64, i64> = HashMap::new();
    let mut n: i128 = 0;
    for &m in paid {
        let (day, week) = (m / 1440, m / 10080);
        let done = *day_done.get(&day).unwrap_or(&0);
        let straight = *week_straight.get(&week).unwrap_or(&0);
        let extra = if daily.is_some_and(|t| done >= t) || weekly.is_some_and(|t| straight >= t) {
            m100 - 100
        } else {
            *week_straight.entry(week).or_insert(0) += 1;
            0
        };
        *day_done.entry(day).or_insert(0) += 1;
        n += i128::from(rate) * i128::from(100 + extra);
    }
    i64::try_from((2 * n + 6000) / 12000).unwrap()
}

fn june_gross(twin: &Twin) -> i64 {
    let acc = twin.accruals("e1", at("2026-07-02T00:00:00Z")).unwrap();
    acc.periods
        .iter()
        .filter(|p| p.pay_period_id == "2026-06")
        .map(|p| p.gross)
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The engine's pay with breaks (explicit and automatic) and overtime matches the
    /// naive minute-by-minute model over paid time.
    #[test]
    fn pay_matches_a_naive_model_with_breaks(shifts in gens(14), rate in 100i64..5000,
        d in prop::option::of(8i64..20), w in prop::option::of(10i64..80),
        auto in prop::option::of((2i64..12, prop::sample::select(vec![20i64, 30, 44])))) {
        // thresholds in half hours; automatic break after whole hours
        let hours = |x: i64| format!("{}.{}", x / 2, if x % 2 == 1 { 5 } else { 0 });
        let mut ot = serde_json::Map::new();
        if let Some(x) = d { ot.insert("daily_threshold_hours".into(), json!(hours(x))); }
        if let Some(x) = w { ot.insert("weekly_threshold_hours".into(), json!(hours(x))); }
        ot.insert("multiplier".into(), json!("1.5"));
        let mut info = json!({"overtime": ot});
        if let Some((h, m)) = auto {
            info["auto_unpaid_break"] = json!({"after_hours": h, "minutes": m});
        }
        let mut twin = utc_twin(rate, info);
        let recs = records(&shifts);
        let r = twin.apply(Kind::Shifts, &recs, at("2026-05-01T00:00:00Z")).unwrap();
        prop_assert_eq!(r.count_accepted, recs.len(), "{:?}", r);
        let auto = auto.map(|(h, m)| (h * 60, m));
        let paid: Vec<i64> = shifts.iter().flat_map(|g| paid_minutes(g, auto)).collect();
        let expected = naive_gross(&paid, rate, d.map(|x| x * 30), w.map(|x| x * 30), 150);
        prop_assert_eq!(june_gross(&twin), expected);
    }

    /// Splitting a shift in two at a break pays the same as one shift with that break.
    #[test]
    fn splitting_at_a_break_keeps_pay(start in 0i64..(20 * 1440), len in 3i64..1440,
        a in any::<i64>(), b in any::<i64>(), rate in 100i64..5000, daily in prop::option::of(60i64..600)) {
        let (x, y) = {
            let (p, q) = (1 + a.rem_euclid(len - 1), 1 + b.rem_euclid(len - 1));
            (start + p.min(q), start + p.max(q))
        };
        prop_assume!(x < y);
        let info = match daily {
            Some(m) => json!({"overtime": {"daily_threshold_hours": format!("{}", m as f64 / 60.0), "multiplier": "1.5"}}),
            None => json!({}),
        };
        let one = [Gen { start, len, breaks: Some(vec![(x, y)]) }];
        let two = [
            Gen { start, len: x - start, breaks: None },
            Gen { start: y, len: start + len - y, breaks: None },
        ];
        let gross = |shifts: &[Gen]| {
            let mut twin = utc_twin(rate, info.clone());
            let r = twin.apply(Kind::Shifts, &records(shifts), at("2026-05-01T00:00:00Z")).unwrap();
            assert_eq!(r.count_rejected, 0, "{r:?}");
            june_gross(&twin)
        };
        prop_assert_eq!(gross(&one), gross(&two));
    }

    /// A shift's paid time (its regular seconds) never exceeds its length, and is its
    /// length minus its breaks.
    #[test]
    fn paid_time_is_the_length_minus_the_breaks(shifts in gens(10)) {
        let mut twin = utc_twin(3600, json!({}));
        let recs = records(&shifts);
        twin.apply(Kind::Shifts, &recs, at("2026-05-01T00:00:00Z")).unwrap();
        let acc = twin.accruals("e1", at("2026-07-02T00:00:00Z")).unwrap();
        for (i, g) in shifts.iter().enumerate() {
            let id = format!("s{i}");
            let seconds: Decimal = acc.periods.iter().flat_map(|p| &p.lines)
                .filter(|l| l.source_ids == [id.clone()])
                .map(|l| Decimal::from_str(&l.quantity).unwrap())
                .sum();
            let breaks: i64 = g.breaks.iter().flatten().map(|(a, z)| z - a).sum();
            prop_assert!(seconds <= Decimal::from(g.len * 60));
            prop_assert_eq!(seconds, Decimal::from((g.len - breaks) * 60));
        }
    }

    /// Tips add up to the shift's tips over the windows that cover it, exactly when one
    /// period holds it (rate 0: the gross is the tips), to the line precision when a period
    /// boundary cuts it.
    #[test]
    fn tips_add_up_to_the_shift_tips(len in 2i64..1440, before in 1i64..1440, tips in 1i64..10_000_000,
        cuts in prop::collection::vec(any::<i64>(), 0..4)) {
        // The shift starts `before` minutes before 1 July 00:00Z.
        let start = 30 * 1440 - before.min(len - 1);
        let breaks = carve(start, len, &cuts);
        prop_assume!(breaks.iter().map(|(a, z)| z - a).sum::<i64>() < len);
        let mut twin = utc_twin(0, json!({}));
        let mut recs = records(&[Gen { start, len, breaks: Some(breaks) }]);
        recs[0]["tips"] = json!(tips);
        let r = twin.apply(Kind::Shifts, &recs, at("2026-05-01T00:00:00Z")).unwrap();
        prop_assert_eq!(r.count_accepted, 1, "{:?}", r);
        let acc = twin.accruals("e1", at("2026-07-03T00:00:00Z")).unwrap();
        let lines: Decimal = acc.periods.iter().flat_map(|p| &p.lines)
            .filter(|l| l.kind == ewa::LineKind::Tips)
            .map(|l| Decimal::from_str(&l.amount).unwrap())
            .sum();
        prop_assert!((lines - Decimal::from(tips)).abs() <= Decimal::from_str("0.000002").unwrap());
        let gross: i64 = acc.periods.iter().map(|p| p.gross).sum();
        prop_assert!((gross - tips).abs() <= 1);
        // Moved after the boundary, one period holds it: exactly the tips.
        let mut whole = utc_twin(0, json!({}));
        let mut recs = records(&[Gen { start: start + 2 * 1440, len, breaks: None }]);
        recs[0]["tips"] = json!(tips);
        whole.apply(Kind::Shifts, &recs, at("2026-05-01T00:00:00Z")).unwrap();
        let acc = whole.accruals("e1", at("2026-08-02T00:00:00Z")).unwrap();
        prop_assert_eq!(acc.periods.iter().map(|p| p.gross).sum::<i64>(), tips);
    }
}
