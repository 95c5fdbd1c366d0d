//! Accrual (SPEC §4, §5): which periods are unpaid at `t`, and what each earned, line by line.
//!
//! For each unpaid period `P` and contract `C` of the employee, earnings count only inside
//! the window `[start_at, min(stop_at, t))` of `P` intersected with the assignment's active
//! interval; the gross of (employee, contract, period) is rounded once, half away from zero,
//! from the exact sum of its lines (SPEC §5.3).

mod books;
pub(crate) mod cache;
mod coverage;
mod days;
mod hourly;
mod leave;
mod minimum_wage;
pub(crate) mod overtime;
pub(crate) mod paid;
mod premium_sums;
pub(crate) mod premiums;
pub(crate) mod regular_rate;
pub(crate) mod sides;
pub(crate) mod tips;
mod weekly;

pub(crate) use books::Books;

use crate::calendar::{Frequency, Instant};
use crate::error::{Error, Result};
use crate::model::LocalClock;
use crate::model::{Assignment, Contract, Employee, Payment, Period};
use crate::money::{self, Exact};
use serde::Serialize;

/// What a line of an accrual explains (SPEC §5, principle 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Worked time × the rate in force (every counted second, overtime ones included).
    Regular,
    /// Overtime premium: `(multiplier − 1) × rate` per overtime second (SPEC §5.2).
    Overtime,
    /// Double-time premium: `(double_time_multiplier − 1) × rate` per double-time second.
    DoubleTime,
    /// A premium rule's pay (SPEC §5.4): `per_hour` or `(multiplier − 1) × rate` per covered
    /// second; the line carries the rule's `name`.
    Premium,
    /// Minimum-wage top-up of a work week, this window's share (SPEC §5.7).
    MinimumWage,
    /// Salaried proration: `period_amount × days / days(P)` (SPEC §5.1).
    Salary,
    /// A daily rate earned on a local date with a counted shift start (SPEC §5.1).
    Daily,
    /// Paid holiday: `holiday_pay_hours × rate` for a company holiday on an hourly contract
    /// (SPEC §5.5; the source is the holiday's date).
    Holiday,
    /// Paid leave: `hours_per_day × rate` on an hourly contract, or one daily rate on a
    /// daily contract, per date (SPEC §5.5; the source is the leave).
    Leave,
    /// A shift's tips earned in the window: `tips × covered paid seconds / paid seconds`
    /// (SPEC §5.7).
    Tips,
    /// The difference between the rounded gross of (employee, contract, period) and the exact
    /// sum of its lines (SPEC §5.3), so that the lines add up to the figures.
    Rounding,
    /// An addition.
    Addition,
    /// A deduction (negative amount).
    Deduction,
    /// Estimated withholding `ceil(w × gross)` (negative amount, SPEC §5.3).
    Withholding,
}

/// One explained line of a period's figures. The amounts of a period's lines add up exactly
/// to its `net`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    /// What the line is.
    pub kind: LineKind,
    /// The rule's name, on a `premium` line (SPEC §5.3, §5.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The contract it was earned on (none for additions, deductions, withholding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    /// The shifts or payment behind it.
    pub source_ids: Vec<String>,
    /// How much: seconds worked (microsecond precision), days, or 1 for an amount.
    pub quantity: String,
    /// `seconds`, `days` or `amount`.
    pub unit: &'static str,
    /// Rate in minor units per rate period, when the line is quantity × rate (on a
    /// `premium` line of a `per_hour` rule, that amount per hour).
    pub rate: Option<i64>,
    /// The multiplier of an overtime or double-time line (the premium is multiplier − 1).
    pub multiplier: Option<String>,
    /// Exact amount in minor units, shown to 6 decimals (the sum uses the exact value).
    pub amount: String,
    #[serde(skip)]
    pub(crate) exact: Exact,
}

/// The figures of one pay period for one employee at an instant (SPEC §5.3, §8 `periods`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PeriodAccrual {
    /// The schedule.
    pub pay_schedule_id: String,
    /// The period.
    pub pay_period_id: String,
    /// Start of the period (UTC).
    pub start_at: String,
    /// End of the period, exclusive (UTC).
    pub stop_at: String,
    /// Payday (UTC).
    pub pay_at: String,
    /// Whether `t ≥ pay_at − blackout` (SPEC §6).
    pub in_blackout: bool,
    /// Σ per-contract rounded gross.
    pub gross: i64,
    /// `ceil(w × gross)`.
    pub withholding: i64,
    /// Additions counted at `t`.
    pub additions: i64,
    /// Deductions known.
    pub deductions: i64,
    /// `gross − withholding + additions − deductions` (may be negative).
    pub net: i64,
    /// The explanation; empty unless asked for.
    pub lines: Vec<Line>,
}

/// An employee's accruals at an instant: every period unpaid then, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Accruals {
    /// The employee.
    pub employee_id: String,
    /// The instant `t`.
    pub as_of: String,
    /// The employee's currency (none without assignments).
    pub currency: Option<String>,
    /// Σ net of the unpaid periods.
    pub accrued_unpaid_net: i64,
    /// Unpaid periods, by start_at, pay_at, pay_schedule_id, pay_period_id.
    pub periods: Vec<PeriodAccrual>,
}

/// A few periods: an employee has one or two unpaid periods per schedule (no allocation).
pub(crate) type Refs = smallvec::SmallVec<[PeriodRef; 4]>;

/// A period of a schedule, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PeriodRef {
    pub schedule: crate::model::ScheduleIx,
    pub index: u32,
}

/// Numbers of one period, without the explanation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Figures {
    pub gross: i64,
    pub withholding: i64,
    pub additions: i64,
    pub deductions: i64,
    pub net: i64,
    pub lines: Vec<Line>,
}

/// One accrual computation for one employee at one instant.
pub(crate) struct Accrual<'a> {
    pub twin: &'a Books,
    pub emp: &'a Employee,
    pub t: Instant,
    pub explain: bool,
    overtime: Option<overtime::Premiums<'a>>,
    /// Local times of day in the company zone (tabulated).
    clock: &'a LocalClock,
    /// Premium windows (tabulated).
    coverage: &'a coverage::Coverage,
    /// Per schedule, the largest pay lag.
    pay_lags: &'a [i64],
    /// Counted statuses as a bit mask (bit = status code).
    counted: u8,
    /// `estimated_withholding_rate` as an exact value; `None` if it does not convert.
    withholding: Option<Exact>,
    /// Set by [`Accrual::prepare`]: `(bound, k)` where `k` is the index of the first shift
    /// record starting at or after `bound`, the earliest instant any prepared window (or the
    /// overtime look-back) reads from. Later searches from `from ≥ bound` look only at the
    /// records from `k`, already in cache, instead of stepping back from the list's end again.
    base: Option<(Instant, usize)>,
    /// Set by [`Accrual::prepare`]: the employee's cached shifts with breaks or tips.
    sides: Option<&'a sides::Sides>,
    /// Work-week sums computed by this answer (`t` is fixed).
    weeks: weekly::Weeks,
}

impl Books {
    /// See `Twin::accruals` (the façade that documents it): employee `emp`'s unpaid periods
    /// at `as_of`, with `recoveries` (the recovery periods of its advances, SPEC §5 first
    /// paragraph) among them.
    ///
    /// # Errors
    /// [`Error::Overflow`] if an amount does not fit.
    pub(crate) fn accruals_of(
        &self,
        emp: &Employee,
        as_of: Instant,
        recoveries: &[PeriodRef],
    ) -> Result<Accruals> {
        let employee_id: &str = &emp.id;
        let mut acc = Accrual::new(self, emp, as_of, true);
        let unpaid = acc.unpaid_periods(recoveries);
        acc.prepare(&unpaid);
        let mut periods = Vec::with_capacity(unpaid.len());
        let mut total = 0i64;
        for p in &unpaid {
            let f = acc.figures(*p)?;
            total = money::add(total, f.net, "accrued_unpaid_net")?;
            periods.push(acc.view(*p, f));
        }
        Ok(Accruals {
            employee_id: employee_id.to_string(),
            as_of: instant_text(as_of),
            currency: self.employee_currency(emp).map(|c| c.code().to_string()),
            accrued_unpaid_net: total,
            periods,
        })
    }

    pub(crate) fn period(&self, p: PeriodRef) -> Option<&Period> {
        self.schedules
            .get(p.schedule)?
            .periods
            .get(p.index as usize)
    }

    /// The period of a payment (SPEC §2): of the schedule of its `contract_id` or, absent,
    /// of the employee's assignment active at its instant (several: the earliest
    /// `contract_start_on`, no start first, then the smallest `contract_id`).
    pub(crate) fn payment_period(&self, emp: &Employee, p: &Payment) -> Option<PeriodRef> {
        let contract = match p.contract {
            Some(c) => c,
            None => emp
                .assignments
                .iter()
                .filter(|a| a.active_at(p.instant))
                .filter_map(|a| {
                    let c = self.contracts.get(a.contract)?;
                    let start = a
                        .stints
                        .iter()
                        .find(|s| s.contains(p.instant))
                        .map(|s| s.start_on);
                    Some((start.flatten(), &c.id, a.contract))
                })
                .min_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)))
                .map(|x| x.2)?,
        };
        let schedule = self.contracts.get(contract)?.schedule;
        let index = self.schedules.get(schedule)?.period_at(p.instant)?;
        Some(PeriodRef {
            schedule,
            index: u32::try_from(index).ok()?,
        })
    }
}

impl<'a> Accrual<'a> {
    pub fn new(twin: &'a Books, emp: &'a Employee, t: Instant, explain: bool) -> Accrual<'a> {
        let derived = twin.derived();
        Accrual {
            twin,
            emp,
            t,
            explain,
            overtime: None,
            clock: &derived.clock,
            coverage: &derived.coverage,
            pay_lags: &derived.pay_lags,
            counted: derived.counted,
            withholding: derived.withholding,
            base: None,
            sides: None,
            weeks: weekly::Weeks::default(),
        }
    }

    /// Classifies overtime once for the time the given periods cover (SPEC §5.2), and finds
    /// where in the employee's shift list the windows of those periods begin.
    pub fn prepare(&mut self, periods: &[PeriodRef]) {
        let range = periods
            .iter()
            .filter_map(|p| self.twin.period(*p))
            .map(|p| (p.start, p.stop.min(self.t)))
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
        let Some((from, to)) = range else { return };
        let overtime = overtime::Premiums::applies(self.twin, self.emp);
        // The earliest start a window's shift (or, with overtime, the classification's) can
        // have.
        let reads_from = if overtime {
            overtime::start(self.twin, self.emp, from)
        } else {
            from
        };
        let bound = Instant::from_micros(
            reads_from
                .as_micros()
                .saturating_sub(self.twin.company.limits.shift_micros_max()),
        );
        let first = crate::model::first_from(&self.emp.shifts, bound);
        self.base = Some((bound, first));
        if overtime {
            self.overtime = Some(overtime::Premiums::of(
                self.twin,
                self.emp,
                self.counted,
                from,
                to,
                first,
            ));
        }
        // After the classification: an entry it made holds the side list too.
        self.sides = overtime::cached_sides(self.twin, self.emp);
    }

    /// The index of the first of the employee's shift records starting at or after `from`
    /// ([`crate::model::first_from`], from the prepared base when `from` is past it).
    pub(crate) fn first_shift_from(&self, from: Instant) -> usize {
        let list = &self.emp.shifts;
        match self.base {
            // Every record before k starts before bound ≤ from: the answer is at k or after.
            Some((bound, k)) if from >= bound => {
                k + list
                    .get(k..)
                    .map_or(0, |tail| tail.partition_point(|r| r.start < from))
            }
            _ => crate::model::first_from(list, from),
        }
    }

    fn unpaid(&self, p: &Period) -> bool {
        p.start < self.t && p.pay_at > self.t
    }

    /// Every period of the employee unpaid at `t` (SPEC §4, §5 first paragraph), in output
    /// order; `extra` adds periods named elsewhere (advances' recovery periods).
    pub fn unpaid_periods(&self, extra: &[PeriodRef]) -> Refs {
        let mut out = Refs::new();
        for a in &self.emp.assignments {
            let Some(c) = self.twin.contracts.get(a.contract) else {
                continue;
            };
            let Some(s) = self.twin.schedules.get(c.schedule) else {
                continue;
            };
            // Periods with start < t; going back, stop once stop_at + the schedule's largest
            // pay lag ≤ t (those are all paid).
            let k = s.periods.partition_point(|p| p.start < self.t);
            let lag = match self.pay_lags.get(crate::model::Ix::at(c.schedule)) {
                Some(&lag) => lag,
                None => schedule_pay_lag(s),
            };
            for (i, p) in s.periods.iter().enumerate().take(k).rev() {
                if p.stop.as_micros().saturating_add(lag) <= self.t.as_micros() {
                    break;
                }
                if self.unpaid(p) && a.stints.iter().any(|st| st.overlaps(p.start, p.stop)) {
                    push_ref(&mut out, c.schedule, i);
                }
            }
        }
        let payments = self
            .emp
            .additions
            .iter()
            .filter_map(|&i| self.twin.additions.get(i))
            .filter(|p| p.instant < self.t)
            .chain(
                self.emp
                    .deductions
                    .iter()
                    .filter_map(|&i| self.twin.deductions.get(i)),
            );
        for p in payments {
            if let Some(r) = self.twin.payment_period(self.emp, p) {
                if self.twin.period(r).is_some_and(|q| self.unpaid(q)) && !out.contains(&r) {
                    out.push(r);
                }
            }
        }
        for r in extra {
            if self.twin.period(*r).is_some_and(|q| self.unpaid(q)) && !out.contains(r) {
                out.push(*r);
            }
        }
        self.sort(&mut out);
        out
    }

    /// SPEC §8 order: by start_at, then pay_at, pay_schedule_id, pay_period_id.
    pub fn sort(&self, v: &mut [PeriodRef]) {
        let key = |r: &PeriodRef| {
            let p = self.twin.period(*r);
            let s = self.twin.schedules.get(r.schedule).map(|s| &*s.id);
            (
                p.map(|p| p.start),
                p.map(|p| p.pay_at),
                s,
                p.map(|p| &*p.id),
            )
        };
        v.sort_by(|a, b| key(a).cmp(&key(b)));
    }

    /// The figures of one period (SPEC §5.3).
    pub fn figures(&self, r: PeriodRef) -> Result<Figures> {
        let Some(p) = self.twin.period(r) else {
            return Ok(Figures::default());
        };
        let window = (p.start, p.stop.min(self.t));
        let mut f = Figures::default();
        for a in &self.emp.assignments {
            let Some(c) = self.twin.contracts.get(a.contract) else {
                continue;
            };
            if c.schedule != r.schedule {
                continue;
            }
            let gross = self.contract_gross(a, c, p, window, &mut f.lines)?;
            f.gross = money::add(f.gross, gross, "gross")?;
        }
        self.payments(r, &mut f)?;
        // A zero rate withholds nothing (`0 × gross` is exactly 0): skip the arithmetic.
        let w = match self.withholding {
            Some(w) if w == Exact::ZERO => 0,
            w => w
                .and_then(|w| w.mul_int_ceil(f.gross))
                .ok_or_else(|| Error::overflow("withholding"))?,
        };
        f.withholding = w;
        if self.explain && w != 0 {
            f.lines
                .push(amount_line(LineKind::Withholding, Vec::new(), -w));
        }
        let net = money::sub(f.gross, f.withholding, "net")?;
        let net = money::add(net, f.additions, "net")?;
        f.net = money::sub(net, f.deductions, "net")?;
        Ok(f)
    }

    /// The exact sum of contract `c`'s lines in `window` over the stints of `a` (SPEC §5.1).
    #[inline]
    fn contract_exact(
        &self,
        a: &Assignment,
        c: &Contract,
        p: &Period,
        window: (Instant, Instant),
        lines: &mut Vec<Line>,
    ) -> Result<Exact> {
        let mut exact = Exact::ZERO;
        for st in &a.stints {
            let lo = window.0.max(st.start);
            let hi = window.1.min(st.end);
            let sum = match c.rate_period {
                Frequency::Hourly => self.hourly(a.contract, c, lo, hi, lines)?,
                Frequency::Daily => self.daily(a.contract, c, lo, hi, lines)?,
                Frequency::Adhoc => Exact::ZERO,
                _ => self.salary(a.contract, c, p, st, lines)?,
            };
            // SPEC §5.5: holiday and leave pay of the dates in this stint's part of the window.
            let sum = match self.holidays_and_leave(a.contract, c, st, lo, hi, lines)? {
                extra if extra == Exact::ZERO => sum,
                extra => sum
                    .checked_add(extra)
                    .ok_or_else(|| Error::overflow("gross"))?,
            };
            // SPEC §5.7: tips count on a contract of any rate period.
            let tips = self.tips(a, c, lo, hi, lines)?;
            let sum = if tips == Exact::ZERO {
                sum
            } else {
                sum.checked_add(tips)
                    .ok_or_else(|| Error::overflow("gross"))?
            };
            // Adding to zero is the identity: skip the reduction (hot path).
            exact = if exact == Exact::ZERO {
                sum
            } else {
                exact
                    .checked_add(sum)
                    .ok_or_else(|| Error::overflow("gross"))?
            };
        }
        Ok(exact)
    }

    /// Contract `c`'s gross in period `p`: its exact sum rounded once (SPEC §5.3).
    #[inline]
    fn contract_gross(
        &self,
        a: &Assignment,
        c: &Contract,
        p: &Period,
        window: (Instant, Instant),
        lines: &mut Vec<Line>,
    ) -> Result<i64> {
        let before = lines.len();
        let exact = self.contract_exact(a, c, p, window, lines)?;
        // SPEC §5.3: one rounding per (employee, contract, period).
        let gross = exact
            .round_half_away()
            .ok_or_else(|| Error::overflow("gross"))?;
        debug_assert!(
            Exact::int(gross)
                .checked_sub(exact)
                .and_then(|d| d.checked_mul(Exact::int(2)))
                .is_none_or(|d| d.numer().abs() <= d.denom()),
            "|gross - exact| <= 1/2"
        );
        if self.explain && lines.len() > before {
            let diff = Exact::int(gross).checked_sub(exact).unwrap_or(Exact::ZERO);
            if diff != Exact::ZERO {
                lines.push(Line {
                    kind: LineKind::Rounding,
                    name: None,
                    contract_id: Some(c.id.to_string()),
                    source_ids: Vec::new(),
                    quantity: "1".into(),
                    unit: "amount",
                    rate: None,
                    multiplier: None,
                    amount: diff.to_fixed(6),
                    exact: diff,
                });
            }
        }
        Ok(gross)
    }

    /// Additions counted at `t` (instant before `t`) and deductions known, of period `r`.
    fn payments(&self, r: PeriodRef, f: &mut Figures) -> Result<()> {
        for (deduction, list, store) in [
            (false, &self.emp.additions, &self.twin.additions),
            (true, &self.emp.deductions, &self.twin.deductions),
        ] {
            for p in list.iter().filter_map(|&i| store.get(i)) {
                // SPEC §2: an addition counts once its instant is before t; a deduction as soon
                // as it is known.
                if !deduction && p.instant >= self.t {
                    continue;
                }
                if self.twin.payment_period(self.emp, p) != Some(r) {
                    continue;
                }
                if deduction {
                    f.deductions = money::add(f.deductions, p.amount, "deductions")?;
                } else {
                    f.additions = money::add(f.additions, p.amount, "additions")?;
                }
                if self.explain {
                    let (kind, amount) = if deduction {
                        (LineKind::Deduction, -p.amount)
                    } else {
                        (LineKind::Addition, p.amount)
                    };
                    f.lines
                        .push(amount_line(kind, vec![p.id.to_string()], amount));
                }
            }
        }
        Ok(())
    }

    /// The public view of a period's figures.
    pub fn view(&self, r: PeriodRef, f: Figures) -> PeriodAccrual {
        let p = self.twin.period(r);
        let blackout = self.twin.derived().blackout_micros;
        PeriodAccrual {
            pay_schedule_id: self
                .twin
                .schedules
                .get(r.schedule)
                .map(|s| s.id.to_string())
                .unwrap_or_default(),
            pay_period_id: p.map(|p| p.id.to_string()).unwrap_or_default(),
            start_at: p.map(|p| instant_text(p.start)).unwrap_or_default(),
            stop_at: p.map(|p| instant_text(p.stop)).unwrap_or_default(),
            pay_at: p.map(|p| instant_text(p.pay_at)).unwrap_or_default(),
            in_blackout: p.is_some_and(|p| in_blackout(self.t, p.pay_at, blackout)),
            gross: f.gross,
            withholding: f.withholding,
            additions: f.additions,
            deductions: f.deductions,
            net: f.net,
            lines: f.lines,
        }
    }
}

/// SPEC §6: a period is in blackout when `t ≥ pay_at − blackout`.
pub(crate) fn in_blackout(t: Instant, pay_at: Instant, blackout_micros: i64) -> bool {
    t.as_micros() >= pay_at.as_micros().saturating_sub(blackout_micros)
}

/// The largest `pay_at − stop_at` of a schedule (0 when every period pays by its end).
pub(crate) fn schedule_pay_lag(s: &crate::model::Schedule) -> i64 {
    s.periods
        .iter()
        .map(|p| p.pay_at.as_micros().saturating_sub(p.stop.as_micros()))
        .max()
        .unwrap_or(0)
        .max(0)
}

fn push_ref(out: &mut Refs, schedule: crate::model::ScheduleIx, index: usize) {
    if let Ok(index) = u32::try_from(index) {
        let r = PeriodRef { schedule, index };
        if !out.contains(&r) {
            out.push(r);
        }
    }
}

pub(crate) fn amount_line(kind: LineKind, source_ids: Vec<String>, amount: i64) -> Line {
    Line {
        kind,
        name: None,
        contract_id: None,
        source_ids,
        quantity: "1".into(),
        unit: "amount",
        rate: None,
        multiplier: None,
        amount: Exact::int(amount).to_fixed(6),
        exact: Exact::int(amount),
    }
}

/// `t.to_string()` (RFC 3339 in UTC with `Z`, six fraction digits when there is a fraction),
/// written without chrono's format parser for the years 0000–9999; other instants fall back
/// to `Display`. Answers print many instants, so this matters in the hot path.
pub(crate) fn instant_text(t: Instant) -> String {
    use chrono::{Datelike, Timelike};
    let Some(dt) = t.to_utc() else {
        return t.to_string();
    };
    let year = dt.year();
    let Ok(year) = u32::try_from(year) else {
        return t.to_string();
    };
    if year > 9999 {
        return t.to_string();
    }
    let mut b = [0u8; 27];
    let mut n = 0;
    let mut put = |v: u32, digits: u32, sep: u8| {
        for k in (0..digits).rev() {
            if let Some(slot) = b.get_mut(n) {
                *slot = b'0' + ((v / 10u32.pow(k)) % 10) as u8;
            }
            n += 1;
        }
        if sep != 0 {
            if let Some(slot) = b.get_mut(n) {
                *slot = sep;
            }
            n += 1;
        }
    };
    put(year, 4, b'-');
    put(dt.month(), 2, b'-');
    put(dt.day(), 2, b'T');
    put(dt.hour(), 2, b':');
    put(dt.minute(), 2, b':');
    let micros = t.as_micros().rem_euclid(1_000_000) as u32;
    if micros == 0 {
        put(dt.second(), 2, b'Z');
    } else {
        put(dt.second(), 2, b'.');
        put(micros, 6, b'Z');
    }
    b.get(..n)
        .and_then(|s| std::str::from_utf8(s).ok())
        .map_or_else(|| t.to_string(), str::to_string)
}

/// Microseconds as decimal seconds, e.g. `32400` or `1.5`.
pub(crate) fn seconds_text(micros: i64) -> String {
    let s = micros / 1_000_000;
    let f = (micros % 1_000_000).abs();
    if f == 0 {
        s.to_string()
    } else {
        let frac = format!("{f:06}");
        format!("{s}.{}", frac.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instant_text_is_display() {
        let mut x: u64 = 7;
        let mut samples = vec![
            0,
            -1,
            1,
            999_999,
            1_774_746_000_000_000,
            -62_135_596_800_000_000,
            -62_135_596_800_000_001,
            253_402_300_799_999_999,
            253_402_300_800_000_000,
            i64::MIN,
            i64::MAX,
        ];
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            samples.push((x >> 2) as i64 % 400_000_000_000_000_000);
            samples.push(((x >> 20) as i64 % 4_000_000_000) * 1_000_000);
        }
        for us in samples {
            let t = Instant::from_micros(us);
            assert_eq!(instant_text(t), t.to_string(), "{us}");
        }
    }
}
