//! `--format table`: aligned columns and money in major units, for people.

use chrono::TimeZone;
use ewa::calendar::{parse_instant, Instant};
use ewa::money::Currency;

/// Renders rows under a header, each column as wide as its widest cell; numbers (cells
/// that start with a digit or a minus) align right.
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>, numeric: &dyn Fn(usize, &str) -> bool| -> String {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            let pad = w.saturating_sub(cell.chars().count());
            if numeric(i, cell) {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                if i + 1 < cells.len() {
                    out.push_str(&" ".repeat(pad));
                }
            }
        }
        out.trim_end().to_string()
    };
    let mut out = line(header.to_vec(), &|_, _| false);
    out.push('\n');
    let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&line(
        rules.iter().map(String::as_str).collect(),
        &|_, _| false,
    ));
    out.push('\n');
    for row in rows {
        let is_num = |_: usize, c: &str| {
            c.starts_with(|ch: char| ch.is_ascii_digit()) && !c.contains(['-', ':'])
                || c.starts_with('-') && c.len() > 1
        };
        out.push_str(&line(row.iter().map(String::as_str).collect(), &is_num));
        out.push('\n');
    }
    out
}

/// Key/value pairs, one per line, keys aligned.
pub fn pairs(items: &[(&str, String)]) -> String {
    let w = items
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    items
        .iter()
        .map(|(k, v)| format!("{}\n", format!("{k:<w$}  {v}").trim_end()))
        .collect()
}

/// The rate column of an explain line: its rate; for a minimum-wage top-up `min` and the
/// hourly minimum; for an overtime line paid on the weighted regular rate (no `rate`, SPEC
/// §5.2) `RR` and the regular rate, recovered as `amount / (hours × (multiplier − 1))`
/// (`≈` when it is not a whole minor unit).
pub fn line_rate(l: &ewa::Line, currency: Option<&str>) -> String {
    use rust_decimal::prelude::ToPrimitive;
    use rust_decimal::Decimal;
    match (l.kind, l.rate) {
        (ewa::LineKind::MinimumWage, Some(r)) => format!("min {}", money(r, currency)),
        (_, Some(r)) => money(r, currency),
        (ewa::LineKind::Overtime | ewa::LineKind::DoubleTime, None) => {
            let num = |s: &str| s.parse::<Decimal>().ok();
            let rr = (|| {
                let hours = num(&l.quantity)?.checked_div(Decimal::from(3600))?;
                let extra = num(l.multiplier.as_deref()?)?.checked_sub(Decimal::ONE)?;
                num(&l.amount)?.checked_div(hours.checked_mul(extra)?)
            })();
            match rr {
                Some(rr) => {
                    let whole = rr.round_dp(0);
                    let exact = rr
                        .checked_sub(whole)
                        .is_some_and(|d| d.abs() < Decimal::new(1, 3));
                    let sign = if exact { "" } else { "≈" };
                    whole
                        .to_i64()
                        .map(|m| format!("RR {sign}{}", money(m, currency)))
                        .unwrap_or_default()
                }
                None => String::new(),
            }
        }
        _ => String::new(),
    }
}

/// Minor units as major units with thousands separators: `123456` EUR → `1,234.56`.
pub fn money(amount: i64, currency: Option<&str>) -> String {
    let exp = currency
        .and_then(Currency::parse)
        .map_or(2, |c| u32::from(c.exponent()));
    let neg = amount < 0;
    let abs = amount.unsigned_abs();
    let scale = 10u64.pow(exp);
    let (whole, frac) = (abs / scale, abs % scale);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if neg { "-" } else { "" };
    if exp == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac:0w$}", w = exp as usize)
    }
}

/// An instant in the company's local time, to the minute, with the zone's abbreviation:
/// `2026-12-24 10:00 CET`.
pub fn local(tz: chrono_tz::Tz, t: Instant) -> String {
    match t.to_utc() {
        Some(utc) => tz
            .from_utc_datetime(&utc)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string(),
        None => t.to_string(),
    }
}

/// An instant as the library writes it (`2026-12-24T09:00:00Z`) in local time; other text
/// as it is.
pub fn local_text(tz: chrono_tz::Tz, s: &str) -> String {
    parse_instant(chrono_tz::UTC, s).map_or_else(|_| s.to_string(), |t| local(tz, t))
}

/// A duration in seconds as hours and minutes: `8 h 00 min`.
pub fn hours(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{} h {:02} min", minutes / 60, minutes % 60)
}

/// An English count of a noun: `1 day`, `2 days`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A value's JSON string form (a snake_case code such as `not_cancellable`).
pub fn code(v: &impl serde::Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `yes` or `no`.
pub fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// An exact amount of minor units (`12088.500000`) in major units, as many decimals as
/// it needs but at least the currency's: `120.885` EUR, `120.88` EUR.
pub fn exact_money(minor: &str, currency: Option<&str>) -> String {
    let exp = currency
        .and_then(Currency::parse)
        .map_or(2, |c| u32::from(c.exponent()));
    let Ok(mut d) = minor.parse::<rust_decimal::Decimal>() else {
        return minor.to_string();
    };
    if d.set_scale(d.scale().saturating_add(exp)).is_err() {
        return minor.to_string();
    }
    let d = d.normalize();
    if d.scale() >= exp {
        return d.to_string();
    }
    let mut d = d;
    d.rescale(exp);
    d.to_string()
}

/// An integer with thousands separators.
pub fn count(n: usize) -> String {
    money(i64::try_from(n).unwrap_or(i64::MAX), Some("JPY"))
}

/// A reason code in words, for people.
pub fn reason_text(code: &str) -> &'static str {
    match code {
        "unknown_employee" => "not an employee of this company",
        "no_active_assignment" => "no active contract now",
        "employment_ended" => "employment has ended",
        "tenure_too_short" => "employed for too short a time",
        "on_leave" => "on leave today",
        "no_unpaid_period" => "nothing is unpaid now",
        "blackout" => "payday is too close: the money arrives with the pay",
        "shortfall_outstanding" => "an earlier over-advance is not yet repaid",
        "repayment_too_far" => "payday is too far away to repay an advance",
        "amount_overflow" => "amounts too large to compute: check the rates and shifts",
        "negative_balance" => "deductions exceed earnings",
        "nothing_accrued" => "nothing earned yet in the recovery period",
        "headroom_used" => "earlier advances use the accessible amount",
        "fee_exceeds_headroom" => "the fee would exceed the accessible amount",
        "period_cap_reached" => "the per-period cap is reached",
        "advance_count_reached" => "the number of advances per period is reached",
        "daily_limit_reached" => "today's limit is reached",
        "weekly_limit_reached" => "this week's limit is reached",
        "fee_advance_count_reached" => {
            "no more advances with a fee this period: choose the free delivery"
        }
        "below_minimum" => "below the minimum advance",
        "exceeds_available" => "more than is available",
        "invalid_amount" => "not a valid amount",
        "advance_id_reused" => "the advance id was used with other details",
        "unknown_advance" => "no such advance",
        "not_cancellable" => "cannot be cancelled now",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The explain words of weighted-RR overtime and minimum-wage lines (SPEC §5.2, §5.7),
    /// on the golden cases' data: RR $13 (778.110(b)), ≈ $4.67 (466.67), and the minimum.
    #[test]
    fn line_rates_say_the_regular_rate_and_the_minimum() {
        let rates = |case: &str, who: &str| -> Vec<(ewa::LineKind, String)> {
            let path = format!("{}/tests/golden/{case}.json", env!("CARGO_MANIFEST_DIR"));
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let (_, twin) = ewa::scenario::run_with_twin(&doc).unwrap();
            let t = ewa::calendar::parse_instant(chrono_tz::UTC, "2026-06-08T12:00:00").unwrap();
            let a = twin.accruals(who, t).unwrap();
            a.periods
                .iter()
                .flat_map(|p| p.lines.iter())
                .map(|l| (l.kind, line_rate(l, Some("USD"))))
                .collect()
        };
        let rr = rates("regular_rate_bonus_778_110", "rr");
        assert!(rr.contains(&(ewa::LineKind::Overtime, "RR 13.00".to_string())));
        assert!(rr.contains(&(ewa::LineKind::Regular, "12.00".to_string())));
        let b = rates("regular_rate_minimum_wage_floor", "b");
        assert!(b.contains(&(ewa::LineKind::Overtime, "RR ≈4.67".to_string())));
        let s = rates("minimum_wage_tipped_no_tips", "s1");
        assert!(s.contains(&(ewa::LineKind::MinimumWage, "min 7.25".to_string())));
    }

    #[test]
    fn money_in_major_units() {
        assert_eq!(money(123_456, Some("EUR")), "1,234.56");
        assert_eq!(money(-5, Some("EUR")), "-0.05");
        assert_eq!(money(1_000_000, Some("JPY")), "1,000,000");
        assert_eq!(money(1_234, Some("KWD")), "1.234");
        assert_eq!(money(7, None), "0.07");
        assert_eq!(count(1000), "1,000");
    }

    #[test]
    fn local_times_hours_and_plurals() {
        let t = parse_instant(chrono_tz::UTC, "2026-12-24T09:00:00Z").unwrap();
        assert_eq!(
            local(chrono_tz::Europe::Brussels, t),
            "2026-12-24 10:00 CET"
        );
        assert_eq!(
            local_text(chrono_tz::Europe::Brussels, "2026-06-27T08:00:00Z"),
            "2026-06-27 10:00 CEST"
        );
        assert_eq!(local_text(chrono_tz::UTC, "P-1"), "P-1");
        // 28,800 s = 480 min = 8 h 00 min; 5,400 s = 90 min = 1 h 30 min.
        assert_eq!(hours(28_800), "8 h 00 min");
        assert_eq!(hours(5_400), "1 h 30 min");
        assert_eq!(plural(1, "day", "days"), "1 day");
        assert_eq!(exact_money("12088.000000", Some("EUR")), "120.88");
        assert_eq!(exact_money("-24176.500000", Some("EUR")), "-241.765");
        assert_eq!(exact_money("500", Some("JPY")), "500");
        assert_eq!(plural(3, "day", "days"), "3 days");
    }

    #[test]
    fn columns_align() {
        let t = render(
            &["id", "amount"],
            &[
                vec!["e1".into(), "5.00".into()],
                vec!["e22".into(), "10.00".into()],
            ],
        );
        assert_eq!(t, "id   amount\n---  ------\ne1     5.00\ne22   10.00\n");
    }
}
