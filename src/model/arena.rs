//! The one place entities are addressed by position: [`Arena`], a `Vec` of one entity kind
//! addressed by its own typed index ([`ScheduleIx`], [`ContractIx`], [`EmployeeIx`], …).
//!
//! Invariant: an index of an arena is made only
//!
//! * by [`Arena::push`] of that arena (it returns the new entity's index; [`Arena::next_ix`]
//!   names the one it will return), at most [`ARENA_MAX`] of them;
//! * by [`Ix::below`], which checks the number against a length first: the snapshot
//!   decoder checks each stored index against the count it decoded for that arena;
//! * by the id index (`model::Index<I>`), which gives back only indexes it was given.
//!
//! Entities are never removed, so an index, once made, stays in range of the arena it came
//! from and `get` finds it. `get` still returns an `Option` (no indexing can panic); a
//! `None` there is a broken invariant, which `check_invariants` reports for the stored
//! links. Making an index from a bare number takes a [`Token`], which only `model` can
//! make. Optional links are `Option<Ix>`, not a sentinel; an index holds its number + 1,
//! so the `Option` is as small as the index. Every entity kind of the state is in an
//! arena (schedules, contracts, employees, additions, deductions, advances, leaves); shifts
//! keep their own store (`model::shifts`) with `u32` shift indexes. Test code alone may
//! name an index by its number (`Ix::numbered`, `#[cfg(test)]`).

use std::fmt;
use std::marker::PhantomData;
use std::num::NonZeroU32;

/// Most entities of one kind (indexes are `u32`, `u32::MAX` stays unused as before).
pub(crate) const ARENA_MAX: usize = u32::MAX as usize;

/// Proof that an index is made here (see the module invariant).
#[derive(Clone, Copy)]
pub(crate) struct Token(());

impl Token {
    /// For the id index, which gives back only numbers of indexes it was given.
    pub(super) fn index() -> Token {
        Token(())
    }
}

/// A typed index of one arena.
pub(crate) trait Ix: Copy + Eq + Ord + std::hash::Hash + fmt::Debug {
    /// The index of number `raw` (only this module holds a [`Token`]).
    fn from_raw(raw: u32, token: Token) -> Self;
    /// The number of this index (for storage and the snapshot).
    fn raw(self) -> u32;
    /// Its position.
    fn at(self) -> usize {
        self.raw() as usize
    }
    /// The index `raw` when it is below `len` (the length of the arena it addresses).
    fn below(raw: u32, len: usize) -> Option<Self> {
        (raw < u32::MAX && (raw as usize) < len).then(|| Self::from_raw(raw, Token(())))
    }
    /// The index `raw`, unchecked (tests that name an entity, or plant a broken link).
    #[cfg(test)]
    fn numbered(raw: u32) -> Self {
        Self::from_raw(raw, Token(()))
    }
}

/// Declares typed index newtypes.
macro_rules! indexes {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        ///
        /// Holds the number + 1, so `Option` of it takes 4 bytes (the packed shift record).
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(crate) struct $name(NonZeroU32);

        impl Ix for $name {
            fn from_raw(raw: u32, _: Token) -> Self {
                // Arena numbers are below `u32::MAX` ([`ARENA_MAX`]); the id index and the
                // checks give no other, and the saturation keeps this total.
                $name(NonZeroU32::MIN.saturating_add(raw))
            }
            fn raw(self) -> u32 {
                self.0.get() - 1
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.raw())
            }
        }
    )*};
}

indexes! {
    /// A pay schedule's index in `State::schedules`.
    ScheduleIx;
    /// An addition's or a deduction's index in `State::additions` / `State::deductions`.
    PaymentIx;
    /// An advance's index in `State::advances`.
    AdvanceIx;
    /// A leave's index in `State::leaves`.
    LeaveIx;
    /// A contract's index in `State::contracts`.
    ContractIx;
    /// An employee's index in `State::employees`.
    EmployeeIx;
}

/// The arena holds [`ARENA_MAX`] entities: no index is left for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Full;

/// Entities of one kind, addressed by their typed index `I` (see the module invariant).
pub(crate) struct Arena<I, T> {
    items: Vec<T>,
    ix: PhantomData<fn() -> I>,
}

impl<I, T: Clone> Clone for Arena<I, T> {
    fn clone(&self) -> Self {
        Arena {
            items: self.items.clone(),
            ix: PhantomData,
        }
    }
}

impl<I, T: fmt::Debug> fmt::Debug for Arena<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

impl<I, T: PartialEq> PartialEq for Arena<I, T> {
    fn eq(&self, o: &Self) -> bool {
        self.items == o.items
    }
}

impl<I, T> Default for Arena<I, T> {
    fn default() -> Self {
        Arena {
            items: Vec::new(),
            ix: PhantomData,
        }
    }
}

impl<I: Ix, T> Arena<I, T> {
    /// An empty arena with room for `n` entities.
    pub fn with_capacity(n: usize) -> Self {
        Arena {
            items: Vec::with_capacity(n),
            ix: PhantomData,
        }
    }

    /// Makes room for `n` more entities.
    pub fn reserve(&mut self, n: usize) {
        self.items.reserve(n);
    }

    /// The index the next `push` returns, or [`Full`].
    pub fn next_ix(&self) -> Result<I, Full> {
        let n = u32::try_from(self.items.len()).map_err(|_| Full)?;
        (self.items.len() < ARENA_MAX)
            .then(|| I::from_raw(n, Token(())))
            .ok_or(Full)
    }

    /// Adds `t` and returns its index, or [`Full`] (nothing added).
    pub fn push(&mut self, t: T) -> Result<I, Full> {
        let ix = self.next_ix()?;
        self.items.push(t);
        Ok(ix)
    }

    /// The entity at `ix` (always `Some` for an index of this arena).
    pub fn get(&self, ix: I) -> Option<&T> {
        self.items.get(ix.at())
    }

    /// The entity at `ix`, to change.
    pub fn get_mut(&mut self, ix: I) -> Option<&mut T> {
        self.items.get_mut(ix.at())
    }

    /// How many entities it holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The entities in index order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The entities in index order, to change.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// The entities with their indexes, in index order.
    pub fn iter_enumerated(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + '_ {
        // Positions below the length fit in `u32` (`push` bounds it).
        self.items
            .iter()
            .enumerate()
            .map(|(k, t)| (I::from_raw(k as u32, Token(())), t))
    }
}

impl<'a, I: Ix, T> IntoIterator for &'a Arena<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<'a, I: Ix, T> IntoIterator for &'a mut Arena<I, T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter_mut()
    }
}

/// Tests reach entities by position (test code may index; the engine may not).
#[cfg(test)]
impl<I, T> std::ops::Index<usize> for Arena<I, T> {
    type Output = T;
    fn index(&self, k: usize) -> &T {
        &self.items[k]
    }
}

#[cfg(test)]
impl<I, T> std::ops::IndexMut<usize> for Arena<I, T> {
    fn index_mut(&mut self, k: usize) -> &mut T {
        &mut self.items[k]
    }
}

#[cfg(test)]
impl<I: Ix, T> Arena<I, T> {
    /// Whether it holds none (tests).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    /// Every index, in order (tests).
    pub fn ixs(&self) -> impl DoubleEndedIterator<Item = I> + '_ {
        (0..self.items.len()).map(|k| I::from_raw(k as u32, Token(())))
    }
    /// The first entity, to change (tests).
    pub fn first_mut(&mut self) -> Option<&mut T> {
        self.items.first_mut()
    }
    /// The last entity, to change (tests).
    pub fn last_mut(&mut self) -> Option<&mut T> {
        self.items.last_mut()
    }
    /// The entities as a `Vec`, to change freely (tests that plant broken states).
    pub fn vec_mut(&mut self) -> &mut Vec<T> {
        &mut self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_returns_the_index_get_finds() {
        let mut a: Arena<PaymentIx, &str> = Arena::default();
        let x = a.push("x").ok();
        let y = a.push("y").ok();
        assert_eq!(x.and_then(|i| a.get(i)), Some(&"x"));
        assert_eq!(y.and_then(|i| a.get(i)), Some(&"y"));
        assert_eq!(a.len(), 2);
        assert_eq!(PaymentIx::below(1, a.len()), y);
        assert_eq!(PaymentIx::below(2, a.len()), None);
        let all: Vec<_> = a.iter_enumerated().map(|(i, t)| (i.raw(), *t)).collect();
        assert_eq!(all, vec![(0, "x"), (1, "y")]);
        assert_eq!(PaymentIx::below(5, 5), None);
        assert_eq!(PaymentIx::below(4, 5).map(Ix::raw), Some(4));
        assert_eq!(std::mem::size_of::<Option<ScheduleIx>>(), 4);
    }
}
