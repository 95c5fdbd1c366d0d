//! Advance limits (SPEC §6, §9 "Advance limits"): the caps on what `R` can give, the daily,
//! weekly and monthly windows, the fee of the delivery asked as the monthly fee cap leaves
//! it, and the gates `on_leave`, `shortfall_outstanding` and `repayment_too_far`.
//!
//! Day, week (7 dates from the company's `week_starts_on`) and month are the company's local
//! calendar date, week and month of an advance's `requested_at`, over all recovery periods
//! (SPEC §9). The windows sum the advances the answer sees (SPEC §6: requested by `t` and
//! not cancelled by `t` for an answer; every recorded one for a request). Nothing here is
//! computed when its policy field is absent: the bulk answer pays nothing for them.

use super::answer::Limit;
use super::{fee_of, largest_fitting, RecoveryGroup};
use crate::accrual::Books;
use crate::calendar::Instant;
use crate::company::{Fee, LeavePause, Policy};
use crate::error::Result;
use crate::model::{Advance, Employee, Reason, Reasons};
use crate::money;
use chrono::{Datelike, NaiveDate};

/// Microseconds in 24 hours: `max_repayment_days` is measured in real hours (SPEC §9).
const DAY_MICROS: i128 = 86_400_000_000;

/// The fee of the delivery asked (SPEC §6): `fee(A) = min(flat + ceil(A × rate_bps / 10000),
/// left)`, where `left = max(0, fee_cap_per_month − this month's Σ fees)`; without a monthly
/// cap, the first term alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Pricing {
    /// The policy's fee schedule of the delivery.
    pub fee: Fee,
    /// What the monthly fee cap leaves (`None`: no cap).
    pub left: Option<i64>,
}

impl Pricing {
    /// `fee(amount)`, the fee recorded and quoted (SPEC §6, §9: the cut fee).
    pub fn of(self, amount: i64) -> Option<i64> {
        let full = fee_of(self.fee, amount)?;
        Some(self.left.map_or(full, |left| full.min(left)))
    }

    /// The largest `A` with `A + fee(A) ≤ h` (0 when none). `A + min(full(A), left) ≤ h`
    /// holds iff `A + full(A) ≤ h` or `A ≤ h − left`: the larger of the two bounds.
    pub fn largest_fitting(self, h: i64) -> i64 {
        let full = largest_fitting(self.fee, h);
        match self.left {
            Some(left) => full.max(h.saturating_sub(left)).max(0),
            None => full,
        }
    }

    /// Whether `fee(1) > 0` (then every `A ≥ 1` has a fee: `fee` never falls as `A` grows).
    pub fn charges(self) -> bool {
        self.of(1).is_some_and(|f| f > 0)
    }
}

/// The employee's advances in the local date, week and month of `t` (SPEC §6): Σ amounts
/// of the day and of the week, Σ recorded fees of the month. A window whose policy field is
/// absent stays 0.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Windows {
    pub day: i64,
    pub week: i64,
    pub month_fees: i64,
}

/// What the employee has taken from `R`'s group already (SPEC §6 caps): Σ amounts, how
/// many advances, and how many of them with a recorded fee > 0.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Taken {
    pub amounts: i64,
    pub count: i64,
    pub with_fee: i64,
}

/// The first date of the local week holding `d`, weeks starting on `start` (SPEC §9).
fn week_start(d: NaiveDate, start: chrono::Weekday) -> NaiveDate {
    let back = (7 + d.weekday().num_days_from_monday() - start.num_days_from_monday()) % 7;
    d - chrono::Days::new(u64::from(back))
}

impl Books {
    /// The day, week and month sums of SPEC §6 over `advances` (those the answer sees),
    /// each only when the policy caps it.
    pub(crate) fn windows(&self, advances: &[&Advance], t: Instant) -> Result<Windows> {
        let p = &self.company.policy;
        let mut w = Windows::default();
        let (day, week, month) = (
            p.max_per_day.is_some(),
            p.max_per_week.is_some(),
            p.fee_cap_per_month.is_some(),
        );
        if advances.is_empty() || !(day || week || month) {
            return Ok(w);
        }
        let clock = &self.derived().clock;
        let today = clock.date_of(t);
        let start = self.company.week_starts_on;
        let this_week = week_start(today, start);
        for a in advances {
            let d = clock.date_of(a.requested_at);
            // SPEC §6 `max_per_day`: the local date of `t`.
            if day && d == today {
                w.day = money::add(w.day, a.amount, "max_per_day")?;
            }
            // SPEC §6 `max_per_week`: the 7 local dates from `week_starts_on` holding `t`.
            if week && week_start(d, start) == this_week {
                w.week = money::add(w.week, a.amount, "max_per_week")?;
            }
            // SPEC §6 `fee_cap_per_month`: recorded (already cut) fees of the local month.
            if month && (d.year(), d.month()) == (today.year(), today.month()) {
                w.month_fees = money::add(w.month_fees, a.fee, "fee_cap_per_month")?;
            }
        }
        Ok(w)
    }

    /// The fee of `fee`'s delivery as the monthly cap leaves it this month (SPEC §6).
    pub(crate) fn pricing(&self, fee: Fee, w: Windows) -> Pricing {
        let left = self
            .company
            .policy
            .fee_cap_per_month
            .map(|cap| cap.saturating_sub(w.month_fees).max(0));
        Pricing { fee, left }
    }

    /// SPEC §6 `pause_on_leave`, §9: the local date of `t` is a date of approved leave of
    /// the paused kind (`unpaid`: the leave that counts that date, paid winning over unpaid,
    /// is unpaid; `any`: any), on an assignment the leave applies to whose dates hold it.
    pub(crate) fn on_leave(&self, emp: &Employee, t: Instant) -> bool {
        let pause = self.company.policy.pause_on_leave;
        if pause == LeavePause::None || emp.leaves.is_empty() {
            return false;
        }
        let today = self.derived().clock.date_of(t);
        match self.leave_on(emp, today) {
            Some(paid) => pause == LeavePause::Any || !paid,
            None => false,
        }
    }

    /// The gates of SPEC §6 that need `R`: `shortfall_outstanding` and `repayment_too_far`.
    pub(crate) fn recovery_gates(
        &self,
        reasons: &mut Reasons,
        g: &RecoveryGroup,
        t: Instant,
        carried_shortfall: i64,
    ) {
        let p = &self.company.policy;
        // SPEC §6 `pause_on_shortfall`: R exists and a carried shortfall is outstanding.
        if p.pause_on_shortfall && carried_shortfall > 0 {
            reasons.insert(Reason::ShortfallOutstanding);
        }
        // SPEC §6, §9 `max_repayment_days`: R's `pay_at − t` > days × 24 real hours.
        if let Some(days) = p.max_repayment_days {
            let wait = i128::from(g.pay_at.as_micros()) - i128::from(t.as_micros());
            if wait > i128::from(days) * DAY_MICROS {
                reasons.insert(Reason::RepaymentTooFar);
            }
        }
    }
}

/// Applies every cap of SPEC §6 to `fits` (the largest `A` the headroom allows), each with
/// its reason: `max_advance`, `max_per_period`, `max_advances_per_period`, `max_per_day`,
/// `max_per_week`, `max_fee_advances_per_period`. Returns the amount they leave (≥ 0) and
/// the amount cap that set it, when one is below `fits` (what `ewa explain` names).
pub(crate) fn caps(
    p: &Policy,
    fits: i64,
    taken: Taken,
    w: Windows,
    pricing: Pricing,
    reasons: &mut Reasons,
) -> (i64, Option<Limit>) {
    let mut avail = fits;
    let mut by = None;
    let mut cap = |avail: &mut i64, limit: Limit, most: i64| {
        if most < *avail {
            *avail = most;
            by = Some(limit);
        }
    };
    // SPEC §6 `max_advance`.
    if let Some(m) = p.max_advance {
        cap(&mut avail, Limit::MaxAdvance, m);
    }
    // SPEC §6 `max_per_period`: Σ amounts recovered from R + A ≤ cap.
    if let Some(m) = p.max_per_period {
        cap(
            &mut avail,
            Limit::MaxPerPeriod,
            m.saturating_sub(taken.amounts),
        );
        if taken.amounts >= m {
            reasons.insert(Reason::PeriodCapReached);
        }
    }
    // SPEC §6 `max_advances_per_period`: taken < cap.
    if p.max_advances_per_period.is_some_and(|m| taken.count >= m) {
        avail = 0;
        reasons.insert(Reason::AdvanceCountReached);
    }
    // SPEC §6 `max_per_day`: today's Σ amounts + A ≤ cap.
    if let Some(m) = p.max_per_day {
        cap(&mut avail, Limit::MaxPerDay, m.saturating_sub(w.day));
        if w.day >= m {
            reasons.insert(Reason::DailyLimitReached);
        }
    }
    // SPEC §6 `max_per_week`: this week's Σ amounts + A ≤ cap.
    if let Some(m) = p.max_per_week {
        cap(&mut avail, Limit::MaxPerWeek, m.saturating_sub(w.week));
        if w.week >= m {
            reasons.insert(Reason::WeeklyLimitReached);
        }
    }
    // SPEC §6, §9 `max_fee_advances_per_period`: once that many advances with a fee are
    // recovered from R's group, only an advance without fee; `fee(1) > 0` means none is.
    if p.max_fee_advances_per_period
        .is_some_and(|m| taken.with_fee >= m)
        && pricing.charges()
    {
        avail = 0;
        reasons.insert(Reason::FeeAdvanceCountReached);
    }
    (avail.max(0), by)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_monthly_cut_lowers_the_fee_and_raises_what_fits() {
        // $4 flat, $30 a month, $28 charged already: fee(A) = min(400, 200) = 200.
        let p = Pricing {
            fee: Fee {
                flat: 400,
                rate_bps: 0,
            },
            left: Some(200),
        };
        assert_eq!(p.of(1_000), Some(200));
        // Headroom 10,000: A + 200 ≤ 10,000 → 9,800 (uncut: 9,600).
        assert_eq!(p.largest_fitting(10_000), 9_800);
        assert_eq!(largest_fitting(p.fee, 10_000), 9_600);
        // Nothing left: free, and the whole headroom fits.
        let free = Pricing { left: Some(0), ..p };
        assert_eq!((free.of(5), free.largest_fitting(700)), (Some(0), 700));
        assert!(p.charges() && !free.charges());
        assert_eq!(free.largest_fitting(-3), 0);
    }

    #[test]
    fn weeks_start_on_the_company_day() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // 2026-06-10 is a Wednesday.
        assert_eq!(
            week_start(d("2026-06-10"), chrono::Weekday::Mon),
            d("2026-06-08")
        );
        assert_eq!(
            week_start(d("2026-06-10"), chrono::Weekday::Sun),
            d("2026-06-07")
        );
        assert_eq!(
            week_start(d("2026-06-10"), chrono::Weekday::Wed),
            d("2026-06-10")
        );
        assert_eq!(
            week_start(d("2026-06-10"), chrono::Weekday::Thu),
            d("2026-06-04")
        );
    }
}
