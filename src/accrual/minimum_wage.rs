//! The minimum-wage top-up (SPEC §5.7 second bullet, §9 "Minimum wage").
//!
//! Per employee, contract `C` with `custom_info.minimum_wage` and work week of `C` (its
//! overtime `workday_starts_at`, else 00:00 work days; the company's `week_starts_on`),
//! over the paid seconds worked on `C` in that week before `t`:
//! `due = hourly × hours`; `paid = straight pay (every paid second at its rate, overtime
//! seconds at their straight rate) + all of C's §5.4 premiums (+ tips, with tip_credit)`;
//! `top_up = max(0, due − paid)`. Overtime premiums are not part of `paid`. The top-up is
//! shared among the periods' windows in proportion to the week's paid seconds in each,
//! exactly; like the regular rate it may change until the week ends. A top-up also enters
//! the regular rate (SPEC §5.2, §9) of a week in proportion to its paid seconds in that week.

use super::hourly::MICROS_PER_HOUR;
use super::regular_rate::WEEKS_MAX;
use super::regular_rate::{add, mul, ratio, work_week, workday_starts_at, Paid};
use super::{seconds_text, Accrual, Line, LineKind};
use crate::calendar::{Frequency, Instant};
use crate::error::{Error, Result};
use crate::model::ContractIx;
use crate::model::{Contract, MinimumWage};
use crate::money::Exact;

/// The top-up of one work week of a contract at `t`, with the paid time it is shared over
/// (its paid pieces are `Accrual::paid_time` of the week before `t` on the contract).
pub(crate) struct WeekTopUp {
    /// `max(0, due − paid)`.
    pub top_up: Exact,
    /// Its total in microseconds (0 when the top-up is 0 without walking the week).
    pub micros: i64,
}

/// Microseconds of `paid` inside `[lo, hi)`.
fn micros_in(paid: &[Paid], lo: Instant, hi: Instant) -> i64 {
    paid.iter()
        .map(|p| {
            let (a, b) = (p.start.max(lo), p.stop.min(hi));
            b.as_micros().saturating_sub(a.as_micros()).max(0)
        })
        .sum()
}

impl Accrual<'_> {
    /// The work weeks of contract `c` that overlap `[lo, hi)`, in order (at most
    /// [`WEEKS_MAX`]).
    pub(crate) fn weeks_of(
        &self,
        c: &Contract,
        lo: Instant,
        hi: Instant,
    ) -> smallvec::SmallVec<[(Instant, Instant); 6]> {
        let mut out = smallvec::SmallVec::new();
        let starts_at = workday_starts_at(c);
        let week_starts_on = self.twin.company.week_starts_on;
        let mut x = lo;
        while x < hi && out.len() < WEEKS_MAX {
            let Some((ws, we)) = work_week(self.clock, starts_at, week_starts_on, x) else {
                break;
            };
            if we <= x {
                break;
            }
            out.push((ws, we));
            x = we;
        }
        out
    }

    /// The top-up of contract `cix`'s work week `[ws, we)` at `t` (see the module docs).
    ///
    /// # Errors
    /// [`Error::Overflow`] when an amount does not fit.
    pub(crate) fn week_top_up(
        &self,
        cix: ContractIx,
        c: &Contract,
        mw: MinimumWage,
        (ws, we): (Instant, Instant),
    ) -> Result<WeekTopUp> {
        let what = "minimum wage";
        // paid ≥ straight pay ≥ (the contract's lowest rate) × hours, premiums and tips
        // being ≥ 0: when no rate version is below `hourly`, due ≤ paid and the top-up is
        // 0 whatever the week holds (no need to walk it).
        if c.versions.iter().all(|v| v.amount >= mw.hourly) {
            return Ok(WeekTopUp {
                top_up: Exact::ZERO,
                micros: 0,
            });
        }
        let hi = we.min(self.t);
        let paid = self.paid_time(ws, hi, Some(cix));
        let micros: i64 = paid.iter().map(Paid::micros).sum();
        if micros <= 0 {
            return Ok(WeekTopUp {
                top_up: Exact::ZERO,
                micros: 0,
            });
        }
        let hours =
            Exact::new(i128::from(micros), MICROS_PER_HOUR).ok_or_else(|| Error::overflow(what))?;
        let due = mul(Exact::int(mw.hourly), hours, what)?;
        let mut got = self.straight_sum(&paid, Some(c), what)?;
        got = add(got, self.stint_premiums(cix, c, (ws, hi), false)?, what)?;
        if mw.tip_credit {
            // SPEC §5.7: with the tip credit, the week's tips count toward the minimum.
            got = add(got, self.tips_earned(cix, ws, hi)?, what)?;
        }
        let short = due.checked_sub(got).ok_or_else(|| Error::overflow(what))?;
        let top_up = if short.numer() > 0 {
            short
        } else {
            Exact::ZERO
        };
        Ok(WeekTopUp { top_up, micros })
    }

    /// Contract `cix`'s minimum-wage top-ups in the window `[lo, hi)` (inside one stint):
    /// each week's share in proportion to its paid seconds in the window, one line each.
    pub(super) fn minimum_wage(
        &self,
        cix: ContractIx,
        c: &Contract,
        mw: MinimumWage,
        (lo, hi): (Instant, Instant),
        lines: &mut Vec<Line>,
    ) -> Result<Exact> {
        let what = "minimum wage";
        let mut total = Exact::ZERO;
        for week in self.weeks_of(c, lo, hi) {
            let (top_up, micros) = self.week_top_up_once(cix, c, mw, week)?;
            if top_up == Exact::ZERO {
                continue;
            }
            // The week's paid time on the contract before `t`, as `week_top_up` reads it.
            let paid = self.paid_time(week.0, week.1.min(self.t), Some(cix));
            let inside = micros_in(&paid, lo, hi);
            if inside <= 0 {
                continue;
            }
            let share = mul(top_up, ratio(inside, micros, what)?, what)?;
            total = add(total, share, what)?;
            if self.explain {
                let mut source_ids: Vec<String> = Vec::new();
                for p in paid.iter().filter(|p| p.start < hi && p.stop > lo) {
                    let id = self.twin.shifts.id(p.shift).to_string();
                    if !source_ids.contains(&id) {
                        source_ids.push(id);
                    }
                }
                lines.push(Line {
                    kind: LineKind::MinimumWage,
                    contract_id: Some(c.id.to_string()),
                    source_ids,
                    quantity: seconds_text(inside),
                    unit: "seconds",
                    rate: Some(mw.hourly),
                    multiplier: None,
                    amount: share.to_fixed(6),
                    name: None,
                    exact: share,
                });
            }
        }
        Ok(total)
    }

    /// The minimum-wage top-ups of every hourly contract of the employee with the rule that
    /// enter the regular rate of `[lo, hi)` (SPEC §9): each week's top-up × its paid seconds
    /// in `[lo, hi)` / its paid seconds.
    pub(crate) fn top_ups_in(&self, lo: Instant, hi: Instant) -> Result<Exact> {
        let what = "regular rate";
        let mut total = Exact::ZERO;
        for a in &self.emp.assignments {
            let Some(c) = self.twin.contracts.get(a.contract) else {
                continue;
            };
            let Some(mw) = c
                .minimum_wage
                .filter(|_| c.rate_period == Frequency::Hourly)
            else {
                continue;
            };
            for week in self.weeks_of(c, lo, hi) {
                let (top_up, micros) = self.week_top_up_once(a.contract, c, mw, week)?;
                if top_up == Exact::ZERO {
                    continue;
                }
                let paid = self.paid_time(week.0, week.1.min(self.t), Some(a.contract));
                let inside = micros_in(&paid, lo, hi);
                if inside > 0 {
                    let share = mul(top_up, ratio(inside, micros, what)?, what)?;
                    total = add(total, share, what)?;
                }
            }
        }
        Ok(total)
    }
}
