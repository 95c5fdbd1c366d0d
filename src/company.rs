//! The company a twin holds (SPEC §2 "Company") and its advance policy (SPEC §6).

use crate::calendar::{self, Instant};
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::model::{Delivery, ShiftStatus};
use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

mod setting;

pub(crate) use setting::Setting;

/// A fee for one delivery speed: `flat + ceil(A × rate_bps / 10000)` (SPEC §6).
///
/// A plain value: its bounds are checked when it becomes part of a [`Policy`]
/// ([`PolicyBuilder::build`]), naming the field (`policy.fees.instant.flat`).
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

/// When approved leave pauses access (SPEC §6 `pause_on_leave`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LeavePause {
    /// Leave never pauses access (the default).
    #[default]
    None,
    /// No advance on a date of approved unpaid leave.
    Unpaid,
    /// No advance on a date of any approved leave, paid or unpaid.
    Any,
}

impl LeavePause {
    /// The JSON spelling: `none`, `unpaid` or `any`.
    pub fn as_str(self) -> &'static str {
        match self {
            LeavePause::None => "none",
            LeavePause::Unpaid => "unpaid",
            LeavePause::Any => "any",
        }
    }

    /// Reads the JSON spelling.
    pub fn parse(s: &str) -> Option<LeavePause> {
        [LeavePause::None, LeavePause::Unpaid, LeavePause::Any]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// The company's advance policy (SPEC §6). Every field has the SPEC's default.
///
/// A `Policy` is valid by construction: it is made by [`Policy::default`], by
/// [`Policy::from_json`] or by a [`PolicyBuilder`], and the last two run the same checks, with
/// the same messages naming the field (`policy.access_rate`).
///
/// ```
/// use ewa::{Delivery, Fee, Policy};
/// use rust_decimal::Decimal;
///
/// let policy = Policy::builder()
///     .access_rate(Decimal::new(6, 1)) // 0.6
///     .max_advance(Some(20_000))
///     .fee(Delivery::Instant, Fee { flat: 199, rate_bps: 100 })
///     .build()?;
/// assert_eq!(policy.access_rate(), Decimal::new(6, 1));
/// assert_eq!(policy.fees().instant.flat, 199);
///
/// // The JSON reader takes numbers or decimal strings, and gives the same policy.
/// let json = serde_json::json!({"access_rate": "0.6", "max_advance": "20000",
///     "fees": {"instant": {"flat": 199, "rate_bps": "100"}}});
/// assert_eq!(Policy::from_json(&json)?, policy);
///
/// // An access rate above 1 is refused, naming the field.
/// let e = Policy::builder().access_rate(Decimal::new(15, 1)).build().unwrap_err();
/// assert_eq!(e.to_string(), Policy::from_json(&serde_json::json!({"access_rate": 1.5}))
///     .unwrap_err().to_string());
/// # Ok::<(), ewa::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    /// Share of the accessible base an employee may draw, in [0, 1] (default 0.5).
    pub(crate) access_rate: Decimal,
    /// Smallest advance, minor units (default 0).
    pub(crate) min_advance: i64,
    /// Largest single advance (default none).
    pub(crate) max_advance: Option<i64>,
    /// Largest sum of advance amounts recovered from one period (default none).
    pub(crate) max_per_period: Option<i64>,
    /// Most advances recovered from one period (default none).
    pub(crate) max_advances_per_period: Option<i64>,
    /// Blackout before payday, in hours (default 48).
    pub(crate) blackout_hours_before_pay: Decimal,
    /// Tenure needed before any advance, in days (default 0).
    pub(crate) min_tenure_days: i64,
    /// Fees per delivery speed (default all 0).
    pub(crate) fees: Fees,
    /// Estimated withholding rate `w` in [0, 1] for net-based caps (default 0, SPEC §5.3).
    pub(crate) estimated_withholding_rate: Decimal,
    /// Shift statuses that accrue (default `approved`).
    pub(crate) counted_statuses: BTreeSet<ShiftStatus>,
    /// Calendar or working-day basis for salaried proration (default calendar).
    pub(crate) salaried_day_basis: SalariedDayBasis,
    /// Working weekdays for the working-day basis (default Monday–Friday), sorted, each once.
    pub(crate) workdays: Vec<Weekday>,
    /// Largest Σ amounts of advances requested on one local date (default none).
    pub(crate) max_per_day: Option<i64>,
    /// Largest Σ amounts of advances requested in one local week (default none).
    pub(crate) max_per_week: Option<i64>,
    /// Largest Σ fees of advances requested in one local calendar month (default none).
    pub(crate) fee_cap_per_month: Option<i64>,
    /// Most advances with a fee recovered from one period group (default none).
    pub(crate) max_fee_advances_per_period: Option<i64>,
    /// Most days from `t` to the recovery payday (default none).
    pub(crate) max_repayment_days: Option<i64>,
    /// No advance while a carried shortfall is outstanding (default false).
    pub(crate) pause_on_shortfall: bool,
    /// Which approved leave pauses access (default none).
    pub(crate) pause_on_leave: LeavePause,
}

impl Default for Policy {
    /// The defaults of SPEC §6: access rate 0.5, blackout 48 hours, no caps, no fees, no
    /// minimum and no tenure, withholding 0, `approved` shifts counted, calendar-day basis,
    /// Monday–Friday workdays. They pass every check of [`PolicyBuilder::build`].
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
            max_per_day: None,
            max_per_week: None,
            fee_cap_per_month: None,
            max_fee_advances_per_period: None,
            max_repayment_days: None,
            pause_on_shortfall: false,
            pause_on_leave: LeavePause::None,
        }
    }
}

/// Builds a [`Policy`] from the defaults of SPEC §6; [`PolicyBuilder::build`] checks it.
///
/// Setters never fail; `build` runs the one check of every numeric setting (the check the
/// JSON reader runs) and names the first field out of range.
#[derive(Clone, Debug, Default)]
pub struct PolicyBuilder {
    policy: Policy,
}

impl PolicyBuilder {
    /// Share of the accessible base an employee may draw, in [0, 1].
    pub fn access_rate(mut self, rate: impl Into<Decimal>) -> Self {
        self.policy.access_rate = rate.into();
        self
    }

    /// Smallest advance in minor units, >= 0.
    pub fn min_advance(mut self, amount: i64) -> Self {
        self.policy.min_advance = amount;
        self
    }

    /// Largest single advance in minor units (>= 1), or `None` for no cap.
    pub fn max_advance(mut self, cap: Option<i64>) -> Self {
        self.policy.max_advance = cap;
        self
    }

    /// Largest sum of advance amounts recovered from one period (>= 1), or `None`.
    pub fn max_per_period(mut self, cap: Option<i64>) -> Self {
        self.policy.max_per_period = cap;
        self
    }

    /// Most advances recovered from one period (>= 1), or `None`.
    pub fn max_advances_per_period(mut self, cap: Option<i64>) -> Self {
        self.policy.max_advances_per_period = cap;
        self
    }

    /// Blackout before payday in hours, in [0, 8784]; fractions allowed.
    pub fn blackout_hours_before_pay(mut self, hours: impl Into<Decimal>) -> Self {
        self.policy.blackout_hours_before_pay = hours.into();
        self
    }

    /// Tenure needed before any advance, in days (>= 0).
    pub fn min_tenure_days(mut self, days: i64) -> Self {
        self.policy.min_tenure_days = days;
        self
    }

    /// Every fee (each `flat` >= 0, each `rate_bps` in [0, 10000]).
    pub fn fees(mut self, fees: Fees) -> Self {
        self.policy.fees = fees;
        self
    }

    /// The fee of one delivery speed (`flat` >= 0, `rate_bps` in [0, 10000]).
    pub fn fee(mut self, delivery: Delivery, fee: Fee) -> Self {
        match delivery {
            Delivery::Standard => self.policy.fees.standard = fee,
            Delivery::Instant => self.policy.fees.instant = fee,
        }
        self
    }

    /// Estimated withholding rate in [0, 1] (SPEC §5.3).
    pub fn estimated_withholding_rate(mut self, rate: impl Into<Decimal>) -> Self {
        self.policy.estimated_withholding_rate = rate.into();
        self
    }

    /// The shift statuses that accrue.
    pub fn counted_statuses(mut self, statuses: impl IntoIterator<Item = ShiftStatus>) -> Self {
        self.policy.counted_statuses = statuses.into_iter().collect();
        self
    }

    /// Calendar or working-day basis for salaried proration (SPEC §5.1).
    pub fn salaried_day_basis(mut self, basis: SalariedDayBasis) -> Self {
        self.policy.salaried_day_basis = basis;
        self
    }

    /// The working weekdays (order and repeats do not matter).
    pub fn workdays(mut self, days: impl IntoIterator<Item = Weekday>) -> Self {
        self.policy.workdays = days.into_iter().collect();
        self
    }

    /// Largest Σ amounts of advances requested on one local date (>= 1), or `None`.
    pub fn max_per_day(mut self, cap: Option<i64>) -> Self {
        self.policy.max_per_day = cap;
        self
    }

    /// Largest Σ amounts of advances requested in one local week (>= 1), or `None`.
    pub fn max_per_week(mut self, cap: Option<i64>) -> Self {
        self.policy.max_per_week = cap;
        self
    }

    /// Largest Σ fees of advances requested in one local calendar month (>= 1), or `None`.
    pub fn fee_cap_per_month(mut self, cap: Option<i64>) -> Self {
        self.policy.fee_cap_per_month = cap;
        self
    }

    /// Most advances with a fee recovered from one period group (>= 1), or `None`.
    pub fn max_fee_advances_per_period(mut self, cap: Option<i64>) -> Self {
        self.policy.max_fee_advances_per_period = cap;
        self
    }

    /// Most days from the request to the recovery payday (>= 1), or `None`.
    pub fn max_repayment_days(mut self, days: Option<i64>) -> Self {
        self.policy.max_repayment_days = days;
        self
    }

    /// Whether a carried shortfall pauses access.
    pub fn pause_on_shortfall(mut self, pause: bool) -> Self {
        self.policy.pause_on_shortfall = pause;
        self
    }

    /// Which approved leave pauses access.
    pub fn pause_on_leave(mut self, pause: LeavePause) -> Self {
        self.policy.pause_on_leave = pause;
        self
    }

    /// The policy, checked.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first field out of range (`policy.access_rate`,
    /// `policy.fees.instant.flat`, ...) with the message [`Policy::from_json`] gives.
    pub fn build(self) -> Result<Policy> {
        self.policy.checked()
    }
}

impl Policy {
    /// A builder starting from the defaults of SPEC §6.
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }

    /// A builder starting from this policy.
    pub fn to_builder(&self) -> PolicyBuilder {
        PolicyBuilder {
            policy: self.clone(),
        }
    }

    /// THE check of a policy, run by [`PolicyBuilder::build`] and [`Policy::from_json`]:
    /// every numeric setting within its bounds (SPEC §6, §9), decimals normalised, workdays
    /// sorted and each once.
    fn checked(mut self) -> Result<Policy> {
        use Setting as S;
        self.access_rate = S::AccessRate.check(self.access_rate)?;
        self.estimated_withholding_rate =
            S::EstimatedWithholdingRate.check(self.estimated_withholding_rate)?;
        S::MinAdvance.check_i64(self.min_advance)?;
        for (s, cap) in [
            (S::MaxAdvance, self.max_advance),
            (S::MaxPerPeriod, self.max_per_period),
            (S::MaxAdvancesPerPeriod, self.max_advances_per_period),
            (S::MaxPerDay, self.max_per_day),
            (S::MaxPerWeek, self.max_per_week),
            (S::FeeCapPerMonth, self.fee_cap_per_month),
            (S::MaxFeeAdvancesPerPeriod, self.max_fee_advances_per_period),
            (S::MaxRepaymentDays, self.max_repayment_days),
        ] {
            cap.map(|n| s.check_i64(n)).transpose()?;
        }
        self.blackout_hours_before_pay =
            S::BlackoutHoursBeforePay.check(self.blackout_hours_before_pay)?;
        S::MinTenureDays.check_i64(self.min_tenure_days)?;
        for d in [Delivery::Standard, Delivery::Instant] {
            S::FeeFlat(d).check_i64(self.fees.of(d).flat)?;
            S::FeeRateBps(d).check_i64(self.fees.of(d).rate_bps)?;
        }
        self.workdays.sort_by_key(|w| w.num_days_from_monday());
        self.workdays.dedup();
        Ok(self)
    }

    /// Share of the accessible base an employee may draw, in [0, 1].
    pub fn access_rate(&self) -> Decimal {
        self.access_rate
    }

    /// Smallest advance, minor units.
    pub fn min_advance(&self) -> i64 {
        self.min_advance
    }

    /// Largest single advance, if capped.
    pub fn max_advance(&self) -> Option<i64> {
        self.max_advance
    }

    /// Largest sum of advance amounts recovered from one period, if capped.
    pub fn max_per_period(&self) -> Option<i64> {
        self.max_per_period
    }

    /// Most advances recovered from one period, if capped.
    pub fn max_advances_per_period(&self) -> Option<i64> {
        self.max_advances_per_period
    }

    /// Blackout before payday, in hours.
    pub fn blackout_hours_before_pay(&self) -> Decimal {
        self.blackout_hours_before_pay
    }

    /// Tenure needed before any advance, in days.
    pub fn min_tenure_days(&self) -> i64 {
        self.min_tenure_days
    }

    /// Fees per delivery speed.
    pub fn fees(&self) -> Fees {
        self.fees
    }

    /// Estimated withholding rate in [0, 1] (SPEC §5.3).
    pub fn estimated_withholding_rate(&self) -> Decimal {
        self.estimated_withholding_rate
    }

    /// Shift statuses that accrue.
    pub fn counted_statuses(&self) -> &BTreeSet<ShiftStatus> {
        &self.counted_statuses
    }

    /// Calendar or working-day basis for salaried proration.
    pub fn salaried_day_basis(&self) -> SalariedDayBasis {
        self.salaried_day_basis
    }

    /// Working weekdays, Monday first, each once.
    pub fn workdays(&self) -> &[Weekday] {
        &self.workdays
    }

    /// Largest Σ amounts of advances requested on one local date, if capped.
    pub fn max_per_day(&self) -> Option<i64> {
        self.max_per_day
    }

    /// Largest Σ amounts of advances requested in one local week, if capped.
    pub fn max_per_week(&self) -> Option<i64> {
        self.max_per_week
    }

    /// Largest Σ fees of advances requested in one local calendar month, if capped.
    pub fn fee_cap_per_month(&self) -> Option<i64> {
        self.fee_cap_per_month
    }

    /// Most advances with a fee recovered from one period group, if capped.
    pub fn max_fee_advances_per_period(&self) -> Option<i64> {
        self.max_fee_advances_per_period
    }

    /// Most days from the request to the recovery payday, if capped.
    pub fn max_repayment_days(&self) -> Option<i64> {
        self.max_repayment_days
    }

    /// Whether a carried shortfall pauses access.
    pub fn pause_on_shortfall(&self) -> bool {
        self.pause_on_shortfall
    }

    /// Which approved leave pauses access.
    pub fn pause_on_leave(&self) -> LeavePause {
        self.pause_on_leave
    }

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

    /// Reads a policy object, rejecting unknown fields and values out of range. Numeric
    /// settings may be JSON numbers or decimal strings (SPEC §2 "Numbers").
    ///
    /// # Errors
    /// [`Error::Config`] naming `policy.<field>`.
    pub fn from_json(v: &Value) -> Result<Policy> {
        let obj = v
            .as_object()
            .ok_or_else(|| Error::config("policy", "must be an object"))?;
        let mut p = Policy::default();
        for (k, val) in obj {
            read_policy_field(&mut p, k, val)?;
        }
        p.checked()
    }

    /// The policy as JSON (decimals as normalised strings): every field, except that the
    /// advance limits of issue #15 (`max_per_day` ... `pause_on_leave`) are written only when
    /// they differ from their defaults, so a policy without them writes as before (stores and
    /// snapshots stay byte-identical). [`Policy::to_json_all`] writes every field.
    pub fn to_json(&self) -> Value {
        let mut v = self.to_json_all();
        let d = Policy::default();
        if let Some(m) = v.as_object_mut() {
            let defaults = [
                ("max_per_day", self.max_per_day == d.max_per_day),
                ("max_per_week", self.max_per_week == d.max_per_week),
                (
                    "fee_cap_per_month",
                    self.fee_cap_per_month == d.fee_cap_per_month,
                ),
                (
                    "max_fee_advances_per_period",
                    self.max_fee_advances_per_period == d.max_fee_advances_per_period,
                ),
                (
                    "max_repayment_days",
                    self.max_repayment_days == d.max_repayment_days,
                ),
                (
                    "pause_on_shortfall",
                    self.pause_on_shortfall == d.pause_on_shortfall,
                ),
                ("pause_on_leave", self.pause_on_leave == d.pause_on_leave),
            ];
            for (k, is_default) in defaults {
                if is_default {
                    m.remove(k);
                }
            }
        }
        v
    }

    /// The policy as JSON with every field present, defaults included (what
    /// `ewa policy show` prints); readable by [`Policy::from_json`].
    pub fn to_json_all(&self) -> Value {
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
        self.limits_to_json(&mut m);
        Value::Object(m)
    }

    /// The advance limits of SPEC §6 (issue #15) into `m`.
    fn limits_to_json(&self, m: &mut Map<String, Value>) {
        m.insert("max_per_day".into(), self.max_per_day.into());
        m.insert("max_per_week".into(), self.max_per_week.into());
        m.insert("fee_cap_per_month".into(), self.fee_cap_per_month.into());
        m.insert(
            "max_fee_advances_per_period".into(),
            self.max_fee_advances_per_period.into(),
        );
        m.insert("max_repayment_days".into(), self.max_repayment_days.into());
        m.insert("pause_on_shortfall".into(), self.pause_on_shortfall.into());
        m.insert("pause_on_leave".into(), self.pause_on_leave.as_str().into());
    }
}

/// Reads one field of a policy object into `p` (SPEC §6); numbers through [`Setting`].
fn read_policy_field(p: &mut Policy, k: &str, val: &Value) -> Result<()> {
    use Setting as S;
    let f = format!("policy.{k}");
    match k {
        "access_rate" => p.access_rate = S::AccessRate.read_decimal(val)?,
        "estimated_withholding_rate" => {
            p.estimated_withholding_rate = S::EstimatedWithholdingRate.read_decimal(val)?
        }
        "min_advance" => p.min_advance = S::MinAdvance.read_i64(val)?.unwrap_or(0),
        "max_advance" => p.max_advance = S::MaxAdvance.read_i64(val)?,
        "max_per_period" => p.max_per_period = S::MaxPerPeriod.read_i64(val)?,
        "max_advances_per_period" => {
            p.max_advances_per_period = S::MaxAdvancesPerPeriod.read_i64(val)?
        }
        "min_tenure_days" => p.min_tenure_days = S::MinTenureDays.read_i64(val)?.unwrap_or(0),
        "blackout_hours_before_pay" => {
            p.blackout_hours_before_pay = S::BlackoutHoursBeforePay.read_decimal(val)?
        }
        "fees" => p.fees = fees_from_json(val)?,
        "counted_statuses" => p.counted_statuses = statuses_from_json(&f, val)?,
        "salaried_day_basis" => {
            p.salaried_day_basis = match val.as_str() {
                Some("calendar") => SalariedDayBasis::Calendar,
                Some("working") => SalariedDayBasis::Working,
                _ => return Err(Error::config(f, "must be `calendar` or `working`")),
            }
        }
        "workdays" => p.workdays = workdays_from_json(&f, val)?,
        _ => return read_limit_field(p, k, val),
    }
    Ok(())
}

/// Reads one advance limit of SPEC §6 (issue #15) into `p`; any other key is unknown.
fn read_limit_field(p: &mut Policy, k: &str, val: &Value) -> Result<()> {
    use Setting as S;
    let f = format!("policy.{k}");
    match k {
        "max_per_day" => p.max_per_day = S::MaxPerDay.read_i64(val)?,
        "max_per_week" => p.max_per_week = S::MaxPerWeek.read_i64(val)?,
        "fee_cap_per_month" => p.fee_cap_per_month = S::FeeCapPerMonth.read_i64(val)?,
        "max_fee_advances_per_period" => {
            p.max_fee_advances_per_period = S::MaxFeeAdvancesPerPeriod.read_i64(val)?
        }
        "max_repayment_days" => p.max_repayment_days = S::MaxRepaymentDays.read_i64(val)?,
        "pause_on_shortfall" => {
            p.pause_on_shortfall = val
                .as_bool()
                .ok_or_else(|| Error::config(f, "must be a boolean (true or false)"))?
        }
        "pause_on_leave" => {
            p.pause_on_leave = val
                .as_str()
                .and_then(LeavePause::parse)
                .ok_or_else(|| Error::config(f, "must be `none`, `unpaid` or `any`"))?
        }
        _ => return Err(Error::config(f, "unknown field")),
    }
    Ok(())
}

fn statuses_from_json(f: &str, val: &Value) -> Result<BTreeSet<ShiftStatus>> {
    let arr = val
        .as_array()
        .ok_or_else(|| Error::config(f, "must be an array of shift statuses"))?;
    arr.iter()
        .map(|s| {
            s.as_str()
                .and_then(ShiftStatus::parse)
                .ok_or_else(|| Error::config(f, format!("`{s}` is not a shift status")))
        })
        .collect()
}

/// The weekdays as given (sorting and repeats are left to [`Policy::checked`]).
fn workdays_from_json(f: &str, val: &Value) -> Result<Vec<Weekday>> {
    let arr = val
        .as_array()
        .ok_or_else(|| Error::config(f, "must be an array of weekday names"))?;
    arr.iter()
        .map(|s| {
            s.as_str()
                .and_then(calendar::parse_weekday)
                .ok_or_else(|| Error::config(f, format!("`{s}` is not a weekday (monday..sunday)")))
        })
        .collect()
}

fn fees_from_json(v: &Value) -> Result<Fees> {
    let obj = v
        .as_object()
        .ok_or_else(|| Error::config("policy.fees", "must be an object"))?;
    let mut fees = Fees::default();
    for (k, fv) in obj {
        let base = format!("policy.fees.{k}");
        let (delivery, slot) = match k.as_str() {
            "standard" => (Delivery::Standard, &mut fees.standard),
            "instant" => (Delivery::Instant, &mut fees.instant),
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
            match fk.as_str() {
                "flat" => slot.flat = Setting::FeeFlat(delivery).read_i64(x)?.unwrap_or(0),
                "rate_bps" => {
                    slot.rate_bps = Setting::FeeRateBps(delivery).read_i64(x)?.unwrap_or(0)
                }
                _ => return Err(Error::config(format!("{base}.{fk}"), "unknown field")),
            }
        }
    }
    Ok(fees)
}

/// The company a twin holds: zone, week start, agreed `custom_info` keys, policy, limits.
///
/// Made by [`Company::new`] (every default) and the `with_*` methods, or read by
/// [`Company::from_json`]; its [`Policy`] and [`Limits`] are valid by construction.
///
/// ```
/// use ewa::{Company, Limits, Policy};
/// use chrono::Weekday;
///
/// let company = Company::new("acme", chrono_tz::Europe::Brussels)
///     .with_week_starts_on(Weekday::Sun)
///     .with_custom_info_keys(["badge"])
///     .with_policy(Policy::builder().min_tenure_days(30).build()?)
///     .with_limits(Limits::builder().shift_hours_max(14).build()?);
/// let json = serde_json::json!({"company_id": "acme", "timezone": "Europe/Brussels",
///     "week_starts_on": "sunday", "custom_info_keys": ["badge"],
///     "policy": {"min_tenure_days": "30"}, "limits": {"shift_hours_max": "14"}});
/// assert_eq!(Company::from_json(&json)?, company);
/// # Ok::<(), ewa::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Company {
    /// The company's id.
    pub(crate) company_id: String,
    /// IANA zone in which local dates, days and weeks are evaluated (SPEC §1.3).
    pub(crate) timezone: Tz,
    /// First day of the work week (default Monday; SPEC §5.2).
    pub(crate) week_starts_on: Weekday,
    /// Agreed keys of employee `custom_info` (default none; SPEC §2).
    pub(crate) custom_info_keys: BTreeSet<String>,
    /// Advance policy (SPEC §6).
    pub(crate) policy: Policy,
    /// Input limits (SPEC §7).
    pub(crate) limits: Limits,
    /// Company holidays: local dates, each once, with their names (SPEC §2, §5.5).
    pub(crate) holidays: BTreeMap<NaiveDate, String>,
}

impl Company {
    /// A company with every default: week from Monday, no `custom_info` keys, the policy of
    /// SPEC §6 and the limits of SPEC §7. The id is taken as given (see
    /// [`Company::with_company_id`] for the checked form).
    pub fn new(company_id: impl Into<String>, timezone: Tz) -> Company {
        Company {
            company_id: company_id.into(),
            timezone,
            week_starts_on: Weekday::Mon,
            custom_info_keys: BTreeSet::new(),
            policy: Policy::default(),
            limits: Limits::default(),
            holidays: BTreeMap::new(),
        }
    }

    /// The company with another id, checked as [`Company::from_json`] checks `company_id`.
    ///
    /// # Errors
    /// [`Error::Config`] naming `company_id` when it is empty or over 128 characters.
    pub fn with_company_id(mut self, company_id: impl Into<String>) -> Result<Company> {
        let id = company_id.into();
        if id.is_empty() || id.chars().count() > 128 {
            return Err(Error::config(
                "company_id",
                "must be a non-empty string of at most 128 characters",
            ));
        }
        self.company_id = id;
        Ok(self)
    }

    /// The company in another zone.
    pub fn with_timezone(mut self, timezone: Tz) -> Company {
        self.timezone = timezone;
        self
    }

    /// The company with another first day of the work week (SPEC §5.2).
    pub fn with_week_starts_on(mut self, day: Weekday) -> Company {
        self.week_starts_on = day;
        self
    }

    /// The company with these agreed `custom_info` keys (SPEC §2).
    pub fn with_custom_info_keys<I, S>(mut self, keys: I) -> Company
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.custom_info_keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// The company with another policy (already checked when built).
    pub fn with_policy(mut self, policy: Policy) -> Company {
        self.policy = policy;
        self
    }

    /// The company with other limits (already checked when built).
    pub fn with_limits(mut self, limits: Limits) -> Company {
        self.limits = limits;
        self
    }

    /// The company with these holidays (local dates and names; SPEC §5.5), checked as
    /// [`Company::from_json`] checks `holidays`.
    ///
    /// # Errors
    /// [`Error::Config`] naming `holidays[i].date` for a date listed twice, or
    /// `holidays[i].name` for an empty name or one over the company's `text_chars_max`.
    pub fn with_holidays<I, S>(mut self, holidays: I) -> Result<Company>
    where
        I: IntoIterator<Item = (NaiveDate, S)>,
        S: Into<String>,
    {
        let mut map = BTreeMap::new();
        for (i, (date, name)) in holidays.into_iter().enumerate() {
            let name = name.into();
            self.check_holiday_name(i, &name)?;
            if map.insert(date, name).is_some() {
                return Err(Error::config(
                    format!("holidays[{i}].date"),
                    format!("{date} is listed twice"),
                ));
            }
        }
        self.holidays = map;
        Ok(self)
    }

    fn check_holiday_name(&self, i: usize, name: &str) -> Result<()> {
        let max = self.limits.text_chars_max;
        if name.is_empty() || u64::try_from(name.chars().count()).map_or(true, |n| n > max) {
            return Err(Error::config(
                format!("holidays[{i}].name"),
                format!("must be a non-empty text of at most {max} characters"),
            ));
        }
        Ok(())
    }

    /// The company's holidays by local date (SPEC §5.5).
    pub fn holidays(&self) -> &BTreeMap<NaiveDate, String> {
        &self.holidays
    }

    /// Whether local date `d` is a company holiday (SPEC §5.4 `holidays`, §5.5).
    pub fn is_holiday(&self, d: NaiveDate) -> bool {
        self.holidays.contains_key(&d)
    }

    /// The company's id.
    pub fn company_id(&self) -> &str {
        &self.company_id
    }

    /// IANA zone in which local dates, days and weeks are evaluated (SPEC §1.3).
    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// First day of the work week (SPEC §5.2).
    pub fn week_starts_on(&self) -> Weekday {
        self.week_starts_on
    }

    /// Agreed keys of employee `custom_info` (SPEC §2).
    pub fn custom_info_keys(&self) -> &BTreeSet<String> {
        &self.custom_info_keys
    }

    /// Advance policy (SPEC §6).
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Input limits (SPEC §7).
    pub fn limits(&self) -> &Limits {
        &self.limits
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
        let mut holidays = None;
        for (k, val) in obj {
            match k.as_str() {
                // Decision 133: a `null` company field is the field left out (its default).
                f if val.is_null() && COMPANY_FIELDS.contains(&f) => {}
                "company_id" => {
                    let id = val.as_str().unwrap_or_default();
                    c = c.with_company_id(id)?
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
                "holidays" => holidays = Some(val),
                _ => return Err(Error::config(k.clone(), "unknown company field")),
            }
        }
        // Read last: a name is checked against the company's own `text_chars_max`.
        match holidays {
            Some(v) => c.with_holidays(read_holidays(v)?),
            None => Ok(c),
        }
    }

    /// The company as JSON (every field; `holidays` only when there are some, so that a
    /// company without them reads and writes as before), readable by [`Company::from_json`].
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::json!({
            "company_id": self.company_id,
            "timezone": self.timezone.name(),
            "week_starts_on": calendar::weekday_name(self.week_starts_on),
            "custom_info_keys": self.custom_info_keys.iter().collect::<Vec<_>>(),
            "policy": self.policy.to_json(),
            "limits": self.limits.to_json(),
        });
        if let (Some(obj), false) = (v.as_object_mut(), self.holidays.is_empty()) {
            let list = self.holidays.iter().map(|(d, name)| {
                serde_json::json!({"date": d.format("%Y-%m-%d").to_string(), "name": name})
            });
            obj.insert("holidays".into(), Value::Array(list.collect()));
        }
        v
    }

    /// Local 00:00 of a date in the company zone (SPEC §2's one DST rule).
    pub(crate) fn midnight(&self, d: chrono::NaiveDate) -> Instant {
        calendar::local_midnight(self.timezone, d)
    }
}

/// The fields of the `company` object (SPEC §2).
const COMPANY_FIELDS: [&str; 7] = [
    "company_id",
    "timezone",
    "week_starts_on",
    "custom_info_keys",
    "policy",
    "limits",
    "holidays",
];

/// Company `holidays` (SPEC §2, §9): an array of `{"date": "YYYY-MM-DD", "name": text}`, both
/// required, nothing else; `null` is none. Duplicates and names are checked by
/// [`Company::with_holidays`].
fn read_holidays(v: &Value) -> Result<Vec<(NaiveDate, String)>> {
    if v.is_null() {
        return Ok(Vec::new());
    }
    let arr = v.as_array().ok_or_else(|| {
        Error::config(
            "holidays",
            "must be an array of {\"date\", \"name\"} objects",
        )
    })?;
    let mut out = Vec::with_capacity(arr.len());
    for (i, h) in arr.iter().enumerate() {
        let obj = h
            .as_object()
            .ok_or_else(|| Error::config(format!("holidays[{i}]"), "must be an object"))?;
        if let Some(k) = obj.keys().find(|k| *k != "date" && *k != "name") {
            return Err(Error::config(
                format!("holidays[{i}].{k}"),
                "unknown holiday field",
            ));
        }
        let date = obj
            .get("date")
            .and_then(Value::as_str)
            .and_then(|d| calendar::parse_date(d).ok())
            .ok_or_else(|| {
                Error::config(
                    format!("holidays[{i}].date"),
                    "must be a local date YYYY-MM-DD",
                )
            })?;
        let name = obj
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::config(format!("holidays[{i}].name"), "is required (a text)"))?;
        out.push((date, name.to_string()));
    }
    Ok(out)
}

/// `fee(A) = flat + ceil(A × rate_bps / 10000)` (SPEC §6).
pub(crate) fn fee_of(f: Fee, amount: i64) -> Option<i64> {
    let prop = crate::money::round::ceil_ratio(
        i128::from(amount).checked_mul(i128::from(f.rate_bps))?,
        10_000,
    )?;
    f.flat.checked_add(prop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn holidays_are_read_checked_and_round_trip() {
        let c = Company::from_json(&json!({"holidays": [
            {"date": "2026-12-25", "name": "Christmas Day"},
            {"date": "2026-07-04", "name": "Independence Day"}]}))
        .unwrap();
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(c.is_holiday(d("2026-12-25")) && !c.is_holiday(d("2026-12-26")));
        assert_eq!(c.holidays().len(), 2);
        assert_eq!(Company::from_json(&c.to_json()).unwrap(), c);
        let refused = [
            (
                json!({"holidays": [{"date": "2026-12-25", "name": "a"},
                                 {"date": "2026-12-25", "name": "b"}]}),
                "holidays[1].date",
            ),
            (
                json!({"holidays": [{"date": "2026-12-25"}]}),
                "holidays[0].name",
            ),
            (json!({"holidays": [{"name": "x"}]}), "holidays[0].date"),
            (
                json!({"holidays": [{"date": "25/12/2026", "name": "x"}]}),
                "holidays[0].date",
            ),
            (
                json!({"holidays": [{"date": "2026-12-25", "name": ""}]}),
                "holidays[0].name",
            ),
            (
                json!({"holidays": [{"date": "2026-12-25", "name": "x", "paid": true}]}),
                "holidays[0].paid",
            ),
            (json!({"holidays": {"date": "2026-12-25"}}), "holidays"),
            (
                json!({"limits": {"text_chars_max": 3},
                    "holidays": [{"date": "2026-12-25", "name": "Christmas"}]}),
                "holidays[0].name",
            ),
        ];
        for (doc, field) in refused {
            match Company::from_json(&doc) {
                Err(Error::Config { field: f, .. }) => assert_eq!(f, field, "{doc}"),
                other => panic!("{doc}: {other:?}"),
            }
        }
        let built = Company::new("c", Tz::UTC)
            .with_holidays([(d("2026-12-25"), "Christmas Day")])
            .unwrap();
        assert!(built.is_holiday(d("2026-12-25")));
        assert!(Company::new("c", Tz::UTC)
            .with_holidays([(d("2026-12-25"), "a"), (d("2026-12-25"), "b")])
            .is_err());
    }

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
            Error::config(
                "policy.max_advance",
                "must be a whole number in [1, 10^15] or null"
            )
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

    /// Decision 133: `null` is the field left out, for every company field; an unknown field
    /// is still refused when null.
    #[test]
    fn null_company_fields_are_their_defaults() {
        let defaults = Company::from_json(&json!({})).unwrap();
        for f in COMPANY_FIELDS {
            let c = Company::from_json(&json!({ f: null })).unwrap();
            assert_eq!(c, defaults, "{f}");
        }
        let c = Company::from_json(&json!({"week_starts_on": null, "timezone": "Asia/Tokyo"}));
        assert_eq!(c.unwrap().week_starts_on, Weekday::Mon);
        let err = Company::from_json(&json!({"week_start": null})).unwrap_err();
        assert!(err.to_string().contains("week_start"), "{err}");
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// Every invalid value of a numeric setting: the JSON that sends it and the builder that
    /// sets it, with the field both must name (SPEC §6, §9).
    fn invalid_policies() -> Vec<(Value, PolicyBuilder, &'static str)> {
        let b = Policy::builder;
        let fee = |flat, rate_bps| Fee { flat, rate_bps };
        vec![
            (
                json!({"access_rate": 1.5}),
                b().access_rate(dec("1.5")),
                "policy.access_rate",
            ),
            (
                json!({"access_rate": "-0.1"}),
                b().access_rate(dec("-0.1")),
                "policy.access_rate",
            ),
            (
                json!({"estimated_withholding_rate": 2}),
                b().estimated_withholding_rate(2),
                "policy.estimated_withholding_rate",
            ),
            (
                json!({"min_advance": -1}),
                b().min_advance(-1),
                "policy.min_advance",
            ),
            (
                json!({"max_advance": 0}),
                b().max_advance(Some(0)),
                "policy.max_advance",
            ),
            (
                json!({"max_advance": 1_000_000_000_000_001i64}),
                b().max_advance(Some(1_000_000_000_000_001)),
                "policy.max_advance",
            ),
            (
                json!({"max_per_period": "0"}),
                b().max_per_period(Some(0)),
                "policy.max_per_period",
            ),
            (
                json!({"max_advances_per_period": -3}),
                b().max_advances_per_period(Some(-3)),
                "policy.max_advances_per_period",
            ),
            (
                json!({"blackout_hours_before_pay": -1}),
                b().blackout_hours_before_pay(-1),
                "policy.blackout_hours_before_pay",
            ),
            (
                json!({"blackout_hours_before_pay": "8784.5"}),
                b().blackout_hours_before_pay(dec("8784.5")),
                "policy.blackout_hours_before_pay",
            ),
            (
                json!({"min_tenure_days": -1}),
                b().min_tenure_days(-1),
                "policy.min_tenure_days",
            ),
            (
                json!({"fees": {"instant": {"flat": -100}}}),
                b().fee(Delivery::Instant, fee(-100, 0)),
                "policy.fees.instant.flat",
            ),
            (
                json!({"fees": {"standard": {"rate_bps": 10_001}}}),
                b().fee(Delivery::Standard, fee(0, 10_001)),
                "policy.fees.standard.rate_bps",
            ),
            (
                json!({"fees": {"instant": {"rate_bps": "-1"}}}),
                b().fee(Delivery::Instant, fee(0, -1)),
                "policy.fees.instant.rate_bps",
            ),
            // The advance limits (SPEC §6, §9): caps ≥ 1 when given, whole by value.
            (
                json!({"max_per_day": 0}),
                b().max_per_day(Some(0)),
                "policy.max_per_day",
            ),
            (
                json!({"max_per_week": "-5"}),
                b().max_per_week(Some(-5)),
                "policy.max_per_week",
            ),
            (
                json!({"fee_cap_per_month": "0"}),
                b().fee_cap_per_month(Some(0)),
                "policy.fee_cap_per_month",
            ),
            (
                json!({"max_fee_advances_per_period": 0.0}),
                b().max_fee_advances_per_period(Some(0)),
                "policy.max_fee_advances_per_period",
            ),
            (
                json!({"max_repayment_days": -1}),
                b().max_repayment_days(Some(-1)),
                "policy.max_repayment_days",
            ),
            (
                json!({"max_per_day": 1_000_000_000_000_001i64}),
                b().max_per_day(Some(1_000_000_000_000_001)),
                "policy.max_per_day",
            ),
        ]
    }

    #[test]
    fn advance_limits_refuse_fractions_and_wrong_types() {
        for (k, v) in [
            ("max_per_day", json!("150.5")),
            ("max_per_week", json!(1.5)),
            ("fee_cap_per_month", json!("3e1")),
            ("max_fee_advances_per_period", json!(true)),
            ("max_repayment_days", json!("thirty")),
        ] {
            let e = Policy::from_json(&json!({ k: v })).unwrap_err();
            assert_eq!(
                e,
                Error::config(
                    format!("policy.{k}"),
                    "must be a whole number in [1, 10^15] or null"
                ),
                "{k}: {v}"
            );
        }
        let e = Policy::from_json(&json!({"pause_on_shortfall": "yes"})).unwrap_err();
        assert_eq!(
            e,
            Error::config(
                "policy.pause_on_shortfall",
                "must be a boolean (true or false)"
            )
        );
        for v in [json!("paid"), json!(null), json!(1)] {
            let e = Policy::from_json(&json!({ "pause_on_leave": v })).unwrap_err();
            assert_eq!(
                e,
                Error::config("policy.pause_on_leave", "must be `none`, `unpaid` or `any`")
            );
        }
        // `null` is "no cap" (the default).
        let p = Policy::from_json(&json!({"max_per_day": null, "max_repayment_days": null}));
        assert_eq!(p.unwrap(), Policy::default());
    }

    #[test]
    fn advance_limits_write_only_when_set_and_round_trip() {
        let p = Policy::builder()
            .max_per_day(Some(15_000))
            .max_per_week(Some(40_000))
            .fee_cap_per_month(Some(3_000))
            .max_fee_advances_per_period(Some(1))
            .max_repayment_days(Some(31))
            .pause_on_shortfall(true)
            .pause_on_leave(LeavePause::Unpaid)
            .build()
            .unwrap();
        let v = p.to_json();
        assert_eq!(v["max_per_day"], 15_000);
        assert_eq!(v["pause_on_leave"], "unpaid");
        assert_eq!(v["pause_on_shortfall"], true);
        assert_eq!(Policy::from_json(&v).unwrap(), p);
        assert_eq!(Policy::from_json(&p.to_json_all()).unwrap(), p);
        // The default writes none of them; `to_json_all` writes every one.
        let d = Policy::default();
        assert!(d.to_json().get("max_per_day").is_none());
        assert_eq!(d.to_json_all()["max_per_day"], Value::Null);
        assert_eq!(d.to_json_all()["pause_on_leave"], "none");
        assert_eq!(d.to_json_all()["pause_on_shortfall"], false);
        assert_eq!(Policy::from_json(&d.to_json_all()).unwrap(), d);
        // Only a changed field is written.
        let one = Policy::builder()
            .pause_on_leave(LeavePause::Any)
            .build()
            .unwrap();
        let json = one.to_json();
        assert!(json.get("pause_on_leave").is_some() && json.get("max_per_week").is_none());
        assert_eq!(
            (
                one.pause_on_leave(),
                one.max_per_day(),
                one.pause_on_shortfall()
            ),
            (LeavePause::Any, None, false)
        );
    }

    #[test]
    fn builder_and_reader_refuse_each_invalid_value_with_the_same_error() {
        for (json, builder, field) in invalid_policies() {
            let read = Policy::from_json(&json).unwrap_err();
            let built = builder.build().unwrap_err();
            assert_eq!(read, built, "{json}");
            assert!(
                matches!(&built, Error::Config { field: f, message }
                    if f == field && message.starts_with("must be ")),
                "{json}: {built}"
            );
        }
    }

    #[test]
    fn every_numeric_setting_takes_a_decimal_string() {
        // (number, the same as a decimal string): equal policies, and not the default.
        let pairs = [
            (json!({"access_rate": 0.25}), json!({"access_rate": "0.25"})),
            (
                json!({"estimated_withholding_rate": 0.2}),
                json!({"estimated_withholding_rate": "0.2"}),
            ),
            (json!({"min_advance": 500}), json!({"min_advance": "500"})),
            (
                json!({"max_advance": 4_000}),
                json!({"max_advance": "4000"}),
            ),
            (
                json!({"max_per_period": 5_000}),
                json!({"max_per_period": "5000"}),
            ),
            (
                json!({"max_advances_per_period": 2}),
                json!({"max_advances_per_period": "2"}),
            ),
            (
                json!({"blackout_hours_before_pay": 36.5}),
                json!({"blackout_hours_before_pay": "36.5"}),
            ),
            (
                json!({"min_tenure_days": 30}),
                json!({"min_tenure_days": "30"}),
            ),
            (
                json!({"fees": {"instant": {"flat": 199, "rate_bps": 150}}}),
                json!({"fees": {"instant": {"flat": "199", "rate_bps": "150"}}}),
            ),
            (
                json!({"fees": {"standard": {"flat": 1, "rate_bps": 1}}}),
                json!({"fees": {"standard": {"flat": "1", "rate_bps": "1.0"}}}),
            ),
            (
                json!({"max_per_day": 15_000}),
                json!({"max_per_day": "15000"}),
            ),
            (
                json!({"max_per_week": 40_000}),
                json!({"max_per_week": "40000.0"}),
            ),
            (
                json!({"fee_cap_per_month": 3_000}),
                json!({"fee_cap_per_month": "3000"}),
            ),
            (
                json!({"max_fee_advances_per_period": 1}),
                json!({"max_fee_advances_per_period": "1"}),
            ),
            (
                json!({"max_repayment_days": 31.0}),
                json!({"max_repayment_days": "31"}),
            ),
        ];
        for (number, string) in pairs {
            let a = Policy::from_json(&number).unwrap();
            let b = Policy::from_json(&string).unwrap();
            assert_eq!(a, b, "{string}");
            assert_ne!(a, Policy::default(), "{string}");
            assert_eq!(a.to_json().to_string(), b.to_json().to_string());
        }
        let p = Policy::from_json(&json!({"fees": {"instant": {"rate_bps": "150"}}})).unwrap();
        assert_eq!(p.fees().instant.rate_bps, 150);
    }

    #[test]
    fn whole_settings_are_whole_by_value() {
        // SPEC §9: 150, "150" and 150.0 are whole; "150.5" is not.
        for v in [json!(150), json!("150"), json!(150.0)] {
            let p = Policy::from_json(&json!({"fees": {"standard": {"rate_bps": v}}})).unwrap();
            assert_eq!(p.fees().standard.rate_bps, 150);
            assert_eq!(
                Policy::from_json(&json!({"min_advance": v}))
                    .unwrap()
                    .min_advance(),
                150
            );
        }
        let e = Policy::from_json(&json!({"fees": {"standard": {"rate_bps": "150.5"}}}));
        assert_eq!(
            e.unwrap_err(),
            Error::config(
                "policy.fees.standard.rate_bps",
                "must be a whole number in [0, 10000] or null"
            )
        );
        let e = Policy::from_json(&json!({"min_advance": "150.5"})).unwrap_err();
        assert!(matches!(e, Error::Config { field, .. } if field == "policy.min_advance"));
    }

    #[test]
    fn builder_made_company_equals_the_json_read_one() {
        let policy = Policy::builder()
            .access_rate(dec("0.75"))
            .min_advance(1_000)
            .max_advance(Some(20_000))
            .max_per_period(Some(30_000))
            .max_advances_per_period(Some(3))
            .blackout_hours_before_pay(dec("36.5"))
            .min_tenure_days(14)
            .fee(
                Delivery::Instant,
                Fee {
                    flat: 199,
                    rate_bps: 150,
                },
            )
            .estimated_withholding_rate(dec("0.20"))
            .counted_statuses([ShiftStatus::Approved, ShiftStatus::Submitted])
            .salaried_day_basis(SalariedDayBasis::Working)
            .workdays([Weekday::Sat, Weekday::Mon, Weekday::Mon])
            .max_per_day(Some(15_000))
            .max_per_week(Some(40_000))
            .fee_cap_per_month(Some(3_000))
            .max_fee_advances_per_period(Some(1))
            .max_repayment_days(Some(31))
            .pause_on_shortfall(true)
            .pause_on_leave(LeavePause::Any)
            .build()
            .unwrap();
        let limits = Limits::builder()
            .id_chars_max(64)
            .shift_hours_max(14)
            .build()
            .unwrap();
        let built = Company::new("acme", chrono_tz::Europe::Brussels)
            .with_week_starts_on(Weekday::Sun)
            .with_custom_info_keys(["badge", "cost_center"])
            .with_policy(policy)
            .with_limits(limits);
        let read = Company::from_json(&json!({
            "company_id": "acme", "timezone": "Europe/Brussels", "week_starts_on": "sunday",
            "custom_info_keys": ["cost_center", "badge"],
            "policy": {"access_rate": "0.75", "min_advance": 1000, "max_advance": "20000",
                "max_per_period": 30000, "max_advances_per_period": "3",
                "blackout_hours_before_pay": 36.5, "min_tenure_days": "14",
                "fees": {"instant": {"flat": "199", "rate_bps": 150}},
                "estimated_withholding_rate": 0.2,
                "counted_statuses": ["submitted", "approved"], "salaried_day_basis": "working",
                "workdays": ["monday", "saturday"], "max_per_day": "15000",
                "max_per_week": 40000.0, "fee_cap_per_month": "3000",
                "max_fee_advances_per_period": 1, "max_repayment_days": "31",
                "pause_on_shortfall": true, "pause_on_leave": "any"},
            "limits": {"id_chars_max": "64", "shift_hours_max": "14"}}))
        .unwrap();
        assert_eq!(built, read);
        assert_eq!(built.to_json(), read.to_json());
        assert_eq!(built.policy().workdays(), [Weekday::Mon, Weekday::Sat]);
        assert_eq!(
            built.policy().to_json()["estimated_withholding_rate"],
            "0.2"
        );
    }

    #[test]
    fn company_id_is_checked_by_the_setter_as_by_the_reader() {
        let c = Company::new("acme", Tz::UTC);
        let long = "x".repeat(129);
        for id in ["", long.as_str()] {
            let built = c.clone().with_company_id(id).unwrap_err();
            assert_eq!(
                Company::from_json(&json!({"company_id": id})).unwrap_err(),
                built
            );
        }
        assert_eq!(c.with_company_id("b").unwrap().company_id(), "b");
    }

    #[test]
    fn policy_json_output_is_unchanged() {
        // The to_json of the default policy, byte for byte as before the builders.
        assert_eq!(
            Policy::default().to_json().to_string(),
            concat!(
                r#"{"access_rate":"0.5","min_advance":0,"max_advance":null,"max_per_period":null,"#,
                r#""max_advances_per_period":null,"blackout_hours_before_pay":"48","#,
                r#""min_tenure_days":0,"fees":{"standard":{"flat":0,"rate_bps":0},"#,
                r#""instant":{"flat":0,"rate_bps":0}},"estimated_withholding_rate":"0","#,
                r#""counted_statuses":["approved"],"salaried_day_basis":"calendar","#,
                r#""workdays":["monday","tuesday","wednesday","thursday","friday"]}"#
            )
        );
    }
}
