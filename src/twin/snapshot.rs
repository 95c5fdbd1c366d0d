//! The binary snapshot of a twin (issue #5: save ≥ 1M shifts/s, load ≥ 2M shifts/s): every
//! piece of a [`Twin`]'s state in a versioned, little-endian byte stream, cut into
//! self-checking frames so that the store can keep it as SQLite blobs of bounded size.
//!
//! # Format (version 1)
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
//!    (count, then from, amount), `opt json` custom_info, `opt` overtime rules;
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
//!    start, stop, `opt json` custom_info, received_at, job);
//! 10. additions, then deductions: id, employee, `opt` contract, `opt` currency, amount,
//!     `opt` effective_on, instant, `opt json` custom_info;
//! 11. advances: id, employee id, employee index, amount, requested_at, delivery,
//!     accepted, fee, `opt` recovery (schedule index, period id, pay_at), reasons (count,
//!     codes), `opt` cancelled_at;
//! 12. trailer: `"END!"` and the shift count again (`u64`).
//!
//! # Decoding
//! [`read`] checks every frame (magic, number, length, checksum), every length, index and
//! reference against what was read before, every sort order the twin relies on (periods,
//! rate versions, shift lists by (start, index), job runs, side records), that every shift is
//! in exactly one list (its owner's) and every payment and linked advance in its owner's, the
//! SPEC §6 invariants of each recorded advance decision, and that the stream ends exactly
//! at the trailer. The id indexes are rebuilt (a repeated id is an error) and the caches
//! start empty, as [`Twin::new`] leaves them. Damaged or foreign bytes give an
//! [`Error::Storage`] naming what is wrong; decoding never panics.

use super::shifts::{index_slots, Chunk, Extra, ShiftStore, CHUNK_SHIFTS, SHIFTS_MAX};
use super::{cache, Index, Twin};
use crate::calendar::{Frequency, Instant};
use crate::company::Company;
use crate::error::{Error, Result};
use crate::model::{
    Advance, Alignment, Assignment, Contract, Delivery, Employee, Overtime, Payment, Period,
    Profile, RateVersion, RecoveryRef, Schedule, ShiftRec, ShiftStatus, ShiftVersion, Stint, NONE,
};
use crate::money::Currency;
use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// The stream's first bytes.
const MAGIC: [u8; 8] = *b"EWATWIN\0";
/// The format version this build writes and reads.
pub(crate) const FORMAT_VERSION: u32 = 1;
/// Each frame's first bytes.
const FRAME_MAGIC: [u8; 4] = *b"EWSF";
/// Frame header (magic, number, length) and trailer (checksum) sizes.
const FRAME_HEAD: usize = 12;
const FRAME_TAIL: usize = 8;
/// The largest frame payload a reader accepts (SQLite blobs stay far below 1e9 bytes).
pub(crate) const FRAME_BYTES_MAX: usize = 64 << 20;
/// The trailer's marker.
const END: [u8; 4] = *b"END!";
/// Largest capacity reserved up front from a count read from the stream (longer lists
/// grow as their elements are actually read).
const RESERVE_MAX: usize = 1 << 16;

/// A 64-bit checksum of bytes: 8 bytes at a time through a bijective step, then a
/// SplitMix finaliser, so changing any one 8-byte word (or the length) always changes it.
/// Fixed here (not shared with the id hash) so that the format never changes by accident.
pub(crate) fn checksum(seed: u64, b: &[u8]) -> u64 {
    let mut h: u64 = 0x6A09_E667_F3BC_C908 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= (b.len() as u64).rotate_left(17);
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(a)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut a = [0u8; 8];
        if let Some(dst) = a.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        h = (h.rotate_left(23) ^ u64::from_le_bytes(a)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// The checksum a frame ends with (the store binds it into its row checksum); `None` when
/// the bytes are too short to be a frame.
pub(crate) fn frame_checksum(frame: &[u8]) -> Option<u64> {
    let start = frame.len().checked_sub(FRAME_TAIL)?;
    let tail: [u8; 8] = frame.get(start..)?.try_into().ok()?;
    Some(u64::from_le_bytes(tail))
}

fn bad(what: impl std::fmt::Display) -> Error {
    Error::Storage {
        message: format!("snapshot: {what}"),
    }
}

// ---------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------

/// Writes the stream, handing each full frame to `sink`.
struct Writer<'a> {
    buf: Vec<u8>,
    frame_bytes: usize,
    frames: u32,
    sink: &'a mut dyn FnMut(&[u8]) -> Result<()>,
}

impl Writer<'_> {
    fn new_buf(frame_bytes: usize) -> Vec<u8> {
        let mut b = Vec::with_capacity(FRAME_HEAD + frame_bytes + FRAME_TAIL);
        b.extend_from_slice(&[0u8; FRAME_HEAD]);
        b
    }

    fn put(&mut self, mut b: &[u8]) -> Result<()> {
        loop {
            let room = (FRAME_HEAD + self.frame_bytes).saturating_sub(self.buf.len());
            if b.len() <= room {
                self.buf.extend_from_slice(b);
                return Ok(());
            }
            let (now, later) = b.split_at(room);
            self.buf.extend_from_slice(now);
            self.flush()?;
            b = later;
        }
    }

    /// Seals the current frame and hands it on, then reuses its buffer for the next.
    fn flush(&mut self) -> Result<()> {
        let len = u32::try_from(self.buf.len() - FRAME_HEAD).map_err(|_| bad("frame too long"))?;
        let n = self.frames;
        let (nb, lb) = (n.to_le_bytes(), len.to_le_bytes());
        let head = FRAME_MAGIC.iter().chain(&nb).chain(&lb);
        for (d, s) in self.buf.iter_mut().zip(head) {
            *d = *s;
        }
        let sum = checksum(u64::from(n), self.buf.get(FRAME_HEAD..).unwrap_or(&[]));
        self.buf.extend_from_slice(&sum.to_le_bytes());
        self.frames = n.checked_add(1).ok_or_else(|| bad("too many frames"))?;
        (self.sink)(&self.buf)?;
        self.buf.truncate(FRAME_HEAD);
        Ok(())
    }

    fn u8(&mut self, v: u8) -> Result<()> {
        self.put(&[v])
    }
    fn u32(&mut self, v: u32) -> Result<()> {
        self.put(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> Result<()> {
        self.put(&v.to_le_bytes())
    }
    fn i64(&mut self, v: i64) -> Result<()> {
        self.put(&v.to_le_bytes())
    }
    fn at(&mut self, v: Instant) -> Result<()> {
        self.i64(v.as_micros())
    }
    fn len(&mut self, n: usize) -> Result<()> {
        self.u32(u32::try_from(n).map_err(|_| bad("a list is longer than 2^32"))?)
    }
    fn str(&mut self, s: &str) -> Result<()> {
        self.len(s.len())?;
        self.put(s.as_bytes())
    }
    fn flag(&mut self, b: bool) -> Result<()> {
        self.u8(u8::from(b))
    }
    fn opt_str(&mut self, s: Option<&str>) -> Result<()> {
        self.flag(s.is_some())?;
        s.map_or(Ok(()), |s| self.str(s))
    }
    fn opt_i64(&mut self, v: Option<i64>) -> Result<()> {
        self.flag(v.is_some())?;
        v.map_or(Ok(()), |v| self.i64(v))
    }
    fn opt_u32(&mut self, v: Option<u32>) -> Result<()> {
        self.flag(v.is_some())?;
        v.map_or(Ok(()), |v| self.u32(v))
    }
    fn date(&mut self, d: NaiveDate) -> Result<()> {
        self.put(&d.num_days_from_ce().to_le_bytes())
    }
    fn opt_date(&mut self, d: Option<NaiveDate>) -> Result<()> {
        self.flag(d.is_some())?;
        d.map_or(Ok(()), |d| self.date(d))
    }
    fn json(&mut self, m: &Map<String, Value>) -> Result<()> {
        let text = serde_json::to_string(m).map_err(|e| bad(format!("custom_info: {e}")))?;
        self.str(&text)
    }
    fn opt_json(&mut self, m: Option<&Map<String, Value>>) -> Result<()> {
        self.flag(m.is_some())?;
        m.map_or(Ok(()), |m| self.json(m))
    }
    fn decimal(&mut self, d: Option<Decimal>) -> Result<()> {
        self.opt_str(d.map(|d| d.to_string()).as_deref())
    }
    fn currency(&mut self, c: Currency) -> Result<()> {
        self.put(c.code().as_bytes())
    }
}

fn frequency_code(f: Frequency) -> u8 {
    Frequency::ALL
        .iter()
        .position(|x| *x == f)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

fn alignment_code(a: Alignment) -> u8 {
    match a {
        Alignment::Arrears => 0,
        Alignment::Aligned => 1,
        Alignment::Advance => 2,
    }
}

impl Twin {
    /// Writes the binary snapshot (see the module docs) as frames of at most `frame_bytes`
    /// payload bytes (clamped to 1 ..= [`FRAME_BYTES_MAX`]), each handed to `sink` as soon
    /// as it is full, so that only one frame buffer (reused) is held besides the twin. Returns the number
    /// of frames.
    ///
    /// # Errors
    /// What `sink` returns; [`Error::Storage`] for a list too long for the format.
    pub(crate) fn write_snapshot(
        &self,
        frame_bytes: usize,
        sink: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<u32> {
        let frame_bytes = frame_bytes.clamp(1, FRAME_BYTES_MAX);
        let mut w = Writer {
            buf: Writer::new_buf(frame_bytes),
            frame_bytes,
            frames: 0,
            sink,
        };
        self.write_body(&mut w)?;
        w.flush()?;
        Ok(w.frames)
    }

    fn write_body(&self, w: &mut Writer<'_>) -> Result<()> {
        // 1. Header.
        w.put(&MAGIC)?;
        w.u32(FORMAT_VERSION)?;
        w.str(&self.company.to_json().to_string())?;
        w.u64(self.jobs)?;
        for n in [
            self.schedules.len(),
            self.contracts.len(),
            self.employees.len(),
            self.shifts.len(),
            self.open_shifts.len(),
            self.shifts.extra.len(),
            self.additions.len(),
            self.deductions.len(),
            self.advances.len(),
        ] {
            w.len(n)?;
        }
        // 2. Schedules.
        for s in &self.schedules {
            w.str(&s.id)?;
            w.u8(frequency_code(s.frequency))?;
            w.flag(s.alignment.is_some())?;
            if let Some(a) = s.alignment {
                w.u8(alignment_code(a))?;
            }
            w.len(s.periods.len())?;
            for p in &s.periods {
                w.str(&p.id)?;
                w.at(p.start)?;
                w.at(p.stop)?;
                w.at(p.pay_at)?;
            }
            w.opt_json(s.custom_info.as_ref())?;
        }
        // 3. Contracts.
        for c in &self.contracts {
            w.str(&c.id)?;
            w.u32(c.schedule)?;
            w.currency(c.currency)?;
            w.u8(frequency_code(c.rate_period))?;
            w.len(c.versions.len())?;
            for v in &c.versions {
                w.at(v.from)?;
                w.i64(v.amount)?;
            }
            w.opt_json(c.custom_info.as_ref())?;
            w.flag(c.overtime.is_some())?;
            if let Some(o) = &c.overtime {
                w.opt_i64(o.weekly_threshold)?;
                w.opt_i64(o.daily_threshold)?;
                w.decimal(o.multiplier)?;
                w.opt_i64(o.double_time_threshold)?;
                w.decimal(o.double_time_multiplier)?;
                w.u32(o.workday_starts_at.num_seconds_from_midnight())?;
                w.u32(o.workday_starts_at.nanosecond())?;
            }
        }
        // 4. Employees.
        for e in &self.employees {
            w.str(&e.id)?;
            let p = &e.profile;
            for f in [
                &p.work_email,
                &p.personal_email,
                &p.given_name,
                &p.family_name,
                &p.honorific,
                &p.work_phone,
                &p.personal_phone,
            ] {
                w.opt_str(f.as_deref())?;
            }
            w.json(&e.custom_info)?;
            w.len(e.assignments.len())?;
            for a in &e.assignments {
                w.u32(a.contract)?;
                w.len(a.stints.len())?;
                for s in &a.stints {
                    w.opt_date(s.start_on)?;
                    w.opt_date(s.stop_on)?;
                }
            }
            for list in [&e.additions, &e.deductions, &e.advances] {
                w.len(list.len())?;
                for &ix in list {
                    w.u32(ix)?;
                }
            }
            w.len(e.shifts.len())?;
        }
        // 5. Shift ids.
        let st = &self.shifts;
        w.len(st.chunks.len())?;
        for c in &st.chunks {
            w.len(c.ends.len())?;
            for &end in &c.ends {
                w.u32(end)?;
            }
            w.str(&c.text)?;
        }
        // 6. (The employee of each shift is the owner of the list that holds it.)
        // 7. Creating-job runs.
        w.len(st.created.len())?;
        for &(first, job, at) in &st.created {
            w.u32(first)?;
            w.u64(job)?;
            w.at(at)?;
        }
        // 8. Current records, one column at a time.
        let lists = || {
            self.employees
                .iter()
                .map(|e| &e.shifts)
                .chain(std::iter::once(&self.open_shifts))
        };
        for list in lists() {
            for r in list {
                w.u32(r.ix() | ((r.status() as u32) << 29))?;
            }
        }
        for list in lists() {
            for r in list {
                w.u32(r.contract)?;
            }
        }
        for list in lists() {
            for r in list {
                w.at(r.start)?;
            }
        }
        for list in lists() {
            for r in list {
                w.at(r.stop)?;
            }
        }
        // 9. Side records, by shift index.
        let mut keys: Vec<u32> = st.extra.keys().copied().collect();
        keys.sort_unstable();
        for ix in keys {
            let Some(x) = st.extra.get(&ix) else { continue };
            w.u32(ix)?;
            w.opt_json(x.custom_info.as_deref())?;
            w.flag(x.job.is_some())?;
            if let Some((job, at)) = x.job {
                w.u64(job)?;
                w.at(at)?;
            }
            w.len(x.history.len())?;
            for v in &x.history {
                w.u8(v.status as u8)?;
                w.u32(v.employee)?;
                w.u32(v.contract)?;
                w.at(v.start)?;
                w.at(v.stop)?;
                w.opt_json(v.custom_info.as_deref())?;
                w.at(v.received_at)?;
                w.u64(v.job)?;
            }
        }
        // 10. Payments.
        for list in [&self.additions, &self.deductions] {
            for p in list {
                w.str(&p.id)?;
                w.u32(p.employee)?;
                w.opt_u32(p.contract)?;
                w.flag(p.currency.is_some())?;
                if let Some(c) = p.currency {
                    w.currency(c)?;
                }
                w.i64(p.amount)?;
                w.opt_date(p.effective_on)?;
                w.at(p.instant)?;
                w.opt_json(p.custom_info.as_ref())?;
            }
        }
        // 11. Advances.
        for a in &self.advances {
            w.str(&a.id)?;
            w.str(&a.employee_id)?;
            w.u32(a.employee)?;
            w.i64(a.amount)?;
            w.at(a.requested_at)?;
            w.u8(match a.delivery {
                Delivery::Standard => 0,
                Delivery::Instant => 1,
            })?;
            w.flag(a.accepted)?;
            w.i64(a.fee)?;
            w.flag(a.recovery.is_some())?;
            if let Some(r) = &a.recovery {
                w.u32(r.schedule)?;
                w.str(&r.period_id)?;
                w.at(r.pay_at)?;
            }
            w.len(a.reasons.len())?;
            for r in &a.reasons {
                let code = super::export::REASONS
                    .iter()
                    .position(|x| x == r)
                    .and_then(|i| u8::try_from(i).ok())
                    .unwrap_or(u8::MAX);
                w.u8(code)?;
            }
            w.opt_i64(a.cancelled_at.map(Instant::as_micros))?;
        }
        // 12. Trailer.
        w.put(&END)?;
        w.u64(self.shifts.len() as u64)
    }
}

// ---------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------

/// Where [`read`] pulls frames from: it fills the buffer with the next frame and returns
/// `false` when there is none.
pub(crate) type FrameSource<'a> = dyn FnMut(&mut Vec<u8>) -> Result<bool> + 'a;

/// Reads the stream from frames pulled from `source`, checking each.
struct Reader<'a> {
    source: &'a mut FrameSource<'a>,
    /// The current frame without its checksum; `pos` is the next payload byte.
    cur: Vec<u8>,
    pos: usize,
    /// The number the next frame must have.
    next: u32,
    /// Whether the last frame (one shorter than `frame_bytes`) was read.
    last: bool,
    /// The payload size of full frames (that of frame 0).
    frame_bytes: usize,
    /// The section and entry being read, named in errors (set in the long sections).
    entry: (&'static str, usize),
}

impl Reader<'_> {
    /// Pulls and checks the next frame.
    fn advance(&mut self) -> Result<()> {
        if self.last {
            return Err(bad("the stream ends in the middle of a value"));
        }
        let n = self.next;
        // The frame buffer is handed back to the source to be refilled (no allocation and
        // no fresh pages per frame).
        let mut frame = std::mem::take(&mut self.cur);
        frame.clear();
        self.pos = 0;
        if !(self.source)(&mut frame)? {
            return Err(bad(format!(
                "frame {n} is missing: the stream is truncated"
            )));
        }
        let head = frame
            .get(..FRAME_HEAD)
            .ok_or_else(|| bad(format!("frame {n} is too short")))?;
        if head.get(..4) != Some(&FRAME_MAGIC[..]) {
            return Err(bad(format!(
                "frame {n} does not start with the frame marker"
            )));
        }
        let word = |i: usize| {
            head.get(i..i + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(u32::MAX, u32::from_le_bytes)
        };
        if word(4) != n {
            return Err(bad(format!("frame {n} is numbered {}", word(4))));
        }
        let len = word(8) as usize;
        if len > FRAME_BYTES_MAX || frame.len() != FRAME_HEAD + len + FRAME_TAIL {
            return Err(bad(format!(
                "frame {n} says {len} payload bytes and holds {}",
                frame.len().saturating_sub(FRAME_HEAD + FRAME_TAIL)
            )));
        }
        let body = frame.get(FRAME_HEAD..FRAME_HEAD + len).unwrap_or(&[]);
        if frame_checksum(&frame) != Some(checksum(u64::from(n), body)) {
            return Err(bad(format!(
                "frame {n} failed its checksum: the bytes were damaged or edited"
            )));
        }
        if len == 0 {
            return Err(bad(format!("frame {n} is empty")));
        }
        if n == 0 {
            self.frame_bytes = len;
        } else if len > self.frame_bytes {
            return Err(bad(format!("frame {n} is longer than frame 0")));
        }
        self.last = len < self.frame_bytes;
        self.next = n.checked_add(1).ok_or_else(|| bad("too many frames"))?;
        frame.truncate(FRAME_HEAD + len);
        self.cur = frame;
        self.pos = FRAME_HEAD;
        Ok(())
    }

    fn take_into(&mut self, mut n: usize, out: &mut Vec<u8>) -> Result<()> {
        while n > 0 {
            if self.pos >= self.cur.len() {
                self.advance()?;
            }
            let avail = self.cur.len().saturating_sub(self.pos).min(n);
            if avail == 0 {
                return Err(bad("the stream ends in the middle of a value"));
            }
            out.extend_from_slice(self.cur.get(self.pos..self.pos + avail).unwrap_or(&[]));
            self.pos += avail;
            n -= avail;
        }
        Ok(())
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        if let Some(b) = self.cur.get(self.pos..self.pos + N) {
            if let Ok(a) = <[u8; N]>::try_from(b) {
                self.pos += N;
                return Ok(a);
            }
        }
        let mut v = Vec::with_capacity(N);
        self.take_into(N, &mut v)?;
        <[u8; N]>::try_from(v.as_slice()).map_err(|_| bad("short read"))
    }

    fn u8(&mut self) -> Result<u8> {
        let [b] = self.array::<1>()?;
        Ok(b)
    }
    fn u32(&mut self) -> Result<u32> {
        self.array::<4>().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Result<u64> {
        self.array::<8>().map(u64::from_le_bytes)
    }
    fn i64(&mut self) -> Result<i64> {
        self.array::<8>().map(i64::from_le_bytes)
    }
    fn at(&mut self) -> Result<Instant> {
        self.i64().map(Instant::from_micros)
    }
    fn flag(&mut self, what: &str) -> Result<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(bad(format!("{what}: {b} is not a flag (0 or 1)"))),
        }
    }
    fn string(&mut self, what: &str) -> Result<String> {
        let n = self.u32()? as usize;
        let mut v = Vec::with_capacity(n.min(RESERVE_MAX));
        self.take_into(n, &mut v)?;
        String::from_utf8(v).map_err(|_| bad(format!("{what} is not UTF-8")))
    }
    fn boxed(&mut self, what: &str) -> Result<Box<str>> {
        self.string(what).map(String::into_boxed_str)
    }
    fn id(&mut self, what: &str, max: u64) -> Result<Box<str>> {
        let s = self.boxed(what)?;
        if s.is_empty() || (s.len() as u64 > max && s.chars().count() as u64 > max) {
            return Err(bad(format!("{what} `{s}` is empty or too long")));
        }
        Ok(s)
    }
    fn opt_boxed(&mut self, what: &str) -> Result<Option<Box<str>>> {
        Ok(if self.flag(what)? {
            Some(self.boxed(what)?)
        } else {
            None
        })
    }
    fn opt_i64(&mut self, what: &str) -> Result<Option<i64>> {
        Ok(if self.flag(what)? {
            Some(self.i64()?)
        } else {
            None
        })
    }
    fn date(&mut self, what: &str) -> Result<NaiveDate> {
        let d = i32::from_le_bytes(self.array::<4>()?);
        NaiveDate::from_num_days_from_ce_opt(d)
            .ok_or_else(|| bad(format!("{what}: {d} is not a date")))
    }
    fn opt_date(&mut self, what: &str) -> Result<Option<NaiveDate>> {
        Ok(if self.flag(what)? {
            Some(self.date(what)?)
        } else {
            None
        })
    }
    fn json(&mut self, what: &str) -> Result<Map<String, Value>> {
        let text = self.string(what)?;
        serde_json::from_str::<Map<String, Value>>(&text)
            .map_err(|e| bad(format!("{what} is not a JSON object: {e}")))
    }
    fn opt_json(&mut self, what: &str) -> Result<Option<Map<String, Value>>> {
        Ok(if self.flag(what)? {
            Some(self.json(what)?)
        } else {
            None
        })
    }
    fn decimal(&mut self, what: &str) -> Result<Option<Decimal>> {
        match self.opt_boxed(what)? {
            None => Ok(None),
            Some(s) => Decimal::from_str(&s)
                .map(Some)
                .map_err(|_| bad(format!("{what} `{s}` is not a decimal"))),
        }
    }
    fn currency(&mut self, what: &str) -> Result<Currency> {
        let code = self.array::<3>()?;
        std::str::from_utf8(&code)
            .ok()
            .and_then(Currency::parse)
            .ok_or_else(|| bad(format!("{what} is not an ISO 4217 code")))
    }
    fn frequency(&mut self, what: &str) -> Result<Frequency> {
        let b = self.u8()?;
        Frequency::ALL
            .get(b as usize)
            .copied()
            .ok_or_else(|| bad(format!("{what}: {b} is not a frequency")))
    }
    fn status(&mut self, what: &str) -> Result<ShiftStatus> {
        let b = self.u8()?;
        status_of(u32::from(b)).ok_or_else(|| bad(format!("{what}: {b} is not a shift status")))
    }
    /// A count of entities addressed by `u32` indexes (below [`NONE`]).
    fn count(&mut self, what: &str) -> Result<usize> {
        let n = self.u32()?;
        if n == NONE {
            return Err(bad(format!("{what}: {n} is too many")));
        }
        Ok(n as usize)
    }
    /// The stream must end here: no byte left in the last frame, no frame after it.
    fn finish(&mut self) -> Result<()> {
        if self.pos < self.cur.len() {
            return Err(bad("bytes follow the trailer"));
        }
        let mut rest = Vec::new();
        if (self.source)(&mut rest)? {
            Err(bad(format!("frame {} follows the trailer", self.next)))
        } else {
            Ok(())
        }
    }
}

fn status_of(code: u32) -> Option<ShiftStatus> {
    ShiftStatus::ALL.get(code as usize).copied()
}

/// `ix < n`, or `NONE` when `none_ok`.
fn check_ref(ix: u32, n: usize, none_ok: bool, what: &dyn Fn() -> String) -> Result<()> {
    if (ix as usize) < n || (none_ok && ix == NONE) {
        Ok(())
    } else {
        Err(bad(format!("{} names index {ix} of {n}", what())))
    }
}

/// Inserts `id → ix`, refusing a repeated id.
fn index_insert(ix: &mut Index, id: &str, i: usize, what: &str) -> Result<()> {
    if ix.get(id).is_some() {
        return Err(bad(format!("{what} id `{id}` appears twice")));
    }
    ix.insert(id, u32::try_from(i).map_err(|_| bad("too many entities"))?);
    Ok(())
}

/// Marks `ix` seen; an index seen before is an error.
fn mark(seen: &mut [u64], ix: u32, what: &dyn Fn() -> String) -> Result<()> {
    let word = seen
        .get_mut(ix as usize / 64)
        .ok_or_else(|| bad(format!("{} is out of range", what())))?;
    let bit = 1u64 << (ix % 64);
    if *word & bit != 0 {
        return Err(bad(format!("{} is listed twice", what())));
    }
    *word |= bit;
    Ok(())
}

/// Decodes a binary snapshot from frames pulled from `source` (see the module docs), which
/// fills the buffer it is given with the next frame and returns `false` when there is none.
/// With `company`, the snapshot's company must equal it (the store's company row).
///
/// # Errors
/// [`Error::Storage`] naming the first thing that is wrong; `source`'s errors.
pub(crate) fn read(company: Option<&Company>, source: &mut FrameSource<'_>) -> Result<Twin> {
    let mut r = Reader {
        source,
        cur: Vec::new(),
        pos: 0,
        next: 0,
        last: false,
        frame_bytes: 0,
        entry: ("header", 0),
    };
    let twin = read_body(&mut r, company).map_err(|e| match e {
        Error::Storage { message } if r.entry.0 != "header" => Error::Storage {
            message: format!("{message} (in {} {})", r.entry.0, r.entry.1),
        },
        e => e,
    })?;
    r.finish()?;
    Ok(twin)
}

/// Every count of the header.
struct Counts {
    schedules: usize,
    contracts: usize,
    employees: usize,
    shifts: usize,
    open: usize,
    extra: usize,
    additions: usize,
    deductions: usize,
    advances: usize,
}

fn read_body(r: &mut Reader<'_>, expected: Option<&Company>) -> Result<Twin> {
    // 1. Header.
    if r.array::<8>()? != MAGIC {
        return Err(bad(
            "the bytes are not an ewa twin snapshot (no snapshot marker)",
        ));
    }
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(bad(format!(
            "format version {version}; this ewa reads version {FORMAT_VERSION}"
        )));
    }
    let config = r.string("the company")?;
    let config: Value =
        serde_json::from_str(&config).map_err(|e| bad(format!("the company is not JSON: {e}")))?;
    let company =
        Company::from_json(&config).map_err(|e| bad(format!("the company is invalid: {e}")))?;
    if let Some(c) = expected {
        if *c != company {
            return Err(bad(format!(
                "it holds company `{}`, not the expected `{}`",
                company.company_id, c.company_id
            )));
        }
    }
    let jobs = r.u64()?;
    let n = Counts {
        schedules: r.count("schedules")?,
        contracts: r.count("contracts")?,
        employees: r.count("employees")?,
        shifts: r.count("shifts")?,
        open: r.count("open shifts")?,
        extra: r.count("shift side records")?,
        additions: r.count("additions")?,
        deductions: r.count("deductions")?,
        advances: r.count("advances")?,
    };
    if n.shifts > SHIFTS_MAX as usize || n.open > n.shifts || n.extra > n.shifts {
        return Err(bad("the shift counts are out of range"));
    }
    let id_max = company.limits.id_chars_max;
    let mut twin = Twin::new(company);
    twin.jobs = jobs;

    // 2. Schedules.
    for i in 0..n.schedules {
        let id = r.id("a schedule id", id_max)?;
        let what = |f: &str| format!("schedule `{id}` {f}");
        let frequency = r.frequency(&what("frequency"))?;
        let alignment = if r.flag(&what("alignment"))? {
            Some(match r.u8()? {
                0 => Alignment::Arrears,
                1 => Alignment::Aligned,
                2 => Alignment::Advance,
                b => return Err(bad(what(&format!("alignment {b} is unknown")))),
            })
        } else {
            None
        };
        let np = r.count(&what("periods"))?;
        let mut periods: Vec<Period> = Vec::with_capacity(np.min(RESERVE_MAX));
        let mut period_ids = HashSet::new();
        for _ in 0..np {
            let p = Period {
                id: r.id("a pay period id", id_max)?,
                start: r.at()?,
                stop: r.at()?,
                pay_at: r.at()?,
            };
            if !period_ids.insert(p.id.clone()) {
                return Err(bad(what(&format!("has period `{}` twice", p.id))));
            }
            if let Some(prev) = periods.last() {
                // SPEC §2: sorted by start, no two overlap (touching is fine).
                if (prev.start, &prev.id) >= (p.start, &p.id) || prev.stop > p.start {
                    return Err(bad(what(&format!(
                        "periods `{}` and `{}` are out of order or overlap",
                        prev.id, p.id
                    ))));
                }
            }
            if alignment.is_some_and(|a| !a.holds(&p)) {
                return Err(bad(what(&format!(
                    "period `{}` breaks its alignment",
                    p.id
                ))));
            }
            periods.push(p);
        }
        let custom_info = r.opt_json(&what("custom_info"))?;
        index_insert(&mut twin.schedule_ix, &id, i, "schedule")?;
        twin.schedules.push(Schedule {
            id,
            frequency,
            alignment,
            periods,
            custom_info,
        });
    }

    // 3. Contracts.
    for i in 0..n.contracts {
        let id = r.id("a contract id", id_max)?;
        let what = |f: &str| format!("contract `{id}` {f}");
        let schedule = r.u32()?;
        check_ref(schedule, n.schedules, false, &|| what("schedule"))?;
        let currency = r.currency(&what("currency"))?;
        let rate_period = r.frequency(&what("rate period"))?;
        let nv = r.count(&what("rate versions"))?;
        if nv == 0 {
            return Err(bad(what("has no rate version")));
        }
        let mut versions: Vec<RateVersion> = Vec::with_capacity(nv.min(RESERVE_MAX));
        for _ in 0..nv {
            let v = RateVersion {
                from: r.at()?,
                amount: r.i64()?,
            };
            if versions.last().is_some_and(|p| p.from >= v.from) {
                return Err(bad(what("has rate versions out of order")));
            }
            versions.push(v);
        }
        let custom_info = r.opt_json(&what("custom_info"))?;
        let overtime = if r.flag(&what("overtime"))? {
            let weekly_threshold = r.opt_i64(&what("weekly threshold"))?;
            let daily_threshold = r.opt_i64(&what("daily threshold"))?;
            let multiplier = r.decimal(&what("overtime multiplier"))?;
            let double_time_threshold = r.opt_i64(&what("double-time threshold"))?;
            let double_time_multiplier = r.decimal(&what("double-time multiplier"))?;
            let secs = r.u32()?;
            let nanos = r.u32()?;
            let workday_starts_at = NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
                .ok_or_else(|| bad(what("workday_starts_at is not a time of day")))?;
            Some(Overtime {
                weekly_threshold,
                daily_threshold,
                multiplier,
                double_time_threshold,
                double_time_multiplier,
                workday_starts_at,
            })
        } else {
            None
        };
        index_insert(&mut twin.contract_ix, &id, i, "contract")?;
        twin.contracts.push(Contract {
            id,
            schedule,
            currency,
            rate_period,
            versions,
            custom_info,
            overtime,
        });
    }

    // 4. Employees (their shift lists come in section 8).
    let mut list_lens: Vec<usize> = Vec::with_capacity(n.employees.min(RESERVE_MAX));
    let mut listed = [0usize; 3];
    let mut listed_shifts = 0usize;
    for i in 0..n.employees {
        r.entry = ("employee", i);
        let id = r.id("an employee id", id_max)?;
        // Field names only (no allocation per employee); `read` names the entry on error.
        let what = |f: &'static str| f;
        let mut field = || r.opt_boxed(what("profile"));
        let profile = Profile {
            work_email: field()?,
            personal_email: field()?,
            given_name: field()?,
            family_name: field()?,
            honorific: field()?,
            work_phone: field()?,
            personal_phone: field()?,
        };
        let custom_info = r.json(what("custom_info"))?;
        let na = r.count(what("assignments"))?;
        let mut assignments = smallvec::SmallVec::with_capacity(na.min(RESERVE_MAX));
        for _ in 0..na {
            let contract = r.u32()?;
            check_ref(contract, n.contracts, false, &|| {
                what("assignment").to_string()
            })?;
            let ns = r.count(what("stints"))?;
            let mut stints = smallvec::SmallVec::with_capacity(ns.min(RESERVE_MAX));
            for _ in 0..ns {
                let start_on = r.opt_date(what("contract_start_on"))?;
                let stop_on = r.opt_date(what("contract_stop_on"))?;
                // As ingestion computes them (SPEC §2: local midnights).
                stints.push(Stint {
                    start_on,
                    stop_on,
                    start: start_on.map_or(Instant::MIN, |d| twin.company.midnight(d)),
                    end: stop_on
                        .and_then(|d| d.succ_opt())
                        .map_or(Instant::MAX, |d| twin.company.midnight(d)),
                });
            }
            assignments.push(Assignment { contract, stints });
        }
        let mut lists: [Vec<u32>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        let bounds = [n.additions, n.deductions, n.advances];
        for (k, list) in lists.iter_mut().enumerate() {
            let len = r.count(what("payment or advance list"))?;
            let bound = bounds.get(k).copied().unwrap_or(0);
            if len > bound {
                return Err(bad(what("lists more payments or advances than there are")));
            }
            list.reserve_exact(len);
            for _ in 0..len {
                let ix = r.u32()?;
                check_ref(ix, bound, false, &|| {
                    what("payment or advance list").to_string()
                })?;
                list.push(ix);
            }
            if let Some(c) = listed.get_mut(k) {
                *c += len;
            }
        }
        let [additions, deductions, advances] = lists;
        let ns = r.count(what("shift list"))?;
        listed_shifts = listed_shifts
            .checked_add(ns)
            .filter(|t| *t <= n.shifts)
            .ok_or_else(|| bad("the shift lists hold more shifts than there are"))?;
        list_lens.push(ns);
        index_insert(&mut twin.employee_ix, &id, i, "employee")?;
        twin.employees.push(Employee {
            id,
            profile,
            custom_info,
            assignments,
            shifts: Vec::new(),
            additions,
            deductions,
            advances,
        });
    }
    if listed_shifts + n.open != n.shifts {
        return Err(bad(format!(
            "the shift lists hold {} shifts, the header says {}",
            listed_shifts + n.open,
            n.shifts
        )));
    }

    // 5. Shift ids.
    let nchunks = r.count("shift id chunks")?;
    if nchunks != n.shifts.div_ceil(CHUNK_SHIFTS) {
        return Err(bad(format!(
            "{nchunks} shift id chunks for {} shifts",
            n.shifts
        )));
    }
    let mut chunks = Vec::with_capacity(nchunks);
    for k in 0..nchunks {
        let len = r.count("shift id chunk")?;
        let want = (n.shifts - k * CHUNK_SHIFTS).min(CHUNK_SHIFTS);
        if len != want {
            return Err(bad(format!(
                "shift id chunk {k} holds {len} ids, not {want}"
            )));
        }
        let mut ends = Vec::with_capacity(len);
        let mut prev = 0u32;
        for _ in 0..len {
            let end = r.u32()?;
            if end <= prev && !(ends.is_empty() && end > 0) {
                return Err(bad(format!(
                    "shift id chunk {k} has an empty or misplaced id"
                )));
            }
            ends.push(end);
            prev = end;
        }
        let text = r.string("shift ids")?;
        if text.len() != prev as usize {
            return Err(bad(format!(
                "shift id chunk {k}'s text does not end with its last id"
            )));
        }
        let mut start = 0usize;
        for &end in &ends {
            let end = end as usize;
            let id = text
                .get(start..end)
                .ok_or_else(|| bad(format!("shift id chunk {k} splits a character")))?;
            if id.len() as u64 > id_max && id.chars().count() as u64 > id_max {
                return Err(bad(format!("shift id `{id}` is too long")));
            }
            start = end;
        }
        chunks.push(Chunk { text, ends });
    }

    // The shift id index depends on the ids only: built on a second thread while sections
    // 6–9 are decoded (the source, a SQLite statement, stays on this one).
    let nshifts = n.shifts;
    let chunks_ref = &chunks;
    let (slots, parts) = std::thread::scope(|scope| {
        // Without a second thread (the system refused one), the index is built after.
        let builder = std::thread::Builder::new()
            .name("ewa-snapshot-index".into())
            .spawn_scoped(scope, move || index_slots(chunks_ref, nshifts))
            .ok();
        let parts = (|| -> Result<_> {
            // 6. The employee of each shift: the owner of the list that holds it (section 8).
            let mut employee = vec![NONE; n.shifts];

            // 7. Creating-job runs.
            let nruns = r.count("job runs")?;
            if nruns > n.shifts {
                return Err(bad("more job runs than shifts"));
            }
            let mut created: Vec<(u32, u64, Instant)> = Vec::with_capacity(nruns);
            for _ in 0..nruns {
                let run = (r.u32()?, r.u64()?, r.at()?);
                let ok = match created.last() {
                    None => run.0 == 0,
                    Some(prev) => prev.0 < run.0 && (prev.1, prev.2) != (run.1, run.2),
                };
                if !ok || run.0 as usize >= n.shifts {
                    return Err(bad(format!("job run at shift {} is out of order", run.0)));
                }
                created.push(run);
            }
            if n.shifts > 0 && created.is_empty() {
                return Err(bad("the shifts have no creating job"));
            }

            // 8. Current records, column by column.
            let mut seen = vec![0u64; n.shifts.div_ceil(64)];
            for (k, e) in twin.employees.iter_mut().enumerate() {
                let len = list_lens.get(k).copied().unwrap_or(0);
                e.shifts.reserve_exact(len);
                fill_ixs(r, &mut e.shifts, len, k as u32, &mut employee, &mut seen)?;
            }
            twin.open_shifts.reserve_exact(n.open);
            fill_ixs(
                r,
                &mut twin.open_shifts,
                n.open,
                NONE,
                &mut employee,
                &mut seen,
            )?;
            let nc = n.contracts;
            for list in lists_mut(&mut twin) {
                for rec in list.iter_mut() {
                    rec.contract = r.u32()?;
                    check_ref(rec.contract, nc, true, &|| {
                        format!("shift {}'s contract", rec.ix())
                    })?;
                }
            }
            for list in lists_mut(&mut twin) {
                for rec in list.iter_mut() {
                    rec.start = r.at()?;
                }
            }
            for list in lists_mut(&mut twin) {
                for rec in list.iter_mut() {
                    rec.stop = r.at()?;
                }
                // Sorted by (start, index), as accrual scans them.
                if list
                    .windows(2)
                    .any(|w| matches!(w, [a, b] if (a.start, a.ix()) >= (b.start, b.ix())))
                {
                    return Err(bad("a shift list is not sorted by (start, index)"));
                }
            }

            // 9. Side records.
            let mut extra: HashMap<u32, Extra> = HashMap::with_capacity(n.extra);
            let mut prev: Option<u32> = None;
            for _ in 0..n.extra {
                let ix = r.u32()?;
                if prev.is_some_and(|p| p >= ix) || ix as usize >= n.shifts {
                    return Err(bad(format!(
                        "shift side record {ix} is out of order or range"
                    )));
                }
                prev = Some(ix);
                r.entry = ("shift side record", ix as usize);
                let what = |f: &'static str| f;
                let custom_info = r.opt_json(what("custom_info"))?.map(Box::new);
                let job = if r.flag(what("job"))? {
                    Some((r.u64()?, r.at()?))
                } else {
                    None
                };
                let nh = r.count(what("history"))?;
                let mut history = Vec::with_capacity(nh.min(RESERVE_MAX));
                for _ in 0..nh {
                    let status = r.status(what("earlier status"))?;
                    let employee = r.u32()?;
                    check_ref(employee, n.employees, true, &|| {
                        what("earlier employee").to_string()
                    })?;
                    let contract = r.u32()?;
                    check_ref(contract, n.contracts, true, &|| {
                        what("earlier contract").to_string()
                    })?;
                    history.push(ShiftVersion {
                        status,
                        employee,
                        contract,
                        start: r.at()?,
                        stop: r.at()?,
                        custom_info: r.opt_json(what("earlier custom_info"))?.map(Box::new),
                        received_at: r.at()?,
                        job: r.u64()?,
                    });
                }
                extra.insert(
                    ix,
                    Extra {
                        custom_info,
                        job,
                        history,
                    },
                );
            }
            Ok((employee, created, extra))
        })();
        let slots = match builder {
            Some(b) => b.join().ok(),
            None => Some(index_slots(chunks_ref, nshifts)),
        };
        (slots, parts)
    });
    let (employee, created, extra) = parts?;
    let slots = slots
        .ok_or_else(|| bad("the id index builder failed"))?
        .map_err(|ix| bad(format!("shift {ix}'s id repeats an earlier shift's")))?;
    twin.shifts = ShiftStore::from_parts(chunks, slots, employee, created, extra);

    // 10. Payments: each listed once, by its employee.
    for (deduction, count, k) in [(false, n.additions, 0usize), (true, n.deductions, 1)] {
        let what = if deduction { "deduction" } else { "addition" };
        let mut list = Vec::with_capacity(count.min(RESERVE_MAX));
        let mut ix = Index::default();
        let mut linked = 0usize;
        for i in 0..count {
            r.entry = (what, i);
            let id = r.id("a payment id", id_max)?;
            let employee = r.u32()?;
            check_ref(employee, n.employees, true, &|| format!("{what} `{id}`"))?;
            let contract = if r.flag(what)? {
                let c = r.u32()?;
                check_ref(c, n.contracts, false, &|| {
                    format!("{what} `{id}`'s contract")
                })?;
                Some(c)
            } else {
                None
            };
            let currency = if r.flag(what)? {
                Some(r.currency(what)?)
            } else {
                None
            };
            let p = Payment {
                id,
                employee,
                contract,
                currency,
                amount: r.i64()?,
                effective_on: r.opt_date(what)?,
                instant: r.at()?,
                custom_info: r.opt_json(what)?,
            };
            if employee != NONE {
                linked += 1;
                let i32_ = u32::try_from(i).map_err(|_| bad("too many payments"))?;
                let owner = twin.employees.get(employee as usize).map(|e| {
                    if deduction {
                        &e.deductions
                    } else {
                        &e.additions
                    }
                });
                if !owner.is_some_and(|l| l.contains(&i32_)) {
                    return Err(bad(format!(
                        "{what} `{}` is not in its employee's list",
                        p.id
                    )));
                }
            }
            index_insert(&mut ix, &p.id, i, what)?;
            list.push(p);
        }
        if listed.get(k).copied() != Some(linked) {
            return Err(bad(format!(
                "the employees list {} {what}s, {linked} name an employee",
                listed.get(k).copied().unwrap_or(0)
            )));
        }
        if deduction {
            twin.deductions = list;
            twin.deduction_ix = ix;
        } else {
            twin.additions = list;
            twin.addition_ix = ix;
        }
    }
    // Each list entry names a payment of that employee (so, with the counts equal, every
    // linked payment is listed exactly once).
    for (k, e) in twin.employees.iter().enumerate() {
        let mine = |list: &[u32], all: &[Payment]| {
            list.iter().all(|&p| {
                all.get(p as usize)
                    .is_some_and(|p| p.employee as usize == k)
            })
        };
        if !mine(&e.additions, &twin.additions) || !mine(&e.deductions, &twin.deductions) {
            return Err(bad(format!("employee `{}` lists another's payment", e.id)));
        }
    }

    // 11. Advances.
    let mut linked = 0usize;
    for i in 0..n.advances {
        let a = read_advance(r, &twin, id_max)?;
        if a.employee != NONE {
            linked += 1;
            let i32_ = u32::try_from(i).map_err(|_| bad("too many advances"))?;
            let owner = twin.employees.get(a.employee as usize);
            if !owner.is_some_and(|e| e.advances.contains(&i32_)) {
                return Err(bad(format!(
                    "advance `{}` is not in its employee's list",
                    a.id
                )));
            }
        }
        index_insert(&mut twin.advance_ix, &a.id, i, "advance")?;
        twin.advances.push(a);
    }
    if listed.get(2).copied() != Some(linked) {
        return Err(bad(
            "the employees' advance lists do not match the advances",
        ));
    }
    for (k, e) in twin.employees.iter().enumerate() {
        // Recording order, each once, each this employee's.
        if e.advances.windows(2).any(|w| matches!(w, [a, b] if a >= b))
            || !e.advances.iter().all(|&a| {
                twin.advances
                    .get(a as usize)
                    .is_some_and(|a| a.employee as usize == k)
            })
        {
            return Err(bad(format!("employee `{}`'s advance list is wrong", e.id)));
        }
    }

    // 12. Trailer.
    if r.array::<4>()? != END || r.u64()? != n.shifts as u64 {
        return Err(bad("the trailer is missing or wrong"));
    }
    twin.cache = cache::Cache::default();
    Ok(twin)
}

/// The record lists of a twin, employees in order, then the open shifts.
fn lists_mut(twin: &mut Twin) -> impl Iterator<Item = &mut Vec<ShiftRec>> {
    twin.employees
        .iter_mut()
        .map(|e| &mut e.shifts)
        .chain(std::iter::once(&mut twin.open_shifts))
}

/// Reads `len` packed index + status words into `list`, checking each shift is listed
/// once, and records `owner` as its employee.
fn fill_ixs(
    r: &mut Reader<'_>,
    list: &mut Vec<ShiftRec>,
    len: usize,
    owner: u32,
    employee: &mut [u32],
    seen: &mut [u64],
) -> Result<()> {
    for _ in 0..len {
        let w = r.u32()?;
        let ix = w & ShiftRec::IX_MAX;
        let status = status_of(w >> 29).ok_or_else(|| bad("a shift status is unknown"))?;
        mark(seen, ix, &|| format!("shift {ix}"))?;
        if let Some(e) = employee.get_mut(ix as usize) {
            *e = owner;
        }
        list.push(ShiftRec::new(ix, status, NONE, Instant::MIN, Instant::MIN));
    }
    Ok(())
}

/// One advance decision, checked against the SPEC §6 invariants of a recorded decision
/// (as `Twin::restore_advance` checks the canonical export's).
fn read_advance(r: &mut Reader<'_>, twin: &Twin, id_max: u64) -> Result<Advance> {
    let id = r.id("an advance id", id_max)?;
    let fail = |m: &str| bad(format!("advance `{id}` {m}"));
    let employee_id = r.id("an advance's employee id", id_max)?;
    let employee = r.u32()?;
    if employee != NONE && twin.employee_ix.get(&employee_id) != Some(employee) {
        return Err(fail("names another employee than its employee id"));
    }
    let amount = r.i64()?;
    let requested_at = r.at()?;
    let delivery = match r.u8()? {
        0 => Delivery::Standard,
        1 => Delivery::Instant,
        _ => return Err(fail("has an unknown delivery")),
    };
    let accepted = r.flag("advance accepted")?;
    let fee = r.i64()?;
    let recovery = if r.flag("advance recovery")? {
        let schedule = r.u32()?;
        let period_id = r.id("a recovery period id", id_max)?;
        let pay_at = r.at()?;
        let known = twin
            .schedules
            .get(schedule as usize)
            .and_then(|s| s.period_index(&period_id))
            .is_some();
        if !known {
            return Err(fail("names an unknown recovery period"));
        }
        Some(RecoveryRef {
            schedule,
            period_id,
            pay_at,
        })
    } else {
        None
    };
    let nr = r.count("advance reasons")?;
    let mut reasons = Vec::with_capacity(nr.min(RESERVE_MAX));
    for _ in 0..nr {
        let code = r.u8()?;
        reasons.push(
            super::export::REASONS
                .get(code as usize)
                .copied()
                .ok_or_else(|| fail("has an unknown reason code"))?,
        );
    }
    let cancelled_at = r.opt_i64("advance cancelled_at")?.map(Instant::from_micros);
    twin.check_advance_decision(
        accepted,
        delivery,
        amount,
        fee,
        recovery.as_ref().map(|r| r.pay_at),
        reasons.is_empty(),
        requested_at,
        cancelled_at,
    )
    .map_err(fail)?;
    Ok(Advance {
        id,
        employee_id,
        employee,
        amount,
        requested_at,
        delivery,
        accepted,
        fee,
        recovery,
        reasons,
        cancelled_at,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::ingest::Kind;
    use serde_json::json;

    fn encode(twin: &Twin, frame_bytes: usize) -> Vec<Vec<u8>> {
        let mut frames = Vec::new();
        let n = twin
            .write_snapshot(frame_bytes, &mut |f| {
                frames.push(f.to_vec());
                Ok(())
            })
            .unwrap();
        assert_eq!(n as usize, frames.len());
        frames
    }

    fn source<'a>(frames: &'a [Vec<u8>]) -> impl FnMut(&mut Vec<u8>) -> Result<bool> + 'a {
        let mut it = frames.iter();
        move |buf| {
            Ok(it.next().is_some_and(|f| {
                buf.extend_from_slice(f);
                true
            }))
        }
    }

    fn decode(frames: &[Vec<u8>]) -> Result<Twin> {
        read(None, &mut source(frames))
    }

    fn assert_same(a: &Twin, b: &Twin) {
        assert!(a == b, "twins differ");
        assert!(a.same_shift_jobs(b), "shift jobs differ");
        assert_eq!(a.job_count(), b.job_count());
        assert_eq!(a.counts(), b.counts());
        assert!(a.shift_storage_bytes() <= b.shift_storage_bytes());
        for e in &a.employees {
            assert_eq!(a.employee_ix.get(&e.id), b.employee_ix.get(&e.id));
        }
        for ix in 0..a.shifts.len() as u32 {
            assert_eq!(b.shifts.get(a.shifts.id(ix)), Some(ix));
        }
    }

    /// A generated payroll, then updates that give shifts histories, side records and
    /// open slots, and a payment moved between employees.
    fn rich() -> Twin {
        let o = crate::generate::Options {
            employees: 12,
            shifts_per_employee: 6,
            ..crate::generate::Options::default()
        };
        let mut twin = crate::generate::twin(&o).unwrap();
        let at = o.received_at().checked_add_micros(3_600_000_000).unwrap();
        let mut recs = Vec::new();
        for ix in [0u32, 3, 7, 11] {
            let e = twin.shifts.employee[ix as usize];
            let emp = &twin.employees[e as usize];
            let r = emp.shifts.iter().find(|r| r.ix() == ix).unwrap();
            let mut m = json!({
                "shift_id": twin.shifts.id(ix),
                "shift_status": "voided",
                "employee_id": &*emp.id,
                "start_at": r.start.to_string(),
                "stop_at": r.stop.to_string(),
                "custom_info": {"note": format!("updated {ix}"), "n": ix},
            });
            if ix == 11 {
                m.as_object_mut().unwrap().remove("employee_id");
                m["shift_status"] = json!("available");
            }
            recs.push(m);
        }
        recs.push(json!({
            "shift_id": "open-1", "shift_status": "available",
            "start_at": "2026-03-02T08:00:00Z", "stop_at": "2026-03-02T12:00:00Z"
        }));
        let rep = twin.apply(Kind::Shifts, &recs, at).unwrap();
        assert!(rep.count_accepted >= 4, "{rep:?}");
        assert!(!twin.open_shifts.is_empty());
        assert!(twin.shifts.extra.values().any(|x| !x.history.is_empty()));
        twin
    }

    #[test]
    fn a_generated_payroll_round_trips_equal() {
        let twin = rich();
        for frame in [FRAME_BYTES_MAX, 4096, 97, 1] {
            let frames = encode(&twin, frame);
            let back = decode(&frames).unwrap();
            assert_same(&back, &twin);
            // Deterministic: encoding the decoded twin gives the same bytes.
            assert_eq!(encode(&back, frame), frames);
        }
        let empty = Twin::new(twin.company.clone());
        assert_same(&decode(&encode(&empty, 64)).unwrap(), &empty);
    }

    #[test]
    fn a_larger_generated_payroll_round_trips_equal() {
        let o = crate::generate::Options {
            employees: 300,
            shifts_per_employee: 40,
            ..crate::generate::Options::default()
        };
        let twin = crate::generate::twin(&o).unwrap();
        let frames = encode(&twin, 1 << 16);
        assert!(frames.len() > 1);
        assert_same(&decode(&frames).unwrap(), &twin);
    }

    #[test]
    fn the_expected_company_is_checked() {
        let twin = rich();
        let frames = encode(&twin, FRAME_BYTES_MAX);
        let other = Company::new("other", chrono_tz::UTC);
        let e = read(Some(&other), &mut source(&frames)).unwrap_err();
        assert!(e.to_string().contains("not the expected `other`"), "{e}");
        assert!(read(Some(&twin.company), &mut source(&frames)).is_ok());
    }

    /// Every truncation and every flipped byte of a small snapshot is an error, never a
    /// panic or a different twin.
    #[test]
    fn every_truncation_and_flipped_byte_is_an_error() {
        let mut twin = Twin::new(Company::new("t", chrono_tz::UTC));
        let at = Instant::from_micros(1_780_000_000_000_000);
        let batches = [
            (
                Kind::PaySchedules,
                json!([{"pay_schedule_id": "m", "frequency": "monthly",
                "periods": [{"pay_period_id": "p1", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]}]),
            ),
            (
                Kind::Contracts,
                json!([{"contract_id": "c", "pay_schedule_id": "m", "currency": "EUR",
                "wage_rate_period": "hourly", "wage_rate_amount": 2000}]),
            ),
            (
                Kind::Employees,
                json!([{"employee_id": "e", "contract_id": "c", "contract_start_on": "2026-01-01"}]),
            ),
            (
                Kind::Shifts,
                json!([{"shift_id": "s1", "shift_status": "approved", "employee_id": "e",
                "start_at": "2026-06-02T08:00:00Z", "stop_at": "2026-06-02T16:00:00Z"},
                {"shift_id": "s2", "shift_status": "available",
                "start_at": "2026-06-03T08:00:00Z", "stop_at": "2026-06-03T16:00:00Z"}]),
            ),
            (
                Kind::Shifts,
                json!([{"shift_id": "s1", "shift_status": "voided", "employee_id": "e",
                "start_at": "2026-06-02T08:00:00Z", "stop_at": "2026-06-02T16:00:00Z", "custom_info": {"k": 1}}]),
            ),
            (
                Kind::Additions,
                json!([{"payment_id": "a", "employee_id": "e", "amount": 500}]),
            ),
        ];
        for (kind, recs) in batches {
            let rep = twin.apply(kind, recs.as_array().unwrap(), at).unwrap();
            assert_eq!(rep.count_rejected, 0, "{kind:?}: {rep:?}");
        }
        assert_eq!(twin.counts().shifts, 2);
        for frame in [FRAME_BYTES_MAX, 64] {
            let frames = encode(&twin, frame);
            assert_same(&decode(&frames).unwrap(), &twin);
            // Frames dropped from the end, or repeated.
            for keep in 0..frames.len() {
                assert!(decode(&frames[..keep]).is_err());
            }
            let mut twice = frames.clone();
            twice.push(frames[0].clone());
            assert!(decode(&twice).is_err());
            for (k, f) in frames.iter().enumerate() {
                for cut in 0..f.len() {
                    let mut fs = frames.clone();
                    fs[k].truncate(cut);
                    let e = decode(&fs).unwrap_err();
                    assert!(e.to_string().contains("snapshot: "), "{e}");
                }
                for i in 0..f.len() {
                    for bit in [0x01u8, 0x80] {
                        let mut fs = frames.clone();
                        fs[k][i] ^= bit;
                        assert!(decode(&fs).is_err(), "frame {k} byte {i} bit {bit:#x}");
                    }
                }
            }
        }
    }

    /// Bytes that pass the frame checks but are not a valid stream (a forged frame) are
    /// still refused: the checks after the checksum hold on their own.
    #[test]
    fn forged_frames_with_valid_checksums_are_refused() {
        let twin = rich();
        let frames = encode(&twin, FRAME_BYTES_MAX);
        let payload = frames[0][FRAME_HEAD..frames[0].len() - FRAME_TAIL].to_vec();
        let forge = |p: &[u8]| {
            let mut f = FRAME_MAGIC.to_vec();
            f.extend_from_slice(&0u32.to_le_bytes());
            f.extend_from_slice(&(p.len() as u32).to_le_bytes());
            f.extend_from_slice(p);
            f.extend_from_slice(&checksum(0, p).to_le_bytes());
            f
        };
        assert!(decode(&[forge(&payload)]).is_ok());
        // Every single-byte change in a window over the header and early sections, and
        // every truncation, with valid framing: an error or an equal twin (a change to a
        // value the format cannot check, e.g. an amount), never a panic.
        let mut refused = 0;
        for i in 0..payload.len().min(3000) {
            for v in [0u8, 0xff, 0x7f] {
                let mut p = payload.clone();
                if p[i] == v {
                    continue;
                }
                p[i] = v;
                if decode(&[forge(&p)]).is_err() {
                    refused += 1;
                }
            }
        }
        assert!(refused > 0);
        for cut in 0..payload.len() {
            assert!(decode(&[forge(&payload[..cut])]).is_err() || cut == payload.len());
        }
    }
}
