//! The JSON entry points of ingestion (SPEC §3, §7): a batch as values or as bytes, checked
//! against the batch limits, planned and applied record by record. Shifts take their typed
//! loop (`batch.rs`).

use super::plan::{plan_batch, Applied, RecordError};
use super::report::{JobReport, Kind};
use crate::calendar::Instant;
use crate::error::{Error, Result};
use crate::model::State;
use serde_json::{Map, Value};
use std::borrow::Cow;

impl State {
    /// Applies a batch of `kind` records received at `received_at` (SPEC §3).
    ///
    /// Records are applied one by one in batch order, each atomically; the report has one
    /// result per record. Copies of one key in the batch collapse when identical and are all
    /// `conflict` when they differ. Shift records are read into [`crate::Shift`] and take the
    /// one loop that [`Twin::apply_records`] (typed records) and [`Twin::apply_json`] take.
    ///
    /// # Errors
    /// [`Error::BatchRefused`] when the batch has more than `batch_records_max` records or an
    /// element is not a JSON object; nothing is applied then.
    pub(crate) fn apply(
        &mut self,
        kind: Kind,
        records: &[Value],
        received_at: Instant,
    ) -> Result<JobReport> {
        self.apply_checked(kind, records, &[], received_at)
    }

    /// [`Twin::apply`], rejecting record `i` naming `duplicates[i]` when it is a key the
    /// record's text carried twice (issue #18; only raw JSON shows duplicates).
    fn apply_checked(
        &mut self,
        kind: Kind,
        records: &[Value],
        duplicates: &[Option<String>],
        received_at: Instant,
    ) -> Result<JobReport> {
        let max = self.company.limits.batch_records_max;
        if records.len() as u64 > max {
            return Err(Error::BatchRefused {
                reason: format!(
                    "{} records exceed the limit of {max} (batch_records_max)",
                    records.len()
                ),
            });
        }
        let mut objs = Vec::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            match r.as_object() {
                Some(o) => objs.push(o),
                None => {
                    return Err(Error::BatchRefused {
                        reason: format!("record {i} is not a JSON object"),
                    })
                }
            }
        }
        if kind == Kind::Shifts {
            // The typed loop of shifts (ingest/batch.rs), with the same rules.
            return Ok(self.apply_shift_values(records, received_at));
        }
        let keys: Vec<Option<String>> = objs.iter().map(|o| batch_key(kind, o)).collect();
        let refs: Vec<Option<&str>> = keys.iter().map(|k| k.as_deref()).collect();
        let plan = plan_batch(&refs, |i, j| objs.get(i) == objs.get(j));
        let ids: Vec<Option<Cow<'_, str>>> = objs
            .iter()
            .map(|o| {
                o.get(kind.id_field())
                    .and_then(Value::as_str)
                    .map(Cow::Borrowed)
            })
            .collect();
        Ok(self.run_batch(kind, ids, &plan, |twin, i, _key, _job| {
            match (objs.get(i), duplicates.get(i)) {
                (_, Some(Some(field))) => Err(RecordError::rejected(vec![
                    crate::ingest::batch::duplicate_field(field.clone()),
                ])),
                (Some(obj), _) => twin.apply_one(kind, obj, received_at),
                (None, _) => Err(RecordError::field("record", "index out of date")),
            }
        }))
    }

    /// Parses `bytes` as a JSON array of objects and applies it (SPEC §3, §7).
    ///
    /// # Errors
    /// [`Error::BatchRefused`] when the bytes exceed `batch_bytes_max`, are not JSON, or are
    /// not an array of objects; nothing is applied then.
    pub(crate) fn apply_json(
        &mut self,
        kind: Kind,
        bytes: &[u8],
        received_at: Instant,
    ) -> Result<JobReport> {
        let max = self.company.limits.batch_bytes_max;
        if bytes.len() as u64 > max {
            return Err(Error::BatchRefused {
                reason: format!(
                    "{} bytes exceed the limit of {max} (batch_bytes_max)",
                    bytes.len()
                ),
            });
        }
        self.apply_json_unbounded(kind, bytes, received_at)
    }

    /// [`State::apply_json`] without the size check (a journaled batch, replayed).
    pub(crate) fn apply_json_unbounded(
        &mut self,
        kind: Kind,
        bytes: &[u8],
        received_at: Instant,
    ) -> Result<JobReport> {
        // A UTF-8 byte order mark, as spreadsheet tools write it, is not part of the JSON
        // (RFC 8259 §8.1 lets a parser ignore it; CSV input skips it too).
        let bytes = strip_bom(bytes);
        if kind == Kind::Shifts {
            if let Some(report) = self.apply_shift_bytes(bytes, received_at) {
                return Ok(report);
            }
        }
        let v: Value = serde_json::from_slice(bytes).map_err(|e| Error::BatchRefused {
            reason: format!("not JSON: {e}"),
        })?;
        match v {
            Value::Array(records) => {
                let duplicates = std::str::from_utf8(bytes)
                    .map(|text| crate::ingest::batch::duplicate_keys(text, records.len()))
                    .unwrap_or_default();
                self.apply_checked(kind, &records, &duplicates, received_at)
            }
            _ => Err(Error::BatchRefused {
                reason: "not a JSON array of objects".into(),
            }),
        }
    }

    fn apply_one(&mut self, kind: Kind, obj: &Map<String, Value>, received_at: Instant) -> Applied {
        match kind {
            Kind::PaySchedules => self.apply_schedule(obj),
            Kind::Contracts => self.apply_contract(obj, received_at),
            Kind::Employees => self.apply_employee(obj),
            Kind::Leaves => self.apply_leave(obj),
            // `apply` sends shifts to their typed loop.
            Kind::Shifts => Err(RecordError::field("record", "shifts have their own loop")),
            Kind::Additions => self.apply_payment(false, obj, received_at),
            Kind::Deductions => self.apply_payment(true, obj, received_at),
        }
    }
}

/// The in-batch key (SPEC §3): the entity id, except contracts (`contract_id`,
/// `effective_from`) and employees (`employee_id`, `contract_id`).
fn batch_key(kind: Kind, obj: &Map<String, Value>) -> Option<String> {
    let id = obj.get(kind.id_field())?.as_str()?;
    let second = match kind {
        Kind::Contracts => Some("effective_from"),
        Kind::Employees => Some("contract_id"),
        _ => None,
    };
    Some(match second.and_then(|f| obj.get(f)) {
        Some(v) => format!("{id}\u{1f}{v}"),
        None => id.to_string(),
    })
}

/// `bytes` without a leading UTF-8 byte order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}
