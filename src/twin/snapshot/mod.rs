//! The binary snapshot of a twin (issue #5: save ≥ 1M shifts/s, load ≥ 2M shifts/s): every
//! piece of a [`Twin`](super::Twin)'s state in a versioned, little-endian byte stream, cut into
//! self-checking frames so that the store can keep it as SQLite blobs of bounded size.
//!
//! # Format (version 3; version 2 is the same without the payments' `in_regular_rate`, and
//! version 1 also without sections 9b and 12)
//!
//! The *stream* is the concatenation of the frames' payloads. A **frame** is
//! `"EWSF"`, its number (`u32`, from 0), its payload length (`u32`), the payload, and a
//! 64-bit checksum of the number and the payload ([`checksum`]; a change of any one 8-byte
//! word is always detected). Every frame but the last holds exactly the writer's frame size
//! (≤ [`FRAME_BYTES_MAX`]); a frame may end in the middle of a value.
//!
//! The stream (`u32`/`u64`/`i64` little-endian; `str` = `u32` byte length + UTF-8;
//! `opt<T>` = `u8` 0/1 + `T`; `json` = `str` of a JSON object; instants as `i64` µs; dates
//! as `i32` days from CE; enums as `u8` declaration positions):
//!
//! 1. header: `"EWATWIN\0"`, format version `u32`, the company (`str`, `Company::to_json`),
//!    the job counter `u64`, and the counts (`u32` each) of schedules, contracts,
//!    employees, shifts, open shifts, shift side records, additions, deductions, advances;
//! 2. schedules (SPEC §2): id, frequency, `opt` alignment, periods (count, then id, start,
//!    stop, pay_at each), `opt json` custom_info;
//! 3. contracts: id, schedule index, currency code (3 bytes), rate period, rate versions
//!    (count, then from, amount), `opt json` custom_info, `opt` overtime rules; the rules
//!    read from `custom_info` (`overtime.regular_rate`, `minimum_wage`, `holiday_pay_hours`,
//!    SPEC §5.2, §5.5, §5.7) are not written: the decoder re-derives them with ingestion's
//!    own readers;
//! 4. employees: id, the seven profile fields (`opt str`), custom_info `json`,
//!    assignments (count; contract index and stints as `opt` date pairs — the stints'
//!    instants are recomputed as ingestion computes them), addition, deduction and advance
//!    index lists, and the length of the employee's shift list;
//! 5. shift ids, as the twin keeps them: arena chunks (count; then per chunk its shift
//!    count, end offsets as a `u32` column, its text);
//! 6. nothing: the employee of each shift is the owner of the list that holds it (8);
//! 7. the runs of shifts created by one job: count; first index, job, received_at;
//! 8. the current records of every list (employees in order, then the open shifts), one
//!    column at a time: index + status (`u32`: 29 + 3 bits), contract, start, stop;
//! 9. shift side records, by increasing shift index: index, `opt json` custom_info,
//!    `opt` (job, received_at), earlier versions (count; status, employee, contract,
//!    start, stop, `opt json` custom_info, received_at, job); then, from version 2 on
//!    (section "9b"), shift breaks and tips (SPEC §2 extensions, §5.6, §5.7): count; then by strictly
//!    increasing (shift index, version): index `u32`, version `u32` (`k` < the shift's
//!    number of earlier versions: its `k`-th earlier version; equal to it: the current
//!    one), `opt` breaks (count; start, stop each), `opt i64` tips. A record is never
//!    empty;
//! 10. additions, then deductions: id, employee, `opt` contract, `opt` currency, amount,
//!     `opt` effective_on, instant, `opt json` custom_info, in_regular_rate (`u8` 0/1; 0 on
//!     a deduction; from version 3);
//! 11. advances: id, employee id, employee index, amount, requested_at, delivery,
//!     accepted, fee, `opt` recovery (schedule index, period id, pay_at), reasons (count,
//!     codes), `opt` cancelled_at;
//! 12. leaves (SPEC §2 leave; from version 2): count; then id, employee index, `opt`
//!     contract index, status (`u8`: requested, approved, declined, cancelled), start_on,
//!     stop_on, paid (`u8` 0/1), hours_per_day (`opt str` decimal, always present),
//!     `opt str` leave_type, `opt json` custom_info. Each employee's leave list is rebuilt
//!     from them, in index order;
//! 13. trailer: `"END!"` and the shift count again (`u64`).
//!
//! # Decoding
//! [`read`] checks every frame (magic, number, length, checksum), every length, count,
//! index and reference against what was read before, the format's own orders (id chunks,
//! job runs, side records, break and tip records), and that the stream ends exactly at the trailer; the id
//! indexes are rebuilt (a repeated id is an error) and the caches start empty, as
//! [`Twin::new`](super::Twin::new) leaves them. The twin's structural rules — sort orders, every shift,
//! payment and advance in its owner's list, counted shifts disjoint, unpaid breaks inside
//! their shift version, sorted and disjoint, tips in `[0, amount_max]`, the SPEC §6
//! invariants of each recorded advance decision — are then checked once by
//! [`Twin::check_invariants`](super::Twin::check_invariants). Damaged or foreign bytes give an
//! [`Error::Storage`] naming what is wrong; decoding never panics.
//!
//! Code: `encode.rs` writes, `reader.rs` reads frames and values, `decode.rs` reads the
//! sections.

mod decode;
mod encode;
mod reader;
#[cfg(test)]
mod tests;

pub(crate) use decode::read;
pub(crate) use reader::FrameSource;

use super::Twin;
use crate::company::Company;
use crate::error::Error;

/// The stream's first bytes.
const MAGIC: [u8; 8] = *b"EWATWIN\0";
/// The format version this build writes (and the newest it reads). Version 3 adds each
/// payment's `in_regular_rate` flag (section 10).
pub(crate) const FORMAT_VERSION: u32 = 3;
/// The oldest format version this build reads (version 1 has no breaks, tips or leaves;
/// versions 1 and 2 no `in_regular_rate`: false).
pub(crate) const FORMAT_VERSION_MIN: u32 = 1;
/// Each frame's first bytes.
const FRAME_MAGIC: [u8; 4] = *b"EWSF";
/// Frame header (magic, number, length) and trailer (checksum) sizes.
const FRAME_HEAD: usize = 12;
const FRAME_TAIL: usize = 8;
/// A `u32` index field that names no entity (an open shift's employee, a shift without a
/// contract, a payment or an advance without an employee).
const NO_IX: u32 = u32::MAX;

/// The largest frame payload a reader accepts (SQLite blobs stay far below 1e9 bytes).
pub(crate) const FRAME_BYTES_MAX: usize = 64 << 20;
/// The trailer's marker.
const END: [u8; 4] = *b"END!";
/// Largest capacity reserved up front from a count read from the stream (longer lists
/// grow as their elements are actually read).
const RESERVE_MAX: usize = 1 << 16;

/// A 64-bit checksum of bytes: 8 bytes at a time through a bijective step, then a
/// SplitMix finaliser, so changing any one 8-byte word (or the length) always changes it.
/// Computed by `twin::hash`, which owns the one implementation; its golden tests pin the
/// values so that the format never changes by accident.
pub(crate) fn checksum(seed: u64, b: &[u8]) -> u64 {
    crate::model::hash::checksum(seed, b)
}

/// The checksum a frame ends with (the store binds it into its row checksum); `None` when
/// the bytes are too short to be a frame.
pub(crate) fn frame_checksum(frame: &[u8]) -> Option<u64> {
    let start = frame.len().checked_sub(FRAME_TAIL)?;
    let tail: [u8; 8] = frame.get(start..)?.try_into().ok()?;
    Some(u64::from_le_bytes(tail))
}

/// Reads a stream whose frames were written one after another into `bytes` (an employee
/// view, `twin::views`): each frame is cut at the length its header gives, then checked by
/// [`read`] as a stored frame is.
///
/// # Errors
/// As [`read`]; a frame cut short is an [`Error::Storage`].
pub(crate) fn read_concatenated(company: &Company, bytes: &[u8]) -> crate::error::Result<Twin> {
    let mut rest = bytes;
    let mut next = |buf: &mut Vec<u8>| -> crate::error::Result<bool> {
        if rest.is_empty() {
            return Ok(false);
        }
        let total = rest
            .get(8..FRAME_HEAD)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(|b| u32::from_le_bytes(b) as usize)
            .and_then(|len| len.checked_add(FRAME_HEAD + FRAME_TAIL))
            .ok_or_else(|| bad("a frame is cut short"))?;
        let frame = rest
            .get(..total)
            .ok_or_else(|| bad("a frame is cut short"))?;
        buf.extend_from_slice(frame);
        rest = rest.get(total..).unwrap_or_default();
        Ok(true)
    };
    read(Some(company), &mut next)
}

fn bad(what: impl std::fmt::Display) -> Error {
    Error::Storage {
        message: format!("snapshot: {what}"),
    }
}

/// Whether every shift version of `a` was pushed by the same job as in `b` (provenance
/// that `PartialEq` does not compare), for the round-trip tests.
#[cfg(test)]
pub(crate) fn same_shift_jobs(a: &super::Twin, b: &super::Twin) -> bool {
    let jobs = |t: &super::Twin, ix: u32| {
        let mut v: Vec<u64> = t
            .books
            .shifts
            .extra
            .get(&ix)
            .map(|x| x.history.iter().map(|h| h.job).collect())
            .unwrap_or_default();
        v.push(t.books.shifts.job(ix).0);
        v
    };
    let n = a.books.shifts.len();
    n == b.books.shifts.len()
        && (0..n).all(|ix| u32::try_from(ix).is_ok_and(|ix| jobs(a, ix) == jobs(b, ix)))
}
