//! Reading ahead in the shift batch loop (issue #16): a time-ordered feed puts another
//! employee in every record, so each record's employee, shift list and index slot is out of
//! cache. These steps read what the next block of records will need, all together, so that
//! their cache misses overlap instead of each record waiting for its own. They change
//! nothing: every value they read is thrown away (`std::hint::black_box`), and the batch
//! loop ([`super::batch`]) gives the same results without them. Measured in
//! docs/performance.md, "Fifth pass".

use super::batch::Pre;
use super::record::{Memo, EMPLOYEE_KEY_BYTES};
use super::split::find_special;
use crate::model::{EmployeeIx, State};

/// Records read ahead together: in step 1 their employees ([`Ahead`]), in step 2 their
/// employees' lists ([`State::warm_lists`]) and, in the in-batch plan, their ids' home
/// slots (`plan::plan_hashed`).
pub(super) const WARM_BLOCK: usize = 32;

impl State {
    /// Before applying the next [`WARM_BLOCK`] records of `pre`: reads what applying them
    /// reads first (each employee's list header, each key's text, which a new shift's id
    /// is copied from), then the last record of each list (where the new shift goes and
    /// what the overlap check reads, and the list's first when it is full, which growing it
    /// reads), so that the cache misses of a block overlap instead of each record waiting
    /// for its own in turn. In time order every record's employee is another one, out of
    /// cache; in any order the batch's text has left the cache since step 1 read it.
    pub(super) fn warm_lists(&self, pre: &[Pre<'_>]) {
        let block = pre.get(..WARM_BLOCK).unwrap_or(pre);
        let employees = &self.employees;
        let emp = |p: &Pre<'_>| {
            p.parsed
                .as_ref()
                .ok()
                .and_then(|f| f.employee)
                .and_then(|e| employees.get(e))
        };
        let heads = block.iter().fold(0usize, |acc, p| {
            let key = p.key.as_deref().and_then(|k| k.bytes().next());
            let list = emp(p).map_or(0, |e| e.shifts.len());
            acc ^ list ^ usize::from(key.unwrap_or(0))
        });
        let tails = block.iter().filter_map(emp).fold(heads, |acc, e| {
            let first = if e.shifts.len() == e.shifts.capacity() {
                e.shifts.first().map_or(0, |r| r.ix())
            } else {
                0
            };
            acc ^ e.shifts.last().map_or(0, |r| r.ix()) as usize ^ first as usize
        });
        std::hint::black_box(tails);
    }
}

/// Step 1's look-ahead over raw records (issue #16): in time order every record is another
/// employee's, and validating it waits twice for memory, for the employee's index slot and
/// for the employee (whose assignments the contract rule reads). Before each block of
/// [`WARM_BLOCK`] records, when the last block's records were mostly of other employees
/// than their predecessors (the validator's memo missed), this finds the block's employee
/// ids at the place the task's first plain record had its own (a record laid out otherwise
/// is skipped: this only warms the cache), reads their index slots together, then looks
/// them up and reads their employees together, so that those misses overlap.
#[derive(Default)]
pub(super) struct Ahead {
    /// The first record after the block warmed last.
    next: usize,
    /// The memo's misses when that block was warmed.
    misses: usize,
}

impl Ahead {
    pub(super) fn warm(&mut self, twin: &State, elements: &[&str], i: usize, memo: &Memo) {
        if i < self.next && i + WARM_BLOCK >= self.next {
            return;
        }
        self.next = i + WARM_BLOCK;
        let misses = memo.employee.misses();
        let recent = misses - self.misses.min(misses);
        self.misses = misses;
        let Some((at, key)) = memo.employee_at.filter(|_| recent >= WARM_BLOCK / 4) else {
            return;
        };
        let mut ids: [Option<&str>; WARM_BLOCK] = [None; WARM_BLOCK];
        let block = elements.get(i..).unwrap_or_default().iter();
        for (slot, raw) in ids.iter_mut().zip(block) {
            *slot = employee_at(raw, at, &key);
        }
        let slots = ids
            .iter()
            .flatten()
            .fold(0u32, |acc, id| acc ^ twin.employee_ix.touch(id));
        let mut ixs: [Option<EmployeeIx>; WARM_BLOCK] = [None; WARM_BLOCK];
        for (ix, id) in ixs.iter_mut().zip(&ids) {
            *ix = id.and_then(|id| twin.employee_ix.get(id));
        }
        let employees = ixs.iter().flatten().filter_map(|&e| twin.employees.get(e));
        let seen = employees.fold(slots as usize, |acc, e| {
            acc ^ e.assignments.first().map_or(0, |a| a.stints.len())
        });
        std::hint::black_box(seen);
    }
}

/// Where employee id `id` (borrowed from `raw`) starts in `raw`, with the
/// [`EMPLOYEE_KEY_BYTES`] bytes before it.
pub(super) fn employee_key_at(
    raw: &str,
    id: Option<&str>,
) -> Option<(usize, [u8; EMPLOYEE_KEY_BYTES])> {
    let at = (id?.as_ptr() as usize).checked_sub(raw.as_ptr() as usize)?;
    let key = raw
        .as_bytes()
        .get(at.checked_sub(EMPLOYEE_KEY_BYTES)?..at)?;
    Some((at, <[u8; EMPLOYEE_KEY_BYTES]>::try_from(key).ok()?))
}

/// The employee id at byte `at` of `raw` when the bytes before it are `key`: a plain
/// string up to its closing quote.
fn employee_at<'a>(raw: &'a str, at: usize, key: &[u8; EMPLOYEE_KEY_BYTES]) -> Option<&'a str> {
    let before = raw
        .as_bytes()
        .get(at.checked_sub(EMPLOYEE_KEY_BYTES)?..at)?;
    if before != key {
        return None;
    }
    let rest = raw.get(at..)?;
    let n = find_special(rest.as_bytes())?;
    (rest.as_bytes().get(n) == Some(&b'"'))
        .then(|| rest.get(..n))
        .flatten()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// The id's place and key come from the first record; the ids of records laid out the
    /// same way are found there, and a record laid out otherwise gives none (it is only
    /// not read ahead).
    #[test]
    fn employee_ids_found_where_the_first_record_had_its_own() {
        let first = r#"{"shift_id":"s1","employee_id":"e00042","contract_id":"c1"}"#;
        let id = &first[first.find("e00042").unwrap()..][..6];
        let (at, key) = employee_key_at(first, Some(id)).unwrap();
        assert_eq!(&key, br#""employee_id":""#);
        assert_eq!(employee_at(first, at, &key), Some("e00042"));
        let same = r#"{"shift_id":"s2","employee_id":"e00777","contract_id":"c1"}"#;
        assert_eq!(employee_at(same, at, &key), Some("e00777"));
        let longer = r#"{"shift_id":"s10","employee_id":"e00777","contract_id":"c1"}"#;
        assert_eq!(employee_at(longer, at, &key), None);
        let escaped = r#"{"shift_id":"s3","employee_id":"e\u0030","contract_id":"c1"}"#;
        assert_eq!(employee_at(escaped, at, &key), None);
        assert_eq!(employee_at("{}", at, &key), None);
        // An id not borrowed from the record has no place in it.
        let elsewhere = String::from("e00042");
        assert_eq!(employee_key_at(first, Some(&elsewhere)), None);
        assert_eq!(employee_key_at(first, None), None);
    }
}
