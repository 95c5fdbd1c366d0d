//! Ingestion (SPEC §2, §3): records in Payd's field names → validated model values, with a
//! job report per batch. Each kind's rules live in its own file, as `impl State` blocks.
//!
//! Shifts have one typed record ([`Shift`]), one validator and one batch loop
//! (`batch.rs`), which typed records, `serde_json::Value`s and raw bytes all feed.

mod ahead;
pub(crate) mod batch;
pub(crate) mod contracts;
mod dupkeys;
mod employees;
pub(crate) mod fields;
mod leaves;
mod payments;
mod plain;
pub(crate) mod plan;
pub(crate) mod premiums;
mod record;
pub mod report;
mod schedules;
mod shifts;
mod split;
mod values;

pub(crate) use contracts::{hourly_only, parse_holiday_pay_hours};
pub use record::{Patch, Record, Timestamp, UnpaidBreak};
pub use report::{FieldError, JobReport, Kind, Outcome, RecordResult};
pub use shifts::Shift;
pub(crate) use values::strip_bom;
