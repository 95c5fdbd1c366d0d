//! `--format table`: aligned columns and money in major units, for people.

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
