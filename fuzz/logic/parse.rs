// The `parse` fuzz target's body, shared by `fuzz/fuzz_targets/parse.rs` (libFuzzer) and
// `tests/fuzz_replay.rs` (stable CI), which both `#[path]`-import this file.
//
// Timestamps (SPEC §2): parsing any text never panics, and a parsed instant prints (RFC 3339,
// UTC) and parses back to the same instant. Decimals and integers of a policy (SPEC §2
// "Numbers", §6): any string or JSON number in a numeric setting never panics, and an
// accepted policy survives `to_json` → `from_json` unchanged. A whole company object from
// the input (when it is JSON) never panics either.
#![allow(dead_code)]

use ewa::calendar::{self, Instant};
use ewa::{Company, Policy};
use serde_json::{json, Value};

const NUMERIC: [&str; 8] = [
    "access_rate",
    "estimated_withholding_rate",
    "blackout_hours_before_pay",
    "min_advance",
    "max_advance",
    "max_per_period",
    "max_advances_per_period",
    "min_tenure_days",
];

/// Parsing one text as a timestamp in a few zones: no panic; a parsed instant round-trips.
///
/// Found by this target: an instant whose UTC year left 0000..=9999 (from
/// `9999-12-31T23:59:59-05:00`) printed with a sign (`+10000-01-01T04:59:59Z`) that the
/// parser refuses; such instants are now refused when parsed
/// (`tests/fuzz_regressions/parse/year_*`).
fn timestamps(text: &str) {
    let _ = calendar::parse_date(text);
    let _ = calendar::parse_weekday(text);
    let _ = calendar::parse_zone(text);
    for tz in [
        chrono_tz::UTC,
        chrono_tz::Europe::Brussels,
        chrono_tz::America::Los_Angeles,
    ] {
        let Ok(t) = calendar::parse_instant(tz, text) else {
            continue;
        };
        let printed = t.to_string();
        let back = calendar::parse_instant(chrono_tz::UTC, &printed);
        assert_eq!(
            back.as_ref().ok(),
            Some(&t),
            "{text:?} in {tz} → {printed} → {back:?}"
        );
        let _: Instant = calendar::resolve(tz, calendar::Timestamp::Instant(t));
    }
}

/// One numeric policy setting from the text, as a string and (when it is one) as a JSON
/// number: no panic; an accepted policy round-trips through its JSON.
fn policies(text: &str) {
    let mut values = vec![Value::String(text.to_string())];
    if let Ok(v @ Value::Number(_)) = serde_json::from_str::<Value>(text) {
        values.push(v);
    }
    for field in NUMERIC {
        for v in &values {
            let Ok(p) = Policy::from_json(&json!({ field: v })) else {
                continue;
            };
            let again = Policy::from_json(&p.to_json());
            assert_eq!(again.as_ref().ok(), Some(&p), "{field} = {v}: {again:?}");
        }
    }
}

/// The fuzz target.
pub fn run(data: &[u8]) {
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        if let Ok(c) = Company::from_json(&v) {
            let again = Company::from_json(&c.to_json());
            assert_eq!(
                again.as_ref().ok(),
                Some(&c),
                "a company's own JSON: {again:?}"
            );
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    timestamps(text);
    policies(text);
}
