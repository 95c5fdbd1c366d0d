//! Eligibility (SPEC §6): blackout, the recovery period `R`, accessible base, outstanding,
//! carried shortfall, headroom, fees, caps, minimum, and every reason code that applies.

mod advances;
mod shortfall;

pub(crate) use advances::{Advance, RecoveryRef};
pub use advances::{
    AdvanceDecision, AdvanceOutcome, AdvanceRequest, CancelDecision, Quote, Recovery,
};

use crate::accrual::{in_blackout, instant_text, Accrual, PeriodAccrual, PeriodRef, Refs};
use crate::calendar::Instant;
use crate::company::Fee;
use crate::error::{Error, Result};
use crate::model::{Delivery, Employee};
use crate::money::{self, Currency};
use crate::twin::Twin;
use chrono::NaiveDate;
use serde::Serialize;
use smallvec::SmallVec;

/// Machine codes of eligibility and advance answers, in the SPEC §6 order of precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Gate: the employee is not in the twin.
    UnknownEmployee,
    /// Gate: no assignment active at `t`.
    NoActiveAssignment,
    /// Gate: has assignments, all ended before `t` (with `no_active_assignment`).
    EmploymentEnded,
    /// Gate: local date of `t` − earliest `contract_start_on` < `min_tenure_days`.
    TenureTooShort,
    /// Gate: nothing unpaid at `t`.
    NoUnpaidPeriod,
    /// Gate: unpaid periods exist, all in blackout.
    Blackout,
    /// The accessible base is negative.
    NegativeBalance,
    /// `floor(access_rate × base) = 0` with base ≥ 0.
    NothingAccrued,
    /// Something is outstanding and no `A ≥ 1` fits the headroom.
    HeadroomUsed,
    /// Nothing outstanding, headroom > 0, but the fee leaves no `A ≥ 1`.
    FeeExceedsHeadroom,
    /// Σ amounts recovered from `R` ≥ `max_per_period`.
    PeriodCapReached,
    /// Advances recovered from `R` ≥ `max_advances_per_period`.
    AdvanceCountReached,
    /// The amount otherwise available (or asked) is below `min_advance`.
    BelowMinimum,
    /// Request: the amount asked exceeds the available amount (> 0).
    ExceedsAvailable,
    /// Request: the amount is ≤ 0 or over `amount_max`.
    InvalidAmount,
    /// Request: the `advance_id` was used before with other fields.
    AdvanceIdReused,
    /// Cancel: no advance has this id.
    UnknownAdvance,
    /// Cancel: the advance was refused, is cancelled already, or `at` is outside
    /// `[requested_at, recovery pay_at)`.
    NotCancellable,
}

impl Reason {
    /// The snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::UnknownEmployee => "unknown_employee",
            Reason::NoActiveAssignment => "no_active_assignment",
            Reason::EmploymentEnded => "employment_ended",
            Reason::TenureTooShort => "tenure_too_short",
            Reason::NoUnpaidPeriod => "no_unpaid_period",
            Reason::Blackout => "blackout",
            Reason::NegativeBalance => "negative_balance",
            Reason::NothingAccrued => "nothing_accrued",
            Reason::HeadroomUsed => "headroom_used",
            Reason::FeeExceedsHeadroom => "fee_exceeds_headroom",
            Reason::PeriodCapReached => "period_cap_reached",
            Reason::AdvanceCountReached => "advance_count_reached",
            Reason::BelowMinimum => "below_minimum",
            Reason::ExceedsAvailable => "exceeds_available",
            Reason::InvalidAmount => "invalid_amount",
            Reason::AdvanceIdReused => "advance_id_reused",
            Reason::UnknownAdvance => "unknown_advance",
            Reason::NotCancellable => "not_cancellable",
        }
    }
}

/// Every reason, in SPEC §6 order (bit `i` of a [`Reasons`] set is `ALL_REASONS[i]`); a new
/// reason goes here too (a test checks the list against the enum).
pub(crate) const ALL_REASONS: [Reason; 18] = [
    Reason::UnknownEmployee,
    Reason::NoActiveAssignment,
    Reason::EmploymentEnded,
    Reason::TenureTooShort,
    Reason::NoUnpaidPeriod,
    Reason::Blackout,
    Reason::NegativeBalance,
    Reason::NothingAccrued,
    Reason::HeadroomUsed,
    Reason::FeeExceedsHeadroom,
    Reason::PeriodCapReached,
    Reason::AdvanceCountReached,
    Reason::BelowMinimum,
    Reason::ExceedsAvailable,
    Reason::InvalidAmount,
    Reason::AdvanceIdReused,
    Reason::UnknownAdvance,
    Reason::NotCancellable,
];

// Every reason has its bit in a `u32`.
const _: () = assert!(ALL_REASONS.len() <= 32);

/// A set of [`Reason`]s, iterated in SPEC §6 order (a bit per reason: no allocation).
///
/// ```
/// use ewa::{Reason, Reasons};
/// let mut r = Reasons::default();
/// r.insert(Reason::Blackout);
/// r.insert(Reason::NoActiveAssignment);
/// r.insert(Reason::Blackout);
/// assert_eq!(r.iter().collect::<Vec<_>>(), [Reason::NoActiveAssignment, Reason::Blackout]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Reasons(u32);

impl Reasons {
    fn bit(r: Reason) -> u32 {
        1 << (r as u32)
    }

    /// Adds a reason (a second insert of the same reason changes nothing).
    pub fn insert(&mut self, r: Reason) {
        self.0 |= Reasons::bit(r);
    }

    /// Whether the set holds `r`.
    pub fn contains(self, r: Reason) -> bool {
        self.0 & Reasons::bit(r) != 0
    }

    /// No reason at all.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether a gate applies (a reason up to `blackout`, SPEC §6): nothing is available.
    pub fn gated(self) -> bool {
        self.0 & (Reasons::bit(Reason::Blackout) * 2 - 1) != 0
    }

    /// The reasons in SPEC §6 order.
    pub fn iter(self) -> impl Iterator<Item = Reason> {
        ALL_REASONS.into_iter().filter(move |r| self.contains(*r))
    }

    /// The reasons in SPEC §6 order, as a list.
    pub fn to_vec(self) -> Vec<Reason> {
        self.iter().collect()
    }
}

impl FromIterator<Reason> for Reasons {
    fn from_iter<I: IntoIterator<Item = Reason>>(iter: I) -> Reasons {
        let mut set = Reasons::default();
        for r in iter {
            set.insert(r);
        }
        set
    }
}

/// One component of `outstanding`: an advance, or a shortfall carried from a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutstandingLine {
    /// `advance` or `carried_shortfall`.
    pub kind: &'static str,
    /// The advance, for `advance` lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advance_id: Option<String>,
    /// The advance's amount, or the shortfall carried.
    pub amount: i64,
    /// The advance's fee (0 for a shortfall).
    pub fee: i64,
    /// For a shortfall: the schedule of the period it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_schedule_id: Option<String>,
    /// For a shortfall: the period it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_period_id: Option<String>,
}

/// An eligibility answer (SPEC §6, §8 `results`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Eligibility {
    /// The employee asked about.
    pub employee_id: String,
    /// The instant `t`.
    pub as_of: String,
    /// The delivery speed whose fee applies.
    pub delivery: Delivery,
    /// The employee's currency.
    pub currency: Option<String>,
    /// `available > 0`.
    pub eligible: bool,
    /// The largest amount that meets every constraint (0 when not eligible).
    pub available: i64,
    /// The fee of `available` at this delivery speed.
    pub fee: i64,
    /// Σ net of every unpaid period (informational).
    pub accrued_unpaid_net: i64,
    /// `net(R)`.
    pub accessible_base: i64,
    /// Σ (amount + fee) of advances recovered from `R` + carried shortfall.
    pub outstanding: i64,
    /// Shortfall carried from periods that paid before `R`.
    pub carried_shortfall: i64,
    /// `floor(access_rate × max(0, base)) − outstanding`.
    pub headroom: i64,
    /// `R`'s schedule.
    pub recovery_pay_schedule_id: Option<String>,
    /// `R`'s period (the group's name).
    pub recovery_pay_period_id: Option<String>,
    /// `R`'s payday.
    pub recovery_pay_at: Option<String>,
    /// Every reason that applies, in SPEC order.
    pub reasons: Vec<Reason>,
    /// What makes up `outstanding`.
    pub outstanding_lines: Vec<OutstandingLine>,
    /// The periods unpaid at `t`, oldest first, with lines (empty in bulk answers).
    pub periods: Vec<PeriodAccrual>,
}

/// The recovery period `R` of an answer, borrowed from the twin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecoveryPeriod<'t> {
    /// `R`'s schedule.
    pub pay_schedule_id: &'t str,
    /// `R`'s period (the group's name).
    pub pay_period_id: &'t str,
    /// `R`'s payday.
    pub pay_at: Instant,
}

/// An eligibility answer in its compact form: the same figures and reasons as
/// [`Eligibility`], with ids borrowed from the twin and reasons as a bit set, so that
/// computing it allocates nothing for an employee without advances
/// ([`Twin::eligibility_summaries`]). [`Summary::to_eligibility`] gives the full answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary<'t> {
    /// The employee asked about.
    pub employee_id: &'t str,
    /// The employee's currency.
    pub currency: Option<Currency>,
    /// `available > 0`.
    pub eligible: bool,
    /// The largest amount that meets every constraint (0 when not eligible).
    pub available: i64,
    /// The fee of `available` at the delivery speed asked about.
    pub fee: i64,
    /// Σ net of every unpaid period (informational).
    pub accrued_unpaid_net: i64,
    /// `net(R)`.
    pub accessible_base: i64,
    /// Σ (amount + fee) of advances recovered from `R` + carried shortfall.
    pub outstanding: i64,
    /// Shortfall carried from periods that paid before `R`.
    pub carried_shortfall: i64,
    /// `floor(access_rate × max(0, base)) − outstanding`.
    pub headroom: i64,
    /// `R`, when there is one.
    pub recovery: Option<RecoveryPeriod<'t>>,
    /// Every reason that applies.
    pub reasons: Reasons,
    /// What makes up `outstanding` (empty, not allocated, without advances).
    pub outstanding_lines: Vec<OutstandingLine>,
}

impl<'t> Summary<'t> {
    /// An empty answer for an employee.
    fn new(employee_id: &'t str) -> Summary<'t> {
        Summary {
            employee_id,
            currency: None,
            eligible: false,
            available: 0,
            fee: 0,
            accrued_unpaid_net: 0,
            accessible_base: 0,
            outstanding: 0,
            carried_shortfall: 0,
            headroom: 0,
            recovery: None,
            reasons: Reasons::default(),
            outstanding_lines: Vec::new(),
        }
    }

    /// The full answer at `as_of` for `delivery` (the instant and speed this summary was
    /// computed for), without periods.
    pub fn to_eligibility(&self, as_of: Instant, delivery: Delivery) -> Eligibility {
        self.answer(instant_text(as_of), delivery, Vec::new())
    }

    fn answer(
        &self,
        as_of: String,
        delivery: Delivery,
        periods: Vec<PeriodAccrual>,
    ) -> Eligibility {
        Eligibility {
            employee_id: self.employee_id.to_string(),
            as_of,
            delivery,
            currency: self.currency.map(|c| c.code().to_string()),
            eligible: self.eligible,
            available: self.available,
            fee: self.fee,
            accrued_unpaid_net: self.accrued_unpaid_net,
            accessible_base: self.accessible_base,
            outstanding: self.outstanding,
            carried_shortfall: self.carried_shortfall,
            headroom: self.headroom,
            recovery_pay_schedule_id: self.recovery.map(|r| r.pay_schedule_id.to_string()),
            recovery_pay_period_id: self.recovery.map(|r| r.pay_period_id.to_string()),
            recovery_pay_at: self.recovery.map(|r| instant_text(r.pay_at)),
            reasons: self.reasons.to_vec(),
            outstanding_lines: self.outstanding_lines.clone(),
            periods,
        }
    }
}

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

/// The full computation behind an answer, kept for requests.
#[derive(Clone, Debug)]
pub(crate) struct Assessment<'t> {
    pub summary: Summary<'t>,
    pub group: Option<RecoveryGroup>,
    pub fee: Fee,
    /// The unpaid periods with their lines, when asked for.
    pub periods: Vec<PeriodAccrual>,
}

impl Assessment<'_> {
    /// The answer at `t` for `delivery`.
    fn answer(self, t: Instant, delivery: Delivery) -> Eligibility {
        self.summary.answer(instant_text(t), delivery, self.periods)
    }
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

/// `fee(A) = flat + ceil(A × rate_bps / 10000)` (SPEC §6).
pub(crate) fn fee_of(f: Fee, amount: i64) -> Option<i64> {
    let prop = money::round::ceil_ratio(
        i128::from(amount).checked_mul(i128::from(f.rate_bps))?,
        10_000,
    )?;
    f.flat.checked_add(prop)
}

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

impl Twin {
    /// The eligibility of an employee at `as_of` for a delivery speed, with its unpaid
    /// periods and their lines (SPEC §6). An unknown employee is an answer with reason
    /// `unknown_employee`, not an error.
    ///
    /// # Errors
    /// [`Error::Overflow`] if an amount does not fit in `i64`.
    pub fn eligibility(
        &self,
        employee_id: &str,
        as_of: Instant,
        delivery: Delivery,
    ) -> Result<Eligibility> {
        Ok(self
            .assess(employee_id, as_of, delivery, Seen::AnswerAt, true)?
            .answer(as_of, delivery))
    }

    /// The eligibility of one employee without its periods and lines: the answer
    /// [`Twin::eligibility_all`] gives for that employee (same figures and reasons), cheaper
    /// than [`Twin::eligibility`] when the explanation is not needed.
    ///
    /// # Errors
    /// [`Error::Overflow`] if an amount does not fit in `i64`.
    pub fn eligibility_brief(
        &self,
        employee_id: &str,
        as_of: Instant,
        delivery: Delivery,
    ) -> Result<Eligibility> {
        Ok(self
            .eligibility_summary(employee_id, as_of, delivery)?
            .to_eligibility(as_of, delivery))
    }

    /// The compact answer of one employee ([`Summary`]): what
    /// [`Twin::eligibility_brief`] says, with ids borrowed from the twin and the employee's
    /// id.
    ///
    /// # Errors
    /// [`Error::Overflow`] if an amount does not fit in `i64`.
    pub fn eligibility_summary<'a>(
        &'a self,
        employee_id: &'a str,
        as_of: Instant,
        delivery: Delivery,
    ) -> Result<Summary<'a>> {
        Ok(self
            .assess(employee_id, as_of, delivery, Seen::AnswerAt, false)?
            .summary)
    }

    /// Every employee's eligibility at `as_of` (without periods), sorted by employee id,
    /// computed in parallel on all cores.
    ///
    /// # Errors
    /// [`Error::Overflow`] if any employee's amounts do not fit in `i64`.
    pub fn eligibility_all(&self, as_of: Instant, delivery: Delivery) -> Result<Vec<Eligibility>> {
        let as_of_text = instant_text(as_of);
        self.for_all_employees(as_of, delivery, |s| {
            s.answer(as_of_text.clone(), delivery, Vec::new())
        })
    }

    /// Every employee's compact answer at `as_of`, sorted by employee id, computed in
    /// parallel on all cores: the figures and reasons of [`Twin::eligibility_all`] without
    /// building any text (the form to use when answering a whole company at once).
    ///
    /// ```
    /// # fn main() -> ewa::Result<()> {
    /// let twin = ewa::generate::twin(&ewa::generate::Options { employees: 20, ..Default::default() })?;
    /// let at = ewa::generate::Options::default().as_of();
    /// let all = twin.eligibility_summaries(at, ewa::Delivery::Standard)?;
    /// let full = twin.eligibility_all(at, ewa::Delivery::Standard)?;
    /// assert_eq!(all.len(), 20);
    /// assert_eq!(all[3].to_eligibility(at, ewa::Delivery::Standard), full[3]);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Overflow`] if any employee's amounts do not fit in `i64`.
    pub fn eligibility_summaries(
        &self,
        as_of: Instant,
        delivery: Delivery,
    ) -> Result<Vec<Summary<'_>>> {
        self.for_all_employees(as_of, delivery, |s| s)
    }

    /// `f` of every employee's summary, in employee id order, on all cores; the first
    /// error met is returned after.
    fn for_all_employees<'t, T: Send>(
        &'t self,
        as_of: Instant,
        delivery: Delivery,
        f: impl Fn(Summary<'t>) -> T + Sync + Send,
    ) -> Result<Vec<T>> {
        use rayon::prelude::*;
        let failed: std::sync::OnceLock<Error> = std::sync::OnceLock::new();
        // Collected in place (an indexed collect, no list of chunks to concatenate).
        let order = self.employee_order();
        let answers: Vec<T> = order
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
                            .filter_map(|&j| self.employees.get(j as usize))
                            .fold(0, |x, e| x ^ touch(e)),
                    );
                }
                let r = match self.employees.get(i as usize) {
                    Some(e) => self
                        .assess_employee(Some(e), &e.id, as_of, delivery, Seen::AnswerAt, false)
                        .map(|a| a.summary),
                    None => Err(Error::arg("employee", "index out of date")),
                };
                f(r.unwrap_or_else(|e| {
                    let _ = failed.set(e);
                    Summary::new("")
                }))
            })
            .collect();
        match failed.into_inner() {
            Some(e) => Err(e),
            None => Ok(answers),
        }
    }

    pub(crate) fn assess<'a>(
        &'a self,
        employee_id: &'a str,
        t: Instant,
        delivery: Delivery,
        seen: Seen,
        detail: bool,
    ) -> Result<Assessment<'a>> {
        let emp = self.employee(employee_id).map(|(_, e)| e);
        self.assess_employee(emp, employee_id, t, delivery, seen, detail)
    }

    /// The answer for one employee (SPEC §6). Allocation-free for an employee without
    /// advances unless `detail` asks for the periods and their lines.
    fn assess_employee<'a>(
        &'a self,
        emp: Option<&'a Employee>,
        employee_id: &'a str,
        t: Instant,
        delivery: Delivery,
        seen: Seen,
        detail: bool,
    ) -> Result<Assessment<'a>> {
        let policy = &self.company.policy;
        let fee = policy.fees.of(delivery);
        let mut answer = Summary::new(employee_id);
        let mut periods = Vec::new();
        let Some(emp) = emp else {
            answer.reasons.insert(Reason::UnknownEmployee);
            return Ok(Assessment {
                summary: answer,
                group: None,
                fee,
                periods,
            });
        };
        answer.currency = self.employee_currency(emp);
        let mut reasons = self.gates(emp, t);
        let advances: Vec<&Advance> = self.visible_advances(emp, t, seen);
        let extra: Refs = advances
            .iter()
            .filter_map(|a| self.recovery_ref(a))
            .collect();
        let mut acc = Accrual::new(self, emp, t, detail);
        let unpaid = acc.unpaid_periods(&extra);
        acc.prepare(&unpaid);
        let blackout = self.derived().blackout_micros;
        // (period, net, pay_at) of every unpaid period outside blackout.
        let mut open: SmallVec<[(PeriodRef, i64, Instant); 4]> = SmallVec::new();
        for r in &unpaid {
            let f = acc.figures(*r)?;
            answer.accrued_unpaid_net =
                money::add(answer.accrued_unpaid_net, f.net, "accrued_unpaid_net")?;
            if let Some(p) = self.period(*r) {
                if !in_blackout(t, p.pay_at, blackout) {
                    open.push((*r, f.net, p.pay_at));
                }
            }
            if detail {
                periods.push(acc.view(*r, f));
            }
        }
        if unpaid.is_empty() {
            reasons.insert(Reason::NoUnpaidPeriod);
        } else if open.is_empty() {
            reasons.insert(Reason::Blackout);
        }
        let group = self.recovery_group(&acc, &open);
        if let Some(g) = &group {
            let base = money::sum(
                open.iter()
                    .filter(|(r, _, _)| g.members.contains(r))
                    .map(|(_, n, _)| *n),
                "accessible_base",
            )?;
            let shortfall = self.carried_shortfall(&acc, emp, &advances, g)?;
            let mut outstanding = shortfall.amount;
            let mut amounts_r = 0i64;
            let mut taken = 0i64;
            for a in advances
                .iter()
                .filter(|a| self.recovery_ref(a).is_some_and(|r| g.members.contains(&r)))
            {
                outstanding = money::add(
                    outstanding,
                    money::add(a.amount, a.fee, "outstanding")?,
                    "outstanding",
                )?;
                amounts_r = money::add(amounts_r, a.amount, "outstanding")?;
                taken += 1;
                answer.outstanding_lines.push(OutstandingLine {
                    kind: "advance",
                    advance_id: Some(a.id.to_string()),
                    amount: a.amount,
                    fee: a.fee,
                    pay_schedule_id: None,
                    pay_period_id: None,
                });
            }
            answer.outstanding_lines.extend(shortfall.lines);
            let access = self
                .derived()
                .access_rate
                .and_then(|r| r.mul_int_floor(base.max(0)))
                .ok_or_else(|| Error::overflow("access"))?;
            let headroom = money::sub(access, outstanding, "headroom")?;
            let fits = largest_fitting(fee, headroom);
            let mut avail = fits;
            if let Some(m) = policy.max_advance {
                avail = avail.min(m);
            }
            if let Some(m) = policy.max_per_period {
                avail = avail.min(m.saturating_sub(amounts_r));
            }
            if policy.max_advances_per_period.is_some_and(|m| taken >= m) {
                avail = 0;
            }
            let avail = avail.max(0);
            // SPEC §6 amount reasons, evaluated whenever R exists.
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
            if policy.max_per_period.is_some_and(|m| amounts_r >= m) {
                reasons.insert(Reason::PeriodCapReached);
            }
            if policy.max_advances_per_period.is_some_and(|m| taken >= m) {
                reasons.insert(Reason::AdvanceCountReached);
            }
            if avail > 0 && avail < policy.min_advance {
                reasons.insert(Reason::BelowMinimum);
            }
            let available = if reasons.gated() || avail < policy.min_advance {
                0
            } else {
                avail
            };
            answer.accessible_base = base;
            answer.outstanding = outstanding;
            answer.carried_shortfall = shortfall.amount;
            answer.headroom = headroom;
            answer.available = available;
            answer.fee = if available > 0 {
                fee_of(fee, available).ok_or_else(|| Error::overflow("fee"))?
            } else {
                0
            };
            answer.recovery = Some(RecoveryPeriod {
                pay_schedule_id: self
                    .schedules
                    .get(g.name.schedule as usize)
                    .map_or("", |s| &*s.id),
                pay_period_id: self.period(g.name).map_or("", |p| &*p.id),
                pay_at: g.pay_at,
            });
        }
        answer.eligible = answer.available > 0;
        answer.reasons = reasons;
        debug_assert!(
            answer.eligible || !answer.reasons.is_empty(),
            "a zero answer has a reason"
        );
        Ok(Assessment {
            summary: answer,
            group,
            fee,
            periods,
        })
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
        if !emp.assignments.iter().any(|a| a.active_at(t)) {
            reasons.insert(Reason::NoActiveAssignment);
            if stints().next().is_some() && stints().all(|s| s.end <= t) {
                reasons.insert(Reason::EmploymentEnded);
            }
        }
        let min_tenure = self.company.policy.min_tenure_days;
        if min_tenure > 0 {
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
                self.schedules.get(r.schedule as usize).map(|s| &*s.id),
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
            .filter_map(|&i| self.advances.get(i as usize))
            .filter(|a| a.accepted)
            .filter(|a| seen == Seen::Request || a.requested_at <= t)
            .filter(|a| a.cancelled_at.is_none_or(|c| c > t))
            .collect()
    }

    /// The period an advance is recovered from, if it still exists.
    pub(crate) fn recovery_ref(&self, a: &Advance) -> Option<PeriodRef> {
        let r = a.recovery.as_ref()?;
        let s = self.schedules.get(r.schedule as usize)?;
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

    #[test]
    fn reason_sets_iterate_in_spec_order() {
        // ALL_REASONS is every reason in enum order, so bit order is SPEC order.
        for (i, r) in ALL_REASONS.iter().enumerate() {
            assert_eq!(*r as usize, i);
        }
        assert_eq!(ALL_REASONS.len(), Reason::NotCancellable as usize + 1);
        for r in ALL_REASONS {
            let one: Reasons = [r].into_iter().collect();
            assert_eq!(one.to_vec(), vec![r]);
            assert_eq!(one.gated(), r <= Reason::Blackout, "{r:?}");
        }
        let all: Reasons = ALL_REASONS.into_iter().rev().collect();
        assert_eq!(all.to_vec(), ALL_REASONS.to_vec());
        assert!(Reasons::default().is_empty() && !Reasons::default().gated());
    }

    #[test]
    fn reason_codes_in_order() {
        assert!(Reason::UnknownEmployee < Reason::Blackout);
        assert!(Reason::Blackout < Reason::NegativeBalance);
        assert_eq!(Reason::FeeExceedsHeadroom.as_str(), "fee_exceeds_headroom");
        assert_eq!(
            serde_json::to_string(&Reason::NoUnpaidPeriod).unwrap(),
            "\"no_unpaid_period\""
        );
    }
}
