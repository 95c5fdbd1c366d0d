//! Local times of day in the company zone, tabulated (issue #5): the one place the engine
//! turns a local date and time into an instant in its hot paths, with SPEC §2's one DST rule
//! (`calendar::local_to_instant`) behind it.

use crate::calendar::{self, Instant};
use chrono::{Datelike, NaiveDate, NaiveTime};
use chrono_tz::Tz;

/// `calendar::local_to_instant` of `date + time` for the times of day the engine asks about
/// (00:00, each contract's `workday_starts_at`, premium window edges), tabulated over the
/// dates of the schedules' periods; other dates and times are computed directly. Same
/// values, no time zone lookups in the hot path.
#[derive(Clone, Debug)]
pub(crate) struct LocalClock {
    tz: Tz,
    first: NaiveDate,
    tables: Vec<(NaiveTime, Vec<Instant>)>,
}

impl LocalClock {
    /// Tabulates `times` on `days` consecutive local dates from `first`.
    pub(crate) fn build(tz: Tz, first: NaiveDate, days: i64, times: &[NaiveTime]) -> LocalClock {
        let mut tables = Vec::new();
        for &t in times {
            let mut v = Vec::with_capacity(usize::try_from(days).unwrap_or(0));
            let mut d = first;
            for _ in 0..days {
                v.push(calendar::local_to_instant(tz, d.and_time(t)));
                match d.succ_opt() {
                    Some(n) => d = n,
                    None => break,
                }
            }
            tables.push((t, v));
        }
        LocalClock { tz, first, tables }
    }

    /// Bytes the tables hold (an accounting of capacity, not RSS).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.tables
            .iter()
            .map(|(_, v)| std::mem::size_of::<Instant>() * v.capacity())
            .sum()
    }

    /// The instant of local `date` at `time` (SPEC §2's one DST rule).
    pub fn at(&self, date: NaiveDate, time: NaiveTime) -> Instant {
        let k = i64::from(date.num_days_from_ce()) - i64::from(self.first.num_days_from_ce());
        let hit = self
            .tables
            .iter()
            .find(|(t, _)| *t == time)
            .and_then(|(_, v)| usize::try_from(k).ok().and_then(|k| v.get(k)));
        match hit {
            Some(x) => *x,
            None => calendar::local_to_instant(self.tz, date.and_time(time)),
        }
    }

    /// The tabulated instants of `time` on consecutive dates from the returned first date.
    pub fn table(&self, time: NaiveTime) -> Option<(NaiveDate, &[Instant])> {
        self.tables
            .iter()
            .find(|(t, _)| *t == time)
            .map(|(_, v)| (self.first, &v[..]))
    }

    /// Local 00:00 of `date`.
    pub fn midnight(&self, date: NaiveDate) -> Instant {
        self.at(date, NaiveTime::MIN)
    }

    /// The local date of instant `x` (what `calendar::local_date` gives): the date whose
    /// 00:00 is at or before `x` and whose next date's 00:00 is after it, found in the table
    /// (SPEC §2's DST rule keeps local midnights in order: a midnight in a gap is the instant
    /// the gap ends, an ambiguous one the earlier instant); outside it, computed directly.
    pub fn date_of(&self, x: Instant) -> NaiveDate {
        if let Some((first, v)) = self.table(NaiveTime::MIN) {
            let k = v.partition_point(|m| *m <= x);
            if k > 0 && k < v.len() {
                if let Some(d) = first.checked_add_days(chrono::Days::new((k - 1) as u64)) {
                    return d;
                }
            }
        }
        calendar::local_date(self.tz, x)
    }

    /// Consecutive local dates from `date`, each with its 00:00 and the next date's 00:00
    /// (what [`LocalClock::midnight`] gives, read by index from the table where it has them).
    pub fn days_from(&self, date: NaiveDate) -> DaysFrom<'_> {
        let table = self
            .table(NaiveTime::MIN)
            .map(|(_, v)| v)
            .unwrap_or_default();
        let k = usize::try_from(
            i64::from(date.num_days_from_ce()) - i64::from(self.first.num_days_from_ce()),
        )
        .ok();
        DaysFrom {
            clock: self,
            table,
            k,
            date: Some(date),
        }
    }
}

/// See [`LocalClock::days_from`].
pub(crate) struct DaysFrom<'c> {
    clock: &'c LocalClock,
    table: &'c [Instant],
    /// The index of `date` in `table` (none before the table).
    k: Option<usize>,
    date: Option<NaiveDate>,
}

impl Iterator for DaysFrom<'_> {
    /// (date, its local 00:00, the next date's local 00:00)
    type Item = (NaiveDate, Instant, Instant);

    fn next(&mut self) -> Option<Self::Item> {
        let date = self.date?;
        let next = date.succ_opt();
        let at = |k: Option<usize>, d: Option<NaiveDate>| {
            k.and_then(|k| self.table.get(k).copied())
                .or_else(|| d.map(|d| self.clock.midnight(d)))
        };
        let midnight = at(self.k, Some(date))?;
        let k1 = self.k.and_then(|k| k.checked_add(1));
        let next_midnight = at(k1, next)?;
        self.k = k1;
        self.date = next;
        Some((date, midnight, next_midnight))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Asia, Australia, Europe};

    /// `date_of` is `calendar::local_date` at every quarter hour over two years, and at every
    /// minute of the days around each DST change, in zones with transitions at 00:00 (Havana,
    /// Santiago), at 02:00/03:00 (Brussels, New York, Sydney) and none (Kolkata).
    #[test]
    fn date_of_is_local_date() {
        let first = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
        for tz in [
            Europe::Brussels,
            America::New_York,
            America::Havana,
            America::Santiago,
            Australia::Sydney,
            Asia::Kolkata,
        ] {
            let clock = LocalClock::build(tz, first, 760, &[NaiveTime::MIN]);
            let start = calendar::local_to_instant(tz, first.and_time(NaiveTime::MIN));
            let quarter = 900 * 1_000_000;
            let mut prev_offset = None;
            let mut changes = 0;
            // Past the table's end too (the direct fallback).
            for q in -200..(770 * 96) {
                let x = Instant::from_micros(start.as_micros() + q * quarter);
                assert_eq!(clock.date_of(x), calendar::local_date(tz, x), "{tz} {x}");
                let offset = calendar::local_datetime(tz, x) - x.to_utc().unwrap();
                if prev_offset.is_some_and(|p| p != offset) {
                    // A DST change in the last quarter hour: every minute of the two days
                    // around it.
                    changes += 1;
                    for m in -(48 * 60)..(48 * 60) {
                        let y = Instant::from_micros(x.as_micros() + m * 60_000_000);
                        assert_eq!(clock.date_of(y), calendar::local_date(tz, y), "{tz} {y}");
                    }
                }
                prev_offset = Some(offset);
            }
            // Two years hold four changes, except in Kolkata (none).
            assert_eq!(changes, if tz == Asia::Kolkata { 0 } else { 4 }, "{tz}");
        }
    }
}
