//! The stored state together with the values accrual derives from it (the local clock, pay
//! lags, the overtime classification of each employee): what accrual and eligibility read.
//! The `Twin` façade owns one and says when the derived values go stale.

use super::cache::Cache;
use crate::model::State;
use std::ops::{Deref, DerefMut};

/// The stored state and accrual's caches over it. Reads of the state go through `Deref`
/// (`books.contracts` is `books.state.contracts`), so a rule reads the same fields whether
/// it is handed the state or the books.
#[derive(Clone, Debug)]
pub(crate) struct Books {
    /// The stored data.
    pub(crate) state: State,
    /// Values derived from it; cloning clones them, equality ignores them.
    pub(crate) cache: Cache,
}

impl Books {
    /// `state` with empty caches.
    pub(crate) fn new(state: State) -> Books {
        Books {
            state,
            cache: Cache::default(),
        }
    }
}

impl PartialEq for Books {
    /// Equal when the states are: caches are not data.
    fn eq(&self, o: &Books) -> bool {
        self.state == o.state
    }
}

impl Deref for Books {
    type Target = State;
    fn deref(&self) -> &State {
        &self.state
    }
}

impl DerefMut for Books {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.state
    }
}
