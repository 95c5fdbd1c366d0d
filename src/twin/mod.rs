//! The digital twin: one company's workforce data with per-employee indexes, and
//! `apply(kind, records, received_at) -> JobReport` (SPEC §3).
//!
//! Layout for scale: entities live in `Vec`s addressed by interned `u32` indexes; each
//! employee keeps its shifts sorted by start and its payments and advances, so every
//! per-employee question touches only that employee's data.

mod cache;
pub(crate) mod hash;
mod history;
mod index;
pub(crate) mod invariants;
mod leaves;
pub(crate) mod shifts;
mod snapshot;

pub(crate) use cache::LocalClock;
pub use history::{BreakView, ShiftVersionView};
pub(crate) use index::Index;
#[cfg(test)]
pub(crate) use snapshot::{checksum as snapshot_checksum, same_shift_jobs};
pub(crate) use snapshot::{frame_checksum, read as read_snapshot, FrameSource};

use crate::calendar::Instant;
use crate::company::Company;
use crate::error::{Error, Result};
use crate::ingest::report::{FieldError, JobReport, Kind, Outcome, RecordResult};
use crate::model::{Advance, Contract, Employee, Leave, Payment, Schedule, ShiftRec};
use crate::money::Currency;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Why one record was not applied: its errors, and the conflicting key for a conflict.
#[derive(Debug, Default)]
pub(crate) struct RecordError {
    pub errors: Vec<FieldError>,
    pub conflict: bool,
    pub conflicts_with: Option<String>,
}

impl RecordError {
    pub fn rejected(errors: Vec<FieldError>) -> RecordError {
        RecordError {
            errors,
            ..RecordError::default()
        }
    }
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> RecordError {
        RecordError::rejected(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

/// What applying one record returns.
pub(crate) type Applied = std::result::Result<Outcome, RecordError>;

/// Next dense index for a vector of entities (bounded by `u32`).
pub(crate) fn next_index<T>(v: &[T]) -> std::result::Result<u32, RecordError> {
    u32::try_from(v.len())
        .ok()
        .filter(|n| *n < crate::model::NONE)
        .ok_or_else(|| {
            RecordError::field(
                "record",
                "the twin holds the maximum number of entities of this kind",
            )
        })
}

/// One company's digital twin (SPEC §2). Pure: every instant comes in as an argument.
#[derive(Clone, Debug)]
pub struct Twin {
    pub(crate) company: Company,
    pub(crate) schedules: Vec<Schedule>,
    pub(crate) schedule_ix: Index,
    pub(crate) contracts: Vec<Contract>,
    pub(crate) contract_ix: Index,
    pub(crate) employees: Vec<Employee>,
    pub(crate) employee_ix: Index,
    /// Ids, employees, jobs and history of every shift (current records live with employees).
    pub(crate) shifts: shifts::ShiftStore,
    /// Current records of shifts without an employee, sorted by (start, index).
    pub(crate) open_shifts: Vec<ShiftRec>,
    pub(crate) additions: Vec<Payment>,
    pub(crate) addition_ix: Index,
    pub(crate) deductions: Vec<Payment>,
    pub(crate) deduction_ix: Index,
    pub(crate) advances: Vec<Advance>,
    pub(crate) advance_ix: Index,
    /// Leaves (SPEC §2 leave), each in its employee's `leaves` list.
    pub(crate) leaves: Vec<Leave>,
    pub(crate) leave_ix: Index,
    pub(crate) jobs: u64,
    pub(crate) cache: cache::Cache,
}

impl PartialEq for Twin {
    /// Two twins are equal when they hold the same data; the job counter is not data.
    fn eq(&self, o: &Twin) -> bool {
        self.company == o.company
            && self.schedules == o.schedules
            && self.contracts == o.contracts
            && self.employees == o.employees
            && self.shifts == o.shifts
            && self.open_shifts == o.open_shifts
            && self.additions == o.additions
            && self.deductions == o.deductions
            && self.advances == o.advances
            && self.leaves == o.leaves
    }
}

/// `bytes` without a leading UTF-8 byte order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

impl Twin {
    /// An empty twin of `company`.
    pub fn new(company: Company) -> Twin {
        Twin {
            company,
            schedules: Vec::new(),
            schedule_ix: Index::default(),
            contracts: Vec::new(),
            contract_ix: Index::default(),
            employees: Vec::new(),
            employee_ix: Index::default(),
            shifts: shifts::ShiftStore::default(),
            open_shifts: Vec::new(),
            additions: Vec::new(),
            addition_ix: Index::default(),
            deductions: Vec::new(),
            deduction_ix: Index::default(),
            advances: Vec::new(),
            advance_ix: Index::default(),
            leaves: Vec::new(),
            leave_ix: Index::default(),
            jobs: 0,
            cache: cache::Cache::default(),
        }
    }

    /// The company this twin holds.
    pub fn company(&self) -> &Company {
        &self.company
    }

    /// How many employees, shifts, ... the twin holds.
    pub fn counts(&self) -> TwinCounts {
        TwinCounts {
            pay_schedules: self.schedules.len(),
            contracts: self.contracts.len(),
            employees: self.employees.len(),
            shifts: self.shifts.len(),
            additions: self.additions.len(),
            deductions: self.deductions.len(),
            advances: self.advances.len(),
        }
    }

    /// Every employee id, sorted.
    pub fn employee_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.employees.iter().map(|e| &*e.id).collect();
        ids.sort_unstable();
        ids
    }

    /// Bytes the twin spends on shifts (an accounting of its own structures, not RSS): the
    /// 24-byte current records in every list (by capacity), ids, the id index and the
    /// per-shift side data. Used by the bench (issue #5: ≤ 64 bytes per shift).
    pub fn shift_storage_bytes(&self) -> usize {
        let rec = std::mem::size_of::<ShiftRec>();
        let lists: usize = self
            .employees
            .iter()
            .map(|e| e.shifts.capacity() * rec)
            .sum::<usize>()
            + self.open_shifts.capacity() * rec;
        lists + self.shifts.heap_bytes()
    }

    /// Bytes the twin's derived caches hold now (an accounting, not RSS): the employee
    /// order, the local clock's tables and the overtime classification of every employee
    /// asked about so far. They are filled by queries and dropped by ingestion.
    pub fn cache_bytes(&self) -> usize {
        self.cache.bytes()
    }

    /// The number of jobs applied so far (the last `job_id`'s sequence number).
    pub fn job_count(&self) -> u64 {
        self.jobs
    }

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
    pub fn apply(
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
    pub fn apply_json(
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

    /// [`Twin::apply_json`] without the size check: the store replays a journaled batch
    /// with it (its size was checked when it was accepted; a batch journaled by
    /// [`Store::apply`](crate::Store::apply) is its records re-serialized, which may be
    /// longer than what was received).
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

    /// The currency of an employee: that of its assignments' contracts (all share one).
    pub(crate) fn employee_currency(&self, e: &Employee) -> Option<Currency> {
        e.assignments
            .first()
            .and_then(|a| self.contracts.get(a.contract as usize))
            .map(|c| c.currency)
    }

    pub(crate) fn employee(&self, id: &str) -> Option<(u32, &Employee)> {
        let ix = self.employee_ix.get(id)?;
        self.employees.get(ix as usize).map(|e| (ix, e))
    }
}

/// Entity counts of a twin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TwinCounts {
    /// Pay schedules.
    pub pay_schedules: usize,
    /// Contracts.
    pub contracts: usize,
    /// Employees.
    pub employees: usize,
    /// Shifts (each counted once, whatever its versions).
    pub shifts: usize,
    /// Additions.
    pub additions: usize,
    /// Deductions.
    pub deductions: usize,
    /// Advances recorded (accepted and refused).
    pub advances: usize,
}

/// The result of one applied record.
pub(crate) fn record_result(index: usize, key: Option<String>, r: Applied) -> RecordResult {
    match r {
        Ok(outcome) => RecordResult {
            index,
            key,
            outcome,
            errors: Vec::new(),
            conflicts_with: None,
        },
        Err(e) => RecordResult {
            index,
            key,
            outcome: if e.conflict {
                Outcome::Conflict
            } else {
                Outcome::Rejected
            },
            errors: e.errors,
            conflicts_with: e.conflicts_with,
        },
    }
}

/// The result of a record with differing copies in its batch (SPEC §3).
pub(crate) fn conflict_result(kind: Kind, index: usize, key: Option<String>) -> RecordResult {
    let message = format!(
        "the batch holds differing copies of `{}`; none is applied (batch order is not trusted)",
        key.as_deref().unwrap_or("?")
    );
    RecordResult {
        index,
        key,
        outcome: Outcome::Conflict,
        errors: vec![FieldError {
            field: kind.id_field().to_string(),
            message,
        }],
        conflicts_with: None,
    }
}

/// What to do with one record of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    Apply,
    CopyOf(usize),
    Conflict,
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

/// Decides, before anything is applied, which records collapse and which conflict, from
/// each record's in-batch key and whether two records are identical.
pub(crate) fn plan_batch(keys: &[Option<&str>], same: impl Fn(usize, usize) -> bool) -> Vec<Plan> {
    let hashes: Vec<u64> = keys.iter().map(|k| k.map_or(0, shifts::hash_id)).collect();
    plan_hashed(keys, &hashes, same)
}

/// [`plan_batch`] with each key's [`shifts::hash_id`] given (any value for a record
/// without a key). An open-addressing table of first occurrences: a copy of key `k` is
/// `CopyOf(first)`, and every copy of a key with a differing copy is `Conflict` (SPEC §3).
pub(crate) fn plan_hashed(
    keys: &[Option<&str>],
    hashes: &[u64],
    same: impl Fn(usize, usize) -> bool,
) -> Vec<Plan> {
    const FREE: usize = usize::MAX;
    let n = keys.len();
    let mut cap = 16usize;
    while cap < n.saturating_mul(2) {
        cap = cap.saturating_mul(2);
    }
    let mask = cap - 1;
    let mut first = vec![FREE; cap];
    let mut plan = vec![Plan::Apply; n];
    // By first occurrence: whether the key has a differing copy.
    let mut conflicted = vec![false; n];
    let mut any_conflict = false;
    for (i, (key, &h)) in keys.iter().zip(hashes).enumerate() {
        let Some(key) = *key else {
            continue;
        };
        let mut slot = (h as usize) & mask;
        while let Some(f) = first.get_mut(slot) {
            if *f == FREE {
                *f = i;
                break;
            }
            let j = *f;
            if hashes.get(j) == Some(&h) && keys.get(j).copied().flatten() == Some(key) {
                if let Some(p) = plan.get_mut(i) {
                    *p = Plan::CopyOf(j);
                }
                if !same(j, i) {
                    if let Some(c) = conflicted.get_mut(j) {
                        *c = true;
                    }
                    any_conflict = true;
                }
                break;
            }
            slot = (slot + 1) & mask;
        }
    }
    // A key with any differing copy: every copy is a conflict.
    if any_conflict {
        for (i, (p, key)) in plan.iter_mut().zip(keys).enumerate() {
            let head = match *p {
                Plan::CopyOf(j) => j,
                _ => i,
            };
            if key.is_some() && conflicted.get(head).copied().unwrap_or(false) {
                *p = Plan::Conflict;
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twin_and_error_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Twin>();
        check::<Error>();
    }
}
