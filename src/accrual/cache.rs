//! Values derived from the stored state, computed once and dropped when the data they come
//! from changes (issue #5): accrual's caches, among them the overtime classification. The
//! policy is fixed when the twin is made (`Twin::new`), so values derived from it live here
//! too. Each is a pure function of the state, so answers never depend on whether a cache was
//! warm. The `Twin` façade says when to drop them (after each batch).

use super::coverage::Coverage;
use super::overtime::Classified;
use super::Books;
use crate::calendar;
use crate::model::{Employee, EmployeeIx, Ix, LocalClock};
use crate::money::Exact;
use chrono::{NaiveDate, NaiveTime};
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
    pub order: OnceLock<Vec<EmployeeIx>>,
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
        let clock = self
            .derived
            .get()
            .map_or(0, |d| d.clock.heap_bytes() + d.coverage.heap_bytes());
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
    /// Premium windows on the clock's dates (SPEC §5.4).
    pub coverage: Coverage,
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

impl Books {
    /// Schedule pay lags and the local clock, computed on first use.
    pub(crate) fn derived(&self) -> &Derived {
        self.cache.derived.get_or_init(|| {
            let pay_lags = self.pay_lags();
            let clock = self.local_clock();
            let coverage = Coverage::build(
                &clock,
                self.contracts.iter(),
                &self.company,
                |rule, d, midnight, next| {
                    crate::accrual::premiums::date_window(&clock, rule, d, midnight, next)
                },
            );
            let policy = &self.company.policy;
            Derived {
                pay_lags,
                clock,
                coverage,
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
    pub(crate) fn employee_order(&self) -> &[EmployeeIx] {
        self.cache.order.get_or_init(|| {
            let mut order: Vec<EmployeeIx> =
                self.employees.iter_enumerated().map(|(i, _)| i).collect();
            order.sort_unstable_by(|a, b| {
                let id = |i: &EmployeeIx| self.employees.get(*i).map(|e| &*e.id);
                id(a).cmp(&id(b))
            });
            order
        })
    }

    /// The index of `emp` in this twin's employees (none for an employee of another twin).
    fn employee_ix(&self, emp: &Employee) -> Option<usize> {
        let size = std::mem::size_of::<Employee>();
        let offset = (std::ptr::from_ref(emp) as usize)
            .checked_sub(self.employees.iter().as_slice().as_ptr() as usize)?;
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
    pub(crate) fn forget_premiums(&mut self, ix: EmployeeIx) {
        if let Some(slot) = self
            .cache
            .premiums
            .get_mut()
            .and_then(|slots| slots.get_mut(ix.at()))
        {
            slot.take();
        }
    }

    /// Drops the values derived from schedules, contracts and the policy (`Derived`) and
    /// every overtime classification.
    pub(crate) fn forget_derived(&mut self) {
        self.cache.derived = OnceLock::new();
        self.cache.premiums = OnceLock::new();
    }

    /// Drops the employee order and makes room for new employees' classifications.
    pub(crate) fn employees_created(&mut self) {
        self.cache.order = OnceLock::new();
        self.grow_premium_slots();
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
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod invalidation_tests {
    use crate::generate;
    use crate::ingest::Kind;
    use crate::model::Ix;
    use crate::twin::Twin;
    use serde_json::json;

    /// The employees whose classification is cached.
    fn cached(twin: &Twin) -> Vec<usize> {
        let slots = twin
            .books
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
        let ids: Vec<String> = twin
            .books
            .employees
            .iter()
            .map(|e| e.id.to_string())
            .collect();
        for id in &ids {
            twin.accruals(id, t).unwrap();
        }
        let before = cached(&twin);
        assert!(before.len() > 2, "some employees have overtime rules");
        let k = before[1];
        let contract = twin.books.contracts[twin.books.employees[k].assignments[0].contract.at()]
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
        assert_eq!(
            twin.books.cache.premiums.get().unwrap().len(),
            ids.len() + 1
        );
        let c = twin.books.contracts[0].clone();
        let same = json!({"contract_id": &*c.id, "pay_schedule_id": &*twin.books.schedules[crate::model::Ix::at(c.schedule)].id,
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
        cold.books.cache = Default::default();
        for id in ids.iter().map(String::as_str).chain(["e-new"]) {
            assert!(
                twin.accruals(id, t).unwrap() == cold.accruals(id, t).unwrap(),
                "{id}"
            );
        }
    }
}
