//! The digital twin's validated values (SPEC §2). Fields are crate-private: values are made
//! only by ingestion (and the store, through the same constructors), so inside the engine a
//! `Shift` or a `Contract` is valid by construction.

mod advance;
pub(crate) mod arena;
mod clock;
pub(crate) mod hash;
mod index;
mod leave;
mod leave_days;
pub(crate) mod premium;
mod reason;
pub(crate) mod shifts;
mod side_tables;
mod slice;
mod state;

pub(crate) use advance::{Advance, RecoveryRef};
pub(crate) use arena::{
    AdvanceIx, Arena, ContractIx, EmployeeIx, Ix, LeaveIx, PaymentIx, ScheduleIx,
};
pub(crate) use clock::LocalClock;
pub(crate) use index::Index;
pub(crate) use leave::{
    Leave, LeaveDay, LeaveStatus, DEFAULT_HOURS_PER_DAY, HOURS_PER_DAY_MAX, LEAVE_DAYS_MAX,
};
pub(crate) use premium::Premium;
pub use reason::{Reason, Reasons};
pub(crate) use reason::{ALL_REASONS, STORED_REASONS};
pub(crate) use shifts::in_mask;
pub(crate) use side_tables::{ShiftSide, SideTables};
pub(crate) use state::State;

use crate::calendar::{Frequency, Instant};
use crate::money::Currency;
use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// `shift_status` (SPEC §2, Payd).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum ShiftStatus {
    /// An open slot nobody holds.
    Available = 0,
    /// Planned for an employee.
    Scheduled = 1,
    /// Declined by the employee.
    Declined = 2,
    /// Cancelled.
    Voided = 3,
    /// The employee did not turn up.
    NoShow = 4,
    /// Worked and submitted for approval.
    Submitted = 5,
    /// Approved pending a final check.
    ProvisionallyApproved = 6,
    /// Approved: counted by default (SPEC §5 `counted_statuses`).
    Approved = 7,
}

impl ShiftStatus {
    /// Every status, in declaration order.
    pub const ALL: [ShiftStatus; 8] = [
        ShiftStatus::Available,
        ShiftStatus::Scheduled,
        ShiftStatus::Declined,
        ShiftStatus::Voided,
        ShiftStatus::NoShow,
        ShiftStatus::Submitted,
        ShiftStatus::ProvisionallyApproved,
        ShiftStatus::Approved,
    ];

    /// The Payd code, e.g. `provisionally_approved`.
    pub fn as_str(self) -> &'static str {
        match self {
            ShiftStatus::Available => "available",
            ShiftStatus::Scheduled => "scheduled",
            ShiftStatus::Declined => "declined",
            ShiftStatus::Voided => "voided",
            ShiftStatus::NoShow => "no_show",
            ShiftStatus::Submitted => "submitted",
            ShiftStatus::ProvisionallyApproved => "provisionally_approved",
            ShiftStatus::Approved => "approved",
        }
    }

    /// Parses a Payd code.
    pub fn parse(s: &str) -> Option<ShiftStatus> {
        ShiftStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// `alignment` of a pay schedule (SPEC §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alignment {
    /// Paid after the period: `pay_at >= stop_at`.
    Arrears,
    /// Paid within the period: `start_at <= pay_at <= stop_at`.
    Aligned,
    /// Paid before the period: `pay_at <= start_at`.
    Advance,
}

impl Alignment {
    /// The Payd code.
    pub fn as_str(self) -> &'static str {
        match self {
            Alignment::Arrears => "arrears",
            Alignment::Aligned => "aligned",
            Alignment::Advance => "advance",
        }
    }

    /// Parses a Payd code.
    pub fn parse(s: &str) -> Option<Alignment> {
        match s {
            "arrears" => Some(Alignment::Arrears),
            "aligned" => Some(Alignment::Aligned),
            "advance" => Some(Alignment::Advance),
            _ => None,
        }
    }

    /// Whether a period satisfies this alignment.
    pub(crate) fn holds(self, p: &Period) -> bool {
        match self {
            Alignment::Arrears => p.pay_at >= p.stop,
            Alignment::Aligned => p.start <= p.pay_at && p.pay_at <= p.stop,
            Alignment::Advance => p.pay_at <= p.start,
        }
    }
}

/// A pay period: the half-open interval `[start, stop)` paid at `pay_at` (SPEC §2, §4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Period {
    pub id: Box<str>,
    pub start: Instant,
    pub stop: Instant,
    pub pay_at: Instant,
}

/// A pay schedule with its periods sorted by `start` (no two overlap).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Schedule {
    pub id: Box<str>,
    pub frequency: Frequency,
    pub alignment: Option<Alignment>,
    pub periods: Vec<Period>,
    pub custom_info: Option<Map<String, Value>>,
}

impl Schedule {
    /// The period containing instant `x`, if any.
    pub fn period_at(&self, x: Instant) -> Option<usize> {
        let i = self.periods.partition_point(|p| p.start <= x);
        let i = i.checked_sub(1)?;
        let p = self.periods.get(i)?;
        (x < p.stop).then_some(i)
    }

    /// Index of a period by id.
    pub fn period_index(&self, id: &str) -> Option<usize> {
        self.periods.iter().position(|p| &*p.id == id)
    }
}

/// One version of a contract's `wage_rate_amount`, from `from` on (SPEC §2 `effective_from`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RateVersion {
    /// `Instant::MIN` for the version pushed without `effective_from` ("for all time").
    pub from: Instant,
    pub amount: i64,
}

/// Overtime rules of an hourly contract (SPEC §5.2), thresholds in microseconds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Overtime {
    pub weekly_threshold: Option<i64>,
    pub daily_threshold: Option<i64>,
    pub multiplier: Option<Decimal>,
    pub double_time_threshold: Option<i64>,
    pub double_time_multiplier: Option<Decimal>,
    pub workday_starts_at: NaiveTime,
    /// California's seventh-day rule (SPEC §5.2 `seventh_day`).
    pub seventh_day: bool,
    /// `regular_rate` (SPEC §5.2): the rate overtime premiums are paid on.
    pub regular_rate: RegularRate,
}

/// `custom_info.overtime.regular_rate` (SPEC §5.2): what an overtime premium multiplies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum RegularRate {
    /// `"contract"` (the default): the contract's rate in force at that second.
    #[default]
    Contract,
    /// `"weighted_average"` (29 CFR 778.115, 778.110(b)): the regular rate of the work week.
    WeightedAverage,
}

/// `custom_info.minimum_wage` of an hourly contract (SPEC §5.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct MinimumWage {
    /// Whole minor units per hour, > 0.
    pub hourly: i64,
    /// Whether tips count toward the minimum wage (a tip credit).
    pub tip_credit: bool,
}

/// A wage contract (SPEC §2).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Contract {
    pub id: Box<str>,
    pub schedule: ScheduleIx,
    pub currency: Currency,
    pub rate_period: Frequency,
    /// Sorted by `from`, at least one.
    pub versions: Vec<RateVersion>,
    pub custom_info: Option<Map<String, Value>>,
    pub overtime: Option<Overtime>,
    /// Premium rules (SPEC §5.4), from `custom_info.premiums`; empty on a non-hourly contract.
    pub premiums: Vec<Premium>,
    /// `custom_info.minimum_wage` of an hourly contract (SPEC §5.7).
    pub minimum_wage: Option<MinimumWage>,
    /// `custom_info.holiday_pay_hours` (SPEC §5.5), 0 when absent or not hourly.
    pub holiday_pay_hours: Decimal,
    /// `custom_info.auto_unpaid_break` of an hourly contract (SPEC §5.6).
    pub auto_break: Option<AutoBreak>,
}

/// A contract's automatic unpaid break (SPEC §5.6): a counted shift without an
/// `unpaid_breaks` field that lasts more than `after` gets one centred break of `length`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct AutoBreak {
    /// `after_hours` in microseconds, rounded down (a length in whole microseconds is more
    /// than the exact hours exactly when it is more than this).
    pub after: i64,
    /// `minutes` in microseconds (≥ 1 minute, less than `after_hours`).
    pub length: i64,
}

impl AutoBreak {
    /// The break of a shift `[start, stop)`, if it lasts more than `after_hours`: centred,
    /// starting at `start + (length − minutes) / 2` rounded down (SPEC §5.6).
    pub fn of(&self, start: Instant, stop: Instant) -> Option<Span> {
        let len = stop.as_micros().checked_sub(start.as_micros())?;
        if len <= self.after || len <= self.length {
            return None;
        }
        let from = start.checked_add_micros((len - self.length).div_euclid(2))?;
        let to = from.checked_add_micros(self.length)?;
        Some(Span {
            start: from,
            stop: to,
        })
    }
}

impl Contract {
    /// The rate in force at `x`: the latest version with `from <= x`, else the earliest.
    pub fn rate_at(&self, x: Instant) -> i64 {
        let i = self.versions.partition_point(|v| v.from <= x);
        let i = i.saturating_sub(1);
        self.versions.get(i).map_or(0, |v| v.amount)
    }
}

/// One stint of an assignment: active from local 00:00 of `start_on` until local 00:00 of
/// the day after `stop_on` (SPEC §2). `start`/`end` are those instants (`MIN`/`MAX` when open).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Stint {
    pub start_on: Option<NaiveDate>,
    pub stop_on: Option<NaiveDate>,
    pub start: Instant,
    pub end: Instant,
}

impl Stint {
    /// Whether the stint was cut to end before it starts (SPEC §2: an empty stint is no
    /// employment).
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }
    /// Whether the stint's active interval meets `[from, to)` (half-open). An empty stint
    /// meets nothing, not even an interval spanning its reversed dates (SPEC §2: no period
    /// intersects it).
    pub fn overlaps(&self, from: Instant, to: Instant) -> bool {
        !self.is_empty() && self.start < to && from < self.end
    }
    pub fn contains(&self, x: Instant) -> bool {
        self.start <= x && x < self.end
    }
    /// Whether the local date `d` lies within the stint's dates.
    pub fn contains_date(&self, d: NaiveDate) -> bool {
        self.start_on.is_none_or(|s| s <= d) && self.stop_on.is_none_or(|s| d <= s)
    }
}

/// An employee's assignment to a contract: one or more stints (re-hires), in date order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Assignment {
    pub contract: ContractIx,
    /// Inline for the usual single stint (one cache line fewer to miss per answer).
    pub stints: smallvec::SmallVec<[Stint; 1]>,
}

impl Assignment {
    pub fn active_at(&self, x: Instant) -> bool {
        self.stints.iter().any(|s| s.contains(x))
    }
    /// The earliest `contract_start_on` of a non-empty stint; `Some(None)` = without start.
    pub fn earliest_start(&self) -> Option<Option<NaiveDate>> {
        self.stints
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.start_on)
            .min()
    }
}

/// Patched profile fields of an employee (SPEC §2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Profile {
    pub work_email: Option<Box<str>>,
    pub personal_email: Option<Box<str>>,
    pub given_name: Option<Box<str>>,
    pub family_name: Option<Box<str>>,
    pub honorific: Option<Box<str>>,
    pub work_phone: Option<Box<str>>,
    pub personal_phone: Option<Box<str>>,
}

/// An employee with per-employee indexes, each sorted by time.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Employee {
    pub id: Box<str>,
    pub profile: Profile,
    pub custom_info: Map<String, Value>,
    /// Inline for the usual single assignment (one cache line fewer to miss per answer).
    pub assignments: smallvec::SmallVec<[Assignment; 1]>,
    /// Current shift records, sorted by (start, index).
    pub shifts: Vec<ShiftRec>,
    /// Addition indexes. This list and the three below are [`Few`]: inline while short,
    /// as most are, so that an answer reads them from the employee record.
    pub additions: Few<PaymentIx>,
    pub deductions: Few<PaymentIx>,
    /// Advance indexes in recording order.
    pub advances: Few<AdvanceIx>,
    /// Leave indexes (SPEC §2 leave), in creation order.
    pub leaves: Few<LeaveIx>,
}

/// A short list of indexes kept inside its owner up to four entries (the same 24 bytes as a
/// `Vec`, without the load of a separate allocation while it fits; a performance device).
pub(crate) type Few<T> = smallvec::SmallVec<[T; 4]>;

/// A half-open interval `[start, stop)` of a shift: an unpaid break (SPEC §5.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Span {
    pub start: Instant,
    pub stop: Instant,
}

/// The rare data of one shift version (SPEC §2 extensions): its unpaid breaks and tips.
/// Most shifts have neither, so this lives in side tables keyed by shift index, never in
/// [`ShiftRec`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct ShiftExt {
    /// `None`: the version has no `unpaid_breaks` field (a contract's automatic break may
    /// apply); else its breaks, sorted, disjoint, inside the shift (SPEC §5.6).
    pub breaks: Option<Box<[Span]>>,
    /// Tips in minor units (SPEC §5.7), `None` when not sent.
    pub tips: Option<i64>,
}

impl ShiftExt {
    /// Whether the version has neither field (then no side record is kept).
    pub fn is_empty(&self) -> bool {
        self.breaks.is_none() && self.tips.is_none()
    }

    /// The tips, 0 when none.
    pub fn tips(&self) -> i64 {
        self.tips.unwrap_or(0)
    }
}

/// One version of a shift (SPEC §2: every version kept for audit).
#[derive(Clone, Debug)]
pub(crate) struct ShiftVersion {
    pub status: ShiftStatus,
    pub employee: Option<EmployeeIx>,
    pub contract: Option<ContractIx>,
    pub start: Instant,
    pub stop: Instant,
    pub custom_info: Option<Box<Map<String, Value>>>,
    /// Unpaid breaks and tips, when the version has either (SPEC §2 extensions).
    pub ext: Option<Box<ShiftExt>>,
    pub received_at: Instant,
    pub job: u64,
}

impl PartialEq for ShiftVersion {
    /// Equal data; the job that carried a version is provenance, not data (so a batch split
    /// in two yields an equal twin, SPEC §3).
    fn eq(&self, o: &ShiftVersion) -> bool {
        self.status == o.status
            && self.employee == o.employee
            && self.contract == o.contract
            && self.start == o.start
            && self.stop == o.stop
            && self.custom_info == o.custom_info
            && self.ext == o.ext
            && self.received_at == o.received_at
    }
}

/// The current version of a shift as accrual reads it: 24 bytes, kept in its employee's
/// list sorted by (start, index) (issue #5: compact storage). The status shares a word with
/// the shift index; the rest of a version lives in the twin's shift store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ShiftRec {
    pub start: Instant,
    pub stop: Instant,
    pub contract: Option<ContractIx>,
    packed: u32,
}

// Issue #5: the record stays 24 bytes.
const _: () = assert!(std::mem::size_of::<ShiftRec>() <= 24);

/// Most records [`first_from`] steps back over from the end of a list before it searches.
const BACK_SCAN_MAX: usize = 48;

/// The index of the first record of a sorted list that starts at or after `from`.
///
/// Answers ask about recent time, so this steps back from the end of the list first: it reads
/// only the records the caller then scans forward (a few cache lines, in order, which the
/// hardware prefetches), where a binary search over a list not in cache costs one miss per
/// step. A list with more than [`BACK_SCAN_MAX`] records at or after `from` is searched.
pub(crate) fn first_from(list: &[ShiftRec], from: Instant) -> usize {
    let mut i = list.len();
    for _ in 0..BACK_SCAN_MAX {
        match i.checked_sub(1).and_then(|k| list.get(k)) {
            Some(r) if r.start >= from => i -= 1,
            _ => return i,
        }
    }
    list.get(..i)
        .map_or(i, |head| head.partition_point(|r| r.start < from))
}

impl ShiftRec {
    /// Largest shift index (29 bits; the status takes the other 3).
    pub const IX_MAX: u32 = (1 << 29) - 1;

    pub fn new(
        ix: u32,
        status: ShiftStatus,
        contract: Option<ContractIx>,
        start: Instant,
        stop: Instant,
    ) -> ShiftRec {
        debug_assert!(ix <= ShiftRec::IX_MAX);
        ShiftRec {
            start,
            stop,
            contract,
            packed: (ix & ShiftRec::IX_MAX) | ((status as u32) << 29),
        }
    }

    /// The shift's index in the twin.
    pub fn ix(&self) -> u32 {
        self.packed & ShiftRec::IX_MAX
    }

    /// Its `shift_status`.
    pub fn status(&self) -> ShiftStatus {
        ShiftStatus::ALL
            .get((self.packed >> 29) as usize)
            .copied()
            .unwrap_or(ShiftStatus::Available)
    }
}

/// An addition or a deduction (SPEC §2).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Payment {
    pub id: Box<str>,
    pub employee: Option<EmployeeIx>,
    pub contract: Option<ContractIx>,
    pub currency: Option<Currency>,
    pub amount: i64,
    pub effective_on: Option<NaiveDate>,
    /// Local 00:00 of `effective_on`, or the `received_at` of its first push.
    pub instant: Instant,
    pub custom_info: Option<Map<String, Value>>,
    /// `in_regular_rate` of an addition (SPEC §2, §5.2); always false on a deduction.
    pub in_regular_rate: bool,
}

/// How fast an advance is paid out; selects the fee (SPEC §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// The default, free in most policies (several US states require a no-cost option).
    #[default]
    Standard,
    /// Paid out at once, usually for a fee.
    Instant,
}

impl Delivery {
    /// The code: `standard` or `instant`.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Standard => "standard",
            Delivery::Instant => "instant",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Delivery> {
        match s {
            "standard" => Some(Delivery::Standard),
            "instant" => Some(Delivery::Instant),
            _ => None,
        }
    }
}

/// Salaried rate periods: `weekly`, `bi-weekly`, `semi-monthly`, `monthly`, `annually`
/// (SPEC §5.1).
pub(crate) fn is_salaried(f: Frequency) -> bool {
    matches!(
        f,
        Frequency::Weekly
            | Frequency::BiWeekly
            | Frequency::SemiMonthly
            | Frequency::Monthly
            | Frequency::Annually
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `first_from` is `partition_point(start < from)` on every sorted list, short or
        /// longer than the back scan.
        #[test]
        fn first_from_is_the_partition_point(
            mut starts in proptest::collection::vec(-50i64..50, 0..160),
            from in -60i64..60,
        ) {
            starts.sort_unstable();
            let list: Vec<ShiftRec> = starts
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let t = Instant::from_micros(*s);
                    ShiftRec::new(i as u32, ShiftStatus::Approved, None, t, t)
                })
                .collect();
            let from = Instant::from_micros(from);
            prop_assert_eq!(first_from(&list, from), list.partition_point(|r| r.start < from));
        }
    }
}
