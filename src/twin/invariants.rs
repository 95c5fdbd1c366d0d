//! The twin's structural invariants, each stated once (issue #13): what ingestion keeps
//! true after every batch and what a decoded snapshot must satisfy before it is trusted.
//!
//! [`Twin::check_invariants`] walks the whole state once (linear in its size) and names the
//! first broken rule, the entity and the reason. It never panics, whatever the state: every
//! index is looked up with `get`. The snapshot decoder (`super::snapshot`) calls it after
//! every load, so that a forged stream whose frames and bounds are valid is still refused
//! when it describes a twin that ingestion could not have built.

use super::Twin;
use crate::calendar::Instant;
use crate::company::fee_of;
use crate::error::{Error, Result};
use crate::model::Advance;
use crate::model::{in_mask, Arena, Employee, EmployeeIx, Ix, Payment, PaymentIx, ShiftRec, State};

/// SPEC §2: a schedule's periods are sorted by start (then id), none overlaps the next
/// (touching is fine), no id repeats.
pub(crate) const PERIODS_SORTED: &str = "periods sorted, none overlapping, ids unique";
/// SPEC §2: every period is a non-empty half-open interval, `start < stop`.
pub(crate) const PERIOD_NOT_EMPTY: &str = "period start before stop";
/// SPEC §2: with an `alignment`, every period's `pay_at` satisfies it.
pub(crate) const ALIGNMENT_HOLDS: &str = "periods hold their schedule's alignment";
/// SPEC §2: a contract has at least one rate version, sorted by `effective_from`.
pub(crate) const RATES_SORTED: &str = "rate versions sorted";
/// Every shift list (an employee's, the open shifts') is sorted by (start, index).
pub(crate) const SHIFTS_SORTED: &str = "shift lists sorted by (start, index)";
/// Every shift is in exactly one list: its employee's, or the open shifts' without one.
pub(crate) const SHIFT_LISTED_ONCE: &str = "every shift in exactly one list";
/// SPEC §2: a shift starts before it stops and lasts at most `limits.shift_hours_max`.
pub(crate) const SHIFT_LENGTH: &str = "shift length within shift_hours_max";
/// SPEC §2: counted shifts (`policy.counted_statuses`) of one employee never overlap.
pub(crate) const COUNTED_NO_OVERLAP: &str = "counted shifts of one employee never overlap";
/// SPEC §2: an employee's shift is on one of that employee's assignments.
pub(crate) const SHIFT_CONTRACT: &str = "a shift's contract is one of its employee's assignments";
/// SPEC §5.6: a shift version's unpaid breaks lie inside it (start < stop), sorted by start,
/// none overlapping the next (touching is fine); a current record names a known shift.
pub(crate) const BREAKS_INSIDE: &str = "unpaid breaks inside their shift, sorted and disjoint";
/// SPEC §2, §5.7: a shift version's tips are minor units in `[0, amount_max]`.
pub(crate) const TIPS_RANGE: &str = "tips within [0, amount_max]";
/// Every payment naming an employee is listed once in that employee's list, and every
/// list entry is a payment of that employee.
pub(crate) const PAYMENT_LISTED: &str = "every payment in its owner's list";
/// Every linked advance is listed once in its employee's list, in recording order.
pub(crate) const ADVANCE_LISTED: &str = "every advance in its owner's list";
/// SPEC §6: a recorded decision is one the policy gives (fee, recovery period, reasons,
/// cancellation window).
pub(crate) const ADVANCE_DECISION: &str = "advance decisions consistent with the policy";

/// SPEC §2 leave: every leave is in its employee's leave list, and each list holds
/// exactly that employee's leaves in index order.
pub(crate) const LEAVE_LISTED: &str = "every leave in its owner's list, in index order";
/// SPEC §2 leave: `start_on ≤ stop_on`, at most 366 dates, `hours_per_day` in (0, 24].
pub(crate) const LEAVE_SHAPE: &str = "leave dates and hours within their bounds";
/// SPEC §2 leave: a leave's `contract_id` is one of its employee's assignments.
pub(crate) const LEAVE_CONTRACT: &str = "a leave's contract is one of its employee's assignments";

/// The error for a broken rule: `entity` names the record (kind and id).
fn broken(rule: &str, entity: impl std::fmt::Display, reason: impl std::fmt::Display) -> Error {
    Error::Storage {
        message: format!("invariant `{rule}` broken: {entity} {reason}"),
    }
}

impl Twin {
    /// Checks every structural rule of the twin (see the module docs): schedule periods
    /// sorted, non-empty, disjoint and aligned; contract rate versions sorted; shift lists
    /// sorted by (start, index) with every shift in exactly one list; shift lengths within
    /// `shift_hours_max`; counted shifts of one employee never overlapping (SPEC §2);
    /// every shift version's unpaid breaks inside it, sorted and disjoint, and its tips in
    /// `[0, amount_max]` (SPEC §5.6, §5.7);
    /// every employee's shift on one of its assignments; every payment and advance in its
    /// owner's list; every advance decision consistent with the policy (SPEC §6).
    ///
    /// A twin built by ingestion always passes; the store runs it after every snapshot
    /// load, and tests may run it after every batch.
    ///
    /// # Errors
    /// [`Error::Storage`] `invariant `<rule>` broken: <entity> `<id>` <reason>` for the
    /// first rule found broken.
    pub fn check_invariants(&self) -> Result<()> {
        self.books.state.check_invariants()
    }
}

impl State {
    /// See [`Twin::check_invariants`].
    pub(crate) fn check_invariants(&self) -> Result<()> {
        self.check_schedules()?;
        self.check_contracts()?;
        self.check_shift_lists()?;
        self.check_employee_shifts()?;
        self.check_shift_exts()?;
        self.check_payments()?;
        self.check_advances()?;
        self.check_leaves()
    }

    fn check_schedules(&self) -> Result<()> {
        for s in &self.schedules {
            let who = || format!("schedule `{}`", s.id);
            for p in &s.periods {
                if p.start >= p.stop {
                    return Err(broken(
                        PERIOD_NOT_EMPTY,
                        who(),
                        format!(
                            "period `{}` starts at {} and stops at {}",
                            p.id, p.start, p.stop
                        ),
                    ));
                }
                if s.alignment.is_some_and(|a| !a.holds(p)) {
                    return Err(broken(
                        ALIGNMENT_HOLDS,
                        who(),
                        format!("period `{}` is paid at {}", p.id, p.pay_at),
                    ));
                }
            }
            let mut ids = std::collections::HashSet::with_capacity(s.periods.len());
            if let Some(p) = s.periods.iter().find(|p| !ids.insert(&p.id)) {
                return Err(broken(
                    PERIODS_SORTED,
                    who(),
                    format!("has period `{}` twice", p.id),
                ));
            }
            for w in s.periods.windows(2) {
                if let [a, b] = w {
                    if (a.start, &a.id) >= (b.start, &b.id) || a.stop > b.start {
                        return Err(broken(
                            PERIODS_SORTED,
                            who(),
                            format!(
                                "periods `{}` and `{}` are out of order or overlap",
                                a.id, b.id
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    fn check_contracts(&self) -> Result<()> {
        for c in &self.contracts {
            if c.versions.is_empty() {
                return Err(broken(
                    RATES_SORTED,
                    format!("contract `{}`", c.id),
                    "has no rate version",
                ));
            }
            if c.versions
                .windows(2)
                .any(|w| matches!(w, [a, b] if a.from >= b.from))
            {
                return Err(broken(
                    RATES_SORTED,
                    format!("contract `{}`", c.id),
                    "has rate versions out of order",
                ));
            }
        }
        Ok(())
    }

    /// The shift lists: each employee's, then the open shifts' (`None`).
    fn shift_lists(&self) -> impl Iterator<Item = (Option<EmployeeIx>, &[ShiftRec])> {
        self.employees
            .iter_enumerated()
            .map(|(k, e)| (Some(k), e.shifts.as_slice()))
            .chain(std::iter::once((None, self.open_shifts.as_slice())))
    }

    /// The name of a list's owner, for messages.
    fn owner_name(&self, owner: Option<EmployeeIx>) -> String {
        match owner.and_then(|o| self.employees.get(o)) {
            Some(e) => format!("employee `{}`", e.id),
            None => "the open shifts".to_string(),
        }
    }

    /// The name of a shift, for messages (its id when the index is in range).
    fn shift_name(&self, ix: u32) -> String {
        if (ix as usize) < self.shifts.len() {
            format!("shift `{}`", self.shifts.id(ix))
        } else {
            format!("shift index {ix}")
        }
    }

    /// Sorted lists, every shift listed exactly once, by the owner its store names.
    fn check_shift_lists(&self) -> Result<()> {
        let n = self.shifts.len();
        let mut seen = vec![false; n];
        let mut listed = 0usize;
        for (owner, list) in self.shift_lists() {
            if let Some([a, b]) = list
                .windows(2)
                .find(|w| matches!(w, [a, b] if (a.start, a.ix()) >= (b.start, b.ix())))
            {
                return Err(broken(
                    SHIFTS_SORTED,
                    self.owner_name(owner),
                    format!(
                        "lists {} before {}",
                        self.shift_name(a.ix()),
                        self.shift_name(b.ix())
                    ),
                ));
            }
            for r in list {
                let ix = r.ix();
                let slot = seen.get_mut(ix as usize).ok_or_else(|| {
                    broken(
                        SHIFT_LISTED_ONCE,
                        self.owner_name(owner),
                        format!("lists unknown shift index {ix}"),
                    )
                })?;
                if std::mem::replace(slot, true) {
                    return Err(broken(
                        SHIFT_LISTED_ONCE,
                        self.shift_name(ix),
                        "is listed twice",
                    ));
                }
                if self.shifts.employee.get(ix as usize) != Some(&owner) {
                    return Err(broken(
                        SHIFT_LISTED_ONCE,
                        self.shift_name(ix),
                        format!(
                            "is listed by {}, not by its employee",
                            self.owner_name(owner)
                        ),
                    ));
                }
                listed += 1;
            }
        }
        if listed != n || self.shifts.employee.len() != n {
            let first = seen.iter().position(|s| !s).unwrap_or(n);
            let first = u32::try_from(first).unwrap_or(u32::MAX);
            return Err(broken(
                SHIFT_LISTED_ONCE,
                self.shift_name(first),
                "is in no list",
            ));
        }
        Ok(())
    }

    /// Per list: lengths; per employee: counted shifts disjoint and contracts assigned.
    fn check_employee_shifts(&self) -> Result<()> {
        let max = self.company.limits.shift_micros_max();
        // `policy.counted_statuses` as a bit mask (one test per shift).
        let counted =
            (self.company.policy.counted_statuses.iter()).fold(0u8, |m, s| m | (1u8 << (*s as u8)));
        for (owner, list) in self.shift_lists() {
            for r in list {
                let len = r.stop.as_micros().saturating_sub(r.start.as_micros());
                if r.start >= r.stop || len > max {
                    return Err(broken(
                        SHIFT_LENGTH,
                        self.shift_name(r.ix()),
                        format!(
                            "runs from {} to {} (shift_hours_max {})",
                            r.start, r.stop, self.company.limits.shift_hours_max
                        ),
                    ));
                }
            }
            if let Some(e) = owner.and_then(|o| self.employees.get(o)) {
                self.check_one_employee_shifts(e, counted)?;
            }
        }
        Ok(())
    }

    fn check_one_employee_shifts(&self, e: &Employee, counted: u8) -> Result<()> {
        // Sorted by start: counted shifts are disjoint when each starts at or after the
        // latest stop of the counted shifts before it.
        let mut last: Option<(Instant, u32)> = None;
        for r in &e.shifts {
            if !e.assignments.iter().any(|a| Some(a.contract) == r.contract) {
                return Err(broken(
                    SHIFT_CONTRACT,
                    self.shift_name(r.ix()),
                    format!(
                        "of employee `{}` is on {}, not one of its assignments",
                        e.id,
                        r.contract.and_then(|c| self.contracts.get(c)).map_or(
                            "no contract".to_string(),
                            |c| format!("contract `{}`", c.id)
                        )
                    ),
                ));
            }
            if !in_mask(counted, r.status()) {
                continue;
            }
            if let Some((stop, ix)) = last {
                if r.start < stop {
                    return Err(broken(
                        COUNTED_NO_OVERLAP,
                        self.shift_name(r.ix()),
                        format!(
                            "overlaps counted {} of employee `{}`",
                            self.shift_name(ix),
                            e.id
                        ),
                    ));
                }
            }
            if last.is_none_or(|(stop, _)| r.stop > stop) {
                last = Some((r.stop, r.ix()));
            }
        }
        Ok(())
    }

    /// Breaks and tips of every shift version (current ones from the side table, earlier
    /// ones from the history).
    fn check_shift_exts(&self) -> Result<()> {
        for (ix, x) in self.shifts.ext.iter() {
            let rec = self
                .shifts
                .employee
                .get(ix as usize)
                .and_then(|&e| self.shift_list_of(e).iter().find(|r| r.ix() == ix));
            let Some(rec) = rec else {
                return Err(broken(
                    BREAKS_INSIDE,
                    self.shift_name(ix),
                    "has breaks or tips but no current record",
                ));
            };
            self.check_ext(ix, "", x, rec.start, rec.stop)?;
        }
        for (&ix, x) in &self.shifts.extra {
            for (k, v) in x.history.iter().enumerate() {
                if let Some(e) = &v.ext {
                    let which = format!(" (version {})", k + 1);
                    self.check_ext(ix, &which, e.view(), v.start, v.stop)?;
                }
            }
        }
        Ok(())
    }

    /// One version's breaks and tips against its times (SPEC §5.6, §5.7).
    fn check_ext(
        &self,
        ix: u32,
        which: &str,
        x: crate::model::ShiftSide<'_>,
        start: Instant,
        stop: Instant,
    ) -> Result<()> {
        let who = || format!("{}{which}", self.shift_name(ix));
        if let Some(b) = x.breaks {
            if let Some(s) = b
                .iter()
                .find(|s| s.start >= s.stop || s.start < start || s.stop > stop)
            {
                return Err(broken(
                    BREAKS_INSIDE,
                    who(),
                    format!(
                        "has a break [{}, {}) outside the shift [{start}, {stop})",
                        s.start, s.stop
                    ),
                ));
            }
            if let Some([a, c]) = b
                .windows(2)
                .find(|w| matches!(w, [a, c] if c.start < a.stop))
            {
                return Err(broken(
                    BREAKS_INSIDE,
                    who(),
                    format!(
                        "has breaks [{}, {}) and [{}, {}) out of order or overlapping",
                        a.start, a.stop, c.start, c.stop
                    ),
                ));
            }
        }
        if let Some(t) = x
            .tips
            .filter(|t| *t < 0 || *t > self.company.limits.amount_max)
        {
            return Err(broken(TIPS_RANGE, who(), format!("has tips {t}")));
        }
        Ok(())
    }

    /// The current records of `employee` (`None`: the open shifts).
    fn shift_list_of(&self, employee: Option<EmployeeIx>) -> &[ShiftRec] {
        match employee {
            None => &self.open_shifts,
            Some(e) => self.employees.get(e).map_or(&[], |e| &e.shifts),
        }
    }

    fn check_payments(&self) -> Result<()> {
        type ListOf = fn(&Employee) -> &[PaymentIx];
        let lists: [(&str, &Arena<PaymentIx, Payment>, ListOf); 2] = [
            ("addition", &self.additions, |e| &e.additions),
            ("deduction", &self.deductions, |e| &e.deductions),
        ];
        for (what, all, list_of) in lists {
            let mut seen = vec![false; all.len()];
            for (k, e) in self.employees.iter_enumerated() {
                for &p in list_of(e) {
                    let mine = all.get(p).filter(|p| p.employee == Some(k));
                    let slot = seen.get_mut(p.at()).filter(|_| mine.is_some());
                    let Some(slot) = slot else {
                        return Err(broken(
                            PAYMENT_LISTED,
                            format!("employee `{}`", e.id),
                            format!("lists {what} index {}, not one of its own", p.raw()),
                        ));
                    };
                    if std::mem::replace(slot, true) {
                        return Err(broken(
                            PAYMENT_LISTED,
                            payment_name(what, all, p),
                            "is listed twice",
                        ));
                    }
                }
            }
            if let Some((i, _)) = all
                .iter_enumerated()
                .zip(&seen)
                .find(|((_, p), listed)| p.employee.is_some() && !*listed)
            {
                return Err(broken(
                    PAYMENT_LISTED,
                    payment_name(what, all, i.0),
                    "is not in its employee's list",
                ));
            }
        }
        Ok(())
    }

    fn check_leaves(&self) -> Result<()> {
        for l in &self.leaves {
            let name = || format!("leave `{}`", l.id);
            let Some(e) = self.employees.get(l.employee) else {
                return Err(broken(LEAVE_LISTED, name(), "names no employee"));
            };
            if let Some(why) = l.shape_error() {
                return Err(broken(LEAVE_SHAPE, name(), why));
            }
            if l.contract
                .is_some_and(|c| !e.assignments.iter().any(|a| a.contract == c))
            {
                return Err(broken(
                    LEAVE_CONTRACT,
                    name(),
                    "names a contract its employee is not assigned to",
                ));
            }
        }
        let mut listed = 0usize;
        for (k, e) in self.employees.iter_enumerated() {
            let mine = e.leaves.windows(2).all(|w| w.first() < w.last())
                && e.leaves
                    .iter()
                    .all(|&ix| self.leaves.get(ix).is_some_and(|l| l.employee == k));
            if !mine {
                return Err(broken(
                    LEAVE_LISTED,
                    format!("employee `{}`", e.id),
                    "lists leaves out of order or not its own",
                ));
            }
            listed += e.leaves.len();
        }
        // Every list entry is distinct (sorted) and its own: equal totals ⇒ each leave listed.
        if listed != self.leaves.len() {
            let first = self.leaves.iter_enumerated().find(|(i, l)| {
                self.employees
                    .get(l.employee)
                    .is_none_or(|e| e.leaves.binary_search(i).is_err())
            });
            let name = first.map_or("leaves".to_string(), |(_, l)| format!("leave `{}`", l.id));
            return Err(broken(LEAVE_LISTED, name, "is not in its employee's list"));
        }
        Ok(())
    }

    fn check_advances(&self) -> Result<()> {
        let mut listed = vec![false; self.advances.len()];
        for (k, e) in self.employees.iter_enumerated() {
            let who = || format!("employee `{}`", e.id);
            if e.advances.windows(2).any(|w| matches!(w, [a, b] if a >= b)) {
                return Err(broken(
                    ADVANCE_LISTED,
                    who(),
                    "lists its advances out of recording order",
                ));
            }
            for &a in &e.advances {
                let slot = listed
                    .get_mut(a.at())
                    .filter(|_| self.advances.get(a).is_some_and(|a| a.employee == Some(k)));
                let Some(slot) = slot else {
                    return Err(broken(
                        ADVANCE_LISTED,
                        who(),
                        format!("lists advance index {}, not one of its own", a.raw()),
                    ));
                };
                *slot = true;
            }
        }
        for (a, listed) in self.advances.iter().zip(&listed) {
            let who = || format!("advance `{}`", a.id);
            if a.employee.is_some() {
                if !listed {
                    return Err(broken(
                        ADVANCE_LISTED,
                        who(),
                        "is not in its employee's list",
                    ));
                }
                if self.employee_ix.get(&a.employee_id) != a.employee {
                    return Err(broken(
                        ADVANCE_LISTED,
                        who(),
                        "names another employee than its employee id",
                    ));
                }
            }
            self.check_decision(a)
                .map_err(|m| broken(ADVANCE_DECISION, who(), m))?;
        }
        Ok(())
    }

    /// Whether a recorded advance decision is one the policy gives (SPEC §6): its
    /// recovery period exists, its fee, and accepted ⇔ a recovery period and no reason,
    /// cancelled only when accepted and in `[requested_at, recovery pay_at)`.
    fn check_decision(&self, a: &Advance) -> std::result::Result<(), &'static str> {
        if let Some(r) = &a.recovery {
            let known = self
                .schedules
                .get(r.schedule)
                .and_then(|s| s.period_index(&r.period_id))
                .is_some();
            if !known {
                return Err("names an unknown recovery period");
            }
        }
        // A fee may be cut by the monthly fee cap (SPEC §6): at most the policy's, not less
        // than 0.
        let fee_ok = if a.accepted {
            fee_of(self.company.policy.fees.of(a.delivery), a.amount)
                .is_some_and(|full| (0..=full).contains(&a.fee))
        } else {
            a.fee == 0
        };
        if !fee_ok {
            return Err("has a fee that the policy does not give");
        }
        let amount_ok = a.amount > 0 && a.amount <= self.company.limits.amount_max;
        let consistent = match (&a.recovery, a.accepted) {
            (Some(r), true) => {
                amount_ok
                    && a.reasons.is_empty()
                    && a.cancelled_at
                        .is_none_or(|c| a.requested_at <= c && c < r.pay_at)
            }
            (None, false) => !a.reasons.is_empty() && a.cancelled_at.is_none(),
            _ => false,
        };
        if consistent {
            Ok(())
        } else {
            Err("is not a consistent decision (accepted, recovery, reasons, cancellation)")
        }
    }
}

fn payment_name(what: &str, all: &Arena<PaymentIx, Payment>, ix: PaymentIx) -> String {
    match all.get(ix) {
        Some(p) => format!("{what} `{}`", p.id),
        None => format!("{what} index {}", ix.raw()),
    }
}

/// A small twin with every kind of entity, for the tests of each rule: a schedule aligned
/// in arrears, a contract with two rate versions, two employees, counted, uncounted and
/// open shifts, an addition, a deduction, an accepted and a refused advance.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
pub(crate) fn sample() -> Twin {
    use crate::eligibility::AdvanceRequest;
    use crate::ingest::Kind;
    use serde_json::json;
    let at = |s: &str| crate::calendar::parse_instant(chrono_tz::UTC, s).unwrap();
    let mut twin = Twin::new(crate::company::Company::new("t", chrono_tz::UTC));
    let batches = [
        (
            Kind::PaySchedules,
            json!([{"pay_schedule_id": "bw", "frequency": "bi-weekly", "alignment": "arrears",
            "periods": [
                {"pay_period_id": "p1", "start_at": "2026-06-01", "stop_at": "2026-06-15", "pay_at": "2026-06-19"},
                {"pay_period_id": "p2", "start_at": "2026-06-15", "stop_at": "2026-06-29", "pay_at": "2026-07-03"}]}]),
        ),
        (
            Kind::Contracts,
            json!([
            {"contract_id": "h1", "pay_schedule_id": "bw", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 2000},
            {"contract_id": "h1", "pay_schedule_id": "bw", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 2200,
             "effective_from": "2026-06-10"},
            {"contract_id": "h2", "pay_schedule_id": "bw", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 1800}]),
        ),
        (
            Kind::Employees,
            json!([
            {"employee_id": "e1", "contract_id": "h1", "contract_start_on": "2026-01-01"},
            {"employee_id": "e2", "contract_id": "h2", "contract_start_on": "2026-01-01"}]),
        ),
        (
            Kind::Shifts,
            json!([
            {"shift_id": "a1", "shift_status": "approved", "employee_id": "e1", "start_at": "2026-06-02T08:00:00Z", "stop_at": "2026-06-02T16:00:00Z"},
            {"shift_id": "a2", "shift_status": "approved", "employee_id": "e1", "start_at": "2026-06-03T08:00:00Z", "stop_at": "2026-06-03T16:00:00Z"},
            {"shift_id": "a3", "shift_status": "submitted", "employee_id": "e1", "start_at": "2026-06-03T10:00:00Z", "stop_at": "2026-06-03T12:00:00Z"},
            {"shift_id": "o1", "shift_status": "available", "start_at": "2026-06-05T08:00:00Z", "stop_at": "2026-06-05T12:00:00Z"}]),
        ),
        (
            Kind::Additions,
            json!([{"payment_id": "add1", "employee_id": "e1", "amount": 500}]),
        ),
        (
            Kind::Deductions,
            json!([{"payment_id": "ded1", "employee_id": "e1", "amount": 200}]),
        ),
        (
            Kind::Leaves,
            json!([
            {"leave_id": "lv1", "employee_id": "e1", "contract_id": "h1", "leave_status": "approved",
             "start_on": "2026-06-08", "stop_on": "2026-06-09", "paid": true, "hours_per_day": "7.5",
             "leave_type": "vacation", "custom_info": {"ref": 1}},
            {"leave_id": "lv2", "employee_id": "e2", "leave_status": "requested",
             "start_on": "2026-06-10", "stop_on": "2026-06-10", "paid": false}]),
        ),
    ];
    for (kind, recs) in batches {
        let rep = twin
            .apply(kind, recs.as_array().unwrap(), at("2026-06-04T00:00:00Z"))
            .unwrap();
        assert_eq!(rep.count_rejected, 0, "{kind:?}: {rep:?}");
    }
    for (id, employee, amount) in [("adv1", "e1", 1000), ("adv2", "e2", 1000)] {
        twin.request_advance(&AdvanceRequest {
            advance_id: id.into(),
            employee_id: employee.into(),
            amount,
            requested_at: at("2026-06-12T00:00:00Z"),
            delivery: crate::model::Delivery::Standard,
        })
        .unwrap();
    }
    assert!(twin.books.advances[0].accepted && !twin.books.advances[1].accepted);
    twin
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::model::{ContractIx, EmployeeIx};

    /// `change` applied to [`sample`] breaks `rule`, named with `entity` in the error.
    fn breaks(rule: &str, entity: &str, change: impl FnOnce(&mut Twin)) {
        let mut twin = sample();
        twin.check_invariants().unwrap();
        change(&mut twin);
        let e = twin.check_invariants().unwrap_err();
        assert!(e.is_storage(), "{e:?}");
        let m = e.to_string();
        assert!(
            m.contains(&format!("invariant `{rule}` broken: {entity}")),
            "{rule} / {entity}: {m}"
        );
    }

    fn ix_of(twin: &Twin, shift: &str) -> u32 {
        twin.books.shifts.get(shift).unwrap()
    }

    #[test]
    fn the_sample_and_generated_twins_hold_every_rule() {
        sample().check_invariants().unwrap();
        let o = crate::generate::Options {
            employees: 30,
            shifts_per_employee: 12,
            ..crate::generate::Options::default()
        };
        crate::generate::twin(&o)
            .unwrap()
            .check_invariants()
            .unwrap();
    }

    #[test]
    fn periods_out_of_order_overlapping_or_repeated() {
        breaks(PERIODS_SORTED, "schedule `bw`", |t| {
            t.books.schedules[0].periods.swap(0, 1)
        });
        breaks(PERIODS_SORTED, "schedule `bw`", |t| {
            let p = &mut t.books.schedules[0].periods;
            p[0].stop = p[1].start.checked_add_micros(1).unwrap();
            p[0].pay_at = p[0].stop;
        });
        breaks(PERIODS_SORTED, "schedule `bw`", |t| {
            t.books.schedules[0].periods[1].id = "p1".into();
        });
    }

    #[test]
    fn an_empty_period() {
        breaks(PERIOD_NOT_EMPTY, "schedule `bw`", |t| {
            let p = &mut t.books.schedules[0].periods[0];
            p.stop = p.start;
        });
    }

    #[test]
    fn a_period_breaking_its_alignment() {
        // Arrears: paid at or after the stop.
        breaks(ALIGNMENT_HOLDS, "schedule `bw`", |t| {
            let p = &mut t.books.schedules[0].periods[1];
            p.pay_at = p.start;
        });
    }

    #[test]
    fn rate_versions_out_of_order_or_none() {
        breaks(RATES_SORTED, "contract `h1`", |t| {
            t.books.contracts[0].versions.swap(0, 1)
        });
        breaks(RATES_SORTED, "contract `h2`", |t| {
            t.books.contracts[1].versions.clear()
        });
    }

    #[test]
    fn a_shift_list_out_of_order() {
        breaks(SHIFTS_SORTED, "employee `e1`", |t| {
            t.books.employees[0].shifts.swap(0, 1)
        });
    }

    #[test]
    fn a_shift_listed_twice_in_no_list_or_by_another() {
        breaks(SHIFT_LISTED_ONCE, "shift `a1`", |t| {
            let r = t.books.employees[0].shifts[0];
            t.books.open_shifts.insert(0, r);
        });
        breaks(SHIFT_LISTED_ONCE, "shift `o1`", |t| {
            t.books.open_shifts.clear();
        });
        breaks(SHIFT_LISTED_ONCE, "shift `o1`", |t| {
            let r = t.books.open_shifts.remove(0);
            t.books.employees[1].shifts.push(r);
        });
    }

    #[test]
    fn a_shift_too_long_or_empty() {
        // shift_hours_max is 24 by default: 25 hours is too long.
        breaks(SHIFT_LENGTH, "shift `o1`", |t| {
            let r = &mut t.books.open_shifts[0];
            r.stop = r.start.checked_add_micros(25 * 3_600_000_000).unwrap();
        });
        breaks(SHIFT_LENGTH, "shift `a1`", |t| {
            let r = &mut t.books.employees[0].shifts[0];
            r.stop = r.start;
        });
    }

    #[test]
    fn counted_shifts_overlapping() {
        // a2 (approved) is moved into a1's hours; a3 (submitted) overlapping a2 is fine.
        breaks(COUNTED_NO_OVERLAP, "shift `a2`", |t| {
            let a2 = ix_of(t, "a2");
            let list = &mut t.books.employees[0].shifts;
            let r = list.iter_mut().find(|r| r.ix() == a2).unwrap();
            r.start = Instant::from_micros(r.start.as_micros() - 20 * 3_600_000_000);
            r.stop = Instant::from_micros(r.stop.as_micros() - 20 * 3_600_000_000);
            list.sort_by_key(|r| (r.start, r.ix()));
        });
    }

    #[test]
    fn a_shift_on_a_contract_its_employee_is_not_assigned_to() {
        breaks(SHIFT_CONTRACT, "shift `a1`", |t| {
            t.books.employees[0].shifts[0].contract = Some(ContractIx::numbered(1));
        });
    }

    /// Forged breaks and tips on shift `a1` (08:00–16:00Z): the current version's.
    fn forge(t: &mut Twin, breaks: &[(i64, i64)], tips: Option<i64>) {
        let a1 = ix_of(t, "a1");
        let h = |k: i64| Instant::from_micros(1_780_358_400_000_000 + k * 3_600_000_000);
        let breaks = breaks
            .iter()
            .map(|&(a, b)| crate::model::Span {
                start: h(a),
                stop: h(b),
            })
            .collect();
        t.books.shifts.set_ext(
            a1,
            Some(crate::model::ShiftExt {
                breaks: Some(breaks),
                tips,
            }),
        );
    }

    #[test]
    fn breaks_inside_sorted_and_disjoint_pass() {
        let mut t = sample();
        // 2026-06-02T00:00Z + 12 h .. 13 h, then touching 13 h .. 13.5 h.
        forge(&mut t, &[(12, 13), (13, 14)], Some(0));
        t.check_invariants().unwrap();
    }

    #[test]
    fn a_break_outside_its_shift() {
        breaks(BREAKS_INSIDE, "shift `a1`", |t| forge(t, &[(7, 9)], None));
        breaks(BREAKS_INSIDE, "shift `a1`", |t| forge(t, &[(12, 12)], None));
    }

    #[test]
    fn overlapping_breaks() {
        breaks(BREAKS_INSIDE, "shift `a1`", |t| {
            forge(t, &[(10, 12), (11, 13)], None)
        });
    }

    #[test]
    fn a_break_outside_an_earlier_version() {
        breaks(BREAKS_INSIDE, "shift `a1` (version 1)", |t| {
            let a1 = ix_of(t, "a1");
            let mut v = t.books.current_version(a1).unwrap();
            v.ext = Some(Box::new(crate::model::ShiftExt {
                breaks: Some(Box::new([crate::model::Span {
                    start: v.stop,
                    stop: Instant::from_micros(v.stop.as_micros() + 1),
                }])),
                tips: None,
            }));
            t.books.shifts.extra.entry(a1).or_default().history.push(v);
        });
    }

    #[test]
    fn negative_or_too_large_tips() {
        breaks(TIPS_RANGE, "shift `a1`", |t| forge(t, &[], Some(-1)));
        breaks(TIPS_RANGE, "shift `a1`", |t| forge(t, &[], Some(i64::MAX)));
    }

    #[test]
    fn breaks_of_an_unknown_shift() {
        breaks(BREAKS_INSIDE, "shift index 99", |t| {
            // (A record with neither field is never kept: this one has tips 0.)
            let tips = crate::model::ShiftExt {
                breaks: None,
                tips: Some(0),
            };
            t.books.shifts.set_ext(99, Some(tips));
        });
    }

    #[test]
    fn a_payment_missing_from_or_foreign_to_its_owners_list() {
        breaks(PAYMENT_LISTED, "addition `add1`", |t| {
            t.books.employees[0].additions.clear()
        });
        breaks(PAYMENT_LISTED, "employee `e2`", |t| {
            let d = t.books.deductions.ixs().next().expect("a deduction");
            t.books.employees[1].deductions.push(d)
        });
        breaks(PAYMENT_LISTED, "deduction `ded1`", |t| {
            let d = t.books.deductions.ixs().next().expect("a deduction");
            t.books.employees[0].deductions.push(d)
        });
    }

    #[test]
    fn an_advance_missing_from_or_foreign_to_its_owners_list() {
        breaks(ADVANCE_LISTED, "advance `adv1`", |t| {
            t.books.employees[0].advances.clear()
        });
        breaks(ADVANCE_LISTED, "employee `e1`", |t| {
            let a = t.books.advances.ixs().nth(1).expect("two advances");
            t.books.employees[0].advances.push(a)
        });
        breaks(ADVANCE_LISTED, "advance `adv1`", |t| {
            t.books.advances[0].employee_id = "e2".into();
        });
    }

    #[test]
    fn a_leave_missing_from_or_foreign_to_its_owners_list() {
        breaks(LEAVE_LISTED, "leave `lv1`", |t| {
            t.books.employees[0].leaves.clear()
        });
        breaks(LEAVE_LISTED, "employee `e2`", |t| {
            let l = t.books.leaves.ixs().next().expect("a leave");
            t.books.employees[1].leaves.push(l)
        });
        breaks(LEAVE_LISTED, "employee `e1`", |t| {
            let l = t.books.leaves.ixs().next().expect("a leave");
            t.books.employees[0].leaves.push(l)
        });
        breaks(LEAVE_LISTED, "leave `lv1`", |t| {
            t.books.leaves[0].employee = EmployeeIx::numbered(9)
        });
    }

    #[test]
    fn a_leave_with_impossible_dates_or_hours() {
        breaks(LEAVE_SHAPE, "leave `lv1`", |t| {
            t.books.leaves[0].stop_on = t.books.leaves[0].start_on.pred_opt().unwrap()
        });
        breaks(LEAVE_SHAPE, "leave `lv1`", |t| {
            t.books.leaves[0].stop_on = t.books.leaves[0].start_on + chrono::Days::new(366)
        });
        breaks(LEAVE_SHAPE, "leave `lv2`", |t| {
            t.books.leaves[1].hours_per_day = rust_decimal::Decimal::ZERO
        });
        breaks(LEAVE_SHAPE, "leave `lv2`", |t| {
            t.books.leaves[1].hours_per_day = rust_decimal::Decimal::from(25)
        });
    }

    #[test]
    fn a_leave_on_a_contract_its_employee_is_not_assigned_to() {
        breaks(LEAVE_CONTRACT, "leave `lv1`", |t| {
            t.books.leaves[0].contract = Some(ContractIx::numbered(1))
        });
    }

    #[test]
    fn advance_decisions_the_policy_does_not_give() {
        // Standard delivery is free by default: a fee of 1 is not the policy's.
        breaks(ADVANCE_DECISION, "advance `adv1`", |t| {
            t.books.advances[0].fee = 1
        });
        breaks(ADVANCE_DECISION, "advance `adv1`", |t| {
            t.books.advances[0].recovery.as_mut().unwrap().period_id = "p9".into();
        });
        breaks(ADVANCE_DECISION, "advance `adv2`", |t| {
            t.books.advances[1].accepted = true
        });
        breaks(ADVANCE_DECISION, "advance `adv2`", |t| {
            t.books.advances[1].reasons.clear()
        });
    }
}
