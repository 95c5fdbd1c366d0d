//! Decimals as sent (SPEC §2): a JSON number read by its shortest decimal spelling, or a
//! strict decimal string. Below every layer that reads settings or records.

use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

/// Reads a decimal from a JSON number (its shortest decimal spelling, so `0.1` is exactly
/// 0.1) or from a decimal string such as `"1.5"`.
pub(crate) fn json_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => {
            let s = n.to_string();
            Decimal::from_str(&s)
                .or_else(|_| Decimal::from_scientific(&s))
                .ok()
        }
        Value::String(s) => strict_decimal(s),
        _ => None,
    }
}

/// `-?digits[.digits]`, at most 28 significant digits.
fn strict_decimal(s: &str) -> Option<Decimal> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let mut parts = body.splitn(2, '.');
    let int = parts.next()?;
    let frac = parts.next();
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) || s.len() > 40 {
        return None;
    }
    Decimal::from_str(s).ok()
}
