//! The premiums of a window without explain lines, summed fast (a performance device; the
//! rule is `accrual::premiums`, SPEC §5.4). Each covered piece of a rule earns
//! `per_hour × micros / 3600e6` or `(multiplier − 1) × rate × micros / 3600e6`: the sum
//! over the pieces is one integer numerator per rule (`Σ per_hour × micros` or
//! `Σ rate × micros`) over `3600e6`, times `multiplier − 1`: the same exact rational as
//! adding the pieces one by one, with one reduction per rule instead of one per piece.
//! A numerator that overflows hands the window back to the piece-by-piece sum.

use super::hourly::{for_rate_pieces, MICROS_PER_HOUR};
use super::Accrual;
use crate::calendar::Instant;
use crate::error::{Error, Result};
use crate::model::premium::{Premium, PremiumPay};
use crate::model::Contract;
use crate::model::ContractIx;
use crate::money::Exact;
use smallvec::SmallVec;

impl Accrual<'_> {
    /// The premiums of `rules` (with their `multiplier − 1`) of contract `cix` in `[lo, hi)`
    /// (inside one stint), exactly; `None` when a numerator overflows (then the caller sums
    /// piece by piece).
    pub(super) fn premium_sums(
        &self,
        cix: ContractIx,
        c: &Contract,
        (lo, hi): (Instant, Instant),
        rules: &[(&Premium, Option<Exact>)],
    ) -> Option<Result<Exact>> {
        // Per rule: whether a piece was covered, and the numerator.
        let mut nums: SmallVec<[(bool, i128); 4]> = SmallVec::from_elem((false, 0), rules.len());
        let mut ok = true;
        // Per rule, its tabulated windows (`super::coverage`) and where the last search
        // ended in them: the pieces come in order.
        let mut tables: SmallVec<[_; 4]> = rules
            .iter()
            .map(|(rule, _)| (self.coverage.table(rule), 0usize))
            .collect();
        for s in self.counted_shifts(cix, lo, hi) {
            for (a, b) in self.paid(s, Some(c), lo, hi) {
                let mut date = None;
                for ((&(rule, _), num), (table, hint)) in
                    rules.iter().zip(nums.iter_mut()).zip(tables.iter_mut())
                {
                    let mut f = |x, y| {
                        num.0 = true;
                        ok &= add_piece(c, rule, (x, y), &mut num.1);
                    };
                    if table.is_some_and(|t| t.for_covered((a, b), hint, &mut f)) {
                        continue;
                    }
                    let d = *date.get_or_insert_with(|| self.clock.date_of(a));
                    self.for_covered_from(rule, d, (a, b), f);
                }
            }
            if !ok {
                return None;
            }
        }
        let mut total = Exact::ZERO;
        for (&(rule, extra), &(covered, num)) in rules.iter().zip(nums.iter()) {
            if !covered {
                continue;
            }
            let sum = Exact::new(num, MICROS_PER_HOUR);
            let sum = match rule.pay {
                PremiumPay::PerHour(_) => sum,
                PremiumPay::Multiplier(_) => sum.zip(extra).and_then(|(s, e)| s.checked_mul(e)),
            };
            match sum.and_then(|v| total.checked_add(v)) {
                Some(t) => total = t,
                None => return Some(Err(Error::overflow("premium"))),
            }
        }
        Some(Ok(total))
    }
}

/// Adds piece `[x, y)`'s numerator under `rule` to `num`; false on overflow.
fn add_piece(c: &Contract, rule: &Premium, (x, y): (Instant, Instant), num: &mut i128) -> bool {
    match rule.pay {
        PremiumPay::PerHour(per_hour) => {
            let micros = y.as_micros().saturating_sub(x.as_micros());
            match i128::from(per_hour)
                .checked_mul(i128::from(micros))
                .and_then(|v| num.checked_add(v))
            {
                Some(v) => {
                    *num = v;
                    true
                }
                None => false,
            }
        }
        PremiumPay::Multiplier(_) => {
            let mut ok = true;
            for_rate_pieces(c, x, y, |u, v, rate| {
                let micros = v.as_micros().saturating_sub(u.as_micros());
                match i128::from(rate)
                    .checked_mul(i128::from(micros))
                    .and_then(|v| num.checked_add(v))
                {
                    Some(v) => *num = v,
                    None => ok = false,
                }
            });
            ok
        }
    }
}
