//! Reading one JSON record field by field, collecting every error with its field name
//! (SPEC §3: unknown fields are rejected by name; §7: limits).

use super::report::FieldError;
use crate::calendar::{self, Instant};
use crate::limits::Limits;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde_json::{Map, Value};

/// A field as sent: absent, explicit `null`, or a value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Field<'a> {
    Absent,
    Null,
    Val(&'a Value),
}

pub(crate) use crate::money::decimal::json_decimal;

/// A record being read: the object, the errors found so far, the limits.
pub(crate) struct Rec<'a> {
    obj: &'a Map<String, Value>,
    pub errors: Vec<FieldError>,
    pub limits: &'a Limits,
}

impl<'a> Rec<'a> {
    /// Starts reading `obj`; every key not in `allowed` is an error naming it.
    pub fn new(obj: &'a Map<String, Value>, limits: &'a Limits, allowed: &[&str]) -> Rec<'a> {
        let mut r = Rec {
            obj,
            errors: Vec::new(),
            limits,
        };
        for k in obj.keys() {
            if !allowed.contains(&k.as_str()) {
                r.err(k.as_str(), "unknown field");
            }
        }
        r
    }

    pub fn err(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn get(&self, f: &str) -> Field<'a> {
        match self.obj.get(f) {
            None => Field::Absent,
            Some(Value::Null) => Field::Null,
            Some(v) => Field::Val(v),
        }
    }

    fn check_id(&mut self, f: &str, v: &'a Value) -> Option<&'a str> {
        let Some(s) = v.as_str() else {
            self.err(f, "must be a string");
            return None;
        };
        match id_error(s, self.limits) {
            Some(m) => {
                self.err(f, m);
                None
            }
            None => Some(s),
        }
    }

    /// A required id.
    pub fn id(&mut self, f: &str) -> Option<&'a str> {
        match self.get(f) {
            Field::Val(v) => self.check_id(f, v),
            _ => {
                self.err(f, "is required");
                None
            }
        }
    }

    /// An optional id: `Ok(None)` when absent or null, `Err(())` when invalid.
    pub fn opt_id(&mut self, f: &str) -> Result<Option<&'a str>, ()> {
        match self.get(f) {
            Field::Val(v) => self.check_id(f, v).map(Some).ok_or(()),
            _ => Ok(None),
        }
    }

    /// An optional text field within `text_chars_max`.
    pub fn text(&mut self, f: &str) -> Result<Field<'a>, ()> {
        let field = self.get(f);
        if let Field::Val(v) = field {
            let Some(s) = v.as_str() else {
                self.err(f, "must be a string");
                return Err(());
            };
            let n = s.chars().count() as u64;
            if n > self.limits.text_chars_max {
                self.err(
                    f,
                    format!(
                        "is {n} characters long; the limit is {} (text_chars_max)",
                        self.limits.text_chars_max
                    ),
                );
                return Err(());
            }
        }
        Ok(field)
    }

    /// A required string from an enumeration, parsed by `parse`.
    pub fn enumeration<T>(
        &mut self,
        f: &str,
        required: bool,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>, ()> {
        match self.get(f) {
            Field::Val(v) => match v.as_str().and_then(&parse) {
                Some(x) => Ok(Some(x)),
                None => {
                    self.err(f, format!("`{}` is not one of: {expected}", short(v)));
                    Err(())
                }
            },
            _ if required => {
                self.err(f, "is required");
                Err(())
            }
            _ => Ok(None),
        }
    }

    /// A timestamp (SPEC §2), resolved in `tz`.
    pub fn instant(&mut self, f: &str, tz: Tz, required: bool) -> Result<Option<Instant>, ()> {
        match self.get(f) {
            Field::Val(Value::String(s)) => match calendar::parse_instant(tz, s) {
                Ok(t) => Ok(Some(t)),
                Err(e) => {
                    self.err(f, e.to_string());
                    Err(())
                }
            },
            Field::Val(_) => {
                self.err(f, "must be a timestamp string");
                Err(())
            }
            _ if required => {
                self.err(f, "is required");
                Err(())
            }
            _ => Ok(None),
        }
    }

    /// A local date `YYYY-MM-DD` (SPEC §2 `*_on`), keeping absent and null apart.
    pub fn date(&mut self, f: &str) -> Result<Option<Option<NaiveDate>>, ()> {
        match self.get(f) {
            Field::Absent => Ok(None),
            Field::Null => Ok(Some(None)),
            Field::Val(Value::String(s)) => match calendar::parse_date(s) {
                Ok(d) => Ok(Some(Some(d))),
                Err(e) => {
                    self.err(f, e.to_string());
                    Err(())
                }
            },
            Field::Val(_) => {
                self.err(f, "must be a date string YYYY-MM-DD");
                Err(())
            }
        }
    }

    /// A required amount: an integer in `[min, amount_max]` (SPEC §7).
    pub fn amount(&mut self, f: &str, min: i64) -> Option<i64> {
        match self.get(f) {
            Field::Val(v) => {
                let max = self.limits.amount_max;
                match v.as_i64() {
                    Some(n) if n >= min && n <= max => Some(n),
                    Some(n) if n < min => {
                        self.err(f, format!("must be >= {min}, got {n}"));
                        None
                    }
                    Some(n) => {
                        self.err(f, format!("{n} exceeds the limit {max} (amount_max)"));
                        None
                    }
                    None if v.is_u64() => {
                        self.err(f, format!("exceeds the limit {max} (amount_max)"));
                        None
                    }
                    None => {
                        self.err(
                            f,
                            format!("must be an integer number of minor units, got {}", short(v)),
                        );
                        None
                    }
                }
            }
            _ => {
                self.err(f, "is required");
                None
            }
        }
    }

    /// `custom_info`: an object or absent/null.
    pub fn custom_info(&mut self) -> Result<Option<&'a Map<String, Value>>, ()> {
        match self.get("custom_info") {
            Field::Val(Value::Object(m)) => Ok(Some(m)),
            Field::Val(_) => {
                self.err("custom_info", "must be an object");
                Err(())
            }
            _ => Ok(None),
        }
    }
}

/// What is wrong with an id (SPEC §7: non-empty, at most `id_chars_max` characters; and no
/// control or format character, docs/reference.md "Ids"), if anything.
#[inline]
pub(crate) fn id_error(s: &str, limits: &Limits) -> Option<String> {
    // Most ids are short printable ASCII: one pass over the bytes clears them.
    let plain = !s.is_empty()
        && s.len() as u64 <= limits.id_chars_max
        && s.bytes().all(|b| (0x20..0x7F).contains(&b));
    if plain {
        return None;
    }
    id_error_slow(s, limits)
}

/// [`id_error`] of an id that is empty, long or not printable ASCII.
#[cold]
fn id_error_slow(s: &str, limits: &Limits) -> Option<String> {
    if s.is_empty() {
        return Some("must not be empty".into());
    }
    // Most ids are printable ASCII: one pass over the bytes decides them.
    let printable = s.bytes().all(|b| (0x20..0x7F).contains(&b));
    if let Some((i, c)) = (!printable)
        .then(|| s.chars().enumerate().find(|(_, c)| unnamable(*c)))
        .flatten()
    {
        return Some(format!(
            "contains U+{:04X} at character {}: control and format characters (such as NUL, \
             a zero-width space or a right-to-left override) cannot be named on a command \
             line or make ids look alike",
            u32::from(c),
            i + 1
        ));
    }
    // Never fewer bytes than characters: most ids need no count.
    if s.len() as u64 <= limits.id_chars_max {
        return None;
    }
    let n = s.chars().count() as u64;
    (n > limits.id_chars_max).then(|| {
        format!(
            "is {n} characters long; the limit is {} (id_chars_max)",
            limits.id_chars_max
        )
    })
}

/// Whether `c` is refused in an id: a control character (Unicode category Cc: C0, DEL, C1)
/// or a format character (category Cf: soft hyphen, zero-width space and joiners, bidi
/// embeddings, overrides and isolates, word joiner, invisible operators, the byte order mark,
/// interlinear annotation, tags). The Cf list is Unicode 15's, in ranges.
pub(crate) fn unnamable(c: char) -> bool {
    const FORMAT: [(u32, u32); 21] = [
        (0x00AD, 0x00AD),
        (0x0600, 0x0605),
        (0x061C, 0x061C),
        (0x06DD, 0x06DD),
        (0x070F, 0x070F),
        (0x0890, 0x0891),
        (0x08E2, 0x08E2),
        (0x180E, 0x180E),
        (0x200B, 0x200F),
        (0x202A, 0x202E),
        (0x2060, 0x2064),
        (0x2066, 0x206F),
        (0xFEFF, 0xFEFF),
        (0xFFF9, 0xFFFB),
        (0x110BD, 0x110BD),
        (0x110CD, 0x110CD),
        (0x13430, 0x1343F),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0001, 0xE0001),
        (0xE0020, 0xE007F),
    ];
    let u = u32::from(c);
    c.is_control() || FORMAT.iter().any(|&(lo, hi)| (lo..=hi).contains(&u))
}

/// A value shortened for an error message.
pub(crate) fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 64 {
        let head: String = s.chars().take(61).collect();
        format!("{head}...")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decimals() {
        assert_eq!(json_decimal(&json!(0.1)).unwrap().to_string(), "0.1");
        assert_eq!(json_decimal(&json!("1.50")).unwrap().to_string(), "1.50");
        assert_eq!(json_decimal(&json!(2)).unwrap().to_string(), "2");
        assert!(json_decimal(&json!("1.")).is_none());
        assert!(json_decimal(&json!("1e3")).is_none());
        assert!(json_decimal(&json!(" 1")).is_none());
        assert!(json_decimal(&json!(true)).is_none());
    }

    #[test]
    fn unknown_fields_and_amounts_are_named() {
        let l = Limits::default();
        let v = json!({"payment_id": "p", "amont": 3, "amount": -1});
        let obj = v.as_object().unwrap();
        let mut r = Rec::new(obj, &l, &["payment_id", "amount"]);
        assert_eq!(r.amount("amount", 0), None);
        let fields: Vec<_> = r.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["amont", "amount"]);
        let v = json!({"amount": 1.5, "big": 2_000_000_000_000i64});
        let obj = v.as_object().unwrap();
        let mut r = Rec::new(obj, &l, &["amount", "big"]);
        assert_eq!(r.amount("amount", 0), None);
        assert_eq!(r.amount("big", 0), None);
        assert!(r.errors[1].message.contains("amount_max"));
    }
}
