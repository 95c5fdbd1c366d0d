//! The façade's questions: accruals, eligibility and advances, each answered by its layer
//! (`accrual`, `eligibility`) over the twin's books.

use super::Twin;
use crate::accrual::Accruals;
use crate::calendar::Instant;
use crate::eligibility::{
    AdvanceDecision, AdvanceRecord, AdvanceRequest, CancelDecision, Detail, Eligibility, Quote,
    Recovery,
};
use crate::error::Result;
use crate::model::Delivery;

impl Twin {
    /// The employee's accruals at `as_of`, with lines (SPEC §5).
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] for an unknown employee; [`crate::Error::Overflow`] if an amount
    /// does not fit.
    pub fn accruals(&self, employee_id: &str, as_of: Instant) -> Result<Accruals> {
        self.books.accruals(employee_id, as_of)
    }

    /// The eligibility of one employee at `as_of` for a delivery speed (SPEC §6), with its
    /// unpaid periods and their explain lines when `detail` is [`Detail::Explained`]. An
    /// unknown employee is an answer with reason `unknown_employee`, not an error.
    ///
    /// The answer borrows its ids from the twin (and from `employee_id`); with
    /// [`Detail::Brief`] it is exactly what [`Twin::eligibility_all`] gives that employee.
    ///
    /// ```
    /// use ewa::{eligibility::Detail, Delivery};
    /// # fn main() -> ewa::Result<()> {
    /// let twin = ewa::generate::twin(&ewa::generate::Options { employees: 5, ..Default::default() })?;
    /// let at = ewa::generate::Options::default().as_of();
    /// let id = twin.employee_ids()[0].clone();
    /// let brief = twin.eligibility(&id, at, Delivery::Standard, Detail::Brief)?;
    /// let explained = twin.eligibility(&id, at, Delivery::Standard, Detail::Explained)?;
    /// assert!(brief.periods.is_empty() && !explained.periods.is_empty());
    /// assert_eq!((brief.available, brief.reasons), (explained.available, explained.reasons));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// An employee whose amounts do not fit in `i64` is answered with the gate
    /// [`Reason::AmountOverflow`](crate::Reason::AmountOverflow): nothing available.
    ///
    /// # Errors
    /// None from the data today; the `Result` is kept for failures of the call itself.
    pub fn eligibility<'a>(
        &'a self,
        employee_id: &'a str,
        as_of: Instant,
        delivery: Delivery,
        detail: Detail,
    ) -> Result<Eligibility<'a>> {
        self.books.eligibility(employee_id, as_of, delivery, detail)
    }

    /// Every employee's eligibility at `as_of` ([`Detail::Brief`]: without periods), sorted
    /// by employee id, computed in parallel on all cores. Nothing is allocated for an
    /// employee without advances but the answer's slot in the list (the form to use when
    /// answering a whole company at once).
    ///
    /// One employee's data never fails the others: an employee whose amounts do not fit in
    /// `i64` gets the gate [`Reason::AmountOverflow`](crate::Reason::AmountOverflow) (nothing
    /// available) and every other employee is answered.
    ///
    /// # Errors
    /// None from the data today; the `Result` is kept for failures of the call itself.
    pub fn eligibility_all(
        &self,
        as_of: Instant,
        delivery: Delivery,
    ) -> Result<Vec<Eligibility<'_>>> {
        self.books.eligibility_all(as_of, delivery)
    }

    /// Requests an advance (SPEC §6): re-checks eligibility at `requested_at` seeing every
    /// advance already recorded, accepts iff `min_advance ≤ amount ≤ available`, and records
    /// the decision. Idempotent by `advance_id`.
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] for an empty or overlong id; [`crate::Error::Overflow`].
    pub fn request_advance(&mut self, req: &AdvanceRequest) -> Result<AdvanceDecision> {
        let employee = self.books.employee_ix.get(&req.employee_id);
        self.books.state.note_changed(employee);
        self.books.request_advance(req)
    }

    /// The advance recorded under `advance_id`, as it stands now; `None` for an id never
    /// requested.
    pub fn advance(&self, advance_id: &str) -> Option<AdvanceRecord> {
        self.books.advance(advance_id)
    }

    /// Every recorded advance (accepted or refused), in the order recorded.
    pub fn advance_records(&self) -> Vec<AdvanceRecord> {
        self.books.advance_records()
    }

    /// Cancels an accepted advance at `at` (SPEC §8): accepted iff the advance was accepted,
    /// is not cancelled, and `requested_at ≤ at < recovery pay_at`. From `at` on it no longer
    /// counts.
    pub fn cancel_advance(&mut self, advance_id: &str, at: Instant) -> CancelDecision {
        let s = &self.books.state;
        let employee = (s.advance_ix.get(advance_id))
            .and_then(|a| s.advances.get(a))
            .and_then(|a| a.employee);
        self.books.state.note_changed(employee);
        self.books.cancel_advance(advance_id, at)
    }

    /// A FlipPay-like quote for `amount` at `at`, recording nothing.
    ///
    /// # Errors
    /// [`crate::Error::Overflow`].
    pub fn quote_advance(
        &self,
        employee_id: &str,
        amount: i64,
        at: Instant,
        delivery: Delivery,
    ) -> Result<Quote> {
        self.books.quote_advance(employee_id, amount, at, delivery)
    }

    /// What payroll must deduct for a pay period, per employee with anything due: the
    /// advances and fees recovered from it plus the shortfall carried into it, capped at
    /// `max(0, net)` as accrued at `as_of`; the rest carries forward (SPEC §6).
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] for an unknown schedule or period; [`crate::Error::Overflow`].
    pub fn recoveries(
        &self,
        pay_schedule_id: &str,
        pay_period_id: &str,
        as_of: Instant,
    ) -> Result<Vec<Recovery>> {
        self.books.recoveries(pay_schedule_id, pay_period_id, as_of)
    }
}
