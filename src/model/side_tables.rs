//! The unpaid breaks (SPEC §5.6) and tips (SPEC §5.7) of the current shift versions (SPEC §2
//! extensions), kept beside the shift store in three maps keyed by shift index, each entry
//! as small as its data allows (issue #5: ≤ 64 bytes resident per shift):
//!
//! * tips: 12 bytes an entry (the index and the amount as two 32-bit halves, so the entry
//!   needs no padding to an 8-byte boundary);
//! * a single break — the usual list — inline: 24 bytes an entry, nothing on the heap;
//! * any other list (none, or two breaks or more): 24 bytes an entry and the boxed list;
//! * one bit per shift index saying whether the shift has an entry in any of them, so
//!   that the usual shift, with none, costs a bit test rather than a look-up per map.
//!
//! A shift with tips only, breaks only or both has an entry in the maps of what it has and
//! none elsewhere; a shift with neither has no entry. [`ShiftSide`] reads one shift's two
//! fields as a borrowed view; earlier versions keep their own [`ShiftExt`].

use super::hash::{map_bytes, IxMap};
use super::{ShiftExt, Span};

/// One shift's breaks and tips as the tables hold them (a copyable, borrowed
/// [`ShiftExt`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ShiftSide<'a> {
    /// `None`: no `unpaid_breaks` field; else the breaks, sorted and disjoint (SPEC §5.6).
    pub breaks: Option<&'a [Span]>,
    /// Tips in minor units (SPEC §5.7), `None` when not sent.
    pub tips: Option<i64>,
}

impl ShiftSide<'_> {
    /// An owned copy (for a shift version).
    pub fn to_ext(self) -> ShiftExt {
        ShiftExt {
            breaks: self.breaks.map(Box::from),
            tips: self.tips,
        }
    }
}

impl ShiftExt {
    /// The view of this record that [`SideTables::get`] gives for it.
    pub fn view(&self) -> ShiftSide<'_> {
        ShiftSide {
            breaks: self.breaks.as_deref(),
            tips: self.tips,
        }
    }
}

/// An `i64` as two 32-bit halves, low first (4-byte alignment: a 12-byte map entry).
fn pack(x: i64) -> [u32; 2] {
    let u = x as u64;
    [u as u32, (u >> 32) as u32]
}

/// The `i64` of [`pack`].
fn unpack([lo, hi]: [u32; 2]) -> i64 {
    (u64::from(lo) | (u64::from(hi) << 32)) as i64
}

/// The breaks and tips of the current shift versions, by shift index.
#[derive(Clone, Debug, Default)]
pub(crate) struct SideTables {
    /// Tips of the shifts that have them ([`pack`]ed).
    tips: IxMap<[u32; 2]>,
    /// The break of the shifts whose list has exactly one.
    one: IxMap<Span>,
    /// The breaks of the shifts whose list is empty or has two or more.
    many: IxMap<Box<[Span]>>,
    /// Bit `ix % 64` of word `ix / 64` set when shift `ix` has an entry above (words past
    /// the end: none).
    flags: Vec<u64>,
}

impl PartialEq for SideTables {
    /// The same entries (the flags follow from them).
    fn eq(&self, o: &SideTables) -> bool {
        self.tips == o.tips && self.one == o.one && self.many == o.many
    }
}

impl SideTables {
    /// Tables holding `records` (each shift at most once), sized exactly (the snapshot
    /// decoder: no table grows while it fills).
    pub fn from_records(records: Vec<(u32, ShiftExt)>) -> SideTables {
        let tips = records.iter().filter(|(_, x)| x.tips.is_some()).count();
        let one = records
            .iter()
            .filter(|(_, x)| x.breaks.as_ref().is_some_and(|b| b.len() == 1))
            .count();
        let many = records
            .iter()
            .filter(|(_, x)| x.breaks.as_ref().is_some_and(|b| b.len() != 1))
            .count();
        let mut t = SideTables {
            tips: IxMap::with_capacity_and_hasher(tips, Default::default()),
            one: IxMap::with_capacity_and_hasher(one, Default::default()),
            many: IxMap::with_capacity_and_hasher(many, Default::default()),
            flags: Vec::new(),
        };
        let last = records.iter().map(|&(ix, _)| ix as usize).max();
        t.flags.reserve_exact(last.map_or(0, |ix| ix / 64 + 1));
        for (ix, x) in records {
            t.set(ix, Some(x));
        }
        t
    }

    /// Whether no shift has breaks or tips (then accrual skips the tables).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.tips.is_empty() && self.one.is_empty() && self.many.is_empty()
    }

    /// Whether some shift has tips.
    #[inline]
    pub fn has_tips(&self) -> bool {
        !self.tips.is_empty()
    }

    /// Whether shift `ix` has breaks or tips: a bit test.
    #[inline]
    pub fn flagged(&self, ix: u32) -> bool {
        let ix = ix as usize;
        self.flags
            .get(ix / 64)
            .is_some_and(|w| w & (1 << (ix % 64)) != 0)
    }

    /// Sets or clears shift `ix`'s flag, growing the words by an eighth at a time (at
    /// least 16) so that little capacity is left unused.
    fn flag(&mut self, ix: u32, on: bool) {
        let (w, bit) = (ix as usize / 64, 1u64 << (ix % 64));
        if on && w >= self.flags.len() {
            if self.flags.capacity() <= w {
                let more = w + 1 - self.flags.len();
                self.flags
                    .reserve_exact(more.max(self.flags.len() / 8).max(16));
            }
            self.flags.resize(w + 1, 0);
        }
        if let Some(x) = self.flags.get_mut(w) {
            if on {
                *x |= bit;
            } else {
                *x &= !bit;
            }
        }
    }

    /// The tips of shift `ix`, if it has them (SPEC §5.7).
    #[inline]
    pub fn tips(&self, ix: u32) -> Option<i64> {
        if self.tips.is_empty() || !self.flagged(ix) {
            return None;
        }
        self.tips.get(&ix).copied().map(unpack)
    }

    /// The breaks of shift `ix`, if it has an `unpaid_breaks` list (SPEC §5.6).
    #[inline]
    pub fn breaks(&self, ix: u32) -> Option<&[Span]> {
        if !self.flagged(ix) {
            return None;
        }
        if !self.one.is_empty() {
            if let Some(b) = self.one.get(&ix) {
                return Some(std::slice::from_ref(b));
            }
        }
        if self.many.is_empty() {
            return None;
        }
        self.many.get(&ix).map(|b| &**b)
    }

    /// Shift `ix`'s breaks and tips, if it has either.
    #[inline]
    pub fn get(&self, ix: u32) -> Option<ShiftSide<'_>> {
        let x = ShiftSide {
            breaks: self.breaks(ix),
            tips: self.tips(ix),
        };
        (x != ShiftSide::default()).then_some(x)
    }

    /// Sets shift `ix`'s breaks and tips (`None`, or neither field, removes them).
    pub fn set(&mut self, ix: u32, ext: Option<ShiftExt>) {
        let ShiftExt { breaks, tips } = ext.unwrap_or_default();
        self.flag(ix, tips.is_some() || breaks.is_some());
        match tips {
            Some(t) => {
                self.tips.insert(ix, pack(t));
            }
            None => {
                self.tips.remove(&ix);
            }
        }
        match breaks {
            Some(b) => match *b {
                [one] => {
                    self.one.insert(ix, one);
                    self.many.remove(&ix);
                }
                _ => {
                    self.many.insert(ix, b);
                    self.one.remove(&ix);
                }
            },
            None => {
                self.one.remove(&ix);
                self.many.remove(&ix);
            }
        }
    }

    /// Every shift with breaks or tips, once each, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, ShiftSide<'_>)> + '_ {
        let with_tips = self.tips.keys();
        let breaks_only = self
            .one
            .keys()
            .chain(self.many.keys())
            .filter(|ix| !self.tips.contains_key(ix));
        with_tips
            .chain(breaks_only)
            .filter_map(|&ix| self.get(ix).map(|x| (ix, x)))
    }

    /// Bytes on the heap: each table's buckets and control bytes, the boxed lists and the
    /// flags.
    pub fn heap_bytes(&self) -> usize {
        let boxed: usize = self
            .many
            .values()
            .map(|b| std::mem::size_of_val(&**b))
            .sum();
        map_bytes(&self.tips)
            + map_bytes(&self.one)
            + map_bytes(&self.many)
            + boxed
            + 8 * self.flags.capacity()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::calendar::Instant;

    fn span(a: i64, b: i64) -> Span {
        Span {
            start: Instant::from_micros(a),
            stop: Instant::from_micros(b),
        }
    }

    fn ext(breaks: Option<Vec<Span>>, tips: Option<i64>) -> ShiftExt {
        ShiftExt {
            breaks: breaks.map(Vec::into_boxed_slice),
            tips,
        }
    }

    #[test]
    fn entries_are_small() {
        assert_eq!(std::mem::size_of::<(u32, [u32; 2])>(), 12);
        assert_eq!(std::mem::size_of::<(u32, Span)>(), 24);
        assert_eq!(std::mem::size_of::<(u32, Box<[Span]>)>(), 24);
    }

    #[test]
    fn tips_pack_both_ways() {
        for t in [0, 1, -1, 4_000, i64::MAX, i64::MIN, 0x1_2345_6789] {
            assert_eq!(unpack(pack(t)), t);
        }
    }

    #[test]
    fn each_shape_reads_back_as_set() {
        let cases = [
            ext(None, Some(1_234)),
            ext(Some(vec![span(10, 20)]), None),
            ext(Some(vec![span(10, 20), span(30, 40)]), Some(7)),
            ext(Some(vec![]), None),
            ext(Some(vec![span(10, 20)]), Some(0)),
        ];
        let mut t = SideTables::default();
        assert!(t.is_empty());
        for (ix, x) in cases.iter().enumerate() {
            t.set(ix as u32, Some(x.clone()));
        }
        // Neither field: no record.
        t.set(99, Some(ShiftExt::default()));
        assert_eq!(t.iter().count(), cases.len());
        for (ix, x) in cases.iter().enumerate() {
            assert_eq!(t.get(ix as u32), Some(x.view()), "{ix}");
            assert_eq!(t.get(ix as u32).unwrap().to_ext(), *x);
        }
        assert_eq!(t.get(99), None);
        assert_eq!(t.get(100), None);
        // A far index grows the flags; clearing it leaves the others.
        t.set(70_001, Some(ext(None, Some(3))));
        assert!(t.flagged(70_001) && !t.flagged(70_000) && t.flagged(2));
        assert_eq!(t.tips(70_001), Some(3));
        t.set(70_001, None);
        assert!(!t.flagged(70_001) && t.flagged(2));
        let mut seen: Vec<u32> = t.iter().map(|(ix, _)| ix).collect();
        seen.sort_unstable();
        assert_eq!(seen, [0, 1, 2, 3, 4]);
        assert_eq!(
            SideTables::from_records(
                cases
                    .iter()
                    .cloned()
                    .enumerate()
                    .map(|(i, x)| (i as u32, x))
                    .collect()
            ),
            t
        );
    }

    #[test]
    fn updates_move_and_remove_entries() {
        let mut t = SideTables::default();
        t.set(5, Some(ext(Some(vec![span(1, 2)]), Some(300))));
        // Tips removed, the break kept.
        t.set(5, Some(ext(Some(vec![span(1, 2)]), None)));
        assert_eq!(t.get(5), Some(ext(Some(vec![span(1, 2)]), None).view()));
        assert!(!t.has_tips());
        // One break becomes two (the inline entry moves to the boxed table), then none.
        t.set(5, Some(ext(Some(vec![span(1, 2), span(3, 4)]), None)));
        assert_eq!(t.breaks(5).unwrap().len(), 2);
        assert_eq!((t.one.len(), t.many.len()), (0, 1));
        t.set(5, Some(ext(Some(vec![span(3, 4)]), Some(9))));
        assert_eq!((t.one.len(), t.many.len()), (1, 0));
        // Breaks removed, tips kept; then everything.
        t.set(5, Some(ext(None, Some(9))));
        assert_eq!(t.get(5), Some(ext(None, Some(9)).view()));
        assert!(t.one.is_empty() && t.many.is_empty());
        assert!(t.flagged(5));
        t.set(5, None);
        assert!(t.is_empty());
        assert!(!t.flagged(5));
        assert_eq!(t.get(5), None);
    }

    #[test]
    fn heap_bytes_count_buckets_and_lists() {
        let mut t = SideTables::default();
        assert_eq!(t.heap_bytes(), 0);
        t.set(1, Some(ext(None, Some(5))));
        // Four buckets of 12 bytes, their control bytes and a group of trailing ones; 16
        // words of flags.
        assert_eq!(t.heap_bytes(), 4 * 13 + 16 + 128);
        t.set(2, Some(ext(Some(vec![span(1, 2), span(3, 4)]), None)));
        assert_eq!(t.heap_bytes(), 4 * 13 + 16 + 4 * 25 + 16 + 32 + 128);
    }
}
