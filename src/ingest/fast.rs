//! A typed fast path for `apply_json` of shift batches (issue #5: ingestion at ≥ 1M
//! records/s), with exactly the answers of the `Value` path.
//!
//! The batch is read into borrowed, typed records instead of `serde_json::Value` trees.
//! Whatever the fast path cannot vouch for goes the ordinary way, so every validation and
//! every message stays the `Value` path's own:
//! * a batch that is not an array of objects with only the shift fields, each a string or
//!   `null` (`custom_info` anything), is parsed again as `Value`s and applied as before;
//! * a record is applied here only when every field is valid one by one; any other record is
//!   turned back into its JSON object and applied by [`Twin::apply_shift`], which names
//!   every error.

use super::report::{JobReport, Kind};
use super::shifts::ParsedShift;
use crate::calendar::{self, Instant};
use crate::error::{Error, Result};
use crate::model::{ShiftStatus, NONE};
use crate::twin::{plan_batch, record_result, Twin};
use serde::de::{Deserializer, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// A field as sent, kept apart as the `Value` path keeps it: absent, `null` or a string.
#[derive(Clone, Debug, Default, PartialEq)]
enum Text<'a> {
    #[default]
    Absent,
    Null,
    Str(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or null")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Text<'a>, E> {
                Ok(Text::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Text<'a>, E> {
                Ok(Text::Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Text<'a>, E> {
                Ok(Text::Str(Cow::Owned(v)))
            }
            fn visit_unit<E>(self) -> std::result::Result<Text<'a>, E> {
                Ok(Text::Null)
            }
            fn visit_none<E>(self) -> std::result::Result<Text<'a>, E> {
                Ok(Text::Null)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl Text<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Text::Str(s) => Some(s),
            _ => None,
        }
    }
    fn to_value(&self) -> Option<Value> {
        match self {
            Text::Absent => None,
            Text::Null => Some(Value::Null),
            Text::Str(s) => Some(Value::String(s.to_string())),
        }
    }
}

/// `Some(value)` whenever the field is present, `null` included.
fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// One shift record in the fast form.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ShiftJson<'a> {
    #[serde(default, borrow)]
    shift_id: Text<'a>,
    #[serde(default, borrow)]
    shift_status: Text<'a>,
    #[serde(default, borrow)]
    employee_id: Text<'a>,
    #[serde(default, borrow)]
    contract_id: Text<'a>,
    #[serde(default, borrow)]
    start_at: Text<'a>,
    #[serde(default, borrow)]
    stop_at: Text<'a>,
    #[serde(default, deserialize_with = "present")]
    custom_info: Option<Value>,
}

impl ShiftJson<'_> {
    /// The record as the JSON object it was sent as.
    fn to_map(&self) -> Map<String, Value> {
        let mut m = Map::new();
        for (k, v) in [
            ("shift_id", &self.shift_id),
            ("shift_status", &self.shift_status),
            ("employee_id", &self.employee_id),
            ("contract_id", &self.contract_id),
            ("start_at", &self.start_at),
            ("stop_at", &self.stop_at),
        ] {
            if let Some(v) = v.to_value() {
                m.insert(k.into(), v);
            }
        }
        if let Some(c) = &self.custom_info {
            m.insert("custom_info".into(), c.clone());
        }
        m
    }
}

impl Twin {
    /// The fast path of `apply_json` for shifts; `None` when the batch is not in the fast
    /// form (the caller then takes the `Value` path, which words every error).
    pub(crate) fn apply_shifts_fast(
        &mut self,
        bytes: &[u8],
        received_at: Instant,
    ) -> Option<Result<JobReport>> {
        let mut recs: Vec<ShiftJson<'_>> = serde_json::from_slice(bytes).ok()?;
        let max = self.company.limits.batch_records_max;
        if recs.len() as u64 > max {
            return Some(Err(Error::BatchRefused {
                reason: format!(
                    "{} records exceed the limit of {max} (batch_records_max)",
                    recs.len()
                ),
            }));
        }
        let refs: Vec<Option<&str>> = recs.iter().map(|r| r.shift_id.as_str()).collect();
        let plan = plan_batch(&refs, |i, j| recs.get(i) == recs.get(j));
        drop(refs);
        let keys: Vec<Option<String>> = recs
            .iter()
            .map(|r| r.shift_id.as_str().map(str::to_string))
            .collect();
        let report = self.run_batch(Kind::Shifts, keys, &plan, |twin, i, key, job| {
            let Some(rec) = recs.get_mut(i) else {
                return record_result(
                    i,
                    key,
                    Err(crate::twin::RecordError::field(
                        "record",
                        "index out of date",
                    )),
                );
            };
            match twin.parse_fast(rec) {
                Some(parsed) => {
                    record_result(i, key, twin.apply_shift_parsed(parsed, received_at, job))
                }
                None => {
                    let obj = rec.to_map();
                    record_result(i, key, twin.apply_shift(&obj, received_at, job))
                }
            }
        });
        Some(Ok(report))
    }

    /// The record's fields when each is valid (as `Twin::apply_shift` checks them), else
    /// `None`. Takes `custom_info` out of the record only when it succeeds.
    fn parse_fast<'r>(&self, rec: &'r mut ShiftJson<'_>) -> Option<ParsedShift<'r>> {
        let limits = &self.company.limits;
        let tz = self.company.timezone;
        let id_ok = |s: &str| {
            let n = s.chars().count() as u64;
            n > 0 && n <= limits.id_chars_max
        };
        let custom_info = match &rec.custom_info {
            None | Some(Value::Null) => None,
            Some(Value::Object(_)) => match rec.custom_info.take() {
                Some(Value::Object(m)) => Some(Box::new(m)),
                _ => return None,
            },
            Some(_) => return None,
        };
        let restore = |rec: &mut ShiftJson<'_>, ci: Option<Box<Map<String, Value>>>| {
            if let Some(m) = ci {
                rec.custom_info = Some(Value::Object(*m));
            }
        };
        let parsed = (|| {
            rec.shift_id.as_str().filter(|s| id_ok(s))?;
            let status = rec.shift_status.as_str().and_then(ShiftStatus::parse)?;
            let start = calendar::parse_instant(tz, rec.start_at.as_str()?).ok()?;
            let stop = calendar::parse_instant(tz, rec.stop_at.as_str()?).ok()?;
            let len = stop.as_micros().saturating_sub(start.as_micros());
            if start >= stop || len > limits.shift_micros_max() {
                return None;
            }
            let employee = match &rec.employee_id {
                Text::Absent | Text::Null => NONE,
                Text::Str(e) => self.employee_ix.get(e).filter(|_| id_ok(e))?,
            };
            let named_contract = match &rec.contract_id {
                Text::Absent | Text::Null => None,
                Text::Str(c) => Some(self.contract_ix.get(c).filter(|_| id_ok(c))?),
            };
            Some((status, employee, named_contract, start, stop))
        })();
        let Some((status, employee, named_contract, start, stop)) = parsed else {
            restore(rec, custom_info);
            return None;
        };
        let rec: &'r ShiftJson<'_> = rec;
        let id = rec.shift_id.as_str()?;
        Some(ParsedShift {
            id,
            status,
            employee,
            named_contract,
            start,
            stop,
            custom_info,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use crate::generate::{self, Options};
    use crate::ingest::Kind;
    use crate::twin::Twin;
    use serde_json::{json, Value};

    /// The fast path and the `Value` path give the same reports and the same twin.
    fn both(records: &[Value]) {
        let opts = Options {
            employees: 4,
            shifts_per_employee: 3,
            ..Options::default()
        };
        let base = generate::twin(&opts).unwrap();
        let at = opts.received_at();
        let bytes = serde_json::to_vec(records).unwrap();
        let mut fast = base.clone();
        let mut slow = base.clone();
        let a = fast.apply_json(Kind::Shifts, &bytes, at).unwrap();
        let b = slow.apply(Kind::Shifts, records, at).unwrap();
        assert_eq!(a, b);
        assert_eq!(fast, slow);
        assert!(
            fast.apply_shifts_fast(&bytes, at).is_some(),
            "the fast path was taken"
        );
    }

    #[test]
    fn fast_path_answers_as_the_value_path() {
        let ok = |id: &str, s: &str, e: &str| json!({"shift_id": id, "shift_status": s, "employee_id": "e0000001", "start_at": format!("2026-06-0{e}T08:00:00Z"), "stop_at": format!("2026-06-0{e}T12:00:00Z")});
        let mut recs = vec![
            ok("n1", "approved", "3"),
            ok("n1", "approved", "3"),
            ok("n2", "approved", "3"),
            ok("n3", "approvedd", "4"),
            ok("n4", "submitted", "4"),
            ok("n4", "approved", "4"),
            json!({"shift_id": "n5", "shift_status": "available", "start_at": "2026-06-05T08:00:00", "stop_at": "2026-06-05T09:00:00", "custom_info": {"a": 1}}),
            json!({"shift_id": "n6", "shift_status": "approved", "employee_id": "nobody", "start_at": "2026-06-05T08:00:00Z", "stop_at": "2026-06-05T07:00:00Z"}),
            json!({"shift_id": "", "shift_status": "approved", "employee_id": null, "contract_id": null, "start_at": "x", "stop_at": "2026-06-05T07:00:00Z", "custom_info": 3}),
            json!({"shift_id": "n7", "shift_status": "approved", "employee_id": "e0000002", "contract_id": "h-weekly-1", "start_at": "2026-06-05T08:00:00Z", "stop_at": "2026-06-06T09:00:00Z"}),
            json!({"shift_id": "s0000001-001", "shift_status": "voided", "employee_id": "e0000001", "start_at": "2026-06-05T08:00:00Z", "stop_at": "2026-06-05T10:00:00Z", "custom_info": null}),
        ];
        both(&recs);
        recs.push(json!({"shift_id": "n8", "shift_status": "approved", "start_at": 3, "stop_at": "2026-06-05T07:00:00Z"}));
        recs.push(json!({"shift_stat": "approved"}));
        let bytes = serde_json::to_vec(&recs).unwrap();
        let opts = Options {
            employees: 4,
            shifts_per_employee: 3,
            ..Options::default()
        };
        let mut t = generate::twin(&opts).unwrap();
        assert!(
            t.apply_shifts_fast(&bytes, opts.received_at()).is_none(),
            "a number is not the fast form"
        );
        let mut u: Twin = generate::twin(&opts).unwrap();
        assert_eq!(
            t.apply_json(Kind::Shifts, &bytes, opts.received_at())
                .unwrap(),
            u.apply(Kind::Shifts, &recs, opts.received_at()).unwrap()
        );
    }
}
