//! What an employee's approved leaves say about a date (SPEC §5.5, §9 "Leave"): overlapping
//! leaves count each date once, paid wins over unpaid, and of two paid leaves the larger
//! `hours_per_day` counts.

use super::{ContractIx, Employee, LeaveDay, State};
use chrono::NaiveDate;

impl State {
    /// The leave that counts on local date `d` for assignment contract `contract`, among the
    /// employee's approved leaves that apply to it (its own `contract_id`, or none), after
    /// "paid wins over unpaid" and "two paid: the larger `hours_per_day`" (SPEC §5.5, §9).
    /// Whether `d` lies inside the assignment is the caller's question.
    pub(crate) fn leave_day(
        &self,
        emp: &Employee,
        contract: ContractIx,
        d: NaiveDate,
    ) -> Option<LeaveDay> {
        let mut best: Option<LeaveDay> = None;
        for &ix in &emp.leaves {
            let Some(l) = self.leaves.get(ix) else {
                continue;
            };
            if !l.counts_on(contract, d) {
                continue;
            }
            if best.is_none_or(|b| b.beaten_by(l.paid, l.hours_per_day)) {
                best = Some(LeaveDay {
                    paid: l.paid,
                    hours_per_day: l.hours_per_day,
                    leave: ix,
                });
            }
        }
        best
    }

    /// Whether local date `d` is a date of approved leave of the employee (SPEC §6
    /// `pause_on_leave`, §9): `Some(paid)` when an approved leave covers `d` on an
    /// assignment it applies to whose dates hold `d`, paid winning over unpaid across
    /// them; `None` otherwise.
    pub(crate) fn leave_on(&self, emp: &Employee, d: NaiveDate) -> Option<bool> {
        if emp.leaves.is_empty() {
            return None;
        }
        let mut found: Option<bool> = None;
        for a in &emp.assignments {
            if !a.stints.iter().any(|s| !s.is_empty() && s.contains_date(d)) {
                continue;
            }
            if let Some(day) = self.leave_day(emp, a.contract, d) {
                found = Some(found.unwrap_or(false) || day.paid);
            }
        }
        found
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use crate::ingest::Kind;
    use crate::model::{ContractIx, Ix};
    use crate::twin::Twin;
    use chrono::NaiveDate;
    use serde_json::{json, Value};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Employee e1 on contracts h1 (from 2026-06-01 to 2026-06-20) and h2 (open).
    fn twin_with(leaves: Value) -> Twin {
        let at = crate::calendar::parse_instant(chrono_tz::UTC, "2026-06-01T00:00:00Z").unwrap();
        let mut t = Twin::new(crate::company::Company::new("t", chrono_tz::UTC));
        for (kind, recs) in [
            (
                Kind::PaySchedules,
                json!([{"pay_schedule_id": "w", "frequency": "weekly"}]),
            ),
            (
                Kind::Contracts,
                json!([
                {"contract_id": "h1", "pay_schedule_id": "w", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 2000},
                {"contract_id": "h2", "pay_schedule_id": "w", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 1000}]),
            ),
            (
                Kind::Employees,
                json!([
                {"employee_id": "e1", "contract_id": "h1", "contract_start_on": "2026-06-01", "contract_stop_on": "2026-06-20"},
                {"employee_id": "e1", "contract_id": "h2", "contract_start_on": "2026-06-10"}]),
            ),
            (Kind::Leaves, leaves),
        ] {
            let r = t.apply(kind, recs.as_array().unwrap(), at).unwrap();
            assert_eq!(r.count_rejected, 0, "{r:?}");
        }
        t
    }

    #[test]
    fn leave_on_answers_inside_assignments_after_paid_wins() {
        let t = twin_with(json!([
            {"leave_id": "u", "employee_id": "e1", "leave_status": "approved", "start_on": "2026-05-30", "stop_on": "2026-06-12", "paid": false},
            {"leave_id": "p", "employee_id": "e1", "contract_id": "h2", "leave_status": "approved", "start_on": "2026-06-11", "stop_on": "2026-06-25", "paid": true},
            {"leave_id": "r", "employee_id": "e1", "leave_status": "requested", "start_on": "2026-07-01", "stop_on": "2026-07-02", "paid": true}]));
        let e = &t.books.employees[0];
        // Before any assignment: nothing, though the leave covers the date.
        assert_eq!(t.books.leave_on(e, d("2026-05-31")), None);
        assert_eq!(t.books.leave_on(e, d("2026-06-05")), Some(false));
        // h1: unpaid `u`; h2: paid `p`: paid wins.
        assert_eq!(t.books.leave_on(e, d("2026-06-11")), Some(true));
        // h1 has ended; `p` applies to h2, which holds the date.
        assert_eq!(t.books.leave_on(e, d("2026-06-22")), Some(true));
        // Requested leave never counts.
        assert_eq!(t.books.leave_on(e, d("2026-07-01")), None);
        // After every leave: nothing.
        assert_eq!(t.books.leave_on(e, d("2026-06-26")), None);
    }

    #[test]
    fn two_paid_leaves_the_larger_hours_counts() {
        let t = twin_with(json!([
            {"leave_id": "a", "employee_id": "e1", "leave_status": "approved", "start_on": "2026-06-02", "stop_on": "2026-06-04", "paid": true, "hours_per_day": 4},
            {"leave_id": "b", "employee_id": "e1", "leave_status": "approved", "start_on": "2026-06-03", "stop_on": "2026-06-03", "paid": true, "hours_per_day": "7.5"},
            {"leave_id": "c", "employee_id": "e1", "leave_status": "approved", "start_on": "2026-06-03", "stop_on": "2026-06-03", "paid": false}]));
        let e = &t.books.employees[0];
        let day = t
            .books
            .leave_day(e, ContractIx::numbered(0), d("2026-06-03"))
            .unwrap();
        assert!(day.paid);
        assert_eq!(day.hours_per_day.to_string(), "7.5");
        assert_eq!(
            t.books.leaves[crate::model::Ix::at(day.leave)].id.as_ref(),
            "b"
        );
        assert_eq!(
            t.books
                .leave_day(e, ContractIx::numbered(0), d("2026-06-02"))
                .unwrap()
                .hours_per_day
                .to_string(),
            "4"
        );
    }
}
