//! Compact shift storage (issue #5: ≤ 64 bytes resident per shift, indexes and ids included).
//!
//! * The current version of each shift is a 24-byte [`ShiftRec`] in its employee's list,
//!   sorted by (start, shift index) — what accrual scans. Shifts without an employee (open
//!   `available` slots) live in one more such list.
//! * Ids are stored once, in chunked arenas (one `String` per 2^20 shifts, `u32` offsets).
//! * The id → index map is an open-addressing table of `u32` shift indexes (linear probing,
//!   load ≤ 3/4) with a tag of the id's hash in the bits the index does not need, that
//!   compares candidates against the arena, so no id is stored twice.
//! * Per shift, the store keeps the employee (`Option<EmployeeIx>`); the job that created it is kept once
//!   per run of shifts created by one job.
//! * Rare data — `custom_info`, earlier versions (audit history) and the job of an updated
//!   current version — lives in a side map keyed by shift index.
//! * Unpaid breaks and tips of the current version (SPEC §2 extensions, §5.6, §5.7) live in
//!   [`SideTables`] keyed by shift index (tips, a single break, other break lists: each entry
//!   as small as its data), which accrual reads (and skips entirely while they are empty);
//!   earlier versions carry theirs in [`ShiftVersion::ext`].

use super::hash::{map_bytes, IxMap};
use super::side_tables::{ShiftSide, SideTables};
use crate::calendar::Instant;
use crate::model::{EmployeeIx, ShiftExt, ShiftRec, ShiftStatus, ShiftVersion};
use serde_json::{Map, Value};

/// Shifts per id arena chunk: a chunk holds at most 2^20 × 4 × `id_chars_max` bytes of ids,
/// far below `u32` offsets for any sane `id_chars_max` (checked when pushing).
pub(crate) const CHUNK_SHIFTS: usize = 1 << 20;
/// Most shifts one twin holds: indexes are packed with the status in 32 bits (and the
/// all-ones slot value means "empty").
pub(crate) const SHIFTS_MAX: u32 = ShiftRec::IX_MAX;
const EMPTY: u32 = u32::MAX;

/// How a slot of a table of `cap` slots (a power of two) splits: the low bits hold a shift
/// index (the table holds fewer shifts than slots, so `log2(cap)` bits, at most the 29 of
/// [`SHIFTS_MAX`]), the bits above a tag from the top of the id's hash, so that a probe
/// compares an id against the arena (two cache misses) only when the tags agree: one
/// chance in 2^9 for a table of 2^23 slots, in 2^3 at the largest. Returns the index mask.
fn ix_mask(cap: usize) -> u32 {
    let bits = cap.trailing_zeros().clamp(1, 29);
    (1u32 << bits) - 1
}

/// The tag of hash `h` in a table whose slots keep the index under `mask`: the hash's top
/// bits, as many as lie above the mask.
fn tag(h: u64, mask: u32) -> u32 {
    let bits = mask.count_ones();
    ((h >> (32 + bits)) as u32) << bits
}

/// One id arena chunk: the ids of 2^20 consecutive shifts, end offsets.
#[derive(Clone, Debug, Default)]
pub(crate) struct Chunk {
    pub text: String,
    pub ends: Vec<u32>,
}

/// Rare per-shift data.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Extra {
    /// `custom_info` of the current version.
    pub custom_info: Option<Box<Map<String, Value>>>,
    /// The job and receipt of the current version, when it is not the creating job's.
    pub job: Option<(u64, Instant)>,
    /// Earlier versions, oldest first.
    pub history: Vec<ShiftVersion>,
}

/// Every shift of a twin except the current records, which live with their employees.
#[derive(Clone, Debug, Default)]
pub(crate) struct ShiftStore {
    pub chunks: Vec<Chunk>,
    /// Open addressing: the shift index in the low bits and a tag of its id's hash above,
    /// as [`ix_mask`] splits them for the table's size (so most probes never touch the
    /// arena); `EMPTY` = free (no index fills its bits: the table holds fewer shifts than
    /// slots).
    slots: Vec<u32>,
    /// Employee of each shift (`None` for open slots).
    pub employee: Vec<Option<EmployeeIx>>,
    /// (first shift index, job, received_at) of each run of shifts created by one job.
    pub created: Vec<(u32, u64, Instant)>,
    pub extra: IxMap<Extra>,
    /// Breaks and tips of the current version of the shifts that have either.
    pub ext: SideTables,
}

pub(crate) use super::hash::hash_id;

impl ShiftStore {
    /// How many shifts.
    pub fn len(&self) -> usize {
        self.employee.len()
    }

    /// The id of shift `ix`.
    pub fn id(&self, ix: u32) -> &str {
        chunk_id(&self.chunks, ix)
    }

    /// The index of shift `id`.
    pub fn get(&self, id: &str) -> Option<u32> {
        self.get_hashed(id, hash_id(id))
    }

    /// [`ShiftStore::get`] with the id's [`hash_id`] already computed.
    pub fn get_hashed(&self, id: &str, h: u64) -> Option<u32> {
        let mask = self.slots.len().checked_sub(1)?;
        let ix = ix_mask(self.slots.len());
        let t = tag(h, ix);
        let mut i = (h as usize) & mask;
        loop {
            match self.slots.get(i).copied() {
                None | Some(EMPTY) => return None,
                Some(s) if s & !ix == t && self.id(s & ix) == id => return Some(s & ix),
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    /// Reads the home slot of each of `hashes`, so that the lookups of those ids that follow
    /// find their slots in cache: independent loads overlap, where lookups one after
    /// another each wait for their own miss.
    pub fn warm(&self, hashes: impl Iterator<Item = u64>) {
        let mask = self.slots.len().wrapping_sub(1);
        let seen = hashes.fold(0u32, |acc, h| {
            acc ^ self.slots.get(h as usize & mask).copied().unwrap_or(0)
        });
        std::hint::black_box(seen);
    }

    /// A store from decoded parts (the binary snapshot, `super::snapshot`, which checked
    /// their lengths and references) and the id index [`index_slots`] built for `chunks`.
    pub(crate) fn from_parts(
        chunks: Vec<Chunk>,
        slots: Vec<u32>,
        employee: Vec<Option<EmployeeIx>>,
        created: Vec<(u32, u64, Instant)>,
        extra: IxMap<Extra>,
        ext: SideTables,
    ) -> ShiftStore {
        ShiftStore {
            chunks,
            slots,
            employee,
            created,
            extra,
            ext,
        }
    }

    /// Breaks and tips of shift `ix`'s current version, if it has either. Free while no
    /// shift has any (the tables are empty): the no-break path of accrual costs one test.
    /// (A reader of one field asks [`SideTables::breaks`] or [`SideTables::tips`].)
    #[inline]
    pub fn ext(&self, ix: u32) -> Option<ShiftSide<'_>> {
        self.ext.get(ix)
    }

    /// Sets shift `ix`'s current breaks and tips (an empty value removes its record).
    pub fn set_ext(&mut self, ix: u32, ext: Option<ShiftExt>) {
        self.ext.set(ix, ext);
    }

    /// The job and receipt of shift `ix`'s current version.
    pub fn job(&self, ix: u32) -> (u64, Instant) {
        if let Some((job, at)) = self.extra.get(&ix).and_then(|x| x.job) {
            return (job, at);
        }
        let run = self.created.partition_point(|r| r.0 <= ix);
        run.checked_sub(1)
            .and_then(|r| self.created.get(r))
            .map_or((0, Instant::MIN), |r| (r.1, r.2))
    }

    /// `custom_info` of shift `ix`'s current version.
    pub fn custom_info(&self, ix: u32) -> Option<&Map<String, Value>> {
        self.extra.get(&ix).and_then(|x| x.custom_info.as_deref())
    }

    /// Bytes of shift storage outside the employees' lists: ids and their offsets, the id
    /// index, employees per shift, job runs, the side map (its `custom_info` objects
    /// estimated from their JSON length), and the breaks and tips tables. Append-only buffers
    /// count their length (their untouched capacity is never resident); a map counts its
    /// whole table ([`map_bytes`]).
    pub fn heap_bytes(&self) -> usize {
        let ids: usize = self
            .chunks
            .iter()
            .map(|c| c.text.len() + 4 * c.ends.len())
            .sum();
        let extra: usize = self
            .extra
            .values()
            .map(|x| {
                x.custom_info
                    .as_ref()
                    .map_or(0, |m| 96 + serde_json::to_string(m).map_or(0, |t| t.len()))
                    + x.history.capacity() * std::mem::size_of::<ShiftVersion>()
            })
            .sum();
        ids + 4 * self.slots.len()
            + 4 * self.employee.len()
            + self.created.capacity() * std::mem::size_of::<(u32, u64, Instant)>()
            + map_bytes(&self.extra)
            + extra
            + self.ext.heap_bytes()
    }

    /// Adds a new shift; `None` when the twin holds [`SHIFTS_MAX`] shifts. (Ingestion
    /// hashes ids once and calls [`ShiftStore::push_hashed`]; an employee's slice calls this.)
    pub fn push(
        &mut self,
        id: &str,
        employee: Option<EmployeeIx>,
        job: u64,
        received_at: Instant,
    ) -> Option<u32> {
        self.push_hashed(id, hash_id(id), employee, job, received_at)
    }

    /// Makes room for `n` more shifts: the id index grows at most once here rather than
    /// during a batch, and the per-shift vectors reserve.
    pub fn reserve(&mut self, n: usize) {
        self.employee.reserve(n);
        let mut cap = self.slots.len().max(1024);
        let want = self.len().saturating_add(n).saturating_add(1);
        while want.saturating_mul(4) > cap.saturating_mul(3) && cap < (1 << 31) {
            cap *= 2;
        }
        if cap > self.slots.len() {
            self.rebuild(cap);
        }
    }

    /// Adds a new shift without entering its id in the index yet: `(index, hash)` goes to
    /// `pending`, which [`ShiftStore::index_pending`] enters in slot order (one sweep over
    /// the index instead of a random access per shift). Until then the id is not found by
    /// [`ShiftStore::get`]; a batch applies each key at most once, so nothing of it looks
    /// for it. Without room in the index it enters `pending` and the shift at once.
    pub fn push_pending(
        &mut self,
        id: &str,
        h: u64,
        employee: Option<EmployeeIx>,
        job: u64,
        received_at: Instant,
        pending: &mut Vec<(u32, u64)>,
    ) -> Option<u32> {
        if (self.len() + 1) * 4 > self.slots.len() * 3 {
            self.index_pending(pending);
            return self.push_hashed(id, h, employee, job, received_at);
        }
        let ix = self.append(id, employee, job, received_at)?;
        pending.push((ix, h));
        Some(ix)
    }

    /// Enters the ids of [`ShiftStore::push_pending`] in the index, in the order of their
    /// home slots' top bits (one sweep over the index).
    pub fn index_pending(&mut self, pending: &mut Vec<(u32, u64)>) {
        let mask = self.slots.len().saturating_sub(1);
        for (ix, h) in by_home(pending, |&(_, h)| (h as usize) & mask, self.slots.len()) {
            self.place(ix, h);
        }
        pending.clear();
    }

    /// [`ShiftStore::push`] with the id's [`hash_id`] already computed.
    pub fn push_hashed(
        &mut self,
        id: &str,
        h: u64,
        employee: Option<EmployeeIx>,
        job: u64,
        received_at: Instant,
    ) -> Option<u32> {
        let ix = self.append(id, employee, job, received_at)?;
        if (self.len() + 1) * 4 > self.slots.len() * 3 {
            // Re-places every shift, this one included.
            self.grow();
        } else {
            self.place(ix, h);
        }
        Some(ix)
    }

    /// The new shift's id, employee and job, not yet in the index.
    fn append(
        &mut self,
        id: &str,
        employee: Option<EmployeeIx>,
        job: u64,
        received_at: Instant,
    ) -> Option<u32> {
        let ix = u32::try_from(self.len())
            .ok()
            .filter(|ix| *ix < SHIFTS_MAX)?;
        if (ix as usize).is_multiple_of(CHUNK_SHIFTS) {
            // Ids of the next chunk are likely as long as the last one's: reserve as much
            // (no copying while the chunk fills).
            let text = self.chunks.last().map_or(0, |c| c.text.len());
            self.chunks.push(Chunk {
                text: String::with_capacity(text),
                ends: Vec::with_capacity(CHUNK_SHIFTS),
            });
        }
        let chunk = self.chunks.last_mut()?;
        let end = u32::try_from(chunk.text.len() + id.len()).ok()?;
        chunk.text.push_str(id);
        chunk.ends.push(end);
        self.employee.push(employee);
        if self
            .created
            .last()
            .is_none_or(|r| r.1 != job || r.2 != received_at)
        {
            self.created.push((ix, job, received_at));
        }
        Some(ix)
    }

    fn place(&mut self, ix: u32, h: u64) {
        let home = (h as usize) & self.slots.len().saturating_sub(1);
        let m = ix_mask(self.slots.len());
        self.place_at(home, (ix & m) | tag(h, m));
    }

    /// Puts a slot value in the first free slot from `home` on.
    fn place_at(&mut self, home: usize, value: u32) {
        let mask = self.slots.len().saturating_sub(1);
        let mut i = home & mask;
        while let Some(slot) = self.slots.get_mut(i) {
            if *slot == EMPTY {
                *slot = value;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        self.rebuild((self.slots.len() * 2).max(1024));
    }

    /// Re-places every shift in a table of `cap` (a power of two) slots: the ids hashed on
    /// every core, then entered in the order of their home slots' top bits (a sweep over
    /// the new table rather than a random access per shift).
    fn rebuild(&mut self, cap: usize) {
        use rayon::prelude::*;
        let mask = cap.saturating_sub(1) as u64;
        let m = ix_mask(cap);
        let store: &ShiftStore = self;
        let n = u32::try_from(store.len()).unwrap_or(SHIFTS_MAX);
        // (home slot, slot value); the table has at most 2^31 slots.
        let entries: Vec<(u32, u32)> = (0..n)
            .into_par_iter()
            .with_min_len(4096)
            .map(|ix| {
                let h = hash_id(store.id(ix));
                ((h & mask) as u32, (ix & m) | tag(h, m))
            })
            .collect();
        self.slots = vec![EMPTY; cap];
        for (home, value) in by_home(&entries, |&(home, _)| home as usize, cap) {
            self.place_at(home as usize, value);
        }
    }
}

/// `items` ordered by the top bits of their home slot in a table of `slots` slots (a
/// power of two): a counting sort into at most 2^16 groups, and no more groups than
/// items, so that placing them in this order sweeps over the table (each group's slots
/// are near each other) in two linear passes instead of a sort. Linear probing finds an id
/// whatever the order of insertion, so the order within a group does not matter.
fn by_home<T: Copy>(items: &[T], home: impl Fn(&T) -> usize, slots: usize) -> Vec<T> {
    let bits = slots.max(1).trailing_zeros();
    let group_bits = bits
        .min(16)
        .min(items.len().max(1).next_power_of_two().trailing_zeros());
    let shift = bits - group_bits;
    let group = |t: &T| (home(t) >> shift) & ((1usize << group_bits) - 1);
    let mut starts = group_starts(items.iter().map(group), 1 << group_bits);
    let Some(&first) = items.first() else {
        return Vec::new();
    };
    let mut out = vec![first; items.len()];
    for t in items {
        if let Some(at) = starts.get_mut(group(t)) {
            if let Some(o) = out.get_mut(*at) {
                *o = *t;
            }
            *at += 1;
        }
    }
    out
}

/// The id of shift `ix` in arena `chunks`.
fn chunk_id(chunks: &[Chunk], ix: u32) -> &str {
    let (c, k) = (ix as usize / CHUNK_SHIFTS, ix as usize % CHUNK_SHIFTS);
    let Some(chunk) = chunks.get(c) else {
        return "";
    };
    let start = k
        .checked_sub(1)
        .and_then(|p| chunk.ends.get(p))
        .map_or(0, |&e| e as usize);
    let end = chunk.ends.get(k).map_or(start, |&e| e as usize);
    chunk.text.get(start..end).unwrap_or("")
}

/// The id index (open-addressing slots, sized as pushes size them) of the `n` ids in arena
/// `chunks`, for [`ShiftStore::from_parts`]; `Err(ix)` names a shift whose id repeats an
/// earlier one's. A pure function of the ids, so the binary snapshot builds it on a second
/// thread while it decodes the rest.
pub(crate) fn index_slots(chunks: &[Chunk], n: usize) -> Result<Vec<u32>, u32> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut cap = 1024usize;
    while (n + 1) * 4 > cap * 3 {
        cap *= 2;
    }
    let mut slots = vec![EMPTY; cap];
    let mask = cap - 1;
    let m = ix_mask(cap);
    // Hash every id (a sequential pass over the arena), then place the shifts grouped by
    // the top bits of their home slot (a counting sort), so that the probes of one group
    // stay within a few hundred KiB of slots instead of missing the cache at random.
    // Linear probing finds an id whatever the order of insertion; a repeated id has the
    // same home, so it meets the first copy on its probe.
    let hashes: Vec<u64> = (0..n)
        .map(|k| hash_id(chunk_id(chunks, u32::try_from(k).unwrap_or(u32::MAX))))
        .collect();
    let bits = cap.trailing_zeros();
    let shift = bits.min(16);
    let groups = 1usize << (bits - shift);
    let mut starts = group_starts(
        hashes.iter().map(|&h| ((h as usize) & mask) >> shift),
        groups,
    );
    // (home slot << 32) | slot value, grouped, and the hash's top 32 bits per shift.
    let mut order = vec![0u64; hashes.len()];
    let mut high = vec![0u32; hashes.len()];
    for (k, &h) in hashes.iter().enumerate() {
        let home = (h as usize) & mask;
        let ix = u32::try_from(k).map_err(|_| u32::MAX)?;
        if let Some(at) = starts.get_mut(home >> shift) {
            if let Some(o) = order.get_mut(*at) {
                *o = ((home as u64) << 32) | u64::from((ix & m) | tag(h, m));
            }
            if let Some(t) = high.get_mut(*at) {
                *t = (h >> 32) as u32;
            }
            *at += 1;
        }
    }
    drop(hashes);
    place_all(chunks, &order, &high, &mut slots)?;
    Ok(slots)
}

/// The counting sort's first pass ([`by_home`], [`index_slots`]): for items in groups
/// `0..groups` (one group each, as `keys` says), where each group starts in the grouped
/// order (and, last, the number of items).
#[inline]
fn group_starts(keys: impl Iterator<Item = usize>, groups: usize) -> Vec<usize> {
    let mut starts = vec![0usize; groups + 1];
    for k in keys {
        if let Some(c) = starts.get_mut(k + 1) {
            *c += 1;
        }
    }
    for g in 0..groups {
        let before = starts.get(g).copied().unwrap_or(0);
        if let Some(c) = starts.get_mut(g + 1) {
            *c += before;
        }
    }
    starts
}

/// Places the grouped shifts in `slots` by linear probing; `Err(ix)` names a repeated id (SPEC §2).
#[inline]
fn place_all(chunks: &[Chunk], order: &[u64], high: &[u32], slots: &mut [u32]) -> Result<(), u32> {
    let mask = slots.len() - 1;
    let m = ix_mask(slots.len());
    // The top hash bits of each slot's shift, beside the slots (so a probe compares ids
    // only when 32 more bits agree: a repeat, or one chance in 2^32).
    let mut slot_high = vec![0u32; slots.len()];
    for (&o, &hi) in order.iter().zip(high) {
        let value = o as u32;
        let ix = value & m;
        let t = value & !m;
        // One probe: a slot with this id is a repeat, the first empty one is its place.
        let mut i = (o >> 32) as usize;
        loop {
            match slots.get(i).copied() {
                Some(EMPTY) => break,
                Some(x)
                    if x & !m == t
                        && slot_high.get(i) == Some(&hi)
                        && chunk_id(chunks, x & m) == chunk_id(chunks, ix) =>
                {
                    // Name the later of the two shifts.
                    return Err(ix.max(x & m));
                }
                Some(_) => i = (i + 1) & mask,
                None => return Err(ix),
            }
        }
        if let Some(slot) = slots.get_mut(i) {
            *slot = value;
        }
        if let Some(slot) = slot_high.get_mut(i) {
            *slot = hi;
        }
    }
    Ok(())
}

impl PartialEq for ShiftStore {
    /// The same shifts with the same ids, employees, receipt times and rare data (layout
    /// aside). The job that carried a version is provenance, not data (SPEC §3: a batch split
    /// in two yields an equal twin); the store compares jobs separately.
    fn eq(&self, o: &ShiftStore) -> bool {
        self.len() == o.len()
            && (0..self.len())
                .filter_map(|i| u32::try_from(i).ok())
                .all(|i| {
                    self.id(i) == o.id(i)
                        && self.employee.get(i as usize) == o.employee.get(i as usize)
                        && self.job(i).1 == o.job(i).1
                        && self.custom_info(i) == o.custom_info(i)
                        && self.ext(i) == o.ext(i)
                        && self.extra.get(&i).map(|x| &x.history)
                            == o.extra.get(&i).map(|x| &x.history)
                })
    }
}

/// Where a record goes in a list sorted by (start, index).
pub(crate) fn position(list: &[ShiftRec], start: Instant, ix: u32) -> usize {
    list.partition_point(|r| (r.start, r.ix()) < (start, ix))
}

/// Inserts a record, growing the list by an eighth (at least 4 records) at a time so that
/// little capacity is left unused (the lists are the bulk of a twin's memory); still
/// amortised linear. A record that sorts after the last one (a feed in time order, or an
/// employee's shifts sent in order: the common case) is appended without a search.
pub(crate) fn insert(list: &mut Vec<ShiftRec>, rec: ShiftRec) {
    if list.len() == list.capacity() {
        list.reserve_exact((list.len() / 8).max(4));
    }
    let key = (rec.start, rec.ix());
    if list.last().is_none_or(|last| (last.start, last.ix()) < key) {
        list.push(rec);
        return;
    }
    let at = position(list, rec.start, rec.ix());
    list.insert(at, rec);
}

/// Removes shift `ix`'s record (found by its start, else by a scan).
pub(crate) fn remove(list: &mut Vec<ShiftRec>, start: Instant, ix: u32) -> Option<ShiftRec> {
    let at = position(list, start, ix);
    let at = if list.get(at).is_some_and(|r| r.ix() == ix) {
        at
    } else {
        list.iter().position(|r| r.ix() == ix)?
    };
    Some(list.remove(at))
}

/// The record of shift `ix` in a list (found by `start` when it is right, else by a scan).
pub(crate) fn find(list: &[ShiftRec], start: Instant, ix: u32) -> Option<&ShiftRec> {
    let at = position(list, start, ix);
    match list.get(at) {
        Some(r) if r.ix() == ix => Some(r),
        _ => list.iter().find(|r| r.ix() == ix),
    }
}

/// A full version from a record and the store's data.
pub(crate) fn version(
    store: &ShiftStore,
    employee: Option<EmployeeIx>,
    r: &ShiftRec,
) -> ShiftVersion {
    let (job, received_at) = store.job(r.ix());
    ShiftVersion {
        status: r.status(),
        employee,
        contract: r.contract,
        start: r.start,
        stop: r.stop,
        custom_info: store.custom_info(r.ix()).cloned().map(Box::new),
        ext: store.ext(r.ix()).map(|x| Box::new(x.to_ext())),
        received_at,
        job,
    }
}

/// Whether status `s` is in the counted bit mask.
pub(crate) fn in_mask(mask: u8, s: ShiftStatus) -> bool {
    mask & (1u8 << (s as u8)) != 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_and_kept_once() {
        let mut s = ShiftStore::default();
        for i in 0..5_000 {
            assert_eq!(
                s.push(&format!("s{i}"), None, 1, Instant::from_micros(0)),
                Some(i)
            );
        }
        for i in 0..5_000 {
            assert_eq!(s.get(&format!("s{i}")), Some(i));
            assert_eq!(s.id(i), format!("s{i}"));
        }
        assert_eq!(s.get("s5000"), None);
        assert_eq!(s.get(""), None);
        assert_eq!(s.job(7), (1, Instant::from_micros(0)));
    }

    /// Ids pushed one by one and in pending batches through several table sizes (so
    /// through several splits of a slot between index and tag) are all found, absent ids
    /// are not, and the snapshot's index of the same ids answers alike and names a repeat.
    #[test]
    fn ids_are_found_through_every_table_size() {
        let at = Instant::from_micros(0);
        let mut s = ShiftStore::default();
        let mut pending = Vec::new();
        for i in 0..40_000u32 {
            let id = format!("s{i:07}");
            if i % 3 == 0 {
                assert_eq!(s.push(&id, None, 1, at), Some(i));
            } else {
                if pending.is_empty() {
                    s.reserve(1_000);
                }
                let h = hash_id(&id);
                assert_eq!(s.push_pending(&id, h, None, 1, at, &mut pending), Some(i));
                if pending.len() == 700 {
                    s.index_pending(&mut pending);
                }
            }
        }
        s.index_pending(&mut pending);
        let slots = index_slots(&s.chunks, s.len()).unwrap();
        let loaded = ShiftStore::from_parts(
            s.chunks.clone(),
            slots,
            s.employee.clone(),
            s.created.clone(),
            IxMap::default(),
            SideTables::default(),
        );
        for store in [&s, &loaded] {
            for i in 0..40_000u32 {
                assert_eq!(store.get(&format!("s{i:07}")), Some(i));
                assert_eq!(store.get(&format!("t{i:07}")), None);
            }
        }
        let mut repeated = s.clone();
        repeated.push("s0012345", None, 1, at);
        let n = repeated.len();
        assert_eq!(index_slots(&repeated.chunks, n), Err(40_000));
    }

    #[test]
    fn hot_types_are_small() {
        assert_eq!(std::mem::size_of::<ShiftRec>(), 24);
    }
}
