//! Exact rationals and the ONLY place where rounding happens (SPEC §5.3, §6).
//!
//! * [`Exact::round_half_away`]: gross per (employee, contract, period), SPEC §5.3.
//! * [`Exact::floor`]: every amount an employee can draw (`floor(access_rate × base)`), §6.
//! * [`Exact::ceil`]: estimated withholding (`ceil(w × gross)`) and fees (`ceil(A × bps / 10000)`).

use rust_decimal::Decimal;
use std::fmt;

/// An exact rational number `num / den` with `den > 0`, kept reduced.
///
/// Arithmetic is checked: every operation returns `None` on overflow of the `i128` parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Exact {
    num: i128,
    den: i128,
}

/// `gcd(|a|, |b|)` (0 when both are 0). Binary (Stein's) algorithm on `u64` when both parts
/// fit, as most amounts do, else on `u128`: no 128-bit division in the hot path.
fn gcd(a: i128, b: i128) -> u128 {
    let (a, b) = (a.unsigned_abs(), b.unsigned_abs());
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(x), Ok(y)) => u128::from(gcd_u64(x, y)),
        _ => gcd_u128(a, b),
    }
}

/// Binary (Stein's) gcd of one unsigned width.
macro_rules! binary_gcd {
    ($name:ident, $t:ty) => {
        fn $name(mut a: $t, mut b: $t) -> $t {
            if a == 0 {
                return b;
            }
            if b == 0 {
                return a;
            }
            let shift = (a | b).trailing_zeros();
            a >>= a.trailing_zeros();
            loop {
                b >>= b.trailing_zeros();
                if a > b {
                    std::mem::swap(&mut a, &mut b);
                }
                b -= a;
                if b == 0 {
                    return a << shift;
                }
            }
        }
    };
}

binary_gcd!(gcd_u64, u64);
binary_gcd!(gcd_u128, u128);

/// `n / g` for a `g ≥ 1` that divides `n` exactly; `i64` division when both fit.
fn div_exact(n: i128, g: u128) -> i128 {
    match i128::try_from(g) {
        Ok(g) => div(n, g),
        // g = 2^127 divides only 0 and i128::MIN.
        Err(_) => -i128::from(n != 0),
    }
}

/// `n / d` (truncating, `d ≠ 0`); `i64` division when both fit (no 128-bit division).
fn div(n: i128, d: i128) -> i128 {
    match (i64::try_from(n), i64::try_from(d)) {
        (Ok(a), Ok(b)) if !(a == i64::MIN && b == -1) => i128::from(a / b),
        _ => n / d,
    }
}

/// `(n / d, n % d)` (truncating, `d ≠ 0`); `i64` arithmetic when both fit.
fn div_rem(n: i128, d: i128) -> (i128, i128) {
    match (i64::try_from(n), i64::try_from(d)) {
        (Ok(a), Ok(b)) if !(a == i64::MIN && b == -1) => (i128::from(a / b), i128::from(a % b)),
        _ => (n / d, n % d),
    }
}

/// Floor division and its remainder for `d > 0`: `(⌊n / d⌋, n − d⌊n / d⌋)`.
fn div_floor(n: i128, d: i128) -> (i128, i128) {
    let (q, r) = div_rem(n, d);
    if r < 0 {
        (q - 1, r + d)
    } else {
        (q, r)
    }
}

/// `num × k`, in `i64` when both fit (a 128-bit multiply checks overflow at some cost).
fn mul_int(num: i128, k: i64) -> Option<i128> {
    match i64::try_from(num).ok().and_then(|n| n.checked_mul(k)) {
        Some(p) => Some(i128::from(p)),
        None => num.checked_mul(i128::from(k)),
    }
}

/// `ceil(num / den)` for `den > 0` (fees, SPEC §6: `ceil(A × bps / 10000)`) without reducing
/// the fraction first; `None` if `den ≤ 0` or the result does not fit `i64`.
pub fn ceil_ratio(num: i128, den: i128) -> Option<i64> {
    if den <= 0 {
        return None;
    }
    let (f, r) = div_floor(num, den);
    i64::try_from(if r == 0 { f } else { f.checked_add(1)? }).ok()
}

impl Exact {
    /// Zero.
    pub const ZERO: Exact = Exact { num: 0, den: 1 };

    /// `num / den`; `None` when `den` is 0 or the reduction overflows.
    pub fn new(num: i128, den: i128) -> Option<Exact> {
        if den == 0 {
            return None;
        }
        let (num, den) = if den < 0 {
            (num.checked_neg()?, den.checked_neg()?)
        } else {
            (num, den)
        };
        let g = gcd(num, den).max(1);
        if g == 1 {
            return Some(Exact { num, den });
        }
        Some(Exact {
            num: div_exact(num, g),
            den: div_exact(den, g),
        })
    }

    /// An integer.
    pub fn int(v: i64) -> Exact {
        Exact {
            num: i128::from(v),
            den: 1,
        }
    }

    /// The exact value of a decimal (mantissa / 10^scale).
    pub fn from_decimal(d: Decimal) -> Option<Exact> {
        let den = 10i128.checked_pow(d.scale())?;
        Exact::new(d.mantissa(), den)
    }

    /// Numerator (reduced).
    pub fn numer(self) -> i128 {
        self.num
    }

    /// Denominator (reduced, > 0).
    pub fn denom(self) -> i128 {
        self.den
    }

    /// `self + o`, exactly.
    pub fn checked_add(self, o: Exact) -> Option<Exact> {
        // Zero is the identity (reduced zero is 0/1): no reduction (sums start from zero).
        if self.num == 0 {
            return Some(o);
        }
        if o.num == 0 {
            return Some(self);
        }
        if self.den == o.den {
            return Exact::new(self.num.checked_add(o.num)?, self.den);
        }
        let g = gcd(self.den, o.den).max(1);
        let l = div_exact(self.den, g).checked_mul(o.den)?;
        let a = self.num.checked_mul(div(l, self.den))?;
        let b = o.num.checked_mul(div(l, o.den))?;
        Exact::new(a.checked_add(b)?, l)
    }

    /// `self - o`, exactly.
    pub fn checked_sub(self, o: Exact) -> Option<Exact> {
        self.checked_add(Exact {
            num: o.num.checked_neg()?,
            den: o.den,
        })
    }

    /// `self × o`, exactly (cross-reducing first to keep the parts small).
    pub fn checked_mul(self, o: Exact) -> Option<Exact> {
        let g1 = gcd(self.num, o.den).max(1);
        let g2 = gcd(o.num, self.den).max(1);
        let num = div_exact(self.num, g1).checked_mul(div_exact(o.num, g2))?;
        let den = div_exact(self.den, g2).checked_mul(div_exact(o.den, g1))?;
        Exact::new(num, den)
    }

    /// `ceil(self × k)` (withholding, SPEC §5.3): from one product and one division when
    /// `num × k` fits `i128`, else from the reduced product. The same value as
    /// `self.checked_mul(Exact::int(k))?.ceil()` whenever that gives one.
    pub fn mul_int_ceil(self, k: i64) -> Option<i64> {
        let fast = mul_int(self.num, k).and_then(|n| ceil_ratio(n, self.den));
        fast.or_else(|| self.checked_mul(Exact::int(k))?.ceil())
    }

    /// `floor(self × k)` (amounts an employee can draw, SPEC §6), as
    /// [`Exact::mul_int_ceil`]: the value of `self.checked_mul(Exact::int(k))?.floor()`.
    pub fn mul_int_floor(self, k: i64) -> Option<i64> {
        let fast = mul_int(self.num, k).and_then(|n| i64::try_from(div_floor(n, self.den).0).ok());
        fast.or_else(|| self.checked_mul(Exact::int(k))?.floor())
    }

    /// Rounds half away from zero to an integer (SPEC §5.3); `None` if it does not fit `i64`.
    pub fn round_half_away(self) -> Option<i64> {
        let (q, r) = div_rem(self.num, self.den);
        // |r| / den >= 1/2  <=>  2|r| >= den
        let twice = r.checked_abs()?.checked_mul(2)?;
        let q = if twice >= self.den {
            if self.num < 0 {
                q.checked_sub(1)?
            } else {
                q.checked_add(1)?
            }
        } else {
            q
        };
        i64::try_from(q).ok()
    }

    /// Rounds toward negative infinity (amounts an employee can draw, SPEC §5.3 and §6).
    pub fn floor(self) -> Option<i64> {
        i64::try_from(div_floor(self.num, self.den).0).ok()
    }

    /// Rounds toward positive infinity (withholding and fees, SPEC §5.3 and §6).
    pub fn ceil(self) -> Option<i64> {
        ceil_ratio(self.num, self.den)
    }

    /// Decimal text rounded half away from zero to `places` fractional digits, trailing zeros
    /// kept, e.g. `812.500000`; used only to *display* explain lines.
    pub fn to_fixed(self, places: u32) -> String {
        let Some(scale) = 10i128.checked_pow(places) else {
            return format!("{}/{}", self.num, self.den);
        };
        let scaled =
            Exact::new(self.num, self.den).and_then(|e| e.checked_mul(Exact::new(scale, 1)?));
        let Some(v) = scaled.and_then(|e| {
            // round_half_away on i128 without the i64 narrowing
            let q = e.num / e.den;
            let r = e.num % e.den;
            let up = r.checked_abs()?.checked_mul(2)? >= e.den;
            Some(if up { q + e.num.signum() } else { q })
        }) else {
            return format!("{}/{}", self.num, self.den);
        };
        let sign = if v < 0 { "-" } else { "" };
        let a = v.unsigned_abs();
        let s = scale.unsigned_abs();
        if places == 0 {
            format!("{sign}{a}")
        } else {
            format!("{sign}{}.{:0width$}", a / s, a % s, width = places as usize)
        }
    }
}

impl fmt::Display for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn ex(n: i128, d: i128) -> Exact {
        Exact::new(n, d).unwrap()
    }

    #[test]
    fn half_away_from_zero() {
        assert_eq!(ex(5, 2).round_half_away(), Some(3)); // 2.5 -> 3
        assert_eq!(ex(-5, 2).round_half_away(), Some(-3)); // -2.5 -> -3
        assert_eq!(ex(7, 3).round_half_away(), Some(2)); // 2.333 -> 2
        assert_eq!(ex(8, 3).round_half_away(), Some(3)); // 2.667 -> 3
        assert_eq!(ex(-7, 3).round_half_away(), Some(-2));
    }

    #[test]
    fn floor_and_ceil() {
        assert_eq!(ex(7, 2).floor(), Some(3));
        assert_eq!(ex(-7, 2).floor(), Some(-4));
        assert_eq!(ex(7, 2).ceil(), Some(4));
        assert_eq!(ex(-7, 2).ceil(), Some(-3));
        assert_eq!(ex(6, 2).ceil(), Some(3));
    }

    #[test]
    fn sums_are_exact() {
        // 1/3 + 1/6 = 1/2 exactly; rounding the parts first would give 0 + 0.
        let s = ex(1, 3).checked_add(ex(1, 6)).unwrap();
        assert_eq!(s, ex(1, 2));
        assert_eq!(s.round_half_away(), Some(1));
        assert_eq!(ex(1, 2).checked_sub(ex(1, 3)).unwrap(), ex(1, 6));
    }

    #[test]
    fn decimals_convert_exactly() {
        let d = Decimal::from_str("0.15").unwrap();
        assert_eq!(Exact::from_decimal(d).unwrap(), ex(3, 20));
        // floor(0.5 x 1001) = 500
        let half = Exact::from_decimal(Decimal::from_str("0.5").unwrap()).unwrap();
        assert_eq!(
            half.checked_mul(Exact::int(1001)).unwrap().floor(),
            Some(500)
        );
    }

    #[test]
    fn overflow_is_none_not_panic() {
        let big = ex(i128::MAX, 1);
        assert_eq!(big.checked_add(big), None);
        assert_eq!(big.checked_mul(ex(2, 1)), None);
        assert_eq!(big.round_half_away(), None);
        assert_eq!(Exact::new(1, 0), None);
    }

    /// Euclid on `u128`: the reference for the binary gcd and the `i64` fast paths.
    fn gcd_ref(a: i128, b: i128) -> u128 {
        let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    }

    /// Values near the `i64` and `i128` edges as well as small ones.
    fn part() -> impl proptest::strategy::Strategy<Value = i128> {
        use proptest::prelude::*;
        prop_oneof![
            -1000i128..1000,
            any::<i64>().prop_map(i128::from),
            any::<i128>(),
            Just(i128::MIN),
            Just(i128::MAX),
            Just(i128::from(i64::MIN)),
            Just(i128::from(i64::MAX) + 1),
            (0u32..127).prop_map(|k| 1i128 << k),
            (0u32..127).prop_map(|k| -(1i128 << k)),
        ]
    }

    proptest::proptest! {
        #[test]
        fn fast_paths_agree_with_plain_i128(a in part(), b in part()) {
            proptest::prop_assert_eq!(gcd(a, b), gcd_ref(a, b));
            if b > 0 {
                proptest::prop_assert_eq!(div_rem(a, b), (a / b, a % b));
                proptest::prop_assert_eq!(div_floor(a, b), (a.div_euclid(b), a.rem_euclid(b)));
                let e = Exact::new(a, b).unwrap_or(Exact::ZERO);
                proptest::prop_assert!(e.den > 0);
                proptest::prop_assert_eq!(gcd(e.num, e.den).max(1), 1);
            }
            if b != 0 && !(a == i128::MIN && b == -1) {
                proptest::prop_assert_eq!(div(a, b), a / b);
            }
            let g = gcd_ref(a, b);
            if g != 0 {
                proptest::prop_assert_eq!(
                    div_exact(a, g),
                    i128::try_from(g).map_or(if a == 0 { 0 } else { -1 }, |g| a / g)
                );
            }
        }
    }

    proptest::proptest! {
        /// `mul_int_ceil` / `mul_int_floor` give what the reduced product rounds to, and a
        /// value whenever it gives one.
        #[test]
        fn products_with_an_integer_round_as_the_reduced_product(
            n in part(), d in part(), k in proptest::prelude::any::<i64>(),
        ) {
            let Some(e) = Exact::new(n, d) else { return Ok(()) };
            let product = e.checked_mul(Exact::int(k));
            if let Some(p) = product.and_then(Exact::ceil) {
                proptest::prop_assert_eq!(e.mul_int_ceil(k), Some(p));
            }
            if let Some(p) = product.and_then(Exact::floor) {
                proptest::prop_assert_eq!(e.mul_int_floor(k), Some(p));
            }
            if d > 0 {
                proptest::prop_assert_eq!(ceil_ratio(n, d), e.ceil());
            }
            // Reference for what the fast path alone computes: plain i128 when it fits.
            if let Some(nk) = e.num.checked_mul(i128::from(k)) {
                let f = nk.div_euclid(e.den);
                let c = if nk.rem_euclid(e.den) == 0 { f } else { f + 1 };
                if let (Ok(f), Ok(c)) = (i64::try_from(f), i64::try_from(c)) {
                    proptest::prop_assert_eq!(e.mul_int_floor(k), Some(f));
                    proptest::prop_assert_eq!(e.mul_int_ceil(k), Some(c));
                }
            }
        }
    }

    #[test]
    fn edges_of_the_parts() {
        // gcd(i128::MIN, 0) = 2^127 does not fit i128: division by it still works.
        assert_eq!(gcd(i128::MIN, 0), 1u128 << 127);
        assert_eq!(div_exact(i128::MIN, 1u128 << 127), -1);
        // i128::MIN / 1 is already reduced (no panic taking |i128::MIN|); -4/-6 = 2/3.
        let min = Exact::new(i128::MIN, 1).unwrap();
        assert_eq!((min.numer(), min.denom()), (i128::MIN, 1));
        let r = Exact::new(-4, -6).unwrap();
        assert_eq!((r.numer(), r.denom()), (2, 3));
        // -3/2 floors to -2 and ceils to -1; 2|r| = den rounds away: -2.
        assert_eq!(ex(-3, 2).floor(), Some(-2));
        assert_eq!(ex(-3, 2).ceil(), Some(-1));
        assert_eq!(ex(-3, 2).round_half_away(), Some(-2));
    }

    #[test]
    fn fixed_display() {
        assert_eq!(ex(1625, 2).to_fixed(6), "812.500000");
        assert_eq!(ex(-1, 3).to_fixed(2), "-0.33");
        assert_eq!(ex(2, 3).to_fixed(0), "1");
    }
}
