//! The regular rate (SPEC §5.2 `regular_rate: "weighted_average"`, §9 "Regular rate";
//! 29 CFR 778.110(b), 778.115): with it, an overtime second pays `(multiplier − 1) × RR` and
//! a double-time second `(double_time_multiplier − 1) × RR`, where `RR` is the regular rate
//! of the work week holding the second (that contract's work week), at `t`:
//!
//! `RR = (straight pay + premiums marked regular_rate + minimum-wage top-ups + bonuses) /
//! hours worked`, over the employee's paid time on every hourly contract in that week
//! before `t` (each second at its own contract's rate). Bonuses are additions with
//! `in_regular_rate` whose instant lies in the week and that count at `t`. Tips, holiday
//! and leave pay are not part of it. With the contract's `minimum_wage`, `RR` is at least
//! its `hourly`. No hours: no premium.
//!
//! `RR` is an exact rational computed at query time (it depends on `t`: later work or a
//! later bonus in the same week changes the premium of an earlier overtime second); the
//! overtime classification (which seconds are overtime) stays cached and independent of `t`.
//! This module also holds what the minimum wage (SPEC §5.7) shares with it: work weeks of a
//! contract, the employee's paid time, straight pay, and the one hook to §5.4 premiums.

use super::hourly::{for_rate_pieces, MICROS_PER_HOUR};
use super::{seconds_text, Accrual, Line, LineKind};
use crate::calendar::{Frequency, Instant};
use crate::error::{Error, Result};
use crate::model::in_mask;
use crate::model::ContractIx;
use crate::model::LocalClock;
use crate::model::{Contract, RegularRate};
use crate::money::Exact;
use chrono::{Datelike, Days, NaiveTime, Weekday};
use smallvec::SmallVec;

/// The most work weeks one window is walked through (a window is a pay period: at most a
/// year of weeks in practice); beyond, the walk stops.
pub(crate) const WEEKS_MAX: usize = 1_000;

/// Microseconds per hour, as an `i64`.
const MICROS_PER_HOUR_I64: i64 = 3_600_000_000;

/// A piece of the employee's paid time on one hourly contract, inside its assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Paid {
    pub start: Instant,
    pub stop: Instant,
    pub contract: ContractIx,
    pub shift: u32,
}

impl Paid {
    /// Its length in microseconds.
    pub fn micros(&self) -> i64 {
        self.stop.as_micros().saturating_sub(self.start.as_micros())
    }
}

/// Paid pieces of a work week (inline for a week of shifts).
pub(crate) type PaidList = SmallVec<[Paid; 16]>;

/// The work week (SPEC §5.2: 7 work days from `starts_at`, beginning with the work day that
/// starts on `week_starts_on`) holding `x`, as `[start, end)`.
pub(crate) fn work_week(
    clock: &LocalClock,
    starts_at: NaiveTime,
    week_starts_on: Weekday,
    x: Instant,
) -> Option<(Instant, Instant)> {
    // The work day d holding x: start(d) ≤ x < start(d + 1); the local date of x is at most
    // a day off (DST and starts_at), corrected in a bounded loop.
    let mut d = clock.date_of(x);
    for _ in 0..3 {
        if x < clock.at(d, starts_at) {
            d = d.pred_opt()?;
        } else if x >= clock.at(d.succ_opt()?, starts_at) {
            d = d.succ_opt()?;
        } else {
            break;
        }
    }
    let back = (7 + d.weekday().num_days_from_monday() - week_starts_on.num_days_from_monday()) % 7;
    let first = d.checked_sub_days(Days::new(u64::from(back)))?;
    let next = first.checked_add_days(Days::new(7))?;
    Some((clock.at(first, starts_at), clock.at(next, starts_at)))
}

/// Where contract `c`'s work days start: its overtime `workday_starts_at`, else 00:00
/// (SPEC §9 "Minimum wage").
pub(crate) fn workday_starts_at(c: &Contract) -> NaiveTime {
    c.overtime
        .as_ref()
        .map_or(NaiveTime::MIN, |o| o.workday_starts_at)
}

/// `rate(x) × micros / 3600e6` over `[a, b)` on contract `c` (SPEC §5.1), exactly.
pub(crate) fn straight_pay(c: &Contract, a: Instant, b: Instant) -> Result<Exact> {
    let mut num: i128 = 0;
    let mut overflow = false;
    for_rate_pieces(c, a, b, |x, y, rate| {
        let micros = y.as_micros().saturating_sub(x.as_micros());
        match i128::from(rate)
            .checked_mul(i128::from(micros))
            .and_then(|v| num.checked_add(v))
        {
            Some(v) => num = v,
            None => overflow = true,
        }
    });
    if overflow {
        return Err(Error::overflow("straight pay"));
    }
    Exact::new(num, MICROS_PER_HOUR).ok_or_else(|| Error::overflow("straight pay"))
}

/// `a + b`, or an overflow error naming `what`.
pub(crate) fn add(a: Exact, b: Exact, what: &'static str) -> Result<Exact> {
    a.checked_add(b).ok_or_else(|| Error::overflow(what))
}

/// `a × b`, or an overflow error naming `what`.
pub(crate) fn mul(a: Exact, b: Exact, what: &'static str) -> Result<Exact> {
    a.checked_mul(b).ok_or_else(|| Error::overflow(what))
}

/// `num / den` for integers, `den > 0`, or an overflow error naming `what`.
pub(crate) fn ratio(num: i64, den: i64, what: &'static str) -> Result<Exact> {
    Exact::new(i128::from(num), i128::from(den)).ok_or_else(|| Error::overflow(what))
}

impl Accrual<'_> {
    /// The employee's paid time on hourly contracts (only `only`, when given) in `[lo, hi)`:
    /// counted shifts clipped to their assignment's stints and to `[lo, hi)`, minus their
    /// unpaid breaks ([`super::paid::paid`]), by start.
    /// The one source of paid time of the regular rate and the minimum wage.
    pub(crate) fn paid_time(&self, lo: Instant, hi: Instant, only: Option<ContractIx>) -> PaidList {
        let mut out = PaidList::new();
        if lo >= hi {
            return out;
        }
        let back = self.twin.company.limits.shift_micros_max();
        let from = Instant::from_micros(lo.as_micros().saturating_sub(back));
        let first = self.first_shift_from(from);
        for r in self.emp.shifts.get(first..).unwrap_or_default() {
            if r.start >= hi {
                break;
            }
            if r.stop <= lo || !in_mask(self.counted, r.status()) {
                continue;
            }
            let Some(cix) = r.contract else {
                continue;
            };
            if only.is_some_and(|c| c != cix) || !self.is_hourly(cix) {
                continue;
            }
            let Some(a) = self.emp.assignments.iter().find(|a| a.contract == cix) else {
                continue;
            };
            let c = self.twin.contracts.get(cix);
            for st in &a.stints {
                // SPEC §5.6: paid time is the shift minus its unpaid breaks.
                let (a, b) = (st.start.max(lo), st.end.min(hi));
                for (start, stop) in self.paid(r, c, a, b) {
                    out.push(Paid {
                        start,
                        stop,
                        contract: cix,
                        shift: r.ix(),
                    });
                }
            }
        }
        out
    }

    fn is_hourly(&self, cix: ContractIx) -> bool {
        self.twin
            .contracts
            .get(cix)
            .is_some_and(|c| c.rate_period == Frequency::Hourly)
    }

    /// The §5.4 premiums of contract `cix` over its paid time in `[lo, hi)` (only the rules
    /// with `regular_rate: true` when `regular_rate_only`): the one hook of the regular rate
    /// and the minimum wage to the premium rules (`accrual::premiums`).
    pub(crate) fn rule_premiums(
        &self,
        cix: ContractIx,
        c: &Contract,
        lo: Instant,
        hi: Instant,
        regular_rate_only: bool,
    ) -> Result<Exact> {
        if c.premiums.is_empty() {
            return Ok(Exact::ZERO);
        }
        if regular_rate_only {
            self.regular_rate_premiums_between(cix, lo, hi)
        } else {
            self.premiums_between(cix, lo, hi)
        }
    }

    /// [`Accrual::rule_premiums`] of contract `cix` over `[lo, hi)` inside each stint of
    /// its assignment.
    pub(crate) fn stint_premiums(
        &self,
        cix: ContractIx,
        c: &Contract,
        (lo, hi): (Instant, Instant),
        regular_rate_only: bool,
    ) -> Result<Exact> {
        let mut total = Exact::ZERO;
        for a in self.emp.assignments.iter().filter(|a| a.contract == cix) {
            for st in &a.stints {
                let (a, b) = (lo.max(st.start), hi.min(st.end));
                if a < b {
                    let p = self.rule_premiums(cix, c, a, b, regular_rate_only)?;
                    total = add(total, p, "premiums")?;
                }
            }
        }
        Ok(total)
    }

    /// The regular rate per hour of contract `c`'s work week holding `x`, at `t` (see the
    /// module docs); `None` when no hour was worked in it before `t`.
    ///
    /// # Errors
    /// [`Error::Overflow`] when an amount does not fit.
    pub(crate) fn regular_rate(&self, c: &Contract, x: Instant) -> Result<Option<Exact>> {
        let week_starts_on = self.twin.company.week_starts_on;
        let Some(week) = work_week(self.clock, workday_starts_at(c), week_starts_on, x) else {
            return Ok(None);
        };
        self.week_regular_rate_once(c, week)
    }

    /// The regular rate per hour of contract `c`'s work week `[ws, we)` at `t` (see
    /// [`Accrual::regular_rate`]).
    ///
    /// # Errors
    /// [`Error::Overflow`] when an amount does not fit.
    pub(crate) fn week_regular_rate(
        &self,
        c: &Contract,
        (ws, we): (Instant, Instant),
    ) -> Result<Option<Exact>> {
        let hi = we.min(self.t);
        let paid = self.paid_time(ws, hi, None);
        let micros: i64 = paid.iter().map(Paid::micros).sum();
        if micros <= 0 {
            return Ok(None);
        }
        let what = "regular rate";
        // Each piece at its own contract's rates (SPEC §5.2).
        let mut pay = self.straight_sum(&paid, None, what)?;
        for a in &self.emp.assignments {
            let Some(ac) = self.twin.contracts.get(a.contract) else {
                continue;
            };
            if ac.rate_period == Frequency::Hourly {
                pay = add(
                    pay,
                    self.stint_premiums(a.contract, ac, (ws, hi), true)?,
                    what,
                )?;
            }
        }
        pay = add(pay, self.top_ups_in(ws, hi)?, what)?;
        pay = add(pay, self.bonuses_in(ws, hi)?, what)?;
        // Per hour: pay × 3600e6 / micros.
        let mut rr = mul(pay, ratio(MICROS_PER_HOUR_I64, micros, what)?, what)?;
        if let Some(mw) = c.minimum_wage {
            // SPEC §5.2: with the contract's minimum wage, RR is at least its hourly.
            let floor = Exact::int(mw.hourly);
            if rr.checked_sub(floor).is_some_and(|d| d.numer() < 0) {
                rr = floor;
            }
        }
        Ok(Some(rr))
    }

    /// Σ `amount` of the employee's additions with `in_regular_rate` whose instant lies in
    /// `[lo, hi)` (`hi ≤ t`: they count at `t`) and in a period (SPEC §5.2, §9).
    fn bonuses_in(&self, lo: Instant, hi: Instant) -> Result<Exact> {
        let mut total = Exact::ZERO;
        for p in self
            .emp
            .additions
            .iter()
            .filter_map(|&i| self.twin.additions.get(i))
        {
            if p.in_regular_rate
                && lo <= p.instant
                && p.instant < hi
                && p.instant < self.t
                && self.twin.payment_period(self.emp, p).is_some()
            {
                total = add(total, Exact::int(p.amount), "regular rate")?;
            }
        }
        Ok(total)
    }
}

/// Whether contract `c` pays overtime on the weighted-average regular rate (SPEC §5.2).
pub(crate) fn weighted(c: &Contract) -> bool {
    c.overtime
        .as_ref()
        .is_some_and(|o| o.regular_rate == RegularRate::WeightedAverage)
}

/// A premium class's multiplier and `multiplier − 1`.
pub(crate) type Extra = (rust_decimal::Decimal, Exact);

/// The premium of `[a, b)` of shift `shift` on contract `c` (weighted average):
/// `(multiplier − 1) × RR × hours`, added to `total`, with one explain line whose `rate` is
/// absent (the RR is `amount / (hours × (multiplier − 1))`). No hours worked: nothing.
#[allow(clippy::too_many_arguments)]
pub(crate) fn weighted_premium(
    acc: &Accrual<'_>,
    c: &Contract,
    shift: u32,
    (a, b): (Instant, Instant),
    kind: LineKind,
    (m, extra): Extra,
    total: &mut Exact,
    lines: &mut Vec<Line>,
) -> Result<()> {
    let what = "overtime premium";
    let Some(rr) = acc.regular_rate(c, a)? else {
        return Ok(());
    };
    let micros = b.as_micros().saturating_sub(a.as_micros());
    let hours =
        Exact::new(i128::from(micros), MICROS_PER_HOUR).ok_or_else(|| Error::overflow(what))?;
    let exact = mul(mul(rr, hours, what)?, extra, what)?;
    *total = add(*total, exact, what)?;
    if acc.explain {
        lines.push(Line {
            kind,
            contract_id: Some(c.id.to_string()),
            source_ids: vec![acc.twin.shifts.id(shift).to_string()],
            quantity: seconds_text(micros),
            unit: "seconds",
            rate: None,
            multiplier: Some(m.normalize().to_string()),
            name: None,
            amount: exact.to_fixed(6),
            exact,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_weeks_start_on_the_company_weekday_at_the_workday_start() {
        let twin = crate::Twin::new(crate::Company::new("c", chrono_tz::UTC));
        let clock = &twin.books.derived().clock;
        let at = |s: &str| crate::calendar::parse_instant(chrono_tz::UTC, s).unwrap();
        // Wednesday 2026-06-03 10:00: the Monday week is [Mon 1 June, Mon 8 June).
        let w = work_week(
            clock,
            NaiveTime::MIN,
            Weekday::Mon,
            at("2026-06-03T10:00:00"),
        );
        assert_eq!(w, Some((at("2026-06-01"), at("2026-06-08"))));
        // Work days from 22:00: Monday 01:00 belongs to Sunday's work day, of the week
        // that began on Monday 25 May at 22:00.
        let ten = NaiveTime::from_hms_opt(22, 0, 0).unwrap();
        let w = work_week(clock, ten, Weekday::Mon, at("2026-06-01T01:00:00"));
        assert_eq!(
            w,
            Some((at("2026-05-25T22:00:00"), at("2026-06-01T22:00:00")))
        );
        // A Sunday week.
        let w = work_week(
            clock,
            NaiveTime::MIN,
            Weekday::Sun,
            at("2026-06-03T10:00:00"),
        );
        assert_eq!(w, Some((at("2026-05-31"), at("2026-06-07"))));
    }
}
