//! Hourly accrual (SPEC §5.1): `rate(x) × seconds / 3600` over the covered paid time (the
//! shift minus its unpaid breaks, SPEC §5.6), split at rate-version boundaries, plus
//! premiums (SPEC §5.4) and overtime premiums (SPEC §5.2).

use super::{seconds_text, Accrual, Line, LineKind};
use crate::calendar::Instant;
use crate::error::{Error, Result};
use crate::model::in_mask;
use crate::model::ContractIx;
use crate::model::{Contract, ShiftRec};
use crate::money::Exact;

/// Microseconds per hour: hourly amounts are `rate × micros / MICROS_PER_HOUR`.
pub(crate) const MICROS_PER_HOUR: i128 = 3_600_000_000;

/// Calls `f(from, to, rate)` for each piece of `[a, b)` under one rate version (SPEC §2: the
/// rate at `x` is the latest version with `effective_from ≤ x`, else the earliest).
pub(crate) fn for_rate_pieces(
    c: &Contract,
    a: Instant,
    b: Instant,
    mut f: impl FnMut(Instant, Instant, i64),
) {
    let mut cursor = a;
    let mut i = c
        .versions
        .partition_point(|v| v.from <= a)
        .saturating_sub(1);
    while cursor < b {
        let Some(v) = c.versions.get(i) else { break };
        let next = c.versions.get(i + 1).map_or(Instant::MAX, |n| n.from);
        let end = b.min(next);
        if end > cursor {
            f(cursor, end, v.amount);
            cursor = end;
        }
        i += 1;
    }
}

impl<'a> Accrual<'a> {
    /// The employee's counted shifts on contract `cix` overlapping `[lo, hi)`.
    pub(crate) fn counted_shifts(
        &self,
        cix: ContractIx,
        lo: Instant,
        hi: Instant,
    ) -> impl Iterator<Item = &'a ShiftRec> + 'a {
        let from = Instant::from_micros(
            lo.as_micros()
                .saturating_sub(self.twin.company.limits.shift_micros_max()),
        );
        let list: &'a [ShiftRec] = &self.emp.shifts;
        let first = self.first_shift_from(from);
        let mask = self.counted;
        list.get(first..)
            .unwrap_or_default()
            .iter()
            .take_while(move |r| r.start < hi)
            .filter(move |r| r.contract == Some(cix) && r.stop > lo && in_mask(mask, r.status()))
    }

    pub(super) fn hourly(
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
        let add = |total: Exact, x: Exact| {
            total
                .checked_add(x)
                .ok_or_else(|| Error::overflow("hourly gross"))
        };
        let mut total = self.straight(cix, c, lo, hi, lines)?;
        // SPEC §5.4: contracts without premium rules cost nothing here.
        if !c.premiums.is_empty() {
            total = add(total, self.premiums(cix, c, lo, hi, lines)?)?;
        }
        if let Some(p) = &self.overtime {
            let premium = p.premium(self, cix, c, lo, hi, lines)?;
            if premium != Exact::ZERO {
                total = add(total, premium)?;
            }
        }
        if let Some(mw) = c.minimum_wage {
            // SPEC §5.7: this window's share of the weeks' minimum-wage top-ups.
            total = add(total, self.minimum_wage(cix, c, mw, (lo, hi), lines)?)?;
        }
        Ok(total)
    }

    /// Straight pay (SPEC §5.1 hourly): `rate(x) × seconds / 3600` over the paid time of
    /// the counted shifts on `cix` in `[lo, hi)`, split at rate versions, summed exactly.
    fn straight(
        &self,
        cix: ContractIx,
        c: &Contract,
        lo: Instant,
        hi: Instant,
        lines: &mut Vec<Line>,
    ) -> Result<Exact> {
        let mut num: i128 = 0;
        let mut overflow = false;
        for s in self.counted_shifts(cix, lo, hi) {
            // SPEC §5 "Paid time": the shift in [lo, hi) minus its unpaid breaks (§5.6).
            for (a, b) in self.paid(s, Some(c), lo, hi) {
                for_rate_pieces(c, a, b, |x, y, rate| {
                    let micros = y.as_micros().saturating_sub(x.as_micros());
                    match i128::from(rate)
                        .checked_mul(i128::from(micros))
                        .and_then(|v| num.checked_add(v))
                    {
                        Some(v) => num = v,
                        None => overflow = true,
                    }
                    if self.explain {
                        let exact =
                            Exact::new(i128::from(rate) * i128::from(micros), MICROS_PER_HOUR)
                                .unwrap_or(Exact::ZERO);
                        lines.push(Line {
                            kind: LineKind::Regular,
                            name: None,
                            contract_id: Some(c.id.to_string()),
                            source_ids: vec![self.twin.shifts.id(s.ix()).to_string()],
                            quantity: seconds_text(micros),
                            unit: "seconds",
                            rate: Some(rate),
                            multiplier: None,
                            amount: exact.to_fixed(6),
                            exact,
                        });
                    }
                });
            }
        }
        if overflow {
            return Err(Error::overflow("hourly gross"));
        }
        Exact::new(num, MICROS_PER_HOUR).ok_or_else(|| Error::overflow("hourly gross"))
    }
}
