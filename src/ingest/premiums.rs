//! `custom_info.premiums` of a contract (SPEC §5.4, §9 "Premiums"): the one parser, used by
//! contract ingestion and by the snapshot decoder (which re-derives the rules from the
//! stored `custom_info`). Errors name the full field path, e.g. `custom_info.premiums[1].from`.

use super::contracts::parse_hhmm;
use super::fields::json_decimal;
use crate::calendar::parse_weekday;
use crate::model::premium::{day_bit, HolidayMatch, Premium, PremiumPay, ALL_DAYS};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// The keys of one rule (SPEC §5.4).
pub(crate) const PREMIUM_FIELDS: &[&str] = &[
    "name",
    "days",
    "from",
    "to",
    "holidays",
    "per_hour",
    "multiplier",
    "regular_rate",
];
/// At most this many rules per contract (docs/decisions.md "Premiums").
pub(crate) const RULES_MAX: usize = 32;
/// The largest multiplier, as for overtime (docs/decisions.md).
const MULTIPLIER_MAX: i64 = 100;

/// A field error: (full path, reason).
type FieldErr = (String, String);

/// The premium rules of a contract's `custom_info` (none when it has no `premiums` key or
/// the key is `null`); `text_max` bounds a rule's `name` (the company's `text_chars_max`).
///
/// # Errors
/// The first invalid field, by full path (`custom_info.premiums[i].key`) and reason.
pub(crate) fn premiums_of(
    custom_info: Option<&Map<String, Value>>,
    text_max: u64,
) -> Result<Vec<Premium>, FieldErr> {
    match custom_info.and_then(|c| c.get("premiums")) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => parse_premiums(v, text_max),
    }
}

/// Validates `custom_info.premiums` (SPEC §5.4): a list of at most [`RULES_MAX`] rules with
/// names unique within it.
///
/// # Errors
/// The first invalid field, by full path and reason.
pub(crate) fn parse_premiums(v: &Value, text_max: u64) -> Result<Vec<Premium>, FieldErr> {
    let base = "custom_info.premiums";
    let list = v
        .as_array()
        .ok_or_else(|| (base.to_string(), "must be a list of rules".to_string()))?;
    if list.len() > RULES_MAX {
        return Err((
            base.to_string(),
            format!("has {} rules; at most {RULES_MAX} are allowed", list.len()),
        ));
    }
    let mut out: Vec<Premium> = Vec::with_capacity(list.len());
    for (i, rule) in list.iter().enumerate() {
        let path = format!("{base}[{i}]");
        let p = parse_rule(rule, &path, text_max)?;
        if out.iter().any(|q| q.name == p.name) {
            return Err((
                format!("{path}.name"),
                format!("`{}` names an earlier rule; names must be unique", p.name),
            ));
        }
        out.push(p);
    }
    Ok(out)
}

/// One rule at `path` (SPEC §5.4).
fn parse_rule(v: &Value, path: &str, text_max: u64) -> Result<Premium, FieldErr> {
    let obj = v
        .as_object()
        .ok_or_else(|| (path.to_string(), "must be an object".to_string()))?;
    let at = |k: &str| format!("{path}.{k}");
    if let Some(k) = obj.keys().find(|k| !PREMIUM_FIELDS.contains(&k.as_str())) {
        return Err((at(k), "unknown premium rule key".into()));
    }
    let get = |k: &str| obj.get(k).filter(|v| !v.is_null());
    let name = match get("name") {
        Some(Value::String(s)) if s.is_empty() => return Err((at("name"), "is empty".into())),
        Some(Value::String(s)) if s.chars().count() as u64 > text_max => {
            return Err((
                at("name"),
                format!("is longer than {text_max} characters (text_chars_max)"),
            ))
        }
        Some(Value::String(s)) => s.as_str().into(),
        Some(_) => return Err((at("name"), "must be text".into())),
        None => return Err((at("name"), "is required".into())),
    };
    let pay = pay(get("per_hour"), get("multiplier"), path)?;
    Ok(Premium {
        name,
        days: days(get("days"), &at("days"))?,
        window: window(get("from"), get("to"), path)?,
        holidays: holidays(get("holidays"), &at("holidays"))?,
        pay,
        extra: crate::model::premium::extra_of(pay),
        regular_rate: match get("regular_rate") {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err((at("regular_rate"), "must be true or false".into())),
        },
    })
}

/// `days`: weekday names, non-empty, each once; all seven when absent.
fn days(v: Option<&Value>, path: &str) -> Result<u8, FieldErr> {
    let Some(v) = v else { return Ok(ALL_DAYS) };
    let list = v.as_array().ok_or_else(|| {
        (
            path.to_string(),
            "must be a list of weekday names".to_string(),
        )
    })?;
    if list.is_empty() {
        return Err((path.to_string(), "must name at least one weekday".into()));
    }
    let mut bits = 0u8;
    for (i, d) in list.iter().enumerate() {
        let w = d.as_str().and_then(parse_weekday).ok_or_else(|| {
            (
                format!("{path}[{i}]"),
                "must be a weekday name (monday … sunday)".to_string(),
            )
        })?;
        if bits & day_bit(w) != 0 {
            return Err((format!("{path}[{i}]"), "names a weekday twice".into()));
        }
        bits |= day_bit(w);
    }
    Ok(bits)
}

/// `from` and `to`: local `HH:MM`, both or neither, not equal.
fn window(
    from: Option<&Value>,
    to: Option<&Value>,
    path: &str,
) -> Result<Option<(chrono::NaiveTime, chrono::NaiveTime)>, FieldErr> {
    let time = |v: Option<&Value>, k: &str| -> Result<Option<chrono::NaiveTime>, FieldErr> {
        match v {
            None => Ok(None),
            Some(v) => v.as_str().and_then(parse_hhmm).map(Some).ok_or_else(|| {
                (
                    format!("{path}.{k}"),
                    "must be a local time HH:MM".to_string(),
                )
            }),
        }
    };
    match (time(from, "from")?, time(to, "to")?) {
        (None, None) => Ok(None),
        (Some(_), None) => Err((format!("{path}.to"), "is required with `from`".into())),
        (None, Some(_)) => Err((format!("{path}.from"), "is required with `to`".into())),
        (Some(a), Some(b)) if a == b => {
            Err((format!("{path}.to"), "must differ from `from`".into()))
        }
        (Some(a), Some(b)) => Ok(Some((a, b))),
    }
}

/// `holidays`: `any` (default), `only` or `exclude`.
fn holidays(v: Option<&Value>, path: &str) -> Result<HolidayMatch, FieldErr> {
    match v.map(|v| v.as_str()) {
        None => Ok(HolidayMatch::Any),
        Some(Some("any")) => Ok(HolidayMatch::Any),
        Some(Some("only")) => Ok(HolidayMatch::Only),
        Some(Some("exclude")) => Ok(HolidayMatch::Exclude),
        Some(_) => Err((path.to_string(), "must be any, only or exclude".into())),
    }
}

/// Exactly one of `per_hour` (whole minor units ≥ 0) or `multiplier` (in [1, 100]).
fn pay(
    per_hour: Option<&Value>,
    multiplier: Option<&Value>,
    path: &str,
) -> Result<PremiumPay, FieldErr> {
    match (per_hour, multiplier) {
        (Some(_), Some(_)) => Err((
            format!("{path}.multiplier"),
            "cannot be given with per_hour; a rule has exactly one".into(),
        )),
        (None, None) => Err((
            format!("{path}.per_hour"),
            "or multiplier is required".into(),
        )),
        (Some(v), None) => {
            let err = || {
                (
                    format!("{path}.per_hour"),
                    "must be whole minor units ≥ 0 (a number or a decimal string)".to_string(),
                )
            };
            let d = json_decimal(v).ok_or_else(err)?;
            if d.is_sign_negative() && !d.is_zero() || d.fract() != Decimal::ZERO {
                return Err(err());
            }
            i64::try_from(d.trunc())
                .map(PremiumPay::PerHour)
                .map_err(|_| err())
        }
        (None, Some(v)) => match json_decimal(v) {
            Some(m) if m >= Decimal::ONE && m <= Decimal::from(MULTIPLIER_MAX) => {
                Ok(PremiumPay::Multiplier(m.normalize()))
            }
            _ => Err((
                format!("{path}.multiplier"),
                format!("must be a decimal in [1, {MULTIPLIER_MAX}]"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value) -> (String, String) {
        parse_premiums(&v, 20).unwrap_err()
    }

    #[test]
    fn a_rule_reads_with_its_defaults() {
        let v = json!([{"name": "night", "from": "22:00", "to": "06:00", "per_hour": "150"},
                       {"name": "weekend", "days": ["saturday", "sunday"], "multiplier": 1.25,
                        "holidays": "exclude", "regular_rate": false}]);
        let p = parse_premiums(&v, 20).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].days, ALL_DAYS);
        assert_eq!(p[0].holidays, HolidayMatch::Any);
        assert_eq!(p[0].pay, PremiumPay::PerHour(150));
        assert!(p[0].regular_rate);
        let t = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(p[0].window, Some((t(22, 0), t(6, 0))));
        assert_eq!(p[1].days, 0b110_0000);
        assert_eq!(p[1].pay, PremiumPay::Multiplier(Decimal::new(125, 2)));
        assert_eq!(p[1].holidays, HolidayMatch::Exclude);
        assert!(!p[1].regular_rate);
        // 150.0 is whole by value (SPEC §9).
        let whole = parse_premiums(&json!([{"name": "a", "per_hour": 150.0}]), 20).unwrap();
        assert_eq!(whole[0].pay, PremiumPay::PerHour(150));
    }

    #[test]
    fn each_invalid_field_is_named_by_its_path() {
        let cases = [
            (json!({}), "custom_info.premiums"),
            (json!([1]), "custom_info.premiums[0]"),
            (json!([{"per_hour": 1}]), "custom_info.premiums[0].name"),
            (
                json!([{"name": "", "per_hour": 1}]),
                "custom_info.premiums[0].name",
            ),
            (
                json!([{"name": "x".repeat(21), "per_hour": 1}]),
                "custom_info.premiums[0].name",
            ),
            (
                json!([{"name": "a", "per_hour": 1}, {"name": "a", "per_hour": 2}]),
                "custom_info.premiums[1].name",
            ),
            (
                json!([{"name": "a", "per_hour": 1, "rate": 2}]),
                "custom_info.premiums[0].rate",
            ),
            (
                json!([{"name": "a", "per_hour": 1, "days": []}]),
                "custom_info.premiums[0].days",
            ),
            (
                json!([{"name": "a", "per_hour": 1, "days": "monday"}]),
                "custom_info.premiums[0].days",
            ),
            (
                json!([{"name": "a", "per_hour": 1, "days": ["monday", "funday"]}]),
                "custom_info.premiums[0].days[1]",
            ),
            (
                json!([{"name": "a", "per_hour": 1, "days": ["monday", "monday"]}]),
                "custom_info.premiums[0].days[1]",
            ),
            (
                json!([{"name": "a", "per_hour": 1}, {"name": "b", "per_hour": 1, "from": "25:00",
                     "to": "06:00"}]),
                "custom_info.premiums[1].from",
            ),
            (
                json!([{"name": "a", "per_hour": 1, "from": "22:00"}]),
                "custom_info.premiums[0].to",
            ),
            (
                json!([{"name": "a", "per_hour": 1, "to": "22:00"}]),
                "custom_info.premiums[0].from",
            ),
            (
                json!([{"name": "a", "per_hour": 1, "from": "22:00", "to": "22:00"}]),
                "custom_info.premiums[0].to",
            ),
            (
                json!([{"name": "a", "per_hour": 1, "holidays": "some"}]),
                "custom_info.premiums[0].holidays",
            ),
            (json!([{"name": "a"}]), "custom_info.premiums[0].per_hour"),
            (
                json!([{"name": "a", "per_hour": 1, "multiplier": 2}]),
                "custom_info.premiums[0].multiplier",
            ),
            (
                json!([{"name": "a", "per_hour": "1.5"}]),
                "custom_info.premiums[0].per_hour",
            ),
            (
                json!([{"name": "a", "per_hour": -1}]),
                "custom_info.premiums[0].per_hour",
            ),
            (
                json!([{"name": "a", "per_hour": true}]),
                "custom_info.premiums[0].per_hour",
            ),
            (
                json!([{"name": "a", "multiplier": "0.5"}]),
                "custom_info.premiums[0].multiplier",
            ),
            (
                json!([{"name": "a", "multiplier": 101}]),
                "custom_info.premiums[0].multiplier",
            ),
            (
                json!([{"name": "a", "per_hour": 1, "regular_rate": "yes"}]),
                "custom_info.premiums[0].regular_rate",
            ),
        ];
        for (v, path) in cases {
            assert_eq!(err(v.clone()).0, path, "{v}");
        }
        let many: Vec<Value> = (0..=RULES_MAX)
            .map(|i| json!({"name": i.to_string(), "per_hour": 1}))
            .collect();
        assert_eq!(err(Value::Array(many)).0, "custom_info.premiums");
    }

    #[test]
    fn absent_or_null_premiums_are_none() {
        assert!(premiums_of(None, 20).unwrap().is_empty());
        let c = json!({"premiums": null, "site": "A"});
        assert!(premiums_of(c.as_object(), 20).unwrap().is_empty());
    }
}
