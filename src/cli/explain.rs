//! The plain-language explanation of an eligibility decision, for `ewa demo` and
//! `ewa explain --employee E`: each unpaid period's work and figures, what is outstanding,
//! and the verdict with its arithmetic or its reasons in words.

use super::args::time;
use super::commands::with_twin;
use super::output::{emit, write_failed};
use super::table::{self, money, reason_text};
use super::{Cli, Env, Failure, Format, Outcome};
use ewa::{Delivery, Detail, Eligibility, LineKind, PeriodAccrual, Twin};
use serde_json::json;
use std::io::Write;

/// The explanation's lines after its header (each indented by four spaces).
pub fn body(e: &Eligibility, twin: &Twin) -> String {
    let cur = e
        .currency
        .as_ref()
        .map(ewa::money::currency::Currency::code);
    let mut s = String::new();
    for period in &e.periods {
        let role = if Some(period.pay_period_id.as_str()) == e.recovery.map(|r| r.pay_period_id) {
            "the recovery period"
        } else if period.in_blackout {
            "in blackout: it arrives on payday"
        } else {
            "unpaid"
        };
        s.push_str(&period_line(period, cur, role));
    }
    for l in &e.outstanding_lines {
        s.push_str(&format!(
            "    outstanding: {} {} + fee {}\n",
            l.advance_id.as_deref().unwrap_or("carried shortfall"),
            money(l.amount, cur),
            money(l.fee, cur)
        ));
    }
    s.push_str(&verdict(e, cur, twin));
    s
}

/// What the lines of a period say, in a few words: hours worked, days, additions...
fn work(p: &PeriodAccrual, cur: Option<&str>) -> String {
    let mut tally = Tally::default();
    for l in &p.lines {
        tally.add(l);
    }
    let mut parts = tally.words();
    parts.extend(premium_words(p, cur));
    if parts.is_empty() {
        return "nothing worked yet".into();
    }
    parts.join(", ")
}

/// The lines of a period counted by kind, for [`work`].
#[derive(Default)]
struct Tally {
    seconds: rust_decimal::Decimal,
    salary_days: Option<String>,
    daily: u64,
    holidays: u64,
    leave_days: u64,
    overtime: bool,
    tips: bool,
    /// The weighted regular rate of an overtime line without a rate (SPEC §5.2).
    regular_rate: Option<String>,
    topped_up: bool,
}

impl Tally {
    fn add(&mut self, l: &ewa::accrual::Line) {
        match l.kind {
            LineKind::Regular => {
                if let Some(s) = l
                    .quantity
                    .parse::<rust_decimal::Decimal>()
                    .ok()
                    .and_then(|q| self.seconds.checked_add(q))
                {
                    self.seconds = s;
                }
            }
            LineKind::Overtime | LineKind::DoubleTime => {
                self.overtime = true;
                if l.rate.is_none() {
                    // Paid on the week's weighted regular rate (SPEC §5.2): say it.
                    self.regular_rate = Some(table::line_rate(l, None));
                }
            }
            LineKind::MinimumWage => self.topped_up = true,
            LineKind::Salary => self.salary_days = Some(l.quantity.clone()),
            LineKind::Daily => self.daily += 1,
            LineKind::Holiday => self.holidays += 1,
            LineKind::Leave => self.leave_days += 1,
            // Said by `premium_words`.
            LineKind::Premium => {}
            LineKind::Tips => self.tips = true,
            _ => {}
        }
    }

    fn words(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if !self.seconds.is_zero() {
            let hours = self
                .seconds
                .checked_div(rust_decimal::Decimal::from(3600))
                .unwrap_or_default()
                .round_dp(1);
            let overtime = match (self.overtime, &self.regular_rate) {
                (true, Some(rr)) => format!(" (with overtime on a regular rate {rr}/h)"),
                (true, None) => " (with overtime)".to_string(),
                _ => String::new(),
            };
            parts.push(format!("{hours} h worked{overtime}"));
        }
        if self.topped_up {
            parts.push("topped up to the minimum wage".into());
        }
        if let Some(d) = &self.salary_days {
            parts.push(format!("{d} days of salary"));
        }
        if self.daily > 0 {
            parts.push(format!(
                "{} worked",
                table::plural(self.daily, "day", "days")
            ));
        }
        if self.holidays > 0 {
            parts.push(table::plural(
                self.holidays,
                "paid holiday",
                "paid holidays",
            ));
        }
        if self.leave_days > 0 {
            let days = table::plural(self.leave_days, "day", "days");
            parts.push(format!("{days} of paid leave"));
        }
        if self.tips {
            parts.push("tips".into());
        }
        parts
    }
}

/// The premium lines of a period (SPEC §5.4) in words, one phrase per rule, rate and
/// multiplier: `6 h night × 1.50 = 9.00` (per hour) or `4 h weekend × (1.25 − 1) × 20.00 =
/// 20.00` (a multiplier on the rate).
fn premium_words(p: &PeriodAccrual, cur: Option<&str>) -> Vec<String> {
    use rust_decimal::Decimal;
    // (name, rate, multiplier) → (seconds, amount in minor units)
    type Key<'a> = (&'a str, i64, Option<&'a str>);
    let mut groups: Vec<(Key<'_>, (Decimal, Decimal))> = Vec::new();
    for l in p.lines.iter().filter(|l| l.kind == LineKind::Premium) {
        let key = (
            l.name.as_deref().unwrap_or_default(),
            l.rate.unwrap_or_default(),
            l.multiplier.as_deref(),
        );
        let seconds = l.quantity.parse::<Decimal>().unwrap_or_default();
        let amount = l.amount.parse::<Decimal>().unwrap_or_default();
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => {
                g.1 .0 = g.1 .0.checked_add(seconds).unwrap_or(g.1 .0);
                g.1 .1 = g.1 .1.checked_add(amount).unwrap_or(g.1 .1);
            }
            None => groups.push((key, (seconds, amount))),
        }
    }
    groups
        .into_iter()
        .map(|((name, rate, m), (seconds, amount))| {
            let hours = seconds
                .checked_div(Decimal::from(3600))
                .unwrap_or_default()
                .round_dp(2)
                .normalize();
            let amount = i64::try_from(amount.round()).unwrap_or_default();
            let per = match m {
                Some(m) => format!("({m} − 1) × {}", money(rate, cur)),
                None => money(rate, cur),
            };
            format!("{hours} h {name} × {per} = {}", money(amount, cur))
        })
        .collect()
}

fn period_line(p: &PeriodAccrual, cur: Option<&str>, role: &str) -> String {
    let mut figures = format!("gross {}", money(p.gross, cur));
    if p.withholding != 0 {
        figures.push_str(&format!(", withholding -{}", money(p.withholding, cur)));
    }
    if p.additions != 0 {
        figures.push_str(&format!(", additions +{}", money(p.additions, cur)));
    }
    if p.deductions != 0 {
        figures.push_str(&format!(", deductions -{}", money(p.deductions, cur)));
    }
    format!(
        "    {} ({role}): {} -> {figures} = net {}\n",
        p.pay_period_id,
        work(p, cur),
        money(p.net, cur)
    )
}

/// The last line of an explained decision: what may be drawn and how, or why nothing.
fn verdict(e: &Eligibility, cur: Option<&str>, twin: &ewa::Twin) -> String {
    let rate = twin.company().policy().access_rate();
    let pct = rate
        .checked_mul(rust_decimal::Decimal::from(100))
        .unwrap_or_default()
        .normalize();
    if e.eligible {
        let access = e.headroom.saturating_add(e.outstanding);
        let minus = if e.outstanding > 0 {
            format!(
                " - outstanding {} = {}",
                money(e.outstanding, cur),
                money(e.headroom, cur)
            )
        } else {
            String::new()
        };
        format!(
            "    => may draw {} {} now: {pct}% of net {} = {}{minus}{}\n",
            money(e.available, cur),
            cur.unwrap_or_default(),
            money(e.accessible_base, cur),
            money(access, cur),
            below_headroom(e, cur),
        )
    } else {
        let why: Vec<String> = e
            .reasons
            .iter()
            .map(|r| format!("{} ({})", r.as_str(), reason_text(r.as_str())))
            .collect();
        format!("    => not eligible: {}\n", why.join(", "))
    }
}

/// Why `available` is below the headroom, when it is: a cap of the policy, or the fee.
fn below_headroom(e: &Eligibility, cur: Option<&str>) -> String {
    if e.available >= e.headroom {
        return String::new();
    }
    let available = money(e.available, cur);
    match e.limited_by {
        Some(limit) => {
            let words = match limit {
                ewa::Limit::MaxAdvance => "the most per advance",
                ewa::Limit::MaxPerPeriod => "what is left of the limit per period",
                ewa::Limit::MaxPerDay => "what is left of today's limit",
                ewa::Limit::MaxPerWeek => "what is left of this week's limit",
            };
            format!(", capped at {available}: {words} ({})", limit.field())
        }
        None if e.fee > 0 => format!(", of which {available} + fee {} fits", money(e.fee, cur)),
        None => String::new(),
    }
}

/// `ewa explain --employee E`: the demo's words for any employee; `--format json` adds the
/// eligibility answer to the lines.
pub fn run(
    cli: &Cli,
    env: Env,
    employee: &str,
    as_of: Option<&str>,
    known_at: Option<&str>,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    with_twin(cli, env, known_at, Some(employee), |twin| {
        let tz = twin.company().timezone();
        let t = time(as_of, "as-of", tz, env)?;
        let e = twin.eligibility(employee, t, Delivery::Standard, Detail::Explained)?;
        let cur = e
            .currency
            .as_ref()
            .map(ewa::money::currency::Currency::code);
        let text = format!(
            "{employee}{} as of {}\n{}",
            cur.map(|c| format!(" ({c})")).unwrap_or_default(),
            table::local(tz, t),
            body(&e, twin)
        );
        match cli.format {
            None | Some(Format::Table) => write!(out, "{text}").map_err(write_failed)?,
            Some(Format::Csv) => {
                return Err(Failure::input(
                    "explain prints text or JSON: --format table, json or jsonl",
                ))
            }
            Some(_) => emit(
                cli,
                out,
                &json!({"explanation": text.lines().map(str::trim).collect::<Vec<_>>(),
                        "eligibility": e}),
                String::new,
            )?,
        }
        if e.reasons.contains(ewa::Reason::UnknownEmployee) {
            return Err(Failure::unknown_employee(employee, twin));
        }
        Ok(Outcome::Ok)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ewa::{Company, Kind};

    /// The premium lines of a period in words, one phrase per rule (SPEC §5.4 explain).
    #[test]
    fn premium_lines_read_as_hours_times_rate() {
        let mut twin = Twin::new(Company::new("acme", chrono_tz::UTC));
        let t0 = ewa::calendar::parse_instant(chrono_tz::UTC, "2026-05-01T00:00:00Z").unwrap();
        let batches = [
            (
                Kind::PaySchedules,
                json!([{"pay_schedule_id": "w", "frequency": "weekly",
                "periods": [{"pay_period_id": "w23", "start_at": "2026-06-01", "stop_at": "2026-06-08",
                             "pay_at": "2026-06-12"}]}]),
            ),
            (
                Kind::Contracts,
                json!([{"contract_id": "h", "pay_schedule_id": "w", "currency": "USD",
                "wage_rate_period": "hourly", "wage_rate_amount": 2000, "custom_info": {"premiums": [
                    {"name": "night", "from": "22:00", "to": "06:00", "per_hour": 150},
                    {"name": "weekend", "days": ["saturday"], "multiplier": "1.25"}]}}]),
            ),
            (
                Kind::Employees,
                json!([{"employee_id": "e1", "contract_id": "h"}]),
            ),
            (
                Kind::Shifts,
                json!([{"shift_id": "s1", "shift_status": "approved", "employee_id": "e1",
                "start_at": "2026-06-05T20:00:00Z", "stop_at": "2026-06-06T04:00:00Z"}]),
            ),
        ];
        for (kind, records) in batches {
            let records = records.as_array().unwrap().clone();
            assert_eq!(twin.apply(kind, &records, t0).unwrap().count_accepted, 1);
        }
        let as_of = ewa::calendar::parse_instant(chrono_tz::UTC, "2026-06-08T12:00:00Z").unwrap();
        let a = twin.accruals("e1", as_of).unwrap();
        assert_eq!(
            work(&a.periods[0], Some("USD")),
            // 6 × 1.50 = 9.00; 4 × 0.25 × 20.00 = 20.00.
            "8 h worked, 6 h night × 1.50 = 9.00, 4 h weekend × (1.25 − 1) × 20.00 = 20.00"
        );
    }
}
