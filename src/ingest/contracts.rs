//! Contracts (SPEC §2 "contract"): currency, rate versions via `effective_from`, overtime rules.

use super::fields::{json_decimal, Rec};
use super::plan::{full, Applied, RecordError};
use crate::calendar::{Frequency, Instant};
use crate::ingest::Outcome;
use crate::model::{
    is_salaried, Contract, MinimumWage, Overtime, Premium, RateVersion, RegularRate,
};
use crate::model::{ContractIx, ScheduleIx, State};
use crate::money::{Currency, Exact};
use chrono::NaiveTime;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

pub(super) const FIELDS: &[&str] = &[
    "contract_id",
    "pay_schedule_id",
    "currency",
    "wage_rate_period",
    "wage_rate_amount",
    "custom_info",
    "effective_from",
];
pub(super) const OVERTIME_FIELDS: &[&str] = &[
    "weekly_threshold_hours",
    "daily_threshold_hours",
    "multiplier",
    "double_time_daily_threshold_hours",
    "double_time_multiplier",
    "workday_starts_at",
    "seventh_day",
    "regular_rate",
];
/// The keys of `custom_info.minimum_wage` (SPEC §5.7).
pub(super) const MINIMUM_WAGE_FIELDS: &[&str] = &["hourly", "tip_credit"];
/// The largest `custom_info.minimum_wage.hourly` (minor units per hour; decisions.md): far
/// from overflow in the week's arithmetic.
const MINIMUM_HOURLY_MAX: i64 = 1_000_000_000_000;
/// Bounds that keep overtime arithmetic far from overflow (decisions.md).
const THRESHOLD_HOURS_MAX: i64 = 8784;
const MULTIPLIER_MAX: i64 = 100;

impl State {
    pub(crate) fn apply_contract(
        &mut self,
        obj: &Map<String, Value>,
        received_at: Instant,
    ) -> Applied {
        let tz = self.company.timezone;
        let limits = self.company.limits.clone();
        let mut r = Rec::new(obj, &limits, FIELDS);
        let id = r.id("contract_id");
        let schedule_id = r.id("pay_schedule_id");
        let (currency, rate_period) = read_enumerations(&mut r);
        let amount = r.amount("wage_rate_amount", 0);
        let effective_from = r.instant("effective_from", tz, false).ok().flatten();
        let custom_info = r.custom_info().ok().flatten();
        let rules = Rules::read(&mut r, custom_info);
        let schedule = schedule_id.and_then(|s| {
            let ix = self.schedule_ix.get(s);
            if ix.is_none() {
                r.err("pay_schedule_id", format!("unknown pay schedule `{s}`"));
            }
            ix
        });
        if !r.ok() {
            return Err(RecordError::rejected(r.errors));
        }
        let (Some(id), Some(schedule), Some(currency), Some(rate_period), Some(amount)) =
            (id, schedule, currency, rate_period, amount)
        else {
            return Err(RecordError::rejected(r.errors));
        };
        self.check_salaried_schedule(rate_period, schedule, schedule_id)?;
        // SPEC §2: only the rate is versioned; custom_info rules apply only to hourly ones.
        let rules = rules.kept_on(rate_period);
        let existing = self.contract_ix.get(id);
        let versions =
            self.contract_versions(existing, currency, effective_from, amount, received_at)?;
        let contract = Contract {
            id: id.into(),
            schedule,
            currency,
            rate_period,
            versions,
            custom_info: custom_info.cloned(),
            overtime: rules.overtime,
            premiums: rules.premiums,
            minimum_wage: rules.minimum_wage,
            holiday_pay_hours: rules.holiday_pay_hours,
            auto_break: rules.auto_break,
        };
        self.store_contract(existing, id, contract)
    }

    /// A salaried contract needs a schedule of frequency daily..annually (SPEC §2 contract).
    fn check_salaried_schedule(
        &self,
        rate_period: Frequency,
        schedule: ScheduleIx,
        schedule_id: Option<&str>,
    ) -> Result<(), RecordError> {
        // SPEC §2: a salaried contract needs a schedule of frequency daily..annually.
        if is_salaried(rate_period) {
            let freq = self.schedules.get(schedule).map(|s| s.frequency);
            if freq.and_then(Frequency::periods_per_year).is_none() {
                return Err(RecordError::field(
                    "pay_schedule_id",
                    format!(
                        "a salaried ({}) contract needs a schedule of frequency daily..annually, `{}` is {}",
                        rate_period.as_str(),
                        schedule_id.unwrap_or_default(),
                        freq.map_or("unknown", Frequency::as_str)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The rate versions after this push; an assigned contract keeps its currency (SPEC §2).
    fn contract_versions(
        &self,
        existing: Option<ContractIx>,
        currency: Currency,
        effective_from: Option<Instant>,
        amount: i64,
        received_at: Instant,
    ) -> Result<Vec<RateVersion>, RecordError> {
        Ok(match existing.and_then(|ix| self.contracts.get(ix)) {
            None => vec![RateVersion {
                from: effective_from.unwrap_or(Instant::MIN),
                amount,
            }],
            Some(old) => {
                if old.currency != currency && self.contract_is_assigned(existing) {
                    return Err(RecordError::field(
                        "currency",
                        format!(
                            "contract is assigned to employees paid in {}; its currency cannot change",
                            old.currency
                        ),
                    ));
                }
                next_versions(old, effective_from, amount, received_at)
            }
        })
    }

    /// Stores the validated contract: created, updated or unchanged (SPEC §3).
    fn store_contract(
        &mut self,
        existing: Option<ContractIx>,
        id: &str,
        contract: Contract,
    ) -> Applied {
        match existing.and_then(|ix| self.contracts.get_mut(ix)) {
            Some(old) if *old == contract => Ok(Outcome::Unchanged),
            Some(old) => {
                *old = contract;
                Ok(Outcome::Updated)
            }
            None => {
                let ix = self.contracts.push(contract).map_err(full)?;
                self.contract_ix.insert(id, ix);
                Ok(Outcome::Created)
            }
        }
    }

    fn contract_is_assigned(&self, ix: Option<ContractIx>) -> bool {
        ix.is_some_and(|ix| {
            self.employees
                .iter()
                .any(|e| e.assignments.iter().any(|a| a.contract == ix))
        })
    }
}

/// Reads `custom_info.overtime` when present, reporting its error on `r` (SPEC §5.2).
fn read_overtime(r: &mut Rec<'_>, custom_info: Option<&Map<String, Value>>) -> Option<Overtime> {
    let mut overtime = None;
    if let Some(ot) = custom_info.and_then(|c| c.get("overtime")) {
        match parse_overtime(ot) {
            Ok(o) => overtime = Some(o),
            Err((field, message)) => r.err(field, message),
        }
    }
    overtime
}

/// `currency` and `wage_rate_period`, each reported on `r` when missing or unknown.
fn read_enumerations(r: &mut Rec<'_>) -> (Option<Currency>, Option<Frequency>) {
    let currency = r
        .enumeration(
            "currency",
            true,
            Currency::parse,
            "an active ISO 4217 code such as EUR",
        )
        .ok()
        .flatten();
    let rate_period = r
        .enumeration(
            "wage_rate_period",
            true,
            Frequency::parse,
            "hourly, daily, weekly, bi-weekly, semi-monthly, monthly, annually, adhoc",
        )
        .ok()
        .flatten();
    (currency, rate_period)
}

/// The pay rules a contract's `custom_info` carries (SPEC §5.2, §5.4–§5.7), each read by
/// its one parser (the snapshot decoder uses the same parsers).
struct Rules {
    overtime: Option<Overtime>,
    premiums: Vec<Premium>,
    minimum_wage: Option<MinimumWage>,
    holiday_pay_hours: Decimal,
    auto_break: Option<crate::model::AutoBreak>,
}

impl Rules {
    /// Every rule, each error reported on `r` naming its field path.
    fn read(r: &mut Rec<'_>, custom_info: Option<&Map<String, Value>>) -> Rules {
        Rules {
            overtime: read_overtime(r, custom_info),
            premiums: read_premiums(r, custom_info),
            minimum_wage: read_minimum_wage(r, custom_info),
            holiday_pay_hours: read_holiday_pay_hours(r, custom_info),
            auto_break: read_auto_break(r, custom_info),
        }
    }

    /// The rules as kept: validated on every contract, applied only on hourly ones (SPEC §2).
    fn kept_on(self, rate_period: Frequency) -> Rules {
        let hourly = rate_period == Frequency::Hourly;
        Rules {
            overtime: self.overtime.filter(|_| hourly),
            premiums: hourly_only(rate_period, self.premiums),
            minimum_wage: self.minimum_wage.filter(|_| hourly),
            holiday_pay_hours: hourly_only(rate_period, self.holiday_pay_hours),
            auto_break: self.auto_break.filter(|_| hourly),
        }
    }
}

/// Reads `custom_info.premiums` (SPEC §5.4), reporting its error on `r`.
fn read_premiums(r: &mut Rec<'_>, custom_info: Option<&Map<String, Value>>) -> Vec<Premium> {
    match super::premiums::premiums_of(custom_info, r.limits.text_chars_max) {
        Ok(p) => p,
        Err((field, message)) => {
            r.err(field, message);
            Vec::new()
        }
    }
}

/// Reads `custom_info.minimum_wage` when present, reporting its error on `r` (SPEC §5.7).
fn read_minimum_wage(
    r: &mut Rec<'_>,
    custom_info: Option<&Map<String, Value>>,
) -> Option<MinimumWage> {
    parse_minimum_wage(custom_info).unwrap_or_else(|(field, message)| {
        r.err(field, message);
        None
    })
}

/// Reads `custom_info.holiday_pay_hours` (SPEC §5.5), reporting its error on `r`.
fn read_holiday_pay_hours(r: &mut Rec<'_>, custom_info: Option<&Map<String, Value>>) -> Decimal {
    parse_holiday_pay_hours(custom_info).unwrap_or_else(|(field, message)| {
        r.err(field, message);
        Decimal::ZERO
    })
}

/// A contract rule of `custom_info` as kept: the rule on an hourly contract, its default on
/// others (SPEC §2: validated and ignored).
pub(crate) fn hourly_only<T: Default>(rate_period: Frequency, rule: T) -> T {
    if rate_period == Frequency::Hourly {
        rule
    } else {
        T::default()
    }
}

/// The largest `custom_info.holiday_pay_hours` (decisions.md: a holiday is one day).
const HOLIDAY_PAY_HOURS_MAX: Decimal = Decimal::from_parts(24, 0, 0, false, 0);

/// `custom_info.holiday_pay_hours` (SPEC §5.5): decimal hours in `[0, 24]`, a JSON number or
/// a decimal string; 0 when absent or null. The one reader of the rule, used by ingestion
/// and by the snapshot decoder (which re-derives it from the stored `custom_info`).
pub(crate) fn parse_holiday_pay_hours(
    custom_info: Option<&Map<String, Value>>,
) -> Result<Decimal, (String, String)> {
    const FIELD: &str = "custom_info.holiday_pay_hours";
    let h = match custom_info.and_then(|c| c.get("holiday_pay_hours")) {
        None | Some(Value::Null) => return Ok(Decimal::ZERO),
        Some(v) => json_decimal(v).ok_or_else(|| {
            (
                FIELD.to_string(),
                "must be decimal hours, a number or a decimal string such as \"7.5\"".to_string(),
            )
        })?,
    };
    if h < Decimal::ZERO || h > HOLIDAY_PAY_HOURS_MAX {
        return Err((FIELD.to_string(), "must be hours in [0, 24]".to_string()));
    }
    Ok(h.normalize())
}

/// Reads `custom_info.auto_unpaid_break` when present, reporting its error on `r` (SPEC §5.6;
/// the one parser is `accrual::paid::auto_break_of`).
fn read_auto_break(
    r: &mut Rec<'_>,
    custom_info: Option<&Map<String, Value>>,
) -> Option<crate::model::AutoBreak> {
    crate::accrual::paid::auto_break_of(custom_info).unwrap_or_else(|(f, m)| {
        r.err(f, m);
        None
    })
}

/// SPEC §2 rate versions: with `effective_from`, add or replace the version at that instant;
/// without, an amount equal to the version in force at `received_at` or to any later one
/// changes nothing, and any other amount adds a version from `received_at`.
fn next_versions(
    old: &Contract,
    effective_from: Option<Instant>,
    amount: i64,
    received_at: Instant,
) -> Vec<RateVersion> {
    let mut versions = old.versions.clone();
    let from = match effective_from {
        Some(from) => from,
        None => {
            let in_force = old.rate_at(received_at);
            let later = versions
                .iter()
                .any(|v| v.from > received_at && v.amount == amount);
            if in_force == amount || later {
                return versions;
            }
            received_at
        }
    };
    match versions.iter_mut().find(|v| v.from == from) {
        Some(v) => v.amount = amount,
        None => {
            let at = versions.partition_point(|v| v.from < from);
            versions.insert(at, RateVersion { from, amount });
        }
    }
    versions
}

/// Validates `custom_info.overtime` (SPEC §5.2); errors name `custom_info.overtime.<key>`.
pub(crate) fn parse_overtime(v: &Value) -> Result<Overtime, (String, String)> {
    let base = OVERTIME_BASE;
    let obj = v
        .as_object()
        .ok_or_else(|| (base.to_string(), "must be an object".to_string()))?;
    for k in obj.keys() {
        if !OVERTIME_FIELDS.contains(&k.as_str()) {
            return Err((format!("{base}.{k}"), "unknown overtime rule".into()));
        }
    }
    let ot = Overtime {
        weekly_threshold: overtime_threshold(obj, "weekly_threshold_hours")?,
        daily_threshold: overtime_threshold(obj, "daily_threshold_hours")?,
        multiplier: overtime_multiplier(obj, "multiplier")?,
        double_time_threshold: overtime_threshold(obj, "double_time_daily_threshold_hours")?,
        double_time_multiplier: overtime_multiplier(obj, "double_time_multiplier")?,
        workday_starts_at: workday_starts_at(obj)?,
        seventh_day: match obj.get("seventh_day") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err((
                    format!("{base}.seventh_day"),
                    "must be true or false".into(),
                ))
            }
        },
        regular_rate: regular_rate(obj)?,
    };
    check_overtime_pairs(&ot)?;
    Ok(ot)
}

/// The field prefix of every overtime rule error (SPEC §5.2).
const OVERTIME_BASE: &str = "custom_info.overtime";

/// Overtime rule `k` as a decimal, `None` when absent or null (SPEC §2 numbers, §5.2).
fn overtime_decimal(
    obj: &Map<String, Value>,
    k: &str,
) -> Result<Option<Decimal>, (String, String)> {
    let base = OVERTIME_BASE;
    match obj.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => json_decimal(x).map(Some).ok_or_else(|| {
            (
                format!("{base}.{k}"),
                "must be a decimal string such as \"1.5\"".into(),
            )
        }),
    }
}

/// Threshold rule `k` in hours, as whole micros rounded up (SPEC §5.2).
fn overtime_threshold(obj: &Map<String, Value>, k: &str) -> Result<Option<i64>, (String, String)> {
    let base = OVERTIME_BASE;
    let Some(h) = overtime_decimal(obj, k)? else {
        return Ok(None);
    };
    if h.is_sign_negative() || h > Decimal::from(THRESHOLD_HOURS_MAX) {
        return Err((
            format!("{base}.{k}"),
            format!("must be hours in [0, {THRESHOLD_HOURS_MAX}]"),
        ));
    }
    // A second is overtime once the micros already worked reach the exact threshold.
    Exact::from_decimal(h)
        .and_then(|h| h.checked_mul(Exact::int(3_600_000_000)))
        .and_then(Exact::ceil)
        .map(Some)
        .ok_or_else(|| (format!("{base}.{k}"), "is out of range".into()))
}

/// Multiplier rule `k`, in [1, MULTIPLIER_MAX] (SPEC §5.2).
fn overtime_multiplier(
    obj: &Map<String, Value>,
    k: &str,
) -> Result<Option<Decimal>, (String, String)> {
    let base = OVERTIME_BASE;
    let Some(m) = overtime_decimal(obj, k)? else {
        return Ok(None);
    };
    if m < Decimal::ONE || m > Decimal::from(MULTIPLIER_MAX) {
        return Err((
            format!("{base}.{k}"),
            format!("must be in [1, {MULTIPLIER_MAX}]"),
        ));
    }
    Ok(Some(m.normalize()))
}

/// `workday_starts_at` as a local time `HH:MM`, midnight when absent (SPEC §5.2).
fn workday_starts_at(obj: &Map<String, Value>) -> Result<NaiveTime, (String, String)> {
    let base = OVERTIME_BASE;
    Ok(match obj.get("workday_starts_at") {
        None | Some(Value::Null) => NaiveTime::MIN,
        Some(Value::String(s)) => parse_hhmm(s).ok_or_else(|| {
            (
                format!("{base}.workday_starts_at"),
                "must be a local time HH:MM".into(),
            )
        })?,
        Some(_) => {
            return Err((
                format!("{base}.workday_starts_at"),
                "must be a local time HH:MM".into(),
            ))
        }
    })
}

/// `regular_rate`: `"contract"` (the default) or `"weighted_average"` (SPEC §5.2).
fn regular_rate(obj: &Map<String, Value>) -> Result<RegularRate, (String, String)> {
    match obj.get("regular_rate") {
        None | Some(Value::Null) => Ok(RegularRate::Contract),
        Some(Value::String(s)) if s == "contract" => Ok(RegularRate::Contract),
        Some(Value::String(s)) if s == "weighted_average" => Ok(RegularRate::WeightedAverage),
        Some(_) => Err((
            format!("{OVERTIME_BASE}.regular_rate"),
            "must be \"contract\" or \"weighted_average\"".into(),
        )),
    }
}

/// The field prefix of every minimum-wage rule error (SPEC §5.7).
const MINIMUM_WAGE_BASE: &str = "custom_info.minimum_wage";

/// Validates a contract's `custom_info.minimum_wage` (SPEC §5.7): `{"hourly"*,
/// "tip_credit"}`, hourly whole minor units per hour > 0 (a number or a decimal string, whole
/// by value, SPEC §9), tip_credit a boolean (default false), unknown keys refused. The one
/// parser of the rule: ingestion and the snapshot decoder both call it. `Ok(None)` when
/// absent or null; errors name `custom_info.minimum_wage.<key>`.
pub(crate) fn parse_minimum_wage(
    custom_info: Option<&Map<String, Value>>,
) -> Result<Option<MinimumWage>, (String, String)> {
    let base = MINIMUM_WAGE_BASE;
    let v = match custom_info.and_then(|c| c.get("minimum_wage")) {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let obj = v
        .as_object()
        .ok_or_else(|| (base.to_string(), "must be an object".to_string()))?;
    if let Some(k) = obj
        .keys()
        .find(|k| !MINIMUM_WAGE_FIELDS.contains(&k.as_str()))
    {
        return Err((format!("{base}.{k}"), "unknown minimum wage rule".into()));
    }
    let hourly_error = || {
        (
            format!("{base}.hourly"),
            format!("must be whole minor units per hour in [1, {MINIMUM_HOURLY_MAX}]"),
        )
    };
    let hourly = match obj.get("hourly") {
        None | Some(Value::Null) => {
            return Err((format!("{base}.hourly"), "is required".into()));
        }
        Some(x) => json_decimal(x)
            .filter(|d| d.fract().is_zero())
            .and_then(|d| i64::try_from(d).ok())
            .filter(|h| (1..=MINIMUM_HOURLY_MAX).contains(h))
            .ok_or_else(hourly_error)?,
    };
    let tip_credit = match obj.get("tip_credit") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err((format!("{base}.tip_credit"), "must be a boolean".into()));
        }
    };
    Ok(Some(MinimumWage { hourly, tip_credit }))
}

/// A threshold needs its multiplier (SPEC §5.2).
fn check_overtime_pairs(ot: &Overtime) -> Result<(), (String, String)> {
    let base = OVERTIME_BASE;
    if (ot.weekly_threshold.is_some() || ot.daily_threshold.is_some()) && ot.multiplier.is_none() {
        return Err((
            format!("{base}.multiplier"),
            "is required with a weekly or daily threshold".into(),
        ));
    }
    // SPEC §5.2: the seventh day pays overtime, then double time.
    if ot.seventh_day && ot.multiplier.is_none() {
        return Err((
            format!("{base}.multiplier"),
            "is required with seventh_day".into(),
        ));
    }
    if ot.seventh_day && ot.double_time_multiplier.is_none() {
        return Err((
            format!("{base}.double_time_multiplier"),
            "is required with seventh_day".into(),
        ));
    }
    if ot.double_time_threshold.is_some() && ot.double_time_multiplier.is_none() {
        return Err((
            format!("{base}.double_time_multiplier"),
            "is required with double_time_daily_threshold_hours".into(),
        ));
    }
    Ok(())
}

pub(super) fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    let b = s.as_bytes();
    if b.len() != 5 || b.get(2) != Some(&b':') {
        return None;
    }
    let (h, m) = (s.get(0..2)?, s.get(3..5)?);
    if !h.bytes().chain(m.bytes()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

impl State {
    /// An optional `contract_id` reference: its index, or `None` when absent, invalid or
    /// unknown (then an error names the field and the missing key, SPEC §3).
    pub(super) fn contract_ref(&self, r: &mut Rec<'_>) -> Option<ContractIx> {
        let c = r.opt_id("contract_id").ok().flatten()?;
        let ix = self.contract_ix.get(c);
        if ix.is_none() {
            r.err("contract_id", format!("unknown contract `{c}`"));
        }
        ix
    }
}
