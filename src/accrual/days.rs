//! Daily and salaried accrual (SPEC §5.1).

use super::{Accrual, Line, LineKind};
use crate::calendar::Instant;
use crate::company::SalariedDayBasis;
use crate::error::{Error, Result};
use crate::model::{Contract, Period, Stint};
use crate::money::Exact;
use chrono::{Datelike, NaiveDate};

/// Longest salaried period walked day by day (about 27 years); longer is an error.
const PERIOD_DAYS_MAX: usize = 10_000;

impl Accrual<'_> {
    /// SPEC §5.1 daily: each local date on which the employee starts a counted shift on `C`
    /// earns one daily rate (the version at that instant), at the start instant of the first
    /// such shift of that date, counted in the window holding that instant.
    pub(super) fn daily(
        &self,
        cix: u32,
        c: &Contract,
        lo: Instant,
        hi: Instant,
        lines: &mut Vec<Line>,
    ) -> Result<Exact> {
        if lo >= hi {
            return Ok(Exact::ZERO);
        }
        // Start from the local midnight of lo's date so an earlier first shift of that date
        // is seen (it takes the day, outside this window).
        let day_start = self.clock.midnight(self.clock.date_of(lo));
        let mut last: Option<NaiveDate> = None;
        let mut total: i64 = 0;
        for s in self.counted_shifts(cix, day_start.min(lo), hi) {
            let start = s.start;
            let d = self.clock.date_of(start);
            if last == Some(d) {
                continue;
            }
            last = Some(d);
            if start < lo || start >= hi {
                continue;
            }
            let rate = c.rate_at(start);
            total = total
                .checked_add(rate)
                .ok_or_else(|| Error::overflow("daily gross"))?;
            if self.explain {
                lines.push(Line {
                    kind: LineKind::Daily,
                    contract_id: Some(c.id.to_string()),
                    source_ids: vec![self.twin.shifts.id(s.ix()).to_string()],
                    quantity: "1".into(),
                    unit: "days",
                    rate: Some(rate),
                    multiplier: None,
                    amount: Exact::int(rate).to_fixed(6),
                    exact: Exact::int(rate),
                });
            }
        }
        Ok(Exact::int(total))
    }

    /// SPEC §5.1 salaried: `period_amount × completed_days / days(P)`, where the days of `P`
    /// are the local dates whose 00:00 lies in `P` (working basis: only `workdays`), a day
    /// is completed once its local 24:00 ≤ t and it lies in the stint, and the rate version
    /// is the one in effect at the day's 00:00.
    pub(super) fn salary(
        &self,
        c: &Contract,
        p: &Period,
        st: &Stint,
        lines: &mut Vec<Line>,
    ) -> Result<Exact> {
        let policy = &self.twin.company.policy;
        let sched_freq = self
            .twin
            .schedules
            .get(c.schedule as usize)
            .map(|s| s.frequency);
        let (Some(ppy_r), Some(ppy_s)) = (
            c.rate_period.periods_per_year(),
            sched_freq.and_then(|f| f.periods_per_year()),
        ) else {
            return Ok(Exact::ZERO);
        };
        if st.is_empty() {
            return Ok(Exact::ZERO);
        }
        let mut d = self.clock.date_of(p.start);
        if self.clock.midnight(d) < p.start {
            d = d
                .succ_opt()
                .ok_or_else(|| Error::overflow("salaried days"))?;
        }
        let counts = |d: NaiveDate| match policy.salaried_day_basis {
            SalariedDayBasis::Calendar => true,
            SalariedDayBasis::Working => policy.is_workday(d.weekday()),
        };
        let mut days_total: i64 = 0;
        // (rate, completed days) runs in date order.
        let mut runs: smallvec::SmallVec<[(i64, i64); 4]> = smallvec::SmallVec::new();
        for (walked, (d, midnight, next_midnight)) in self.clock.days_from(d).enumerate() {
            if midnight >= p.stop {
                break;
            }
            if walked >= PERIOD_DAYS_MAX {
                return Err(Error::overflow("salaried period longer than 10,000 days"));
            }
            if counts(d) {
                days_total += 1;
                let completed = next_midnight <= self.t && st.contains_date(d);
                if completed {
                    let rate = c.rate_at(midnight);
                    match runs.last_mut() {
                        Some((r, n)) if *r == rate => *n += 1,
                        _ => runs.push((rate, 1)),
                    }
                }
            }
        }
        if days_total == 0 {
            return Ok(Exact::ZERO);
        }
        let den = i128::from(ppy_s) * i128::from(days_total);
        let mut total = Exact::ZERO;
        for (rate, n) in runs {
            let exact = Exact::new(i128::from(rate) * i128::from(ppy_r) * i128::from(n), den)
                .ok_or_else(|| Error::overflow("salary"))?;
            total = total
                .checked_add(exact)
                .ok_or_else(|| Error::overflow("salary"))?;
            if self.explain {
                lines.push(Line {
                    kind: LineKind::Salary,
                    contract_id: Some(c.id.to_string()),
                    source_ids: Vec::new(),
                    quantity: format!("{n}/{days_total}"),
                    unit: "days",
                    rate: Some(rate),
                    multiplier: None,
                    amount: exact.to_fixed(6),
                    exact,
                });
            }
        }
        Ok(total)
    }
}
