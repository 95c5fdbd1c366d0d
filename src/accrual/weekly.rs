//! Work-week sums shared within one answer (a performance device; the rules are
//! `accrual::minimum_wage` and `accrual::regular_rate`, SPEC §5.2, §5.7). An answer asks for
//! the same work week's minimum-wage top-up from each window the week reaches and from the
//! regular rate of every overtime piece in it, and for the same regular rate from each of
//! those pieces: each is computed once per answer (`t` is fixed) and read back after.
//! Straight pay over a week's paid pieces is one integer numerator `Σ rate × micros` over
//! `3600e6` (the exact sum of the pieces' amounts, reduced once); a numerator that overflows
//! sums piece by piece.

use super::hourly::{for_rate_pieces, MICROS_PER_HOUR};
use super::regular_rate::{add, straight_pay, Paid};
use super::Accrual;
use crate::calendar::Instant;
use crate::error::Result;
use crate::model::ContractIx;
use crate::model::{Contract, MinimumWage};
use crate::money::Exact;
use smallvec::SmallVec;
use std::cell::RefCell;

/// (contract, week start, top-up, the week's paid micros on the contract).
type TopUps = SmallVec<[(ContractIx, Instant, Exact, i64); 4]>;
/// (contract's address, week start, regular rate).
type Rates = SmallVec<[(usize, Instant, Option<Exact>); 4]>;

/// What one answer has computed of its work weeks.
#[derive(Default)]
pub(crate) struct Weeks {
    top_ups: RefCell<TopUps>,
    rates: RefCell<Rates>,
}

impl Accrual<'_> {
    /// [`Accrual::week_top_up`]'s `(top_up, micros)`, computed once per answer.
    ///
    /// # Errors
    /// [`Error::Overflow`] when an amount does not fit.
    pub(crate) fn week_top_up_once(
        &self,
        cix: ContractIx,
        c: &Contract,
        mw: MinimumWage,
        week: (Instant, Instant),
    ) -> Result<(Exact, i64)> {
        let known = self
            .weeks
            .top_ups
            .borrow()
            .iter()
            .find_map(|&(k, ws, top, m)| (k == cix && ws == week.0).then_some((top, m)));
        if let Some(v) = known {
            return Ok(v);
        }
        let w = self.week_top_up(cix, c, mw, week)?;
        let v = (w.top_up, w.micros);
        self.weeks
            .top_ups
            .borrow_mut()
            .push((cix, week.0, v.0, v.1));
        Ok(v)
    }

    /// The regular rate of contract `c`'s work week `[ws, we)`
    /// ([`Accrual::week_regular_rate`]), computed once per answer.
    ///
    /// # Errors
    /// [`Error::Overflow`] when an amount does not fit.
    pub(crate) fn week_regular_rate_once(
        &self,
        c: &Contract,
        week: (Instant, Instant),
    ) -> Result<Option<Exact>> {
        let key = std::ptr::from_ref(c) as usize;
        let known = self
            .weeks
            .rates
            .borrow()
            .iter()
            .find_map(|&(k, ws, rr)| (k == key && ws == week.0).then_some(rr));
        if let Some(rr) = known {
            return Ok(rr);
        }
        let rr = self.week_regular_rate(c, week)?;
        self.weeks.rates.borrow_mut().push((key, week.0, rr));
        Ok(rr)
    }

    /// Σ straight pay of `paid` (SPEC §5.1: each piece at its own contract's rates;
    /// `contract` overrides the pieces' contract), exactly; `what` names an overflow.
    ///
    /// # Errors
    /// [`Error::Overflow`] when an amount does not fit.
    pub(crate) fn straight_sum(
        &self,
        paid: &[Paid],
        contract: Option<&Contract>,
        what: &'static str,
    ) -> Result<Exact> {
        let mut num: i128 = 0;
        let mut ok = true;
        for p in paid {
            let Some(pc) = contract.or_else(|| self.twin.contracts.get(p.contract)) else {
                continue;
            };
            for_rate_pieces(pc, p.start, p.stop, |x, y, rate| {
                let micros = y.as_micros().saturating_sub(x.as_micros());
                match i128::from(rate)
                    .checked_mul(i128::from(micros))
                    .and_then(|v| num.checked_add(v))
                {
                    Some(v) => num = v,
                    None => ok = false,
                }
            });
        }
        if let Some(sum) = Exact::new(num, MICROS_PER_HOUR).filter(|_| ok) {
            return Ok(sum);
        }
        // The numerator overflowed: piece by piece.
        let mut pay = Exact::ZERO;
        for p in paid {
            if let Some(pc) = contract.or_else(|| self.twin.contracts.get(p.contract)) {
                pay = add(pay, straight_pay(pc, p.start, p.stop)?, what)?;
            }
        }
        Ok(pay)
    }
}
