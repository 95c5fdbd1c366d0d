//! The reading half of the frame layer: [`Reader`] pulls frames, checks each (marker,
//! number, length, checksum) and reads the stream's values across frame boundaries; small
//! helpers check the references and ids it reads.

use super::{
    bad, checksum, frame_checksum, FRAME_BYTES_MAX, FRAME_HEAD, FRAME_MAGIC, FRAME_TAIL, NO_IX,
    RESERVE_MAX,
};
use crate::calendar::{Frequency, Instant};
use crate::error::Result;
use crate::model::ShiftStatus;
use crate::model::{Arena, Index, Ix};
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::str::FromStr;

/// Where [`read`] pulls frames from: it fills the buffer with the next frame and returns
/// `false` when there is none.
pub(crate) type FrameSource<'a> = dyn FnMut(&mut Vec<u8>) -> Result<bool> + 'a;

/// Reads the stream from frames pulled from `source`, checking each.
pub(super) struct Reader<'a> {
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
    pub(super) entry: (&'static str, usize),
}

impl<'a> Reader<'a> {
    /// A reader of the frames `source` gives, before frame 0.
    pub(super) fn new(source: &'a mut FrameSource<'a>) -> Reader<'a> {
        Reader {
            source,
            cur: Vec::new(),
            pos: 0,
            next: 0,
            last: false,
            frame_bytes: 0,
            entry: ("header", 0),
        }
    }

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

    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
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

    pub(super) fn u8(&mut self) -> Result<u8> {
        let [b] = self.array::<1>()?;
        Ok(b)
    }
    pub(super) fn u32(&mut self) -> Result<u32> {
        self.array::<4>().map(u32::from_le_bytes)
    }
    pub(super) fn u64(&mut self) -> Result<u64> {
        self.array::<8>().map(u64::from_le_bytes)
    }
    pub(super) fn i64(&mut self) -> Result<i64> {
        self.array::<8>().map(i64::from_le_bytes)
    }
    pub(super) fn at(&mut self) -> Result<Instant> {
        self.i64().map(Instant::from_micros)
    }
    pub(super) fn flag(&mut self, what: &str) -> Result<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(bad(format!("{what}: {b} is not a flag (0 or 1)"))),
        }
    }
    pub(super) fn string(&mut self, what: &str) -> Result<String> {
        let n = self.u32()? as usize;
        let mut v = Vec::with_capacity(n.min(RESERVE_MAX));
        self.take_into(n, &mut v)?;
        String::from_utf8(v).map_err(|_| bad(format!("{what} is not UTF-8")))
    }
    pub(super) fn boxed(&mut self, what: &str) -> Result<Box<str>> {
        self.string(what).map(String::into_boxed_str)
    }
    pub(super) fn id(&mut self, what: &str, max: u64) -> Result<Box<str>> {
        let s = self.boxed(what)?;
        if s.is_empty() || (s.len() as u64 > max && s.chars().count() as u64 > max) {
            return Err(bad(format!("{what} `{s}` is empty or too long")));
        }
        Ok(s)
    }
    pub(super) fn opt_boxed(&mut self, what: &str) -> Result<Option<Box<str>>> {
        Ok(if self.flag(what)? {
            Some(self.boxed(what)?)
        } else {
            None
        })
    }
    pub(super) fn opt_i64(&mut self, what: &str) -> Result<Option<i64>> {
        Ok(if self.flag(what)? {
            Some(self.i64()?)
        } else {
            None
        })
    }
    pub(super) fn date(&mut self, what: &str) -> Result<NaiveDate> {
        let d = i32::from_le_bytes(self.array::<4>()?);
        NaiveDate::from_num_days_from_ce_opt(d)
            .ok_or_else(|| bad(format!("{what}: {d} is not a date")))
    }
    pub(super) fn opt_date(&mut self, what: &str) -> Result<Option<NaiveDate>> {
        Ok(if self.flag(what)? {
            Some(self.date(what)?)
        } else {
            None
        })
    }
    pub(super) fn json(&mut self, what: &str) -> Result<Map<String, Value>> {
        let text = self.string(what)?;
        serde_json::from_str::<Map<String, Value>>(&text)
            .map_err(|e| bad(format!("{what} is not a JSON object: {e}")))
    }
    pub(super) fn opt_json(&mut self, what: &str) -> Result<Option<Map<String, Value>>> {
        Ok(if self.flag(what)? {
            Some(self.json(what)?)
        } else {
            None
        })
    }
    pub(super) fn decimal(&mut self, what: &str) -> Result<Option<Decimal>> {
        match self.opt_boxed(what)? {
            None => Ok(None),
            Some(s) => Decimal::from_str(&s)
                .map(Some)
                .map_err(|_| bad(format!("{what} `{s}` is not a decimal"))),
        }
    }
    pub(super) fn currency(&mut self, what: &str) -> Result<Currency> {
        let code = self.array::<3>()?;
        std::str::from_utf8(&code)
            .ok()
            .and_then(Currency::parse)
            .ok_or_else(|| bad(format!("{what} is not an ISO 4217 code")))
    }
    pub(super) fn frequency(&mut self, what: &str) -> Result<Frequency> {
        let b = self.u8()?;
        Frequency::ALL
            .get(b as usize)
            .copied()
            .ok_or_else(|| bad(format!("{what}: {b} is not a frequency")))
    }
    pub(super) fn status(&mut self, what: &str) -> Result<ShiftStatus> {
        let b = self.u8()?;
        status_of(u32::from(b)).ok_or_else(|| bad(format!("{what}: {b} is not a shift status")))
    }
    /// A count of entities addressed by `u32` indexes (below [`NO_IX`]).
    pub(super) fn count(&mut self, what: &str) -> Result<usize> {
        let n = self.u32()?;
        if n == NO_IX {
            return Err(bad(format!("{what}: {n} is too many")));
        }
        Ok(n as usize)
    }
    /// The stream must end here: no byte left in the last frame, no frame after it.
    pub(super) fn finish(&mut self) -> Result<()> {
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

pub(super) fn status_of(code: u32) -> Option<ShiftStatus> {
    ShiftStatus::ALL.get(code as usize).copied()
}

/// `ix < n`, or [`NO_IX`] when `none_ok`.
pub(super) fn check_ref(ix: u32, n: usize, none_ok: bool, what: &dyn Fn() -> String) -> Result<()> {
    if (ix as usize) < n || (none_ok && ix == NO_IX) {
        Ok(())
    } else {
        Err(bad(format!("{} names index {ix} of {n}", what())))
    }
}

/// The typed index `ix` after [`check_ref`] found it below `n` (the arena's decoded count).
pub(super) fn ix_of<I: Ix>(ix: u32, n: usize, what: &dyn Fn() -> String) -> Result<I> {
    check_ref(ix, n, false, what)?;
    I::below(ix, n).ok_or_else(|| bad(format!("{} names index {ix} of {n}", what())))
}

/// The optional index `ix`: none for [`NO_IX`], else [`ix_of`].
pub(super) fn opt_ix_of<I: Ix>(ix: u32, n: usize, what: &dyn Fn() -> String) -> Result<Option<I>> {
    if ix == NO_IX {
        Ok(None)
    } else {
        ix_of(ix, n, what).map(Some)
    }
}

/// Pushes `t` onto `arena` and maps its id to its index, refusing a repeated id.
pub(super) fn push_indexed<I: Ix, T>(
    arena: &mut Arena<I, T>,
    index: &mut Index<I>,
    t: T,
    id_of: fn(&T) -> &str,
    what: &str,
) -> Result<I> {
    if index.get(id_of(&t)).is_some() {
        return Err(bad(format!("{what} id `{}` appears twice", id_of(&t))));
    }
    let ix = arena.next_ix().map_err(|_| bad("too many entities"))?;
    index.insert(id_of(&t), ix);
    arena.push(t).map_err(|_| bad("too many entities"))
}
