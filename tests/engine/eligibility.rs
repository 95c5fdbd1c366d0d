//! Eligibility and advances through the public API (SPEC §6).

use crate::common::*;
use ewa::eligibility::AdvanceOutcome;
use ewa::{AdvanceRequest, Delivery, Detail, Fee, Kind, Reason, Twin};
use serde_json::json;

/// base_twin with 10 h worked on 2 June (10 × 20.00 = 200.00 gross).
fn worked() -> Twin {
    let mut twin = base_twin();
    push(
        &mut twin,
        Kind::Shifts,
        json!([shift("s1", "2026-06-02T08:00:00", "2026-06-02T18:00:00")]),
        "2026-06-03T00:00:00Z",
    );
    twin
}

/// The same data as `worked()` under another company policy.
fn worked_with(c: ewa::Company) -> Twin {
    let mut twin = base_twin_with(c);
    push(
        &mut twin,
        Kind::Shifts,
        json!([shift("s1", "2026-06-02T08:00:00", "2026-06-02T18:00:00")]),
        "2026-06-03T00:00:00Z",
    );
    twin
}

fn ask(id: &str, amount: i64, when: &str) -> AdvanceRequest {
    AdvanceRequest {
        advance_id: id.into(),
        employee_id: "e1".into(),
        amount,
        requested_at: at(when),
        delivery: Delivery::Standard,
    }
}

#[test]
fn blackout_starts_exactly_48_hours_before_pay() {
    let twin = worked();
    // June pays 2026-07-03 00:00 Brussels = 2026-07-02T22:00:00Z; blackout from 06-30T22:00Z.
    let before = twin
        .eligibility(
            "e1",
            at("2026-06-30T21:59:59Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(before.available, 10_000);
    assert_eq!(before.recovery.map(|r| r.pay_period_id), Some("2026-06"));
    let on = twin
        .eligibility(
            "e1",
            at("2026-06-30T22:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(on.reasons.to_vec(), [Reason::Blackout]);
    assert_eq!(on.periods.len(), 1);
    assert!(on.periods[0].in_blackout);
    // On 1 July the July period is open too (nothing earned yet): R is July.
    let july = twin
        .eligibility(
            "e1",
            at("2026-07-01T12:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(july.recovery.map(|r| r.pay_period_id), Some("2026-07"));
    assert_eq!(july.reasons.to_vec(), [Reason::NothingAccrued]);
    assert_eq!(july.accrued_unpaid_net, 20_000);
}

#[test]
fn request_replay_conflict_cancel_and_headroom() {
    let mut twin = worked();
    let d = twin
        .request_advance(&ask("a1", 6_000, "2026-06-10T00:00:00Z"))
        .unwrap();
    assert_eq!(d.outcome, AdvanceOutcome::Accepted);
    assert_eq!((d.fee, d.total_repayable), (Some(0), Some(6_000)));
    // headroom 10,000 − 6,000 = 4,000
    let e = twin
        .eligibility(
            "e1",
            at("2026-06-11T00:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!((e.outstanding, e.available), (6_000, 4_000));
    // The same request replays; another amount under the same id is a conflict.
    assert_eq!(
        twin.request_advance(&ask("a1", 6_000, "2026-06-10T00:00:00Z"))
            .unwrap(),
        d
    );
    let c = twin
        .request_advance(&ask("a1", 5_000, "2026-06-10T00:00:00Z"))
        .unwrap();
    assert_eq!(
        (c.outcome, c.reasons.as_slice()),
        (AdvanceOutcome::Conflict, &[Reason::AdvanceIdReused][..])
    );
    // Over the headroom: exceeds_available; nothing recorded.
    let r = twin
        .request_advance(&ask("a2", 4_001, "2026-06-11T00:00:00Z"))
        .unwrap();
    assert_eq!(
        (r.outcome, r.reasons.as_slice()),
        (AdvanceOutcome::Rejected, &[Reason::ExceedsAvailable][..])
    );
    assert_eq!(r.fee, None);
    assert_eq!(
        twin.request_advance(&ask("a3", 0, "2026-06-11T00:00:00Z"))
            .unwrap()
            .reasons,
        [Reason::InvalidAmount]
    );
    // The answer at a time before the advance does not see it.
    let early = twin
        .eligibility(
            "e1",
            at("2026-06-09T00:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(early.outstanding, 0);
    // Cancelling restores the headroom; a second cancel is not possible.
    let x = twin.cancel_advance("a1", at("2026-06-12T00:00:00Z"));
    assert_eq!(x.outcome, AdvanceOutcome::Cancelled);
    assert_eq!(
        twin.cancel_advance("a1", at("2026-06-13T00:00:00Z"))
            .reasons,
        [Reason::NotCancellable]
    );
    assert_eq!(
        twin.cancel_advance("zz", at("2026-06-13T00:00:00Z"))
            .reasons,
        [Reason::UnknownAdvance]
    );
    let e = twin
        .eligibility(
            "e1",
            at("2026-06-12T00:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(e.available, 10_000);
    // ... but an answer as of before the cancellation still counts it.
    let e = twin
        .eligibility(
            "e1",
            at("2026-06-11T12:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(e.available, 4_000);
}

#[test]
fn quote_is_flippay_shaped_and_records_nothing() {
    let policy = ewa::Policy::builder().fee(
        Delivery::Instant,
        Fee {
            flat: 100,
            rate_bps: 150,
        },
    );
    let twin = worked_with(company().with_policy(policy.build().unwrap()));
    // fee(5,000) = 100 + ceil(5,000 × 150 / 10,000) = 100 + 75 = 175
    let q = twin
        .quote_advance("e1", 5_000, at("2026-06-10T00:00:00Z"), Delivery::Instant)
        .unwrap();
    assert_eq!((q.fee, q.total_repayable), (175, 5_175));
    assert_eq!(q.repayment_date.as_deref(), Some("2026-07-03"));
    assert!(q.acceptable);
    // Instant: largest A with A + fee(A) <= 10,000 is floor(10⁴ × 9,900 / 10,150) = 9,753.
    let e = twin
        .eligibility(
            "e1",
            at("2026-06-10T00:00:00Z"),
            Delivery::Instant,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!((e.available, e.fee), (9_753, 247));
    let s = twin
        .eligibility(
            "e1",
            at("2026-06-10T00:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!((s.available, s.fee), (10_000, 0));
    assert_eq!(twin.counts().advances, 0);
}

#[test]
fn recoveries_cap_at_net_and_carry_the_rest() {
    let mut twin = worked();
    twin.request_advance(&ask("a1", 10_000, "2026-06-10T00:00:00Z"))
        .unwrap();
    // A correction voids the shift: June's net falls to 0 after the advance.
    push(
        &mut twin,
        Kind::Shifts,
        json!([{"shift_id": "s1", "shift_status": "voided", "employee_id": "e1", "start_at": "2026-06-02T08:00:00", "stop_at": "2026-06-02T18:00:00"}]),
        "2026-06-20T00:00:00Z",
    );
    let rec = twin
        .recoveries("monthly", "2026-06", at("2026-07-02T00:00:00Z"))
        .unwrap();
    assert_eq!(rec.len(), 1);
    assert_eq!(
        (
            rec[0].due,
            rec[0].net,
            rec[0].deduct,
            rec[0].carried_forward
        ),
        (10_000, 0, 0, 10_000)
    );
    // In July, 5 h worked (100.00): the 100.00 shortfall eats the whole headroom of 50.00.
    push(
        &mut twin,
        Kind::Shifts,
        json!([shift("s2", "2026-07-06T08:00:00", "2026-07-06T13:00:00")]),
        "2026-07-07T00:00:00Z",
    );
    let e = twin
        .eligibility(
            "e1",
            at("2026-07-10T00:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(
        (e.accessible_base, e.carried_shortfall, e.outstanding),
        (10_000, 10_000, 10_000)
    );
    assert_eq!(e.headroom, -5_000);
    assert_eq!(e.reasons.to_vec(), [Reason::HeadroomUsed]);
    assert_eq!(
        e.outstanding_lines[0].pay_period_id.as_deref(),
        Some("2026-06")
    );
    let rec = twin
        .recoveries("monthly", "2026-07", at("2026-08-02T00:00:00Z"))
        .unwrap();
    assert_eq!(
        (rec[0].carried_in, rec[0].deduct, rec[0].carried_forward),
        (10_000, 10_000, 0)
    );
    assert!(twin
        .recoveries("monthly", "nope", at("2026-08-02T00:00:00Z"))
        .is_err());
}

#[test]
fn bulk_answers_equal_single_answers() {
    let mut twin = worked();
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e0", "contract_id": "hourly"}, {"employee_id": "e2"}]),
        "2026-06-03T00:00:00Z",
    );
    twin.request_advance(&ask("a1", 3_000, "2026-06-10T00:00:00Z"))
        .unwrap();
    let t = at("2026-06-15T00:00:00Z");
    let all = twin.eligibility_all(t, Delivery::Standard).unwrap();
    let ids: Vec<&str> = all.iter().map(|e| e.employee_id).collect();
    assert_eq!(ids, ["e0", "e1", "e2"]);
    for e in &all {
        let mut one = twin
            .eligibility(e.employee_id, t, Delivery::Standard, Detail::Explained)
            .unwrap();
        assert_eq!(
            one.accrued_unpaid_net,
            one.periods.iter().map(|p| p.net).sum::<i64>()
        );
        one.periods.clear();
        assert_eq!(&one, e);
        // The brief answer for one employee is exactly the bulk one.
        let brief = twin
            .eligibility(e.employee_id, t, Delivery::Standard, Detail::Brief)
            .unwrap();
        assert_eq!(&brief, e);
    }
    assert!(!twin
        .eligibility("e1", t, Delivery::Standard, Detail::Explained)
        .unwrap()
        .periods
        .is_empty());
    assert_eq!(
        all[2].reasons.to_vec(),
        [Reason::NoActiveAssignment, Reason::NoUnpaidPeriod]
    );
    assert_eq!(
        twin.eligibility("ghost", t, Delivery::Standard, Detail::Explained)
            .unwrap()
            .reasons
            .to_vec(),
        [Reason::UnknownEmployee]
    );
}

#[test]
fn tenure_gate_and_caps() {
    let policy = ewa::Policy::builder().min_tenure_days(200).build().unwrap();
    let twin = worked_with(company().with_policy(policy));
    // 2026-06-10 − 2026-01-01 = 160 days < 200; the amounts are still evaluated (R exists).
    let e = twin
        .eligibility(
            "e1",
            at("2026-06-10T00:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(e.reasons.to_vec(), [Reason::TenureTooShort]);
    assert_eq!((e.available, e.headroom), (0, 10_000));
    assert_eq!(e.limited_by, None); // nothing available: no cap named

    let policy = ewa::Policy::builder()
        .max_per_period(Some(5_000))
        .max_advances_per_period(Some(2))
        .max_advance(Some(4_000))
        .min_advance(1_000);
    let mut twin = worked_with(company().with_policy(policy.build().unwrap()));
    let e = twin
        .eligibility(
            "e1",
            at("2026-06-10T00:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    // Headroom 10,000; max_per_period leaves 5,000, max_advance 4,000: the smaller names it.
    assert_eq!(e.available, 4_000);
    assert_eq!(e.limited_by, Some(ewa::Limit::MaxAdvance));
    assert_eq!(
        twin.request_advance(&ask("a1", 4_000, "2026-06-10T00:00:00Z"))
            .unwrap()
            .outcome,
        AdvanceOutcome::Accepted
    );
    // max_per_period 5,000 − 4,000 recovered = 1,000 left (= min_advance, allowed).
    let e = twin
        .eligibility(
            "e1",
            at("2026-06-10T00:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(e.available, 1_000);
    assert_eq!(e.limited_by, Some(ewa::Limit::MaxPerPeriod));
    let r = twin
        .request_advance(&ask("a2", 999, "2026-06-10T00:00:00Z"))
        .unwrap();
    assert_eq!(r.reasons.to_vec(), [Reason::BelowMinimum]);
    assert_eq!(
        twin.request_advance(&ask("a3", 1_000, "2026-06-10T00:00:00Z"))
            .unwrap()
            .outcome,
        AdvanceOutcome::Accepted
    );
    let e = twin
        .eligibility(
            "e1",
            at("2026-06-10T00:00:00Z"),
            Delivery::Standard,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(
        e.reasons.to_vec(),
        [Reason::PeriodCapReached, Reason::AdvanceCountReached]
    );
}

#[test]
fn an_answer_serializes_to_the_spec_result_shape() {
    let mut twin = worked();
    twin.request_advance(&ask("a1", 6_000, "2026-06-10T00:00:00Z"))
        .unwrap();
    let e = twin
        .eligibility(
            "e1",
            at("2026-06-11T00:00:00Z"),
            Delivery::Standard,
            Detail::Brief,
        )
        .unwrap();
    // 10 h × 20.00 = 200.00 net in June (no withholding); access 0.5 × 20,000 = 10,000;
    // outstanding 6,000 (a1, free) → headroom and available 4,000. June pays 2026-07-03
    // 00:00 Brussels = 2026-07-02T22:00:00Z.
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"employee_id": "e1", "as_of": "2026-06-11T00:00:00Z", "delivery": "standard",
               "currency": "EUR", "eligible": true, "available": 4_000, "fee": 0,
               "accrued_unpaid_net": 20_000, "accessible_base": 20_000, "outstanding": 6_000,
               "carried_shortfall": 0, "headroom": 4_000, "recovery_pay_schedule_id": "monthly",
               "recovery_pay_period_id": "2026-06", "recovery_pay_at": "2026-07-02T22:00:00Z",
               "reasons": [],
               "outstanding_lines": [{"kind": "advance", "advance_id": "a1", "amount": 6_000, "fee": 0}],
               "periods": []})
    );
    // Field order is SPEC §8's (decision 29 adds delivery, fee, headroom, recovery_pay_at).
    let text = serde_json::to_string(&e).unwrap();
    let keys = [
        "\"employee_id\"",
        "\"as_of\"",
        "\"delivery\"",
        "\"currency\"",
        "\"eligible\"",
        "\"available\"",
        "\"accrued_unpaid_net\"",
        "\"recovery_pay_at\"",
        "\"reasons\"",
        "\"outstanding_lines\"",
        "\"periods\"",
    ];
    let at_of: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(at_of.windows(2).all(|w| w[0] < w[1]), "{text}");
}

/// SPEC §5 first paragraph: a period holding one of the employee's advances is one of its
/// periods even when it no longer meets an assignment. `Twin::accruals` lists it as the
/// eligibility answer does (it used to list only the assignments' periods).
///
/// e1 earns 200.00 on 2 June and takes 60.00, recovered from June. Its stint is then moved
/// to start on 1 July: June no longer meets the assignment and nothing in it counts (§5.2:
/// hours outside the assignment), so June's net is 0; on 11 June it is still unpaid and
/// holds the advance, so both answers show it, with an accrued unpaid net of 0.
#[test]
fn accruals_list_the_recovery_period_of_an_advance() {
    let mut twin = worked();
    twin.request_advance(&ask("a1", 6_000, "2026-06-10T00:00:00Z"))
        .unwrap();
    push(
        &mut twin,
        Kind::Employees,
        json!([{"employee_id": "e1", "contract_id": "hourly", "contract_start_on": "2026-07-01"}]),
        "2026-06-10T12:00:00Z",
    );
    let t = at("2026-06-11T00:00:00Z");
    let e = twin
        .eligibility("e1", t, Delivery::Standard, Detail::Explained)
        .unwrap();
    let a = twin.accruals("e1", t).unwrap();
    let listed: Vec<String> = a
        .periods
        .iter()
        .map(|p| p.pay_period_id.to_string())
        .collect();
    assert_eq!(listed, ["2026-06"]);
    let answered: Vec<String> = e
        .periods
        .iter()
        .map(|p| p.pay_period_id.to_string())
        .collect();
    assert_eq!(answered, ["2026-06"]);
    assert_eq!((a.accrued_unpaid_net, e.accrued_unpaid_net), (0, 0));
    assert_eq!(e.outstanding, 6_000);
}
