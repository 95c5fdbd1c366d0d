//! Leave (SPEC §2 "leave", extension kind `leaves`): an employee's requested, approved,
//! declined or cancelled time off, paid or unpaid, on an inclusive range of local dates.

use super::arena::{ContractIx, EmployeeIx};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// `leave_status` (SPEC §2 leave): only `approved` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum LeaveStatus {
    Requested,
    Approved,
    Declined,
    Cancelled,
}

impl LeaveStatus {
    /// Every status, in declaration order (the snapshot writes the position).
    pub const ALL: [LeaveStatus; 4] = [
        LeaveStatus::Requested,
        LeaveStatus::Approved,
        LeaveStatus::Declined,
        LeaveStatus::Cancelled,
    ];

    /// The code, e.g. `approved`.
    pub fn as_str(self) -> &'static str {
        match self {
            LeaveStatus::Requested => "requested",
            LeaveStatus::Approved => "approved",
            LeaveStatus::Declined => "declined",
            LeaveStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<LeaveStatus> {
        LeaveStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The position in [`LeaveStatus::ALL`].
    pub fn code(self) -> u8 {
        match self {
            LeaveStatus::Requested => 0,
            LeaveStatus::Approved => 1,
            LeaveStatus::Declined => 2,
            LeaveStatus::Cancelled => 3,
        }
    }
}

/// Longest leave, in dates counted inclusively (SPEC §2: at most 366 days).
pub(crate) const LEAVE_DAYS_MAX: i64 = 366;

/// `hours_per_day` when absent (SPEC §2 leave: default 8).
pub(crate) const DEFAULT_HOURS_PER_DAY: Decimal = Decimal::from_parts(8, 0, 0, false, 0);

/// The largest `hours_per_day` (SPEC §2 leave: 0 < h ≤ 24).
pub(crate) const HOURS_PER_DAY_MAX: Decimal = Decimal::from_parts(24, 0, 0, false, 0);

/// One leave, its latest version (SPEC §2: re-pushing a `leave_id` is an update).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Leave {
    pub id: Box<str>,
    pub employee: EmployeeIx,
    /// `None`: every assignment of the employee (SPEC §2 leave).
    pub contract: Option<ContractIx>,
    pub status: LeaveStatus,
    pub start_on: NaiveDate,
    /// Inclusive; `start_on ≤ stop_on`, at most [`LEAVE_DAYS_MAX`] dates.
    pub stop_on: NaiveDate,
    pub paid: bool,
    /// In `(0, 24]`, normalized.
    pub hours_per_day: Decimal,
    pub leave_type: Option<Box<str>>,
    pub custom_info: Option<Map<String, Value>>,
}

impl Leave {
    /// Whether the leave counts on date `d` for contract `contract` (SPEC §5.5: approved,
    /// `d` within its dates, and it applies to that contract). Whether `d` lies inside the
    /// assignment is the caller's question.
    pub fn counts_on(&self, contract: ContractIx, d: NaiveDate) -> bool {
        self.applies_to(contract) && self.start_on <= d && d <= self.stop_on
    }

    /// Whether the leave is approved and applies to contract `contract` (its own
    /// `contract_id`, or every assignment without one).
    pub fn applies_to(&self, contract: ContractIx) -> bool {
        self.status == LeaveStatus::Approved && self.contract.is_none_or(|c| c == contract)
    }

    /// Why the leave's own values are impossible (SPEC §2 leave), if they are: the dates
    /// reversed or too many, `hours_per_day` out of `(0, 24]`.
    pub fn shape_error(&self) -> Option<&'static str> {
        let days = (self.stop_on - self.start_on).num_days();
        if days < 0 {
            Some("stops before it starts")
        } else if days >= LEAVE_DAYS_MAX {
            Some("is longer than 366 days")
        } else if self.hours_per_day <= Decimal::ZERO || self.hours_per_day > HOURS_PER_DAY_MAX {
            Some("has hours_per_day outside (0, 24]")
        } else {
            None
        }
    }
}

/// What the approved leaves of one employee say about one date for one contract, after
/// "paid wins over unpaid" and "two paid: the larger `hours_per_day`" (SPEC §5.5, §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LeaveDay {
    pub paid: bool,
    pub hours_per_day: Decimal,
    /// The leave that decides (the first, in list order, among equals).
    pub leave: super::LeaveIx,
}

impl LeaveDay {
    /// Whether a leave (`paid`, `hours`) decides over `self` (SPEC §5.5, §9): paid beats
    /// unpaid; of two paid, the larger hours.
    pub fn beaten_by(&self, paid: bool, hours: Decimal) -> bool {
        paid && (!self.paid || hours > self.hours_per_day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip() {
        for (i, s) in LeaveStatus::ALL.into_iter().enumerate() {
            assert_eq!(LeaveStatus::parse(s.as_str()), Some(s));
            assert_eq!(usize::from(s.code()), i);
        }
        assert_eq!(LeaveStatus::parse("Approved"), None);
    }

    #[test]
    fn paid_wins_then_larger_hours() {
        let unpaid = LeaveDay {
            paid: false,
            hours_per_day: Decimal::from(8),
            leave: crate::model::Arena::<crate::model::LeaveIx, ()>::default()
                .push(())
                .expect("room"),
        };
        assert!(unpaid.beaten_by(true, Decimal::from(1)));
        assert!(!unpaid.beaten_by(false, Decimal::from(10)));
        let paid = LeaveDay {
            paid: true,
            ..unpaid
        };
        assert!(!paid.beaten_by(false, Decimal::from(10)));
        assert!(paid.beaten_by(true, Decimal::from(9)));
        assert!(!paid.beaten_by(true, Decimal::from(8)));
    }
}
