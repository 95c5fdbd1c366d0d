//! Premiums (SPEC §5.4, §9 "Premiums"): shift differentials, weekend and holiday work.
//!
//! A rule covers, for each local date `d` whose weekday is in its `days` and whose holiday
//! status matches, `[d from, d to)` when from < to, `[d from, (d+1) to)` when to < from (an
//! overnight window belongs to the date it starts on), the whole date without from/to. Each
//! edge is resolved on its own by the one DST rule of SPEC §2 (an edge in a spring-forward
//! gap is the transition instant; a fall-back night window is an hour longer). A rule's
//! windows are disjoint (local times resolve in order), so a rule pays a second once; rules
//! stack. Each paid second on the contract inside a window earns `per_hour / 3600` or
//! `(multiplier − 1) × rate(x) / 3600`. Premiums do not change which seconds are overtime.

use super::hourly::{for_rate_pieces, MICROS_PER_HOUR};
use super::{seconds_text, Accrual, Line, LineKind};
use crate::calendar::Instant;
use crate::error::{Error, Result};
use crate::model::premium::{Premium, PremiumPay};
use crate::model::ContractIx;
use crate::model::{Contract, LocalClock, ShiftRec};
use crate::money::Exact;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use smallvec::SmallVec;

/// Paid intervals of one shift (a few: the shift minus its unpaid breaks).
pub(crate) type PaidParts = SmallVec<[(Instant, Instant); 2]>;

/// Which rules of a contract count.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    /// Every rule.
    All,
    /// Rules with `regular_rate: true` (SPEC §5.2 weighted regular rate).
    RegularRate,
}

impl<'a> Accrual<'a> {
    /// The paid time of counted shift `s` on contract `c` inside `[lo, hi)` (SPEC §5: paid
    /// time is the shift minus its unpaid breaks, §5.6, inside its assignment; callers pass
    /// `[lo, hi)` inside one stint). The one place premiums read paid time from.
    pub(crate) fn premium_paid_parts(
        &self,
        s: &ShiftRec,
        c: &Contract,
        lo: Instant,
        hi: Instant,
    ) -> PaidParts {
        self.paid(s, Some(c), lo, hi).collect()
    }

    /// The premiums (SPEC §5.4) earned on contract `cix` by the employee's paid time in
    /// `[a, b)` inside the assignment, exactly (nothing rounded); 0 for a contract that is
    /// not hourly or has no rules.
    ///
    /// # Errors
    /// [`Error::Overflow`] if the amount does not fit.
    pub(crate) fn premiums_between(
        &self,
        cix: ContractIx,
        a: Instant,
        b: Instant,
    ) -> Result<Exact> {
        self.premiums_of_rules(cix, a, b, Which::All)
    }

    /// [`Accrual::premiums_between`] restricted to the rules with `regular_rate: true`: the
    /// premiums that enter the weighted regular rate and the minimum-wage `paid` (SPEC §5.2).
    ///
    /// # Errors
    /// [`Error::Overflow`] if the amount does not fit.
    pub(crate) fn regular_rate_premiums_between(
        &self,
        cix: ContractIx,
        a: Instant,
        b: Instant,
    ) -> Result<Exact> {
        self.premiums_of_rules(cix, a, b, Which::RegularRate)
    }

    fn premiums_of_rules(
        &self,
        cix: ContractIx,
        a: Instant,
        b: Instant,
        which: Which,
    ) -> Result<Exact> {
        let Some(c) = self.twin.contracts.get(cix) else {
            return Ok(Exact::ZERO);
        };
        if c.rate_period != crate::calendar::Frequency::Hourly || c.premiums.is_empty() {
            return Ok(Exact::ZERO);
        }
        let mut total = Exact::ZERO;
        let mut none = Vec::new();
        for asg in self.emp.assignments.iter().filter(|x| x.contract == cix) {
            for st in &asg.stints {
                let (lo, hi) = (a.max(st.start), b.min(st.end));
                let sum = self.premiums_in(cix, c, (lo, hi), which, &mut none, false)?;
                total = add(total, sum)?;
            }
        }
        Ok(total)
    }

    /// The premiums of contract `cix` in `[lo, hi)` (inside one stint) for hourly accrual,
    /// with their explain lines (SPEC §5.4).
    pub(super) fn premiums(
        &self,
        cix: ContractIx,
        c: &Contract,
        lo: Instant,
        hi: Instant,
        lines: &mut Vec<Line>,
    ) -> Result<Exact> {
        self.premiums_in(cix, c, (lo, hi), Which::All, lines, self.explain)
    }

    fn premiums_in(
        &self,
        cix: ContractIx,
        c: &Contract,
        (lo, hi): (Instant, Instant),
        which: Which,
        lines: &mut Vec<Line>,
        explain: bool,
    ) -> Result<Exact> {
        let mut total = Exact::ZERO;
        if lo >= hi {
            return Ok(total);
        }
        let rules = c
            .premiums
            .iter()
            .filter(|r| r.pays() && (which == Which::All || r.regular_rate));
        let rules: SmallVec<[(&Premium, Option<Exact>); 4]> = rules.map(|r| (r, r.extra)).collect();
        if rules.is_empty() {
            return Ok(total);
        }
        if !explain {
            // Without lines, the same exact sum from one integer numerator per rule
            // (`super::premium_sums`); `None` when a numerator overflows: summed below.
            if let Some(sum) = self.premium_sums(cix, c, (lo, hi), &rules) {
                return sum;
            }
        }
        for s in self.counted_shifts(cix, lo, hi) {
            for (a, b) in self.premium_paid_parts(s, c, lo, hi) {
                for &(rule, extra) in &rules {
                    let shift = Shifted { s, rule, extra };
                    let mut err = false;
                    self.for_covered(rule, a, b, |x, y| {
                        match self.pay(c, &shift, (x, y), lines, explain) {
                            Some(v) => match total.checked_add(v) {
                                Some(t) => total = t,
                                None => err = true,
                            },
                            None => err = true,
                        }
                    });
                    if err {
                        return Err(Error::overflow("premium"));
                    }
                }
            }
        }
        Ok(total)
    }

    /// Calls `f(x, y)` for each non-empty part of `[a, b)` that `rule` covers (SPEC §5.4):
    /// from the rule's tabulated windows when it has them (`super::coverage`), else by
    /// [`Accrual::for_covered_from`].
    pub(super) fn for_covered(
        &self,
        rule: &Premium,
        a: Instant,
        b: Instant,
        mut f: impl FnMut(Instant, Instant),
    ) {
        let listed = self.coverage.table(rule);
        if !listed.is_some_and(|t| t.for_covered((a, b), &mut 0, &mut f)) {
            self.for_covered_from(rule, self.clock.date_of(a), (a, b), f);
        }
    }

    /// [`Accrual::for_covered`] where `date` is the local date of `a`.
    pub(super) fn for_covered_from(
        &self,
        rule: &Premium,
        date: chrono::NaiveDate,
        (a, b): (Instant, Instant),
        mut f: impl FnMut(Instant, Instant),
    ) {
        // A date's window lies within its 00:00 and the 00:00 two dates on: start a date
        // before `a`'s (an overnight window of the day before).
        let first = date.pred_opt().unwrap_or(date);
        for (d, midnight, next) in self.clock.days_from(first) {
            if midnight >= b {
                break;
            }
            if !rule.covers_date(d, self.twin.company.is_holiday(d)) {
                continue;
            }
            let Some((from, to)) = date_window(self.clock, rule, d, midnight, next) else {
                continue;
            };
            let (x, y) = (from.max(a), to.min(b));
            if x < y {
                f(x, y);
            }
        }
    }

    /// The premium of `[x, y)` of one shift under one rule, with its lines; `None` on
    /// overflow.
    fn pay(
        &self,
        c: &Contract,
        p: &Shifted<'_>,
        (x, y): (Instant, Instant),
        lines: &mut Vec<Line>,
        explain: bool,
    ) -> Option<Exact> {
        let mut total = Exact::ZERO;
        let mut ok = true;
        let mut line = |micros: i64, rate: i64, multiplier: Option<Decimal>, exact: Exact| {
            if explain {
                lines.push(Line {
                    kind: LineKind::Premium,
                    name: Some(p.rule.name.to_string()),
                    contract_id: Some(c.id.to_string()),
                    source_ids: vec![self.twin.shifts.id(p.s.ix()).to_string()],
                    quantity: seconds_text(micros),
                    unit: "seconds",
                    rate: Some(rate),
                    multiplier: multiplier.map(|m| m.normalize().to_string()),
                    amount: exact.to_fixed(6),
                    exact,
                });
            }
        };
        match p.rule.pay {
            PremiumPay::PerHour(per_hour) => {
                let micros = y.as_micros().saturating_sub(x.as_micros());
                let exact = i128::from(per_hour)
                    .checked_mul(i128::from(micros))
                    .and_then(|n| Exact::new(n, MICROS_PER_HOUR))?;
                line(micros, per_hour, None, exact);
                total = exact;
            }
            PremiumPay::Multiplier(m) => {
                let extra = p.extra?;
                for_rate_pieces(c, x, y, |u, v, rate| {
                    let micros = v.as_micros().saturating_sub(u.as_micros());
                    let exact = i128::from(rate)
                        .checked_mul(i128::from(micros))
                        .and_then(|n| Exact::new(n, MICROS_PER_HOUR))
                        .and_then(|e| e.checked_mul(extra));
                    match exact.and_then(|e| total.checked_add(e).map(|t| (e, t))) {
                        Some((e, t)) => {
                            total = t;
                            line(micros, rate, Some(m), e);
                        }
                        None => ok = false,
                    }
                });
            }
        }
        ok.then_some(total)
    }
}

/// The interval `rule`'s window takes on local date `d` (00:00 at `midnight`, the next
/// date's at `next`; SPEC §5.4): `[d from, d to)`, `[d from, (d+1) to)` for an overnight
/// window, else the whole date; each edge by the DST rule of SPEC §2 (the clock). May be
/// empty (both edges in one spring-forward gap). Whether the rule covers `d` at all
/// (weekday, holiday status) is the caller's test, [`Premium::covers_date`].
pub(crate) fn date_window(
    clock: &LocalClock,
    rule: &Premium,
    d: NaiveDate,
    midnight: Instant,
    next: Instant,
) -> Option<(Instant, Instant)> {
    match rule.window {
        None => Some((midnight, next)),
        Some((from, to)) if from < to => Some((clock.at(d, from), clock.at(d, to))),
        Some((from, to)) => d.succ_opt().map(|e| (clock.at(d, from), clock.at(e, to))),
    }
}

/// The local times of day contract `c`'s premium windows start and end at (SPEC §5.4): the
/// twin's local clock tabulates them, so that a window's edges are read, not converted.
pub(crate) fn edge_times(c: &Contract) -> impl Iterator<Item = chrono::NaiveTime> + '_ {
    c.premiums
        .iter()
        .filter_map(|r| r.window)
        .flat_map(|(from, to)| [from, to])
}

/// One shift under one rule, with the rule's `multiplier − 1`.
struct Shifted<'r> {
    s: &'r ShiftRec,
    rule: &'r Premium,
    extra: Option<Exact>,
}

fn add(a: Exact, b: Exact) -> Result<Exact> {
    a.checked_add(b).ok_or_else(|| Error::overflow("premium"))
}

#[cfg(test)]
mod tests {
    use crate::calendar::{parse_instant, Instant};
    use crate::ingest::Kind;
    use crate::money::Exact;
    use crate::twin::Twin;
    use serde_json::{json, Value};

    fn at(s: &str) -> Instant {
        parse_instant(chrono_tz::UTC, s).unwrap()
    }

    /// A UTC company, a 2,000/h contract with a night rule (150/h, in the regular rate) and
    /// a weekend rule (× 1.25, not in it), e1 assigned from `start_on` working Friday
    /// 2026-06-05 18:00 → Saturday 04:00.
    fn night_and_weekend(start_on: &str) -> Twin {
        with_breaks(start_on, json!([]))
    }

    /// [`night_and_weekend`] with the shift's `unpaid_breaks` (SPEC §5.6).
    fn with_breaks(start_on: &str, breaks: Value) -> Twin {
        let mut twin = Twin::new(crate::Company::new("acme", chrono_tz::UTC));
        let t0 = at("2026-05-01T00:00:00Z");
        let batches = [
            (
                Kind::PaySchedules,
                json!([{"pay_schedule_id": "w", "frequency": "weekly",
                "periods": [{"pay_period_id": "w23", "start_at": "2026-06-01", "stop_at": "2026-06-08",
                             "pay_at": "2026-06-12"}]}]),
            ),
            (
                Kind::Contracts,
                json!([{"contract_id": "h", "pay_schedule_id": "w", "currency": "USD",
                "wage_rate_period": "hourly", "wage_rate_amount": 2000, "custom_info": {"premiums": [
                    {"name": "night", "from": "22:00", "to": "06:00", "per_hour": 150},
                    {"name": "weekend", "days": ["saturday", "sunday"], "multiplier": "1.25",
                     "regular_rate": false}]}}]),
            ),
            (
                Kind::Employees,
                json!([{"employee_id": "e1", "contract_id": "h", "contract_start_on": start_on}]),
            ),
            (
                Kind::Shifts,
                json!([{"shift_id": "s1", "shift_status": "approved", "employee_id": "e1", "contract_id": "h",
                "start_at": "2026-06-05T18:00:00Z", "stop_at": "2026-06-06T04:00:00Z",
                "unpaid_breaks": breaks}]),
            ),
        ];
        for (kind, records) in batches {
            let records: Vec<Value> = records.as_array().unwrap().clone();
            let r = twin.apply(kind, &records, t0).unwrap();
            assert_eq!(r.count_accepted, records.len(), "{:?}", r.results);
        }
        twin
    }

    /// `(all rules, regular-rate rules)` of e1 on `h` in `[a, b)`.
    fn between(twin: &Twin, a: &str, b: &str) -> (Exact, Exact) {
        let (_, emp) = twin.books.employee("e1").unwrap();
        let acc = super::Accrual::new(&twin.books, emp, at("2026-06-30T00:00:00Z"), false);
        let cix = twin.books.contract_ix.get("h").unwrap();
        (
            acc.premiums_between(cix, at(a), at(b)).unwrap(),
            acc.regular_rate_premiums_between(cix, at(a), at(b))
                .unwrap(),
        )
    }

    #[test]
    fn premiums_between_counts_paid_time_in_the_interval_and_the_assignment() {
        let twin = night_and_weekend("2026-06-01");
        // Night 22:00 → 04:00 = 6 h × 150 = 900; weekend Saturday 00:00 → 04:00 = 4 h ×
        // (1.25 − 1) × 2,000 = 2,000; only the night rule is in the regular rate.
        let whole = between(&twin, "2026-06-01T00:00:00Z", "2026-06-08T00:00:00Z");
        assert_eq!(whole, (Exact::int(2_900), Exact::int(900)));
        // Saturday 00:00 → 02:00: 2 × 150 + 2 × 500 = 1,300; regular rate 300.
        let part = between(&twin, "2026-06-06T00:00:00Z", "2026-06-06T02:00:00Z");
        assert_eq!(part, (Exact::int(1_300), Exact::int(300)));
        // 23:00 → 23:00:01: one second of night: 150 / 3600.
        let second = between(&twin, "2026-06-05T23:00:00Z", "2026-06-05T23:00:01Z");
        assert_eq!(second.0, Exact::new(150, 3600).unwrap());
        // The same as the premium lines of the period.
        let acc = twin.accruals("e1", at("2026-06-09T00:00:00Z")).unwrap();
        let lines: Exact = acc.periods[0]
            .lines
            .iter()
            .filter(|l| l.kind == super::LineKind::Premium)
            .fold(Exact::ZERO, |s, l| s.checked_add(l.exact).unwrap());
        assert_eq!(lines, whole.0);
        // Assigned from Saturday: only Saturday 00:00 → 04:00 is paid time:
        // 4 × 150 + 4 × 500 = 2,600.
        let late = night_and_weekend("2026-06-06");
        let whole = between(&late, "2026-06-01T00:00:00Z", "2026-06-08T00:00:00Z");
        assert_eq!(whole, (Exact::int(2_600), Exact::int(600)));
    }

    #[test]
    fn premiums_count_paid_time_only() {
        // A break 23:00 → 00:30 inside the night: night 22:00 → 23:00 and 00:30 → 04:00 =
        // 4.5 h × 150 = 675; weekend 00:30 → 04:00 = 3.5 h × 500 = 1,750.
        let breaks =
            json!([{"start_at": "2026-06-05T23:00:00Z", "stop_at": "2026-06-06T00:30:00Z"}]);
        let twin = with_breaks("2026-06-01", breaks);
        let whole = between(&twin, "2026-06-01T00:00:00Z", "2026-06-08T00:00:00Z");
        assert_eq!(whole, (Exact::int(2_425), Exact::int(675)));
    }
}
