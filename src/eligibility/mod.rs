//! Eligibility (SPEC §6): blackout, the recovery period `R`, accessible base, outstanding,
//! carried shortfall, headroom, fees, caps and advance limits (`limits`), minimum, and every
//! reason code that applies.

mod advances;
mod answer;
mod limits;
mod shortfall;

pub use crate::model::{Reason, Reasons};
pub use advances::{
    AdvanceDecision, AdvanceOutcome, AdvanceRecord, AdvanceRequest, CancelDecision, Quote, Recovery,
};
pub use answer::{Detail, Eligibility, Limit, OutstandingLine, RecoveryPeriod};

use crate::accrual::Books;
use crate::accrual::{in_blackout, Accrual, Accruals, PeriodRef, Refs};
use crate::calendar::Instant;
use crate::company::Fee;
use crate::error::{Error, Result};
use crate::model::{Advance, Delivery, Employee};
use crate::money;
use chrono::NaiveDate;
use limits::{Pricing, Taken};
use smallvec::SmallVec;

/// Which advances an answer sees (SPEC §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seen {
    /// An answer at `t`: advances requested at or before `t`, not cancelled by `t`.
    AnswerAt,
    /// A request at `t`: every advance recorded, not cancelled by `t`.
    Request,
}

/// The recovery group `R`: its name and member periods (SPEC §6).
#[derive(Clone, Debug)]
pub(crate) struct RecoveryGroup {
    pub name: PeriodRef,
    pub pay_at: Instant,
    pub members: Refs,
}

/// A question for [`Twin::assess`]: at `t`, for `delivery`, seeing which advances, how
/// much explained.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ask {
    pub t: Instant,
    pub delivery: Delivery,
    pub seen: Seen,
    pub detail: Detail,
}

/// (period, net, pay_at) of the unpaid periods outside blackout (a few: no allocation).
type Open = SmallVec<[(PeriodRef, i64, Instant); 4]>;

/// The full computation behind an answer, kept for requests.
#[derive(Clone, Debug)]
pub(crate) struct Assessment<'t> {
    pub answer: Eligibility<'t>,
    pub group: Option<RecoveryGroup>,
    /// The fee of the delivery asked, as the monthly fee cap leaves it (SPEC §6).
    pub pricing: Pricing,
}

/// Employees whose first cache lines are loaded together (see `for_all_employees`).
const TOUCH_AHEAD: usize = 8;

/// Shift records apart of two touched ones (24-byte records: about one per cache line).
const TOUCH_STRIDE: usize = 2;

/// Shift records touched from the end of each list (ahead of the answer's back-scan).
const TOUCH_TAIL: usize = 12;

/// Reads the first record of each list an answer for `e` walks (assignment, stint, the
/// latest shift): a value to fold into a `black_box`, so that the loads happen.
fn touch(e: &Employee) -> i64 {
    let stint = e
        .assignments
        .first()
        .and_then(|a| a.stints.first())
        .map_or(0, |s| s.start.as_micros());
    // The tail of the shift list, which the answer reads back from its end: one record in
    // every cache line (three 24-byte records per 64-byte line, rounded down), as loads
    // that do not depend on each other, so that their misses overlap.
    let shift = e
        .shifts
        .iter()
        .rev()
        .step_by(TOUCH_STRIDE)
        .take(TOUCH_TAIL)
        .fold(0, |x, r| x ^ r.start.as_micros());
    stint ^ shift
}

pub(crate) use crate::company::fee_of;

/// The largest `A` with `A + fee(A) ≤ h`: since `A + ceil(A·b/10⁴) = ceil(A·(10⁴+b)/10⁴)`,
/// that is `floor(10⁴·(h − flat) / (10⁴ + b))`; 0 when none.
pub(crate) fn largest_fitting(f: Fee, h: i64) -> i64 {
    let room = i128::from(h) - i128::from(f.flat);
    if room <= 0 {
        return 0;
    }
    let den = 10_000 + i128::from(f.rate_bps);
    // i64 division when the parts fit (as every real amount does): no 128-bit division.
    let a = match (i64::try_from(room * 10_000), i64::try_from(den)) {
        (Ok(n), Ok(d)) if d > 0 => i128::from(n / d),
        _ => (room * 10_000) / den,
    };
    let a = i64::try_from(a).unwrap_or(i64::MAX);
    // Pair assertion: A fits and A + 1 does not.
    debug_assert!(fee_of(f, a).is_some_and(|fee| a + fee <= h));
    debug_assert!(fee_of(f, a + 1).is_none_or(|fee| a + 1 + fee > h));
    a.max(0)
}

impl Books {
    /// See `Twin::eligibility` (the façade that documents it).
    pub fn eligibility<'a>(
        &'a self,
        employee_id: &'a str,
        as_of: Instant,
        delivery: Delivery,
        detail: Detail,
    ) -> Result<Eligibility<'a>> {
        let ask = Ask {
            t: as_of,
            delivery,
            seen: Seen::AnswerAt,
            detail,
        };
        Ok(self.assess(employee_id, ask)?.answer)
    }

    /// See `Twin::eligibility_all` (the façade that documents it).
    pub fn eligibility_all(
        &self,
        as_of: Instant,
        delivery: Delivery,
    ) -> Result<Vec<Eligibility<'_>>> {
        use rayon::prelude::*;
        let failed: std::sync::OnceLock<Error> = std::sync::OnceLock::new();
        // Collected in place (an indexed collect, no list of chunks to concatenate).
        let order = self.employee_order();
        let ask = Ask {
            t: as_of,
            delivery,
            seen: Seen::AnswerAt,
            detail: Detail::Brief,
        };
        let answers: Vec<Eligibility<'_>> = order
            .par_iter()
            .enumerate()
            .map(|(n, &i)| {
                // Each worker takes runs of consecutive employees: every TOUCH_AHEAD of them,
                // load the first line of each list the next TOUCH_AHEAD answers read, so that
                // their cache misses are in flight together instead of one after another.
                if n % TOUCH_AHEAD == 0 {
                    let ahead = order.get(n..).unwrap_or_default().iter().take(TOUCH_AHEAD);
                    std::hint::black_box(
                        ahead
                            .filter_map(|&j| self.employees.get(j))
                            .fold(0, |x, e| x ^ touch(e)),
                    );
                }
                let r = match self.employees.get(i) {
                    Some(e) => self.assess_employee(Some(e), &e.id, ask).map(|a| a.answer),
                    None => Err(Error::arg("employee", "index out of date")),
                };
                r.unwrap_or_else(|e| {
                    let _ = failed.set(e);
                    Eligibility::new("", as_of, delivery)
                })
            })
            .collect();
        match failed.into_inner() {
            Some(e) => Err(e),
            None => Ok(answers),
        }
    }

    /// The answer for `employee_id`, with what a request needs besides it.
    pub(crate) fn assess<'a>(&'a self, employee_id: &'a str, ask: Ask) -> Result<Assessment<'a>> {
        let emp = self.employee(employee_id).map(|(_, e)| e);
        self.assess_employee(emp, employee_id, ask)
    }

    /// The answer for one employee (SPEC §6). Allocation-free for an employee without
    /// advances unless `detail` asks for the periods and their lines. When the employee's
    /// amounts overflow `i64` the answer is the gate `amount_overflow` (decision 125): one
    /// employee's data never fails the answers of the others.
    fn assess_employee<'a>(
        &'a self,
        emp: Option<&'a Employee>,
        employee_id: &'a str,
        ask: Ask,
    ) -> Result<Assessment<'a>> {
        match self.assess_computed(emp, employee_id, ask) {
            Err(Error::Overflow { .. }) => Ok(self.overflowed(emp, employee_id, ask)),
            other => other,
        }
    }

    /// The answer of an employee whose amounts do not fit: nothing available, the gates
    /// that apply at `t` and `amount_overflow`, no amounts, periods or recovery period.
    fn overflowed<'a>(
        &'a self,
        emp: Option<&'a Employee>,
        employee_id: &'a str,
        ask: Ask,
    ) -> Assessment<'a> {
        let mut answer = Eligibility::new(employee_id, ask.t, ask.delivery);
        if let Some(emp) = emp {
            answer.currency = self.employee_currency(emp);
            answer.reasons = self.gates(emp, ask.t);
        }
        answer.reasons.insert(Reason::AmountOverflow);
        let fee = self.company.policy.fees.of(ask.delivery);
        Assessment {
            answer,
            group: None,
            pricing: Pricing { fee, left: None },
        }
    }

    /// [`Twin::assess_employee`] before an overflow is turned into its gate.
    fn assess_computed<'a>(
        &'a self,
        emp: Option<&'a Employee>,
        employee_id: &'a str,
        ask: Ask,
    ) -> Result<Assessment<'a>> {
        let Ask {
            t,
            delivery,
            seen,
            detail,
        } = ask;
        let fee = self.company.policy.fees.of(delivery);
        let mut answer = Eligibility::new(employee_id, t, delivery);
        let Some(emp) = emp else {
            answer.reasons.insert(Reason::UnknownEmployee);
            return Ok(Assessment {
                answer,
                group: None,
                pricing: Pricing { fee, left: None },
            });
        };
        answer.currency = self.employee_currency(emp);
        answer.reasons = self.gates(emp, t);
        let advances: Vec<&Advance> = self.visible_advances(emp, t, seen);
        let extra: Refs = advances
            .iter()
            .filter_map(|a| self.recovery_ref(a))
            .collect();
        let mut acc = Accrual::new(self, emp, t, detail == Detail::Explained);
        let unpaid = acc.unpaid_periods(&extra);
        acc.prepare(&unpaid);
        let open = self.unpaid_nets(&acc, &unpaid, &mut answer, detail)?;
        if unpaid.is_empty() {
            answer.reasons.insert(Reason::NoUnpaidPeriod);
        } else if open.is_empty() {
            answer.reasons.insert(Reason::Blackout);
        }
        let group = self.recovery_group(&acc, &open);
        let windows = self.windows(&advances, t)?;
        let pricing = self.pricing(fee, windows);
        if let Some(g) = &group {
            let base = money::sum(
                open.iter()
                    .filter(|(r, _, _)| g.members.contains(r))
                    .map(|(_, n, _)| *n),
                "accessible_base",
            )?;
            let shortfall = self.carried_shortfall(&acc, emp, &advances, g)?;
            answer.carried_shortfall = shortfall.amount;
            self.recovery_gates(&mut answer.reasons, g, t, shortfall.amount);
            let taken = self.outstanding_in(&mut answer, &advances, g, shortfall)?;
            self.amounts(&mut answer, base, taken, pricing, windows)?;
            answer.recovery = Some(self.recovery_period(g));
        }
        answer.eligible = answer.available > 0;
        debug_assert!(
            answer.eligible || !answer.reasons.is_empty(),
            "a zero answer has a reason"
        );
        Ok(Assessment {
            answer,
            group,
            pricing,
        })
    }

    /// Adds every unpaid period's net to `accrued_unpaid_net` (and the period with its lines
    /// to `periods` when explained); returns (period, net, pay_at) of those outside
    /// blackout.
    fn unpaid_nets(
        &self,
        acc: &Accrual<'_>,
        unpaid: &[PeriodRef],
        answer: &mut Eligibility<'_>,
        detail: Detail,
    ) -> Result<Open> {
        let blackout = self.derived().blackout_micros;
        let mut open = Open::new();
        for r in unpaid {
            let f = acc.figures(*r)?;
            answer.accrued_unpaid_net =
                money::add(answer.accrued_unpaid_net, f.net, "accrued_unpaid_net")?;
            if let Some(p) = self.period(*r) {
                if !in_blackout(answer.as_of, p.pay_at, blackout) {
                    open.push((*r, f.net, p.pay_at));
                }
            }
            if detail == Detail::Explained {
                answer.periods.push(acc.view(*r, f));
            }
        }
        Ok(open)
    }

    /// Sets `outstanding` and its lines: the advances recovered from `R` and the shortfall
    /// carried into it (SPEC §6). Returns Σ amounts of those advances and their count.
    fn outstanding_in(
        &self,
        answer: &mut Eligibility<'_>,
        advances: &[&Advance],
        g: &RecoveryGroup,
        shortfall: shortfall::Shortfall,
    ) -> Result<Taken> {
        let mut outstanding = shortfall.amount;
        let mut taken = Taken::default();
        for a in advances
            .iter()
            .filter(|a| self.recovery_ref(a).is_some_and(|r| g.members.contains(&r)))
        {
            outstanding = money::add(
                outstanding,
                money::add(a.amount, a.fee, "outstanding")?,
                "outstanding",
            )?;
            taken.amounts = money::add(taken.amounts, a.amount, "outstanding")?;
            taken.count += 1;
            taken.with_fee += i64::from(a.fee > 0);
            answer.outstanding_lines.push(OutstandingLine::advance(a));
        }
        answer.outstanding_lines.extend(shortfall.lines);
        answer.outstanding = outstanding;
        Ok(taken)
    }

    /// Sets `accessible_base`, `headroom`, `available`, `fee` and the amount reasons of
    /// SPEC §6 (evaluated whenever `R` exists), from `R`'s `base`, the answer's
    /// `outstanding`, what was `taken` from `R` already, the fee as the monthly cap leaves
    /// it and the day, week and month windows.
    fn amounts(
        &self,
        answer: &mut Eligibility<'_>,
        base: i64,
        taken: Taken,
        pricing: Pricing,
        windows: limits::Windows,
    ) -> Result<()> {
        let policy = &self.company.policy;
        let outstanding = answer.outstanding;
        let access = self
            .derived()
            .access_rate
            .and_then(|r| r.mul_int_floor(base.max(0)))
            .ok_or_else(|| Error::overflow("access"))?;
        let headroom = money::sub(access, outstanding, "headroom")?;
        let fits = pricing.largest_fitting(headroom);
        let reasons = &mut answer.reasons;
        if base < 0 {
            reasons.insert(Reason::NegativeBalance);
        } else if access == 0 {
            reasons.insert(Reason::NothingAccrued);
        }
        if outstanding > 0 && fits < 1 {
            reasons.insert(Reason::HeadroomUsed);
        }
        if outstanding <= 0 && headroom > 0 && fits < 1 {
            reasons.insert(Reason::FeeExceedsHeadroom);
        }
        let (avail, limited_by) = limits::caps(policy, fits, taken, windows, pricing, reasons);
        if avail > 0 && avail < policy.min_advance {
            reasons.insert(Reason::BelowMinimum);
        }
        let available = if reasons.gated() || avail < policy.min_advance {
            0
        } else {
            avail
        };
        answer.accessible_base = base;
        answer.headroom = headroom;
        answer.available = available;
        answer.limited_by = limited_by.filter(|_| available > 0);
        answer.fee = if available > 0 {
            pricing
                .of(available)
                .ok_or_else(|| Error::overflow("fee"))?
        } else {
            0
        };
        Ok(())
    }

    /// `R` as an answer names it, borrowed from the twin.
    fn recovery_period(&self, g: &RecoveryGroup) -> RecoveryPeriod<'_> {
        RecoveryPeriod {
            pay_schedule_id: self.schedules.get(g.name.schedule).map_or("", |s| &*s.id),
            pay_period_id: self.period(g.name).map_or("", |p| &*p.id),
            pay_at: g.pay_at,
        }
    }

    /// The gates of SPEC §6 that depend only on the employee and `t`.
    fn gates(&self, emp: &Employee, t: Instant) -> Reasons {
        let mut reasons = Reasons::default();
        let stints = || {
            emp.assignments
                .iter()
                .flat_map(|a| a.stints.iter())
                .filter(|s| !s.is_empty())
        };
        let active = emp.assignments.iter().any(|a| a.active_at(t));
        if !active {
            reasons.insert(Reason::NoActiveAssignment);
            if stints().next().is_some() && stints().all(|s| s.end <= t) {
                reasons.insert(Reason::EmploymentEnded);
            }
        }
        let min_tenure = self.company.policy.min_tenure_days;
        // SPEC §6: `date(t) − earliest start < min_tenure_days`, a signed count of days, so
        // even with the default 0 an employee asked about before the earliest start is too
        // short (decision 132). With 0 that needs `t` before every stint: none is active.
        if min_tenure > 0 || !active {
            let earliest: Option<Option<NaiveDate>> = emp
                .assignments
                .iter()
                .filter_map(|a| a.earliest_start())
                .min();
            // An assignment without start never is too short (SPEC §6).
            if let Some(Some(start)) = earliest {
                let today = self.derived().clock.date_of(t);
                if (today - start).num_days() < min_tenure {
                    reasons.insert(Reason::TenureTooShort);
                }
            }
        }
        if self.on_leave(emp, t) {
            reasons.insert(Reason::OnLeave);
        }
        reasons
    }

    /// `R`: the unpaid, non-blackout period with the earliest `pay_at`, grouped with every
    /// other such period of the same `pay_at`, named by the earliest `start_at`, then the
    /// smallest `pay_schedule_id`, then `pay_period_id` (SPEC §6).
    fn recovery_group(
        &self,
        acc: &Accrual<'_>,
        open: &[(PeriodRef, i64, Instant)],
    ) -> Option<RecoveryGroup> {
        let pay_at = open.iter().map(|o| o.2).min()?;
        let mut members: Refs = open.iter().filter(|o| o.2 == pay_at).map(|o| o.0).collect();
        acc.sort(&mut members);
        let key = |r: &PeriodRef| {
            let p = self.period(*r);
            (
                p.map(|p| p.start),
                self.schedules.get(r.schedule).map(|s| &*s.id),
                p.map(|p| &*p.id),
            )
        };
        let name = *members.iter().min_by(|a, b| key(a).cmp(&key(b)))?;
        Some(RecoveryGroup {
            name,
            pay_at,
            members,
        })
    }

    /// The employee's accepted advances that an answer or request at `t` sees (SPEC §6).
    pub(crate) fn visible_advances<'a>(
        &'a self,
        emp: &Employee,
        t: Instant,
        seen: Seen,
    ) -> Vec<&'a Advance> {
        emp.advances
            .iter()
            .filter_map(|&i| self.advances.get(i))
            .filter(|a| a.accepted)
            .filter(|a| seen == Seen::Request || a.requested_at <= t)
            .filter(|a| a.cancelled_at.is_none_or(|c| c > t))
            .collect()
    }

    /// See `Twin::accruals`: the employee's accruals at `as_of`, the recovery periods of the
    /// advances an answer at `as_of` sees among its periods (SPEC §5 first paragraph), as
    /// the eligibility answer counts them in `accrued_unpaid_net`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an unknown employee; [`Error::Overflow`] if an amount
    /// does not fit.
    pub fn accruals(&self, employee_id: &str, as_of: Instant) -> Result<Accruals> {
        let (_, emp) = self.employee(employee_id).ok_or_else(|| {
            Error::arg("employee_id", format!("unknown employee `{employee_id}`"))
        })?;
        let recoveries: Refs = self
            .visible_advances(emp, as_of, Seen::AnswerAt)
            .iter()
            .filter_map(|a| self.recovery_ref(a))
            .collect();
        self.accruals_of(emp, as_of, &recoveries)
    }

    /// The period an advance is recovered from, if it still exists.
    pub(crate) fn recovery_ref(&self, a: &Advance) -> Option<PeriodRef> {
        let r = a.recovery.as_ref()?;
        let s = self.schedules.get(r.schedule)?;
        let index = u32::try_from(s.period_index(&r.period_id)?).ok()?;
        Some(PeriodRef {
            schedule: r.schedule,
            index,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_fitting_amount_is_maximal() {
        // flat 100 + 150 bps, headroom 10,000: A = floor(10000 * 9900 / 10150) = 9753;
        // fee(9753) = 100 + ceil(146.295) = 247, 9753 + 247 = 10000 <= 10000;
        // fee(9754) = 100 + ceil(146.31) = 247, 9754 + 247 = 10001 > 10000.
        let f = Fee {
            flat: 100,
            rate_bps: 150,
        };
        assert_eq!(largest_fitting(f, 10_000), 9_753);
        assert_eq!(fee_of(f, 9_753), Some(247));
        assert_eq!(largest_fitting(f, 100), 0);
        assert_eq!(largest_fitting(Fee::default(), 5), 5);
        assert_eq!(largest_fitting(Fee::default(), -5), 0);
    }
}
