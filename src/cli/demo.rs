//! `ewa demo`: a synthetic company of about 1,000 employees over two bi-weekly pay periods
//! laid around "now", pushed through the store like any other data, then a summary and a
//! few explained eligibility decisions.
//!
//! The company is deterministic given `--as-of` and `--employees`: hourly (some with
//! overtime), salaried and daily-rate employees, a few who left during the first period,
//! bonuses, benefit deductions, one deduction larger than the pay, and a dozen advances.

use super::args::{open, time};
use super::explain;
use super::output::{write_failed, write_json};
use super::table::{self, money};
use super::{Cli, Env, Failure, Format, Outcome};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use ewa::calendar::{local_date, Instant};
use ewa::eligibility::AdvanceOutcome;
use ewa::{AdvanceRequest, Company, Delivery, Detail, Eligibility, Kind};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;

const GIVEN: [&str; 24] = [
    "Ana", "Bram", "Chloe", "Daan", "Elif", "Femke", "Gilles", "Hanne", "Ilias", "Jana", "Karim",
    "Lotte", "Milan", "Nora", "Omar", "Pieter", "Ruth", "Sofia", "Tibo", "Ursula", "Victor",
    "Wout", "Yara", "Zeno",
];
const FAMILY: [&str; 16] = [
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters",
    "De Smet", "Dubois", "Lambert", "Dupont", "Martin", "Simon", "Laurent",
];
const CURRENCY: &str = "EUR";

/// How a demo employee is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pay {
    Hourly {
        overtime: bool,
    },
    /// A restaurant server: a low cash wage, tips through payroll, a minimum wage with a tip
    /// credit and a late-night differential (SPEC §5.4, §5.7).
    Hospitality,
    /// A night nurse: 12.5-hour shifts with an automatic unpaid break, a night differential
    /// and a weekend premium (SPEC §5.4, §5.6).
    Healthcare,
    Salaried,
    Daily,
}

#[derive(Clone, Debug)]
struct Person {
    id: String,
    name: String,
    pay: Pay,
    /// Minor units per hour, day or year.
    rate: i64,
    /// Last day, for those who left.
    left_on: Option<NaiveDate>,
}

/// The demo's timeline: two bi-weekly periods, the second holding "now".
struct Timeline {
    today: NaiveDate,
    p1: NaiveDate,
    p2: NaiveDate,
}

impl Timeline {
    fn new(today: NaiveDate) -> Timeline {
        // Now is the fourth day of the second period, so the first one is unpaid and in
        // blackout (it pays tomorrow) and the second is the recovery period.
        let p2 = today - Duration::days(3);
        Timeline {
            today,
            p1: p2 - Duration::days(14),
            p2,
        }
    }
    fn period_id(start: NaiveDate) -> String {
        format!("P-{start}")
    }
    fn pay_day(start: NaiveDate) -> NaiveDate {
        start + Duration::days(18)
    }
}

fn people(n: usize, t: &Timeline) -> Vec<Person> {
    (1..=n)
        .map(|i| {
            let pay = match i % 20 {
                1 => Pay::Hourly { overtime: true },
                5 => Pay::Hospitality,
                6 => Pay::Healthcare,
                0 | 2..=4 | 7..=12 | 19 => Pay::Hourly { overtime: false },
                13..=16 => Pay::Salaried,
                _ => Pay::Daily,
            };
            let spread = i64::try_from(i).unwrap_or(0);
            let rate = match pay {
                Pay::Hourly { .. } => 1400 + (spread * 37) % 1600,
                Pay::Hospitality => 900,
                Pay::Healthcare => 2600 + (spread * 37) % 400,
                Pay::Salaried => 3_600_000 + (spread * 9_113) % 3_000_000,
                Pay::Daily => 12_000 + (spread * 53) % 6_000,
            };
            let given = GIVEN.get(i % GIVEN.len()).copied().unwrap_or("Ana");
            let family = FAMILY
                .get((i * 7 + i / GIVEN.len()) % FAMILY.len())
                .copied()
                .unwrap_or("Peeters");
            Person {
                id: format!("E{i:04}"),
                name: format!("{given} {family}"),
                pay,
                rate,
                left_on: (i % 20 == 19).then(|| t.p1 + Duration::days(8)),
            }
        })
        .collect()
}

fn records(people: &[Person], t: &Timeline) -> Vec<(Kind, Vec<Value>)> {
    let periods: Vec<Value> = [t.p1, t.p2]
        .iter()
        .map(|s| {
            json!({
                "pay_period_id": Timeline::period_id(*s),
                "start_at": s.to_string(),
                "stop_at": (*s + Duration::days(14)).to_string(),
                "pay_at": format!("{}T10:00:00", Timeline::pay_day(*s)),
            })
        })
        .collect();
    let schedule = json!({"pay_schedule_id": "biweekly", "frequency": "bi-weekly", "alignment": "arrears",
                          "periods": periods});
    let mut contracts = Vec::new();
    let mut employees = Vec::new();
    let mut shifts = Vec::new();
    let mut additions = Vec::new();
    let mut deductions = Vec::new();
    for (i, p) in people.iter().enumerate() {
        let contract = format!("C{}", p.id.trim_start_matches('E'));
        contracts.push(contract_record(p, &contract));
        let (given, family) = p.name.split_once(' ').unwrap_or((&p.name, ""));
        let mut e = json!({"employee_id": p.id, "given_name": given, "family_name": family,
                           "work_email": format!("{}.{}@demo.example", given.to_lowercase(), family.to_lowercase().replace(' ', "")),
                           "contract_id": contract,
                           "contract_start_on": (t.p1 - Duration::days(300 + (i as i64 % 400))).to_string()});
        if let Some(d) = p.left_on {
            put(&mut e, "contract_stop_on", json!(d.to_string()));
        }
        employees.push(e);
        shifts.extend(person_shifts(p, i, t));
        if i % 10 == 3 {
            additions.push(
                json!({"payment_id": format!("BONUS-{}", p.id), "employee_id": p.id, "amount": 5000,
                                  "effective_on": (t.p2 + Duration::days(1)).to_string()}),
            );
        }
        if i % 7 == 2 {
            deductions.push(json!({"payment_id": format!("BENEFITS-{}", p.id), "employee_id": p.id, "amount": 2500,
                                   "effective_on": (t.p2 + Duration::days(2)).to_string()}));
        }
        if i == 13 {
            deductions.push(json!({"payment_id": format!("GARNISHMENT-{}", p.id), "employee_id": p.id, "amount": 900_000,
                                   "effective_on": (t.p2 + Duration::days(1)).to_string()}));
        }
    }
    vec![
        (Kind::PaySchedules, vec![schedule]),
        (Kind::Contracts, contracts),
        (Kind::Employees, employees),
        (Kind::Shifts, shifts),
        (Kind::Additions, additions),
        (Kind::Deductions, deductions),
    ]
}

/// Employee `p`'s contract: its rate period and its pay rules.
fn contract_record(p: &Person, contract: &str) -> Value {
    let (period, rules) = match p.pay {
        Pay::Hourly { overtime: true } => (
            "hourly",
            Some(json!({"overtime": {"weekly_threshold_hours": "38", "multiplier": "1.5"}})),
        ),
        Pay::Hourly { overtime: false } => ("hourly", None),
        Pay::Hospitality => (
            "hourly",
            Some(json!({"minimum_wage": {"hourly": 1450, "tip_credit": true},
                        "premiums": [{"name": "late night", "from": "22:00", "to": "06:00", "per_hour": 100}]})),
        ),
        Pay::Healthcare => (
            "hourly",
            Some(
                json!({"auto_unpaid_break": {"after_hours": "6", "minutes": 30},
                        "premiums": [{"name": "night", "from": "22:00", "to": "06:00", "per_hour": 250},
                                     {"name": "weekend", "days": ["saturday", "sunday"], "multiplier": "1.25"}]}),
            ),
        ),
        Pay::Salaried => ("annually", None),
        Pay::Daily => ("daily", None),
    };
    let mut c = json!({"contract_id": contract, "pay_schedule_id": "biweekly", "currency": CURRENCY,
                       "wage_rate_period": period, "wage_rate_amount": p.rate});
    if let Some(rules) = rules {
        put(&mut c, "custom_info", rules);
    }
    c
}

/// Night shifts of the hospitality and healthcare employees: a server from 17:00 to 01:00
/// five evenings a week with tips, a nurse from 19:00 to 07:30 every third night (weekends
/// included), each up to yesterday.
fn night_shifts(p: &Person, t: &Timeline) -> Vec<Value> {
    let mut out = Vec::new();
    let mut d = t.p1;
    while d < t.today {
        let (start, stop, tips) = match p.pay {
            Pay::Hospitality if !matches!(d.weekday(), Weekday::Mon | Weekday::Tue) => (
                format!("{d}T17:00:00"),
                format!("{}T01:00:00", d + Duration::days(1)),
                Some(1_500 + 700 * i64::from(d.day() % 5)),
            ),
            Pay::Healthcare if d.ordinal().is_multiple_of(3) => (
                format!("{d}T19:00:00"),
                format!("{}T07:30:00", d + Duration::days(1)),
                None,
            ),
            _ => {
                d += Duration::days(1);
                continue;
            }
        };
        let mut s = json!({"shift_id": format!("S{}-{}", p.id.trim_start_matches('E'), d.format("%Y%m%d")),
                           "shift_status": "approved", "employee_id": p.id, "start_at": start, "stop_at": stop});
        if let Some(tips) = tips {
            put(&mut s, "tips", json!(tips));
        }
        out.push(s);
        d += Duration::days(1);
    }
    out
}

fn put(v: &mut Value, k: &str, x: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(k.to_string(), x);
    }
}

/// Weekday shifts from the first period's start to today: worked days approved (one in
/// nine hourly workers has yesterday's shift still `submitted`), today's `scheduled`.
fn person_shifts(p: &Person, i: usize, t: &Timeline) -> Vec<Value> {
    let (start_h, hours) = match p.pay {
        Pay::Salaried => return Vec::new(),
        Pay::Hospitality | Pay::Healthcare => return night_shifts(p, t),
        Pay::Daily => (10, 4),
        Pay::Hourly { overtime: true } => (7, 10),
        Pay::Hourly { overtime: false } => (8 + (i % 2) as u32, 8),
    };
    let mut out = Vec::new();
    let mut d = t.p1;
    while d <= t.today {
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        if !weekend && p.left_on.is_none_or(|l| d <= l) {
            let status = if d == t.today {
                "scheduled"
            } else if d + Duration::days(1) == t.today
                && i % 9 == 4
                && matches!(p.pay, Pay::Hourly { .. })
            {
                "submitted"
            } else {
                "approved"
            };
            out.push(json!({
                "shift_id": format!("S{}-{}", p.id.trim_start_matches('E'), d.format("%Y%m%d")),
                "shift_status": status,
                "employee_id": p.id,
                "start_at": format!("{d}T{start_h:02}:00:00"),
                "stop_at": format!("{d}T{:02}:00:00", start_h + hours),
            }));
        }
        d += Duration::days(1);
    }
    out
}

/// A dozen advances half an hour before now, one of them too large, one for a leaver.
fn advances(people: &[Person], at: Instant) -> Vec<AdvanceRequest> {
    let requested_at = Instant::from_micros(at.as_micros() - 30 * 60 * 1_000_000);
    let mut out: Vec<AdvanceRequest> = (0..12usize)
        .filter_map(|k| people.get(1 + k * 37).map(|p| (k, p)))
        .filter(|(_, p)| p.pay != Pay::Salaried)
        .map(|(k, p)| AdvanceRequest {
            advance_id: format!("A-{k:02}"),
            employee_id: p.id.clone(),
            amount: 3_000 + i64::try_from(k * 1_750 % 9_000).unwrap_or(0),
            requested_at,
            delivery: if k % 3 == 0 {
                Delivery::Instant
            } else {
                Delivery::Standard
            },
        })
        .collect();
    if let Some(p) = people.get(1) {
        out.push(AdvanceRequest {
            advance_id: "A-TOO-MUCH".into(),
            employee_id: p.id.clone(),
            amount: 10_000_000,
            requested_at,
            delivery: Delivery::Standard,
        });
    }
    if let Some(p) = people.get(18) {
        out.push(AdvanceRequest {
            advance_id: "A-LEAVER".into(),
            employee_id: p.id.clone(),
            amount: 2_000,
            requested_at,
            delivery: Delivery::Standard,
        });
    }
    out
}

fn company(id: &str) -> Result<Company, Failure> {
    Ok(Company::from_json(&json!({
        "company_id": id,
        "timezone": "Europe/Brussels",
        "policy": {
            "access_rate": "0.5",
            "min_advance": 1000,
            "max_advances_per_period": 3,
            "blackout_hours_before_pay": 48,
            "estimated_withholding_rate": "0.2",
            "fees": {"standard": {"flat": 0, "rate_bps": 0}, "instant": {"flat": 199, "rate_bps": 100}},
        },
    }))?)
}

pub fn run(
    cli: &Cli,
    env: Env,
    as_of: Option<&str>,
    n: usize,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    check_args(cli, n)?;
    let id = cli.company.clone().unwrap_or_else(|| "demo".to_string());
    let company = company(&id)?;
    let tz = company.timezone();
    let now = time(as_of, "as-of", tz, env)?;
    let t = Timeline::new(local_date(tz, now));
    let staff = people(n, &t);
    let mut store = open(cli, true)?;
    let recreated = store.replace_demo_company(&company)?;
    let received = Instant::from_micros(now.as_micros() - 3_600 * 1_000_000);
    let jobs = push(&mut store, &company, records(&staff, &t), received)?;
    let mut decisions = Vec::new();
    for req in advances(&staff, now) {
        decisions.push(store.request_advance(&id, &req)?);
    }
    let accepted = decisions
        .iter()
        .filter(|d| d.outcome == AdvanceOutcome::Accepted)
        .count();
    let twin = store.twin(&id)?.clone();
    let all = twin.eligibility_all(now, Delivery::Standard)?;
    let examples: Vec<Eligibility> = [
        "E0003", "E0005", "E0006", "E0002", "E0014", "E0019", "E0018",
    ]
    .iter()
    .filter(|e| staff.iter().any(|p| p.id == **e))
    .map(|e| twin.eligibility(e, now, Delivery::Standard, Detail::Explained))
    .collect::<ewa::Result<_>>()?;
    let eligible = all.iter().filter(|e| e.eligible).count();
    let total: i64 = all.iter().map(|e| e.available).fold(0, i64::saturating_add);
    let reasons = reason_counts(&all);
    if cli.format == Some(Format::Json) {
        write_json(
            out,
            &json!({"company_id": id, "db": store.path(), "as_of": now.to_string(), "recreated": recreated,
                    "counts": twin.counts(), "jobs": jobs,
                    "advances": {"requested": decisions.len(), "accepted": accepted},
                    "eligible": eligible, "employees": all.len(), "available_total": total,
                    "not_eligible_reasons": reasons, "examples": examples}),
        )?;
        return Ok(Outcome::Ok);
    }
    let summary = Summary {
        id: &id,
        db: store.path(),
        now,
        tz,
        t: &t,
        recreated,
        twin: &twin,
        advances: (decisions.len(), accepted),
        eligible,
        total,
        reasons: &reasons,
        employees: all.len(),
        jobs: jobs.len(),
    };
    let text = summary.text() + &explained(&examples, &staff, &twin);
    write!(out, "{text}").map_err(write_failed)?;
    Ok(Outcome::Ok)
}

/// The demo prints text or JSON, for 1 to 100,000 employees.
fn check_args(cli: &Cli, n: usize) -> Result<(), Failure> {
    if matches!(cli.format, Some(Format::Csv | Format::Jsonl)) {
        return Err(Failure::input(
            "demo prints text (default, or --format table) or JSON (--format json)",
        ));
    }
    if n == 0 || n > 100_000 {
        return Err(Failure::input("--employees must be between 1 and 100000"));
    }
    Ok(())
}

/// Pushes the demo's records into the store in batches within the company's
/// `batch_records_max` (a large demo has many shifts); one JSON summary per job.
fn push(
    store: &mut ewa::Store,
    company: &Company,
    records: Vec<(Kind, Vec<Value>)>,
    received: Instant,
) -> Result<Vec<Value>, Failure> {
    let id = &company.company_id();
    let mut jobs = Vec::new();
    let chunk = usize::try_from(company.limits().batch_records_max().min(50_000))
        .unwrap_or(50_000)
        .max(1);
    for (kind, recs) in records {
        for part in recs.chunks(chunk) {
            let r = store.apply(id, kind, part, received)?;
            jobs.push(json!({"job_id": r.job_id, "target_entity": r.target_entity, "count_received": r.count_received,
                             "count_accepted": r.count_accepted, "count_rejected": r.count_rejected}));
        }
    }
    Ok(jobs)
}

/// How many employees who may not draw are refused for each reason.
fn reason_counts(all: &[Eligibility]) -> BTreeMap<String, usize> {
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for e in all.iter().filter(|e| !e.eligible) {
        for r in e.reasons.iter() {
            *reasons.entry(r.as_str().to_string()).or_default() += 1;
        }
    }
    reasons
}

/// The example decisions explained, and what to try next.
fn explained(examples: &[Eligibility], staff: &[Person], twin: &ewa::Twin) -> String {
    let mut text = String::from("\nA few decisions, explained:\n");
    for e in examples {
        if let Some(p) = staff.iter().find(|p| p.id == e.employee_id) {
            text.push_str(&explain(p, e, twin));
        }
    }
    text.push_str(
        "\nNext: ewa eligibility --employee E0003 --format table   ·   ewa eligibility --all --format table\n      \
         ewa advance quote --employee E0003 --amount 5000   ·   ewa --help\n",
    );
    text
}

struct Summary<'a> {
    id: &'a str,
    db: &'a str,
    now: Instant,
    tz: chrono_tz::Tz,
    t: &'a Timeline,
    recreated: bool,
    twin: &'a ewa::Twin,
    advances: (usize, usize),
    eligible: usize,
    total: i64,
    reasons: &'a BTreeMap<String, usize>,
    employees: usize,
    jobs: usize,
}

impl Summary<'_> {
    fn text(&self) -> String {
        let c = self.twin.counts();
        let local = ewa::calendar::local_datetime(self.tz, self.now);
        let mut s =
            format!(
            "ewa demo: company `{}` {} in {} (Europe/Brussels, {CURRENCY})\nNow: {} local ({})\n\n",
            self.id,
            if self.recreated { "recreated" } else { "created" },
            self.db,
            local.format("%A %Y-%m-%d %H:%M"),
            self.now,
        );
        s.push_str("Pay schedule `biweekly`, paid in arrears:\n");
        for (start, note) in [
            (
                self.t.p1,
                "worked and closed; pays tomorrow, so it is in the 48 h blackout",
            ),
            (
                self.t.p2,
                "in progress; the recovery period of new advances",
            ),
        ] {
            s.push_str(&format!(
                "  {}  {} to {}, pays {} 10:00 — {note}\n",
                Timeline::period_id(start),
                start,
                start + Duration::days(13),
                Timeline::pay_day(start),
            ));
        }
        s.push_str(&format!(
            "\nIngested through the store ({} jobs, journaled): {} pay schedule, {} contracts, {} employees, {} shifts, \
             {} additions, {} deductions\nAdvances requested: {}, accepted: {}\n",
            self.jobs,
            c.pay_schedules,
            table::count(c.contracts),
            table::count(c.employees),
            table::count(c.shifts),
            table::count(c.additions),
            table::count(c.deductions),
            self.advances.0,
            self.advances.1,
        ));
        s.push_str(&format!(
            "\nEligibility now: {} of {} employees may draw, {} {CURRENCY} in all (standard delivery, free)\n",
            table::count(self.eligible),
            table::count(self.employees),
            money(self.total, Some(CURRENCY)),
        ));
        if !self.reasons.is_empty() {
            let mut by_count: Vec<(&String, &usize)> = self.reasons.iter().collect();
            by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            s.push_str("Not eligible, by reason:");
            for (r, n) in by_count {
                s.push_str(&format!("  {r} {n}"));
            }
            s.push('\n');
        }
        s
    }
}

fn explain(p: &Person, e: &Eligibility, twin: &ewa::Twin) -> String {
    let cur = e
        .currency
        .as_ref()
        .map(ewa::money::currency::Currency::code);
    let pay = match p.pay {
        Pay::Hourly { overtime } => format!(
            "hourly, {} {CURRENCY}/h{}",
            money(p.rate, cur),
            if overtime {
                ", overtime after 38 h a week at 1.5x"
            } else {
                ""
            }
        ),
        Pay::Hospitality => format!(
            "server, {} {CURRENCY}/h cash wage with tips, minimum wage 14.50/h with a tip credit, late-night differential",
            money(p.rate, cur)
        ),
        Pay::Healthcare => format!(
            "night nurse, {} {CURRENCY}/h, night and weekend differentials, automatic 30-minute break",
            money(p.rate, cur)
        ),
        Pay::Salaried => format!("salaried, {} {CURRENCY} a year", money(p.rate, cur)),
        Pay::Daily => format!("daily rate, {} {CURRENCY} a day worked", money(p.rate, cur)),
    };
    let left = p
        .left_on
        .map(|d| format!(", left on {d}"))
        .unwrap_or_default();
    let mut s = format!("\n  {} {} ({pay}{left})\n", p.id, p.name);
    s.push_str(&explain::body(e, twin));
    s
}
