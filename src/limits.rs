//! Limits (SPEC §7): one named bound per input dimension, units last, one check site each.

use crate::company::Setting;
use crate::error::{Error, Result};
use crate::money::Exact;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// Input limits of a company (SPEC §7). Every field has the SPEC's default.
///
/// Valid by construction: made by [`Limits::default`], [`Limits::from_json`] or a
/// [`LimitsBuilder`], the last two running the same checks with the same messages.
///
/// ```
/// use ewa::Limits;
///
/// let limits = Limits::builder().batch_records_max(2).shift_hours_max(14).build()?;
/// assert_eq!(limits.batch_records_max(), 2);
/// let json = serde_json::json!({"batch_records_max": "2", "shift_hours_max": 14.0});
/// assert_eq!(Limits::from_json(&json)?, limits);
/// assert!(Limits::builder().id_chars_max(0).build().is_err());
/// # Ok::<(), ewa::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Largest accepted batch, in bytes of JSON (default 30 MiB).
    pub(crate) batch_bytes_max: u64,
    /// Largest accepted batch, in records (default 100,000).
    pub(crate) batch_records_max: u64,
    /// Longest accepted id, in characters (default 128).
    pub(crate) id_chars_max: u64,
    /// Longest accepted text field (names, emails, phones), in characters (default 256).
    pub(crate) text_chars_max: u64,
    /// Longest accepted shift, in hours; a shift of exactly this length is accepted (default
    /// 24). Fractions are allowed (SPEC §2 "Numbers").
    pub(crate) shift_hours_max: Decimal,
    /// `shift_hours_max` in whole microseconds (floored), computed when checked.
    shift_micros_max: i64,
    /// Largest accepted `wage_rate_amount` and `amount`, in minor units (default 10^12).
    pub(crate) amount_max: i64,
}

impl Default for Limits {
    /// The defaults of SPEC §7: 30 MiB and 100,000 records per batch, ids of 128 and texts of
    /// 256 characters, shifts of 24 hours, amounts of 10^12 minor units. They pass every check
    /// of [`LimitsBuilder::build`].
    fn default() -> Self {
        Limits {
            batch_bytes_max: 30 * 1024 * 1024,
            batch_records_max: 100_000,
            id_chars_max: 128,
            text_chars_max: 256,
            shift_hours_max: Decimal::from(24),
            shift_micros_max: 24 * MICROS_PER_HOUR,
            amount_max: 1_000_000_000_000,
        }
    }
}

const MICROS_PER_HOUR: i64 = 3_600_000_000;

/// Builds [`Limits`] from the defaults of SPEC §7; [`LimitsBuilder::build`] checks them.
#[derive(Clone, Debug, Default)]
pub struct LimitsBuilder {
    limits: Limits,
}

impl LimitsBuilder {
    /// Largest accepted batch in bytes of JSON (>= 1).
    pub fn batch_bytes_max(mut self, n: u64) -> Self {
        self.limits.batch_bytes_max = n;
        self
    }

    /// Largest accepted batch in records (>= 1).
    pub fn batch_records_max(mut self, n: u64) -> Self {
        self.limits.batch_records_max = n;
        self
    }

    /// Longest accepted id in characters (>= 1).
    pub fn id_chars_max(mut self, n: u64) -> Self {
        self.limits.id_chars_max = n;
        self
    }

    /// Longest accepted text field in characters (>= 1).
    pub fn text_chars_max(mut self, n: u64) -> Self {
        self.limits.text_chars_max = n;
        self
    }

    /// Longest accepted shift in hours, in [1, 8784] (a leap year); fractions allowed.
    pub fn shift_hours_max(mut self, hours: impl Into<Decimal>) -> Self {
        self.limits.shift_hours_max = hours.into();
        self
    }

    /// Largest accepted amount in minor units, in [1, 10^15].
    pub fn amount_max(mut self, n: i64) -> Self {
        self.limits.amount_max = n;
        self
    }

    /// The limits, checked.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first field out of range (`limits.id_chars_max`, ...)
    /// with the message [`Limits::from_json`] gives.
    pub fn build(self) -> Result<Limits> {
        self.limits.checked()
    }
}

impl Limits {
    /// A builder starting from the defaults of SPEC §7.
    pub fn builder() -> LimitsBuilder {
        LimitsBuilder::default()
    }

    /// A builder starting from these limits.
    pub fn to_builder(&self) -> LimitsBuilder {
        LimitsBuilder {
            limits: self.clone(),
        }
    }

    /// THE check of limits, run by [`LimitsBuilder::build`] and [`Limits::from_json`]: every
    /// limit within its bounds (SPEC §7, §9); derives the shift length in microseconds.
    fn checked(mut self) -> Result<Limits> {
        use Setting as S;
        S::BatchBytesMax.check_u64(self.batch_bytes_max)?;
        S::BatchRecordsMax.check_u64(self.batch_records_max)?;
        S::IdCharsMax.check_u64(self.id_chars_max)?;
        S::TextCharsMax.check_u64(self.text_chars_max)?;
        self.shift_hours_max = S::ShiftHoursMax.check(self.shift_hours_max)?;
        // At most 8,784 hours, so the product fits i64 with room to spare.
        self.shift_micros_max = Exact::from_decimal(self.shift_hours_max)
            .and_then(|h| h.checked_mul(Exact::int(MICROS_PER_HOUR)))
            .and_then(Exact::floor)
            .ok_or_else(|| S::ShiftHoursMax.error())?;
        S::AmountMax.check_i64(self.amount_max)?;
        Ok(self)
    }

    /// Largest accepted batch, in bytes of JSON.
    pub fn batch_bytes_max(&self) -> u64 {
        self.batch_bytes_max
    }

    /// Largest accepted batch, in records.
    pub fn batch_records_max(&self) -> u64 {
        self.batch_records_max
    }

    /// Longest accepted id, in characters.
    pub fn id_chars_max(&self) -> u64 {
        self.id_chars_max
    }

    /// Longest accepted text field, in characters.
    pub fn text_chars_max(&self) -> u64 {
        self.text_chars_max
    }

    /// Longest accepted shift, in hours (a shift of exactly this length is accepted).
    pub fn shift_hours_max(&self) -> Decimal {
        self.shift_hours_max
    }

    /// Largest accepted `wage_rate_amount` and `amount`, in minor units.
    pub fn amount_max(&self) -> i64 {
        self.amount_max
    }

    /// Longest accepted shift in microseconds.
    pub fn shift_micros_max(&self) -> i64 {
        self.shift_micros_max
    }

    /// Reads limits from a JSON object, rejecting unknown fields and values out of range.
    /// Each limit may be a JSON number or a decimal string (SPEC §2 "Numbers").
    ///
    /// # Errors
    /// [`Error::Config`] naming `limits.<field>`.
    pub fn from_json(v: &Value) -> Result<Limits> {
        use Setting as S;
        let obj = v
            .as_object()
            .ok_or_else(|| Error::config("limits", "must be an object"))?;
        let mut l = Limits::default();
        for (k, val) in obj {
            let whole = |s: S| -> Result<u64> { s.read_u64(val)?.ok_or_else(|| s.error()) };
            match k.as_str() {
                "batch_bytes_max" => l.batch_bytes_max = whole(S::BatchBytesMax)?,
                "batch_records_max" => l.batch_records_max = whole(S::BatchRecordsMax)?,
                "id_chars_max" => l.id_chars_max = whole(S::IdCharsMax)?,
                "text_chars_max" => l.text_chars_max = whole(S::TextCharsMax)?,
                "shift_hours_max" => l.shift_hours_max = S::ShiftHoursMax.read_decimal(val)?,
                "amount_max" => {
                    l.amount_max = S::AmountMax
                        .read_decimal(val)?
                        .to_i64()
                        .ok_or_else(|| S::AmountMax.error())?
                }
                _ => return Err(Error::config(format!("limits.{k}"), "unknown field")),
            }
        }
        l.checked()
    }

    /// The limits as a JSON object (every field, for storage and display); a whole
    /// `shift_hours_max` is a JSON integer, a fractional one a decimal string.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("batch_bytes_max".into(), self.batch_bytes_max.into());
        m.insert("batch_records_max".into(), self.batch_records_max.into());
        m.insert("id_chars_max".into(), self.id_chars_max.into());
        m.insert("text_chars_max".into(), self.text_chars_max.into());
        let hours = self.shift_hours_max.normalize();
        let hours = match hours.to_u64().filter(|_| hours.fract().is_zero()) {
            Some(h) => Value::from(h),
            None => Value::from(hours.to_string()),
        };
        m.insert("shift_hours_max".into(), hours);
        m.insert("amount_max".into(), self.amount_max.into());
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_the_spec_values() {
        let l = Limits::default();
        assert_eq!(l.batch_bytes_max, 31_457_280);
        assert_eq!(l.batch_records_max, 100_000);
        assert_eq!(l.shift_micros_max(), 86_400_000_000);
        assert_eq!(l.amount_max, 1_000_000_000_000);
    }

    #[test]
    fn unknown_and_bad_fields_are_named() {
        let e = Limits::from_json(&json!({"shift_hour_max": 3})).unwrap_err();
        assert_eq!(e, Error::config("limits.shift_hour_max", "unknown field"));
        let e = Limits::from_json(&json!({"id_chars_max": 0})).unwrap_err();
        assert_eq!(
            e,
            Error::config("limits.id_chars_max", "must be a whole number >= 1")
        );
        let l = Limits::from_json(&json!({"shift_hours_max": 12})).unwrap();
        assert_eq!(l.shift_hours_max, Decimal::from(12));
        assert_eq!(Limits::from_json(&l.to_json()).unwrap(), l);
    }

    #[test]
    fn builder_and_reader_refuse_each_invalid_value_with_the_same_error() {
        let b = Limits::builder;
        let cases = [
            (
                json!({"batch_bytes_max": 0}),
                b().batch_bytes_max(0),
                "limits.batch_bytes_max",
            ),
            (
                json!({"batch_records_max": "0"}),
                b().batch_records_max(0),
                "limits.batch_records_max",
            ),
            (
                json!({"id_chars_max": 0}),
                b().id_chars_max(0),
                "limits.id_chars_max",
            ),
            (
                json!({"text_chars_max": 0}),
                b().text_chars_max(0),
                "limits.text_chars_max",
            ),
            (
                json!({"shift_hours_max": 0}),
                b().shift_hours_max(0),
                "limits.shift_hours_max",
            ),
            (
                json!({"shift_hours_max": 8785}),
                b().shift_hours_max(8785),
                "limits.shift_hours_max",
            ),
            (
                json!({"amount_max": 0}),
                b().amount_max(0),
                "limits.amount_max",
            ),
            (
                json!({"amount_max": "1000000000000001"}),
                b().amount_max(1_000_000_000_000_001),
                "limits.amount_max",
            ),
        ];
        for (json, builder, field) in cases {
            let read = Limits::from_json(&json).unwrap_err();
            assert_eq!(read, builder.build().unwrap_err(), "{json}");
            assert!(
                matches!(&read, Error::Config { field: f, .. } if f == field),
                "{json}"
            );
        }
        // The shift ceiling is a leap year, said once in the table.
        assert_eq!(
            Limits::from_json(&json!({"shift_hours_max": 8785})).unwrap_err(),
            Error::config(
                "limits.shift_hours_max",
                "must be a number of hours in [1, 8784]"
            )
        );
    }

    #[test]
    fn every_limit_takes_a_decimal_string() {
        for (k, n) in [
            ("batch_bytes_max", 1_000u64),
            ("batch_records_max", 2),
            ("id_chars_max", 64),
            ("text_chars_max", 100),
            ("shift_hours_max", 14),
            ("amount_max", 5_000),
        ] {
            let a = Limits::from_json(&json!({ k: n })).unwrap();
            let b = Limits::from_json(&json!({ k: n.to_string() })).unwrap();
            let c = Limits::from_json(&json!({ k: n as f64 })).unwrap();
            assert_eq!((&a, &b), (&c, &c), "{k}");
            assert_ne!(a, Limits::default(), "{k}");
            assert_eq!(a.to_json()[k], json!(n), "{k}");
        }
        let e = Limits::from_json(&json!({"batch_records_max": "150.5"})).unwrap_err();
        assert_eq!(
            e,
            Error::config("limits.batch_records_max", "must be a whole number >= 1")
        );
    }

    #[test]
    fn shift_hours_may_have_fractions() {
        // 14.5 h × 3,600,000,000 µs/h = 52,200,000,000 µs.
        let l = Limits::from_json(&json!({"shift_hours_max": "14.5"})).unwrap();
        assert_eq!(l.shift_micros_max(), 52_200_000_000);
        assert_eq!(l.to_json()["shift_hours_max"], "14.5");
        assert_eq!(Limits::from_json(&l.to_json()).unwrap(), l);
        let built = Limits::builder()
            .shift_hours_max(Decimal::new(145, 1))
            .build()
            .unwrap();
        assert_eq!(built, l);
        // The default: 24 h = 86,400,000,000 µs, as the builder derives it.
        assert_eq!(
            Limits::builder().build().unwrap().shift_micros_max(),
            Limits::default().shift_micros_max()
        );
    }
}
