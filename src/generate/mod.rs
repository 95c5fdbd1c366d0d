//! A seeded synthetic payroll: a SPEC §8 scenario document, or the same data straight into a
//! [`Twin`], for benchmarks, profiles and tests.
//!
//! The company is realistic in shape: hourly (some with `custom_info.overtime`), daily,
//! salaried and adhoc contracts on weekly, bi-weekly, semi-monthly and monthly schedules paid
//! in arrears (made by [`PeriodGenerator`]); employees hired long ago, hired during the data
//! span, or terminated in it; about `shifts_per_employee` shifts each, 4–10 h, with every
//! status (about 85% approved), night shifts crossing midnight and a few on DST dates; rate
//! changes (`effective_from`), additions, deductions, advances and a few queries.
//!
//! Deterministic: every entity draws from its own SplitMix64 stream keyed by
//! (`seed`, kind, index), so the same options give the same records — and the same bytes —
//! whatever the batch size, and [`scenario`] and [`twin`] hold the same data.
//!
//! ```
//! use ewa::generate::{self, Options};
//! let opts = Options { employees: 20, shifts_per_employee: 10, ..Options::default() };
//! let twin = generate::twin(&opts)?;
//! assert_eq!(twin.counts().employees, 20);
//! let doc = generate::scenario(&opts);
//! assert_eq!(doc["employees"].as_array().map(Vec::len), Some(20));
//! assert_eq!(serde_json::to_string(&doc)?, serde_json::to_string(&generate::scenario(&opts))?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod rules;
mod time_order;

use crate::calendar::{self, Frequency, Instant, PeriodGenerator};
use crate::company::Company;
use crate::eligibility::AdvanceRequest;
use crate::error::Result;
use crate::ingest::Kind;
use crate::model::Delivery;
use crate::twin::Twin;
use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};

pub use time_order::for_each_batch_in_time_order;

/// Records per `Twin::apply` batch in [`twin`] (SPEC §7 `batch_records_max`).
pub const BATCH_RECORDS: usize = 100_000;

/// What to generate. Every field has a default (see [`Options::default`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// How many employees (default 1,000).
    pub employees: usize,
    /// The seed of every random stream (default 1).
    pub seed: u64,
    /// Shifts per employee (default 40).
    pub shifts_per_employee: usize,
    /// The first day of the current pay month (default 2026-06-01); shifts start four weeks
    /// earlier.
    pub start: NaiveDate,
    /// The company zone (default Europe/Brussels).
    pub timezone: Tz,
    /// How many advance requests (default one per 200 employees, at least 1).
    pub advances: Option<usize>,
    /// How many queries in the scenario document (default 5).
    pub queries: usize,
    /// Whether the payroll carries the pay rules of SPEC §5.2–§5.7 (holidays, premiums,
    /// breaks, tips, leave, minimum wage, seventh day, weighted regular rate, bonuses) in
    /// the proportions listed in the `rules` module (default true). Off, the same
    /// records without them.
    pub pay_rules: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            employees: 1_000,
            seed: 1,
            shifts_per_employee: 40,
            start: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or(NaiveDate::MIN),
            timezone: chrono_tz::Europe::Brussels,
            advances: None,
            queries: 5,
            pay_rules: true,
        }
    }
}

impl Options {
    /// The instant the data describes: local 12:00 on the 20th day from `start`.
    pub fn as_of(&self) -> Instant {
        let day = add_days(self.start, 19);
        calendar::local_to_instant(self.timezone, day.and_time(noon()))
    }

    /// When every batch is received: local 00:00 on the 20th day from `start`.
    pub fn received_at(&self) -> Instant {
        calendar::local_midnight(self.timezone, add_days(self.start, 19))
    }

    fn advance_count(&self) -> usize {
        self.advances.unwrap_or((self.employees / 200).max(1))
    }
}

/// The company of the synthetic payroll (policy with an instant-delivery fee).
///
/// # Errors
/// [`Error::Config`] if the company document is rejected (it never is).
pub fn company(opts: &Options) -> Result<Company> {
    Company::from_json(&company_json(opts))
}

/// The whole synthetic payroll as a SPEC §8 scenario document in kind-array form.
///
/// Holds every record in memory: for very large payrolls use [`for_each_batch`] or [`twin`].
pub fn scenario(opts: &Options) -> Value {
    let mut doc = Map::new();
    doc.insert("company".into(), company_json(opts));
    doc.insert("received_at".into(), opts.received_at().to_string().into());
    let mut kinds: Vec<(Kind, Vec<Value>)> = Kind::ALL.iter().map(|k| (*k, Vec::new())).collect();
    let _ = for_each_batch_sized(opts, usize::MAX, |kind, records| {
        if let Some((_, all)) = kinds.iter_mut().find(|(k, _)| *k == kind) {
            all.extend(records);
        }
        Ok(())
    });
    // A document is one batch per kind: when a kind outgrows the default
    // `batch_records_max` (SPEC §7), the company says so, so `ewa scenario` runs it.
    let largest = kinds.iter().map(|(_, r)| r.len()).max().unwrap_or(0);
    if let Some(company) = doc.get_mut("company").filter(|_| largest > BATCH_RECORDS) {
        set(company, "limits", json!({ "batch_records_max": largest }));
    }
    for (kind, records) in kinds {
        // Generated payrolls have no leaves; without the key a document runs the six Payd
        // jobs only (SPEC §8).
        if kind == Kind::Leaves && records.is_empty() {
            continue;
        }
        doc.insert(kind.document_key().into(), Value::Array(records));
    }
    let advances = advance_requests(opts)
        .into_iter()
        .map(|a| {
            json!({"advance_id": a.advance_id, "employee_id": a.employee_id, "amount": a.amount,
                   "requested_at": a.requested_at.to_string(), "delivery": a.delivery.as_str()})
        })
        .collect();
    doc.insert("advances".into(), Value::Array(advances));
    let as_of = opts.as_of().to_string();
    let n = opts.employees.max(1);
    let queries = (0..opts.queries.min(opts.employees))
        .map(|q| json!({"employee_id": employee_id(q * n / opts.queries.max(1)), "as_of": as_of}))
        .collect();
    doc.insert("queries".into(), Value::Array(queries));
    Value::Object(doc)
}

/// The synthetic payroll straight into a twin: every kind through [`Twin::apply`] in batches
/// of at most [`BATCH_RECORDS`] records, then the advance requests in `requested_at` order.
///
/// # Errors
/// Any error of [`Twin::apply`] or [`Twin::request_advance`].
pub fn twin(opts: &Options) -> Result<Twin> {
    let mut twin = Twin::new(company(opts)?);
    let received_at = opts.received_at();
    for_each_batch(opts, |kind, records| {
        twin.apply(kind, &records, received_at).map(|_| ())
    })?;
    for a in advance_requests(opts) {
        twin.request_advance(&a)?;
    }
    Ok(twin)
}

/// Calls `f` with every batch of records (at most [`BATCH_RECORDS`] each), kinds in push
/// order (SPEC §3).
///
/// # Errors
/// The first error `f` returns.
pub fn for_each_batch(opts: &Options, f: impl FnMut(Kind, Vec<Value>) -> Result<()>) -> Result<()> {
    for_each_batch_sized(opts, BATCH_RECORDS, f)
}

/// The advance requests, sorted as a scenario runs them (SPEC §8: `requested_at`, then id).
pub fn advance_requests(opts: &Options) -> Vec<AdvanceRequest> {
    if opts.employees == 0 {
        return Vec::new();
    }
    let at = Instant::from_micros(opts.as_of().as_micros().saturating_sub(DAY_MICROS));
    let mut out: Vec<AdvanceRequest> = (0..opts.advance_count())
        .map(|k| {
            let mut r = Rng::stream(opts.seed, Stream::Advance, k as u64);
            let e = r.below(opts.employees as u64) as usize;
            AdvanceRequest {
                advance_id: format!("adv-{k:06}"),
                employee_id: employee_id(e),
                amount: 1_000 + r.below(4_000) as i64,
                requested_at: at,
                delivery: if r.below(4) == 0 {
                    Delivery::Instant
                } else {
                    Delivery::Standard
                },
            }
        })
        .collect();
    out.sort_by(|a, b| (a.requested_at, &a.advance_id).cmp(&(b.requested_at, &b.advance_id)));
    out
}

/// The id of employee `i`: `e0000042`.
pub fn employee_id(i: usize) -> String {
    format!("e{i:07}")
}

// ---------------------------------------------------------------------------------------
// SplitMix64: tiny, fast, and good enough for synthetic data (no `rand` needed).

struct Rng(u64);

#[derive(Clone, Copy)]
enum Stream {
    Employee = 1,
    Shift = 2,
    Payment = 3,
    Advance = 4,
    Open = 5,
    Rules = 6,
}

impl Rng {
    fn stream(seed: u64, s: Stream, i: u64) -> Rng {
        let mut r = Rng(seed
            ^ (s as u64).wrapping_mul(0xA076_1D64_78BD_642F)
            ^ i.wrapping_mul(0xE703_7ED1_A0B4_28DB));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        crate::model::hash::splitmix_finalise(self.0)
    }
    /// Uniform in `[0, n)` (n ≥ 1; multiply-shift, bias negligible for small n).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n.max(1))) >> 64) as u64
    }
}

// ---------------------------------------------------------------------------------------
// The company's shape.

const DAY_MICROS: i64 = 24 * 3_600_000_000;
const SCHEDULES: [(&str, Frequency, u32); 4] = [
    ("weekly", Frequency::Weekly, 4),
    ("bi-weekly", Frequency::BiWeekly, 5),
    ("semi-monthly", Frequency::SemiMonthly, 5),
    ("monthly", Frequency::Monthly, 5),
];
/// Shifts start this many days before `start`.
const LEAD_DAYS: u64 = 28;

fn noon() -> NaiveTime {
    NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN)
}

fn add_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

fn sub_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(d)
}

/// Sets field `k` of a JSON object (no-op on other values).
fn set(v: &mut Value, k: &str, x: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(k.into(), x);
    }
}

fn company_json(opts: &Options) -> Value {
    let mut c = json!({
        "company_id": format!("synthetic-{}", opts.seed),
        "timezone": opts.timezone.name(),
        "custom_info_keys": ["cost_center"],
        "policy": {
            "access_rate": "0.5",
            "blackout_hours_before_pay": 48,
            "fees": {"standard": {"flat": 0, "rate_bps": 0}, "instant": {"flat": 150, "rate_bps": 100}}
        }
    });
    if opts.pay_rules {
        set(&mut c, "holidays", rules::holidays(opts));
    }
    c
}

/// The first day of the data and the day after the last period starts.
fn span(opts: &Options) -> (NaiveDate, NaiveDate) {
    let first = sub_days(opts.start, LEAD_DAYS + 14);
    let last_shift = add_days(
        sub_days(opts.start, LEAD_DAYS),
        2 * opts.shifts_per_employee as u64,
    );
    (first, add_days(last_shift, 45))
}

fn schedules(opts: &Options) -> Vec<Value> {
    let (first, end) = span(opts);
    let monday = sub_days(first, u64::from(first.weekday().num_days_from_monday()));
    let first_of_month = first.with_day(1).unwrap_or(first);
    SCHEDULES
        .iter()
        .map(|(id, freq, lag)| {
            let begin = match freq {
                Frequency::Weekly | Frequency::BiWeekly => monday,
                _ => first_of_month,
            };
            let periods = PeriodGenerator::new(opts.timezone, *freq, begin)
                .and_then(|g| g.pay_lag_days(*lag).id_prefix(&format!("{id}-")).until(end))
                .unwrap_or_default();
            let periods: Vec<Value> = periods
                .iter()
                .map(|p| {
                    json!({"pay_period_id": p.pay_period_id, "start_at": p.start_at.to_string(),
                           "stop_at": p.stop_at.to_string(), "pay_at": p.pay_at.to_string()})
                })
                .collect();
            json!({"pay_schedule_id": id, "frequency": freq.as_str(), "alignment": "arrears", "periods": periods})
        })
        .collect()
}

fn contracts(opts: &Options) -> Vec<Value> {
    let raise_on = add_days(opts.start, 14).to_string();
    let mut out = Vec::new();
    for (sc, freq, _) in SCHEDULES {
        for g in 1..=4i64 {
            hourly_contract(opts, sc, g, &raise_on, &mut out);
        }
        if opts.pay_rules {
            out.push(rules::tipped_contract(sc));
        }
        out.push(
            json!({"contract_id": format!("d-{sc}"), "pay_schedule_id": sc, "currency": "EUR",
                        "wage_rate_period": "daily", "wage_rate_amount": 12_000}),
        );
        let (period, amount) = match freq {
            Frequency::Weekly => ("weekly", 80_000),
            Frequency::BiWeekly => ("monthly", 320_000),
            Frequency::SemiMonthly => ("annually", 4_200_000),
            _ => ("monthly", 350_000),
        };
        out.push(
            json!({"contract_id": format!("s-{sc}"), "pay_schedule_id": sc, "currency": "EUR",
                        "wage_rate_period": period, "wage_rate_amount": amount}),
        );
        if sc == "monthly" {
            out.push(json!({"contract_id": "s-monthly", "pay_schedule_id": sc, "currency": "EUR",
                            "wage_rate_period": period, "wage_rate_amount": 360_000, "effective_from": raise_on}));
        }
        out.push(
            json!({"contract_id": format!("x-{sc}"), "pay_schedule_id": sc, "currency": "EUR",
                        "wage_rate_period": "adhoc", "wage_rate_amount": 0}),
        );
    }
    out
}

/// Hourly contract `h-{sc}-{g}`: groups 3 and 4 with overtime rules, 1 and 2 with a raise
/// from the 15th; with [`Options::pay_rules`], each group's rules of [`rules::hourly_rules`].
fn hourly_contract(opts: &Options, sc: &str, g: i64, raise_on: &str, out: &mut Vec<Value>) {
    let rate = 1_400 + 250 * g;
    let mut info = Map::new();
    if g == 3 {
        info.insert(
            "overtime".into(),
            json!({"weekly_threshold_hours": "38", "multiplier": "1.5"}),
        );
    } else if g == 4 {
        info.insert(
            "overtime".into(),
            json!({"daily_threshold_hours": "9", "multiplier": "1.5",
            "double_time_daily_threshold_hours": "11", "double_time_multiplier": "2",
            "workday_starts_at": "05:00"}),
        );
    }
    if opts.pay_rules {
        rules::hourly_rules(g, &mut info);
    }
    let mut c = json!({"contract_id": format!("h-{sc}-{g}"), "pay_schedule_id": sc, "currency": "EUR",
                       "wage_rate_period": "hourly", "wage_rate_amount": rate});
    if !info.is_empty() {
        set(&mut c, "custom_info", Value::Object(info));
    }
    out.push(c.clone());
    if g <= 2 {
        // A collective-agreement raise from the 15th (SPEC §2 `effective_from`).
        set(&mut c, "wage_rate_amount", (rate * 104 / 100).into());
        set(&mut c, "effective_from", raise_on.into());
        out.push(c);
    }
}

/// What is drawn once per employee.
struct Profile {
    contract: String,
    adhoc: bool,
    /// On the tipped contract (with [`Options::pay_rules`]).
    tipped: bool,
    start_on: NaiveDate,
    stop_on: Option<NaiveDate>,
}

const GIVEN: [&str; 8] = [
    "Ana", "Bram", "Chen", "Dalia", "Emre", "Fleur", "Goran", "Hana",
];
const FAMILY: [&str; 8] = [
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
];

/// The contract employee `i` is assigned to (drawn from its stream `r`), and whether it is
/// the tipped one.
fn contract_of(opts: &Options, i: usize, r: &mut Rng) -> (String, bool) {
    let (kind, sched) = (r.below(100), r.below(100));
    let sc = match sched {
        0..=24 => "weekly",
        25..=44 => "bi-weekly",
        45..=59 => "semi-monthly",
        _ => "monthly",
    };
    let tipped = opts.pay_rules && kind <= 59 && rules::is_tipped(opts, i);
    let contract = match kind {
        0..=59 if tipped => {
            // The hourly group is drawn all the same, so the other draws stay in step.
            r.below(4);
            format!("t-{sc}")
        }
        0..=59 => format!("h-{sc}-{}", 1 + r.below(4)),
        60..=69 => format!("d-{sc}"),
        70..=97 => format!("s-{sc}"),
        _ => format!("x-{sc}"),
    };
    (contract, tipped)
}

fn profile(opts: &Options, i: usize) -> (Profile, Value) {
    let mut r = Rng::stream(opts.seed, Stream::Employee, i as u64);
    let (contract, tipped) = contract_of(opts, i, &mut r);
    let hire = r.below(100);
    let (start_on, stop_on) = match hire {
        0..=89 => (sub_days(opts.start, 60 + r.below(1_500)), None),
        90..=97 => (add_days(sub_days(opts.start, 10), r.below(20)), None),
        _ => (
            sub_days(opts.start, 400),
            Some(add_days(opts.start, r.below(15))),
        ),
    };
    let id = employee_id(i);
    let mut e = Map::new();
    e.insert("employee_id".into(), id.clone().into());
    e.insert(
        "given_name".into(),
        GIVEN
            .get(r.below(GIVEN.len() as u64) as usize)
            .copied()
            .unwrap_or("Ana")
            .into(),
    );
    e.insert(
        "family_name".into(),
        FAMILY
            .get(r.below(FAMILY.len() as u64) as usize)
            .copied()
            .unwrap_or("Maes")
            .into(),
    );
    if r.below(2) == 0 {
        e.insert("work_email".into(), format!("{id}@example.com").into());
    }
    if r.below(5) == 0 {
        e.insert(
            "custom_info".into(),
            json!({"cost_center": format!("CC-{:02}", r.below(40))}),
        );
    }
    e.insert("contract_id".into(), contract.clone().into());
    e.insert("contract_start_on".into(), start_on.to_string().into());
    if let Some(s) = stop_on {
        e.insert("contract_stop_on".into(), s.to_string().into());
    }
    let adhoc = contract.starts_with('x');
    (
        Profile {
            contract,
            adhoc,
            tipped,
            start_on,
            stop_on,
        },
        Value::Object(e),
    )
}

/// The first local date on or after `from` (searching a year) whose length is not 24 h,
/// going forward or backward.
fn dst_day(tz: Tz, from: NaiveDate, forward: bool) -> Option<NaiveDate> {
    (0..366u64).find_map(|k| {
        let d = if forward {
            add_days(from, k)
        } else {
            sub_days(from, k)
        };
        let len = calendar::local_midnight(tz, add_days(d, 1)).as_micros()
            - calendar::local_midnight(tz, d).as_micros();
        (len != DAY_MICROS).then_some(d)
    })
}

/// Local date `d` plus `minutes` (may run into the next day).
fn at(d: NaiveDate, minutes: u64) -> NaiveDateTime {
    let t = NaiveTime::from_hms_opt((minutes / 60 % 24) as u32, (minutes % 60) as u32, 0)
        .unwrap_or(NaiveTime::MIN);
    add_days(d, minutes / (24 * 60)).and_time(t)
}

const STATUSES: [(u64, &str); 7] = [
    (850, "approved"),
    (900, "submitted"),
    (930, "provisionally_approved"),
    (960, "scheduled"),
    (975, "voided"),
    (985, "no_show"),
    (1000, "declined"),
];

struct Dst {
    fall: Option<NaiveDate>,
    spring: Option<NaiveDate>,
}

fn shifts_of(opts: &Options, i: usize, p: &Profile, dst: &Dst, out: &mut Vec<Value>) {
    let tz = opts.timezone;
    let mut r = Rng::stream(opts.seed, Stream::Shift, i as u64);
    let emp = employee_id(i);
    let mut day = sub_days(opts.start, LEAD_DAYS);
    let n = opts.shifts_per_employee;
    for j in 0..n {
        // About five working days a week.
        if r.below(7) < 2 {
            day = add_days(day, 1);
        }
        let night = r.below(100) < 15;
        let (mut d, mut from, mut len) = if night {
            (day, 19 * 60 + r.below(181), 4 * 60 + r.below(241))
        } else {
            (day, 6 * 60 + r.below(121), 4 * 60 + r.below(361))
        };
        // A few night shifts on the DST dates (7 or 9 real hours, SPEC §1.3).
        let dst_day = if j + 1 == n && i.is_multiple_of(97) {
            dst.fall.filter(|f| *f > day)
        } else if j == 0 && i.is_multiple_of(89) {
            dst.spring
        } else {
            None
        };
        if let Some(x) = dst_day {
            (d, from, len) = (sub_days(x, 1), 22 * 60, 8 * 60);
        }
        let start_local = at(d, from);
        let stop_local = at(d, from + len);
        let (status, name_contract) = status_of(&mut r, d, p);
        let local_text = r.below(10) == 0;
        let stamp = |l: NaiveDateTime| {
            if local_text {
                l.format("%Y-%m-%dT%H:%M:%S").to_string()
            } else {
                calendar::local_to_instant(tz, l).to_string()
            }
        };
        let mut s = Map::new();
        s.insert("shift_id".into(), format!("s{i:07}-{j:03}").into());
        s.insert("shift_status".into(), status.into());
        s.insert("employee_id".into(), emp.clone().into());
        if name_contract {
            s.insert("contract_id".into(), p.contract.clone().into());
        }
        s.insert("start_at".into(), stamp(start_local).into());
        s.insert("stop_at".into(), stamp(stop_local).into());
        if opts.pay_rules {
            let minutes = |m: u64| stamp(at(d, m));
            rules::shift_fields(opts, (i, j), p, (from, len), &minutes, &mut s);
        }
        if r.below(33) == 0 {
            s.insert(
                "custom_info".into(),
                json!({"site": format!("site-{}", r.below(20))}),
            );
        }
        out.push(Value::Object(s));
        day = add_days(day, 1);
    }
}

/// A shift's status and whether it names its contract: drawn from `r`, except outside the
/// assignment, where a shift is not counted and names its contract.
fn status_of(r: &mut Rng, d: NaiveDate, p: &Profile) -> (&'static str, bool) {
    let draw = r.below(1000);
    let status = STATUSES
        .iter()
        .find(|(p, _)| draw < *p)
        .map_or("approved", |s| s.1);
    let name_contract = r.below(2) == 0;
    if d < p.start_on {
        ("declined", true)
    } else if p.stop_on.is_some_and(|s| d > s) {
        ("voided", true)
    } else {
        (status, name_contract)
    }
}

fn open_shift(opts: &Options, k: usize) -> Value {
    let mut r = Rng::stream(opts.seed, Stream::Open, k as u64);
    let d = add_days(opts.start, r.below(40));
    let from = 6 * 60 + r.below(600);
    let tz = opts.timezone;
    json!({"shift_id": format!("open-{k:06}"), "shift_status": "available",
           "start_at": calendar::local_to_instant(tz, at(d, from)).to_string(),
           "stop_at": calendar::local_to_instant(tz, at(d, from + 480)).to_string()})
}

fn payments_of(
    opts: &Options,
    i: usize,
    p: &Profile,
    additions: &mut Vec<Value>,
    deductions: &mut Vec<Value>,
) {
    let mut r = Rng::stream(opts.seed, Stream::Payment, i as u64);
    let emp = employee_id(i);
    if p.adhoc || r.below(100) < 10 {
        let mut a = json!({"payment_id": format!("add-{i:07}"), "employee_id": emp,
                           "amount": 2_500 + r.below(if p.adhoc { 150_000 } else { 15_000 })});
        if r.below(100) != 0 {
            set(
                &mut a,
                "effective_on",
                add_days(opts.start, r.below(25)).to_string().into(),
            );
        }
        if r.below(2) == 0 {
            set(&mut a, "currency", "EUR".into());
        }
        if opts.pay_rules {
            rules::bonus(opts, i, &mut a);
        }
        additions.push(a);
    }
    if r.below(100) < 30 {
        let mut d = json!({"payment_id": format!("ded-{i:07}"), "employee_id": emp,
                           "amount": 1_000 + r.below(7_000), "effective_on": add_days(opts.start, r.below(28)).to_string()});
        if r.below(50) == 0 {
            set(&mut d, "contract_id", p.contract.clone().into());
        }
        deductions.push(d);
    }
}

pub(crate) fn for_each_batch_sized(
    opts: &Options,
    batch: usize,
    mut f: impl FnMut(Kind, Vec<Value>) -> Result<()>,
) -> Result<()> {
    let batch = batch.max(1);
    f(Kind::PaySchedules, schedules(opts))?;
    f(Kind::Contracts, contracts(opts))?;
    let mut flush = |kind: Kind, buf: &mut Vec<Value>, at_least: usize| -> Result<()> {
        if !buf.is_empty() && buf.len() >= at_least {
            f(kind, std::mem::take(buf))?;
        }
        Ok(())
    };
    let mut buf = Vec::new();
    for i in 0..opts.employees {
        flush(Kind::Employees, &mut buf, batch)?;
        buf.push(profile(opts, i).1);
    }
    flush(Kind::Employees, &mut buf, 1)?;
    if opts.pay_rules {
        for i in 0..opts.employees {
            flush(Kind::Leaves, &mut buf, batch)?;
            buf.extend(rules::leave_of(opts, i, &profile(opts, i).0));
        }
        flush(Kind::Leaves, &mut buf, 1)?;
    }
    let dst = Dst {
        fall: dst_day(opts.timezone, opts.start, true),
        spring: dst_day(opts.timezone, opts.start, false),
    };
    let per = opts.shifts_per_employee;
    for i in 0..opts.employees {
        if buf.len() + per > batch {
            flush(Kind::Shifts, &mut buf, 1)?;
        }
        let (p, _) = profile(opts, i);
        shifts_of(opts, i, &p, &dst, &mut buf);
    }
    for k in 0..opts.employees / 50 {
        flush(Kind::Shifts, &mut buf, batch)?;
        buf.push(open_shift(opts, k));
    }
    flush(Kind::Shifts, &mut buf, 1)?;
    let (mut adds, mut deds) = (Vec::new(), Vec::new());
    for i in 0..opts.employees {
        flush(Kind::Additions, &mut adds, batch)?;
        flush(Kind::Deductions, &mut deds, batch)?;
        let (p, _) = profile(opts, i);
        payments_of(opts, i, &p, &mut adds, &mut deds);
    }
    flush(Kind::Additions, &mut adds, 1)?;
    flush(Kind::Deductions, &mut deds, 1)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::eligibility::Detail;
    use crate::ingest::Outcome;
    use crate::model::Delivery;

    /// Regression: `ewa generate --employees 100000` wrote 4,002,000 shifts in one document
    /// whose company kept the default limit of 100,000 records a batch, so `ewa scenario`
    /// refused it. 2,600 employees × 40 shifts (plus the generator's re-pushed corrections)
    /// is more than 100,000 shifts.
    #[test]
    fn a_large_document_raises_its_own_batch_limit() {
        let opts = Options {
            employees: 2_600,
            ..Options::default()
        };
        let doc = scenario(&opts);
        let company = Company::from_json(&doc["company"]).unwrap();
        let shifts = doc["shifts"].as_array().unwrap().len();
        assert!(shifts > 104_000);
        assert_eq!(company.limits().batch_records_max(), shifts as u64);
        let small = scenario(&Options {
            employees: 10,
            ..Options::default()
        });
        assert!(small["company"].get("limits").is_none());
    }

    fn small() -> Options {
        Options {
            employees: 300,
            shifts_per_employee: 40,
            ..Options::default()
        }
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = serde_json::to_string(&scenario(&small())).unwrap();
        let b = serde_json::to_string(&scenario(&small())).unwrap();
        assert_eq!(a, b);
        let c = serde_json::to_string(&scenario(&Options { seed: 2, ..small() })).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn every_record_is_accepted_and_shapes_are_realistic() {
        let opts = small();
        let mut twin = Twin::new(company(&opts).unwrap());
        let mut statuses = std::collections::BTreeMap::new();
        let (mut shifts, mut approved, mut night) = (0usize, 0usize, 0usize);
        for_each_batch_sized(&opts, 1_000, |kind, records| {
            if kind == Kind::Shifts {
                for s in &records {
                    *statuses
                        .entry(s["shift_status"].as_str().unwrap().to_string())
                        .or_insert(0) += 1;
                    shifts += 1;
                    approved += usize::from(s["shift_status"] == "approved");
                    let (a, b) = (
                        s["start_at"].as_str().unwrap(),
                        s["stop_at"].as_str().unwrap(),
                    );
                    night += usize::from(a.get(..10) != b.get(..10));
                }
            }
            let rep = twin.apply(kind, &records, opts.received_at()).unwrap();
            assert_eq!(
                rep.count_rejected,
                0,
                "{kind:?}: {:?}",
                rep.error_summary.first()
            );
            assert_eq!(
                rep.count(Outcome::Created) + rep.count(Outcome::Updated),
                rep.count_received
            );
            Ok(())
        })
        .unwrap();
        assert_eq!(statuses.len(), 8, "{statuses:?}");
        assert_eq!(shifts, 300 * 40 + 6);
        let share = approved as f64 / shifts as f64;
        assert!((0.78..0.88).contains(&share), "{share}");
        assert!(night > shifts / 20, "{night}");
        assert_eq!(twin.counts().pay_schedules, 4);
    }

    #[test]
    fn twin_matches_the_scenario_document() {
        let opts = Options {
            employees: 50,
            shifts_per_employee: 12,
            ..Options::default()
        };
        let twin = twin(&opts).unwrap();
        let (_, from_doc) = crate::scenario::run_with_twin(&scenario(&opts)).unwrap();
        assert_eq!(twin, from_doc);
    }

    #[test]
    fn bulk_answers_equal_single_employee_answers() {
        let opts = Options {
            employees: 400,
            shifts_per_employee: 40,
            advances: Some(60),
            ..Options::default()
        };
        let twin = twin(&opts).unwrap();
        assert!(twin.counts().advances > 0);
        for at in [
            opts.as_of(),
            opts.received_at(),
            Instant::from_micros(opts.as_of().as_micros() + 9 * DAY_MICROS),
        ] {
            let all = twin.eligibility_all(at, Delivery::Standard).unwrap();
            assert_eq!(all.len(), 400);
            let mut eligible = 0;
            for bulk in &all {
                assert!(bulk.periods.is_empty());
                let brief = twin
                    .eligibility(bulk.employee_id, at, Delivery::Standard, Detail::Brief)
                    .unwrap();
                assert_eq!(&brief, bulk);
                let mut one = twin
                    .eligibility(bulk.employee_id, at, Delivery::Standard, Detail::Explained)
                    .unwrap();
                assert_eq!(
                    (one.available, one.accessible_base, one.outstanding),
                    (bulk.available, bulk.accessible_base, bulk.outstanding),
                    "{} at {at}",
                    bulk.employee_id
                );
                assert_eq!(
                    one.accrued_unpaid_net,
                    one.periods.iter().map(|p| p.net).sum::<i64>()
                );
                one.periods.clear();
                assert_eq!(&one, bulk);
                eligible += usize::from(bulk.eligible);
            }
            assert!(eligible > 0);
        }
    }

    #[test]
    fn shift_history_and_updates_survive_the_compact_layout() {
        let opts = Options {
            employees: 3,
            shifts_per_employee: 5,
            ..Options::default()
        };
        let mut twin = twin(&opts).unwrap();
        let before = twin.clone();
        let id = "s0000001-002";
        let h = twin.shift_history(id).unwrap();
        assert_eq!(h.len(), 1);
        let mut rec = serde_json::json!({"shift_id": id, "shift_status": "voided", "employee_id": "e0000001",
            "contract_id": null, "start_at": h[0].start_at, "stop_at": h[0].stop_at, "custom_info": {"note": "x"}});
        rec.as_object_mut().unwrap().remove("contract_id");
        let rep = twin
            .apply(Kind::Shifts, &[rec.clone()], opts.received_at())
            .unwrap();
        assert_eq!(rep.count(Outcome::Updated), 1, "{:?}", rep.error_summary);
        let rep = twin
            .apply(Kind::Shifts, &[rec], opts.received_at())
            .unwrap();
        assert_eq!(rep.count(Outcome::Unchanged), 1);
        let h = twin.shift_history(id).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[1].shift_status, "voided");
        assert_eq!(h[1].job_id, format!("job-{}", twin.job_count() - 1));
        assert_ne!(twin, before);
        assert_eq!(twin.counts().shifts, before.counts().shifts);
    }

    #[test]
    fn dst_days_are_found() {
        let o = Options::default();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(dst_day(o.timezone, o.start, true), Some(d("2026-10-25")));
        assert_eq!(dst_day(o.timezone, o.start, false), Some(d("2026-03-29")));
    }
}
