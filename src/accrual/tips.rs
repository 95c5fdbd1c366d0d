//! Tips (SPEC §5.7 first bullet, §9 "Tips"): the `tips` of a counted shift are earned pro
//! rata over its paid time, `tips × covered paid seconds / paid seconds` (an exact
//! rational), on a contract of any rate period (`adhoc` included). The denominator is the
//! shift's paid time inside its assignment's active interval ([`super::paid`]); a window
//! covers the paid time of the shift inside it. Over every window the shares add up to the
//! shift's tips exactly.

use super::paid::paid_micros;
use super::{seconds_text, Accrual, Line, LineKind};
use crate::calendar::Instant;
use crate::error::{Error, Result};
use crate::model::ContractIx;
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
        // No shift of the employee has tips: nothing to add (the usual case costs one test).
        if lo >= hi || self.no_tips() {
            return Ok(Exact::ZERO);
        }
        let mut total = Exact::ZERO;
        // Whole shares (a shift paid wholly inside the window earns all its tips) are
        // integers: summed as one, without a reduction each.
        let mut whole: i128 = 0;
        for s in self.counted_shifts(a.contract, lo, hi) {
            let Some((share, covered)) = self.tip_share(s, a, c, lo, hi)? else {
                continue;
            };
            if share.denom() == 1 {
                whole = whole
                    .checked_add(share.numer())
                    .ok_or_else(|| Error::overflow("tips"))?;
            } else {
                total = total
                    .checked_add(share)
                    .ok_or_else(|| Error::overflow("tips"))?;
            }
            if self.explain {
                lines.push(Line {
                    kind: LineKind::Tips,
                    name: None,
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
        Exact::new(whole, 1)
            .and_then(|w| total.checked_add(w))
            .ok_or_else(|| Error::overflow("tips"))
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
        let tips = self.side_tips(s);
        if tips <= 0 {
            return Ok(None);
        }
        let breaks = self.breaks(s, Some(c));
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
        if covered == whole {
            // The whole paid time is covered: the share is the tips (no reduction).
            return Ok(Some((Exact::int(tips), covered)));
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
    pub(crate) fn tips_earned(&self, cix: ContractIx, from: Instant, to: Instant) -> Result<Exact> {
        let Some(a) = self.emp.assignments.iter().find(|a| a.contract == cix) else {
            return Ok(Exact::ZERO);
        };
        let Some(c) = self.twin.contracts.get(cix) else {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::ingest::Kind;
    use crate::model::Ix;
    use crate::twin::Twin;
    use serde_json::json;

    fn at(s: &str) -> Instant {
        crate::calendar::parse_instant(chrono_tz::UTC, s).unwrap()
    }

    /// A bar shift Sunday 20:00 – Monday 04:00 with a break 23:00–00:00 and tips 9,000.
    fn twin() -> Twin {
        let mut twin = Twin::new(crate::company::Company::new("t", chrono_tz::UTC));
        let batches = [
            (
                Kind::PaySchedules,
                json!([{"pay_schedule_id": "w", "frequency": "weekly", "periods": [
                {"pay_period_id": "W23", "start_at": "2026-06-01", "stop_at": "2026-06-08", "pay_at": "2026-06-12"}]}]),
            ),
            (
                Kind::Contracts,
                json!([{"contract_id": "c", "pay_schedule_id": "w", "currency": "USD",
                "wage_rate_period": "hourly", "wage_rate_amount": 2000}]),
            ),
            (
                Kind::Employees,
                json!([{"employee_id": "e1", "contract_id": "c"}]),
            ),
            (
                Kind::Shifts,
                json!([{"shift_id": "s", "shift_status": "approved", "employee_id": "e1",
                "start_at": "2026-06-07T20:00:00Z", "stop_at": "2026-06-08T04:00:00Z", "tips": 9000,
                "unpaid_breaks": [{"start_at": "2026-06-07T23:00:00Z", "stop_at": "2026-06-08T00:00:00Z"}]}]),
            ),
        ];
        for (kind, recs) in batches {
            let r = twin
                .apply(kind, recs.as_array().unwrap(), at("2026-06-01T00:00:00Z"))
                .unwrap();
            assert_eq!(r.count_rejected, 0, "{r:?}");
        }
        twin
    }

    /// `tips_earned` (the minimum wage's tip credit reads it) is exact and additive:
    /// 9,000 × 3 h / 7 h before midnight, 9,000 × 4 h / 7 h after, 9,000 in all.
    #[test]
    fn tips_earned_is_exact_and_adds_up_over_intervals() {
        let twin = twin();
        let (_, emp) = twin.books.employee("e1").unwrap();
        let acc = Accrual::new(&twin.books, emp, at("2026-06-09T00:00:00Z"), false);
        let c = twin.books.contract_ix.get("c").unwrap();
        let mid = at("2026-06-08T00:00:00Z");
        let before = acc.tips_earned(c, at("2026-06-01T00:00:00Z"), mid).unwrap();
        let after = acc.tips_earned(c, mid, at("2026-06-15T00:00:00Z")).unwrap();
        assert_eq!(before, Exact::new(27_000, 7).unwrap());
        assert_eq!(after, Exact::new(36_000, 7).unwrap());
        assert_eq!(before.checked_add(after), Some(Exact::int(9000)));
        // Inside the break nothing is earned; an unknown contract earns nothing.
        let brk = acc.tips_earned(c, at("2026-06-07T23:00:00Z"), mid).unwrap();
        assert_eq!(brk, Exact::ZERO);
        assert_eq!(
            acc.tips_earned(
                ContractIx::numbered(c.raw() + 1),
                mid,
                at("2026-06-15T00:00:00Z")
            )
            .unwrap(),
            Exact::ZERO
        );
    }

    /// Net of the one period of `employee` (the week of 2026-06-01) at `t`.
    fn net(twin: &Twin, employee: &str, t: &str) -> i64 {
        let a = twin.accruals(employee, at(t)).unwrap();
        a.periods.iter().map(|p| p.net).sum()
    }

    /// Tips reach the answer whatever the caches held before: e2, whose shifts have no
    /// side record when the caches are made, then a shift given tips; e1's shift split by
    /// the window's end beside its own shift wholly inside (a part and a whole share).
    #[test]
    fn tips_pushed_after_the_caches_are_made_are_counted() {
        let mut twin = twin();
        let t0 = at("2026-06-01T00:00:00Z");
        let e2 = json!({"employee_id": "e2", "contract_id": "c"});
        twin.apply(Kind::Employees, &[e2], t0).unwrap();
        let shift = |id: &str, who: &str, tips: Option<i64>| {
            json!({"shift_id": id, "shift_status": "approved", "employee_id": who,
                   "start_at": "2026-06-02T10:00:00Z", "stop_at": "2026-06-02T12:00:00Z",
                   "tips": tips})
        };
        // 2026-06-02 10:00–12:00 without tips: 2 h × 2,000 = 4,000.
        twin.apply(Kind::Shifts, &[shift("p", "e2", None)], t0)
            .unwrap();
        assert_eq!(net(&twin, "e2", "2026-06-03T00:00:00Z"), 4_000);
        // The same shift with tips 500: counted at once.
        twin.apply(Kind::Shifts, &[shift("p", "e2", Some(500))], t0)
            .unwrap();
        assert_eq!(net(&twin, "e2", "2026-06-03T00:00:00Z"), 4_500);
        // e1 at Monday 02:00, with the same shift (tips 500): the period's window ends at
        // its stop, Monday 00:00, so the bar shift's paid 20:00–23:00 is 3 h of its 7:
        // 3 × 2,000 + 9,000 × 3 / 7 = 9,857.14…, plus the whole 4,500: 14,357.14… → 14,357.
        twin.apply(Kind::Shifts, &[shift("q", "e1", Some(500))], t0)
            .unwrap();
        assert_eq!(net(&twin, "e1", "2026-06-08T02:00:00Z"), 14_357);
    }
}
