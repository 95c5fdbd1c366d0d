//! Values derived from a twin's data, computed once and dropped when the data they come from
//! changes (issue #5). The policy is fixed when the twin is made (`Twin::new`), so values
//! derived from it live here too. Each is a pure function of the twin, so answers never depend on
//! whether a cache was warm.

use super::Twin;
use crate::accrual::overtime::Classified;
use crate::calendar::{self, Instant};
use crate::ingest::{Outcome, RecordResult};
use crate::model::Employee;
use crate::money::Exact;
use chrono::{Datelike, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use std::sync::OnceLock;

/// Longest span of local dates a [`LocalClock`] tabulates (about 11 years).
const CLOCK_DAYS_MAX: i64 = 4_000;
/// Days tabulated on each side of the schedules' periods.
const CLOCK_MARGIN_DAYS: i64 = 16;
/// Most times of day a [`LocalClock`] tabulates (00:00, work-day starts, premium edges);
/// others are computed directly.
const CLOCK_TIMES_MAX: usize = 16;

/// The caches of a twin; cloning a twin clones them, equality ignores them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cache {
    /// Employee indexes sorted by employee id (dropped when employees are pushed).
    pub order: OnceLock<Vec<u32>>,
    /// Per-schedule values and the local clock (dropped when schedules or contracts are).
    pub derived: OnceLock<Derived>,
    /// Per employee (by index), the overtime classification (SPEC §5.2), made on the first
    /// query that needs it (dropped when employees, contracts or schedules are pushed, and
    /// an employee's own when its shifts change).
    pub premiums: OnceLock<Box<[OnceLock<Classified>]>>,
}

impl Cache {
    /// See [`Twin::cache_bytes`].
    pub fn bytes(&self) -> usize {
        let order = self.order.get().map_or(0, |o| 4 * o.capacity());
        let clock = self.derived.get().map_or(0, |d| {
            d.clock
                .tables
                .iter()
                .map(|(_, v)| std::mem::size_of::<Instant>() * v.capacity())
                .sum()
        });
        let premiums = self.premiums.get().map_or(0, |slots| {
            std::mem::size_of_val::<[OnceLock<Classified>]>(slots)
                + slots
                    .iter()
                    .filter_map(OnceLock::get)
                    .map(Classified::heap_bytes)
                    .sum::<usize>()
        });
        order + clock + premiums
    }
}

/// Values derived from schedules and contracts.
#[derive(Clone, Debug)]
pub(crate) struct Derived {
    /// Per schedule, the largest `pay_at − stop_at` (0 when every period pays by its end).
    pub pay_lags: Vec<i64>,
    /// Local times of day in the company zone.
    pub clock: LocalClock,
    /// Counted statuses as a bit mask (bit = status code).
    pub counted: u8,
    /// `estimated_withholding_rate` exactly (`None` if it does not convert).
    pub withholding: Option<Exact>,
    /// `access_rate` exactly (`None` if it does not convert).
    pub access_rate: Option<Exact>,
    /// `Policy::blackout_micros`.
    pub blackout_micros: i64,
    /// Per contract, the overtime and double-time premiums `multiplier − 1` exactly (`None`:
    /// no such multiplier, or it does not convert).
    pub premiums: Vec<[Option<Exact>; 2]>,
}

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
    fn build(tz: Tz, first: NaiveDate, days: i64, times: &[NaiveTime]) -> LocalClock {
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

impl Twin {
    /// Schedule pay lags and the local clock, computed on first use.
    pub(crate) fn derived(&self) -> &Derived {
        self.cache.derived.get_or_init(|| {
            let pay_lags = self.pay_lags();
            let clock = self.local_clock();
            let policy = &self.company.policy;
            Derived {
                pay_lags,
                clock,
                counted: policy
                    .counted_statuses
                    .iter()
                    .fold(0u8, |m, s| m | (1u8 << (*s as u8))),
                withholding: Exact::from_decimal(policy.estimated_withholding_rate),
                access_rate: Exact::from_decimal(policy.access_rate),
                blackout_micros: policy.blackout_micros(),
                premiums: self.premium_extras(),
            }
        })
    }

    /// Per schedule, the largest `pay_at − stop_at`, at least 0 (SPEC §4).
    fn pay_lags(&self) -> Vec<i64> {
        self.schedules
            .iter()
            .map(crate::accrual::schedule_pay_lag)
            .collect()
    }

    /// 00:00, each `workday_starts_at` and premium window edges, tabulated over the
    /// periods' dates (SPEC §2, §5.2, §5.4).
    fn local_clock(&self) -> LocalClock {
        let tz = self.company.timezone;
        let lo = self
            .schedules
            .iter()
            .filter_map(|s| s.periods.first())
            .map(|p| p.start)
            .min();
        let hi = self
            .schedules
            .iter()
            .filter_map(|s| s.periods.last())
            .map(|p| p.pay_at.max(p.stop))
            .max();
        let mut times = vec![NaiveTime::MIN];
        for c in &self.contracts {
            if let Some(t) = c.overtime.as_ref().map(|o| o.workday_starts_at) {
                if !times.contains(&t) {
                    times.push(t);
                }
            }
        }
        // SPEC §5.4: premium windows' edges are local times of day too (a bounded number).
        let edges = self
            .contracts
            .iter()
            .flat_map(crate::accrual::premiums::edge_times);
        for t in edges {
            if !times.contains(&t) && times.len() < CLOCK_TIMES_MAX {
                times.push(t);
            }
        }
        match (lo, hi) {
            (Some(lo), Some(hi)) => {
                let (a, b) = (calendar::local_date(tz, lo), calendar::local_date(tz, hi));
                let a = a.max(b - chrono::Duration::days(CLOCK_DAYS_MAX));
                let first = a - chrono::Duration::days(CLOCK_MARGIN_DAYS);
                let days = (b - a).num_days() + 2 * CLOCK_MARGIN_DAYS;
                LocalClock::build(
                    tz,
                    first,
                    days.clamp(0, CLOCK_DAYS_MAX + 2 * CLOCK_MARGIN_DAYS),
                    &times,
                )
            }
            _ => LocalClock::build(tz, NaiveDate::MIN, 0, &[]),
        }
    }

    /// Per contract, overtime and double-time `multiplier − 1` exactly (SPEC §5.2).
    fn premium_extras(&self) -> Vec<[Option<Exact>; 2]> {
        self.contracts
            .iter()
            .map(|c| {
                let extra = |m: Option<rust_decimal::Decimal>| {
                    Exact::from_decimal(m?)?.checked_sub(Exact::int(1))
                };
                let rules = c.overtime.as_ref();
                [
                    rules.and_then(|o| extra(o.multiplier)),
                    rules.and_then(|o| extra(o.double_time_multiplier)),
                ]
            })
            .collect()
    }

    /// Employee indexes sorted by id, computed on first use.
    pub(crate) fn employee_order(&self) -> &[u32] {
        self.cache.order.get_or_init(|| {
            let mut order: Vec<u32> = (0..self.employees.len())
                .filter_map(|i| u32::try_from(i).ok())
                .collect();
            order.sort_unstable_by(|a, b| {
                let id = |i: &u32| self.employees.get(*i as usize).map(|e| &*e.id);
                id(a).cmp(&id(b))
            });
            order
        })
    }

    /// The index of `emp` in this twin's employees (none for an employee of another twin).
    fn employee_ix(&self, emp: &Employee) -> Option<usize> {
        let size = std::mem::size_of::<Employee>();
        let offset =
            (std::ptr::from_ref(emp) as usize).checked_sub(self.employees.as_ptr() as usize)?;
        let ix = offset / size;
        (offset % size == 0 && ix < self.employees.len()).then_some(ix)
    }

    /// Where the employee's overtime classification is kept (none for an employee of
    /// another twin); the slots are made on first use.
    pub(crate) fn premium_slot(&self, emp: &Employee) -> Option<&OnceLock<Classified>> {
        let ix = self.employee_ix(emp)?;
        self.cache
            .premiums
            .get_or_init(|| (0..self.employees.len()).map(|_| OnceLock::new()).collect())
            .get(ix)
    }

    /// Drops employee `ix`'s overtime classification (its shifts changed); the others stay.
    pub(crate) fn forget_premiums(&mut self, ix: u32) {
        if let Some(slot) = self
            .cache
            .premiums
            .get_mut()
            .and_then(|slots| slots.get_mut(ix as usize))
        {
            slot.take();
        }
    }

    /// Drops the caches that a batch of `kind` fed by `results` changes (shifts: see
    /// [`Twin::forget_premiums`]). A batch that changed nothing (every record unchanged or
    /// refused) keeps them all; an employees batch drops only its employees' entries
    /// (issue #16: an HR sync of one employee no longer costs every employee's
    /// classification).
    pub(crate) fn invalidate(&mut self, kind: crate::ingest::Kind, results: &[RecordResult]) {
        use crate::ingest::Kind;
        let changed = |r: &&RecordResult| matches!(r.outcome, Outcome::Created | Outcome::Updated);
        if !results.iter().any(|r| changed(&r)) {
            return;
        }
        // Overtime classification reads shifts (dropped per employee as their lists
        // change), assignments, contracts' rules and rates, and (through the local clock)
        // the schedules' periods.
        match kind {
            Kind::PaySchedules | Kind::Contracts => {
                self.cache.derived = OnceLock::new();
                self.cache.premiums = OnceLock::new();
            }
            Kind::Employees => {
                if results.iter().any(|r| r.outcome == Outcome::Created) {
                    self.cache.order = OnceLock::new();
                    self.grow_premium_slots();
                }
                for r in results.iter().filter(changed) {
                    if let Some(ix) = r.key.as_deref().and_then(|id| self.employee_ix.get(id)) {
                        self.forget_premiums(ix);
                    }
                }
            }
            // Leaves drop their employees' classifications as they are stored
            // (`Twin::store_leave`).
            Kind::Leaves | Kind::Shifts | Kind::Additions | Kind::Deductions => {}
        }
    }

    /// Drops the caches derived from the company's policy (counted statuses, rates, blackout:
    /// `Derived`; counted shifts: the overtime classifications), for a twin given another
    /// policy (`Store::set_policy`).
    pub(crate) fn forget_policy(&mut self) {
        self.cache.derived = OnceLock::new();
        self.cache.premiums = OnceLock::new();
    }

    /// Makes room for the employees created since the slots were made, keeping every
    /// classification already made.
    fn grow_premium_slots(&mut self) {
        let n = self.employees.len();
        if let Some(slots) = self.cache.premiums.get_mut() {
            if slots.len() < n {
                let mut v = std::mem::take(slots).into_vec();
                v.resize_with(n, OnceLock::new);
                *slots = v.into_boxed_slice();
            }
        }
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod invalidation_tests {
    use crate::generate;
    use crate::ingest::Kind;
    use crate::twin::Twin;
    use serde_json::json;

    /// The employees whose classification is cached.
    fn cached(twin: &Twin) -> Vec<usize> {
        let slots = twin
            .cache
            .premiums
            .get()
            .map(|s| &s[..])
            .unwrap_or_default();
        (0..slots.len())
            .filter(|i| slots[*i].get().is_some())
            .collect()
    }

    /// Issue #16: an employees batch drops only its employees' classifications (and makes
    /// room for the new ones); an unchanged contract re-push drops nothing; answers after
    /// both are a cold twin's.
    #[test]
    fn an_employee_push_forgets_only_that_employee() {
        let opts = generate::Options {
            employees: 60,
            seed: 5,
            ..generate::Options::default()
        };
        let mut twin = generate::twin(&opts).unwrap();
        let t = opts.as_of();
        let ids: Vec<String> = twin.employees.iter().map(|e| e.id.to_string()).collect();
        for id in &ids {
            twin.accruals(id, t).unwrap();
        }
        let before = cached(&twin);
        assert!(before.len() > 2, "some employees have overtime rules");
        let k = before[1];
        let contract = twin.contracts[twin.employees[k].assignments[0].contract as usize]
            .id
            .to_string();
        let r = twin
            .apply(
                Kind::Employees,
                &[
                    json!({"employee_id": ids[k], "family_name": "Renamed"}),
                    json!({"employee_id": "e-new", "contract_id": contract}),
                ],
                opts.received_at(),
            )
            .unwrap();
        assert_eq!(r.count_accepted, 2, "{:?}", r.error_summary);
        let expected: Vec<usize> = before.iter().copied().filter(|i| *i != k).collect();
        assert_eq!(cached(&twin), expected);
        assert_eq!(twin.cache.premiums.get().unwrap().len(), ids.len() + 1);
        let c = twin.contracts[0].clone();
        let same = json!({"contract_id": &*c.id, "pay_schedule_id": &*twin.schedules[c.schedule as usize].id,
            "currency": c.currency.code(), "wage_rate_period": c.rate_period.as_str(),
            "wage_rate_amount": c.rate_at(opts.received_at())});
        let mut with_info = same.clone();
        if let Some(info) = &c.custom_info {
            with_info["custom_info"] = serde_json::Value::Object(info.clone());
        }
        let r = twin
            .apply(Kind::Contracts, &[with_info], opts.received_at())
            .unwrap();
        assert_eq!(r.count_accepted, 1, "{:?}", r.error_summary);
        assert_eq!(r.results[0].outcome, crate::ingest::Outcome::Unchanged);
        assert_eq!(cached(&twin), expected);
        let mut cold = twin.clone();
        cold.cache = Default::default();
        for id in ids.iter().map(String::as_str).chain(["e-new"]) {
            assert!(
                twin.accruals(id, t).unwrap() == cold.accruals(id, t).unwrap(),
                "{id}"
            );
        }
    }
}
