//! How a batch is planned before anything is applied (SPEC §3): which records collapse as
//! copies and which conflict, and what one record's application returns.

use super::ahead::WARM_BLOCK;
use super::report::{FieldError, Kind, Outcome, RecordResult};
use crate::model::hash::hash_id;

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

/// The error of a record whose arena is full (the maximum-count error of [`next_index`]).
pub(crate) fn full(_: crate::model::arena::Full) -> RecordError {
    RecordError::field(
        "record",
        "the twin holds the maximum number of entities of this kind",
    )
}

/// Next dense index for a vector of entities (bounded by `u32`).
pub(crate) fn next_index<T>(v: &[T]) -> std::result::Result<u32, RecordError> {
    u32::try_from(v.len())
        .ok()
        .filter(|n| *n < u32::MAX)
        .ok_or_else(|| {
            RecordError::field(
                "record",
                "the twin holds the maximum number of entities of this kind",
            )
        })
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

/// Decides, before anything is applied, which records collapse and which conflict, from
/// each record's in-batch key and whether two records are identical.
pub(crate) fn plan_batch(keys: &[Option<&str>], same: impl Fn(usize, usize) -> bool) -> Vec<Plan> {
    let hashes: Vec<u64> = keys.iter().map(|k| k.map_or(0, hash_id)).collect();
    plan_hashed(keys, &hashes, same)
}

/// [`plan_batch`] with each key's [`hash_id`] given (any value for a record
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
        if i % WARM_BLOCK == 0 {
            // The next block's home slots read at once, so that their cache misses overlap
            // (a block as [`super::ahead`] reads ahead).
            let next = hashes.get(i..).unwrap_or_default().iter().take(WARM_BLOCK);
            let seen = next.fold(0, |acc, &h| {
                acc ^ first.get((h as usize) & mask).copied().unwrap_or(0)
            });
            std::hint::black_box(seen);
        }
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
