//! Ingestion (SPEC §2, §3): records in Payd's field names → validated model values, with a
//! job report per batch. Each kind's rules live in its own file, as `impl Twin` blocks.

mod contracts;
mod employees;
mod fast;
pub(crate) mod fields;
mod payments;
pub mod report;
mod schedules;
mod shifts;

pub use report::{FieldError, JobReport, Kind, Outcome, RecordResult};
