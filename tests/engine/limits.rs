//! Property tests of the advance limits (SPEC §6, §9 "Advance limits", issue #15): over
//! random policies with `max_per_day`, `max_per_week`, `fee_cap_per_month`,
//! `max_fee_advances_per_period`, `max_repayment_days`, `pause_on_shortfall` and
//! `pause_on_leave`, at each grant `Σ(amount + fee) ≤ floor(access_rate × net(R))`, a request
//! for exactly `available` is accepted while `available + 1` is refused, and every limit holds
//! over what was granted.

use crate::common::*;
use chrono::{Datelike, NaiveDate};
use ewa::calendar::Instant;
use ewa::eligibility::AdvanceOutcome;
use ewa::{AdvanceRequest, Delivery, Detail, Fee, Kind, Policy, Twin};
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;

const MIN: i64 = 60_000_000;
const JUNE_1: i64 = 1_780_264_800_000_000; // 2026-06-01T00:00:00+02:00 (Brussels)

/// The policy fields under test: each `None` is "no cap".
#[derive(Clone, Debug)]
struct Limits {
    per_day: Option<i64>,
    per_week: Option<i64>,
    fee_month: Option<i64>,
    fee_advances: Option<i64>,
    repayment_days: Option<i64>,
    pause_on_shortfall: bool,
    pause_on_leave: ewa::LeavePause,
    instant: Fee,
}

fn limits_strategy() -> impl Strategy<Value = Limits> {
    (
        prop::option::of(1i64..20_000),
        prop::option::of(1i64..40_000),
        prop::option::of(1i64..2_000),
        prop::option::of(1i64..3),
        prop::option::of(20i64..40),
        any::<bool>(),
        (0i64..500, 0i64..300, 0usize..3),
    )
        .prop_map(|(d, w, m, f, r, s, (flat, bps, leave))| Limits {
            per_day: d,
            per_week: w,
            fee_month: m,
            fee_advances: f,
            repayment_days: r,
            pause_on_shortfall: s,
            pause_on_leave: [
                ewa::LeavePause::None,
                ewa::LeavePause::Unpaid,
                ewa::LeavePause::Any,
            ][leave],
            instant: Fee {
                flat,
                rate_bps: bps,
            },
        })
}

fn policy(l: &Limits) -> Policy {
    Policy::builder()
        .max_per_day(l.per_day)
        .max_per_week(l.per_week)
        .fee_cap_per_month(l.fee_month)
        .max_fee_advances_per_period(l.fee_advances)
        .max_repayment_days(l.repayment_days)
        .pause_on_shortfall(l.pause_on_shortfall)
        .pause_on_leave(l.pause_on_leave)
        .fee(Delivery::Instant, l.instant)
        .build()
        .unwrap()
}

/// A June twin (`base_twin`) with one approved 8-hour shift on each of June's first 20 days.
fn worked_twin(l: &Limits) -> Twin {
    let mut twin = base_twin_with(company().with_policy(policy(l)));
    let shifts: Vec<_> = (0..20)
        .map(|d| {
            let start = JUNE_1 + (d * 24 * 60 + 8 * 60) * MIN;
            json!({"shift_id": format!("s{d}"), "shift_status": "approved", "employee_id": "e1",
                   "start_at": Instant::from_micros(start).to_string(),
                   "stop_at": Instant::from_micros(start + 8 * 60 * MIN).to_string()})
        })
        .collect();
    twin.apply(Kind::Shifts, &shifts, at("2026-06-30T12:00:00Z"))
        .unwrap();
    let leaves = json!([
        {"leave_id": "l1", "employee_id": "e1", "leave_status": "approved", "start_on": "2026-06-12", "stop_on": "2026-06-14", "paid": false},
        {"leave_id": "l2", "employee_id": "e1", "leave_status": "approved", "start_on": "2026-06-22", "stop_on": "2026-06-22", "paid": true}]);
    twin.apply(
        Kind::Leaves,
        leaves.as_array().unwrap(),
        at("2026-06-30T12:00:00Z"),
    )
    .unwrap();
    twin
}

/// Whether `pause_on_leave` pauses the local date of `t` in [`worked_twin`].
fn paused_by_leave(l: &Limits, t: Instant) -> bool {
    let d = local_date(t);
    let unpaid = (12..=14).contains(&d.day()) && d.month() == 6;
    let paid = d.day() == 22 && d.month() == 6;
    match l.pause_on_leave {
        ewa::LeavePause::None => false,
        ewa::LeavePause::Unpaid => unpaid,
        ewa::LeavePause::Any => unpaid || paid,
    }
}

fn local_date(t: Instant) -> NaiveDate {
    ewa::calendar::local_date(chrono_tz::Europe::Brussels, t)
}

/// A granted advance: when, amount, fee, recovery period.
struct Granted {
    t: Instant,
    amount: i64,
    fee: i64,
    period: String,
}

fn request(twin: &mut Twin, id: &str, amount: i64, t: Instant, d: Delivery) -> AdvanceOutcome {
    let req = AdvanceRequest {
        advance_id: id.into(),
        employee_id: "e1".into(),
        amount,
        requested_at: t,
        delivery: d,
    };
    twin.request_advance(&req).unwrap().outcome
}

/// Every limit of SPEC §6 holds over the granted advances.
fn check_limits(l: &Limits, granted: &[Granted]) -> Result<(), TestCaseError> {
    let mut day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut week: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut month: BTreeMap<(i32, u32), i64> = BTreeMap::new();
    let mut fee_advances: BTreeMap<&str, i64> = BTreeMap::new();
    for g in granted {
        let d = local_date(g.t);
        // Weeks start on Monday (the company default).
        let monday = d - chrono::Days::new(u64::from(d.weekday().num_days_from_monday()));
        *day.entry(d).or_default() += g.amount;
        *week.entry(monday).or_default() += g.amount;
        *month.entry((d.year(), d.month())).or_default() += g.fee;
        if g.fee > 0 {
            *fee_advances.entry(&g.period).or_default() += 1;
        }
    }
    let within = |cap: Option<i64>, v: i64| cap.is_none_or(|c| v <= c);
    prop_assert!(day.values().all(|v| within(l.per_day, *v)), "{:?}", day);
    prop_assert!(week.values().all(|v| within(l.per_week, *v)), "{:?}", week);
    prop_assert!(
        month.values().all(|v| within(l.fee_month, *v)),
        "{:?}",
        month
    );
    prop_assert!(
        fee_advances.values().all(|v| within(l.fee_advances, *v)),
        "{:?}",
        fee_advances
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// SPEC §6: at each grant Σ(amount + fee) ≤ floor(access_rate × net(R)); a request for
    /// exactly `available` is accepted and one for `available + 1` refused; the day, week,
    /// month-fee and fee-advance limits hold over what was granted; a gate means nothing
    /// is granted.
    #[test]
    fn limits_hold_at_every_grant(l in limits_strategy(),
                                  asks in prop::collection::vec((1i64..9_000, 0i64..(29 * 24 * 60), any::<bool>(), any::<bool>()), 1..10)) {
        let mut twin = worked_twin(&l);
        let mut asks = asks;
        asks.sort_by_key(|a| a.1);
        let mut granted = Vec::new();
        for (i, (amount, minute, instant, exact)) in asks.iter().enumerate() {
            let t = Instant::from_micros(JUNE_1 + minute * MIN);
            let delivery = if *instant { Delivery::Instant } else { Delivery::Standard };
            let eli = twin.eligibility("e1", t, delivery, Detail::Brief).unwrap();
            prop_assert_eq!(eli.eligible, eli.available > 0);
            prop_assert!(eli.eligible || !eli.reasons.is_empty());
            let (avail, fee, carried) = (eli.available, eli.fee, eli.carried_shortfall);
            prop_assert_eq!(eli.reasons.contains(ewa::Reason::OnLeave), paused_by_leave(&l, t));
            let pay_at = eli.recovery.map(|r| r.pay_at);
            if avail > 0 {
                for (probe, want) in [(avail, AdvanceOutcome::Accepted), (avail + 1, AdvanceOutcome::Rejected)] {
                    let mut copy = twin.clone();
                    prop_assert_eq!(request(&mut copy, "probe", probe, t, delivery), want, "asked {}", probe);
                }
            }
            // Half of the requests ask for exactly what is available.
            let ask = if *exact && avail > 0 { avail } else { *amount };
            let id = format!("a{i}");
            let req = AdvanceRequest { advance_id: id.clone(), employee_id: "e1".into(), amount: ask,
                requested_at: t, delivery };
            let d = twin.request_advance(&req).unwrap();
            if d.outcome != AdvanceOutcome::Accepted {
                continue;
            }
            prop_assert!(avail > 0 && ask <= avail);
            // The recorded fee is the one the answer gave for `available` when asked for it.
            if ask == avail {
                prop_assert_eq!(d.fee, Some(fee));
            }
            let after = twin.eligibility("e1", t, delivery, Detail::Brief).unwrap();
            let limit = after.accessible_base.max(0) / 2; // access_rate 0.5, floored
            let total: i64 = after.outstanding_lines.iter().map(|l| l.amount + l.fee).sum();
            prop_assert!(total <= limit, "Σ(amount+fee) {} > floor(0.5 × {})", total, after.accessible_base);
            // `max_repayment_days` and `pause_on_shortfall` were gates at t.
            let pay_at = pay_at.unwrap();
            if let Some(days) = l.repayment_days {
                prop_assert!(pay_at.as_micros() - t.as_micros() <= days * 24 * 60 * MIN);
            }
            if l.pause_on_shortfall {
                prop_assert_eq!(carried, 0);
            }
            prop_assert!(!paused_by_leave(&l, t), "granted on a paused leave date");
            granted.push(Granted { t, amount: ask, fee: d.fee.unwrap(), period: d.recovery_pay_period_id.unwrap() });
            check_limits(&l, &granted)?;
        }
    }
}

#[test]
fn a_cut_fee_is_quoted_recorded_and_recovered() {
    // SPEC §6: instant flat 300, $5 a month of fees: the second advance's fee is cut to 200,
    // and what the quote says is what the advance records and payroll recovers.
    let l = Limits {
        per_day: None,
        per_week: None,
        fee_month: Some(500),
        fee_advances: None,
        repayment_days: None,
        pause_on_shortfall: false,
        pause_on_leave: ewa::LeavePause::None,
        instant: Fee {
            flat: 300,
            rate_bps: 0,
        },
    };
    let mut twin = worked_twin(&l);
    let t = at("2026-06-10T12:00:00");
    assert_eq!(
        request(&mut twin, "a1", 1_000, t, Delivery::Instant),
        AdvanceOutcome::Accepted
    );
    let q = twin
        .quote_advance("e1", 2_000, t, Delivery::Instant)
        .unwrap();
    assert_eq!((q.fee, q.total_repayable), (200, 2_200));
    let d = twin
        .request_advance(&AdvanceRequest {
            advance_id: "a2".into(),
            employee_id: "e1".into(),
            amount: 2_000,
            requested_at: t,
            delivery: Delivery::Instant,
        })
        .unwrap();
    assert_eq!((d.fee, d.total_repayable), (Some(200), Some(2_200)));
    let r = twin
        .recoveries("monthly", "2026-06", at("2026-06-30T12:00:00"))
        .unwrap();
    let fees: Vec<i64> = r[0].advances.iter().map(|a| a.fee).collect();
    assert_eq!(fees, [300, 200]);
    // 1,000 + 300 + 2,000 + 200.
    assert_eq!(r[0].due, 3_500);
    // The month's fees are used up: the next instant advance is free.
    let q = twin.quote_advance("e1", 500, t, Delivery::Instant).unwrap();
    assert_eq!(q.fee, 0);
}

#[test]
fn the_bulk_answer_equals_the_one_employee_answer_under_limits() {
    let l = Limits {
        per_day: Some(5_000),
        per_week: Some(8_000),
        fee_month: Some(400),
        fee_advances: Some(1),
        repayment_days: Some(30),
        pause_on_shortfall: true,
        pause_on_leave: ewa::LeavePause::Any,
        instant: Fee {
            flat: 250,
            rate_bps: 100,
        },
    };
    let mut twin = worked_twin(&l);
    let t = at("2026-06-10T12:00:00");
    assert_eq!(
        request(&mut twin, "a1", 3_000, t, Delivery::Instant),
        AdvanceOutcome::Accepted
    );
    for d in [Delivery::Standard, Delivery::Instant] {
        let all = twin.eligibility_all(t, d).unwrap();
        let one = twin.eligibility("e1", t, d, Detail::Brief).unwrap();
        assert_eq!(all[0], one);
    }
    // Day Σ 3,000 → 2,000 left today; instant has its one fee advance already.
    let std = twin
        .eligibility("e1", t, Delivery::Standard, Detail::Brief)
        .unwrap();
    assert_eq!(std.available, 2_000);
    let inst = twin
        .eligibility("e1", t, Delivery::Instant, Detail::Brief)
        .unwrap();
    assert_eq!(inst.available, 0);
    assert_eq!(inst.reasons.to_vec(), [ewa::Reason::FeeAdvanceCountReached]);
}

#[test]
fn pause_on_leave_follows_the_kind_of_leave() {
    // SPEC §6, §9: `unpaid` pauses on a date of unpaid leave, `any` on any approved leave;
    // a paid and an unpaid leave on one date make it paid; `none` never pauses.
    let leaves = json!([
        {"leave_id": "u", "employee_id": "e1", "leave_status": "approved", "start_on": "2026-06-10", "stop_on": "2026-06-11", "paid": false},
        {"leave_id": "p", "employee_id": "e1", "leave_status": "approved", "start_on": "2026-06-11", "stop_on": "2026-06-12", "paid": true},
        {"leave_id": "x", "employee_id": "e1", "leave_status": "declined", "start_on": "2026-06-15", "stop_on": "2026-06-15", "paid": false}]);
    // (pause, [on 06-10 unpaid, 06-11 both, 06-12 paid, 06-15 declined, 06-16 none])
    let cases = [
        (ewa::LeavePause::None, [false, false, false, false, false]),
        (ewa::LeavePause::Unpaid, [true, false, false, false, false]),
        (ewa::LeavePause::Any, [true, true, true, false, false]),
    ];
    for (pause, want) in cases {
        let p = Policy::builder().pause_on_leave(pause).build().unwrap();
        let mut twin = base_twin_with(company().with_policy(p));
        twin.apply(
            Kind::Shifts,
            &[shift("s1", "2026-06-02T09:00:00", "2026-06-02T17:00:00")],
            at("2026-06-03T00:00:00"),
        )
        .unwrap();
        let r = twin
            .apply(
                Kind::Leaves,
                leaves.as_array().unwrap(),
                at("2026-06-03T00:00:00"),
            )
            .unwrap();
        assert_eq!(r.count_rejected, 0, "{r:?}");
        for (day, paused) in ["10", "11", "12", "15", "16"].iter().zip(want) {
            let t = at(&format!("2026-06-{day}T12:00:00"));
            let e = twin
                .eligibility("e1", t, Delivery::Standard, Detail::Brief)
                .unwrap();
            let on = e.reasons.contains(ewa::Reason::OnLeave);
            assert_eq!(on, paused, "{pause:?} on 06-{day}");
            // Half the base (8 h × 20.00, plus paid leave once its dates are over), unless
            // paused; the headroom is reported either way.
            assert!(e.headroom >= 8_000);
            assert_eq!(
                e.available,
                if paused { 0 } else { e.headroom },
                "{pause:?} 06-{day}"
            );
        }
        let refused = request(
            &mut twin,
            "a1",
            100,
            at("2026-06-10T08:00:00"),
            Delivery::Standard,
        );
        assert_eq!(
            refused == AdvanceOutcome::Rejected,
            pause != ewa::LeavePause::None
        );
    }
}
