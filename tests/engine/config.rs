//! Company configuration through the public API (SPEC §2 "Numbers", §6, §7, §9): neither the
//! builders nor the JSON reader make a company with an invalid policy or limits.

use crate::common::*;
use ewa::eligibility::AdvanceOutcome;
use ewa::{AdvanceRequest, Company, Delivery, Detail, Error, Fee, Kind, Limits, Policy};
use rust_decimal::Decimal;
use serde_json::json;

fn config_field(e: &Error) -> &str {
    match e {
        Error::Config { field, .. } => field,
        other => panic!("not a configuration error: {other}"),
    }
}

/// Regression (issue #13 item 6): a policy with `access_rate` 1.5 and a negative fee could be
/// handed to `Twin::new` and then granted an advance larger than the earnings. Both are now
/// refused when the policy is made, by the builder and by the JSON reader alike.
#[test]
fn access_rate_above_one_and_negative_fee_are_refused() {
    let e = Policy::builder()
        .access_rate(Decimal::new(15, 1))
        .build()
        .unwrap_err();
    assert!(e.is_input());
    assert_eq!(config_field(&e), "policy.access_rate");
    assert_eq!(
        Company::from_json(&json!({"policy": {"access_rate": 1.5}})).unwrap_err(),
        e
    );

    let negative = Fee {
        flat: -500,
        rate_bps: 0,
    };
    let e = Policy::builder()
        .fee(Delivery::Instant, negative)
        .build()
        .unwrap_err();
    assert_eq!(config_field(&e), "policy.fees.instant.flat");
    let json = json!({"policy": {"fees": {"instant": {"flat": "-500"}}}});
    assert_eq!(Company::from_json(&json).unwrap_err(), e);
}

/// The top of the valid range, written as decimal strings, still never grants more than
/// earned: 10 h × 20.00 = 20,000 net; access_rate 1 gives headroom 20,000; with an instant
/// fee of 100 flat the largest A with A + 100 ≤ 20,000 is 19,900.
#[test]
fn the_largest_valid_access_rate_never_grants_more_than_earned() {
    let policy = Policy::from_json(&json!({"access_rate": "1",
        "fees": {"instant": {"flat": "100", "rate_bps": "0"}}}))
    .unwrap();
    let mut twin = base_twin_with(company().with_policy(policy));
    push(
        &mut twin,
        Kind::Shifts,
        json!([shift("s1", "2026-06-02T08:00:00", "2026-06-02T18:00:00")]),
        "2026-06-03T00:00:00Z",
    );
    let e = twin
        .eligibility(
            "e1",
            at("2026-06-10T00:00:00Z"),
            Delivery::Instant,
            Detail::Explained,
        )
        .unwrap();
    assert_eq!(
        (e.accessible_base, e.available, e.fee),
        (20_000, 19_900, 100)
    );
    let ask = |id: &str, amount| AdvanceRequest {
        advance_id: id.into(),
        employee_id: "e1".into(),
        amount,
        requested_at: at("2026-06-10T00:00:00Z"),
        delivery: Delivery::Instant,
    };
    let d = twin.request_advance(&ask("a1", 19_901)).unwrap();
    assert_eq!(d.outcome, AdvanceOutcome::Rejected);
    let d = twin.request_advance(&ask("a2", 19_900)).unwrap();
    assert_eq!(d.outcome, AdvanceOutcome::Accepted);
    assert_eq!(d.total_repayable, Some(20_000));
}

/// SPEC §9: `"shift_hours_max": "14"` is read as 14 and applied: a 15-hour shift is refused.
#[test]
fn limits_written_as_strings_apply() {
    let limits = Limits::from_json(&json!({"shift_hours_max": "14"})).unwrap();
    assert_eq!(
        limits,
        Limits::builder().shift_hours_max(14).build().unwrap()
    );
    let mut twin = base_twin_with(company().with_limits(limits));
    let r = twin
        .apply(
            Kind::Shifts,
            &[shift("s1", "2026-06-02T06:00:00", "2026-06-02T21:00:00")],
            at("2026-06-03T00:00:00Z"),
        )
        .unwrap();
    assert_eq!(r.count_rejected, 1);
    assert_eq!(error_field(&r, 0), "stop_at");
}
