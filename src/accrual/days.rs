//! Daily and salaried accrual (SPEC §5.1).

use super::{Accrual, Line, LineKind};
use crate::calendar::Instant;
use crate::company::{Policy, SalariedDayBasis};
use crate::error::{Error, Result};
use crate::model::ContractIx;
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
        cix: ContractIx,
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
                    name: None,
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
    /// is completed once its local 24:00 ≤ t and it lies in the stint (and is not a date of
    /// approved unpaid leave, SPEC §5.5), and the rate version is the one in effect at the
    /// day's 00:00.
    pub(super) fn salary(
        &self,
        cix: ContractIx,
        c: &Contract,
        p: &Period,
        st: &Stint,
        lines: &mut Vec<Line>,
    ) -> Result<Exact> {
        let sched_freq = self.twin.schedules.get(c.schedule).map(|s| s.frequency);
        let (Some(ppy_r), Some(ppy_s)) = (
            c.rate_period.periods_per_year(),
            sched_freq.and_then(|f| f.periods_per_year()),
        ) else {
            return Ok(Exact::ZERO);
        };
        if st.is_empty() {
            return Ok(Exact::ZERO);
        }
        // The table does not know leave: an employee with leaves walks the days (SPEC §5.5).
        let tabulated = if self.emp.leaves.is_empty() {
            self.salary_days_tabulated(c, p, st)
        } else {
            None
        };
        let (days_total, runs) = match tabulated {
            Some(found) => found,
            None => self.salary_days_walked(cix, c, p, st)?,
        };
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
                    name: None,
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

/// Bit w set when weekday w (from Monday) is a counted date of `policy` (SPEC §5.1 salaried).
#[inline]
fn weekday_mask(policy: &Policy) -> u8 {
    match policy.salaried_day_basis {
        SalariedDayBasis::Calendar => 0x7f,
        SalariedDayBasis::Working => {
            let mut w = chrono::Weekday::Mon;
            let mut m = 0u8;
            for bit in 0..7 {
                if policy.is_workday(w) {
                    m |= 1 << bit;
                }
                w = w.succ();
            }
            m
        }
    }
}

/// Counted dates among table indexes `[a, b)`, index 0 on `first_weekday` (SPEC §5.1 salaried).
#[inline]
fn counted_days(mask: u8, first_weekday: usize, a: usize, b: usize) -> i64 {
    if b <= a {
        return 0;
    }
    let n = b - a;
    let per_week = i64::from(mask.count_ones());
    let mut total = (n / 7) as i64 * per_week;
    let w0 = (first_weekday + a + (n / 7) * 7) % 7;
    for j in 0..n % 7 {
        if mask & (1 << ((w0 + j) % 7)) != 0 {
            total += 1;
        }
    }
    total
}

/// `(rate, completed days)` runs of a salaried period in date order.
type Runs = smallvec::SmallVec<[(i64, i64); 4]>;

/// Adds `n` completed days at `rate` to the runs (merged with the last run of that rate).
fn push_days(runs: &mut Runs, rate: i64, n: i64) {
    if n <= 0 {
        return;
    }
    match runs.last_mut() {
        Some((r, m)) if *r == rate => *m += n,
        _ => runs.push((rate, n)),
    }
}

impl Accrual<'_> {
    /// SPEC §5.1 salaried days, walked date by date: `(days(P), completed-day runs)`.
    /// A date of approved unpaid leave on contract `cix` is not completed (SPEC §5.5).
    fn salary_days_walked(
        &self,
        cix: ContractIx,
        c: &Contract,
        p: &Period,
        st: &Stint,
    ) -> Result<(i64, Runs)> {
        let policy = &self.twin.company.policy;
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
        let mut runs = Runs::new();
        for (walked, (d, midnight, next_midnight)) in self.clock.days_from(d).enumerate() {
            if midnight >= p.stop {
                break;
            }
            if walked >= PERIOD_DAYS_MAX {
                return Err(Error::overflow("salaried period longer than 10,000 days"));
            }
            if counts(d) {
                days_total += 1;
                let completed =
                    next_midnight <= self.t && st.contains_date(d) && !self.unpaid_leave_on(cix, d);
                if completed {
                    push_days(&mut runs, c.rate_at(midnight), 1);
                }
            }
        }
        Ok((days_total, runs))
    }

    /// The same days as [`Accrual::salary_days_walked`], counted from the tabulated local
    /// midnights without walking them: the dates of `P` are the table indexes whose 00:00 lies
    /// in `[start_at, stop_at)`, a date is completed when the next index's 00:00 is ≤ t, the
    /// stint and the rate versions cut that index range, and working days are counted by
    /// weekday arithmetic. `None` when the period is not inside the table (then walk).
    fn salary_days_tabulated(&self, c: &Contract, p: &Period, st: &Stint) -> Option<(i64, Runs)> {
        let policy = &self.twin.company.policy;
        let (first, v) = self.clock.table(chrono::NaiveTime::MIN)?;
        let k0 = v.partition_point(|m| *m < p.start);
        let k1 = v.partition_point(|m| *m < p.stop);
        // The table must hold a midnight before the period and one at or after its end.
        if k0 == 0 || k1 >= v.len() || k1 - k0 >= PERIOD_DAYS_MAX {
            return None;
        }
        let mask = weekday_mask(policy);
        let first_weekday = first.weekday().num_days_from_monday() as usize;
        let count = |a: usize, b: usize| counted_days(mask, first_weekday, a, b);
        let days_total = count(k0, k1);
        // Completed: v[k + 1] ≤ t.
        let done = v.partition_point(|m| *m <= self.t).saturating_sub(1);
        // Inside the stint's dates.
        let index_of = |d: chrono::NaiveDate| -> i64 {
            i64::from(d.num_days_from_ce()) - i64::from(first.num_days_from_ce())
        };
        let clamp = |k: i64| usize::try_from(k.max(0)).unwrap_or(0).min(k1);
        let from = st.start_on.map_or(k0, |d| clamp(index_of(d)).max(k0));
        let to = st
            .stop_on
            .map_or(k1, |d| clamp(index_of(d).saturating_add(1)))
            .min(k1)
            .min(done);
        let mut runs = Runs::new();
        if from < to {
            // The version in force at index k's midnight: the latest with from ≤ it, else
            // the earliest, so version i covers the indexes from its `from` to the next's.
            for (i, version) in c.versions.iter().enumerate() {
                let lo = if i == 0 {
                    from
                } else {
                    v.partition_point(|m| *m < version.from).max(from)
                };
                let hi = c
                    .versions
                    .get(i + 1)
                    .map_or(to, |n| v.partition_point(|m| *m < n.from).min(to));
                push_days(&mut runs, version.amount, count(lo, hi));
            }
        }
        Some((days_total, runs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ix;
    use crate::model::RateVersion;
    use chrono::Weekday;
    use proptest::prelude::*;

    const HOUR: i64 = 3_600_000_000;

    /// `(days(P), completed-day runs)`.
    type Days = (i64, Runs);

    fn twin() -> crate::Twin {
        static TWIN: std::sync::OnceLock<crate::Twin> = std::sync::OnceLock::new();
        TWIN.get_or_init(|| {
            crate::generate::twin(&crate::generate::Options {
                employees: 1,
                ..Default::default()
            })
            .unwrap()
        })
        .clone()
    }

    /// 2026-06-01 00:00 UTC, inside the generated schedules' dates.
    fn base() -> i64 {
        // 56 years of 365 days and 14 leap days, then January to May (151 days).
        ((56 * 365 + 14 + 151) * 24) * HOUR
    }

    #[allow(clippy::too_many_arguments)]
    fn both(
        working: bool,
        workdays: u8,
        start_h: i64,
        len_h: i64,
        t_h: i64,
        stint: (Option<i64>, Option<i64>),
        versions: &[(i64, i64)],
    ) -> (Option<Days>, Result<Days>) {
        let mut twin = twin();
        let policy = &mut twin.books.company.policy;
        policy.salaried_day_basis = if working {
            SalariedDayBasis::Working
        } else {
            SalariedDayBasis::Calendar
        };
        let mut w = Weekday::Mon;
        policy.workdays.clear();
        for bit in 0..7 {
            if workdays & (1 << bit) != 0 {
                policy.workdays.push(w);
            }
            w = w.succ();
        }
        let mut c = twin.books.contracts[0].clone();
        let mut versions: Vec<RateVersion> = versions
            .iter()
            .map(|&(h, amount)| RateVersion {
                from: Instant::from_micros(base() + h * HOUR),
                amount,
            })
            .collect();
        versions.sort_by_key(|v| v.from);
        c.versions = versions;
        let start = Instant::from_micros(base() + start_h * HOUR);
        let p = Period {
            id: "P".into(),
            start,
            stop: Instant::from_micros(start.as_micros() + len_h * HOUR),
            pay_at: Instant::MAX,
        };
        let june = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let date = |d: i64| june.checked_add_signed(chrono::Duration::days(d));
        let st = Stint {
            start_on: stint.0.and_then(date),
            stop_on: stint.1.and_then(date),
            start: Instant::MIN,
            end: Instant::MAX,
        };
        let emp = &twin.books.employees[0];
        let acc = Accrual::new(
            &twin.books,
            emp,
            Instant::from_micros(base() + t_h * HOUR),
            false,
        );
        (
            acc.salary_days_tabulated(&c, &p, &st),
            acc.salary_days_walked(ContractIx::numbered(0), &c, &p, &st),
        )
    }

    proptest! {
        /// Counting salaried days from the table gives what walking them date by date gives.
        #[test]
        fn tabulated_salary_days_are_the_walked_ones(
            start_h in -1500i64..1500,
            len_h in 1i64..1500,
            t_h in -1600i64..3200,
            stint in (proptest::option::of(-70i64..130), proptest::option::of(-70i64..130)),
            versions in proptest::collection::vec((-1600i64..3200, 1i64..1_000_000), 1..4),
            working in any::<bool>(),
            workdays in 0u8..128,
        ) {
            let (fast, walked) = both(working, workdays, start_h, len_h, t_h, stint, &versions);
            if let Some(fast) = fast {
                prop_assert_eq!(Some(fast), walked.ok());
            }
        }
    }

    #[test]
    fn june_is_counted_from_the_table() {
        // June 2026 from local midnight to local midnight (Brussels is UTC+2), as of
        // 2026-06-20 12:00 UTC; two versions, the second from the 15th 00:00 local:
        // calendar basis: 30 days, completed 1–19 June: 14 at the first rate, 5 at the
        // second. Working basis (Mon–Fri): June 2026 starts on a Monday, 22 workdays; the
        // completed workdays are 1–5, 8–12 (10 before the 15th) and 15–19 (5).
        let v = [(-2, 100), (14 * 24 - 2, 200)];
        let june = (-2, 30 * 24, 19 * 24 + 12);
        let (fast, walked) = both(false, 0x1f, june.0, june.1, june.2, (None, None), &v);
        assert_eq!(
            fast,
            Some((30, [(100, 14), (200, 5)].into_iter().collect()))
        );
        assert_eq!(fast, walked.ok());
        let (fast, walked) = both(true, 0x1f, june.0, june.1, june.2, (None, None), &v);
        assert_eq!(
            fast,
            Some((22, [(100, 10), (200, 5)].into_iter().collect()))
        );
        assert_eq!(fast, walked.ok());
        // A stint from the 10th to the 16th: completed 10–16, 5 then 2 (calendar).
        let (fast, walked) = both(false, 0x1f, june.0, june.1, june.2, (Some(9), Some(15)), &v);
        assert_eq!(fast, Some((30, [(100, 5), (200, 2)].into_iter().collect())));
        assert_eq!(fast, walked.ok());
    }
}
