//! Tips (SPEC §5.7 first bullet, §9 "Tips"): the `tips` of a counted shift are earned pro
//! rata over its paid time, `tips × covered paid seconds / paid seconds` (an exact
//! rational), on a contract of any rate period (`adhoc` included). The denominator is the
//! shift's paid time inside its assignment's active interval ([`super::paid`]); a window
//! covers the paid time of the shift inside it. Over every window the shares add up to the
//! shift's tips exactly.

use super::paid::{self, paid_micros};
use super::{seconds_text, Accrual, Line, LineKind};
use crate::calendar::Instant;
use crate::error::{Error, Result};
use crate::model::{Assignment, Contract, ShiftRec};
use crate::money::Exact;

impl Accrual<'_> {
    /// Tips earned on contract `c` (assignment `a`) in `[lo, hi)` — a window already clipped
    /// to one stint — with a `tips` line per shift when explaining (SPEC §5.7).
    pub(super) fn tips(
        &self,
        a: &Assignment,
        c: &Contract,
        lo: Instant,
        hi: Instant,
        lines: &mut Vec<Line>,
    ) -> Result<Exact> {
        // No shift has tips or breaks: nothing to add (the usual case costs one test).
        if lo >= hi || self.twin.shifts.ext.is_empty() {
            return Ok(Exact::ZERO);
        }
        let mut total = Exact::ZERO;
        for s in self.counted_shifts(a.contract, lo, hi) {
            let Some((share, covered)) = self.tip_share(s, a, c, lo, hi)? else {
                continue;
            };
            total = total
                .checked_add(share)
                .ok_or_else(|| Error::overflow("tips"))?;
            if self.explain {
                lines.push(Line {
                    kind: LineKind::Tips,
                    contract_id: Some(c.id.to_string()),
                    source_ids: vec![self.twin.shifts.id(s.ix()).to_string()],
                    quantity: seconds_text(covered),
                    unit: "seconds",
                    rate: None,
                    multiplier: None,
                    amount: share.to_fixed(6),
                    exact: share,
                });
            }
        }
        Ok(total)
    }

    /// Shift `s`'s tips share in `[lo, hi)` and the paid microseconds it covers there, or
    /// `None` when it has no tips, covers nothing, or has no paid time in its assignment.
    fn tip_share(
        &self,
        s: &ShiftRec,
        a: &Assignment,
        c: &Contract,
        lo: Instant,
        hi: Instant,
    ) -> Result<Option<(Exact, i64)>> {
        let tips = self.twin.shifts.ext(s.ix()).map_or(0, |x| x.tips());
        if tips <= 0 {
            return Ok(None);
        }
        let breaks = paid::shift_breaks(self.twin, s, Some(c));
        let covered = paid_micros(s.start.max(lo), s.stop.min(hi), breaks);
        // SPEC §9: the denominator is the paid time inside the assignment.
        let whole: i64 = a
            .stints
            .iter()
            .map(|st| paid_micros(s.start.max(st.start), s.stop.min(st.end), breaks))
            .fold(0, i64::saturating_add);
        if covered <= 0 || whole <= 0 {
            return Ok(None);
        }
        let share = i128::from(tips)
            .checked_mul(i128::from(covered))
            .and_then(|n| Exact::new(n, i128::from(whole)))
            .ok_or_else(|| Error::overflow("tips"))?;
        Ok(Some((share, covered)))
    }

    /// The tips earned on contract `cix` over `[from, to)` (SPEC §5.7), inside the
    /// employee's assignment to it: `Σ tips × paid seconds in [from, to) / paid seconds` over
    /// the counted shifts on the contract, exact. For the minimum wage's `tip_credit`
    /// (SPEC §5.7 second bullet). Zero when the employee is not assigned to `cix`.
    ///
    /// # Errors
    /// [`Error::Overflow`] if the sum does not fit.
    // Called by the minimum wage's tip credit (SPEC §5.7), merged from another branch.
    #[allow(dead_code)]
    pub(crate) fn tips_earned(&self, cix: u32, from: Instant, to: Instant) -> Result<Exact> {
        let Some(a) = self.emp.assignments.iter().find(|a| a.contract == cix) else {
            return Ok(Exact::ZERO);
        };
        let Some(c) = self.twin.contracts.get(cix as usize) else {
            return Ok(Exact::ZERO);
        };
        let mut total = Exact::ZERO;
        let mut sink = Vec::new();
        for st in &a.stints {
            let share = self.tips(a, c, from.max(st.start), to.min(st.end), &mut sink)?;
            total = total
                .checked_add(share)
                .ok_or_else(|| Error::overflow("tips"))?;
        }
        Ok(total)
    }
}
