//! Advances as the twin stores them (SPEC §2 `advance`, engine-managed): every decision,
//! accepted or refused, with where an accepted one is recovered from. The rules that make
//! these decisions are in `eligibility`; this is only the stored data.

use super::{Delivery, EmployeeIx, Reason};
use crate::calendar::Instant;

/// Where an advance is recovered from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RecoveryRef {
    pub schedule: super::ScheduleIx,
    pub period_id: Box<str>,
    pub pay_at: Instant,
}

/// A recorded advance decision (accepted ones count; refused ones are kept for replay).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Advance {
    pub id: Box<str>,
    pub employee_id: Box<str>,
    pub employee: Option<EmployeeIx>,
    pub amount: i64,
    pub requested_at: Instant,
    pub delivery: Delivery,
    pub accepted: bool,
    pub fee: i64,
    pub recovery: Option<RecoveryRef>,
    pub reasons: Vec<Reason>,
    pub cancelled_at: Option<Instant>,
}
