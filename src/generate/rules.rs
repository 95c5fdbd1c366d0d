//! The pay rules of SPEC §5.2–§5.7 in the generated payroll (issue #14), in proportions a
//! hospitality, healthcare and retail employer shows. They draw from their own random
//! stream ([`Stream::Rules`]), so with [`Options::pay_rules`] off the payroll is the same
//! record for record, without them — the comparison the bench makes.
//!
//! | rule | where | share |
//! |---|---|---|
//! | company holidays | two dates in the data span | — |
//! | night differential 22:00–06:00, +1.50/h; weekend × 1.25 | hourly group 1 | a quarter of hourly employees |
//! | automatic 30-minute break after 6 h; 8 h holiday pay | hourly group 1 | same |
//! | holiday premium × 2 (holidays only); minimum wage 15.00 | hourly group 2 | a quarter |
//! | weighted regular rate; night differential +2.00/h in it | hourly group 3 (weekly overtime) | a quarter |
//! | California seventh day; 8 h holiday pay | hourly group 4 (daily overtime) | a quarter |
//! | tipped contract: 9.00/h cash, minimum wage 14.50 with tip credit, weekly overtime on the regular rate | `t-*` | a tenth of hourly employees move there |
//! | tips 5.00–40.00 | shifts of tipped employees | 9 in 10 of their shifts |
//! | an explicit 30-minute unpaid break | shifts of 6 h or more | 1 in 12 |
//! | a leave of 1–5 days (70% paid, 90% approved) | employees | 1 in 25 |
//! | a bonus in the regular rate | additions | 1 in 5 |

use super::{add_days, employee_id, set, Options, Profile, Rng, Stream};
use chrono::NaiveDate;
use serde_json::{json, Map, Value};

/// Company holidays: two dates of the current pay month.
pub(super) fn holidays(opts: &Options) -> Value {
    json!([
        {"date": add_days(opts.start, 3).to_string(), "name": "Founders' Day"},
        {"date": add_days(opts.start, 17).to_string(), "name": "Summer Holiday"},
    ])
}

/// The rules an hourly contract of group `g` (1–4) carries, merged into its `custom_info`
/// (the overtime rules of groups 3 and 4 are already there).
pub(super) fn hourly_rules(g: i64, custom_info: &mut Map<String, Value>) {
    let night = |per_hour: i64| json!({"name": "night", "from": "22:00", "to": "06:00", "per_hour": per_hour});
    match g {
        1 => {
            custom_info.insert(
                "premiums".into(),
                json!([night(150), {"name": "weekend", "days": ["saturday", "sunday"], "multiplier": "1.25"}]),
            );
            custom_info.insert(
                "auto_unpaid_break".into(),
                json!({"after_hours": "6", "minutes": 30}),
            );
            custom_info.insert("holiday_pay_hours".into(), "8".into());
        }
        2 => {
            custom_info.insert(
                "premiums".into(),
                json!([{"name": "holiday", "holidays": "only", "multiplier": "2"}]),
            );
            custom_info.insert("minimum_wage".into(), json!({"hourly": 1500}));
        }
        3 => {
            custom_info.insert("premiums".into(), json!([night(200)]));
            overtime_key(custom_info, "regular_rate", "weighted_average".into());
        }
        4 => {
            overtime_key(custom_info, "seventh_day", true.into());
            custom_info.insert("holiday_pay_hours".into(), "8".into());
        }
        _ => {}
    }
}

fn overtime_key(custom_info: &mut Map<String, Value>, k: &str, v: Value) {
    if let Some(Value::Object(ot)) = custom_info.get_mut("overtime") {
        ot.insert(k.into(), v);
    }
}

/// The tipped contract of schedule `sc`.
pub(super) fn tipped_contract(sc: &str) -> Value {
    json!({"contract_id": format!("t-{sc}"), "pay_schedule_id": sc, "currency": "EUR",
           "wage_rate_period": "hourly", "wage_rate_amount": 900,
           "custom_info": {"minimum_wage": {"hourly": 1450, "tip_credit": true},
                           "overtime": {"weekly_threshold_hours": "40", "multiplier": "1.5",
                                        "regular_rate": "weighted_average"}}})
}

/// Whether hourly employee `i` moves to the tipped contract.
pub(super) fn is_tipped(opts: &Options, i: usize) -> bool {
    Rng::stream(opts.seed, Stream::Rules, i as u64).below(10) == 0
}

/// The rule fields of shift `j` of employee `i` (local times of day in minutes from the
/// shift's date `d`): tips on a tipped employee's shifts, sometimes an explicit break.
pub(super) fn shift_fields(
    opts: &Options,
    (i, j): (usize, usize),
    p: &Profile,
    (from, len): (u64, u64),
    stamp: &dyn Fn(u64) -> String,
    s: &mut Map<String, Value>,
) {
    let mut r = Rng::stream(opts.seed, Stream::Rules, ((i as u64) << 16) | j as u64);
    if p.tipped && r.below(10) < 9 {
        s.insert("tips".into(), (500 + r.below(3_501)).into());
    }
    if len >= 6 * 60 && r.below(12) == 0 {
        let mid = from + len / 2;
        s.insert(
            "unpaid_breaks".into(),
            json!([{"start_at": stamp(mid - 15), "stop_at": stamp(mid + 15)}]),
        );
    }
}

/// Employee `i`'s leave, if any (one in 25 employees, not adhoc ones).
pub(super) fn leave_of(opts: &Options, i: usize, p: &Profile) -> Option<Value> {
    let mut r = Rng::stream(opts.seed, Stream::Rules, (1 << 40) | i as u64);
    if p.adhoc || r.below(25) != 0 {
        return None;
    }
    let start: NaiveDate = add_days(opts.start, r.below(25));
    let stop = add_days(start, r.below(5));
    let paid = r.below(10) < 7;
    let status = if r.below(10) == 0 {
        "requested"
    } else {
        "approved"
    };
    let kind = if paid { "vacation" } else { "unpaid" };
    Some(
        json!({"leave_id": format!("leave-{i:07}"), "employee_id": employee_id(i),
                "leave_status": status, "start_on": start.to_string(), "stop_on": stop.to_string(),
                "paid": paid, "hours_per_day": "8", "leave_type": kind}),
    )
}

/// Marks one addition in five as a bonus in the regular rate.
pub(super) fn bonus(opts: &Options, i: usize, addition: &mut Value) {
    if Rng::stream(opts.seed, Stream::Rules, (2 << 40) | i as u64).below(5) == 0 {
        set(addition, "in_regular_rate", true.into());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::super::{twin, Options};
    use crate::accrual::LineKind;
    use std::collections::BTreeMap;

    /// Lines of each kind in every employee's accruals at `as_of`.
    fn kinds(opts: &Options) -> BTreeMap<String, usize> {
        let t = twin(opts).unwrap();
        let mut n = BTreeMap::new();
        for e in &t.books.employees {
            for p in t.accruals(&e.id, opts.as_of()).unwrap().periods {
                for l in p.lines {
                    *n.entry(format!("{:?}", l.kind)).or_insert(0) += 1;
                }
            }
        }
        n
    }

    /// With the rules, the payroll shows every new line kind; without them, none of them,
    /// and the same employees, shifts and kinds of the older rules.
    #[test]
    fn the_rules_show_in_the_answers_and_only_with_pay_rules() {
        let with = Options {
            employees: 400,
            ..Options::default()
        };
        let without = Options {
            pay_rules: false,
            ..with.clone()
        };
        let a = kinds(&with);
        let b = kinds(&without);
        for k in [
            LineKind::Premium,
            LineKind::Holiday,
            LineKind::Leave,
            LineKind::Tips,
            LineKind::MinimumWage,
        ] {
            let k = format!("{k:?}");
            assert!(a.get(&k).copied().unwrap_or(0) > 0, "{k} missing: {a:?}");
            assert_eq!(b.get(&k), None, "{k} without rules: {b:?}");
        }
        for k in ["Regular", "Overtime", "Salary", "Daily"] {
            assert!(b.get(k).copied().unwrap_or(0) > 0, "{k}: {b:?}");
        }
        let (tw, tb) = (twin(&with).unwrap(), twin(&without).unwrap());
        assert_eq!(tw.counts().shifts, tb.counts().shifts);
        assert_eq!(tw.counts().employees, tb.counts().employees);
    }
}
