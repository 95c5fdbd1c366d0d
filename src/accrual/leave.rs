//! Holidays and leave (SPEC §5.5): paid holidays on hourly contracts, paid leave on hourly
//! and daily contracts, and which dates of approved unpaid leave a salaried contract does
//! not count as completed days.
//!
//! Per local date `d` inside the assignment, counted once `d` is completed (its local
//! 24:00 ≤ `t`), in the window holding `d 00:00`:
//! - a company holiday on an hourly contract with `holiday_pay_hours` `h > 0` earns
//!   `h × rate(d 00:00)` (a `holiday` line);
//! - otherwise the date's leave (the employee's approved leaves that apply to the contract,
//!   after "paid wins over unpaid" and "two paid: the larger `hours_per_day`"), when paid,
//!   earns `hours_per_day × rate(d 00:00)` on an hourly contract and one daily rate on a
//!   daily contract unless a counted shift on that contract starts on `d` (a `leave` line).
//!
//! Holiday and leave hours are not hours worked: nothing here touches the shifts that the
//! overtime counters (SPEC §5.2) and the minimum wage (SPEC §5.7) read.

use super::{Accrual, Line, LineKind};
use crate::calendar::{Frequency, Instant};
use crate::error::{Error, Result};
use crate::model::ContractIx;
use crate::model::{Contract, LeaveDay, Stint};
use crate::money::Exact;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use smallvec::SmallVec;

/// Seconds per hour, for the quantity of an hourly line.
const HOUR_SECONDS: Decimal = Decimal::from_parts(3600, 0, 0, false, 0);

/// What one date earns on one contract (SPEC §5.5).
#[derive(Clone, Copy)]
enum DayPay {
    /// `hours × rate(d 00:00)` of a company holiday.
    Holiday(Decimal),
    /// `hours × rate(d 00:00)` of paid leave on an hourly contract.
    HourlyLeave(LeaveDay),
    /// One daily rate of paid leave on a daily contract.
    DailyLeave(LeaveDay),
}

impl Accrual<'_> {
    /// SPEC §5.5: the holiday and leave pay of contract `c` (index `cix`) for the dates whose
    /// 00:00 lies in `[lo, hi)` (the window ∩ stint `st`) and that are completed at `t`.
    pub(super) fn holidays_and_leave(
        &self,
        cix: ContractIx,
        c: &Contract,
        st: &Stint,
        lo: Instant,
        hi: Instant,
        lines: &mut Vec<Line>,
    ) -> Result<Exact> {
        let holidays = c.rate_period == Frequency::Hourly
            && c.holiday_pay_hours > Decimal::ZERO
            && !self.twin.company.holidays().is_empty();
        let leave = matches!(c.rate_period, Frequency::Hourly | Frequency::Daily)
            && !self.emp.leaves.is_empty();
        if lo >= hi || !(holidays || leave) {
            return Ok(Exact::ZERO);
        }
        let mut total = Exact::ZERO;
        for d in self.candidate_dates(cix, lo, hi, holidays, leave) {
            let midnight = self.clock.midnight(d);
            let completed = d
                .succ_opt()
                .is_some_and(|next| self.clock.midnight(next) <= self.t);
            if midnight < lo || midnight >= hi || !completed || !st.contains_date(d) {
                continue;
            }
            let Some(pay) = self.day_pay(cix, c, d, holidays) else {
                continue;
            };
            let exact = self.day_line(c, d, midnight, pay, lines)?;
            total = total
                .checked_add(exact)
                .ok_or_else(|| Error::overflow("holiday and leave pay"))?;
        }
        Ok(total)
    }

    /// The dates that may earn in `[lo, hi)`: company holidays (with `holidays`) and the
    /// dates of the employee's approved leaves that apply to contract `cix` (with `leave`),
    /// in date order, each once.
    fn candidate_dates(
        &self,
        cix: ContractIx,
        lo: Instant,
        hi: Instant,
        holidays: bool,
        leave: bool,
    ) -> SmallVec<[NaiveDate; 8]> {
        let first = self.clock.date_of(lo);
        let last = self.clock.date_of(hi);
        let mut dates = SmallVec::new();
        if first > last {
            return dates;
        }
        if holidays {
            dates.extend(
                self.twin
                    .company
                    .holidays()
                    .range(first..=last)
                    .map(|(d, _)| *d),
            );
        }
        if leave {
            let approved = self
                .emp
                .leaves
                .iter()
                .filter_map(|&ix| self.twin.leaves.get(ix))
                .filter(|l| l.applies_to(cix));
            for l in approved {
                let from = l.start_on.max(first);
                let to = l.stop_on.min(last);
                // At most 366 dates per leave (SPEC §2).
                dates.extend(from.iter_days().take_while(|d| *d <= to));
            }
        }
        dates.sort_unstable();
        dates.dedup();
        dates
    }

    /// What date `d` earns on contract `c`, if anything (SPEC §5.5): holiday pay first, then
    /// paid leave (hourly: its hours; daily: a day, unless a counted shift starts on `d`).
    fn day_pay(
        &self,
        cix: ContractIx,
        c: &Contract,
        d: NaiveDate,
        holidays: bool,
    ) -> Option<DayPay> {
        if holidays && self.twin.company.is_holiday(d) {
            // A holiday with holiday pay earns that only, even on a paid leave date.
            return Some(DayPay::Holiday(c.holiday_pay_hours));
        }
        let day = self.twin.leave_day(self.emp, cix, d).filter(|l| l.paid)?;
        match c.rate_period {
            Frequency::Hourly => Some(DayPay::HourlyLeave(day)),
            Frequency::Daily => {
                let start = self.clock.midnight(d);
                let end = self.clock.midnight(d.succ_opt()?);
                let worked = self
                    .counted_shifts(cix, start, end)
                    .any(|s| s.start >= start && s.start < end);
                (!worked).then_some(DayPay::DailyLeave(day))
            }
            _ => None,
        }
    }

    /// The exact amount of one date's pay, and its explain line.
    fn day_line(
        &self,
        c: &Contract,
        d: NaiveDate,
        midnight: Instant,
        pay: DayPay,
        lines: &mut Vec<Line>,
    ) -> Result<Exact> {
        let rate = c.rate_at(midnight);
        let overflow = || Error::overflow("holiday and leave pay");
        let (kind, hours) = match pay {
            DayPay::Holiday(h) => (LineKind::Holiday, Some(h)),
            DayPay::HourlyLeave(l) => (LineKind::Leave, Some(l.hours_per_day)),
            DayPay::DailyLeave(_) => (LineKind::Leave, None),
        };
        let exact = match hours {
            Some(h) => Exact::from_decimal(h)
                .and_then(|h| h.checked_mul(Exact::int(rate)))
                .ok_or_else(overflow)?,
            None => Exact::int(rate),
        };
        if self.explain {
            // The line's source: the holiday's date, or the leave's id (text built only here:
            // an answer without lines formats nothing).
            let source = match pay {
                DayPay::Holiday(_) => d.to_string(),
                DayPay::HourlyLeave(l) | DayPay::DailyLeave(l) => self.leave_id(l),
            };
            let (quantity, unit) = match hours {
                Some(h) => {
                    let seconds = h.checked_mul(HOUR_SECONDS).ok_or_else(overflow)?;
                    (seconds.normalize().to_string(), "seconds")
                }
                None => ("1".to_string(), "days"),
            };
            lines.push(Line {
                kind,
                name: None,
                contract_id: Some(c.id.to_string()),
                source_ids: vec![source],
                quantity,
                unit,
                rate: Some(rate),
                multiplier: None,
                amount: exact.to_fixed(6),
                exact,
            });
        }
        Ok(exact)
    }

    fn leave_id(&self, l: LeaveDay) -> String {
        self.twin
            .leaves
            .get(l.leave)
            .map(|l| l.id.to_string())
            .unwrap_or_default()
    }

    /// SPEC §5.1, §5.5: whether local date `d` is a date of approved unpaid leave on salaried
    /// contract `cix` (after "paid wins over unpaid"): then it is not a completed day.
    pub(super) fn unpaid_leave_on(&self, cix: ContractIx, d: NaiveDate) -> bool {
        !self.emp.leaves.is_empty()
            && self
                .twin
                .leave_day(self.emp, cix, d)
                .is_some_and(|l| !l.paid)
    }
}
