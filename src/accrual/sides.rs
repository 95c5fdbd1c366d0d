//! The breaks and tips of an employee's shifts, copied next to the employee (a performance
//! device; no rule lives here). The unpaid breaks (SPEC §5.6) and tips (SPEC §5.7) of a
//! shift version are kept in side tables keyed by shift index, and every paid-time walk
//! reads them shift by shift: a hashed look-up each, a cache miss on a large payroll. So the
//! side records of the employee's shift list are copied, in list order, into arrays kept
//! with the employee's overtime classification in the twin's cache (dropped with it
//! whenever the employee's shift list changes, the only way a side record changes), with two
//! bits per record saying which have tips and which a break list: a shift without one costs
//! a bit test, a shift with one reads the employee's own arrays by rank, and an employee
//! without tips skips the tips walk.
//!
//! The copy is compact: tips as plain integers, the break lists one after another in one
//! array of spans with their ends beside the tips (issue #14: the copy of whole side records,
//! 32 bytes each, cost 5 bytes per shift of cache).

use super::Accrual;
use super::Books;
use crate::model::{Employee, ShiftRec, Span};

/// Which of [`Sides::words`]' bit words: the records with tips, or with a break list.
const TIPS: usize = 0;
/// See [`TIPS`].
const BREAKS: usize = 1;

/// The side records (breaks, tips) of an employee's shift list, by position in the list.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sides {
    /// Per 64 records of the list (group `g`, records `64g..64g + 64`): at `2g` a word of
    /// tips bits, at `2g + 1` a word of breaks bits (bit `k % 64` set when record `k` has
    /// one); then, at `2·groups + g − 1` for every group after the first, the records
    /// with tips (low half) and with breaks (high half) before it. Empty when the list has
    /// no side record.
    words: Box<[u64]>,
    /// The tips of the records with tips, in list order; then, per record with breaks in
    /// list order, the end of its breaks in `spans`.
    vals: Box<[i64]>,
    /// The break lists of the records with breaks, one after another.
    spans: Box<[Span]>,
    /// How many records have tips (the first entries of `vals`).
    tips: u32,
    /// How many groups of 64 records (the list's length / 64, rounded up).
    groups: u32,
}

impl Sides {
    /// The side records of `emp`'s shift list in `twin`.
    pub fn of(twin: &Books, emp: &Employee) -> Sides {
        let tables = &twin.shifts.ext;
        if tables.is_empty() {
            return Sides::default();
        }
        let groups = emp.shifts.len().div_ceil(64);
        let mut words = vec![0u64; (3 * groups).saturating_sub(1)];
        let mut tips: Vec<i64> = Vec::new();
        let mut ends: Vec<i64> = Vec::new();
        let mut spans: Vec<Span> = Vec::new();
        for (k, r) in emp.shifts.iter().enumerate() {
            let g = k / 64;
            if k % 64 == 0 && g > 0 {
                // The counts before this group (below 2^29 shifts: each fits its half).
                if let Some(w) = words.get_mut(2 * groups + g - 1) {
                    *w = tips.len() as u64 | (ends.len() as u64) << 32;
                }
            }
            // Most shifts have no record: one bit test, no look-up.
            if !tables.flagged(r.ix()) {
                continue;
            }
            if let Some(t) = tables.tips(r.ix()) {
                set_bit(&mut words, 2 * g + TIPS, k);
                tips.push(t);
            }
            if let Some(b) = tables.breaks(r.ix()) {
                set_bit(&mut words, 2 * g + BREAKS, k);
                spans.extend_from_slice(b);
                ends.push(spans.len() as i64);
            }
        }
        if tips.is_empty() && ends.is_empty() {
            return Sides::default();
        }
        let count = tips.len() as u32;
        tips.append(&mut ends);
        Sides {
            words: words.into_boxed_slice(),
            vals: tips.into_boxed_slice(),
            spans: spans.into_boxed_slice(),
            tips: count,
            groups: u32::try_from(groups).unwrap_or(u32::MAX),
        }
    }

    /// Bytes on the heap.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val::<[u64]>(&self.words)
            + std::mem::size_of_val::<[i64]>(&self.vals)
            + std::mem::size_of_val::<[Span]>(&self.spans)
    }

    /// Whether some record has tips.
    #[inline]
    fn has_tips(&self) -> bool {
        self.tips > 0
    }

    /// Whether some record has a break list.
    #[inline]
    fn has_breaks(&self) -> bool {
        self.vals.len() > self.tips as usize
    }

    /// Among the records with a `kind` ([`TIPS`], [`BREAKS`]), the rank of the `k`-th
    /// record of the list: `Some(None)` when it has none, `None` when `k` is out of the
    /// list.
    #[inline]
    fn rank(&self, k: usize, kind: usize) -> Option<Option<usize>> {
        let g = k / 64;
        let w = *self.words.get(2 * g + kind)?;
        let bit = 1u64 << (k % 64);
        if w & bit == 0 {
            return Some(None);
        }
        let before = match g {
            0 => 0,
            _ => {
                let counts = *self.words.get(2 * self.groups as usize + g - 1)?;
                (counts >> (32 * kind)) as u32 as usize
            }
        };
        Some(Some(before + (w & (bit - 1)).count_ones() as usize))
    }

    /// The tips of the `k`-th record (0 when none); `None` when `k` is out of the list.
    #[inline]
    fn tips_of(&self, k: usize) -> Option<i64> {
        match self.rank(k, TIPS)? {
            None => Some(0),
            Some(rank) => self.vals.get(rank).copied(),
        }
    }

    /// The breaks of the `k`-th record: `Some(None)` when it has no list, `None` when `k`
    /// is out of the list.
    #[inline]
    fn breaks_of(&self, k: usize) -> Option<Option<&[Span]>> {
        let Some(rank) = self.rank(k, BREAKS)? else {
            return Some(None);
        };
        let at = self.tips as usize + rank;
        let start = match rank {
            0 => 0,
            _ => usize::try_from(*self.vals.get(at - 1)?).ok()?,
        };
        let end = usize::try_from(*self.vals.get(at)?).ok()?;
        Some(Some(self.spans.get(start..end)?))
    }
}

/// Sets record `k`'s bit in the word at `at`.
fn set_bit(words: &mut [u64], at: usize, k: usize) {
    if let Some(w) = words.get_mut(at) {
        *w |= 1 << (k % 64);
    }
}

impl<'a> Accrual<'a> {
    /// Shift `r`'s tips (0 when none; what `twin.shifts.ext.tips` gives): from the
    /// employee's [`Sides`], else the twin's table.
    #[inline]
    pub(crate) fn side_tips(&self, r: &ShiftRec) -> i64 {
        let found = match self.sides {
            // Most employees have no tips at all: no position to find.
            Some(sides) if !sides.has_tips() => return 0,
            Some(sides) => position(&self.emp.shifts, r).and_then(|k| sides.tips_of(k)),
            None => None,
        };
        found.unwrap_or_else(|| self.twin.shifts.ext.tips(r.ix()).unwrap_or(0))
    }

    /// Shift `r`'s break list (what `twin.shifts.ext.breaks` gives): from the employee's
    /// [`Sides`], else the twin's table.
    #[inline]
    pub(crate) fn side_breaks(&self, r: &ShiftRec) -> Option<&'a [Span]> {
        let found = match self.sides {
            // Most employees have no break list at all: no position to find.
            Some(sides) if !sides.has_breaks() => return None,
            Some(sides) => position(&self.emp.shifts, r).and_then(|k| sides.breaks_of(k)),
            None => None,
        };
        match found {
            Some(x) => x,
            None => self.twin.shifts.ext.breaks(r.ix()),
        }
    }

    /// Whether no shift of the employee can have tips (then tips are 0 everywhere).
    #[inline]
    pub(crate) fn no_tips(&self) -> bool {
        !self.twin.shifts.ext.has_tips() || self.sides.is_some_and(|s| !s.has_tips())
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// Every record of every list reads from the copy what the twin's tables hold, past
    /// the first 64 records too (the counts of the words before).
    #[test]
    fn the_copy_reads_as_the_tables_in_long_lists() {
        let o = crate::generate::Options {
            employees: 40,
            shifts_per_employee: 200,
            ..crate::generate::Options::default()
        };
        let twin = crate::generate::twin(&o).unwrap();
        let books = &twin.books;
        let tables = &books.shifts.ext;
        let (mut late_tips, mut late_breaks) = (0, 0);
        for emp in books.employees.iter() {
            let sides = Sides::of(books, emp);
            for (k, r) in emp.shifts.iter().enumerate() {
                let tips = tables.tips(r.ix());
                let breaks = tables.breaks(r.ix());
                assert_eq!(sides.tips_of(k), Some(tips.unwrap_or(0)), "{} {k}", emp.id);
                assert_eq!(sides.breaks_of(k), Some(breaks), "{} {k}", emp.id);
                if k >= 128 {
                    late_tips += usize::from(tips.is_some());
                    late_breaks += usize::from(breaks.is_some());
                }
            }
            let n_tips = emp.shifts.iter().filter(|r| tables.tips(r.ix()).is_some());
            assert_eq!(sides.tips as usize, n_tips.count());
        }
        assert!(
            late_tips > 0 && late_breaks > 0,
            "{late_tips} {late_breaks}"
        );
    }
}
