//! Interned ids of one entity kind: id → dense `u32` index, in one open-addressed table.
//!
//! A lookup by id is the first step of every one-employee answer and of every shift
//! record's employee reference, so the table is laid out for few cache misses: each slot
//! holds the hash tag, the index and the id itself when it is short (up to
//! [`SHORT_MAX`] bytes, which covers the usual employee and payment ids), so a lookup reads
//! one slot (two at most, linear probing at a load of at most one half) instead of a
//! control group, a bucket and the id's heap copy. Longer ids keep a heap copy.

use super::arena::{Ix, Token};
use super::hash::hash_bytes;
use std::marker::PhantomData;

/// Longest id kept inside its slot.
const SHORT_MAX: usize = 22;

/// The index of an empty slot (entity indexes are below `u32::MAX`, `arena::ARENA_MAX`).
const EMPTY: u32 = u32::MAX;

/// Fewest slots of a table that holds anything.
const MIN_SLOTS: usize = 16;

/// An id as the table keeps it.
#[derive(Clone, Debug)]
enum Key {
    Short { len: u8, bytes: [u8; SHORT_MAX] },
    Long(Box<str>),
}

impl Key {
    fn new(id: &str) -> Key {
        let mut bytes = [0u8; SHORT_MAX];
        match (u8::try_from(id.len()), bytes.get_mut(..id.len())) {
            (Ok(len), Some(head)) => {
                head.copy_from_slice(id.as_bytes());
                Key::Short { len, bytes }
            }
            _ => Key::Long(id.into()),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Key::Short { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Key::Long(s) => s.as_bytes(),
        }
    }
}

#[derive(Clone, Debug)]
struct Slot {
    /// The high half of the id's hash (compared before the id).
    tag: u32,
    /// The entity index, or [`EMPTY`].
    ix: u32,
    key: Key,
}

const EMPTY_SLOT: Slot = Slot {
    tag: 0,
    ix: EMPTY,
    key: Key::Short {
        len: 0,
        bytes: [0; SHORT_MAX],
    },
};

// Two slots to a cache line.
const _: () = assert!(std::mem::size_of::<Slot>() <= 32);

/// id → typed index of one entity kind (the numbers it keeps came from that kind's arena).
#[derive(Clone, Debug)]
pub(crate) struct Index<I> {
    /// A power of two long (or empty), at most half full.
    slots: Vec<Slot>,
    len: usize,
    ix: PhantomData<fn() -> I>,
}

impl<I> Default for Index<I> {
    fn default() -> Self {
        Index {
            slots: Vec::new(),
            len: 0,
            ix: PhantomData,
        }
    }
}

/// Where an id's probe sequence starts, and its tag.
fn home(id: &[u8]) -> (usize, u32) {
    let h = hash_bytes(id);
    (h as usize, (h >> 32) as u32)
}

impl<I: Ix> Index<I> {
    /// The slot holding `id` (`Ok`), or the empty slot where it would go (`Err`); `None` for
    /// a table without slots. At most half full: an empty slot ends every probe sequence.
    fn find(&self, id: &str) -> Option<Result<usize, usize>> {
        let (h, tag) = home(id.as_bytes());
        let mask = self.slots.len().checked_sub(1)?;
        let mut pos = h & mask;
        for _ in 0..self.slots.len() {
            let s = self.slots.get(pos)?;
            if s.ix == EMPTY {
                return Some(Err(pos));
            }
            if s.tag == tag && s.key.bytes() == id.as_bytes() {
                return Some(Ok(pos));
            }
            pos = (pos + 1) & mask;
        }
        None
    }

    /// The index of `id`, if it is known.
    pub fn get(&self, id: &str) -> Option<I> {
        if self.len == 0 {
            return None;
        }
        match self.find(id)? {
            // The number came from `insert`, which takes an index of the arena.
            Ok(pos) => self
                .slots
                .get(pos)
                .map(|s| I::from_raw(s.ix, Token::index())),
            Err(_) => None,
        }
    }

    /// Reads the home slot of `id` and nothing else, so that a lookup of `id` soon after
    /// finds it in cache: several such reads in a row overlap their cache misses, where
    /// lookups one after another each wait for their own (the slot's index is returned for
    /// the caller to keep the read alive).
    pub fn touch(&self, id: &str) -> u32 {
        let mask = self.slots.len().wrapping_sub(1);
        let (h, _) = home(id.as_bytes());
        self.slots.get(h & mask).map_or(EMPTY, |s| s.ix)
    }

    /// Maps `id` to `ix` (replacing an earlier index of the same id).
    pub fn insert(&mut self, id: &str, ix: I) {
        let ix = ix.raw();
        debug_assert_ne!(ix, EMPTY);
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        match self.find(id) {
            Some(Ok(pos)) => {
                if let Some(s) = self.slots.get_mut(pos) {
                    s.ix = ix;
                }
            }
            Some(Err(pos)) => {
                if let Some(s) = self.slots.get_mut(pos) {
                    *s = Slot {
                        tag: home(id.as_bytes()).1,
                        ix,
                        key: Key::new(id),
                    };
                    self.len += 1;
                }
            }
            None => debug_assert!(false, "a grown table has an empty slot"),
        }
    }

    /// Doubles the table (or creates it) and places every id again.
    fn grow(&mut self) {
        let n = (self.slots.len() * 2).max(MIN_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY_SLOT; n]);
        let mask = n - 1;
        for s in old.into_iter().filter(|s| s.ix != EMPTY) {
            // The ids are distinct: the first empty slot of the sequence is the place.
            let mut pos = home(s.key.bytes()).0 & mask;
            while self.slots.get(pos).is_some_and(|t| t.ix != EMPTY) {
                pos = (pos + 1) & mask;
            }
            if let Some(t) = self.slots.get_mut(pos) {
                *t = s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PaymentIx;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        /// The table answers as a `HashMap` does: every id inserted (short, at the inline
        /// limit, long, non-ASCII), replaced indexes, and ids never inserted.
        #[test]
        fn index_is_a_map(
            ids in proptest::collection::vec("[a-zé0-9-]{0,30}", 0..300),
            absent in proptest::collection::vec("[a-zé0-9-]{0,30}", 0..50),
        ) {
            let mut index: Index<PaymentIx> = Index::default();
            let mut want = HashMap::new();
            for (i, id) in ids.iter().enumerate() {
                index.insert(id, PaymentIx::numbered(i as u32));
                want.insert(id.clone(), PaymentIx::numbered(i as u32));
            }
            for id in ids.iter().chain(&absent) {
                prop_assert_eq!(index.get(id), want.get(id).copied(), "{}", id);
            }
            prop_assert_eq!(index.len, want.len());
            prop_assert!(index.len * 2 <= index.slots.len() || index.slots.is_empty());
        }
    }

    #[test]
    fn ids_at_the_inline_limit_and_past_it() {
        let short = "a".repeat(SHORT_MAX);
        let long = "a".repeat(SHORT_MAX + 1);
        let ix = PaymentIx::numbered;
        let mut index: Index<PaymentIx> = Index::default();
        assert_eq!(index.get(""), None);
        index.insert(&short, ix(1));
        index.insert(&long, ix(2));
        index.insert("", ix(3));
        assert!(matches!(Key::new(&short), Key::Short { .. }));
        assert!(matches!(Key::new(&long), Key::Long(_)));
        assert_eq!(index.get(&short), Some(ix(1)));
        assert_eq!(index.get(&long), Some(ix(2)));
        assert_eq!(index.get(""), Some(ix(3)));
        assert_eq!(index.get(&"a".repeat(SHORT_MAX - 1)), None);
        index.insert(&long, ix(7));
        assert_eq!(index.get(&long), Some(ix(7)));
        assert_eq!(index.len, 3);
    }
}
