//! # ewa — an earned-wage-access accrual engine
//!
//! `ewa` keeps a *digital twin* of one company's workforce data — pay schedules, wage
//! contracts, employees, shifts, additions, deductions and salary advances — computes accrued
//! earnings per pay period in integer minor currency units, and answers how much an employee
//! may draw now. The semantics are those of the product specification (`SPEC.md`); comments
//! cite its sections as `SPEC §n`.
//!
//! ```
//! use ewa::{calendar::Instant, Company, Delivery, Detail, Kind, Twin};
//! use serde_json::json;
//!
//! let t = |s: &str| ewa::calendar::parse_instant(chrono_tz::UTC, s).unwrap();
//! let mut twin = Twin::new(Company::new("acme", chrono_tz::UTC));
//! let received = t("2026-06-01T00:00:00Z");
//! twin.apply(Kind::PaySchedules, &[json!({
//!     "pay_schedule_id": "monthly", "frequency": "monthly", "alignment": "arrears",
//!     "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01T00:00:00Z",
//!                  "stop_at": "2026-07-01T00:00:00Z", "pay_at": "2026-07-03T00:00:00Z"}]})],
//!     received)?;
//! twin.apply(Kind::Contracts, &[json!({"contract_id": "c1", "pay_schedule_id": "monthly",
//!     "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 2000})], received)?;
//! twin.apply(Kind::Employees, &[json!({"employee_id": "e1", "contract_id": "c1"})], received)?;
//! let report = twin.apply(Kind::Shifts, &[json!({"shift_id": "s1", "shift_status": "approved",
//!     "employee_id": "e1", "start_at": "2026-06-02T09:00:00Z",
//!     "stop_at": "2026-06-02T17:00:00Z"})], received)?;
//! assert_eq!(report.count_accepted, 1);
//!
//! // 8 h × 20.00 = 160.00 earned; half of it may be drawn (access_rate 0.5).
//! let at = t("2026-06-10T00:00:00Z");
//! let answer = twin.eligibility("e1", at, Delivery::Standard, Detail::Explained)?;
//! assert_eq!(answer.accessible_base, 16_000);
//! assert_eq!(answer.available, 8_000);
//! assert!(answer.eligible);
//! # Ok::<(), ewa::Error>(())
//! ```
//!
//! Layout: [`money`] and [`calendar`] are the base; the twin ([`Twin`]) ingests records
//! ([`ingest`]) and answers accrual ([`accrual`]) and eligibility ([`eligibility`])
//! questions; [`scenario`] runs SPEC §8 documents; [`store`] persists twins in SQLite.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod accrual;
pub mod calendar;
pub mod company;
pub mod eligibility;
pub mod error;
pub mod generate;
pub mod ingest;
pub mod limits;
pub mod model;
pub mod money;
pub mod scenario;
pub mod store;
pub mod twin;

/// Guides from `docs/` and the README, included so that their examples are compiled and run
/// as doctests.
pub mod guide {
    #[doc = include_str!("../README.md")]
    pub mod readme {}
    #[doc = include_str!("../docs/pay-rules.md")]
    pub mod pay_rules {}
    #[doc = include_str!("../docs/ingestion.md")]
    pub mod ingestion {}
    #[doc = include_str!("../docs/reference.md")]
    pub mod reference {}
    #[doc = include_str!("../docs/decisions.md")]
    pub mod decisions {}
    #[doc = include_str!("../docs/design.md")]
    pub mod design {}
}

/// The `chrono` this crate is built with (timestamps, dates), so callers need no matching
/// version.
pub use chrono;
/// The `chrono-tz` this crate is built with (company time zones).
pub use chrono_tz;
/// The `rust_decimal` this crate is built with (rates and fractions).
pub use rust_decimal;

pub use accrual::{Accruals, Line, LineKind, PeriodAccrual};
pub use company::{Company, Fee, Fees, LeavePause, Policy, SalariedDayBasis};
pub use eligibility::{
    AdvanceDecision, AdvanceRecord, AdvanceRequest, CancelDecision, Detail, Eligibility, Limit,
    Quote, Reason, Reasons, Recovery, RecoveryPeriod,
};
pub use error::{Error, Result};
pub use ingest::{
    FieldError, JobReport, Kind, Outcome, Patch, Record, RecordResult, Shift, Timestamp,
    UnpaidBreak,
};
pub use limits::Limits;
pub use model::{Delivery, ShiftStatus};
pub use store::Store;
pub use twin::{BreakView, ShiftVersionView, Twin, TwinCounts};
