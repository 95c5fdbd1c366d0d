//! The one batch loop of every kind ([`Twin::run_batch`], SPEC §3), and the shift records'
//! way into it, fed three ways: typed records
//! ([`Twin::apply_records`]), `serde_json::Value`s ([`Twin::apply`]) and raw bytes
//! ([`Twin::apply_json`], split into element texts by [`super::split`], each read by
//! [`super::plain`] when plain, else by serde). Each way only reads its records into
//! [`Lenient`] shift records; validation ([`Shift::validate`]), the in-batch plan and the
//! application are the same code.
//!
//! 1. In parallel, each record is read, validated and its id hashed; then, in parallel too,
//!    the ids of the valid records are looked up in the shift index, a block of records at a
//!    time. Nothing of the twin that a shift batch changes is read except that index, and a
//!    batch applies each key at most once (copies collapse or conflict), so each lookup is
//!    what it would be when the record is applied.
//! 2. In batch order, the in-batch plan, then each record applied.
//! 3. In parallel, the per-record results.

use super::ahead::{employee_key_at, Ahead, WARM_BLOCK};
use super::dupkeys::duplicate_key;
use super::plain::read_plain;
use super::plan::{conflict_result, plan_hashed, record_result, Applied, Plan, RecordError};
use super::record::Memo;
use super::report::{FieldError, JobReport, Kind, Outcome, RecordResult};
use super::shifts::{Lenient, ParsedShift, Shift};
use super::split::split_objects;
use crate::calendar::Instant;
use crate::error::{Error, Result};
use crate::model::hash::hash_id;
use crate::model::EmployeeIx;
use crate::model::State;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

/// Records per parallel task (below this, splitting costs more than it saves).
const MIN_CHUNK: usize = 256;

/// Records whose ids are looked up together (their index slots read first, at once).
const LOOKUP_BLOCK: usize = 64;

/// One record after step 1: its key (the id, when it was a string) and hash, and the
/// validated shift with its index lookup as the twin was before the batch (`None` until
/// [`State::look_up_shifts`]), or its errors.
pub(crate) struct Pre<'a> {
    pub(super) key: Option<Cow<'a, str>>,
    hash: u64,
    pub(super) existing: Option<u32>,
    pub(super) parsed: std::result::Result<ParsedShift, Vec<FieldError>>,
}

// Each record's step-1 value is moved into the batch vector and read again in step 2: kept
// small (the rare parts of a shift are boxed in `ParsedShift`).
const _: () = assert!(std::mem::size_of::<Pre<'static>>() <= 120);

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

impl State {
    /// Step 1 for one record read as `lenient`.
    fn pre_shift<'a>(&self, lenient: Lenient<'a>, memo: &mut Memo) -> Pre<'a> {
        let Lenient(mut rec, read) = lenient;
        let parsed = rec.validate(&read, self, memo);
        let key = (!read.has("shift_id")).then(|| std::mem::take(&mut rec.shift_id));
        let hash = key.as_deref().map_or(0, hash_id);
        Pre {
            key,
            hash,
            existing: None,
            parsed,
        }
    }

    /// The end of step 1: each valid record's id looked up in the shift index. A block of
    /// records at a time: their home slots are read first, together, so that the loads
    /// overlap rather than each lookup waiting for its own cache miss in turn.
    fn look_up_shifts(&self, pre: &mut [Pre<'_>]) {
        let shifts = &self.shifts;
        pre.par_chunks_mut(LOOKUP_BLOCK)
            .with_min_len(MIN_CHUNK / LOOKUP_BLOCK)
            .for_each(|block| {
                shifts.warm(block.iter().map(|p| p.hash));
                for p in block {
                    if let (Ok(_), Some(id)) = (&p.parsed, p.key.as_deref()) {
                        p.existing = shifts.get_hashed(id, p.hash);
                    }
                }
            });
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
        let twin: &State = self;
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
        let twin: &State = self;
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
        if too_many(elements.len(), self.company.limits.batch_records_max).is_some() {
            // Parsed whole by the caller: refused as too many, or as not JSON when an
            // element is broken.
            return None;
        }
        let twin: &State = self;
        // Collected in place (an indexed collect); every element must read.
        let unread = AtomicBool::new(false);
        let pre: Vec<Pre<'_>> = elements
            .par_iter()
            .enumerate()
            .with_min_len(MIN_CHUNK)
            .map_init(
                || (Memo::default(), Ahead::default()),
                |(memo, ahead), (i, raw)| {
                    ahead.warm(twin, &elements, i, memo);
                    twin.pre_element(raw, memo).unwrap_or_else(|| {
                        unread.store(true, Ordering::Relaxed);
                        unreadable("")
                    })
                },
            )
            .collect();
        if unread.into_inner() {
            return None;
        }
        // Copies share a key, and are rare: each is parsed again as a JSON value to compare.
        let value = |k: usize| {
            elements
                .get(k)
                .and_then(|raw| serde_json::from_str::<Value>(raw).ok())
        };
        Some(self.run_shifts(pre, |i, j| value(i) == value(j), received_at))
    }

    /// Step 1 for the JSON text `raw` of one record; `None` when it does not read.
    fn pre_element<'a>(&self, raw: &'a str, memo: &mut Memo) -> Option<Pre<'a>> {
        // A field twice in the record itself was seen while reading it; only a record with
        // a nested object needs its text scanned (decision 69). A plain record has no field
        // twice, and no nested object but `custom_info` and the breaks.
        let (mut lenient, nested) = match read_plain(raw) {
            Some(l) => {
                let nested = l.0.custom_info.is_some()
                    || l.0.unpaid_breaks.as_set().is_some_and(|b| !b.is_empty());
                if memo.employee_at.is_none() {
                    memo.employee_at = employee_key_at(raw, l.0.employee_id.as_deref());
                }
                (l, nested)
            }
            None => {
                let l = serde_json::from_str::<Lenient<'_>>(raw).ok()?;
                (l, raw.get(1..).is_some_and(|inner| inner.contains('{')))
            }
        };
        let twice = lenient.1.twice.take();
        let mut pre = self.pre_shift(lenient, memo);
        if let Some(field) = if nested { duplicate_key(raw) } else { twice } {
            pre.parsed = Err(vec![duplicate_field(field)]);
        }
        Some(pre)
    }

    /// Steps 2 and 3 for shifts. `same(i, j)`: whether records `i` and `j` are identical
    /// (SPEC §3).
    fn run_shifts(
        &mut self,
        mut pre: Vec<Pre<'_>>,
        same: impl Fn(usize, usize) -> bool,
        received_at: Instant,
    ) -> JobReport {
        self.look_up_shifts(&mut pre);
        // One pass over the records: their keys (moved out), hashes and new shifts.
        let mut keys: Vec<Option<Cow<'_, str>>> = Vec::with_capacity(pre.len());
        let mut hashes: Vec<u64> = Vec::with_capacity(pre.len());
        let mut new_shifts = 0;
        for p in &mut pre {
            // A borrowed key stays in `pre` too, where `warm_lists` reads its text ahead.
            keys.push(match &p.key {
                Some(Cow::Borrowed(k)) => Some(Cow::Borrowed(*k)),
                _ => p.key.take(),
            });
            hashes.push(p.hash);
            new_shifts += usize::from(p.parsed.is_ok() && p.existing.is_none());
        }
        let plan = {
            let refs: Vec<Option<&str>> = keys.iter().map(Option::as_deref).collect();
            plan_hashed(&refs, &hashes, same)
        };
        self.shifts.reserve(new_shifts);
        let mut pending: Vec<(u32, u64)> = Vec::with_capacity(new_shifts);
        let mut reserved_for = None;
        let (job, done) = self.apply_in_order(keys, &plan, |twin, i, key, job| {
            if i % WARM_BLOCK == 0 {
                twin.warm_lists(pre.get(i..).unwrap_or_default());
            }
            twin.reserve_run(&pre, i, &mut reserved_for);
            let Some(p) = pre.get_mut(i) else {
                return Err(RecordError::field("record", "index out of date"));
            };
            match (std::mem::replace(&mut p.parsed, Err(Vec::new())), key) {
                (Ok(f), Some(id)) => twin.apply_shift_known(
                    id,
                    f,
                    (received_at, job),
                    (p.hash, p.existing),
                    &mut pending,
                ),
                (Err(errors), _) => Err(RecordError::rejected(errors)),
                (Ok(_), None) => Err(RecordError::field("shift_id", "is required")),
            }
        });
        // The new ids enter the index on one core while the results are written on the
        // other (neither reads what the other writes).
        let shifts = &mut self.shifts;
        let ((), report) = rayon::join(
            || {
                shifts.index_pending(&mut pending);
                drop(pre);
            },
            || report(Kind::Shifts, job, done, &plan),
        );
        report
    }

    /// The one batch loop of every kind (SPEC §3): one job; every record in batch order
    /// through `one(twin, index, key, job)`, except in-batch copies (the first copy's
    /// result) and conflicts ([`State::apply_in_order`]); then the per-record results (in
    /// parallel). `keys` are the records' result keys.
    pub(crate) fn run_batch<'k>(
        &mut self,
        kind: Kind,
        keys: Vec<Option<Cow<'k, str>>>,
        plan: &[Plan],
        one: impl FnMut(&mut State, usize, Option<&str>, u64) -> Applied,
    ) -> JobReport {
        let (job, done) = self.apply_in_order(keys, plan, one);
        report(kind, job, done, plan)
    }

    /// The loop of [`State::run_batch`]: a new job, and what became of each record.
    fn apply_in_order<'k>(
        &mut self,
        keys: Vec<Option<Cow<'k, str>>>,
        plan: &[Plan],
        mut one: impl FnMut(&mut State, usize, Option<&str>, u64) -> Applied,
    ) -> (u64, Vec<Done<'k>>) {
        self.jobs += 1;
        let job = self.jobs;
        let mut done: Vec<Done<'k>> = Vec::with_capacity(keys.len());
        for (i, key) in keys.into_iter().enumerate() {
            done.push(match plan.get(i).copied().unwrap_or(Plan::Apply) {
                Plan::Conflict => Done::Conflict(key),
                Plan::CopyOf(_) => Done::Copy,
                Plan::Apply => {
                    let r = one(self, i, key.as_deref(), job);
                    Done::Applied(key, r)
                }
            });
        }
        (job, done)
    }

    /// Before applying record `i`: when it starts a run of records of one employee, makes
    /// room in that employee's list for the run's new shifts at once (at least an eighth
    /// more, as the list grows anyway, so runs of one or two do not reallocate each time).
    fn reserve_run(&mut self, pre: &[Pre<'_>], i: usize, reserved_for: &mut Option<EmployeeIx>) {
        let new_of = |p: &Pre<'_>| match &p.parsed {
            Ok(f) if p.existing.is_none() => Some(f.employee),
            _ => None,
        };
        let Some(employee) = pre.get(i).and_then(new_of).flatten() else {
            return;
        };
        if Some(employee) == *reserved_for {
            return;
        }
        *reserved_for = Some(employee);
        let run = pre
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|p| {
                p.parsed
                    .as_ref()
                    .map_or(true, |f| f.employee == Some(employee))
            })
            .filter(|p| new_of(p).is_some())
            .count();
        if let Some(list) = self.employees.get_mut(employee).map(|e| &mut e.shifts) {
            if list.capacity() - list.len() < run {
                list.reserve_exact(run.max(list.len() / 8).max(4));
            }
        }
    }
}

/// For each element of the JSON array `text` holding `n` records, the path of a key it
/// carries twice (issue #18), found in parallel; all `None` when the array does not split
/// into `n` elements (only arrays nested deeper than the splitter follows).
pub(crate) fn duplicate_keys(text: &str, n: usize) -> Vec<Option<String>> {
    match split_objects(text) {
        Some(elements) if elements.len() == n => elements
            .par_iter()
            .with_min_len(MIN_CHUNK)
            .map(|raw| duplicate_key(raw))
            .collect(),
        _ => vec![None; n],
    }
}

/// The error of a record that carries `field` twice (issue #18; decisions.md).
pub(crate) fn duplicate_field(field: String) -> FieldError {
    FieldError {
        field,
        message: "appears twice in the record; send each field once".into(),
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

/// Step 3: the job report of job `job` from what became of each record.
fn report(kind: Kind, job: u64, done: Vec<Done<'_>>, plan: &[Plan]) -> JobReport {
    JobReport::new(format!("job-{job}"), kind, results(kind, done, plan))
}

/// The per-record results, in parallel; a copy's is its first copy's.
fn results(kind: Kind, done: Vec<Done<'_>>, plan: &[Plan]) -> Vec<RecordResult> {
    let mut results: Vec<RecordResult> = done
        .into_par_iter()
        .with_min_len(MIN_CHUNK)
        .enumerate()
        .map(|(i, d)| match d {
            Done::Applied(key, r) => record_result(i, key.map(Cow::into_owned), r),
            Done::Conflict(key) => conflict_result(kind, i, key.map(Cow::into_owned)),
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use crate::generate::{self, Options};
    use crate::ingest::Kind;
    use crate::twin::Twin;
    use serde_json::{json, Value};

    /// The bytes and the `Value`s give the same reports and the same twin.
    fn both(records: &[Value]) {
        let opts = Options {
            employees: 4,
            shifts_per_employee: 3,
            ..Options::default()
        };
        let base = generate::twin(&opts).unwrap();
        let at = opts.received_at();
        let bytes = serde_json::to_vec(records).unwrap();
        let mut fast = base.clone();
        let mut slow = base.clone();
        let a = fast.apply_json(Kind::Shifts, &bytes, at).unwrap();
        let b = slow.apply(Kind::Shifts, records, at).unwrap();
        assert_eq!(a, b);
        assert_eq!(fast, slow);
        assert!(
            fast.books.apply_shift_bytes(&bytes, at).is_some(),
            "the bytes were read element by element"
        );
    }

    /// The bytes parsed whole as one `Value`, then `Twin::apply`.
    fn value_path(twin: &mut Twin, bytes: &[u8], at: crate::calendar::Instant) -> String {
        let r = match serde_json::from_slice::<Value>(bytes) {
            Err(e) => Err(crate::Error::BatchRefused {
                reason: format!("not JSON: {e}"),
            }),
            Ok(Value::Array(records)) => twin.apply(Kind::Shifts, &records, at),
            Ok(_) => Err(crate::Error::BatchRefused {
                reason: "not a JSON array of objects".into(),
            }),
        };
        format!("{:?}", r.map(|r| serde_json::to_string(&r).unwrap()))
    }

    /// `apply_json` and the `Value` path on the same bytes: equal answers, equal twins;
    /// then the same bytes once more (every known shift now exists).
    fn same_as_value_path(bytes: &[u8]) {
        let opts = Options {
            employees: 4,
            shifts_per_employee: 3,
            ..Options::default()
        };
        let at = opts.received_at();
        let mut fast = generate::twin(&opts).unwrap();
        let mut slow = fast.clone();
        for round in 0..2 {
            let a = fast.apply_json(Kind::Shifts, bytes, at);
            let a = format!("{:?}", a.map(|r| serde_json::to_string(&r).unwrap()));
            let b = value_path(&mut slow, bytes, at);
            assert_eq!(
                a,
                b,
                "round {round}, bytes {}",
                String::from_utf8_lossy(bytes)
            );
            assert!(fast == slow, "round {round}: the twins differ");
            assert_eq!(fast.job_count(), slow.job_count());
        }
    }

    fn pick<T: Clone>(v: &[T], k: usize) -> T {
        v[k % v.len()].clone()
    }

    /// A shift record from choices among valid, invalid and unusual spellings.
    /// With `typed`, the six text fields are strings or `null`, so that more records read
    /// as typed [`Shift`](crate::Shift)s.
    fn record(c: &[usize; 8], typed: bool) -> Value {
        let ids = [
            json!("n1"),
            json!("n2"),
            json!("s0000001-001"),
            json!("s0000002-002"),
            json!(""),
            json!("n\u{e9}\"x"),
            json!(null),
            json!(7),
        ];
        let statuses = [
            json!("approved"),
            json!("submitted"),
            json!("voided"),
            json!("available"),
            json!("approvedd"),
            json!(null),
            json!(true),
        ];
        let employees = [
            json!("e0000001"),
            json!("e0000002"),
            json!("e0000003"),
            json!("nobody"),
            json!(null),
            json!(""),
        ];
        let contracts = [json!("h-weekly-1"), json!("nope"), json!(null)];
        let stamps = [
            json!("2026-06-03T08:00:00Z"),
            json!("2026-06-03T12:00:00Z"),
            json!("2026-06-03T10:30:00+02:00"),
            json!("2026-06-03T09:00:00"),
            json!("2026-06-04T07:00:00.5Z"),
            json!("2026-06-03"),
            json!("2026-06-03T25:00:00Z"),
            json!("2026-03-29T02:30:00"),
            json!(1),
            json!(null),
        ];
        let infos = [
            json!({"site": "a"}),
            json!({"a": [1, {"b": null}]}),
            json!(null),
            json!(3),
            json!("x"),
        ];
        let mut m = serde_json::Map::new();
        let mut put = |k: &str, choice: usize, v: Value| {
            let v = match v {
                Value::Number(_) | Value::Bool(_) if typed && k != "custom_info" => {
                    json!(format!("{v}"))
                }
                v => v,
            };
            // 0: absent; otherwise the value.
            if !choice.is_multiple_of(5) {
                m.insert(k.into(), v);
            }
        };
        put("shift_id", c[0] % 9 + 1, pick(&ids, c[0]));
        put("shift_status", c[1] % 11 + 1, pick(&statuses, c[1]));
        put("employee_id", c[2], pick(&employees, c[2] / 5));
        put("contract_id", c[3], pick(&contracts, c[3] / 5));
        put("start_at", c[4] % 13 + 1, pick(&stamps, c[4] % 4));
        put("stop_at", c[5] % 13 + 1, pick(&stamps, c[5]));
        put("custom_info", c[6], pick(&infos, c[6] / 5));
        if c[7].is_multiple_of(23) {
            m.insert("shift_note".into(), json!("unknown field"));
        }
        Value::Object(m)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Random batches (copies, conflicts, invalid fields, updates of known shifts) and
        /// their byte-mangled versions answer as bytes as they do as `Value`s, and their
        /// typed records as their JSON form.
        #[test]
        fn random_and_mangled_batches_answer_as_the_value_path(
            choices in proptest::collection::vec(proptest::array::uniform8(0usize..1000), 0..12),
            copies in proptest::collection::vec((0usize..12, 0usize..12), 0..4),
            pretty in proptest::bool::ANY,
            edits in proptest::collection::vec((0usize..10_000, 0u8..8, proptest::num::u8::ANY), 0..3),
            typed in proptest::bool::weighted(0.8),
        ) {
            let mut recs: Vec<Value> = choices.iter().map(|c| record(c, typed)).collect();
            for (from, to) in copies {
                if from < recs.len() {
                    let r = recs[from].clone();
                    recs.insert(to.min(recs.len()), r);
                }
            }
            let mut bytes = if pretty {
                serde_json::to_vec_pretty(&recs).unwrap()
            } else {
                serde_json::to_vec(&recs).unwrap()
            };
            same_as_value_path(&bytes);
            split_in_parallel_as_on_one_core(&bytes);
            typed_as_their_json(&recs);
            for (at, what, byte) in edits {
                if bytes.is_empty() {
                    break;
                }
                let at = at % bytes.len();
                let specials = [b'{', b'}', b'[', b']', b'"', b'\\', b',', b' '];
                match what {
                    0 => bytes.truncate(at),
                    1 => bytes.insert(at, byte),
                    2 => bytes.insert(at, specials[byte as usize % specials.len()]),
                    3 => { bytes.remove(at); }
                    _ => bytes[at] = specials[byte as usize % specials.len()],
                }
                same_as_value_path(&bytes);
                split_in_parallel_as_on_one_core(&bytes);
            }
        }
    }

    /// The records that read as typed [`Shift`](crate::Shift)s, pushed typed and as their
    /// JSON form: the same reports and twins.
    fn typed_as_their_json(records: &[Value]) {
        use serde::Deserialize;
        let shifts: Vec<crate::Shift<'_>> = records
            .iter()
            .filter_map(|v| crate::Shift::deserialize(v).ok())
            .collect();
        let values: Vec<Value> = shifts
            .iter()
            .map(|s| serde_json::to_value(s).unwrap())
            .collect();
        let opts = Options {
            employees: 4,
            shifts_per_employee: 3,
            ..Options::default()
        };
        let at = opts.received_at();
        let mut typed = generate::twin(&opts).unwrap();
        let mut by_value = typed.clone();
        for _ in 0..2 {
            let a = typed.apply_records(&shifts, at).unwrap();
            let b = by_value.apply(Kind::Shifts, &values, at).unwrap();
            assert_eq!(a, b);
            assert!(typed == by_value);
        }
    }

    /// The parallel split of any text (cut at every guessed element start) is the
    /// sequential one.
    fn split_in_parallel_as_on_one_core(bytes: &[u8]) {
        if let Ok(text) = std::str::from_utf8(bytes) {
            assert_eq!(
                crate::ingest::split::split_objects_from(text, 0),
                crate::ingest::split::split_objects_from(text, usize::MAX),
                "{text}"
            );
        }
    }

    /// A generated payroll through `apply_json` and through `Twin::apply`: the same reports
    /// and twins, and pushing every batch again finds every shift (`unchanged`).
    #[test]
    fn generated_batches_answer_as_the_value_path() {
        let opts = Options {
            employees: 400,
            shifts_per_employee: 12,
            ..Options::default()
        };
        let at = opts.received_at();
        let company = generate::company(&opts).unwrap();
        let mut fast = Twin::new(company.clone());
        let mut slow = Twin::new(company);
        let mut batches = Vec::new();
        generate::for_each_batch_sized(&opts, 1_000, |kind, records| {
            batches.push((kind, records));
            Ok(())
        })
        .unwrap();
        for round in 0..2 {
            for (kind, records) in &batches {
                let bytes = serde_json::to_vec(records).unwrap();
                let a = fast.apply_json(*kind, &bytes, at).unwrap();
                let b = slow.apply(*kind, records, at).unwrap();
                assert_eq!(a, b);
                if round == 1 && *kind == Kind::Shifts {
                    assert_eq!(a.count(crate::Outcome::Unchanged), records.len());
                }
            }
            assert!(fast == slow);
        }
    }

    #[test]
    fn odd_arrays_answer_as_the_value_path() {
        for text in [
            "[{}, {\"a\": \"x,{\"}, {}, {\"b\": [1,{}]}, {}]",
            "[{},{},{},{},{},{},{},{}]",
            "[{\"a\":\"},{\"},{\"b\":\",{\"},{}, {}]",
            "[{},{},{},{},{},{},{},{}] ,",
            "[{},{},{},{},{},{},{},{}",
        ] {
            split_in_parallel_as_on_one_core(text.as_bytes());
            same_as_value_path(text.as_bytes());
        }
        for b in [
            &b"[]"[..],
            b" [ ] ",
            b"[[]]",
            b"[[\"n1\", \"approved\"]]",
            b"[{}]",
            b"[{},]",
            b"[{}] x",
            b"[{\"shift_id\": \"a}\\\"]{\"}]",
            b"{}",
            b"",
            b"[{\"shift_id\": \"n1\"}, 3]",
            b"[{\"shift_id\": \"\xff\"}]",
        ] {
            same_as_value_path(b);
        }
        // The one intended difference: only raw bytes show a key carried twice, and the
        // record is then rejected naming it (issue #18), its key being the last copy's.
        let mut twin = generate::twin(&Options::default()).unwrap();
        let dup = b"[{\"shift_id\": \"n1\", \"shift_id\": \"n2\"}]";
        let r = twin.apply_json(Kind::Shifts, dup, Options::default().received_at());
        let r = r.unwrap();
        assert_eq!(r.results[0].key.as_deref(), Some("n2"));
        assert_eq!(r.results[0].errors[0].field, "shift_id");
        // The splitter insists on objects.
        assert!(crate::ingest::split::split_objects("[[]]").is_none());
        let deep = format!(
            "[{{\"shift_id\": \"n1\", \"custom_info\": {}{}}}]",
            "{\"a\":".repeat(130),
            "}".repeat(130)
        );
        same_as_value_path(deep.as_bytes());
        let deep = format!(
            "[{{\"shift_id\": \"n1\", \"custom_info\": {}1{}}}]",
            "[".repeat(126),
            "]".repeat(126)
        );
        same_as_value_path(deep.as_bytes());
    }

    /// The in-batch plan with a hash table equals the first-occurrence map it replaced, hash
    /// collisions included.
    #[test]
    fn plan_hashed_equals_a_naive_plan() {
        use crate::ingest::plan::{plan_hashed, Plan};
        let naive = |keys: &[Option<&str>], same: &dyn Fn(usize, usize) -> bool| {
            let mut plan = vec![Plan::Apply; keys.len()];
            let mut bad = std::collections::HashSet::new();
            for i in 0..keys.len() {
                if let Some(k) = keys[i] {
                    if let Some(j) = (0..i).find(|&j| keys[j] == Some(k)) {
                        plan[i] = Plan::CopyOf(j);
                        if !same(j, i) {
                            bad.insert(k);
                        }
                    }
                }
            }
            for i in 0..keys.len() {
                if keys[i].is_some_and(|k| bad.contains(k)) {
                    plan[i] = Plan::Conflict;
                }
            }
            plan
        };
        let pool = ["a", "b", "c", "d", "e"];
        for seed in 0..400u64 {
            let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let mut next = || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            let n = (next() % 40) as usize;
            let keys: Vec<Option<&str>> = (0..n)
                .map(|_| {
                    let r = next() as usize;
                    (!r.is_multiple_of(7)).then(|| pool[r % pool.len()])
                })
                .collect();
            let vals: Vec<u64> = (0..n).map(|_| next() % 3).collect();
            let same = |i: usize, j: usize| vals[i] == vals[j] || vals[i] > 0 && vals[j] > 0;
            let real: Vec<u64> = keys
                .iter()
                .map(|k| k.map_or(0, crate::model::hash::hash_id))
                .collect();
            let colliding = vec![seed; n];
            assert_eq!(plan_hashed(&keys, &real, same), naive(&keys, &same));
            assert_eq!(plan_hashed(&keys, &colliding, same), naive(&keys, &same));
        }
    }

    #[test]
    fn bytes_answer_as_the_value_path() {
        let ok = |id: &str, s: &str, e: &str| json!({"shift_id": id, "shift_status": s, "employee_id": "e0000001", "start_at": format!("2026-06-0{e}T08:00:00Z"), "stop_at": format!("2026-06-0{e}T12:00:00Z")});
        let mut recs = vec![
            ok("n1", "approved", "3"),
            ok("n1", "approved", "3"),
            ok("n2", "approved", "3"),
            ok("n3", "approvedd", "4"),
            ok("n4", "submitted", "4"),
            ok("n4", "approved", "4"),
            json!({"shift_id": "n5", "shift_status": "available", "start_at": "2026-06-05T08:00:00", "stop_at": "2026-06-05T09:00:00", "custom_info": {"a": 1}}),
            json!({"shift_id": "n6", "shift_status": "approved", "employee_id": "nobody", "start_at": "2026-06-05T08:00:00Z", "stop_at": "2026-06-05T07:00:00Z"}),
            json!({"shift_id": "", "shift_status": "approved", "employee_id": null, "contract_id": null, "start_at": "x", "stop_at": "2026-06-05T07:00:00Z", "custom_info": 3}),
            json!({"shift_id": "n7", "shift_status": "approved", "employee_id": "e0000002", "contract_id": "h-weekly-1", "start_at": "2026-06-05T08:00:00Z", "stop_at": "2026-06-06T09:00:00Z"}),
            json!({"shift_id": "s0000001-001", "shift_status": "voided", "employee_id": "e0000001", "start_at": "2026-06-05T08:00:00Z", "stop_at": "2026-06-05T10:00:00Z", "custom_info": null}),
        ];
        both(&recs);
        recs.push(json!({"shift_id": "n8", "shift_status": "approved", "start_at": 3, "stop_at": "2026-06-05T07:00:00Z"}));
        recs.push(json!({"shift_stat": "approved"}));
        let bytes = serde_json::to_vec(&recs).unwrap();
        let opts = Options {
            employees: 4,
            shifts_per_employee: 3,
            ..Options::default()
        };
        let mut t = generate::twin(&opts).unwrap();
        let mut u: Twin = generate::twin(&opts).unwrap();
        assert_eq!(
            t.apply_json(Kind::Shifts, &bytes, opts.received_at())
                .unwrap(),
            u.apply(Kind::Shifts, &recs, opts.received_at()).unwrap()
        );
    }
}
