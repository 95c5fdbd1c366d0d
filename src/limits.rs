//! Limits (SPEC §7): one named bound per input dimension, units last, one check site each.

use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// Input limits of a company (SPEC §7). Every field has the SPEC's default.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Largest accepted batch, in bytes of JSON (default 30 MiB).
    pub batch_bytes_max: u64,
    /// Largest accepted batch, in records (default 100,000).
    pub batch_records_max: u64,
    /// Longest accepted id, in characters (default 128).
    pub id_chars_max: u64,
    /// Longest accepted text field (names, emails, phones), in characters (default 256).
    pub text_chars_max: u64,
    /// Longest accepted shift, in hours; a shift of exactly this length is accepted (default 24).
    pub shift_hours_max: u64,
    /// Largest accepted `wage_rate_amount` and `amount`, in minor units (default 10^12).
    pub amount_max: i64,
}

impl Default for Limits {
    /// The defaults of SPEC §7.
    fn default() -> Self {
        Limits {
            batch_bytes_max: 30 * 1024 * 1024,
            batch_records_max: 100_000,
            id_chars_max: 128,
            text_chars_max: 256,
            shift_hours_max: 24,
            amount_max: 1_000_000_000_000,
        }
    }
}

/// Hard ceilings on the configurable limits themselves, so that no configuration can make
/// arithmetic on instants or amounts overflow.
const SHIFT_HOURS_CEILING: u64 = 24 * 366;
const AMOUNT_CEILING: i64 = 1_000_000_000_000_000;

impl Limits {
    /// Longest accepted shift in microseconds.
    pub fn shift_micros_max(&self) -> i64 {
        // Bounded by SHIFT_HOURS_CEILING at construction, so this cannot overflow.
        i64::try_from(self.shift_hours_max)
            .unwrap_or(i64::MAX / 3_600_000_000)
            .saturating_mul(3_600_000_000)
    }

    /// Reads limits from a JSON object, rejecting unknown fields and values out of range.
    ///
    /// # Errors
    /// [`Error::Config`] naming `limits.<field>`.
    pub fn from_json(v: &Value) -> Result<Limits> {
        let obj = v
            .as_object()
            .ok_or_else(|| Error::config("limits", "must be an object"))?;
        let mut l = Limits::default();
        for (k, val) in obj {
            let field = format!("limits.{k}");
            let n = val
                .as_u64()
                .filter(|n| *n >= 1)
                .ok_or_else(|| Error::config(&field, "must be an integer >= 1"))?;
            match k.as_str() {
                "batch_bytes_max" => l.batch_bytes_max = n,
                "batch_records_max" => l.batch_records_max = n,
                "id_chars_max" => l.id_chars_max = n,
                "text_chars_max" => l.text_chars_max = n,
                "shift_hours_max" => {
                    if n > SHIFT_HOURS_CEILING {
                        return Err(Error::config(field, "must be at most 8784 (a leap year)"));
                    }
                    l.shift_hours_max = n
                }
                "amount_max" => {
                    l.amount_max = i64::try_from(n)
                        .ok()
                        .filter(|n| *n <= AMOUNT_CEILING)
                        .ok_or_else(|| Error::config(&field, "must be at most 10^15"))?
                }
                _ => return Err(Error::config(field, "unknown field")),
            }
        }
        Ok(l)
    }

    /// The limits as a JSON object (every field, for storage and display).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("batch_bytes_max".into(), self.batch_bytes_max.into());
        m.insert("batch_records_max".into(), self.batch_records_max.into());
        m.insert("id_chars_max".into(), self.id_chars_max.into());
        m.insert("text_chars_max".into(), self.text_chars_max.into());
        m.insert("shift_hours_max".into(), self.shift_hours_max.into());
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
            Error::config("limits.id_chars_max", "must be an integer >= 1")
        );
        let l = Limits::from_json(&json!({"shift_hours_max": 12})).unwrap();
        assert_eq!(l.shift_hours_max, 12);
        assert_eq!(Limits::from_json(&l.to_json()).unwrap(), l);
    }
}
