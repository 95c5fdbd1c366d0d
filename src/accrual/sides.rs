//! Which of an employee's shifts have breaks or tips (a performance device; no rule lives
//! here). The unpaid breaks (SPEC §5.6) and tips (SPEC §5.7) of a shift version are kept in
//! a side table keyed by shift index, and every paid-time walk reads it shift by shift: a
//! hashed look-up each, a cache miss on a large payroll. Which records of the employee's
//! shift list have such a record is kept (one bit each) with the employee's overtime
//! classification in the twin's cache (dropped with it whenever the employee's shift list
//! changes, the only way a side record changes), so that a shift without one costs a bit test, and an
//! employee without tips skips the tips walk; an answer looks up the records of the shifts
//! it reads once ([`Memo`]).

use super::Accrual;
use super::Books;
use crate::model::{Employee, ShiftExt, ShiftRec};
use smallvec::SmallVec;

/// The employee's shifts with a side record (breaks or tips), by position in its shift list.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sides {
    /// Bit `k % 64` of word `k / 64` set when the `k`-th record of the list has one.
    bits: Box<[u64]>,
    /// Whether any of them has tips.
    tips: bool,
}

impl Sides {
    /// The side records of `emp`'s shift list in `twin`.
    pub fn of(twin: &Books, emp: &Employee) -> Sides {
        let mut bits: Vec<u64> = Vec::new();
        let mut tips = false;
        if !twin.shifts.ext.is_empty() {
            bits.resize(emp.shifts.len().div_ceil(64), 0);
            for (k, r) in emp.shifts.iter().enumerate() {
                if let Some(x) = twin.shifts.ext(r.ix()) {
                    if let Some(w) = bits.get_mut(k / 64) {
                        *w |= 1 << (k % 64);
                    }
                    tips |= x.tips.is_some();
                }
            }
        }
        Sides {
            bits: bits.into_boxed_slice(),
            tips,
        }
    }

    /// Bytes on the heap.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val::<[u64]>(&self.bits)
    }

    /// Whether the `k`-th record has a side record (`None`: out of the list).
    fn has(&self, k: usize) -> Option<bool> {
        self.bits.get(k / 64).map(|w| w & (1 << (k % 64)) != 0)
    }
}

/// How many records from the answer's first one [`memo`] looks up ahead of time.
pub(crate) const MEMO_MAX: usize = 48;

/// The side records of the records `first..` (at most [`MEMO_MAX`]) of `list`, looked up
/// once per answer (the walks read each several times; a hashed look-up is a cache miss).
pub(crate) type Memo<'a> = SmallVec<[Option<&'a ShiftExt>; MEMO_MAX]>;

/// See [`Memo`]: `None` where `sides` says a record has no side record.
pub(crate) fn memo<'a>(
    twin: &'a Books,
    list: &[ShiftRec],
    sides: &Sides,
    first: usize,
) -> Memo<'a> {
    let end = list.len().min(first.saturating_add(MEMO_MAX));
    (first..end)
        .map(|k| match (sides.has(k), list.get(k)) {
            (Some(true), Some(r)) => twin.shifts.ext(r.ix()),
            _ => None,
        })
        .collect()
}

impl<'a> Accrual<'a> {
    /// Shift `r`'s side record (what `twin.shifts.ext` gives): from the answer's [`Memo`],
    /// else the employee's [`Sides`] bits, else the twin's table.
    #[inline]
    pub(crate) fn side(&self, r: &ShiftRec) -> Option<&'a ShiftExt> {
        let Some(sides) = self.sides else {
            return self.twin.shifts.ext(r.ix());
        };
        let Some(k) = position(&self.emp.shifts, r) else {
            return self.twin.shifts.ext(r.ix());
        };
        let (first, memo) = &self.side_memo;
        if let Some(hit) = k.checked_sub(*first).and_then(|i| memo.get(i)) {
            return *hit;
        }
        match sides.has(k) {
            Some(false) => None,
            _ => self.twin.shifts.ext(r.ix()),
        }
    }

    /// Whether no shift of the employee can have tips (then tips are 0 everywhere).
    #[inline]
    pub(crate) fn no_tips(&self) -> bool {
        self.twin.shifts.ext.is_empty() || self.sides.is_some_and(|s| !s.tips)
    }
}

/// The position of `r` in `list` when it is one of its records (by address; every walk
/// passes records of the list), checked by index.
#[inline]
fn position(list: &[ShiftRec], r: &ShiftRec) -> Option<usize> {
    let size = std::mem::size_of::<ShiftRec>();
    let offset = (std::ptr::from_ref(r) as usize).checked_sub(list.as_ptr() as usize)?;
    let k = offset / size;
    let hit = offset % size == 0 && list.get(k).is_some_and(|x| x.ix() == r.ix());
    hit.then_some(k)
}
