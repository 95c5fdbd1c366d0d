//! The pieces every typed record shares: reading a record leniently (each field's read error
//! kept for the validator, unknown fields named, SPEC §3), [`Timestamp`], and the
//! [`Record`] trait that [`crate::Twin::apply_records`] takes.

use super::fields::short;
use super::report::{FieldError, JobReport, Kind};
use crate::calendar::Instant;
use crate::error::Result;
use crate::model::{ContractIx, EmployeeIx, State};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// A typed record of one kind, as Payd sends it (SPEC §2), that a Rust caller can push with
/// [`crate::Twin::apply_records`] without building JSON.
///
/// Sealed: the kinds are the engine's.
pub trait Record: sealed::Sealed + Serialize {
    /// The kind of record.
    const KIND: Kind;
}

pub(crate) mod sealed {
    use super::{Instant, JobReport, Result, State};

    /// How a batch of one record type is applied (the one batch loop of its kind).
    pub trait Sealed: Sized {
        /// Applies `records` as one job (SPEC §3).
        fn apply_to(state: &mut State, records: &[Self], received_at: Instant)
            -> Result<JobReport>;
    }
}

/// A timestamp as sent (SPEC §2): `YYYY-MM-DDTHH:MM:SS[.ffffff]` with `Z` or `±HH:MM` (an
/// instant), without offset (company-local time), or a bare date. Kept as text, so that a
/// record compares and serializes as what was sent; the twin parses it when it validates
/// the record. Build it from text or from a `chrono` value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl Timestamp<'_> {
    /// The text of the timestamp.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same timestamp, borrowing this one's text.
    pub fn borrowed(&self) -> Timestamp<'_> {
        Timestamp(Cow::Borrowed(&self.0))
    }
}

impl<'a> From<&'a str> for Timestamp<'a> {
    fn from(s: &'a str) -> Timestamp<'a> {
        Timestamp(Cow::Borrowed(s))
    }
}

impl From<String> for Timestamp<'_> {
    fn from(s: String) -> Timestamp<'static> {
        Timestamp(Cow::Owned(s))
    }
}

impl<Z: chrono::TimeZone> From<chrono::DateTime<Z>> for Timestamp<'_> {
    /// An instant, spelled in UTC with `Z` (microseconds when there is a fraction).
    fn from(t: chrono::DateTime<Z>) -> Timestamp<'static> {
        let utc = t.naive_utc();
        Timestamp(Cow::Owned(format!("{}Z", local_text(utc))))
    }
}

impl From<chrono::NaiveDateTime> for Timestamp<'_> {
    /// A company-local wall-clock time (no offset).
    fn from(t: chrono::NaiveDateTime) -> Timestamp<'static> {
        Timestamp(Cow::Owned(local_text(t)))
    }
}

/// `YYYY-MM-DDTHH:MM:SS`, with `.ffffff` when there is a fraction (SPEC §2 allows six
/// digits).
fn local_text(t: chrono::NaiveDateTime) -> String {
    use chrono::Timelike;
    if t.nanosecond() == 0 {
        t.format("%Y-%m-%dT%H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
    }
}

/// An optional field of a record that updates a kept value (SPEC §2 shift extensions):
/// absent keeps the previous version's value, `null` clears it, a value replaces it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Patch<T> {
    /// Not sent: an update keeps the previous version's value (a new record has none).
    #[default]
    Absent,
    /// Sent as `null`: the value is cleared.
    Null,
    /// Sent with a value.
    Set(T),
}

impl<T> Patch<T> {
    /// Whether the field was not sent (then it is not serialized either).
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// The value, when one was sent.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(v) => Some(v),
            Patch::Absent | Patch::Null => None,
        }
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Patch::Set(v) => v.serialize(s),
            Patch::Absent | Patch::Null => s.serialize_none(),
        }
    }
}

/// One unpaid break of a shift (SPEC §5.6): `[start_at, stop_at)`, instants or
/// company-local times like the shift's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct UnpaidBreak<'a> {
    /// Start of the break.
    pub start_at: Timestamp<'a>,
    /// End of the break, after `start_at`.
    pub stop_at: Timestamp<'a>,
}

impl UnpaidBreak<'_> {
    /// The same break, borrowing this one's text.
    pub fn borrowed(&self) -> UnpaidBreak<'_> {
        UnpaidBreak {
            start_at: self.start_at.borrowed(),
            stop_at: self.stop_at.borrowed(),
        }
    }
}

/// A field as sent, before it is read into its typed slot: absent, `null`, a string
/// (borrowed from the input where it has no escape), or any other JSON value.
#[derive(Debug, Default)]
pub(crate) enum Loose<'a> {
    #[default]
    Absent,
    Null,
    Str(Cow<'a, str>),
    Other(Value),
}

impl<'de> Deserialize<'de> for Loose<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> std::result::Result<Loose<'de>, E> {
        Ok(Loose::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Loose<'de>, E> {
        Ok(Loose::Null)
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Loose<'de>, E> {
        Ok(Loose::Other(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Loose<'de>, E> {
        Ok(Loose::Other(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Loose<'de>, E> {
        Ok(Loose::Other(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Loose<'de>, E> {
        Ok(Loose::Other(Value::from(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Loose<'de>, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Loose::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Loose<'de>, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Loose::Other)
    }
}

impl<'a> Loose<'a> {
    /// A required id or text: the string, or the message of its read error.
    pub fn required_str(self) -> std::result::Result<Cow<'a, str>, &'static str> {
        match self {
            Loose::Str(s) => Ok(s),
            Loose::Other(_) => Err("must be a string"),
            Loose::Absent | Loose::Null => Err("is required"),
        }
    }

    /// An optional id or text (absent and `null` are `None`).
    pub fn optional_str(self) -> std::result::Result<Option<Cow<'a, str>>, &'static str> {
        match self {
            Loose::Str(s) => Ok(Some(s)),
            Loose::Other(_) => Err("must be a string"),
            Loose::Absent | Loose::Null => Ok(None),
        }
    }

    /// A required timestamp's text (SPEC §2; parsed by the validator).
    pub fn timestamp(self) -> std::result::Result<Timestamp<'a>, &'static str> {
        match self {
            Loose::Str(s) => Ok(Timestamp(s)),
            Loose::Other(_) => Err("must be a timestamp string"),
            Loose::Absent | Loose::Null => Err("is required"),
        }
    }

    /// A required value of an enumeration, parsed by `parse`; the error names the value and
    /// what is `expected`.
    pub fn enumeration<T>(
        self,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> std::result::Result<T, String> {
        let sent = match self {
            Loose::Str(s) => match parse(&s) {
                Some(x) => return Ok(x),
                None => short(&Value::String(s.into_owned())),
            },
            Loose::Other(v) => short(&v),
            Loose::Absent | Loose::Null => return Err("is required".into()),
        };
        Err(format!("`{sent}` is not one of: {expected}"))
    }

    /// `tips` (SPEC §2, §5.7): a JSON integer (its range is the validator's), `null`, or
    /// absent.
    pub fn integer_patch(self) -> std::result::Result<Patch<i64>, String> {
        match self {
            Loose::Absent => Ok(Patch::Absent),
            Loose::Null => Ok(Patch::Null),
            Loose::Other(Value::Number(n)) => match n.as_i64() {
                Some(v) => Ok(Patch::Set(v)),
                None if n.is_u64() => Err("exceeds the limit (amount_max)".into()),
                None => Err(format!(
                    "must be an integer number of minor units, got {}",
                    short(&Value::Number(n))
                )),
            },
            Loose::Str(s) => Err(format!(
                "must be an integer number of minor units, got {}",
                short(&Value::String(s.into_owned()))
            )),
            Loose::Other(v) => Err(format!(
                "must be an integer number of minor units, got {}",
                short(&v)
            )),
        }
    }

    /// `unpaid_breaks` (SPEC §5.6): a list of `{"start_at", "stop_at"}` objects, `null`, or
    /// absent; each element's read error is kept in `e` under its path, e.g.
    /// `unpaid_breaks[1].stop_at`.
    pub fn breaks_patch(self, e: &mut ReadErrors) -> Patch<Vec<UnpaidBreak<'a>>> {
        const F: &str = "unpaid_breaks";
        let items = match self {
            Loose::Absent => return Patch::Absent,
            Loose::Null => return Patch::Null,
            Loose::Other(Value::Array(items)) => items,
            Loose::Str(_) | Loose::Other(_) => {
                e.push(F, "must be a list of {\"start_at\", \"stop_at\"} objects");
                return Patch::Absent;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let Value::Object(mut m) = item else {
                e.push(
                    format!("{F}[{i}]"),
                    "must be an object {\"start_at\", \"stop_at\"}",
                );
                continue;
            };
            let mut at = |k: &'static str| match m.remove(k) {
                Some(Value::String(t)) => Timestamp(Cow::Owned(t)),
                None | Some(Value::Null) => {
                    e.push(format!("{F}[{i}].{k}"), "is required");
                    Timestamp::default()
                }
                Some(_) => {
                    e.push(format!("{F}[{i}].{k}"), "must be a timestamp string");
                    Timestamp::default()
                }
            };
            let b = UnpaidBreak {
                start_at: at("start_at"),
                stop_at: at("stop_at"),
            };
            for k in m.keys() {
                e.push(format!("{F}[{i}].{k}"), "unknown field");
            }
            out.push(b);
        }
        Patch::Set(out)
    }

    /// `custom_info`: an object, or absent/`null`.
    pub fn object(self) -> std::result::Result<Option<Map<String, Value>>, &'static str> {
        match self {
            Loose::Other(Value::Object(m)) => Ok(Some(m)),
            Loose::Absent | Loose::Null => Ok(None),
            Loose::Str(_) | Loose::Other(_) => Err("must be an object"),
        }
    }
}

/// What reading a record found wrong before validation: its unknown fields (in the order
/// first sent, each once, as a JSON object keeps them) and each field that could not be read
/// into its typed slot, with the message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ReadErrors {
    pub unknown: Vec<String>,
    /// The first field of the object itself that came twice, in text order (nested
    /// objects are not looked into: `dupkeys` scans the text for those).
    pub twice: Option<String>,
    /// Each field's read error; a list element's field is named by its path, e.g.
    /// `unpaid_breaks[1].stop_at`.
    pub fields: Vec<(Cow<'static, str>, String)>,
}

impl ReadErrors {
    /// The value read for `field`, or `fallback` with the read error kept.
    pub fn slot<T, M: Into<String>>(
        &mut self,
        field: &'static str,
        r: std::result::Result<T, M>,
        fallback: T,
    ) -> T {
        r.unwrap_or_else(|m| {
            self.fields.push((Cow::Borrowed(field), m.into()));
            fallback
        })
    }

    /// Keeps a read error of `field` (a path within a list field).
    pub fn push(&mut self, field: impl Into<Cow<'static, str>>, message: impl Into<String>) {
        self.fields.push((field.into(), message.into()));
    }

    /// Whether `field` could not be read.
    pub fn has(&self, field: &str) -> bool {
        self.fields.iter().any(|(f, _)| f == field)
    }

    /// The error list a validator starts from: every unknown field, by name (SPEC §3).
    #[inline]
    pub fn start(&self) -> Vec<FieldError> {
        if self.unknown.is_empty() {
            return Vec::new();
        }
        self.unknown
            .iter()
            .map(|k| FieldError {
                field: k.clone(),
                message: "unknown field".into(),
            })
            .collect()
    }

    /// Adds `field`'s read errors (its own, and those of its elements, named
    /// `field[i]...`) to `errors` and says whether there was one (the validator then checks
    /// nothing else of that field).
    #[inline]
    pub fn report(&self, field: &str, errors: &mut Vec<FieldError>) -> bool {
        // Most records read without an error: no look at `field` then.
        if self.fields.is_empty() {
            return false;
        }
        self.report_field(field, errors)
    }

    /// [`ReadErrors::report`] when there are read errors.
    fn report_field(&self, field: &str, errors: &mut Vec<FieldError>) -> bool {
        let mut found = false;
        for (f, m) in &self.fields {
            let of_field = f
                .strip_prefix(field)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('['));
            if of_field {
                errors.push(FieldError {
                    field: f.to_string(),
                    message: m.clone(),
                });
                found = true;
            }
        }
        found
    }

    /// The errors as one message (a strict `Deserialize` fails with it).
    pub fn describe(&self) -> Option<String> {
        let mut parts: Vec<String> = self
            .unknown
            .iter()
            .map(|k| format!("`{k}`: unknown field"))
            .collect();
        parts.extend(self.fields.iter().map(|(f, m)| format!("`{f}`: {m}")));
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// A map key: the position of a known field, or an unknown name.
enum Key {
    Known(usize),
    Unknown(String),
}

/// Reads a key against the known `names` without allocating for a known one.
struct KeySeed<'n>(&'n [&'static str]);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Key, E> {
        Ok(match self.0.iter().position(|n| *n == v) {
            Some(i) => Key::Known(i),
            None => Key::Unknown(v.to_string()),
        })
    }
}

/// What [`read_fields`] read: one loose slot per known name, the unknown names (each
/// once, at its first place) and the first name that came twice.
pub(crate) type Fields<'de, const N: usize> = ([Loose<'de>; N], Vec<String>, Option<String>);

/// Reads a JSON object's fields into `N` loose slots named by `names`: a field sent twice
/// keeps its last value and an unknown one is named once, at its first place, as a
/// `serde_json` object would keep them; the first field sent twice is named too (the
/// record is then rejected, decision 69).
pub(crate) fn read_fields<'de, A: MapAccess<'de>, const N: usize>(
    mut map: A,
    names: &[&'static str; N],
) -> std::result::Result<Fields<'de, N>, A::Error> {
    let mut slots: [Loose<'de>; N] = std::array::from_fn(|_| Loose::Absent);
    let mut seen = [false; N];
    let mut unknown: Vec<String> = Vec::new();
    let mut twice = None;
    while let Some(key) = map.next_key_seed(KeySeed(names))? {
        match key {
            Key::Known(i) => {
                let v: Loose<'de> = map.next_value()?;
                if let (Some(slot), Some(s)) = (slots.get_mut(i), seen.get_mut(i)) {
                    if std::mem::replace(s, true) && twice.is_none() {
                        twice = names.get(i).map(|n| n.to_string());
                    }
                    *slot = v;
                }
            }
            Key::Unknown(k) => {
                map.next_value::<IgnoredAny>()?;
                if unknown.contains(&k) {
                    twice = twice.or(Some(k));
                } else {
                    unknown.push(k);
                }
            }
        }
    }
    Ok((slots, unknown, twice))
}

/// The last id looked up in an index and its answer: records of one employee come
/// together, so most lookups are the previous one's.
pub(crate) struct Last<I> {
    id: Option<String>,
    answer: Option<I>,
    /// How many calls were not the previous one's id.
    misses: usize,
}

impl<I> Default for Last<I> {
    fn default() -> Self {
        Last {
            id: None,
            answer: None,
            misses: 0,
        }
    }
}

impl<I: Copy> Last<I> {
    /// `look(id)`, remembered for the next call.
    pub fn get(&mut self, id: &str, look: impl FnOnce(&str) -> Option<I>) -> Option<I> {
        match &mut self.id {
            Some(last) if last == id => {}
            Some(last) => {
                self.answer = look(id);
                id.clone_into(last);
                self.misses += 1;
            }
            None => {
                self.answer = look(id);
                self.id = Some(id.to_string());
                self.misses += 1;
            }
        }
        self.answer
    }

    /// How many calls so far looked their id up (were not the previous call's id).
    pub fn misses(&self) -> usize {
        self.misses
    }
}

/// Per-task lookups of a validator.
#[derive(Default)]
pub(crate) struct Memo {
    pub employee: Last<EmployeeIx>,
    pub contract: Last<ContractIx>,
    /// Where the employee id's text starts in a plain record read by this task, and the
    /// bytes just before it (its key, as that record spells it): step 1's look-ahead finds
    /// the employee ids of the records to come there, without reading them.
    pub employee_at: Option<(usize, [u8; EMPLOYEE_KEY_BYTES])>,
}

/// How many bytes before an employee id's text [`Memo::employee_at`] keeps: the key
/// `"employee_id":"` in its compact spelling.
pub(crate) const EMPLOYEE_KEY_BYTES: usize = 15;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::Timestamp;
    use crate::calendar::parse_instant;
    use chrono::{NaiveDate, TimeZone, Utc};

    #[test]
    fn timestamps_from_chrono_spell_the_same_instant() {
        let t = Utc.with_ymd_and_hms(2026, 6, 3, 7, 0, 0).unwrap();
        assert_eq!(Timestamp::from(t).as_str(), "2026-06-03T07:00:00Z");
        let brussels = t.with_timezone(&chrono_tz::Europe::Brussels);
        assert_eq!(Timestamp::from(brussels).as_str(), "2026-06-03T07:00:00Z");
        let local = NaiveDate::from_ymd_opt(2026, 6, 3)
            .unwrap()
            .and_hms_micro_opt(9, 0, 0, 500)
            .unwrap();
        let ts = Timestamp::from(local);
        assert_eq!(ts.as_str(), "2026-06-03T09:00:00.000500");
        // 09:00:00.0005 in Brussels (+02:00) is 07:00:00.0005Z.
        let tz = chrono_tz::Europe::Brussels;
        assert_eq!(
            parse_instant(tz, ts.as_str()).unwrap().as_micros(),
            parse_instant(tz, "2026-06-03T07:00:00.000500Z")
                .unwrap()
                .as_micros()
        );
    }
}
