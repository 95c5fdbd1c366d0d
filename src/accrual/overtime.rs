//! Overtime (SPEC §5.2): chronological attribution over all the employee's counted shifts on
//! hourly contracts, work days from `workday_starts_at`, work weeks from `week_starts_on`,
//! a daily counter of all hours and a weekly counter of straight-time hours. On a contract
//! with `seventh_day`, a seventh day (the 7th work day of the week after work on each of the
//! 6 before it) is overtime up to 8 hours and double time beyond, and no straight time.
//!
//! Classification does not depend on `t` (a second's class depends only on earlier seconds).
//! When every contract with rules of the employee has the same work weeks, a second's class
//! depends only on the seconds of its own work week (the seventh day too: it looks at the
//! six work days before it in that week): classified from 8 days before a window
//! (so every work week that reaches it is seen whole), the pieces inside the window are
//! those of the employee's whole history. When two contracts' work weeks differ (another
//! `workday_starts_at`), the one straight-time counter chains them: a second of one
//! contract's week depends on seconds of the other's that began earlier, which depend on
//! the week before, and so on back to the first shift (issue #13), so classification starts
//! at the employee's first shift ([`start`]). Either way it is done once per employee, from
//! the first window asked about on, and kept in the twin's cache ([`Classified`]); a window
//! before that is classified for the query alone.

use super::hourly::{for_rate_pieces, MICROS_PER_HOUR};
use super::sides::Sides;
use super::Books;
use super::{seconds_text, Accrual, Line, LineKind};
use crate::calendar::{self, Frequency, Instant};
use crate::error::{Error, Result};
use crate::model::in_mask;
use crate::model::LocalClock;
use crate::model::{Contract, Employee, Overtime};
use crate::model::{ContractIx, Ix};
use crate::money::Exact;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use smallvec::SmallVec;

/// How far before the first window classification starts when the employee's contracts
/// share one work week: a work week plus slack for DST and `workday_starts_at`.
pub(crate) const LOOKBACK_MICROS: i64 = 8 * 24 * 3_600_000_000;

/// Whether every hourly contract with overtime rules the employee is assigned to has the
/// same work weeks: the same `workday_starts_at` (`week_starts_on` is the company's).
fn one_work_week(twin: &Books, emp: &Employee) -> bool {
    let mut starts = emp.assignments.iter().filter_map(|a| {
        twin.contracts
            .get(a.contract)
            .filter(|c| c.rate_period == Frequency::Hourly)
            .and_then(|c| c.overtime.as_ref())
            .map(|o| o.workday_starts_at)
    });
    let first = starts.next();
    starts.all(|s| Some(s) == first)
}

/// The instant classification for windows from `from` on starts at (SPEC §5.2): 8 days
/// before `from` when the employee's contracts with rules share one work week (every work
/// week reaching `from` is then seen whole, and a week's classes depend on that week
/// alone); else the beginning of time, i.e. the employee's first shift (see the module
/// docs: the weeks of two calendars chain each other back to it).
pub(crate) fn start(twin: &Books, emp: &Employee, from: Instant) -> Instant {
    if one_work_week(twin, emp) {
        Instant::from_micros(from.as_micros().saturating_sub(LOOKBACK_MICROS))
    } else {
        Instant::MIN
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Overtime,
    DoubleTime,
}

/// A piece of worked time paid a premium.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Piece {
    start: Instant,
    stop: Instant,
    contract: ContractIx,
    shift: u32,
    class: Class,
}

/// A counted hourly segment: a shift clipped to its assignment.
#[derive(Clone, Copy, Debug)]
struct Segment {
    start: Instant,
    stop: Instant,
    contract: ContractIx,
    shift: u32,
}

/// Premium pieces of one employee, sorted by start: the cached classification, or one made
/// for a window before it.
pub(crate) enum Premiums<'a> {
    /// From the twin's cache.
    Cached(&'a [Piece]),
    /// Classified for this query (a window before the cached one's: rare).
    Windowed(Vec<Piece>),
}

/// An employee's premium pieces classified over all counted time from [`start`]`(from)` on:
/// exactly the pieces of any window starting at or after `from` (SPEC §5.2).
#[derive(Clone, Debug)]
pub(crate) struct Classified {
    from: Instant,
    pieces: Box<[Piece]>,
    /// The employee's shifts with breaks or tips (kept here: dropped with the
    /// classification whenever the shift list changes).
    sides: Sides,
}

impl Classified {
    /// Bytes of its pieces and side list.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val::<[Piece]>(&self.pieces) + self.sides.heap_bytes()
    }
}

/// The employee's cached [`Sides`], made now if the employee has no cache entry yet (then
/// without a classification: an entry made here never serves [`Premiums::of`], which
/// classifies for the window instead; [`super::Accrual::prepare`] asks [`Premiums::of`]
/// first). `None` when no shift of the twin has a side record, or for an employee of
/// another twin.
pub(crate) fn cached_sides<'a>(twin: &'a Books, emp: &Employee) -> Option<&'a Sides> {
    if twin.shifts.ext.is_empty() {
        return None;
    }
    let slot = twin.premium_slot(emp)?;
    let entry = slot.get_or_init(|| Classified {
        from: Instant::MAX,
        pieces: Box::default(),
        sides: Sides::of(twin, emp),
    });
    Some(&entry.sides)
}

/// Premium pieces: a handful per employee, kept inline.
type Pieces = SmallVec<[Piece; 8]>;

/// Running sums of worked or straight time over sorted, disjoint intervals (inline for a
/// month of shifts).
#[derive(Default)]
struct Prefix {
    /// (start, stop, total before start)
    runs: SmallVec<[(i64, i64, i64); 64]>,
}

impl Prefix {
    fn push(&mut self, a: i64, b: i64) {
        if b <= a {
            return;
        }
        let before = self.runs.last().map_or(0, |r| r.2 + (r.1 - r.0));
        self.runs.push((a, b, before));
    }
    /// Total length of the intervals before instant `x`; `near` is a guess of the number of
    /// intervals starting before `x` (the queries are about the last day or week, a few
    /// intervals from the guess): a few steps from it, else a binary search.
    fn before(&self, x: i64, near: usize) -> i64 {
        // One slice for the whole walk (each `SmallVec` access checks where its data lives).
        let runs = self.runs.as_slice();
        let starts_before = |k: usize| runs.get(k).is_some_and(|r| r.0 < x);
        let mut i = near.min(runs.len());
        // i must count the intervals starting before x: runs[i - 1] does, runs[i] does not.
        if starts_before(i) {
            let mut steps = 0;
            while steps < 16 && starts_before(i) {
                i += 1;
                steps += 1;
            }
            if starts_before(i) {
                i = runs.partition_point(|r| r.0 < x);
            }
        } else {
            let mut steps = 0;
            while steps < 16 && i > 0 && !starts_before(i - 1) {
                i -= 1;
                steps += 1;
            }
            if i > 0 && !starts_before(i - 1) {
                i = runs.partition_point(|r| r.0 < x);
            }
        }
        match i.checked_sub(1).and_then(|i| runs.get(i)) {
            None => 0,
            Some(r) => r.2 + (r.1.min(x) - r.0),
        }
    }
}

/// A work day: `[start, end)` and the start of its work week.
#[derive(Clone, Copy, Debug)]
struct Day {
    start: Instant,
    end: Instant,
    week_start: Instant,
}

/// Work days of one contract: from local `workday_starts_at` to the next.
struct WorkDays<'c> {
    tz: Tz,
    clock: &'c LocalClock,
    starts_at: NaiveTime,
    week_starts_on: Weekday,
    /// The tabulated starts of consecutive work days, from the date of the first.
    table: Option<(NaiveDate, &'c [Instant])>,
    /// Days from the start of the work week to the table's first date.
    first_back: usize,
    /// The table index of the last day found (the next one is usually the same or next).
    hint: usize,
    /// `(day start, worked time before it)` of the last work day asked about.
    day_base: Option<(i64, i64)>,
    /// `(week start, straight time before it)` of the last work week asked about; kept only
    /// while straight time is pushed in time order (see [`classify_segment`]).
    week_base: Option<(i64, i64)>,
    /// `(day start, whether it is a seventh day)` of the last work day asked about.
    seventh: Option<(i64, bool)>,
}

impl<'c> WorkDays<'c> {
    fn new(tz: Tz, clock: &'c LocalClock, starts_at: NaiveTime, week_starts_on: Weekday) -> Self {
        let table = clock.table(starts_at);
        let first_back = table.map_or(0, |(first, _)| days_into_week(first, week_starts_on));
        WorkDays {
            tz,
            clock,
            starts_at,
            week_starts_on,
            table,
            first_back,
            hint: 0,
            day_base: None,
            week_base: None,
            seventh: None,
        }
    }

    fn start(&self, d: NaiveDate) -> Instant {
        self.clock.at(d, self.starts_at)
    }

    /// The work day holding `x`.
    fn containing(&mut self, x: Instant) -> Option<Day> {
        // Tabulated dates: the one work day k whose [v[k], v[k + 1]) holds x; its week
        // starts on day k − back (integer weekday arithmetic, no calendar).
        if let Some((_, v)) = self.table {
            let holds = |k: usize| {
                matches!((v.get(k), k.checked_add(1).and_then(|n| v.get(n))),
                    (Some(a), Some(b)) if *a <= x && x < *b)
            };
            let k = if holds(self.hint) {
                Some(self.hint)
            } else if holds(self.hint + 1) {
                Some(self.hint + 1)
            } else {
                v.partition_point(|s| *s <= x)
                    .checked_sub(1)
                    .filter(|k| holds(*k))
            };
            if let Some(k) = k {
                self.hint = k;
                let back = (self.first_back + k) % 7;
                if let (Some(&start), Some(&end), Some(&week_start)) = (
                    v.get(k),
                    v.get(k + 1),
                    k.checked_sub(back).and_then(|w| v.get(w)),
                ) {
                    return Some(Day {
                        start,
                        end,
                        week_start,
                    });
                }
            }
        }
        let local = calendar::local_datetime(self.tz, x);
        let mut d = if local.time() >= self.starts_at {
            local.date()
        } else {
            local.date().pred_opt()?
        };
        // DST can put the wall-clock guess one day off; correct it (bounded).
        for _ in 0..3 {
            if x < self.start(d) {
                d = d.pred_opt()?;
            } else if x >= self.start(d.succ_opt()?) {
                d = d.succ_opt()?;
            } else {
                break;
            }
        }
        Some(Day {
            start: self.start(d),
            end: self.start(d.succ_opt()?),
            week_start: self.week_start(d),
        })
    }

    /// Start of the work week holding work day `d`.
    fn week_start(&self, d: NaiveDate) -> Instant {
        let back = days_into_week(d, self.week_starts_on);
        let first = d
            .checked_sub_signed(Duration::days(back as i64))
            .unwrap_or(d);
        self.start(first)
    }
}

/// Days from the first day of the week (`week_starts_on`) to `d` (0–6).
fn days_into_week(d: NaiveDate, week_starts_on: Weekday) -> usize {
    ((7 + d.weekday().num_days_from_monday() - week_starts_on.num_days_from_monday()) % 7) as usize
}

impl<'a> Premiums<'a> {
    /// Whether any hourly contract of the employee has overtime rules (else there is
    /// nothing to classify).
    pub fn applies(twin: &Books, emp: &Employee) -> bool {
        emp.assignments.iter().any(|a| {
            twin.contracts
                .get(a.contract)
                .is_some_and(|c| c.rate_period == Frequency::Hourly && c.overtime.is_some())
        })
    }

    /// The premium pieces for windows in `[from, to)`, for an employee of whom
    /// [`Premiums::applies`] holds (the caller checks): the twin's cached classification if
    /// it covers `from`, made now (from `from` on) if the employee has none yet, else
    /// classified for this window alone. `first` is the index of the first shift record
    /// starting at or after [`start`]`(from) −` the longest shift allowed.
    pub fn of(
        twin: &'a Books,
        emp: &Employee,
        counted: u8,
        from: Instant,
        to: Instant,
        first: usize,
    ) -> Premiums<'a> {
        // Classified from the first shift, the pieces hold for every window: so says `from`.
        let from = if start(twin, emp, from) == Instant::MIN {
            Instant::MIN
        } else {
            from
        };
        let slot = twin.premium_slot(emp).map(|slot| {
            slot.get_or_init(|| Classified {
                from,
                pieces: classify(twin, emp, counted, from, Instant::MAX, first)
                    .into_vec()
                    .into(),
                sides: Sides::of(twin, emp),
            })
        });
        match slot {
            Some(c) if c.from <= from => Premiums::Cached(&c.pieces),
            _ => Premiums::Windowed(classify(twin, emp, counted, from, to, first).into_vec()),
        }
    }

    fn pieces(&self) -> &[Piece] {
        match self {
            Premiums::Cached(p) => p,
            Premiums::Windowed(p) => p,
        }
    }

    /// Premiums of contract `cix` in `[lo, hi)` (SPEC §5.2: `(multiplier − 1) × rate` at the
    /// rate in force at that second).
    pub fn premium(
        &self,
        acc: &Accrual<'_>,
        cix: ContractIx,
        c: &Contract,
        lo: Instant,
        hi: Instant,
        lines: &mut Vec<Line>,
    ) -> Result<Exact> {
        let Some(rules) = &c.overtime else {
            return Ok(Exact::ZERO);
        };
        let (overtime, double_time) = extras(acc, cix, rules)?;
        let pieces = self.pieces();
        let first = pieces.partition_point(|p| p.stop <= lo);
        let mut total = Exact::ZERO;
        for p in pieces.get(first..).unwrap_or_default() {
            if p.start >= hi {
                break;
            }
            if p.contract != cix {
                continue;
            }
            let (a, b) = (p.start.max(lo), p.stop.min(hi));
            if a >= b {
                continue;
            }
            let (kind, class) = match p.class {
                Class::Overtime => (LineKind::Overtime, overtime),
                Class::DoubleTime => (LineKind::DoubleTime, double_time),
            };
            let Some((m, extra)) = class else { continue };
            piece_premium(acc, c, p, (a, b), kind, (m, extra), &mut total, lines)?;
        }
        Ok(total)
    }
}

/// A class's multiplier and `multiplier − 1`.
type Extra = (rust_decimal::Decimal, Exact);

/// `(multiplier, multiplier − 1)` of overtime and double time of contract `cix` (SPEC §5.2).
#[inline]
fn extras(
    acc: &Accrual<'_>,
    cix: ContractIx,
    rules: &Overtime,
) -> Result<(Option<Extra>, Option<Extra>)> {
    // `multiplier − 1` of each class, computed once per twin (SPEC §5.2); a multiplier
    // that does not convert is an overflow, as before.
    let extras = acc.twin.derived().premiums.get(cix.at());
    let extra = |m: Option<rust_decimal::Decimal>, k: usize| -> Result<Option<Extra>> {
        let Some(m) = m else { return Ok(None) };
        match extras.and_then(|x| x.get(k).copied().flatten()) {
            Some(x) => Ok(Some((m, x))),
            None => Err(Error::overflow("overtime premium")),
        }
    };
    Ok((
        extra(rules.multiplier, 0)?,
        extra(rules.double_time_multiplier, 1)?,
    ))
}

/// Adds the premium of piece `p` in `[a, b)` to `total`, rate piece by rate piece (SPEC §5.2).
#[allow(clippy::too_many_arguments)]
#[inline]
fn piece_premium(
    acc: &Accrual<'_>,
    c: &Contract,
    p: &Piece,
    (a, b): (Instant, Instant),
    kind: LineKind,
    (m, extra): Extra,
    total: &mut Exact,
    lines: &mut Vec<Line>,
) -> Result<()> {
    if super::regular_rate::weighted(c) {
        // SPEC §5.2 `weighted_average`: the premium multiplies the week's regular rate.
        let extra = (m, extra);
        return super::regular_rate::weighted_premium(
            acc,
            c,
            p.shift,
            (a, b),
            kind,
            extra,
            total,
            lines,
        );
    }
    let mut err = false;
    for_rate_pieces(c, a, b, |x, y, rate| {
        let micros = y.as_micros().saturating_sub(x.as_micros());
        // rate × micros / 3600e6 × (m − 1), as one fraction (one reduction); the
        // product of the two reduced fractions when the parts overflow.
        let line = i128::from(rate)
            .checked_mul(i128::from(micros))
            .and_then(|n| {
                let one = n
                    .checked_mul(extra.numer())
                    .zip(MICROS_PER_HOUR.checked_mul(extra.denom()))
                    .and_then(|(n, d)| Exact::new(n, d));
                one.or_else(|| Exact::new(n, MICROS_PER_HOUR)?.checked_mul(extra))
            });
        let Some(exact) = line.and_then(|l| {
            *total = total.checked_add(l)?;
            Some(l)
        }) else {
            err = true;
            return;
        };
        if acc.explain {
            lines.push(Line {
                kind,
                name: None,
                contract_id: Some(c.id.to_string()),
                source_ids: vec![acc.twin.shifts.id(p.shift).to_string()],
                quantity: seconds_text(micros),
                unit: "seconds",
                rate: Some(rate),
                multiplier: Some(m.normalize().to_string()),
                amount: exact.to_fixed(6),
                exact,
            });
        }
    });
    if err {
        return Err(Error::overflow("overtime premium"));
    }
    Ok(())
}

/// Classifies the employee's counted hourly time in `[start(from), to)` (see
/// [`Premiums::of`] for `first`).
fn classify(
    twin: &Books,
    emp: &Employee,
    counted: u8,
    from: Instant,
    to: Instant,
    first: usize,
) -> Pieces {
    let hourly = |c: ContractIx| {
        twin.contracts
            .get(c)
            .filter(|c| c.rate_period == Frequency::Hourly)
    };
    let lo = start(twin, emp, from).as_micros();
    debug_assert_eq!(
        first,
        crate::model::first_from(
            &emp.shifts,
            Instant::from_micros(lo.saturating_sub(twin.company.limits.shift_micros_max()))
        )
    );
    let segments = segments(twin, emp, counted, lo, to, first);
    // Counted shifts do not overlap, so neither do their segments (checked: the
    // counters below rely on it only to reuse a week's total).
    let ordered = segments
        .iter()
        .zip(segments.iter().skip(1))
        .all(|(a, b)| a.stop <= b.start);
    let mut worked = Prefix::default();
    for s in &segments {
        worked.push(s.start.as_micros(), s.stop.as_micros());
    }
    let mut straight = Prefix::default();
    let mut pieces = Pieces::new();
    let clock = &twin.derived().clock;
    // One work-day calendar per `workday_starts_at` (contracts usually share one).
    let mut calendars: SmallVec<[WorkDays<'_>; 2]> = SmallVec::new();
    for (index, seg) in segments.iter().enumerate() {
        let rules = hourly(seg.contract).and_then(|c| c.overtime.as_ref());
        match rules {
            None => straight.push(seg.start.as_micros(), seg.stop.as_micros()),
            Some(rules) => {
                if let Some(days) = calendar(&mut calendars, twin, clock, rules) {
                    classify_segment(
                        index,
                        seg,
                        ordered,
                        rules,
                        days,
                        &worked,
                        &mut straight,
                        &mut pieces,
                    );
                }
            }
        }
    }
    pieces
}

/// The work-day calendar of `rules`' `workday_starts_at` among `calendars`, added if new.
fn calendar<'v, 'c>(
    calendars: &'v mut SmallVec<[WorkDays<'c>; 2]>,
    twin: &Books,
    clock: &'c LocalClock,
    rules: &Overtime,
) -> Option<&'v mut WorkDays<'c>> {
    let k = match calendars
        .iter()
        .position(|d| d.starts_at == rules.workday_starts_at)
    {
        Some(k) => k,
        None => {
            calendars.push(WorkDays::new(
                twin.company.timezone,
                clock,
                rules.workday_starts_at,
                twin.company.week_starts_on,
            ));
            calendars.len() - 1
        }
    };
    calendars.get_mut(k)
}

/// The employee's counted hourly time from the shift records from `first` on that start
/// before `to`, clipped to their assignments' stints, ending after `lo`, sorted.
fn segments(
    twin: &Books,
    emp: &Employee,
    counted: u8,
    lo: i64,
    to: Instant,
    first: usize,
) -> SmallVec<[Segment; 48]> {
    let hourly = |c: ContractIx| {
        twin.contracts
            .get(c)
            .is_some_and(|c| c.rate_period == Frequency::Hourly)
    };
    let mut segments: SmallVec<[Segment; 48]> = SmallVec::new();
    let assignments = emp.assignments.as_slice();
    for v in emp.shifts.get(first..).unwrap_or_default() {
        if v.start >= to {
            break;
        }
        if !in_mask(counted, v.status()) {
            continue;
        }
        let Some(cix) = v.contract.filter(|&c| hourly(c)) else {
            continue;
        };
        let Some(a) = assignments.iter().find(|a| a.contract == cix) else {
            continue;
        };
        // SPEC §5.2: only time inside the assignment's active interval is worked time (the
        // clipped part of a shift counts toward no counter).
        // SPEC §5.6: worked time is paid time, the shift minus its unpaid breaks.
        let c = twin.contracts.get(cix);
        for st in &a.stints {
            for (start, stop) in super::paid::paid(twin, v, c, st.start, st.end) {
                if stop.as_micros() > lo {
                    segments.push(Segment {
                        start,
                        stop,
                        contract: cix,
                        shift: v.ix(),
                    });
                }
            }
        }
    }
    // Shifts are sorted and counted ones do not overlap: usually sorted already.
    if !segments.is_sorted_by_key(|s| (s.start, s.stop)) {
        segments.sort_by_key(|s| (s.start, s.stop));
    }
    segments
}

/// Splits one segment of a contract with rules into straight, overtime and double-time
/// pieces, work day by work day. Within a work day the class only moves forward
/// (straight → overtime → double time): the counters only grow.
#[allow(clippy::too_many_arguments)]
fn classify_segment(
    index: usize,
    seg: &Segment,
    ordered: bool,
    rules: &Overtime,
    days: &mut WorkDays<'_>,
    worked: &Prefix,
    straight: &mut Prefix,
    pieces: &mut Pieces,
) {
    let mut cursor = seg.start;
    let mut guard = 0;
    while cursor < seg.stop && guard < 64 {
        guard += 1;
        let Some(Day {
            start: day_start,
            end: day_end,
            week_start,
        }) = days.containing(cursor)
        else {
            break;
        };
        let end = seg.stop.min(day_end);
        let (c, e) = (cursor.as_micros(), end.as_micros());
        let len = e - c;
        let day_done = day_done(days, worked, index, ordered, day_start, cursor);
        if rules.seventh_day && seventh_day(days, worked, day_start, week_start) {
            // SPEC §5.2, §9: overtime while under 8 hours that day, double time from 8 on,
            // whatever the thresholds; none of it is straight time.
            let to_dt = (SEVENTH_DAY_DOUBLE_TIME - day_done).clamp(0, len);
            push_premiums(pieces, seg, c, c + to_dt, e);
            cursor = end;
            continue;
        }
        let week_straight = week_straight(days, straight, ordered, week_start, cursor);
        let until = |threshold: Option<i64>, done: i64| threshold.map(|t| (t - done).clamp(0, len));
        let to_dt = until(rules.double_time_threshold, day_done);
        let to_daily = until(rules.daily_threshold, day_done);
        let to_weekly = until(rules.weekly_threshold, week_straight);
        let straight_len = [Some(len), to_dt, to_daily, to_weekly]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(len);
        straight.push(c, c + straight_len);
        let dt_from = to_dt.unwrap_or(len).max(straight_len);
        push_premiums(pieces, seg, c + straight_len, c + dt_from, e);
        cursor = end;
    }
}

/// On a seventh day, double time from this many hours worked that day (SPEC §5.2, §9).
const SEVENTH_DAY_DOUBLE_TIME: i64 = 8 * 3_600_000_000;

/// Whether the work day starting at `day_start` is a **seventh day** (SPEC §5.2
/// `seventh_day`): the 7th work day of the work week starting at `week_start`, after work
/// (any paid second on any hourly contract: `worked`) on each of the 6 work days before it.
/// The answer is kept for the day's next segments.
fn seventh_day(
    days: &mut WorkDays<'_>,
    worked: &Prefix,
    day_start: Instant,
    week_start: Instant,
) -> bool {
    let ds = day_start.as_micros();
    if let Some((d, seventh)) = days.seventh {
        if d == ds {
            return seventh;
        }
    }
    let mut at = week_start;
    let mut seventh = true;
    for _ in 0..6 {
        let Some(day) = days.containing(at) else {
            seventh = false;
            break;
        };
        let (a, b) = (day.start.as_micros(), day.end.as_micros());
        if day.start >= day_start || worked.before(b, 0) <= worked.before(a, 0) {
            seventh = false;
            break;
        }
        at = day.end;
    }
    // After six work days, the next one must be this one.
    let seventh = seventh && at == day_start;
    days.seventh = Some((ds, seventh));
    seventh
}

/// Time worked in `day_start`'s work day before `cursor`: the daily counter (SPEC §5.2).
#[inline]
fn day_done(
    days: &mut WorkDays<'_>,
    worked: &Prefix,
    index: usize,
    ordered: bool,
    day_start: Instant,
    cursor: Instant,
) -> i64 {
    // The segment is the index-th worked interval. The worked time before a day start does
    // not change (`worked` is complete), so it is kept for the next segment of the same day.
    let (ds, c) = (day_start.as_micros(), cursor.as_micros());
    let day_base = match days.day_base {
        Some((d, w)) if d == ds => w,
        _ => {
            let w = worked.before(ds, index);
            days.day_base = Some((ds, w));
            w
        }
    };
    // Worked time before c: the segment is the index-th worked interval, so that is its
    // total before plus the part of it before c (a search only if that does not hold).
    let worked_c = match worked.runs.get(index) {
        Some(r) if ordered && r.0 <= c && c <= r.1 => r.2 + (c - r.0),
        _ => worked.before(c, index + 1),
    };
    worked_c - day_base
}

/// Straight time in `week_start`'s work week before `cursor`: the weekly counter (SPEC §5.2).
#[inline]
fn week_straight(
    days: &mut WorkDays<'_>,
    straight: &Prefix,
    ordered: bool,
    week_start: Instant,
    cursor: Instant,
) -> i64 {
    // Straight time is pushed as it goes. The straight time before a week start does not
    // change once a piece of that week has been pushed, as long as every later piece starts
    // at or after it: true when the segments are disjoint (`ordered`), as counted shifts are.
    let (ws, c) = (week_start.as_micros(), cursor.as_micros());
    let last = straight.runs.len();
    let week_base = match days.week_base {
        Some((d, w)) if d == ws && ordered => w,
        _ => {
            let w = straight.before(ws, last);
            days.week_base = Some((ws, w));
            w
        }
    };
    // Straight time before c: every straight piece so far starts before c (the last
    // one's total, clipped at c), else a search.
    let straight_c = match straight.runs.last() {
        Some(r) if ordered && r.0 < c => r.2 + (r.1.min(c) - r.0),
        None => 0,
        Some(_) => straight.before(c, last),
    };
    straight_c - week_base
}

/// Pushes `seg`'s non-empty overtime `[ot, dt)` and double-time `[dt, e)` pieces (SPEC §5.2).
#[inline]
fn push_premiums(pieces: &mut Pieces, seg: &Segment, ot: i64, dt: i64, e: i64) {
    let mut push = |a: i64, b: i64, class: Class| {
        if b > a {
            pieces.push(Piece {
                start: Instant::from_micros(a),
                stop: Instant::from_micros(b),
                contract: seg.contract,
                shift: seg.shift,
                class,
            });
        }
    };
    push(ot, dt, Class::Overtime);
    push(dt, e, Class::DoubleTime);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;
    use crate::ingest::Kind;
    use crate::twin::Twin;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    const HOUR: i64 = 3_600_000_000;

    /// Overtime and double-time lines of an answer.
    fn premium_lines(a: &crate::accrual::Accruals) -> usize {
        a.periods
            .iter()
            .flat_map(|p| &p.lines)
            .filter(|l| matches!(l.kind, LineKind::Overtime | LineKind::DoubleTime))
            .count()
    }

    /// The pieces touching `[from, to)`.
    fn touching(pieces: &[Piece], from: Instant, to: Instant) -> Vec<Piece> {
        pieces
            .iter()
            .filter(|p| p.stop > from && p.start < to)
            .copied()
            .collect()
    }

    /// A generated company (hourly contracts with daily, weekly and double-time rules,
    /// night shifts, a DST change in the data) and its employees with overtime rules.
    fn company(seed: u64, employees: usize) -> (Twin, generate::Options, Vec<usize>) {
        let opts = generate::Options {
            employees,
            seed,
            start: chrono::NaiveDate::from_ymd_opt(2026, 3, 16).unwrap(),
            ..generate::Options::default()
        };
        let twin = generate::twin(&opts).unwrap();
        let with_rules = (0..twin.books.employees.len())
            .filter(|i| Premiums::applies(&twin.books, &twin.books.employees[*i]))
            .collect();
        (twin, opts, with_rules)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        /// The cached classification (the whole history from an early instant on) holds, for
        /// any later window, exactly the pieces the window's own classification finds there
        /// (SPEC §5.2: a second's class depends only on earlier seconds).
        #[test]
        fn cached_classification_is_the_windowed_one(
            seed in 0u64..1_000,
            windows in proptest::collection::vec((0i64..50 * 24, 1i64..40 * 24), 6),
        ) {
            let (twin, opts, with_rules) = company(seed, 60);
            prop_assert!(!with_rules.is_empty());
            let counted = twin.books.derived().counted;
            let shift_max = twin.books.company.limits.shift_micros_max();
            let first = |emp: &Employee, from: Instant| first_shift(&twin, emp, from, shift_max);
            // Shifts start 47 days before `as_of`: the whole history from before the first.
            let origin = opts.as_of().as_micros() - 60 * 24 * HOUR;
            let early = Instant::from_micros(origin);
            let mut seen = 0;
            for &i in &with_rules {
                let emp = &twin.books.employees[i];
                let whole = classify(&twin.books, emp, counted, early, Instant::MAX, first(emp, early));
                for &(at, len) in &windows {
                    let from = Instant::from_micros(origin + 10 * 24 * HOUR + at * HOUR);
                    let to = Instant::from_micros(from.as_micros() + len * HOUR);
                    let windowed = classify(&twin.books, emp, counted, from, to, first(emp, from));
                    let want = touching(&windowed, from, to);
                    seen += want.len();
                    prop_assert_eq!(touching(&whole, from, to), want, "{} {} {}", emp.id, from, to);
                }
            }
            // Not vacuous: the data pays overtime in some windows.
            prop_assert!(seen > 0);
        }
    }

    /// The `first` argument of [`classify`] for windows from `from` on.
    fn first_shift(twin: &Twin, emp: &Employee, from: Instant, shift_max: i64) -> usize {
        let lo = start(&twin.books, emp, from)
            .as_micros()
            .saturating_sub(shift_max);
        crate::model::first_from(&emp.shifts, Instant::from_micros(lo))
    }

    /// Local 00:00 of 23 February 2026 in Brussels (a Monday; the data crosses the DST
    /// change of 29 March).
    fn feb_23() -> i64 {
        calendar::parse_instant(chrono_tz::Europe::Brussels, "2026-02-23")
            .unwrap()
            .as_micros()
    }

    /// Overtime rules of one contract: a weekly threshold, maybe a daily one with double
    /// time after it, work days from `starts` o'clock.
    #[derive(Clone, Debug)]
    struct Rules {
        weekly: u32,
        daily: Option<u32>,
        starts: u32,
    }

    fn rules() -> impl Strategy<Value = Rules> {
        (
            prop::sample::select(vec![8u32, 16, 24, 32, 40]),
            prop::option::of(prop::sample::select(vec![4u32, 6, 8])),
            0u32..24,
        )
            .prop_map(|(weekly, daily, starts)| Rules {
                weekly,
                daily,
                starts,
            })
    }

    /// Shifts as (start minute from 23 February, length in minutes, on contract `b`), laid
    /// one after another with gaps (counted shifts do not overlap), dense enough that
    /// weekly thresholds are reached.
    fn shifts(max: usize) -> impl Strategy<Value = Vec<(i64, i64, bool)>> {
        prop::collection::vec((0i64..1_200, 30i64..720, any::<bool>()), 1..max).prop_map(|v| {
            let mut t = 0;
            v.into_iter()
                .map(|(gap, len, b)| {
                    t += gap;
                    let s = (t, len, b);
                    t += len;
                    s
                })
                .collect()
        })
    }

    /// A Brussels company whose weeks start on `week`, with semi-monthly periods February to
    /// May (paid 3 days after they end) and two hourly contracts with overtime rules, `a`
    /// (1,500/h) and `b` (2,300/h), on which employee `e1` works `shifts` (SPEC §5.2: one
    /// straight-time counter over both, each contract's own work weeks).
    fn two_calendars(week: Weekday, a: &Rules, b: &Rules, shifts: &[(i64, i64, bool)]) -> Twin {
        let mut company = crate::Company::new("acme", chrono_tz::Europe::Brussels);
        company.week_starts_on = week;
        let mut twin = Twin::new(company);
        let t0 = Instant::from_micros(feb_23() - 60 * 24 * HOUR);
        let apply = |twin: &mut Twin, kind: Kind, v: Value| {
            let records = v.as_array().unwrap().clone();
            let r = twin.apply(kind, &records, t0).unwrap();
            assert_eq!(r.count_accepted, records.len(), "{:?}", r.error_summary);
        };
        let mut periods = Vec::new();
        for m in 2..=5 {
            for (k, (from, to)) in [
                (format!("2026-{m:02}-01"), format!("2026-{m:02}-16")),
                (format!("2026-{m:02}-16"), format!("2026-{:02}-01", m + 1)),
            ]
            .into_iter()
            .enumerate()
            {
                let pay = format!("{to}T00:00:00");
                let pay_at = calendar::parse_instant(chrono_tz::Europe::Brussels, &pay).unwrap();
                let pay_at = Instant::from_micros(pay_at.as_micros() + 3 * 24 * HOUR);
                periods.push(
                    json!({"pay_period_id": format!("{m}-{k}"), "start_at": from,
                                    "stop_at": to, "pay_at": pay_at.to_string()}),
                );
            }
        }
        apply(
            &mut twin,
            Kind::PaySchedules,
            json!([{"pay_schedule_id": "half", "frequency": "semi-monthly", "periods": periods}]),
        );
        let contract = |id: &str, rate: i64, r: &Rules| {
            let mut o = json!({"weekly_threshold_hours": r.weekly.to_string(), "multiplier": "1.5",
                               "workday_starts_at": format!("{:02}:00", r.starts)});
            if let Some(d) = r.daily {
                o["daily_threshold_hours"] = d.to_string().into();
                o["double_time_daily_threshold_hours"] = (d + 3).to_string().into();
                o["double_time_multiplier"] = "2".into();
            }
            json!({"contract_id": id, "pay_schedule_id": "half", "currency": "EUR",
                   "wage_rate_period": "hourly", "wage_rate_amount": rate,
                   "custom_info": {"overtime": o}})
        };
        apply(
            &mut twin,
            Kind::Contracts,
            json!([contract("a", 1_500, a), contract("b", 2_300, b)]),
        );
        apply(
            &mut twin,
            Kind::Employees,
            json!([{"employee_id": "e1", "contract_id": "a", "contract_start_on": "2026-01-01"},
                   {"employee_id": "e1", "contract_id": "b", "contract_start_on": "2026-01-01"}]),
        );
        let minute = HOUR / 60;
        let records: Vec<Value> = shifts
            .iter()
            .enumerate()
            .map(|(i, (at, len, b))| {
                let start = Instant::from_micros(feb_23() + at * minute);
                let stop = Instant::from_micros(feb_23() + (at + len) * minute);
                json!({"shift_id": format!("s{i}"), "shift_status": "approved", "employee_id": "e1",
                       "contract_id": if *b { "b" } else { "a" },
                       "start_at": start.to_string(), "stop_at": stop.to_string()})
            })
            .collect();
        apply(&mut twin, Kind::Shifts, Value::Array(records));
        twin
    }

    fn weekday() -> impl Strategy<Value = Weekday> {
        (0u8..7).prop_map(|d| Weekday::try_from(d).unwrap_or(Weekday::Mon))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        /// `cached_classification_is_the_windowed_one` for an employee on two contracts
        /// whose work weeks differ (`workday_starts_at`; any `week_starts_on`): the weeks
        /// chain each other back to the first shift (issue #13), so a window's pieces are
        /// those of the whole history wherever the classification of the window starts.
        #[test]
        fn cached_classification_is_the_windowed_one_on_two_calendars(
            week in weekday(),
            a in rules(),
            b in rules(),
            shifts in shifts(90),
            windows in proptest::collection::vec((0i64..50 * 24, 1i64..20 * 24), 6),
        ) {
            let twin = two_calendars(week, &a, &b, &shifts);
            let counted = twin.books.derived().counted;
            let shift_max = twin.books.company.limits.shift_micros_max();
            let emp = &twin.books.employees[0];
            prop_assert_eq!(one_work_week(&twin.books, emp), a.starts == b.starts);
            let early = Instant::from_micros(feb_23() - 24 * HOUR);
            let whole = classify(
                &twin.books, emp, counted, early, Instant::MAX, first_shift(&twin, emp, early, shift_max),
            );
            for &(at, len) in &windows {
                let from = Instant::from_micros(feb_23() + 2 * 24 * HOUR + at * HOUR);
                let to = Instant::from_micros(from.as_micros() + len * HOUR);
                let first = first_shift(&twin, emp, from, shift_max);
                let windowed = classify(&twin.books, emp, counted, from, to, first);
                prop_assert_eq!(
                    touching(&whole, from, to), touching(&windowed, from, to), "{} {}", from, to
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// `answers_do_not_depend_on_the_cache` on two contracts with different work weeks:
        /// the answers at instants asked in any order on one twin (its cache filled by the
        /// first) are those of a twin whose cache is dropped before each (SPEC §1).
        #[test]
        fn answers_do_not_depend_on_the_cache_on_two_calendars(
            week in weekday(),
            a in rules(),
            b in rules(),
            shifts in shifts(90),
            ats in proptest::collection::vec(0i64..70 * 24, 2..10),
        ) {
            let mut twin = two_calendars(week, &a, &b, &shifts);
            let ats: Vec<Instant> =
                ats.iter().map(|h| Instant::from_micros(feb_23() + h * HOUR)).collect();
            let warm: Vec<_> = ats.iter().map(|t| twin.accruals("e1", *t).unwrap()).collect();
            for (t, w) in ats.iter().zip(&warm) {
                twin.books.cache = Default::default();
                prop_assert_eq!(w, &twin.accruals("e1", *t).unwrap(), "at {}", t);
            }
        }
    }

    /// A shift batch drops the classification of the employees whose lists it changes and
    /// keeps every other; the answers after it are a cold twin's.
    #[test]
    fn a_shift_batch_forgets_only_its_employees() {
        let (mut twin, opts, with_rules) = company(11, 80);
        let t = opts.as_of();
        let ids: Vec<Box<str>> = twin.books.employees.iter().map(|e| e.id.clone()).collect();
        // The employees whose answer at t pays a premium.
        let mut paid = Vec::new();
        for (k, id) in ids.iter().enumerate() {
            if premium_lines(&twin.accruals(id, t).unwrap()) > 0 {
                paid.push(k);
            }
        }
        let cached = |twin: &Twin| -> Vec<usize> {
            let slots = twin
                .books
                .cache
                .premiums
                .get()
                .map(|s| &s[..])
                .unwrap_or_default();
            // Entries holding a classification (not only side bits, `cached_sides`).
            (0..slots.len())
                .filter(|i| slots[*i].get().is_some_and(|c| c.from != Instant::MAX))
                .collect()
        };
        assert_eq!(cached(&twin), with_rules);
        // Two of them, shifts of the ten days before t: one's voided, the other's lengthened
        // by an hour where that overlaps nothing (a rejected record changes nothing).
        assert!(paid.len() >= 2);
        let (a, b) = (paid[0], paid[1]);
        let recent = |r: &&Value| {
            r["start_at"]
                .as_str()
                .and_then(|s| calendar::parse_instant(opts.timezone, s).ok())
                .is_some_and(|s| s < t && s.as_micros() > t.as_micros() - 10 * 24 * HOUR)
        };
        let mut shifts = Vec::new();
        generate::for_each_batch_sized(&opts, usize::MAX, |kind, records| {
            if kind == Kind::Shifts {
                shifts = records;
            }
            Ok(())
        })
        .unwrap();
        let of = |k: usize| {
            let id = ids[k].to_string();
            move |r: &&Value| r["employee_id"] == Value::String(id.clone())
        };
        let mut batch: Vec<Value> = shifts
            .iter()
            .filter(of(a))
            .filter(recent)
            .cloned()
            .collect();
        for r in &mut batch {
            r["shift_status"] = "voided".into();
        }
        let mut lengthened = Vec::new();
        for r in shifts.iter().filter(of(b)).filter(recent) {
            let mut r = r.clone();
            let stop = calendar::parse_instant(opts.timezone, r["stop_at"].as_str().unwrap());
            if let Ok(stop) = stop {
                r["stop_at"] = Instant::from_micros(stop.as_micros() + HOUR)
                    .to_string()
                    .into();
                lengthened.push(r);
            }
        }
        // One batch as values, the other as JSON bytes (the parallel path).
        let voided = twin
            .apply(Kind::Shifts, &batch, opts.received_at())
            .unwrap();
        let bytes = serde_json::to_vec(&lengthened).unwrap();
        let longer = twin
            .apply_json(Kind::Shifts, &bytes, opts.received_at())
            .unwrap();
        assert!(voided.count_accepted > 2, "{:?}", voided.error_summary);
        assert!(longer.count_accepted > 2, "{:?}", longer.error_summary);
        let left: Vec<usize> = with_rules
            .iter()
            .copied()
            .filter(|k| *k != a && *k != b)
            .collect();
        assert_eq!(cached(&twin), left);
        for h in [0, 3 * 24, -10 * 24] {
            let at = Instant::from_micros(t.as_micros() + h * HOUR);
            let warm: Vec<_> = ids
                .iter()
                .map(|id| twin.accruals(id, at).unwrap())
                .collect();
            let mut cold = twin.clone();
            cold.books.cache = Default::default();
            for (id, w) in ids.iter().zip(&warm) {
                assert!(*w == cold.accruals(id, at).unwrap(), "{id} at {at}");
            }
        }
    }

    /// Answers do not depend on the cache: every employee's accruals at instants after and
    /// before the one that filled it (the earlier ones classified for the query alone) are
    /// those of a twin whose cache is dropped before each query.
    #[test]
    fn answers_do_not_depend_on_the_cache() {
        let (mut twin, opts, with_rules) = company(7, 80);
        assert!(!with_rules.is_empty());
        let as_of = opts.as_of().as_micros();
        let ats = [0, 5 * 24, -9 * 24, 3, -30 * 24, 14 * 24 + 5].map(|h| as_of + h * HOUR);
        let warm: Vec<_> = ats
            .iter()
            .flat_map(|t| twin.books.employees.iter().map(move |e| (e.id.clone(), *t)))
            .map(|(id, t)| twin.accruals(&id, Instant::from_micros(t)).unwrap())
            .collect();
        let mut cold = Vec::new();
        for t in ats {
            for k in 0..twin.books.employees.len() {
                twin.books.cache = Default::default();
                let id = twin.books.employees[k].id.clone();
                cold.push(twin.accruals(&id, Instant::from_micros(t)).unwrap());
            }
        }
        assert_eq!(warm.len(), cold.len());
        for (w, c) in warm.iter().zip(&cold) {
            assert!(w == c, "{} at {}", w.employee_id, w.as_of);
        }
        // Not vacuous: some of those answers pay overtime.
        assert!(warm.iter().map(premium_lines).sum::<usize>() > 0);
    }

    proptest! {
        /// `before` gives the same total from any guess, near or far.
        #[test]
        fn prefix_before_ignores_a_wrong_guess(
            lens in proptest::collection::vec((0i64..5, 1i64..5), 0..90),
            x in -2i64..400,
            near in 0usize..100,
        ) {
            let mut p = Prefix::default();
            let mut t = 0;
            for (gap, len) in lens {
                p.push(t + gap, t + gap + len);
                t += gap + len;
            }
            // Reference: the covered length of (−∞, x), summed interval by interval.
            let want: i64 = p.runs.iter().map(|r| (r.1.min(x) - r.0).max(0)).sum();
            prop_assert_eq!(p.before(x, near), want);
        }
    }
}
