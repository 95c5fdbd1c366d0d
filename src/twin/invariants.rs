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
use crate::eligibility::{fee_of, Advance};
use crate::error::{Error, Result};
use crate::model::{Employee, Payment, ShiftRec, NONE};

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
/// Every payment naming an employee is listed once in that employee's list, and every
/// list entry is a payment of that employee.
pub(crate) const PAYMENT_LISTED: &str = "every payment in its owner's list";
/// Every linked advance is listed once in its employee's list, in recording order.
pub(crate) const ADVANCE_LISTED: &str = "every advance in its owner's list";
/// SPEC §6: a recorded decision is one the policy gives (fee, recovery period, reasons,
/// cancellation window).
pub(crate) const ADVANCE_DECISION: &str = "advance decisions consistent with the policy";

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
        self.check_schedules()?;
        self.check_contracts()?;
        self.check_shift_lists()?;
        self.check_employee_shifts()?;
        self.check_payments()?;
        self.check_advances()
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

    /// The shift lists: each employee's, then the open shifts' (`NONE`).
    fn shift_lists(&self) -> impl Iterator<Item = (u32, &[ShiftRec])> {
        self.employees
            .iter()
            .enumerate()
            .map(|(k, e)| (u32::try_from(k).unwrap_or(NONE), e.shifts.as_slice()))
            .chain(std::iter::once((NONE, self.open_shifts.as_slice())))
    }

    /// The name of a list's owner, for messages.
    fn owner_name(&self, owner: u32) -> String {
        match self.employees.get(owner as usize) {
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
            let first = u32::try_from(first).unwrap_or(NONE);
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
            if let Some(e) = self.employees.get(owner as usize) {
                self.check_one_employee_shifts(e)?;
            }
        }
        Ok(())
    }

    fn check_one_employee_shifts(&self, e: &Employee) -> Result<()> {
        // Sorted by start: counted shifts are disjoint when each starts at or after the
        // latest stop of the counted shifts before it.
        let mut last: Option<(Instant, u32)> = None;
        for r in &e.shifts {
            if !e.assignments.iter().any(|a| a.contract == r.contract) {
                return Err(broken(
                    SHIFT_CONTRACT,
                    self.shift_name(r.ix()),
                    format!(
                        "of employee `{}` names contract index {}, not one of its assignments",
                        e.id, r.contract
                    ),
                ));
            }
            if !self.counted(r.status()) {
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

    fn check_payments(&self) -> Result<()> {
        for (what, all, lists) in [
            ("addition", &self.additions, 0usize),
            ("deduction", &self.deductions, 1),
        ] {
            let mut seen = vec![false; all.len()];
            for (k, e) in self.employees.iter().enumerate() {
                let list = if lists == 0 {
                    &e.additions
                } else {
                    &e.deductions
                };
                for &p in list {
                    let mine = all.get(p as usize).filter(|p| p.employee as usize == k);
                    let slot = seen.get_mut(p as usize).filter(|_| mine.is_some());
                    let Some(slot) = slot else {
                        return Err(broken(
                            PAYMENT_LISTED,
                            format!("employee `{}`", e.id),
                            format!("lists {what} index {p}, not one of its own"),
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
            if let Some(i) = all
                .iter()
                .zip(&seen)
                .position(|(p, listed)| p.employee != NONE && !listed)
            {
                let i = u32::try_from(i).unwrap_or(NONE);
                return Err(broken(
                    PAYMENT_LISTED,
                    payment_name(what, all, i),
                    "is not in its employee's list",
                ));
            }
        }
        Ok(())
    }

    fn check_advances(&self) -> Result<()> {
        let mut listed = vec![false; self.advances.len()];
        for (k, e) in self.employees.iter().enumerate() {
            let who = || format!("employee `{}`", e.id);
            if e.advances.windows(2).any(|w| matches!(w, [a, b] if a >= b)) {
                return Err(broken(
                    ADVANCE_LISTED,
                    who(),
                    "lists its advances out of recording order",
                ));
            }
            for &a in &e.advances {
                let slot = listed.get_mut(a as usize).filter(|_| {
                    self.advances
                        .get(a as usize)
                        .is_some_and(|a| a.employee as usize == k)
                });
                let Some(slot) = slot else {
                    return Err(broken(
                        ADVANCE_LISTED,
                        who(),
                        format!("lists advance index {a}, not one of its own"),
                    ));
                };
                *slot = true;
            }
        }
        for (a, listed) in self.advances.iter().zip(&listed) {
            let who = || format!("advance `{}`", a.id);
            if a.employee != NONE {
                if !listed {
                    return Err(broken(
                        ADVANCE_LISTED,
                        who(),
                        "is not in its employee's list",
                    ));
                }
                if self.employee_ix.get(&a.employee_id) != Some(a.employee) {
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
                .get(r.schedule as usize)
                .and_then(|s| s.period_index(&r.period_id))
                .is_some();
            if !known {
                return Err("names an unknown recovery period");
            }
        }
        let expected_fee = if a.accepted {
            fee_of(self.company.policy.fees.of(a.delivery), a.amount)
        } else {
            Some(0)
        };
        if expected_fee != Some(a.fee) {
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

fn payment_name(what: &str, all: &[Payment], ix: u32) -> String {
    match all.get(ix as usize) {
        Some(p) => format!("{what} `{}`", p.id),
        None => format!("{what} index {ix}"),
    }
}
