//! The company a twin holds (SPEC §2 "Company") and its advance policy (SPEC §6).

use crate::calendar::{self, Instant};
use crate::error::{Error, Result};
use crate::ingest::fields::json_decimal;
use crate::limits::Limits;
use crate::model::{Delivery, ShiftStatus};
use chrono::Weekday;
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// A fee for one delivery speed: `flat + ceil(A × rate_bps / 10000)` (SPEC §6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Fee {
    /// Flat part, minor units (>= 0).
    pub flat: i64,
    /// Proportional part in basis points of the amount (>= 0, at most 10,000).
    pub rate_bps: i64,
}

/// Fees per delivery speed (SPEC §6; default all 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Fees {
    /// Fee of [`Delivery::Standard`].
    pub standard: Fee,
    /// Fee of [`Delivery::Instant`].
    pub instant: Fee,
}

impl Fees {
    /// The fee schedule of a delivery speed.
    pub fn of(&self, d: Delivery) -> Fee {
        match d {
            Delivery::Standard => self.standard,
            Delivery::Instant => self.instant,
        }
    }
}

/// Which local dates count as days of a salaried period (SPEC §5.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SalariedDayBasis {
    /// Every calendar day (the default).
    #[default]
    Calendar,
    /// Only days whose weekday is in `policy.workdays`.
    Working,
}

/// The company's advance policy (SPEC §6). Every field has the SPEC's default.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    /// Share of the accessible base an employee may draw, in [0, 1] (default 0.5).
    pub access_rate: Decimal,
    /// Smallest advance, minor units (default 0).
    pub min_advance: i64,
    /// Largest single advance (default none).
    pub max_advance: Option<i64>,
    /// Largest sum of advance amounts recovered from one period (default none).
    pub max_per_period: Option<i64>,
    /// Most advances recovered from one period (default none).
    pub max_advances_per_period: Option<i64>,
    /// Blackout before payday, in hours (default 48).
    pub blackout_hours_before_pay: Decimal,
    /// Tenure needed before any advance, in days (default 0).
    pub min_tenure_days: i64,
    /// Fees per delivery speed (default all 0).
    pub fees: Fees,
    /// Estimated withholding rate `w` in [0, 1] for net-based caps (default 0, SPEC §5.3).
    pub estimated_withholding_rate: Decimal,
    /// Shift statuses that accrue (default `approved`).
    pub counted_statuses: BTreeSet<ShiftStatus>,
    /// Calendar or working-day basis for salaried proration (default calendar).
    pub salaried_day_basis: SalariedDayBasis,
    /// Working weekdays for the working-day basis (default Monday–Friday).
    pub workdays: Vec<Weekday>,
}

impl Default for Policy {
    /// The defaults of SPEC §6.
    fn default() -> Self {
        Policy {
            access_rate: Decimal::new(5, 1),
            min_advance: 0,
            max_advance: None,
            max_per_period: None,
            max_advances_per_period: None,
            blackout_hours_before_pay: Decimal::from(48),
            min_tenure_days: 0,
            fees: Fees::default(),
            estimated_withholding_rate: Decimal::ZERO,
            counted_statuses: [ShiftStatus::Approved].into_iter().collect(),
            salaried_day_basis: SalariedDayBasis::Calendar,
            workdays: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
        }
    }
}

impl Policy {
    /// Whether a status is counted (SPEC §5).
    pub fn counts(&self, s: ShiftStatus) -> bool {
        self.counted_statuses.contains(&s)
    }

    /// Whether a weekday is a working day.
    pub fn is_workday(&self, w: Weekday) -> bool {
        self.workdays.contains(&w)
    }

    /// The blackout length in microseconds (hours × 3.6e9, rounded half away).
    pub fn blackout_micros(&self) -> i64 {
        crate::money::Exact::from_decimal(self.blackout_hours_before_pay)
            .and_then(|h| h.checked_mul(crate::money::Exact::int(3_600_000_000)))
            .and_then(|m| m.round_half_away())
            .unwrap_or(i64::MAX)
    }

    /// Reads a policy object, rejecting unknown fields and values out of range.
    ///
    /// # Errors
    /// [`Error::Config`] naming `policy.<field>`.
    pub fn from_json(v: &Value) -> Result<Policy> {
        let obj = v
            .as_object()
            .ok_or_else(|| Error::config("policy", "must be an object"))?;
        let mut p = Policy::default();
        for (k, val) in obj {
            let f = format!("policy.{k}");
            match k.as_str() {
                "access_rate" => p.access_rate = unit_decimal(&f, val)?,
                "estimated_withholding_rate" => {
                    p.estimated_withholding_rate = unit_decimal(&f, val)?
                }
                "min_advance" => p.min_advance = int_min(&f, val, 0)?.unwrap_or(0),
                "max_advance" => p.max_advance = int_min(&f, val, 1)?,
                "max_per_period" => p.max_per_period = int_min(&f, val, 1)?,
                "max_advances_per_period" => p.max_advances_per_period = int_min(&f, val, 1)?,
                "min_tenure_days" => p.min_tenure_days = int_min(&f, val, 0)?.unwrap_or(0),
                "blackout_hours_before_pay" => {
                    let d = json_decimal(val)
                        .filter(|d| !d.is_sign_negative() && *d <= Decimal::from(24 * 366))
                        .ok_or_else(|| {
                            Error::config(&f, "must be a number of hours in [0, 8784]")
                        })?;
                    p.blackout_hours_before_pay = d.normalize();
                }
                "fees" => p.fees = fees_from_json(val)?,
                "counted_statuses" => {
                    let arr = val
                        .as_array()
                        .ok_or_else(|| Error::config(&f, "must be an array of shift statuses"))?;
                    let mut set = BTreeSet::new();
                    for s in arr {
                        let st = s.as_str().and_then(ShiftStatus::parse).ok_or_else(|| {
                            Error::config(&f, format!("`{s}` is not a shift status"))
                        })?;
                        set.insert(st);
                    }
                    p.counted_statuses = set;
                }
                "salaried_day_basis" => {
                    p.salaried_day_basis = match val.as_str() {
                        Some("calendar") => SalariedDayBasis::Calendar,
                        Some("working") => SalariedDayBasis::Working,
                        _ => return Err(Error::config(f, "must be `calendar` or `working`")),
                    }
                }
                "workdays" => {
                    let arr = val
                        .as_array()
                        .ok_or_else(|| Error::config(&f, "must be an array of weekday names"))?;
                    let mut days = Vec::new();
                    for s in arr {
                        let w = s
                            .as_str()
                            .and_then(calendar::parse_weekday)
                            .ok_or_else(|| {
                                Error::config(
                                    &f,
                                    format!("`{s}` is not a weekday (monday..sunday)"),
                                )
                            })?;
                        if !days.contains(&w) {
                            days.push(w);
                        }
                    }
                    days.sort_by_key(|w| w.num_days_from_monday());
                    p.workdays = days;
                }
                _ => return Err(Error::config(f, "unknown field")),
            }
        }
        Ok(p)
    }

    /// The policy as JSON, every field present (decimals as normalised strings).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "access_rate".into(),
            self.access_rate.normalize().to_string().into(),
        );
        m.insert("min_advance".into(), self.min_advance.into());
        m.insert("max_advance".into(), self.max_advance.into());
        m.insert("max_per_period".into(), self.max_per_period.into());
        m.insert(
            "max_advances_per_period".into(),
            self.max_advances_per_period.into(),
        );
        m.insert(
            "blackout_hours_before_pay".into(),
            self.blackout_hours_before_pay
                .normalize()
                .to_string()
                .into(),
        );
        m.insert("min_tenure_days".into(), self.min_tenure_days.into());
        let fee = |f: Fee| serde_json::json!({"flat": f.flat, "rate_bps": f.rate_bps});
        m.insert(
            "fees".into(),
            serde_json::json!({"standard": fee(self.fees.standard), "instant": fee(self.fees.instant)}),
        );
        m.insert(
            "estimated_withholding_rate".into(),
            self.estimated_withholding_rate
                .normalize()
                .to_string()
                .into(),
        );
        m.insert(
            "counted_statuses".into(),
            self.counted_statuses
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .into(),
        );
        m.insert(
            "salaried_day_basis".into(),
            match self.salaried_day_basis {
                SalariedDayBasis::Calendar => "calendar",
                SalariedDayBasis::Working => "working",
            }
            .into(),
        );
        m.insert(
            "workdays".into(),
            self.workdays
                .iter()
                .map(|w| calendar::weekday_name(*w))
                .collect::<Vec<_>>()
                .into(),
        );
        Value::Object(m)
    }
}

fn unit_decimal(field: &str, v: &Value) -> Result<Decimal> {
    json_decimal(v)
        .filter(|d| !d.is_sign_negative() && *d <= Decimal::ONE)
        .map(|d| d.normalize())
        .ok_or_else(|| Error::config(field, "must be a decimal in [0, 1]"))
}

fn int_min(field: &str, v: &Value, min: i64) -> Result<Option<i64>> {
    if v.is_null() {
        return Ok(None);
    }
    v.as_i64()
        .filter(|n| *n >= min && *n <= 1_000_000_000_000_000)
        .map(Some)
        .ok_or_else(|| Error::config(field, format!("must be an integer >= {min} or null")))
}

fn fees_from_json(v: &Value) -> Result<Fees> {
    let obj = v
        .as_object()
        .ok_or_else(|| Error::config("policy.fees", "must be an object"))?;
    let mut fees = Fees::default();
    for (k, fv) in obj {
        let base = format!("policy.fees.{k}");
        let slot = match k.as_str() {
            "standard" => &mut fees.standard,
            "instant" => &mut fees.instant,
            _ => {
                return Err(Error::config(
                    base,
                    "unknown delivery speed (standard, instant)",
                ))
            }
        };
        let fo = fv
            .as_object()
            .ok_or_else(|| Error::config(&base, "must be an object {flat, rate_bps}"))?;
        for (fk, x) in fo {
            let f = format!("{base}.{fk}");
            match fk.as_str() {
                "flat" => slot.flat = int_min(&f, x, 0)?.unwrap_or(0),
                "rate_bps" => {
                    slot.rate_bps = int_min(&f, x, 0)?
                        .filter(|b| *b <= 10_000)
                        .ok_or_else(|| Error::config(&f, "must be an integer in [0, 10000]"))
                        .or_else(|e| if x.is_null() { Ok(0) } else { Err(e) })?
                }
                _ => return Err(Error::config(f, "unknown field")),
            }
        }
    }
    Ok(fees)
}

/// The company a twin holds: zone, week start, agreed `custom_info` keys, policy, limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Company {
    /// The company's id.
    pub company_id: String,
    /// IANA zone in which local dates, days and weeks are evaluated (SPEC §1.3).
    pub timezone: Tz,
    /// First day of the work week (default Monday; SPEC §5.2).
    pub week_starts_on: Weekday,
    /// Agreed keys of employee `custom_info` (default none; SPEC §2).
    pub custom_info_keys: BTreeSet<String>,
    /// Advance policy (SPEC §6).
    pub policy: Policy,
    /// Input limits (SPEC §7).
    pub limits: Limits,
}

impl Company {
    /// A company with every default: UTC unless told otherwise.
    pub fn new(company_id: impl Into<String>, timezone: Tz) -> Company {
        Company {
            company_id: company_id.into(),
            timezone,
            week_starts_on: Weekday::Mon,
            custom_info_keys: BTreeSet::new(),
            policy: Policy::default(),
            limits: Limits::default(),
        }
    }

    /// Reads the `company` object of a scenario document or of the store.
    ///
    /// `company_id` defaults to `company` and `timezone` to `UTC` (see docs/decisions.md).
    ///
    /// # Errors
    /// [`Error::Config`] naming the field.
    pub fn from_json(v: &Value) -> Result<Company> {
        let obj = v
            .as_object()
            .ok_or_else(|| Error::config("company", "must be an object"))?;
        let mut c = Company::new("company", Tz::UTC);
        for (k, val) in obj {
            match k.as_str() {
                "company_id" => {
                    c.company_id = val
                        .as_str()
                        .filter(|s| !s.is_empty() && s.chars().count() <= 128)
                        .ok_or_else(|| {
                            Error::config(
                                "company_id",
                                "must be a non-empty string of at most 128 characters",
                            )
                        })?
                        .to_string()
                }
                "timezone" => {
                    c.timezone = val.as_str().and_then(calendar::parse_zone).ok_or_else(|| {
                        Error::config("timezone", format!("`{val}` is not an IANA time zone name"))
                    })?
                }
                "week_starts_on" => {
                    c.week_starts_on =
                        val.as_str()
                            .and_then(calendar::parse_weekday)
                            .ok_or_else(|| {
                                Error::config(
                                    "week_starts_on",
                                    "must be a weekday name (monday..sunday)",
                                )
                            })?
                }
                "custom_info_keys" => {
                    let arr = val.as_array().ok_or_else(|| {
                        Error::config("custom_info_keys", "must be an array of strings")
                    })?;
                    let mut keys = BTreeSet::new();
                    for x in arr {
                        let s = x.as_str().ok_or_else(|| {
                            Error::config("custom_info_keys", "must be an array of strings")
                        })?;
                        keys.insert(s.to_string());
                    }
                    c.custom_info_keys = keys;
                }
                "policy" => c.policy = Policy::from_json(val)?,
                "limits" => c.limits = Limits::from_json(val)?,
                _ => return Err(Error::config(k.clone(), "unknown company field")),
            }
        }
        Ok(c)
    }

    /// The company as JSON (every field), readable by [`Company::from_json`].
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "company_id": self.company_id,
            "timezone": self.timezone.name(),
            "week_starts_on": calendar::weekday_name(self.week_starts_on),
            "custom_info_keys": self.custom_info_keys.iter().collect::<Vec<_>>(),
            "policy": self.policy.to_json(),
            "limits": self.limits.to_json(),
        })
    }

    /// Local 00:00 of a date in the company zone (SPEC §2's one DST rule).
    pub(crate) fn midnight(&self, d: chrono::NaiveDate) -> Instant {
        calendar::local_midnight(self.timezone, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policy_defaults_and_round_trip() {
        let p = Policy::default();
        assert_eq!(p.access_rate.to_string(), "0.5");
        assert_eq!(p.blackout_micros(), 48 * 3_600_000_000);
        assert!(p.counts(ShiftStatus::Approved) && !p.counts(ShiftStatus::Submitted));
        assert_eq!(Policy::from_json(&p.to_json()).unwrap(), p);
    }

    #[test]
    fn policy_rejects_bad_values_naming_the_field() {
        let e = Policy::from_json(&json!({"access_rate": 1.5})).unwrap_err();
        assert_eq!(
            e,
            Error::config("policy.access_rate", "must be a decimal in [0, 1]")
        );
        let e = Policy::from_json(&json!({"max_advance": 0})).unwrap_err();
        assert_eq!(
            e,
            Error::config("policy.max_advance", "must be an integer >= 1 or null")
        );
        let e = Policy::from_json(&json!({"acess_rate": 0.5})).unwrap_err();
        assert_eq!(e, Error::config("policy.acess_rate", "unknown field"));
        let e = Policy::from_json(&json!({"fees": {"express": {}}})).unwrap_err();
        assert!(matches!(e, Error::Config { field, .. } if field == "policy.fees.express"));
    }

    #[test]
    fn decimal_numbers_are_read_exactly() {
        let p =
            Policy::from_json(&json!({"access_rate": 0.1, "estimated_withholding_rate": "0.2"}))
                .unwrap();
        assert_eq!(p.access_rate.to_string(), "0.1");
        assert_eq!(p.estimated_withholding_rate.to_string(), "0.2");
    }

    #[test]
    fn company_round_trip() {
        let c = Company::from_json(&json!({"company_id": "acme", "timezone": "Europe/Brussels",
            "week_starts_on": "sunday", "custom_info_keys": ["badge"], "policy": {"min_tenure_days": 30}}))
        .unwrap();
        assert_eq!(c.week_starts_on, Weekday::Sun);
        assert_eq!(Company::from_json(&c.to_json()).unwrap(), c);
        assert!(Company::from_json(&json!({"timezone": "Mars/Olympus"})).is_err());
    }
}
