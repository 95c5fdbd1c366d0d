//! The one batch loop of shift records (SPEC §3), fed three ways: typed records
//! ([`Twin::apply_records`]), `serde_json::Value`s ([`Twin::apply`]) and raw bytes
//! ([`Twin::apply_json`], split into element texts by [`super::split`]). Each way only reads
//! its records into [`Lenient`] shift records; validation ([`Shift::validate`]), the
//! in-batch plan and the application are the same code.
//!
//! 1. In parallel, each record is read, validated, its id hashed and looked up in the shift
//!    index. Nothing of the twin that a shift batch changes is read except that index, and a
//!    batch applies each key at most once (copies collapse or conflict), so each lookup is
//!    what it would be when the record is applied.
//! 2. In batch order, the in-batch plan, then each record applied.
//! 3. In parallel, the per-record results.

use super::record::Memo;
use super::report::{FieldError, JobReport, Kind, Outcome, RecordResult};
use super::shifts::{Lenient, ParsedShift, Shift};
use super::split::split_objects;
use crate::calendar::Instant;
use crate::error::{Error, Result};
use crate::model::NONE;
use crate::twin::shifts::hash_id;
use crate::twin::{conflict_result, plan_hashed, record_result, Applied, Plan, RecordError, Twin};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;

/// Records per parallel task (below this, splitting costs more than it saves).
const MIN_CHUNK: usize = 256;

/// One record after step 1: its key (the id, when it was a string) and hash, and the
/// validated shift with its index lookup as the twin was before the batch, or its errors.
pub(crate) struct Pre<'a> {
    key: Option<Cow<'a, str>>,
    hash: u64,
    existing: Option<u32>,
    parsed: std::result::Result<ParsedShift, Vec<FieldError>>,
}

/// What became of one record, before its result is written out.
enum Done<'a> {
    Applied(Option<Cow<'a, str>>, Applied),
    Conflict(Option<Cow<'a, str>>),
    /// A copy of an earlier record: its result is the first copy's.
    Copy,
}

/// The refusal of a batch of `n` records over `batch_records_max` (SPEC §7).
fn too_many(n: usize, max: u64) -> Option<Error> {
    (n as u64 > max).then(|| Error::BatchRefused {
        reason: format!("{n} records exceed the limit of {max} (batch_records_max)"),
    })
}

impl Twin {
    /// Step 1 for one record read as `lenient`.
    fn pre_shift<'a>(&self, lenient: Lenient<'a>, memo: &mut Memo) -> Pre<'a> {
        let Lenient(mut rec, read) = lenient;
        let parsed = rec.validate(&read, self, memo);
        let key = (!read.has("shift_id")).then(|| std::mem::take(&mut rec.shift_id));
        let hash = key.as_deref().map_or(0, hash_id);
        let existing = match (&parsed, key.as_deref()) {
            (Ok(_), Some(id)) => self.shifts.get_hashed(id, hash),
            _ => None,
        };
        Pre {
            key,
            hash,
            existing,
            parsed,
        }
    }

    /// A batch of typed shift records (the [`Twin::apply_records`] of [`Shift`]).
    pub(crate) fn apply_shift_records(
        &mut self,
        records: &[Shift<'_>],
        received_at: Instant,
    ) -> Result<JobReport> {
        if let Some(e) = too_many(records.len(), self.company.limits.batch_records_max) {
            return Err(e);
        }
        let twin: &Twin = self;
        let pre: Vec<Pre<'_>> = records
            .par_iter()
            .with_min_len(MIN_CHUNK)
            .map_init(Memo::default, |memo, r| {
                twin.pre_shift(Lenient::typed(r.borrowed()), memo)
            })
            .collect();
        Ok(self.run_shifts(pre, |i, j| records.get(i) == records.get(j), received_at))
    }

    /// A batch of shift records as JSON values, each an object (the caller checked the
    /// count and the objects). Copies compare as JSON values (SPEC §3).
    pub(crate) fn apply_shift_values(
        &mut self,
        records: &[Value],
        received_at: Instant,
    ) -> JobReport {
        let twin: &Twin = self;
        let pre: Vec<Pre<'_>> = records
            .par_iter()
            .with_min_len(MIN_CHUNK)
            .map_init(Memo::default, |memo, v| match Lenient::deserialize(v) {
                Ok(l) => twin.pre_shift(l, memo),
                Err(e) => unreadable(&e.to_string()),
            })
            .collect();
        self.run_shifts(pre, |i, j| records.get(i) == records.get(j), received_at)
    }

    /// A batch of shift records as the bytes of a JSON array; `None` when the bytes are not
    /// an array of objects each readable on its own, or hold too many records (the caller
    /// then parses them whole, which words the refusal, or applies the values).
    pub(crate) fn apply_shift_bytes(
        &mut self,
        bytes: &[u8],
        received_at: Instant,
    ) -> Option<JobReport> {
        // JSON text is UTF-8 (serde_json rejects anything else), so checking it once for the
        // whole batch lets every element be read as `str`.
        let text = std::str::from_utf8(bytes).ok()?;
        let elements = split_objects(text)?;
        too_many(elements.len(), self.company.limits.batch_records_max)
            .is_none()
            .then_some(())?;
        let twin: &Twin = self;
        // Collected in place (an indexed collect), then checked: every element must read.
        let pre: Vec<Option<Pre<'_>>> = elements
            .par_iter()
            .with_min_len(MIN_CHUNK)
            .map_init(Memo::default, |memo, raw| {
                let lenient = serde_json::from_str::<Lenient<'_>>(raw).ok()?;
                Some(twin.pre_shift(lenient, memo))
            })
            .collect();
        let pre: Vec<Pre<'_>> = pre.into_iter().collect::<Option<_>>()?;
        // Copies share a key, and are rare: each is parsed again as a JSON value to compare.
        let value = |k: usize| {
            elements
                .get(k)
                .and_then(|raw| serde_json::from_str::<Value>(raw).ok())
        };
        Some(self.run_shifts(pre, |i, j| value(i) == value(j), received_at))
    }

    /// Steps 2 and 3: the one loop. `same(i, j)`: whether records `i` and `j` are identical
    /// (SPEC §3).
    fn run_shifts(
        &mut self,
        mut pre: Vec<Pre<'_>>,
        same: impl Fn(usize, usize) -> bool,
        received_at: Instant,
    ) -> JobReport {
        let plan = {
            let keys: Vec<Option<&str>> = pre.iter().map(|p| p.key.as_deref()).collect();
            let hashes: Vec<u64> = pre.iter().map(|p| p.hash).collect();
            plan_hashed(&keys, &hashes, same)
        };
        self.jobs += 1;
        let job = self.jobs;
        let new_shifts = pre
            .iter()
            .filter(|p| p.parsed.is_ok() && p.existing.is_none())
            .count();
        self.shifts.reserve(new_shifts);
        let mut done: Vec<Done<'_>> = Vec::with_capacity(pre.len());
        let mut pending: Vec<(u32, u64)> = Vec::with_capacity(new_shifts);
        let mut reserved_for = NONE;
        for i in 0..pre.len() {
            let step = plan.get(i).copied().unwrap_or(Plan::Apply);
            if step == Plan::Apply {
                self.reserve_run(&pre, i, &mut reserved_for);
            }
            let Some(p) = pre.get_mut(i) else {
                break;
            };
            done.push(match step {
                Plan::Conflict => Done::Conflict(p.key.take()),
                Plan::CopyOf(_) => Done::Copy,
                Plan::Apply => {
                    let parsed = std::mem::replace(&mut p.parsed, Err(Vec::new()));
                    let r = match (parsed, p.key.as_deref()) {
                        (Ok(f), Some(id)) => self.apply_shift_known(
                            id,
                            f,
                            received_at,
                            job,
                            (p.hash, p.existing),
                            Some(&mut pending),
                        ),
                        (Err(errors), _) => Err(RecordError::rejected(errors)),
                        (Ok(_), None) => Err(RecordError::field("shift_id", "is required")),
                    };
                    Done::Applied(p.key.take(), r)
                }
            });
        }
        self.shifts.index_pending(&mut pending);
        drop(pre);
        let results = results(done, &plan);
        self.invalidate(Kind::Shifts);
        JobReport::new(format!("job-{job}"), Kind::Shifts, results)
    }

    /// Before applying record `i`: when it starts a run of records of one employee, makes
    /// room in that employee's list for the run's new shifts at once (at least an eighth
    /// more, as the list grows anyway, so runs of one or two do not reallocate each time).
    fn reserve_run(&mut self, pre: &[Pre<'_>], i: usize, reserved_for: &mut u32) {
        let new_of = |p: &Pre<'_>| match &p.parsed {
            Ok(f) if p.existing.is_none() => Some(f.employee),
            _ => None,
        };
        let Some(employee) = pre.get(i).and_then(new_of) else {
            return;
        };
        if employee == *reserved_for || employee == NONE {
            return;
        }
        *reserved_for = employee;
        let run = pre
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|p| p.parsed.as_ref().map_or(true, |f| f.employee == employee))
            .filter(|p| new_of(p).is_some())
            .count();
        if let Some(list) = self
            .employees
            .get_mut(employee as usize)
            .map(|e| &mut e.shifts)
        {
            if list.capacity() - list.len() < run {
                list.reserve_exact(run.max(list.len() / 8).max(4));
            }
        }
    }
}

/// A record no reader could read (not expected: every JSON object reads).
fn unreadable(why: &str) -> Pre<'static> {
    Pre {
        key: None,
        hash: 0,
        existing: None,
        parsed: Err(vec![FieldError {
            field: "record".into(),
            message: format!("unreadable record: {why}"),
        }]),
    }
}

/// Step 3: the per-record results, in parallel; a copy's is its first copy's.
fn results(done: Vec<Done<'_>>, plan: &[Plan]) -> Vec<RecordResult> {
    let mut results: Vec<RecordResult> = done
        .into_par_iter()
        .with_min_len(MIN_CHUNK)
        .enumerate()
        .map(|(i, d)| match d {
            Done::Applied(key, r) => record_result(i, key.map(Cow::into_owned), r),
            Done::Conflict(key) => conflict_result(Kind::Shifts, i, key.map(Cow::into_owned)),
            // Filled in below from the first copy's result.
            Done::Copy => RecordResult {
                index: i,
                key: None,
                outcome: Outcome::Unchanged,
                errors: Vec::new(),
                conflicts_with: None,
            },
        })
        .collect();
    for (i, step) in plan.iter().enumerate() {
        if let Plan::CopyOf(j) = *step {
            if let (Some(first), true) = (results.get(j).cloned(), j < i) {
                if let Some(r) = results.get_mut(i) {
                    *r = RecordResult { index: i, ..first };
                }
            }
        }
    }
    results
}
