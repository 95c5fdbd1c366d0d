//! Premium rules of an hourly contract (SPEC §5.4): shift differentials, weekend and holiday
//! work, parsed from `custom_info.premiums` by `ingest::premiums`.

use crate::money::Exact;
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use rust_decimal::Decimal;

/// Which dates a rule covers by their company-holiday status (SPEC §5.4 `holidays`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum HolidayMatch {
    /// Every date (the default).
    Any,
    /// Company holidays only.
    Only,
    /// Every date but company holidays.
    Exclude,
}

/// What a rule pays per covered second (SPEC §5.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PremiumPay {
    /// Whole minor units per hour (≥ 0): `per_hour / 3600` per second.
    PerHour(i64),
    /// A multiplier ≥ 1: `(multiplier − 1) × rate(x) / 3600` per second.
    Multiplier(Decimal),
}

/// One premium rule (SPEC §5.4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Premium {
    /// Unique within the contract; named by the explain line.
    pub name: Box<str>,
    /// Bit `k` set when the weekday `k` days from Monday is covered (never 0).
    pub days: u8,
    /// Local `(from, to)`, never equal; `None` covers whole dates.
    pub window: Option<(NaiveTime, NaiveTime)>,
    /// Holiday status a covered date must have.
    pub holidays: HolidayMatch,
    /// What a covered second earns.
    pub pay: PremiumPay,
    /// `multiplier − 1` of a multiplier rule, exactly (made once when the rule is read;
    /// `None` for a per-hour rule).
    pub extra: Option<Exact>,
    /// Whether the rule's premiums enter the regular rate (SPEC §5.2 `regular_rate`).
    pub regular_rate: bool,
}

/// The bit of weekday `w` in [`Premium::days`].
pub(crate) fn day_bit(w: Weekday) -> u8 {
    1 << w.num_days_from_monday()
}

/// Every weekday (the default of `days`).
pub(crate) const ALL_DAYS: u8 = 0x7f;

/// `multiplier − 1` of a rule paying `pay`, exactly (`None` for a per-hour rule).
pub(crate) fn extra_of(pay: PremiumPay) -> Option<Exact> {
    match pay {
        PremiumPay::Multiplier(m) => Exact::from_decimal(m - Decimal::ONE),
        PremiumPay::PerHour(_) => None,
    }
}

impl Premium {
    /// Whether the rule covers (part of) local date `d`, whose holiday status is `holiday`:
    /// its weekday is in `days` and its status matches `holidays` (SPEC §5.4).
    pub fn covers_date(&self, d: NaiveDate, holiday: bool) -> bool {
        let status = match self.holidays {
            HolidayMatch::Any => true,
            HolidayMatch::Only => holiday,
            HolidayMatch::Exclude => !holiday,
        };
        status && self.days & day_bit(d.weekday()) != 0
    }

    /// Whether the rule can pay anything (a zero per-hour amount or a multiplier of 1 pays
    /// nothing: skipped).
    pub fn pays(&self) -> bool {
        match self.pay {
            PremiumPay::PerHour(p) => p != 0,
            PremiumPay::Multiplier(m) => m != Decimal::ONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(days: u8, holidays: HolidayMatch) -> Premium {
        Premium {
            name: "r".into(),
            days,
            window: None,
            holidays,
            pay: PremiumPay::PerHour(1),
            extra: None,
            regular_rate: true,
        }
    }

    #[test]
    fn a_date_is_covered_by_weekday_and_holiday_status() {
        // 2026-12-05 is a Saturday, 2026-12-07 a Monday.
        let sat = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let mon = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let weekend = day_bit(Weekday::Sat) | day_bit(Weekday::Sun);
        let r = rule(weekend, HolidayMatch::Any);
        assert!(r.covers_date(sat, false) && r.covers_date(sat, true));
        assert!(!r.covers_date(mon, false));
        let only = rule(ALL_DAYS, HolidayMatch::Only);
        assert!(only.covers_date(mon, true) && !only.covers_date(mon, false));
        let exclude = rule(ALL_DAYS, HolidayMatch::Exclude);
        assert!(!exclude.covers_date(mon, true) && exclude.covers_date(mon, false));
    }
}
