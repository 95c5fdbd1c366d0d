//! The breaks and tips of an employee's shifts, copied next to the employee (a performance
//! device; no rule lives here). The unpaid breaks (SPEC §5.6) and tips (SPEC §5.7) of a
//! shift version are kept in a side table keyed by shift index, and every paid-time walk
//! reads them shift by shift: a hashed look-up each, a cache miss on a large payroll. So the
//! side records of the employee's shift list are copied, in list order, into one array kept
//! with the employee's overtime classification in the twin's cache (dropped with it
//! whenever the employee's shift list changes, the only way a side record changes), with one
//! bit per record saying which have one: a shift without one costs a bit test, a shift with
//! one reads the employee's own array, and an employee without tips skips the tips walk.

use super::Accrual;
use super::Books;
use crate::model::{Employee, ShiftExt, ShiftRec};

/// The side records (breaks, tips) of an employee's shift list, by position in the list.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sides {
    /// Bit `k % 64` of word `k / 64` set when the `k`-th record of the list has one.
    bits: Box<[u64]>,
    /// Per word of `bits`, how many bits the words before it set.
    ranks: Box<[u32]>,
    /// The side records, in list order (one per set bit).
    exts: Box<[ShiftExt]>,
    /// Whether any of them has tips.
    tips: bool,
}

impl Sides {
    /// The side records of `emp`'s shift list in `twin`.
    pub fn of(twin: &Books, emp: &Employee) -> Sides {
        let mut bits: Vec<u64> = Vec::new();
        let mut exts: Vec<ShiftExt> = Vec::new();
        if !twin.shifts.ext.is_empty() {
            bits.resize(emp.shifts.len().div_ceil(64), 0);
            for (k, r) in emp.shifts.iter().enumerate() {
                if let Some(x) = twin.shifts.ext(r.ix()) {
                    if let Some(w) = bits.get_mut(k / 64) {
                        *w |= 1 << (k % 64);
                    }
                    exts.push(x.clone());
                }
            }
        }
        let ranks = bits
            .iter()
            .scan(0u32, |seen, w| {
                let before = *seen;
                *seen = seen.saturating_add(w.count_ones());
                Some(before)
            })
            .collect();
        let tips = exts.iter().any(|x| x.tips.is_some());
        Sides {
            bits: bits.into_boxed_slice(),
            ranks,
            exts: exts.into_boxed_slice(),
            tips,
        }
    }

    /// Bytes on the heap.
    pub fn heap_bytes(&self) -> usize {
        let breaks: usize = self
            .exts
            .iter()
            .filter_map(|x| x.breaks.as_deref())
            .map(std::mem::size_of_val)
            .sum();
        std::mem::size_of_val::<[u64]>(&self.bits)
            + std::mem::size_of_val::<[u32]>(&self.ranks)
            + std::mem::size_of_val::<[ShiftExt]>(&self.exts)
            + breaks
    }

    /// The side record of the `k`-th record of the list: `Some(None)` when it has none,
    /// `None` when `k` is out of the list.
    #[inline]
    fn get(&self, k: usize) -> Option<Option<&ShiftExt>> {
        let w = *self.bits.get(k / 64)?;
        let bit = 1u64 << (k % 64);
        if w & bit == 0 {
            return Some(None);
        }
        let rank = *self.ranks.get(k / 64)? as usize + (w & (bit - 1)).count_ones() as usize;
        Some(self.exts.get(rank))
    }
}

impl<'a> Accrual<'a> {
    /// Shift `r`'s side record (what `twin.shifts.ext` gives): from the employee's
    /// [`Sides`], else the twin's table.
    #[inline]
    pub(crate) fn side(&self, r: &ShiftRec) -> Option<&'a ShiftExt> {
        let found = match self.sides {
            // Most employees have no side record at all: no position to find.
            Some(sides) if sides.exts.is_empty() => return None,
            Some(sides) => position(&self.emp.shifts, r).and_then(|k| sides.get(k)),
            None => None,
        };
        match found {
            Some(x) => x,
            None => self.twin.shifts.ext(r.ix()),
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
