//! A typed fast path for `apply_json` of shift batches (issue #5: ingestion at ≥ 1M
//! records/s), with exactly the answers of the `Value` path.
//!
//! The batch is read into borrowed, typed records instead of `serde_json::Value` trees.
//! Whatever the fast path cannot vouch for goes the ordinary way, so every validation and
//! every message stays the `Value` path's own:
//! * a batch that is not an array of objects with only the shift fields, each a string or
//!   `null` (`custom_info` anything), is parsed again as `Value`s and applied as before;
//! * a record is applied here only when every field is valid one by one; any other record is
//!   turned back into its JSON object and applied by [`Twin::apply_shift`], which names
//!   every error.

use super::report::{JobReport, Kind, Outcome, RecordResult};
use super::shifts::ParsedShift;
use crate::calendar::{self, Instant};
use crate::error::{Error, Result};
use crate::model::{ShiftStatus, NONE};
use crate::twin::shifts::hash_id;
use crate::twin::{conflict_result, plan_hashed, record_result, Applied, Plan, RecordError, Twin};
use serde::de::{Deserializer, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// A field as sent, kept apart as the `Value` path keeps it: absent, `null` or a string.
#[derive(Clone, Debug, Default, PartialEq)]
enum Text<'a> {
    #[default]
    Absent,
    Null,
    Str(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or null")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Text<'a>, E> {
                Ok(Text::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Text<'a>, E> {
                Ok(Text::Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Text<'a>, E> {
                Ok(Text::Str(Cow::Owned(v)))
            }
            fn visit_unit<E>(self) -> std::result::Result<Text<'a>, E> {
                Ok(Text::Null)
            }
            fn visit_none<E>(self) -> std::result::Result<Text<'a>, E> {
                Ok(Text::Null)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl Text<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Text::Str(s) => Some(s),
            _ => None,
        }
    }
    fn to_value(&self) -> Option<Value> {
        match self {
            Text::Absent => None,
            Text::Null => Some(Value::Null),
            Text::Str(s) => Some(Value::String(s.to_string())),
        }
    }
}

/// `Some(value)` whenever the field is present, `null` included.
fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// One shift record in the fast form.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ShiftJson<'a> {
    #[serde(default, borrow)]
    shift_id: Text<'a>,
    #[serde(default, borrow)]
    shift_status: Text<'a>,
    #[serde(default, borrow)]
    employee_id: Text<'a>,
    #[serde(default, borrow)]
    contract_id: Text<'a>,
    #[serde(default, borrow)]
    start_at: Text<'a>,
    #[serde(default, borrow)]
    stop_at: Text<'a>,
    #[serde(default, deserialize_with = "present")]
    custom_info: Option<Value>,
}

impl ShiftJson<'_> {
    /// The record as the JSON object it was sent as.
    fn to_map(&self) -> Map<String, Value> {
        let mut m = Map::new();
        for (k, v) in [
            ("shift_id", &self.shift_id),
            ("shift_status", &self.shift_status),
            ("employee_id", &self.employee_id),
            ("contract_id", &self.contract_id),
            ("start_at", &self.start_at),
            ("stop_at", &self.stop_at),
        ] {
            if let Some(v) = v.to_value() {
                m.insert(k.into(), v);
            }
        }
        if let Some(c) = &self.custom_info {
            m.insert("custom_info".into(), c.clone());
        }
        m
    }
}

/// Deeper nesting than this anywhere in an element sends the batch the `Value` way (whose
/// parser stops at 128 levels), so a split batch is never read where the whole one is not.
const DEPTH_MAX: usize = 64;

/// Records per parallel task (below this, splitting costs more than it saves).
const MIN_CHUNK: usize = 256;

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The position of the first `"`, `\\` or control character (below 0x20) in `b`: eight
/// bytes at a time while none is in the word (the usual "has a zero byte" tests, exact
/// for any bytes), then byte by byte.
fn find_special(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let mut k = 0;
    let mut words = b.chunks_exact(8);
    for c in &mut words {
        let w = <[u8; 8]>::try_from(c).map_or(u64::MAX, u64::from_le_bytes);
        let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH != 0;
        if below_space
            || has_zero(w ^ (ONES * u64::from(b'"')))
            || has_zero(w ^ (ONES * u64::from(b'\\')))
        {
            break;
        }
        k += 8;
    }
    let at = b
        .get(k..)?
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
    Some(k + at)
}

/// One past the closing quote of the JSON string whose contents start at `i`.
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut k = i;
    loop {
        k += find_special(b.get(k..)?)?;
        match b.get(k)? {
            b'"' => return Some(k + 1),
            b'\\' => k += 2,
            _ => k += 1,
        }
    }
}

/// One past the `}` closing the object that starts at `start`, skipping strings; `None`
/// when `start` is no `{`, the brackets do not balance, or they nest deeper than
/// [`DEPTH_MAX`]. Only where elements end is decided here: each element is then parsed
/// (and so checked) in full by serde_json.
fn object_end(b: &[u8], start: usize) -> Option<usize> {
    if b.get(start) != Some(&b'{') {
        return None;
    }
    let mut depth = 0usize;
    let mut i = start;
    while let Some(&c) = b.get(i) {
        match c {
            b'"' => {
                i = string_end(b, i + 1)?;
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > DEPTH_MAX {
                    return None;
                }
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Bytes below which an array is split on one core.
const SPLIT_PARALLEL_MIN: usize = 1 << 20;

/// The text of each element of a JSON array whose elements all look like objects, or
/// `None` (the batch then goes the `Value` way, which words the error).
///
/// A large array is cut into segments at guessed element starts (a `{` after a `,`), which
/// are scanned in parallel, each up to the next guess. A segment scanned from a true element
/// start lands on the next guess exactly only when that guess is a true element start too,
/// so when every segment lands, the first being the array's start, the result is the
/// sequential scan's; when any does not (a guess inside a string), the array is scanned
/// again on one core.
fn split_objects(text: &str) -> Option<Vec<&str>> {
    split_objects_from(text, SPLIT_PARALLEL_MIN)
}

/// [`split_objects`], in parallel from `parallel_min` bytes on.
fn split_objects_from(text: &str, parallel_min: usize) -> Option<Vec<&str>> {
    use rayon::prelude::*;
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return (skip_ws(b, i + 1) == b.len()).then_some(Vec::new());
    }
    let parts = if b.len() >= parallel_min {
        rayon::current_num_threads().clamp(1, 8) * 2
    } else {
        1
    };
    let mut cuts = vec![i];
    for k in 1..parts {
        let at = b.len() / parts * k;
        if let Some(c) = guess_element_start(b, at).filter(|c| cuts.last() < Some(c)) {
            cuts.push(c);
        }
    }
    if cuts.len() > 1 {
        let stops: Vec<Option<usize>> = cuts
            .iter()
            .skip(1)
            .map(|&c| Some(c))
            .chain([None])
            .collect();
        let segments: Vec<Option<Vec<&str>>> = cuts
            .par_iter()
            .zip(stops.par_iter())
            .map(|(&from, &stop)| scan_elements(text, from, stop))
            .collect();
        if segments.iter().all(Option::is_some) {
            return Some(segments.into_iter().flatten().flatten().collect());
        }
    }
    scan_elements(text, i, None)
}

/// The first `{` at or after `at` whose previous non-blank byte is `,`.
fn guess_element_start(b: &[u8], at: usize) -> Option<usize> {
    let mut k = at;
    loop {
        k += b.get(k..)?.iter().position(|&c| c == b'{')?;
        let before = b.get(..k)?;
        let prev = before
            .iter()
            .rev()
            .find(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
        if prev == Some(&b',') {
            return Some(k);
        }
        k += 1;
    }
}

/// The elements from the element start `from` on: up to the one starting at `stop`, which
/// must follow a `,` exactly there, or with `stop` `None` to the array's `]` and the end of
/// the text.
fn scan_elements(text: &str, from: usize, stop: Option<usize>) -> Option<Vec<&str>> {
    let b = text.as_bytes();
    let mut i = from;
    let mut out = Vec::new();
    loop {
        let end = object_end(b, i)?;
        // `{` and `}` are ASCII: the slice is on character boundaries.
        out.push(text.get(i..end)?);
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => {
                i = skip_ws(b, i + 1);
                match stop {
                    Some(s) if i == s => return Some(out),
                    Some(s) if i > s => return None,
                    _ => {}
                }
            }
            Some(b']') => return (stop.is_none() && skip_ws(b, i + 1) == b.len()).then_some(out),
            _ => return None,
        }
    }
}

/// The string whose contents start at byte `start` of `e` and the position after its
/// closing quote, when it has no escape and no control character (which serde_json
/// rejects); `None` otherwise.
fn plain_string(e: &str, start: usize) -> Option<(&str, usize)> {
    let rest = e.as_bytes().get(start..)?;
    let n = find_special(rest)?;
    if rest.get(n) != Some(&b'"') {
        return None;
    }
    Some((e.get(start..start + n)?, start + n + 1))
}

/// An element read without serde when it is in the plainest form: an object of the seven
/// fields, each at most once, keys and strings without escapes, text fields strings or
/// `null`, `custom_info` absent or `null`. `None` for anything else, which serde_json then
/// reads (tested: whatever this accepts, serde_json reads the same way).
fn read_plain(e: &str) -> Option<ShiftJson<'_>> {
    let b = e.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    let mut rec = ShiftJson::default();
    if b.get(i) == Some(&b'}') {
        return (skip_ws(b, i + 1) == b.len()).then_some(rec);
    }
    let mut seen = 0u8;
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let (key, next) = plain_string(e, i + 1)?;
        i = skip_ws(b, next);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        let value = match b.get(i) {
            Some(b'"') => {
                let (s, next) = plain_string(e, i + 1)?;
                i = next;
                Text::Str(Cow::Borrowed(s))
            }
            Some(b'n') if b.get(i..i + 4) == Some(b"null") => {
                i += 4;
                Text::Null
            }
            _ => return None,
        };
        let (bit, slot) = match key {
            "shift_id" => (0, &mut rec.shift_id),
            "shift_status" => (1, &mut rec.shift_status),
            "employee_id" => (2, &mut rec.employee_id),
            "contract_id" => (3, &mut rec.contract_id),
            "start_at" => (4, &mut rec.start_at),
            "stop_at" => (5, &mut rec.stop_at),
            "custom_info" if value == Text::Null && seen & 64 == 0 => {
                seen |= 64;
                rec.custom_info = Some(Value::Null);
                (7, &mut Text::Absent)
            }
            _ => return None,
        };
        if bit < 7 {
            if seen & (1 << bit) != 0 {
                return None;
            }
            seen |= 1 << bit;
            *slot = value;
        }
        i = skip_ws(b, i);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return (skip_ws(b, i + 1) == b.len()).then_some(rec),
            _ => return None,
        }
    }
}

/// An element's record: [`read_plain`], else serde_json.
fn read_element(e: &str) -> Option<ShiftJson<'_>> {
    read_plain(e).or_else(|| serde_json::from_str(e).ok())
}

/// A record's fields when each is valid (as `Twin::apply_shift` checks them).
struct Fields {
    status: ShiftStatus,
    employee: u32,
    named_contract: Option<u32>,
    start: Instant,
    stop: Instant,
    custom_info: Option<Box<Map<String, Value>>>,
}

/// One record after the parallel read: its bytes, its key, and, when every field is valid,
/// the typed fields and the shift's index lookup as the twin was before the batch.
struct Pre<'a> {
    raw: &'a str,
    key: Option<Cow<'a, str>>,
    hash: u64,
    existing: Option<u32>,
    fields: Option<Fields>,
}

/// The last id looked up in an index and its answer: records of one employee come
/// together, so most lookups are the previous one's.
#[derive(Default)]
struct Last {
    id: Option<String>,
    answer: Option<u32>,
}

impl Last {
    fn get(&mut self, id: &str, look: impl FnOnce(&str) -> Option<u32>) -> Option<u32> {
        match &mut self.id {
            Some(last) if last == id => {}
            Some(last) => {
                self.answer = look(id);
                id.clone_into(last);
            }
            None => {
                self.answer = look(id);
                self.id = Some(id.to_string());
            }
        }
        self.answer
    }
}

/// Per-task lookups of [`Twin::pre_read`].
#[derive(Default)]
struct Memo {
    employee: Last,
    contract: Last,
}

/// What became of one record, before its result is written out.
enum Done<'a> {
    Applied(Option<Cow<'a, str>>, Applied),
    Conflict(Option<Cow<'a, str>>),
    /// A copy of an earlier record: its result is the first copy's.
    Copy,
}

/// An element's record; only for elements already read once.
fn reread(raw: &str) -> Option<ShiftJson<'_>> {
    read_element(raw)
}

impl Twin {
    /// The fast path of `apply_json` for shifts; `None` when the batch is not in the fast
    /// form (the caller then takes the `Value` path, which words every error).
    ///
    /// 1. The array is split into its elements (only where each ends is found here).
    /// 2. In parallel, each element is parsed into a [`ShiftJson`], its fields validated,
    ///    its id hashed and looked up in the shift index. Nothing of the twin that a shift
    ///    batch changes is read except that index, and a batch applies each key at most
    ///    once (copies collapse or conflict), so each lookup is what it would be when the
    ///    record is applied.
    /// 3. In batch order, the in-batch plan, then each record applied.
    /// 4. In parallel, the per-record results.
    pub(crate) fn apply_shifts_fast(
        &mut self,
        bytes: &[u8],
        received_at: Instant,
    ) -> Option<Result<JobReport>> {
        use rayon::prelude::*;
        // JSON text is UTF-8 (serde_json rejects anything else), so checking it once for the
        // whole batch lets every element be read as `str`.
        let text = std::str::from_utf8(bytes).ok()?;
        let elements = split_objects(text)?;
        let twin: &Twin = self;
        // Collected in place (an indexed collect), then checked: every element must be a
        // record in the fast form.
        let mut pre: Vec<Option<Pre<'_>>> = elements
            .par_iter()
            .with_min_len(MIN_CHUNK)
            .map_init(Memo::default, |memo, raw| twin.pre_read(raw, memo))
            .collect();
        drop(elements);
        if pre.iter().any(Option::is_none) {
            return None;
        }
        let max = self.company.limits.batch_records_max;
        if pre.len() as u64 > max {
            return Some(Err(Error::BatchRefused {
                reason: format!(
                    "{} records exceed the limit of {max} (batch_records_max)",
                    pre.len()
                ),
            }));
        }
        let plan = {
            let keys: Vec<Option<&str>> = pre.iter().flatten().map(|p| p.key.as_deref()).collect();
            let hashes: Vec<u64> = pre.iter().flatten().map(|p| p.hash).collect();
            plan_hashed(&keys, &hashes, |i, j| {
                let raw = |k: usize| {
                    pre.get(k)
                        .and_then(Option::as_ref)
                        .and_then(|p| reread(p.raw))
                };
                raw(i) == raw(j)
            })
        };
        self.jobs += 1;
        let job = self.jobs;
        let new_shifts = pre
            .iter()
            .flatten()
            .filter(|p| p.fields.is_some() && p.existing.is_none())
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
            let Some(p) = pre.get_mut(i).and_then(Option::as_mut) else {
                break;
            };
            done.push(match step {
                Plan::Conflict => Done::Conflict(p.key.take()),
                Plan::CopyOf(_) => Done::Copy,
                Plan::Apply => {
                    let r = match (p.fields.take(), p.key.as_deref()) {
                        (Some(f), Some(id)) => self.apply_shift_known(
                            ParsedShift {
                                id,
                                status: f.status,
                                employee: f.employee,
                                named_contract: f.named_contract,
                                start: f.start,
                                stop: f.stop,
                                custom_info: f.custom_info,
                            },
                            received_at,
                            job,
                            (p.hash, p.existing),
                            Some(&mut pending),
                        ),
                        _ => {
                            // The `Value` way looks ids up and grows the index itself.
                            self.shifts.index_pending(&mut pending);
                            match reread(p.raw) {
                                Some(rec) => self.apply_shift(&rec.to_map(), received_at, job),
                                None => Err(RecordError::field("record", "unreadable record")),
                            }
                        }
                    };
                    Done::Applied(p.key.take(), r)
                }
            });
        }
        self.shifts.index_pending(&mut pending);
        drop(pre);
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
        self.invalidate(Kind::Shifts);
        Some(Ok(JobReport::new(
            format!("job-{job}"),
            Kind::Shifts,
            results,
        )))
    }

    /// Before applying record `i`: when it starts a run of records of one employee, makes
    /// room in that employee's list for the run's new shifts at once (at least an eighth
    /// more, as the list grows anyway, so runs of one or two do not reallocate each time).
    fn reserve_run(&mut self, pre: &[Option<Pre<'_>>], i: usize, reserved_for: &mut u32) {
        let new_of = |p: &Pre<'_>| match &p.fields {
            Some(f) if p.existing.is_none() => Some(f.employee),
            _ => None,
        };
        let Some(employee) = pre.get(i).and_then(Option::as_ref).and_then(new_of) else {
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
            .flatten()
            .take_while(|p| p.fields.as_ref().is_none_or(|f| f.employee == employee))
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

    /// Step 2 of [`Twin::apply_shifts_fast`] for one element: `None` when it is not a
    /// record in the fast form.
    fn pre_read<'a>(&self, raw: &'a str, memo: &mut Memo) -> Option<Pre<'a>> {
        let mut rec: ShiftJson<'a> = read_element(raw)?;
        let fields = self.fields_fast(&mut rec, memo);
        let key = match std::mem::take(&mut rec.shift_id) {
            Text::Str(s) => Some(s),
            _ => None,
        };
        let hash = key.as_deref().map_or(0, hash_id);
        let existing = match (&fields, key.as_deref()) {
            (Some(_), Some(id)) => self.shifts.get_hashed(id, hash),
            _ => None,
        };
        Some(Pre {
            raw,
            key,
            hash,
            existing,
            fields,
        })
    }

    /// The record's fields when each is valid (as `Twin::apply_shift` checks them), else
    /// `None`. Takes `custom_info` out of the record when it succeeds.
    fn fields_fast(&self, rec: &mut ShiftJson<'_>, memo: &mut Memo) -> Option<Fields> {
        let limits = &self.company.limits;
        let tz = self.company.timezone;
        let id_ok = |s: &str| {
            let n = s.chars().count() as u64;
            n > 0 && n <= limits.id_chars_max
        };
        rec.shift_id.as_str().filter(|s| id_ok(s))?;
        if !matches!(
            rec.custom_info,
            None | Some(Value::Null) | Some(Value::Object(_))
        ) {
            return None;
        }
        let status = rec.shift_status.as_str().and_then(ShiftStatus::parse)?;
        let start = calendar::parse_instant(tz, rec.start_at.as_str()?).ok()?;
        let stop = calendar::parse_instant(tz, rec.stop_at.as_str()?).ok()?;
        let len = stop.as_micros().saturating_sub(start.as_micros());
        if start >= stop || len > limits.shift_micros_max() {
            return None;
        }
        let employee = match &rec.employee_id {
            Text::Absent | Text::Null => NONE,
            Text::Str(e) => memo
                .employee
                .get(e, |e| self.employee_ix.get(e))
                .filter(|_| id_ok(e))?,
        };
        let named_contract = match &rec.contract_id {
            Text::Absent | Text::Null => None,
            Text::Str(c) => Some(
                memo.contract
                    .get(c, |c| self.contract_ix.get(c))
                    .filter(|_| id_ok(c))?,
            ),
        };
        let custom_info = match rec.custom_info.take() {
            Some(Value::Object(m)) => Some(Box::new(m)),
            _ => None,
        };
        Some(Fields {
            status,
            employee,
            named_contract,
            start,
            stop,
            custom_info,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use crate::generate::{self, Options};
    use crate::ingest::Kind;
    use crate::twin::Twin;
    use serde_json::{json, Value};

    /// The fast path and the `Value` path give the same reports and the same twin.
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
            fast.apply_shifts_fast(&bytes, at).is_some(),
            "the fast path was taken"
        );
    }

    /// What `apply_json` answered before the fast path existed: the bytes as one `Value`,
    /// then `Twin::apply`.
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
    /// With `typed`, the six text fields are strings or `null` (the fast form), so that
    /// whole batches take the fast path.
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
            if choice % 5 != 0 {
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
        if c[7] % 23 == 0 {
            m.insert("shift_note".into(), json!("unknown field"));
        }
        Value::Object(m)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Random batches (copies, conflicts, invalid fields, updates of known shifts) and
        /// their byte-mangled versions answer as the `Value` path does.
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

    /// The parallel split of any text (cut at every guessed element start) is the
    /// sequential one.
    fn split_in_parallel_as_on_one_core(bytes: &[u8]) {
        if let Ok(text) = std::str::from_utf8(bytes) {
            assert_eq!(
                super::split_objects_from(text, 0),
                super::split_objects_from(text, usize::MAX),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Whatever the plain reader accepts, serde_json reads the same way: objects of
        /// random keys and values, with random tokens inserted.
        #[test]
        fn plain_reader_agrees_with_serde(
            fields in proptest::collection::vec((0usize..12, 0usize..16, 0usize..4), 0..9),
            edits in proptest::collection::vec((0usize..400, 0usize..16), 0..3),
        ) {
            const KEYS: [&str; 12] = [
                "\"shift_id\"", "\"shift_status\"", "\"employee_id\"", "\"contract_id\"",
                "\"start_at\"", "\"stop_at\"", "\"custom_info\"", "\"shift_note\"", "\"Shift_id\"",
                "\"shift\\u005fid\"", "\"shift_id \"", "shift_id",
            ];
            const VALUES: [&str; 16] = [
                "null", "\"approved\"", "\"e0000001\"", "\"2026-06-03T08:00:00Z\"", "\"\"",
                "\"a\\\"b\"", "\"\\u0041\"", "\"\u{1}\"", "\"\u{e9}t\u{e9}\"", "\"\u{7f}\"",
                "nul", "nulll", "[]", "1", "{}", "true",
            ];
            const WS: [&str; 4] = ["", " ", "\n\t", "\r "];
            const TOKENS: [&str; 16] = [
                "{", "}", ":", ",", " ", "\"", "\\", "null", "\u{0}", "\u{e9}", "]", "[", "x", "\"a\":", ",,", "}}",
            ];
            let mut text = String::from("{");
            for (n, &(k, v, w)) in fields.iter().enumerate() {
                if n > 0 {
                    text.push(',');
                }
                text.push_str(WS[w]);
                text.push_str(KEYS[k]);
                text.push_str(WS[(w + 1) % 4]);
                text.push(':');
                text.push_str(WS[(w + 2) % 4]);
                text.push_str(VALUES[v]);
            }
            text.push('}');
            let no_edits = edits.is_empty();
            for (at, t) in edits {
                let mut at = at % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert_str(at, TOKENS[t]);
            }
            if let Some(rec) = super::read_plain(&text) {
                let by_serde: super::ShiftJson<'_> = serde_json::from_str(&text).unwrap();
                proptest::prop_assert_eq!(rec, by_serde);
            } else {
                // Plain records are read (so the property above has cases).
                proptest::prop_assert!(!(no_edits && edits_none_and_plain(&fields)), "{}", text);
            }
        }
    }

    /// Whether the generated object is plain and well formed: no edits, distinct keys among
    /// the seven, values `null` or plain strings (`custom_info` only `null`).
    fn edits_none_and_plain(fields: &[(usize, usize, usize)]) -> bool {
        let mut seen = std::collections::HashSet::new();
        fields.iter().all(|&(k, v, _)| {
            k < 7 && seen.insert(k) && (v == 0 || (k != 6 && matches!(v, 1..=4 | 8 | 9)))
        })
    }

    proptest::proptest! {
        /// The word-at-a-time search finds what a byte-by-byte one finds.
        #[test]
        fn find_special_is_a_byte_search(bytes in proptest::collection::vec(
            proptest::prop_oneof![proptest::num::u8::ANY, proptest::sample::select(vec![b'"', b'\\', 0x1f, 0x20, 0x7f, 0x80, b'a'])],
            0..40,
        )) {
            let naive = bytes.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
            proptest::prop_assert_eq!(super::find_special(&bytes), naive);
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

    /// Every record of the generator but those with `custom_info` objects is plain.
    #[test]
    fn generated_records_are_plain() {
        let opts = Options {
            employees: 30,
            shifts_per_employee: 10,
            ..Options::default()
        };
        let (mut plain, mut all) = (0, 0);
        generate::for_each_batch(&opts, |kind, records| {
            if kind == Kind::Shifts {
                for r in &records {
                    let text = serde_json::to_string(r).unwrap();
                    let by_serde: super::ShiftJson<'_> = serde_json::from_str(&text).unwrap();
                    all += 1;
                    match super::read_plain(&text) {
                        Some(rec) => {
                            assert_eq!(rec, by_serde);
                            plain += 1;
                        }
                        None => {
                            assert!(r.get("custom_info").is_some_and(Value::is_object), "{text}")
                        }
                    }
                }
            }
            Ok(())
        })
        .unwrap();
        assert!(plain * 10 > all * 9, "{plain} of {all}");
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
            b"[{\"shift_id\": \"n1\", \"shift_id\": \"n2\"}]",
            b"[{\"shift_id\": \"a}\\\"]{\"}]",
            b"{}",
            b"",
            b"[{\"shift_id\": \"n1\"}, 3]",
            b"[{\"shift_id\": \"\xff\"}]",
        ] {
            same_as_value_path(b);
        }
        // serde's derive reads a sequence as a struct, so a whole-array parse into typed
        // records would take `[[]]` for a record; the splitter insists on objects.
        assert!(serde_json::from_slice::<Vec<super::ShiftJson<'_>>>(b"[[]]").is_ok());
        assert!(super::split_objects("[[]]").is_none());
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
        use crate::twin::{plan_hashed, Plan};
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
                    (r % 7 != 0).then(|| pool[r % pool.len()])
                })
                .collect();
            let vals: Vec<u64> = (0..n).map(|_| next() % 3).collect();
            let same = |i: usize, j: usize| vals[i] == vals[j] || vals[i] > 0 && vals[j] > 0;
            let real: Vec<u64> = keys
                .iter()
                .map(|k| k.map_or(0, crate::twin::shifts::hash_id))
                .collect();
            let colliding = vec![seed; n];
            assert_eq!(plan_hashed(&keys, &real, same), naive(&keys, &same));
            assert_eq!(plan_hashed(&keys, &colliding, same), naive(&keys, &same));
        }
    }

    #[test]
    fn fast_path_answers_as_the_value_path() {
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
        assert!(
            t.apply_shifts_fast(&bytes, opts.received_at()).is_none(),
            "a number is not the fast form"
        );
        let mut u: Twin = generate::twin(&opts).unwrap();
        assert_eq!(
            t.apply_json(Kind::Shifts, &bytes, opts.received_at())
                .unwrap(),
            u.apply(Kind::Shifts, &recs, opts.received_at()).unwrap()
        );
    }
}
