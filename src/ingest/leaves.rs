//! Leaves (SPEC §2 "leave", extension kind `leaves`): an employee that exists, an optional
//! contract among the employee's assignments, a status, inclusive local dates, paid or
//! unpaid, hours per day. Re-pushing a `leave_id` replaces the leave (its latest version
//! counts, SPEC §2); an identical push is `unchanged` (SPEC §3).

use super::fields::{json_decimal, short, Field, Rec};
use super::plan::{full, Applied, RecordError};
use crate::ingest::Outcome;
use crate::model::{ContractIx, EmployeeIx, State};
use crate::model::{Leave, LeaveStatus, DEFAULT_HOURS_PER_DAY, HOURS_PER_DAY_MAX, LEAVE_DAYS_MAX};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

pub(super) const FIELDS: &[&str] = &[
    "leave_id",
    "employee_id",
    "contract_id",
    "leave_status",
    "start_on",
    "stop_on",
    "paid",
    "hours_per_day",
    "leave_type",
    "custom_info",
];

impl State {
    /// Validates and stores one leave record (SPEC §2 leave, §3).
    pub(crate) fn apply_leave(&mut self, obj: &Map<String, Value>) -> Applied {
        let limits = self.company.limits.clone();
        let mut r = Rec::new(obj, &limits, FIELDS);
        let id = r.id("leave_id");
        let (employee, contract) = self.read_leave_refs(&mut r);
        let status = r
            .enumeration(
                "leave_status",
                true,
                LeaveStatus::parse,
                "requested, approved, declined, cancelled",
            )
            .ok()
            .flatten();
        let dates = read_dates(&mut r);
        let paid = read_paid(&mut r);
        let hours_per_day = read_hours_per_day(&mut r);
        let leave_type = match r.text("leave_type") {
            Ok(Field::Val(v)) => v.as_str().map(Box::from),
            _ => None,
        };
        let custom_info = r.custom_info().ok().flatten().cloned();
        let (Some(id), Some(employee), Some(status), Some((start_on, stop_on)), Some(paid)) =
            (id, employee, status, dates, paid)
        else {
            return Err(RecordError::rejected(r.errors));
        };
        let (Some(hours_per_day), true) = (hours_per_day, r.ok()) else {
            return Err(RecordError::rejected(r.errors));
        };
        let leave = Leave {
            id: id.into(),
            employee,
            contract,
            status,
            start_on,
            stop_on,
            paid,
            hours_per_day,
            leave_type,
            custom_info,
        };
        self.store_leave(leave)
    }

    /// `employee_id` (required, must exist) and `contract_id` (optional, must be one of
    /// that employee's assignments), as indexes (SPEC §2 leave).
    fn read_leave_refs(&self, r: &mut Rec<'_>) -> (Option<EmployeeIx>, Option<ContractIx>) {
        let employee = r.id("employee_id").and_then(|e| {
            let ix = self.employee_ix.get(e);
            if ix.is_none() {
                r.err("employee_id", format!("unknown employee `{e}`"));
            }
            ix
        });
        let contract = self.contract_ref(r);
        if let (Some(e), Some(c)) = (employee, contract) {
            let assigned = self
                .employees
                .get(e)
                .is_some_and(|emp| emp.assignments.iter().any(|a| a.contract == c));
            if !assigned {
                let cid = self.contracts.get(c).map_or("?", |c| &*c.id);
                r.err(
                    "contract_id",
                    format!("the employee is not assigned to contract `{cid}`"),
                );
            }
        }
        (employee, contract)
    }

    /// Replaces leave `leave.id` or appends it; moves it between employees' lists (each in
    /// index order) and
    /// drops the cached derived state of the employees it touches (SPEC §3).
    fn store_leave(&mut self, leave: Leave) -> Applied {
        let employee = leave.employee;
        let (ix, old_employee, outcome) = match self.leave_ix.get(&leave.id) {
            Some(ix) => {
                let Some(slot) = self.leaves.get_mut(ix) else {
                    return Err(RecordError::field("leave_id", "index out of date"));
                };
                if *slot == leave {
                    return Ok(Outcome::Unchanged);
                }
                let old = std::mem::replace(slot, leave);
                (ix, Some(old.employee), Outcome::Updated)
            }
            None => {
                let ix = self.leaves.next_ix().map_err(full)?;
                self.leave_ix.insert(&leave.id, ix);
                self.leaves.push(leave).map_err(full)?;
                (ix, None, Outcome::Created)
            }
        };
        if old_employee != Some(employee) {
            if let Some(e) = old_employee.and_then(|e| self.employees.get_mut(e)) {
                e.leaves.retain(|x| *x != ix);
            }
            // Kept in index order, as the snapshot decoder rebuilds it.
            if let Some(e) = self.employees.get_mut(employee) {
                let at = e.leaves.partition_point(|&x| x < ix);
                e.leaves.insert(at, ix);
            }
        }
        for e in old_employee.into_iter().chain([employee]) {
            self.touch(e);
        }
        Ok(outcome)
    }
}

/// `start_on` and `stop_on` (both required, local dates; stop ≥ start; at most 366 dates,
/// SPEC §2 leave).
fn read_dates(r: &mut Rec<'_>) -> Option<(NaiveDate, NaiveDate)> {
    let required = |r: &mut Rec<'_>, f: &str| match r.date(f) {
        Ok(Some(Some(d))) => Some(d),
        Ok(_) => {
            r.err(f, "is required");
            None
        }
        Err(()) => None,
    };
    let start = required(r, "start_on");
    let stop = required(r, "stop_on");
    let (start, stop) = (start?, stop?);
    let days = (stop - start).num_days();
    if days < 0 {
        r.err("stop_on", format!("{stop} is before start_on {start}"));
        return None;
    }
    if days >= LEAVE_DAYS_MAX {
        r.err(
            "stop_on",
            format!(
                "the leave spans {} days; at most {LEAVE_DAYS_MAX}",
                days + 1
            ),
        );
        return None;
    }
    Some((start, stop))
}

/// `paid`: a required boolean (SPEC §2 leave).
fn read_paid(r: &mut Rec<'_>) -> Option<bool> {
    match r.get("paid") {
        Field::Val(Value::Bool(b)) => Some(*b),
        Field::Val(v) => {
            r.err("paid", format!("must be true or false, got {}", short(v)));
            None
        }
        _ => {
            r.err("paid", "is required");
            None
        }
    }
}

/// `hours_per_day`: decimal hours in `(0, 24]`, a number or a decimal string; 8 when
/// absent or null (SPEC §2 leave, §9 numbers).
fn read_hours_per_day(r: &mut Rec<'_>) -> Option<Decimal> {
    let v = match r.get("hours_per_day") {
        Field::Val(v) => v,
        _ => return Some(DEFAULT_HOURS_PER_DAY),
    };
    match json_decimal(v) {
        Some(h) if h > Decimal::ZERO && h <= HOURS_PER_DAY_MAX => Some(h.normalize()),
        Some(_) => {
            r.err("hours_per_day", "must be hours in (0, 24]");
            None
        }
        None => {
            r.err(
                "hours_per_day",
                format!(
                    "must be decimal hours, a number or a decimal string, got {}",
                    short(v)
                ),
            );
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use crate::ingest::Kind;
    use crate::twin::Twin;
    use serde_json::json;

    /// Pushing a leave drops the cached overtime classification of its employee (old and
    /// new, when it moves) and keeps the others'.
    #[test]
    fn a_leave_push_drops_its_employees_cached_state() {
        let at = crate::calendar::parse_instant(chrono_tz::UTC, "2026-06-01T00:00:00Z").unwrap();
        let mut t = Twin::new(crate::company::Company::new("t", chrono_tz::UTC));
        for (kind, recs) in [
            (
                Kind::PaySchedules,
                json!([{"pay_schedule_id": "w", "frequency": "weekly", "periods": [
                {"pay_period_id": "p", "start_at": "2026-06-01", "stop_at": "2026-06-08", "pay_at": "2026-06-12"}]}]),
            ),
            (
                Kind::Contracts,
                json!([{"contract_id": "h", "pay_schedule_id": "w", "currency": "EUR",
                "wage_rate_period": "hourly", "wage_rate_amount": 2000,
                "custom_info": {"overtime": {"daily_threshold_hours": "8", "multiplier": "1.5"}}}]),
            ),
            (
                Kind::Employees,
                json!([{"employee_id": "a", "contract_id": "h"},
                                     {"employee_id": "b", "contract_id": "h"},
                                     {"employee_id": "c", "contract_id": "h"}]),
            ),
        ] {
            t.apply(kind, recs.as_array().unwrap(), at).unwrap();
        }
        let cached = |t: &Twin, e: usize| {
            t.books
                .premium_slot(&t.books.employees[e])
                .unwrap()
                .get()
                .is_some()
        };
        let fill = |t: &Twin| {
            for id in ["a", "b", "c"] {
                t.accruals(id, at.checked_add_micros(3 * 86_400_000_000).unwrap())
                    .unwrap();
            }
        };
        fill(&t);
        assert!(cached(&t, 0) && cached(&t, 1) && cached(&t, 2));
        let leave = |emp: &str| {
            json!([{"leave_id": "l", "employee_id": emp, "leave_status": "approved",
                    "start_on": "2026-06-02", "stop_on": "2026-06-02", "paid": true}])
        };
        t.apply(Kind::Leaves, leave("a").as_array().unwrap(), at)
            .unwrap();
        assert!(!cached(&t, 0) && cached(&t, 1) && cached(&t, 2));
        fill(&t);
        // The leave moves from a to b: both drop theirs, c keeps its own.
        t.apply(Kind::Leaves, leave("b").as_array().unwrap(), at)
            .unwrap();
        assert!(!cached(&t, 0) && !cached(&t, 1) && cached(&t, 2));
        // An identical re-push changes nothing and drops nothing.
        fill(&t);
        t.apply(Kind::Leaves, leave("b").as_array().unwrap(), at)
            .unwrap();
        assert!(cached(&t, 0) && cached(&t, 1) && cached(&t, 2));
    }
}
