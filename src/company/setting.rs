//! The numeric settings of a company (SPEC §2 "Numbers", §6, §7, §9).
//!
//! One table ([`Setting::table`]) gives every numeric setting of `policy` and `limits` its
//! dotted field name and its bounds; the check ([`Setting::check`]) and its message
//! ([`Setting::message`]) both derive from that table, so the JSON reader and the builders
//! refuse exactly the same values with exactly the same words.
//!
//! A setting may be written as a JSON number or as a decimal string (`150`, `"150"`, `150.0`);
//! "whole" is by value, so `"150.5"` is refused where a whole number is required (SPEC §9).

use crate::error::{Error, Result};
use crate::model::Delivery;
use crate::money::decimal::json_decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::Value;

/// Largest amount (minor units), count or number of days any setting may take, so that sums of
/// amounts and date arithmetic stay far from overflow.
const WHOLE_CEILING: i64 = 1_000_000_000_000_000;
/// Longest span a setting may give in hours: a leap year.
const HOURS_CEILING: i64 = 24 * 366;
/// Largest `rate_bps`: 100 % of the amount (SPEC §6).
const BPS_CEILING: i64 = 10_000;

/// What kind of number a setting holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Whole by value: amounts in minor units, counts, days, `rate_bps`.
    Whole,
    /// A rate; fractions allowed.
    Rate,
    /// Hours; fractions allowed.
    Hours,
}

/// The bounds of one setting: `min ..= max` (no `max`: whatever the field's type holds), and
/// whether JSON `null` is accepted (meaning "no cap", or the default).
#[derive(Clone, Copy, Debug)]
struct Bound {
    kind: Kind,
    min: i64,
    max: Option<i64>,
    nullable: bool,
}

/// Every numeric setting of `policy` (SPEC §6) and `limits` (SPEC §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Setting {
    AccessRate,
    EstimatedWithholdingRate,
    MinAdvance,
    MaxAdvance,
    MaxPerPeriod,
    MaxAdvancesPerPeriod,
    BlackoutHoursBeforePay,
    MinTenureDays,
    MaxPerDay,
    MaxPerWeek,
    FeeCapPerMonth,
    MaxFeeAdvancesPerPeriod,
    MaxRepaymentDays,
    FeeFlat(Delivery),
    FeeRateBps(Delivery),
    BatchBytesMax,
    BatchRecordsMax,
    IdCharsMax,
    TextCharsMax,
    ShiftHoursMax,
    AmountMax,
}

impl Setting {
    /// THE table: field name and bounds of every setting. Caps of SPEC §6 are ≥ 1 when given,
    /// `access_rate` and `estimated_withholding_rate` are in [0, 1] (SPEC §5.3, §6), limits are
    /// ≥ 1 (SPEC §7).
    fn table(self) -> (&'static str, Bound) {
        use Kind::{Hours, Rate, Whole};
        let b = |kind, min, max, nullable| Bound {
            kind,
            min,
            max: Some(max),
            nullable,
        };
        let unbounded = Bound {
            kind: Whole,
            min: 1,
            max: None,
            nullable: false,
        };
        match self {
            Setting::AccessRate => ("policy.access_rate", b(Rate, 0, 1, false)),
            Setting::EstimatedWithholdingRate => {
                ("policy.estimated_withholding_rate", b(Rate, 0, 1, false))
            }
            Setting::MinAdvance => ("policy.min_advance", b(Whole, 0, WHOLE_CEILING, true)),
            Setting::MaxAdvance => ("policy.max_advance", b(Whole, 1, WHOLE_CEILING, true)),
            Setting::MaxPerPeriod => ("policy.max_per_period", b(Whole, 1, WHOLE_CEILING, true)),
            Setting::MaxAdvancesPerPeriod => (
                "policy.max_advances_per_period",
                b(Whole, 1, WHOLE_CEILING, true),
            ),
            Setting::BlackoutHoursBeforePay => (
                "policy.blackout_hours_before_pay",
                b(Hours, 0, HOURS_CEILING, false),
            ),
            Setting::MinTenureDays => ("policy.min_tenure_days", b(Whole, 0, WHOLE_CEILING, true)),
            Setting::MaxPerDay => ("policy.max_per_day", b(Whole, 1, WHOLE_CEILING, true)),
            Setting::MaxPerWeek => ("policy.max_per_week", b(Whole, 1, WHOLE_CEILING, true)),
            Setting::FeeCapPerMonth => {
                ("policy.fee_cap_per_month", b(Whole, 1, WHOLE_CEILING, true))
            }
            Setting::MaxFeeAdvancesPerPeriod => (
                "policy.max_fee_advances_per_period",
                b(Whole, 1, WHOLE_CEILING, true),
            ),
            Setting::MaxRepaymentDays => (
                "policy.max_repayment_days",
                b(Whole, 1, WHOLE_CEILING, true),
            ),
            Setting::FeeFlat(Delivery::Standard) => (
                "policy.fees.standard.flat",
                b(Whole, 0, WHOLE_CEILING, true),
            ),
            Setting::FeeFlat(Delivery::Instant) => {
                ("policy.fees.instant.flat", b(Whole, 0, WHOLE_CEILING, true))
            }
            Setting::FeeRateBps(Delivery::Standard) => (
                "policy.fees.standard.rate_bps",
                b(Whole, 0, BPS_CEILING, true),
            ),
            Setting::FeeRateBps(Delivery::Instant) => (
                "policy.fees.instant.rate_bps",
                b(Whole, 0, BPS_CEILING, true),
            ),
            Setting::BatchBytesMax => ("limits.batch_bytes_max", unbounded),
            Setting::BatchRecordsMax => ("limits.batch_records_max", unbounded),
            Setting::IdCharsMax => ("limits.id_chars_max", unbounded),
            Setting::TextCharsMax => ("limits.text_chars_max", unbounded),
            Setting::ShiftHoursMax => ("limits.shift_hours_max", b(Hours, 1, HOURS_CEILING, false)),
            Setting::AmountMax => ("limits.amount_max", b(Whole, 1, WHOLE_CEILING, false)),
        }
    }

    /// The dotted field name, e.g. `policy.access_rate`.
    pub(crate) fn field(self) -> &'static str {
        self.table().0
    }

    /// What a valid value looks like, e.g. `must be a whole number in [1, 10^15] or null`.
    pub(crate) fn message(self) -> String {
        let bound = self.table().1;
        let noun = match bound.kind {
            Kind::Whole => "a whole number",
            Kind::Rate => "a decimal",
            Kind::Hours => "a number of hours",
        };
        let range = match bound.max {
            Some(max) => format!("in [{}, {}]", bound.min, power_of_ten(max)),
            None => format!(">= {}", bound.min),
        };
        let null = if bound.nullable { " or null" } else { "" };
        format!("must be {noun} {range}{null}")
    }

    /// The error refusing a value of this setting.
    pub(crate) fn error(self) -> Error {
        Error::config(self.field(), self.message())
    }

    /// THE check: `value` lies in the setting's bounds and is whole where it must be.
    /// Returns the value normalised (`0.50` → `0.5`).
    ///
    /// # Errors
    /// [`Error::Config`] naming the field, with [`Setting::message`].
    pub(crate) fn check(self, value: Decimal) -> Result<Decimal> {
        let bound = self.table().1;
        let whole_ok = bound.kind != Kind::Whole || value.fract().is_zero();
        let max_ok = bound.max.is_none_or(|m| value <= Decimal::from(m));
        if whole_ok && max_ok && value >= Decimal::from(bound.min) {
            Ok(value.normalize())
        } else {
            Err(self.error())
        }
    }

    /// [`Setting::check`] for a whole value held as `i64`.
    pub(crate) fn check_i64(self, value: i64) -> Result<i64> {
        self.check(Decimal::from(value)).map(|_| value)
    }

    /// [`Setting::check`] for a whole value held as `u64`.
    pub(crate) fn check_u64(self, value: u64) -> Result<u64> {
        self.check(Decimal::from(value)).map(|_| value)
    }

    /// Reads the setting from JSON: a number or a decimal string (SPEC §2 "Numbers"), checked.
    /// `None` for `null` where the table allows it.
    ///
    /// # Errors
    /// [`Error::Config`] naming the field, with [`Setting::message`].
    pub(crate) fn read(self, v: &Value) -> Result<Option<Decimal>> {
        if v.is_null() && self.table().1.nullable {
            return Ok(None);
        }
        let d = json_decimal(v).ok_or_else(|| self.error())?;
        self.check(d).map(Some)
    }

    /// [`Setting::read`] of a setting that has no `null`.
    pub(crate) fn read_decimal(self, v: &Value) -> Result<Decimal> {
        self.read(v)?.ok_or_else(|| self.error())
    }

    /// [`Setting::read`] of a whole setting held as `i64`.
    pub(crate) fn read_i64(self, v: &Value) -> Result<Option<i64>> {
        self.read(v)?
            .map(|d| d.to_i64().ok_or_else(|| self.error()))
            .transpose()
    }

    /// [`Setting::read`] of a whole setting held as `u64`.
    pub(crate) fn read_u64(self, v: &Value) -> Result<Option<u64>> {
        self.read(v)?
            .map(|d| d.to_u64().ok_or_else(|| self.error()))
            .transpose()
    }
}

/// `10^k` for a power of ten of at least a million, else the digits.
fn power_of_ten(n: i64) -> String {
    let mut k = 0;
    let mut m = n;
    while m >= 10 && m % 10 == 0 {
        m /= 10;
        k += 1;
    }
    if m == 1 && k >= 6 {
        format!("10^{k}")
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_derive_from_the_table() {
        assert_eq!(
            Setting::MaxAdvance.message(),
            "must be a whole number in [1, 10^15] or null"
        );
        assert_eq!(Setting::AccessRate.message(), "must be a decimal in [0, 1]");
        assert_eq!(
            Setting::FeeRateBps(Delivery::Instant).message(),
            "must be a whole number in [0, 10000] or null"
        );
        assert_eq!(
            Setting::ShiftHoursMax.message(),
            "must be a number of hours in [1, 8784]"
        );
        assert_eq!(Setting::IdCharsMax.message(), "must be a whole number >= 1");
        assert_eq!(power_of_ten(100_000), "100000");
    }

    #[test]
    fn whole_is_by_value() {
        let s = Setting::FeeRateBps(Delivery::Standard);
        for v in [json!(150), json!("150"), json!(150.0), json!("150.0")] {
            assert_eq!(s.read_i64(&v).unwrap(), Some(150), "{v}");
        }
        for v in [
            json!("150.5"),
            json!(150.5),
            json!(10_001),
            json!(-1),
            json!("1e2"),
        ] {
            assert_eq!(s.read_i64(&v).unwrap_err(), s.error(), "{v}");
        }
        assert_eq!(s.read_i64(&json!(null)).unwrap(), None);
        assert!(Setting::AccessRate.read(&json!(null)).is_err());
    }

    #[test]
    fn unbounded_limits_stop_at_their_type() {
        let s = Setting::BatchBytesMax;
        assert_eq!(s.read_u64(&json!(u64::MAX)).unwrap(), Some(u64::MAX));
        assert_eq!(
            s.read_u64(&json!("18446744073709551616")).unwrap_err(),
            s.error()
        );
    }
}
