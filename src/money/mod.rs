//! Money (SPEC §1.2): amounts are `i64` minor units, arithmetic is checked, and exact
//! intermediate values are rationals ([`Exact`]) that become minor units only through the
//! named rounding functions of [`round`].

pub mod currency;
pub(crate) mod decimal;
pub mod round;

pub use currency::Currency;
pub use round::Exact;

use crate::error::{Error, Result};

/// Checked `a + b` on minor units; overflow is an [`Error::Overflow`] naming `what`.
pub(crate) fn add(a: i64, b: i64, what: &'static str) -> Result<i64> {
    a.checked_add(b).ok_or_else(|| Error::overflow(what))
}

/// Checked `a - b` on minor units; overflow is an [`Error::Overflow`] naming `what`.
pub(crate) fn sub(a: i64, b: i64, what: &'static str) -> Result<i64> {
    a.checked_sub(b).ok_or_else(|| Error::overflow(what))
}

/// Checked sum of minor units.
pub(crate) fn sum<I: IntoIterator<Item = i64>>(items: I, what: &'static str) -> Result<i64> {
    items.into_iter().try_fold(0i64, |acc, x| add(acc, x, what))
}
