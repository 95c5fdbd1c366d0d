//! The pay-period generator (SPEC §2, pay_schedule: "the library also offers a period
//! generator from a frequency, a first start and a pay lag").
//!
//! Boundaries are company-local midnights converted with [`local_midnight`], so a period
//! that contains a DST change is 23 or 25 hours (or a daily period in a zone that skips a
//! whole day, none). Periods are half-open `[start_at, stop_at)` and consecutive ones touch
//! exactly: period `n`'s `stop_at` is period `n + 1`'s `start_at`.

use std::fmt;

use chrono::{Datelike, Days, Months, NaiveDate};
use chrono_tz::Tz;

use super::{local_date, local_midnight, Instant};

/// The most periods one call of [`PeriodGenerator::take`] or [`PeriodGenerator::until`]
/// produces (SPEC §7: a limit on everything). 100,000 daily periods are 273 years.
pub const PERIODS_MAX: usize = 100_000;

/// The longest id prefix [`PeriodGenerator::id_prefix`] accepts, in bytes; a longer one makes
/// generation fail rather than repeat a huge string 100,000 times.
const ID_PREFIX_BYTES_MAX: usize = 256;

/// How often pay is computed or paid (the `frequency` of a pay schedule and the
/// `wage_rate_period` of a contract, SPEC §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Frequency {
    /// `hourly` (a wage rate only; no calendar periods).
    Hourly,
    /// `daily`: one local day.
    Daily,
    /// `weekly`: seven local days.
    Weekly,
    /// `bi-weekly`: fourteen local days.
    BiWeekly,
    /// `semi-monthly`: the 1st–15th and the 16th–month end.
    SemiMonthly,
    /// `monthly`: a calendar month.
    Monthly,
    /// `annually`: a calendar year.
    Annually,
    /// `adhoc`: periods are pushed explicitly; no calendar periods.
    Adhoc,
}

impl Frequency {
    /// Every frequency, in declaration order.
    pub const ALL: [Frequency; 8] = [
        Frequency::Hourly,
        Frequency::Daily,
        Frequency::Weekly,
        Frequency::BiWeekly,
        Frequency::SemiMonthly,
        Frequency::Monthly,
        Frequency::Annually,
        Frequency::Adhoc,
    ];

    /// The frequency of its Payd spelling: `hourly daily weekly bi-weekly semi-monthly monthly
    /// annually adhoc` (exact, lower case).
    pub fn parse(s: &str) -> Option<Frequency> {
        Frequency::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The Payd spelling, e.g. `"bi-weekly"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Hourly => "hourly",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::BiWeekly => "bi-weekly",
            Frequency::SemiMonthly => "semi-monthly",
            Frequency::Monthly => "monthly",
            Frequency::Annually => "annually",
            Frequency::Adhoc => "adhoc",
        }
    }

    /// Nominal periods in a year: daily 365, weekly 52, bi-weekly 26, semi-monthly 24,
    /// monthly 12, annually 1; `None` for hourly and adhoc.
    pub fn periods_per_year(self) -> Option<u32> {
        match self {
            Frequency::Daily => Some(365),
            Frequency::Weekly => Some(52),
            Frequency::BiWeekly => Some(26),
            Frequency::SemiMonthly => Some(24),
            Frequency::Monthly => Some(12),
            Frequency::Annually => Some(1),
            Frequency::Hourly | Frequency::Adhoc => None,
        }
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One generated pay period: `[start_at, stop_at)`, paid at `pay_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedPeriod {
    /// The id prefix followed by the local start date `YYYY-MM-DD`.
    pub pay_period_id: String,
    /// Local midnight of the start date (inclusive).
    pub start_at: Instant,
    /// Local midnight of the next period's start date (exclusive); `start_at < stop_at`.
    pub stop_at: Instant,
    /// Local midnight of the local date of `stop_at` plus the pay lag.
    pub pay_at: Instant,
}

/// Why periods could not be generated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GeneratorError {
    /// `hourly` and `adhoc` have no calendar periods.
    #[error(
        "frequency `{0}` has no calendar periods: expected daily, weekly, bi-weekly, \
         semi-monthly, monthly or annually"
    )]
    UnsupportedFrequency(Frequency),
    /// A semi-monthly first start that is not the 1st or the 16th.
    #[error("a semi-monthly schedule starts on the 1st or the 16th of a month, not on {0}")]
    SemiMonthlyStart(NaiveDate),
    /// More than [`PERIODS_MAX`] periods in one call.
    #[error("too many periods requested: at most {max} are generated in one call")]
    TooMany {
        /// The limit, [`PERIODS_MAX`].
        max: usize,
    },
    /// The id prefix is longer than 256 bytes.
    #[error("the id prefix is {len} bytes long: at most {max} are allowed")]
    IdPrefixTooLong {
        /// The prefix's length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// A period or pay date would fall after the last date chrono can represent.
    #[error("the periods run past the last representable date")]
    OutOfRange,
}

/// Generates consecutive pay periods of one frequency in a company zone (SPEC §2).
///
/// * daily / weekly / bi-weekly: 1 / 7 / 14 local days from `first_start`;
/// * semi-monthly: the 1st–15th and the 16th–month end (`first_start` is a 1st or a 16th);
/// * monthly: calendar months from `first_start`'s day of the month, kept as the anchor and
///   clamped to short months (31 Jan → 28 Feb → 31 Mar);
/// * annually: calendar years from `first_start`'s month and day (29 Feb clamps to 28 Feb).
///
/// ```
/// use chrono::NaiveDate;
/// use ewa::calendar::{Frequency, PeriodGenerator};
/// let first = NaiveDate::from_ymd_opt(2026, 2, 16).ok_or("date")?;
/// let periods = PeriodGenerator::new(chrono_tz::Europe::Brussels, Frequency::SemiMonthly, first)?
///     .pay_lag_days(5)
///     .id_prefix("sm-")
///     .take(2)?;
/// assert_eq!(periods[0].pay_period_id, "sm-2026-02-16");
/// assert_eq!(periods[0].start_at.to_string(), "2026-02-15T23:00:00Z");
/// assert_eq!(periods[0].stop_at.to_string(), "2026-02-28T23:00:00Z");
/// assert_eq!(periods[0].pay_at.to_string(), "2026-03-05T23:00:00Z");
/// assert_eq!(periods[1].start_at, periods[0].stop_at);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodGenerator {
    tz: Tz,
    frequency: Frequency,
    first_start: NaiveDate,
    pay_lag_days: u32,
    id_prefix: String,
}

impl PeriodGenerator {
    /// A generator of `frequency` periods in zone `tz`, the first starting at local 00:00 of
    /// `first_start`; no pay lag and no id prefix.
    ///
    /// # Errors
    /// [`GeneratorError::UnsupportedFrequency`] for hourly and adhoc;
    /// [`GeneratorError::SemiMonthlyStart`] for a semi-monthly start other than a 1st or 16th.
    pub fn new(
        tz: Tz,
        frequency: Frequency,
        first_start: NaiveDate,
    ) -> Result<Self, GeneratorError> {
        match frequency {
            Frequency::Hourly | Frequency::Adhoc => {
                return Err(GeneratorError::UnsupportedFrequency(frequency))
            }
            Frequency::SemiMonthly if !matches!(first_start.day(), 1 | 16) => {
                return Err(GeneratorError::SemiMonthlyStart(first_start))
            }
            _ => {}
        }
        Ok(PeriodGenerator {
            tz,
            frequency,
            first_start,
            pay_lag_days: 0,
            id_prefix: String::new(),
        })
    }

    /// Pay `days` after the period ends: `pay_at` is local 00:00 of (the local date of
    /// `stop_at` + `days`). The default, 0, pays at `stop_at`'s local midnight.
    pub fn pay_lag_days(mut self, days: u32) -> Self {
        self.pay_lag_days = days;
        self
    }

    /// Each `pay_period_id` is `prefix` followed by the start date `YYYY-MM-DD`
    /// (default: no prefix). A prefix over 256 bytes makes generation fail.
    pub fn id_prefix(mut self, prefix: &str) -> Self {
        self.id_prefix = prefix.to_owned();
        self
    }

    /// The first `count` periods.
    ///
    /// # Errors
    /// [`GeneratorError::TooMany`] when `count` exceeds [`PERIODS_MAX`];
    /// [`GeneratorError::IdPrefixTooLong`]; [`GeneratorError::OutOfRange`] when the periods
    /// would run past chrono's last date.
    pub fn take(&self, count: usize) -> Result<Vec<GeneratedPeriod>, GeneratorError> {
        if count > PERIODS_MAX {
            return Err(GeneratorError::TooMany { max: PERIODS_MAX });
        }
        self.generate(|produced, _| produced < count)
    }

    /// Every period whose start date is before `end` (none if `end <= first_start`).
    ///
    /// # Errors
    /// [`GeneratorError::TooMany`] when that is more than [`PERIODS_MAX`] periods;
    /// [`GeneratorError::IdPrefixTooLong`]; [`GeneratorError::OutOfRange`].
    pub fn until(&self, end: NaiveDate) -> Result<Vec<GeneratedPeriod>, GeneratorError> {
        self.generate(|_, start| start < end)
    }

    /// Emits periods while `more(produced_so_far, next_start_date)` holds, at most
    /// [`PERIODS_MAX`]. Boundary `k` is computed from `first_start` directly (no drift from
    /// clamping); a boundary whose instant does not move past the previous one (a skipped
    /// local day) is merged, so periods are never empty and always touch.
    fn generate(
        &self,
        mut more: impl FnMut(usize, NaiveDate) -> bool,
    ) -> Result<Vec<GeneratedPeriod>, GeneratorError> {
        let len = self.id_prefix.len();
        if len > ID_PREFIX_BYTES_MAX {
            let max = ID_PREFIX_BYTES_MAX;
            return Err(GeneratorError::IdPrefixTooLong { len, max });
        }
        let mut periods = Vec::new();
        let mut start_date = self.first_start;
        let mut start_at = local_midnight(self.tz, start_date);
        // Bounded: each period consumes at least one boundary; at most one extra boundary
        // per period is ever merged in practice, and the bound makes it certain.
        let mut k: u32 = 0;
        let k_max = u32::try_from(2 * PERIODS_MAX + 2).unwrap_or(u32::MAX);
        while more(periods.len(), start_date) {
            if periods.len() == PERIODS_MAX {
                return Err(GeneratorError::TooMany { max: PERIODS_MAX });
            }
            let (stop_date, stop_at) = loop {
                k += 1;
                if k > k_max {
                    return Err(GeneratorError::OutOfRange);
                }
                let date = self.boundary(k).ok_or(GeneratorError::OutOfRange)?;
                let at = local_midnight(self.tz, date);
                if at > start_at {
                    break (date, at);
                }
                // Same instant as the current start: the period really starts on `date`.
                start_date = date;
            };
            let pay_date = local_date(self.tz, stop_at)
                .checked_add_days(Days::new(u64::from(self.pay_lag_days)))
                .ok_or(GeneratorError::OutOfRange)?;
            periods.push(GeneratedPeriod {
                pay_period_id: format!("{}{}", self.id_prefix, start_date),
                start_at,
                stop_at,
                pay_at: local_midnight(self.tz, pay_date),
            });
            start_date = stop_date;
            start_at = stop_at;
        }
        Ok(periods)
    }

    /// The local start date of the `k`-th period counted from `first_start` (k = 0), before
    /// merging; `None` past chrono's last date.
    fn boundary(&self, k: u32) -> Option<NaiveDate> {
        let first = self.first_start;
        match self.frequency {
            Frequency::Daily => first.checked_add_days(Days::new(u64::from(k))),
            Frequency::Weekly => first.checked_add_days(Days::new(7 * u64::from(k))),
            Frequency::BiWeekly => first.checked_add_days(Days::new(14 * u64::from(k))),
            Frequency::SemiMonthly => {
                // Half-month index counted from the 1st of first_start's month.
                let half = k.checked_add(u32::from(first.day() > 1))?;
                let month_start = first
                    .with_day(1)?
                    .checked_add_months(Months::new(half / 2))?;
                month_start.with_day(if half % 2 == 0 { 1 } else { 16 })
            }
            Frequency::Monthly => first.checked_add_months(Months::new(k)),
            Frequency::Annually => first.checked_add_months(Months::new(k.checked_mul(12)?)),
            Frequency::Hourly | Frequency::Adhoc => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::calendar::{local_datetime, parse_instant};
    use chrono_tz::{America, Europe};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn hours(p: &GeneratedPeriod) -> i64 {
        (p.stop_at.as_micros() - p.start_at.as_micros()) / 3_600_000_000
    }

    fn starts(tz: Tz, periods: &[GeneratedPeriod]) -> Vec<NaiveDate> {
        periods.iter().map(|p| local_date(tz, p.start_at)).collect()
    }

    #[test]
    fn frequency_spellings() {
        for f in Frequency::ALL {
            assert_eq!(Frequency::parse(f.as_str()), Some(f));
            assert_eq!(f.to_string(), f.as_str());
        }
        for bad in [
            "",
            "Weekly",
            "biweekly",
            "bi_weekly",
            "semimonthly",
            "yearly",
            "ad-hoc",
        ] {
            assert_eq!(Frequency::parse(bad), None, "{bad:?}");
        }
        let per_year: Vec<_> = Frequency::ALL
            .iter()
            .map(|f| f.periods_per_year())
            .collect();
        assert_eq!(
            per_year,
            [
                None,
                Some(365),
                Some(52),
                Some(26),
                Some(24),
                Some(12),
                Some(1),
                None
            ]
        );
    }

    #[test]
    fn rejects() {
        let tz = Europe::Brussels;
        for f in [Frequency::Hourly, Frequency::Adhoc] {
            assert_eq!(
                PeriodGenerator::new(tz, f, date(2026, 1, 1)),
                Err(GeneratorError::UnsupportedFrequency(f))
            );
        }
        for d in [2, 15, 17, 31] {
            assert_eq!(
                PeriodGenerator::new(tz, Frequency::SemiMonthly, date(2026, 1, d)),
                Err(GeneratorError::SemiMonthlyStart(date(2026, 1, d)))
            );
        }
        let g = PeriodGenerator::new(tz, Frequency::Daily, date(2026, 1, 1)).unwrap();
        assert_eq!(g.take(0), Ok(vec![]));
        assert_eq!(
            g.take(PERIODS_MAX + 1),
            Err(GeneratorError::TooMany { max: PERIODS_MAX })
        );
        assert_eq!(g.take(PERIODS_MAX).map(|v| v.len()), Ok(PERIODS_MAX));
        assert_eq!(
            g.until(date(9000, 1, 1)),
            Err(GeneratorError::TooMany { max: PERIODS_MAX })
        );
        assert_eq!(g.until(date(2026, 1, 1)), Ok(vec![]));
        assert_eq!(g.until(date(1999, 1, 1)), Ok(vec![]));
        let long = g.clone().id_prefix(&"x".repeat(257));
        assert!(matches!(
            long.take(1),
            Err(GeneratorError::IdPrefixTooLong { len: 257, max: 256 })
        ));
        assert!(g.clone().id_prefix(&"x".repeat(256)).take(1).is_ok());
    }

    #[test]
    fn end_of_range_is_an_error_not_a_panic() {
        let tz = Europe::Brussels;
        for f in Frequency::ALL
            .into_iter()
            .filter(|f| f.periods_per_year().is_some())
        {
            let first = if f == Frequency::SemiMonthly {
                NaiveDate::MAX.with_day(1).unwrap()
            } else {
                NaiveDate::MAX
            };
            let g = PeriodGenerator::new(tz, f, first).unwrap();
            assert_eq!(g.take(3), Err(GeneratorError::OutOfRange), "{f}");
            let g = PeriodGenerator::new(tz, f, NaiveDate::MIN.with_day(1).unwrap()).unwrap();
            assert_eq!(g.take(3).map(|v| v.len()), Ok(3), "{f}");
        }
        let g = PeriodGenerator::new(tz, Frequency::Daily, date(2026, 1, 1)).unwrap();
        let lagged = g.clone().pay_lag_days(1_000_000).take(1).unwrap();
        assert_eq!(local_date(tz, lagged[0].pay_at), date(4763, 11, 30));
        assert_eq!(
            g.pay_lag_days(u32::MAX).take(1),
            Err(GeneratorError::OutOfRange)
        );
        let g = PeriodGenerator::new(tz, Frequency::Daily, NaiveDate::MAX.pred_opt().unwrap());
        assert_eq!(
            g.unwrap().pay_lag_days(5).take(1),
            Err(GeneratorError::OutOfRange)
        );
    }

    #[test]
    fn weekly_across_dst_in_brussels() {
        let tz = Europe::Brussels;
        let g = PeriodGenerator::new(tz, Frequency::Weekly, date(2026, 3, 23))
            .unwrap()
            .id_prefix("w-");
        let p = g.take(2).unwrap();
        assert_eq!(p[0].pay_period_id, "w-2026-03-23");
        assert_eq!(
            p[0].start_at,
            parse_instant(tz, "2026-03-22T23:00:00Z").unwrap()
        );
        assert_eq!(
            p[0].stop_at,
            parse_instant(tz, "2026-03-29T22:00:00Z").unwrap()
        );
        assert_eq!(hours(&p[0]), 7 * 24 - 1);
        assert_eq!(hours(&p[1]), 7 * 24);
        assert_eq!(p[0].pay_at, p[0].stop_at);
        assert_eq!(p[1].pay_period_id, "w-2026-03-30");
        let oct = PeriodGenerator::new(tz, Frequency::Daily, date(2026, 10, 25))
            .unwrap()
            .take(1)
            .unwrap();
        assert_eq!(hours(&oct[0]), 25);
    }

    #[test]
    fn bi_weekly() {
        let tz = America::New_York;
        let g = PeriodGenerator::new(tz, Frequency::BiWeekly, date(2026, 2, 27)).unwrap();
        let p = g.take(3).unwrap();
        assert_eq!(
            starts(tz, &p),
            [date(2026, 2, 27), date(2026, 3, 13), date(2026, 3, 27)]
        );
        assert_eq!(hours(&p[0]), 14 * 24 - 1);
    }

    #[test]
    fn semi_monthly_february() {
        let tz = chrono_tz::UTC;
        for (year, feb_end) in [(2026, 28), (2028, 29), (2100, 28), (2000, 29)] {
            let g = PeriodGenerator::new(tz, Frequency::SemiMonthly, date(year, 1, 16)).unwrap();
            let p = g.take(4).unwrap();
            assert_eq!(
                starts(tz, &p),
                [
                    date(year, 1, 16),
                    date(year, 2, 1),
                    date(year, 2, 16),
                    date(year, 3, 1)
                ]
            );
            assert_eq!(hours(&p[2]), i64::from(feb_end - 15) * 24, "{year}");
            assert_eq!(
                local_date(tz, p[2].stop_at).pred_opt().unwrap(),
                date(year, 2, feb_end)
            );
        }
    }

    #[test]
    fn monthly_keeps_its_anchor_day() {
        let tz = Europe::Brussels;
        let g = PeriodGenerator::new(tz, Frequency::Monthly, date(2026, 1, 31)).unwrap();
        let p = g.until(date(2026, 7, 1)).unwrap();
        assert_eq!(
            starts(tz, &p),
            [
                date(2026, 1, 31),
                date(2026, 2, 28),
                date(2026, 3, 31),
                date(2026, 4, 30),
                date(2026, 5, 31),
                date(2026, 6, 30),
            ]
        );
        let g = PeriodGenerator::new(tz, Frequency::Monthly, date(2026, 1, 1)).unwrap();
        assert_eq!(g.until(date(2027, 1, 1)).unwrap().len(), 12);
        assert_eq!(g.until(date(2026, 12, 2)).unwrap().len(), 12);
        assert_eq!(g.until(date(2026, 12, 1)).unwrap().len(), 11);
    }

    #[test]
    fn annually_clamps_leap_day() {
        let tz = chrono_tz::UTC;
        let g = PeriodGenerator::new(tz, Frequency::Annually, date(2024, 2, 29)).unwrap();
        let p = g.take(5).unwrap();
        assert_eq!(
            starts(tz, &p),
            [
                date(2024, 2, 29),
                date(2025, 2, 28),
                date(2026, 2, 28),
                date(2027, 2, 28),
                date(2028, 2, 29),
            ]
        );
        assert_eq!(hours(&p[0]), 365 * 24);
    }

    #[test]
    fn pay_lag() {
        let tz = Europe::Brussels;
        let g = PeriodGenerator::new(tz, Frequency::Monthly, date(2026, 3, 1))
            .unwrap()
            .pay_lag_days(3);
        let p = g.take(1).unwrap();
        assert_eq!(local_date(tz, p[0].stop_at), date(2026, 4, 1));
        assert_eq!(p[0].pay_at, local_midnight(tz, date(2026, 4, 4)));
        assert_eq!(p[0].pay_at.to_string(), "2026-04-03T22:00:00Z");
    }

    #[test]
    fn santiago_daily_on_the_spring_day() {
        let tz = America::Santiago;
        let g = PeriodGenerator::new(tz, Frequency::Daily, date(2026, 9, 5)).unwrap();
        let p = g.take(3).unwrap();
        assert_eq!(
            starts(tz, &p),
            [date(2026, 9, 5), date(2026, 9, 6), date(2026, 9, 7)]
        );
        assert_eq!(hours(&p[0]), 24);
        assert_eq!(hours(&p[1]), 23);
        assert_eq!(
            local_datetime(tz, p[1].start_at),
            date(2026, 9, 6).and_hms_opt(1, 0, 0).unwrap()
        );
    }

    #[test]
    fn apia_skipped_day_is_merged() {
        let tz = chrono_tz::Pacific::Apia;
        let g = PeriodGenerator::new(tz, Frequency::Daily, date(2011, 12, 28)).unwrap();
        let p = g.until(date(2012, 1, 2)).unwrap();
        let ids: Vec<_> = p.iter().map(|p| p.pay_period_id.as_str()).collect();
        assert_eq!(
            ids,
            ["2011-12-28", "2011-12-29", "2011-12-31", "2012-01-01"]
        );
        for w in p.windows(2) {
            assert_eq!(w[0].stop_at, w[1].start_at);
        }
        assert!(p.iter().all(|p| p.start_at < p.stop_at));
        let weekly = PeriodGenerator::new(tz, Frequency::Weekly, date(2011, 12, 26)).unwrap();
        assert_eq!(hours(&weekly.take(1).unwrap()[0]), 6 * 24);
    }
}
