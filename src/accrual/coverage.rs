//! Premium windows tabulated (a performance device; the rule is `accrual::premiums`,
//! SPEC §5.4). Which part of a paid piece a premium rule covers is found, by the rule's
//! walk, date by date: the local date of the piece's start, then for each date from the one
//! before, its weekday and holiday status and its window's two edges. On a large payroll
//! that walk is most of what the premiums cost.
//!
//! Rules that look alike — the same `days`, `from`/`to` and `holidays`; names and pay do not
//! change the windows — cover the same intervals on every date, whatever their contract.
//! For each such shape (at most [`SHAPES_MAX`]), the windows the walk would find on each
//! date the twin's local clock tabulates are listed once, in order, when the twin's derived
//! values are made (they are dropped with them: when schedules or contracts change; the
//! company's holidays never do). A piece inside the listed dates is then answered by a
//! binary search and a step along the list: the same windows in the same order, so the same
//! calls, as the walk. A piece outside them, or a rule of another shape, is walked.

use crate::calendar::Instant;
use crate::company::Company;
use crate::model::premium::{HolidayMatch, Premium};
use crate::model::{Contract, LocalClock};
use chrono::{NaiveDate, NaiveTime};

/// Most rule shapes tabulated; rules of further shapes are walked.
pub(crate) const SHAPES_MAX: usize = 32;
/// Windows [`Table::for_covered`] steps over before it searches.
const STEPS: usize = 4;

/// What decides a rule's windows (SPEC §5.4): its weekdays, local times and holiday status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shape {
    days: u8,
    window: Option<(NaiveTime, NaiveTime)>,
    holidays: HolidayMatch,
}

impl Shape {
    fn of(rule: &Premium) -> Shape {
        Shape {
            days: rule.days,
            window: rule.window,
            holidays: rule.holidays,
        }
    }
}

/// A shape's covered intervals, in order.
type Windows = Box<[(Instant, Instant)]>;

/// The tabulated windows of every rule shape of a twin's contracts.
#[derive(Clone, Debug)]
pub(crate) struct Coverage {
    shapes: Vec<(Shape, Windows)>,
    /// Pieces inside `[lo, hi)` can be answered from the lists: no window of a date outside
    /// the listed ones reaches into it.
    lo: Instant,
    hi: Instant,
}

/// One rule's tabulated windows (see [`Coverage::table`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Table<'a> {
    windows: &'a [(Instant, Instant)],
    lo: Instant,
    hi: Instant,
}

impl Default for Coverage {
    /// No table: every rule is walked.
    fn default() -> Coverage {
        Coverage {
            shapes: Vec::new(),
            lo: Instant::from_micros(0),
            hi: Instant::from_micros(0),
        }
    }
}

impl Coverage {
    /// The windows of the rule shapes of `contracts` on the dates `clock` tabulates, as
    /// `window_of` (the rule's own per-date window, `accrual::premiums`) gives them.
    pub fn build(
        clock: &LocalClock,
        contracts: std::slice::Iter<'_, Contract>,
        company: &Company,
        window_of: impl Fn(&Premium, NaiveDate, Instant, Instant) -> Option<(Instant, Instant)>,
    ) -> Coverage {
        let Some((first, midnights)) = clock.table(NaiveTime::MIN) else {
            return Coverage::default();
        };
        // Windows of date d lie in [d 00:00, (d + 2) 00:00): a piece from the second date's
        // 00:00 to the day after the last date's 00:00 meets only listed dates.
        let (Some(&lo), Some(last)) = (midnights.get(1), midnights.len().checked_sub(1)) else {
            return Coverage::default();
        };
        let Some((_, _, hi)) = clock.days_from(first).nth(last) else {
            return Coverage::default();
        };
        let mut rules: Vec<&Premium> = Vec::new();
        for r in contracts.flat_map(|c| c.premiums.iter()) {
            if rules.len() < SHAPES_MAX && !rules.iter().any(|x| Shape::of(x) == Shape::of(r)) {
                rules.push(r);
            }
        }
        let shapes = rules
            .into_iter()
            .filter_map(|rule| {
                let days = clock.days_from(first).take(midnights.len());
                let windows = days.filter_map(|(d, midnight, next)| {
                    window_of(rule, d, midnight, next)
                        .filter(|_| rule.covers_date(d, company.is_holiday(d)))
                        .filter(|w| w.0 < w.1)
                });
                let windows: Windows = windows.collect();
                // The walk's windows are in order and disjoint (SPEC §2's DST rule keeps local
                // times in order); a list that is not is not used.
                let ordered = windows.windows(2).all(|p| match p {
                    [x, y] => x.1 <= y.0,
                    _ => true,
                });
                ordered.then_some((Shape::of(rule), windows))
            })
            .collect();
        Coverage { shapes, lo, hi }
    }

    /// The tabulated windows of `rule`'s shape, if listed.
    #[inline]
    pub fn table(&self, rule: &Premium) -> Option<Table<'_>> {
        let shape = Shape::of(rule);
        self.shapes
            .iter()
            .find(|(s, _)| *s == shape)
            .map(|(_, windows)| Table {
                windows,
                lo: self.lo,
                hi: self.hi,
            })
    }

    /// Bytes on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.shapes
            .iter()
            .map(|(_, w)| std::mem::size_of_val::<[(Instant, Instant)]>(w))
            .sum::<usize>()
            + self.shapes.capacity() * std::mem::size_of::<(Shape, Windows)>()
    }
}

impl Table<'_> {
    /// Calls `f(x, y)` for each non-empty part of `[a, b)` the rule covers, as the walk
    /// does, and returns true; false (and no call) when `[a, b)` is not inside the listed
    /// dates. `hint` is where the previous call's search ended: pieces asked in order step
    /// from it instead of searching again.
    #[inline]
    pub fn for_covered(
        &self,
        (a, b): (Instant, Instant),
        hint: &mut usize,
        mut f: impl FnMut(Instant, Instant),
    ) -> bool {
        if a < self.lo || b > self.hi {
            return false;
        }
        let w = self.windows;
        // The first window ending after a: from the hint when every window before it ends
        // by a, else by a search of the whole list.
        let behind = hint
            .checked_sub(1)
            .is_none_or(|k| w.get(k).is_some_and(|x| x.1 <= a));
        let mut k = if behind { *hint } else { 0 };
        // Pieces asked in order move a window or two: step, and search only past that.
        let mut steps = 0;
        while steps < STEPS && w.get(k).is_some_and(|x| x.1 <= a) {
            k += 1;
            steps += 1;
        }
        if steps == STEPS {
            k += w
                .get(k..)
                .map_or(0, |tail| tail.partition_point(|x| x.1 <= a));
        }
        *hint = k;
        for &(from, to) in w.get(k..).unwrap_or_default() {
            if from >= b {
                break;
            }
            let (x, y) = (from.max(a), to.min(b));
            if x < y {
                f(x, y);
            }
        }
        true
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use crate::calendar::{parse_instant, Instant};
    use crate::ingest::Kind;
    use crate::twin::Twin;
    use chrono::NaiveDate;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// A Brussels company whose holidays include both DST days of 2026 (29 March, 25
    /// October), a schedule from March to November, and one hourly contract per rule shape:
    /// overnight and day windows, windows with an edge in the spring-forward gap or the
    /// fall-back hour, whole dates, holidays only and excluded.
    fn twin() -> Twin {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let company = crate::Company::new("acme", chrono_tz::Europe::Brussels)
            .with_holidays([
                (d(3, 29), "spring"),
                (d(10, 25), "autumn"),
                (d(6, 1), "june"),
            ])
            .unwrap();
        let mut twin = Twin::new(company);
        let rules = [
            json!({"name": "night", "from": "22:00", "to": "06:00", "per_hour": 150}),
            json!({"name": "gap", "from": "02:00", "to": "03:00", "per_hour": 10}),
            json!({"name": "gap_night", "from": "02:30", "to": "02:15", "per_hour": 10}),
            json!({"name": "late", "from": "23:00", "to": "02:30", "per_hour": 10,
                   "days": ["saturday", "sunday"]}),
            json!({"name": "weekend", "days": ["saturday", "sunday"], "multiplier": "1.25"}),
            json!({"name": "holiday", "holidays": "only", "multiplier": "2"}),
            json!({"name": "office", "days": ["monday", "friday"], "from": "09:00",
                   "to": "17:00", "holidays": "exclude", "per_hour": 5}),
        ];
        let contracts: Vec<Value> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                json!({"contract_id": format!("c{i}"), "pay_schedule_id": "m",
                       "currency": "EUR", "wage_rate_period": "hourly",
                       "wage_rate_amount": 2000, "custom_info": {"premiums": [r]}})
            })
            .collect();
        let periods: Vec<Value> = (3..12)
            .map(|m| {
                json!({"pay_period_id": format!("p{m}"),
                       "start_at": format!("2026-{m:02}-01"),
                       "stop_at": format!("2026-{:02}-01", m + 1),
                       "pay_at": format!("2026-{:02}-05", m + 1)})
            })
            .collect();
        let t0 = parse_instant(chrono_tz::UTC, "2026-02-01T00:00:00Z").unwrap();
        let schedules =
            json!([{"pay_schedule_id": "m", "frequency": "monthly", "periods": periods}]);
        let employees = json!([{"employee_id": "e1", "contract_id": "c0"}]);
        let batches = [
            (Kind::PaySchedules, schedules),
            (Kind::Contracts, json!(contracts)),
            (Kind::Employees, employees),
        ];
        for (kind, records) in batches {
            let records = records.as_array().unwrap().clone();
            let r = twin.apply(kind, &records, t0).unwrap();
            assert_eq!(r.count_accepted, records.len(), "{:?}", r.results);
        }
        twin
    }

    type Pieces = Vec<(i64, i64)>;

    /// What the walk and the table give for `[a, b)` under each rule of the twin: the
    /// table's answer is `None` when it declines the piece.
    fn both(twin: &Twin, a: Instant, b: Instant) -> Vec<(Pieces, Option<Pieces>)> {
        let books = &twin.books;
        let derived = books.derived();
        let (_, emp) = books.employee("e1").unwrap();
        let acc = super::super::Accrual::new(books, emp, b, false);
        books
            .contracts
            .iter()
            .flat_map(|c| c.premiums.iter())
            .map(|rule| {
                let mut walk = Vec::new();
                acc.for_covered_from(rule, derived.clock.date_of(a), (a, b), |x, y| {
                    walk.push((x.as_micros(), y.as_micros()));
                });
                let table = derived.coverage.table(rule).expect("every shape is listed");
                let mut listed = Vec::new();
                let mut hint = 0;
                let took = table.for_covered((a, b), &mut hint, |x, y| {
                    listed.push((x.as_micros(), y.as_micros()));
                });
                (walk, took.then_some(listed))
            })
            .collect()
    }

    const HOUR: i64 = 3_600_000_000;

    #[test]
    fn the_tables_give_the_walks_windows_across_both_dst_changes() {
        let twin = twin();
        let at = |s: &str| parse_instant(chrono_tz::UTC, s).unwrap();
        // Every quarter hour's 9-hour piece from 27 March to 2 April and from 23 to 28
        // October (the DST weekends), and one long piece over a month.
        let mut starts = Vec::new();
        for (from, quarters) in [
            ("2026-03-27T00:00:00Z", 6 * 96),
            ("2026-10-23T00:00:00Z", 5 * 96),
        ] {
            starts.extend((0..quarters).map(|q| at(from).as_micros() + q * HOUR / 4));
        }
        let mut pieces: Vec<(i64, i64)> = starts.iter().map(|&a| (a, a + 9 * HOUR + 1)).collect();
        pieces.push((
            at("2026-05-20T03:00:00Z").as_micros(),
            at("2026-06-20T03:00:00Z").as_micros(),
        ));
        let mut taken = 0;
        for (a, b) in pieces {
            let (a, b) = (Instant::from_micros(a), Instant::from_micros(b));
            for (walk, listed) in both(&twin, a, b) {
                let listed = listed.expect("inside the listed dates");
                assert_eq!(walk, listed, "[{a}, {b})");
                taken += usize::from(!walk.is_empty());
            }
        }
        // The pieces do meet windows (the comparison is not of empty lists).
        assert!(taken > 1000, "{taken}");
    }

    #[test]
    fn pieces_outside_the_listed_dates_are_declined() {
        let twin = twin();
        let at = |s: &str| parse_instant(chrono_tz::UTC, s).unwrap();
        // The clock lists the periods' dates and 16 days on each side.
        for (a, b) in [
            ("2025-12-01T00:00:00Z", "2025-12-01T09:00:00Z"),
            ("2027-06-01T00:00:00Z", "2027-06-01T09:00:00Z"),
        ] {
            for (walk, listed) in both(&twin, at(a), at(b)) {
                assert_eq!(listed, None);
                // The walk still answers there.
                let _ = walk;
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Any piece, asked in order with one hint as `premium_sums` does, gets the walk's
        /// windows.
        #[test]
        fn tables_with_a_hint_agree_with_the_walk(
            mut lengths in proptest::collection::vec((0i64..30 * HOUR, 1i64..16 * HOUR), 1..12),
        ) {
            let twin = twin();
            let books = &twin.books;
            let derived = books.derived();
            let (_, emp) = books.employee("e1").unwrap();
            let start = parse_instant(chrono_tz::UTC, "2026-03-20T00:00:00Z").unwrap().as_micros();
            let acc = super::super::Accrual::new(books, emp, Instant::from_micros(start), false);
            lengths.iter_mut().for_each(|x| x.1 = x.1.max(1));
            for rule in books.contracts.iter().flat_map(|c| c.premiums.iter()) {
                let table = derived.coverage.table(rule).unwrap();
                let mut hint = 0;
                let mut cursor = start;
                for &(gap, len) in &lengths {
                    let (a, b) = (Instant::from_micros(cursor + gap), Instant::from_micros(cursor + gap + len));
                    cursor += gap + len;
                    let mut walk = Vec::new();
                    acc.for_covered_from(rule, derived.clock.date_of(a), (a, b), |x, y| walk.push((x, y)));
                    let mut listed = Vec::new();
                    prop_assert!(table.for_covered((a, b), &mut hint, |x, y| listed.push((x, y))));
                    prop_assert_eq!(walk, listed);
                }
            }
        }
    }
}
