//! Reason codes (SPEC §6): why an answer is zero or a request refused. Stored data too: a
//! refused advance keeps its reasons.

use serde::{Serialize, Serializer};

/// Machine codes of eligibility and advance answers, in the SPEC §6 order of precedence.
/// Non-exhaustive: a new reason (as `amount_overflow` was) is not a breaking change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// Gate: the employee is not in the twin.
    UnknownEmployee,
    /// Gate: no assignment active at `t`.
    NoActiveAssignment,
    /// Gate: has assignments, all ended before `t` (with `no_active_assignment`).
    EmploymentEnded,
    /// Gate: local date of `t` − earliest `contract_start_on` < `min_tenure_days`.
    TenureTooShort,
    /// Gate: `pause_on_leave` and the local date of `t` is in an approved leave of that kind.
    OnLeave,
    /// Gate: nothing unpaid at `t`.
    NoUnpaidPeriod,
    /// Gate: unpaid periods exist, all in blackout.
    Blackout,
    /// Gate: `pause_on_shortfall`, `R` exists and `carried_shortfall > 0`.
    ShortfallOutstanding,
    /// Gate: `R`'s `pay_at − t` is more than `max_repayment_days` × 24 hours.
    RepaymentTooFar,
    /// Gate: the employee's amounts do not fit in `i64` minor units (checked arithmetic
    /// overflowed); nothing is available, and every other employee is still answered
    /// (decision 125).
    AmountOverflow,
    /// The accessible base is negative.
    NegativeBalance,
    /// `floor(access_rate × base) = 0` with base ≥ 0.
    NothingAccrued,
    /// Something is outstanding and no `A ≥ 1` fits the headroom.
    HeadroomUsed,
    /// Nothing outstanding, headroom > 0, but the fee leaves no `A ≥ 1`.
    FeeExceedsHeadroom,
    /// Σ amounts recovered from `R` ≥ `max_per_period`.
    PeriodCapReached,
    /// Advances recovered from `R` ≥ `max_advances_per_period`.
    AdvanceCountReached,
    /// Σ amounts of the advances requested on the local date of `t` ≥ `max_per_day`.
    DailyLimitReached,
    /// Σ amounts of the advances requested in the local week of `t` ≥ `max_per_week`.
    WeeklyLimitReached,
    /// `max_fee_advances_per_period` advances with a fee are recovered from `R` and
    /// `fee(1) > 0` for the delivery asked.
    FeeAdvanceCountReached,
    /// The amount otherwise available (or asked) is below `min_advance`.
    BelowMinimum,
    /// Request: the amount asked exceeds the available amount (> 0).
    ExceedsAvailable,
    /// Request: the amount is ≤ 0 or over `amount_max`.
    InvalidAmount,
    /// Request: the `advance_id` was used before with other fields.
    AdvanceIdReused,
    /// Cancel: no advance has this id.
    UnknownAdvance,
    /// Cancel: the advance was refused, is cancelled already, or `at` is outside
    /// `[requested_at, recovery pay_at)`.
    NotCancellable,
}

impl Reason {
    /// The snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::UnknownEmployee => "unknown_employee",
            Reason::NoActiveAssignment => "no_active_assignment",
            Reason::EmploymentEnded => "employment_ended",
            Reason::TenureTooShort => "tenure_too_short",
            Reason::OnLeave => "on_leave",
            Reason::NoUnpaidPeriod => "no_unpaid_period",
            Reason::Blackout => "blackout",
            Reason::ShortfallOutstanding => "shortfall_outstanding",
            Reason::RepaymentTooFar => "repayment_too_far",
            Reason::AmountOverflow => "amount_overflow",
            Reason::NegativeBalance => "negative_balance",
            Reason::NothingAccrued => "nothing_accrued",
            Reason::HeadroomUsed => "headroom_used",
            Reason::FeeExceedsHeadroom => "fee_exceeds_headroom",
            Reason::PeriodCapReached => "period_cap_reached",
            Reason::AdvanceCountReached => "advance_count_reached",
            Reason::DailyLimitReached => "daily_limit_reached",
            Reason::WeeklyLimitReached => "weekly_limit_reached",
            Reason::FeeAdvanceCountReached => "fee_advance_count_reached",
            Reason::BelowMinimum => "below_minimum",
            Reason::ExceedsAvailable => "exceeds_available",
            Reason::InvalidAmount => "invalid_amount",
            Reason::AdvanceIdReused => "advance_id_reused",
            Reason::UnknownAdvance => "unknown_advance",
            Reason::NotCancellable => "not_cancellable",
        }
    }
}

/// Every reason, in SPEC §6 order (bit `i` of a [`Reasons`] set is `ALL_REASONS[i]`); a new
/// reason goes here too (a test checks the list against the enum).
pub(crate) const ALL_REASONS: [Reason; 25] = [
    Reason::UnknownEmployee,
    Reason::NoActiveAssignment,
    Reason::EmploymentEnded,
    Reason::TenureTooShort,
    Reason::OnLeave,
    Reason::NoUnpaidPeriod,
    Reason::Blackout,
    Reason::ShortfallOutstanding,
    Reason::RepaymentTooFar,
    Reason::AmountOverflow,
    Reason::NegativeBalance,
    Reason::NothingAccrued,
    Reason::HeadroomUsed,
    Reason::FeeExceedsHeadroom,
    Reason::PeriodCapReached,
    Reason::AdvanceCountReached,
    Reason::DailyLimitReached,
    Reason::WeeklyLimitReached,
    Reason::FeeAdvanceCountReached,
    Reason::BelowMinimum,
    Reason::ExceedsAvailable,
    Reason::InvalidAmount,
    Reason::AdvanceIdReused,
    Reason::UnknownAdvance,
    Reason::NotCancellable,
];

/// The reason codes of stored data (the binary snapshot writes a reason as its position
/// here): fixed forever, so a file written before a reason was added reads the same. New
/// reasons are appended; the SPEC order is [`ALL_REASONS`].
pub(crate) const STORED_REASONS: [Reason; 25] = [
    Reason::UnknownEmployee,
    Reason::NoActiveAssignment,
    Reason::EmploymentEnded,
    Reason::TenureTooShort,
    Reason::NoUnpaidPeriod,
    Reason::Blackout,
    Reason::NegativeBalance,
    Reason::NothingAccrued,
    Reason::HeadroomUsed,
    Reason::FeeExceedsHeadroom,
    Reason::PeriodCapReached,
    Reason::AdvanceCountReached,
    Reason::BelowMinimum,
    Reason::ExceedsAvailable,
    Reason::InvalidAmount,
    Reason::AdvanceIdReused,
    Reason::UnknownAdvance,
    Reason::NotCancellable,
    // Advance limits (issue #15).
    Reason::OnLeave,
    Reason::ShortfallOutstanding,
    Reason::RepaymentTooFar,
    Reason::DailyLimitReached,
    Reason::WeeklyLimitReached,
    Reason::FeeAdvanceCountReached,
    // Overflow of one employee's amounts (issue #18).
    Reason::AmountOverflow,
];

// Every reason has its bit in a `u32`.
const _: () = assert!(ALL_REASONS.len() <= 32);

/// A set of [`Reason`]s, iterated in SPEC §6 order (a bit per reason: no allocation).
///
/// ```
/// use ewa::{Reason, Reasons};
/// let mut r = Reasons::default();
/// r.insert(Reason::Blackout);
/// r.insert(Reason::NoActiveAssignment);
/// r.insert(Reason::Blackout);
/// assert_eq!(r.iter().collect::<Vec<_>>(), [Reason::NoActiveAssignment, Reason::Blackout]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Reasons(u32);

impl Reasons {
    fn bit(r: Reason) -> u32 {
        1 << (r as u32)
    }

    /// Adds a reason (a second insert of the same reason changes nothing).
    pub fn insert(&mut self, r: Reason) {
        self.0 |= Reasons::bit(r);
    }

    /// Whether the set holds `r`.
    pub fn contains(self, r: Reason) -> bool {
        self.0 & Reasons::bit(r) != 0
    }

    /// No reason at all.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether a gate applies (a reason up to `amount_overflow`, SPEC §6): nothing is
    /// available.
    pub fn gated(self) -> bool {
        self.0 & (Reasons::bit(Reason::AmountOverflow) * 2 - 1) != 0
    }

    /// The reasons in SPEC §6 order.
    pub fn iter(self) -> impl Iterator<Item = Reason> {
        ALL_REASONS.into_iter().filter(move |r| self.contains(*r))
    }

    /// The reasons in SPEC §6 order, as a list.
    pub fn to_vec(self) -> Vec<Reason> {
        self.iter().collect()
    }
}

impl FromIterator<Reason> for Reasons {
    fn from_iter<I: IntoIterator<Item = Reason>>(iter: I) -> Reasons {
        let mut set = Reasons::default();
        for r in iter {
            set.insert(r);
        }
        set
    }
}

/// A list of codes in SPEC §6 order, as SPEC §8 `reasons` prints them.
impl Serialize for Reasons {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_sets_iterate_in_spec_order() {
        // ALL_REASONS is every reason in enum order, so bit order is SPEC order.
        for (i, r) in ALL_REASONS.iter().enumerate() {
            assert_eq!(*r as usize, i);
        }
        assert_eq!(ALL_REASONS.len(), Reason::NotCancellable as usize + 1);
        for r in ALL_REASONS {
            let one: Reasons = [r].into_iter().collect();
            assert_eq!(one.to_vec(), vec![r]);
            assert_eq!(one.gated(), r <= Reason::AmountOverflow, "{r:?}");
        }
        let all: Reasons = ALL_REASONS.into_iter().rev().collect();
        assert_eq!(all.to_vec(), ALL_REASONS.to_vec());
        assert!(Reasons::default().is_empty() && !Reasons::default().gated());
    }

    #[test]
    fn stored_codes_keep_their_positions() {
        // Every reason once; the first 18 as files written before issue #15 hold them.
        for r in ALL_REASONS {
            assert_eq!(
                STORED_REASONS.iter().filter(|x| **x == r).count(),
                1,
                "{r:?}"
            );
        }
        assert_eq!(STORED_REASONS[5], Reason::Blackout);
        assert_eq!(STORED_REASONS[12], Reason::BelowMinimum);
        assert_eq!(STORED_REASONS[17], Reason::NotCancellable);
        assert_eq!(STORED_REASONS[24], Reason::AmountOverflow);
    }

    #[test]
    fn new_reasons_sit_in_spec_order() {
        // SPEC §6: gates ... tenure_too_short, on_leave, no_unpaid_period, blackout,
        // shortfall_outstanding, repayment_too_far, amount_overflow (decision 125); amounts
        // ... advance_count_reached,
        // daily_limit_reached, weekly_limit_reached, fee_advance_count_reached, below_minimum.
        let codes: Vec<&str> = ALL_REASONS.iter().map(|r| r.as_str()).collect();
        let pos = |c: &str| codes.iter().position(|x| *x == c).unwrap();
        for pair in [
            ("tenure_too_short", "on_leave"),
            ("on_leave", "no_unpaid_period"),
            ("blackout", "shortfall_outstanding"),
            ("shortfall_outstanding", "repayment_too_far"),
            ("repayment_too_far", "amount_overflow"),
            ("amount_overflow", "negative_balance"),
            ("advance_count_reached", "daily_limit_reached"),
            ("daily_limit_reached", "weekly_limit_reached"),
            ("weekly_limit_reached", "fee_advance_count_reached"),
            ("fee_advance_count_reached", "below_minimum"),
        ] {
            assert_eq!(pos(pair.0) + 1, pos(pair.1), "{pair:?}");
        }
    }

    #[test]
    fn reason_codes_in_order() {
        assert!(Reason::UnknownEmployee < Reason::Blackout);
        assert!(Reason::Blackout < Reason::NegativeBalance);
        assert_eq!(Reason::FeeExceedsHeadroom.as_str(), "fee_exceeds_headroom");
        assert_eq!(
            serde_json::to_string(&Reason::NoUnpaidPeriod).unwrap(),
            "\"no_unpaid_period\""
        );
    }

    #[test]
    fn reason_sets_serialize_as_code_lists() {
        let set: Reasons = [Reason::Blackout, Reason::NoActiveAssignment]
            .into_iter()
            .collect();
        assert_eq!(
            serde_json::to_string(&set).unwrap(),
            r#"["no_active_assignment","blackout"]"#
        );
        assert_eq!(serde_json::to_string(&Reasons::default()).unwrap(), "[]");
    }
}
