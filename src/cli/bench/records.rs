//! The inputs of the SQLite reference, read back from the records the bench pushed (the
//! twin's own structures are not public API): pay periods, contracts with their rate
//! versions, employees with their one stint, additions and deductions, and shifts (handed
//! to a callback, as there may be millions). Records the twin rejected or found in conflict
//! are left out, and updates follow the ingestion rules the reference needs (SPEC §2): pay
//! periods merge by id, rate versions by `effective_from`, a later shift or payment record
//! replaces the earlier one. An employee pushed more than once is not a reference employee.

use chrono::NaiveDate;
use chrono_tz::Tz;
use ewa::calendar::{self, Frequency, Instant};
use ewa::ShiftStatus;
use serde_json::Value;
use std::collections::HashMap;

/// One pay schedule: its frequency and periods (id, start, stop), sorted by start.
pub(super) struct ScheduleRow {
    pub frequency: Option<Frequency>,
    pub periods: Vec<(String, Instant, Instant)>,
}

/// One contract: its schedule, whether it is hourly with pay rules (overtime, premiums,
/// breaks, holiday pay, minimum wage: the SQL reference computes none of them), and its rate
/// versions (from, amount) sorted by `from` (`Instant::MIN` for "for all time").
pub(super) struct ContractRow {
    pub schedule: Option<usize>,
    pub frequency: Option<Frequency>,
    pub overtime: bool,
    pub versions: Vec<(Instant, i64)>,
}

/// The `custom_info` keys of a contract's pay rules (SPEC §5.2, §5.4–§5.7).
const RULE_KEYS: [&str; 5] = [
    "overtime",
    "premiums",
    "auto_unpaid_break",
    "holiday_pay_hours",
    "minimum_wage",
];

/// One employee: how many records were pushed, and the contract and stint of the first.
pub(super) struct EmployeeRow {
    pub id: String,
    pub records: usize,
    pub contract: Option<u32>,
    pub start: Instant,
    pub end: Instant,
}

/// One addition or deduction.
pub(super) struct PaymentRow {
    pub employee: u32,
    pub contract: Option<u32>,
    pub amount: i64,
    pub effective_on: Option<NaiveDate>,
    pub instant: Instant,
}

/// One current shift: (employee, contract, status, start, stop); `None` when it has no
/// employee or contract any more.
pub(super) type ShiftRow = Option<(u32, u32, ShiftStatus, Instant, Instant)>;

/// Everything but the shifts, by dense indexes in first-push order.
#[derive(Default)]
pub(super) struct Records {
    pub schedules: Vec<ScheduleRow>,
    schedule_ix: HashMap<String, usize>,
    pub contracts: Vec<ContractRow>,
    contract_ix: HashMap<String, u32>,
    pub employees: Vec<EmployeeRow>,
    employee_ix: HashMap<String, u32>,
    /// Additions (0) and deductions (1) by `payment_id`.
    pub payments: [HashMap<String, PaymentRow>; 2],
}

fn text<'a>(r: &'a Value, k: &str) -> Option<&'a str> {
    r.get(k).and_then(Value::as_str)
}

fn instant(tz: Tz, r: &Value, k: &str) -> Option<Instant> {
    text(r, k).and_then(|s| calendar::parse_instant(tz, s).ok())
}

fn date(r: &Value, k: &str) -> Option<NaiveDate> {
    text(r, k).and_then(|s| calendar::parse_date(s).ok())
}

/// Dense index of `id` in `ix`, adding it at `len` when new.
fn intern<T: Copy + TryFrom<usize>>(
    ix: &mut HashMap<String, T>,
    id: &str,
    len: usize,
) -> Option<(T, bool)> {
    if let Some(i) = ix.get(id) {
        return Some((*i, false));
    }
    let i = T::try_from(len).ok()?;
    ix.insert(id.to_string(), i);
    Some((i, true))
}

impl Records {
    /// Reads one accepted record of `kind` (not a shift) received at `at`.
    pub fn push(&mut self, tz: Tz, kind: ewa::Kind, r: &Value, at: Instant) {
        match kind {
            ewa::Kind::PaySchedules => self.push_schedule(tz, r),
            ewa::Kind::Contracts => self.push_contract(tz, r, at),
            ewa::Kind::Employees => self.push_employee(tz, r),
            ewa::Kind::Additions => self.push_payment(0, tz, r, at),
            ewa::Kind::Deductions => self.push_payment(1, tz, r, at),
            // Shifts have their own path; the SQLite comparison stores no leaves (its SQL
            // covers the rules of SPEC §5.1–§5.3 only).
            _ => {}
        }
    }

    fn push_schedule(&mut self, tz: Tz, r: &Value) {
        let Some(id) = text(r, "pay_schedule_id") else {
            return;
        };
        let Some((ix, new)) = intern(&mut self.schedule_ix, id, self.schedules.len()) else {
            return;
        };
        if new {
            self.schedules.push(ScheduleRow {
                frequency: None,
                periods: Vec::new(),
            });
        }
        let Some(s) = self.schedules.get_mut(ix) else {
            return;
        };
        s.frequency = text(r, "frequency").and_then(Frequency::parse);
        for p in r
            .get("periods")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(pid), Some(a), Some(b)) = (
                text(p, "pay_period_id"),
                instant(tz, p, "start_at"),
                instant(tz, p, "stop_at"),
            ) else {
                continue;
            };
            match s.periods.iter_mut().find(|q| q.0 == pid) {
                Some(q) => *q = (pid.to_string(), a, b),
                None => s.periods.push((pid.to_string(), a, b)),
            }
        }
        s.periods.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    }

    fn push_contract(&mut self, tz: Tz, r: &Value, at: Instant) {
        let (Some(id), Some(amount)) = (
            text(r, "contract_id"),
            r.get("wage_rate_amount").and_then(Value::as_i64),
        ) else {
            return;
        };
        let Some((ix, new)) = intern(&mut self.contract_ix, id, self.contracts.len()) else {
            return;
        };
        let from = instant(tz, r, "effective_from");
        let frequency = text(r, "wage_rate_period").and_then(Frequency::parse);
        let row = ContractRow {
            schedule: text(r, "pay_schedule_id").and_then(|s| self.schedule_ix.get(s).copied()),
            frequency,
            overtime: frequency == Some(Frequency::Hourly)
                && r.get("custom_info").is_some_and(|c| {
                    RULE_KEYS
                        .iter()
                        .any(|k| c.get(*k).is_some_and(|o| !o.is_null()))
                }),
            versions: vec![(from.unwrap_or(Instant::MIN), amount)],
        };
        if new {
            self.contracts.push(row);
        } else if let Some(old) = self.contracts.get_mut(ix as usize) {
            let versions = next_versions(&old.versions, from, amount, at);
            *old = ContractRow { versions, ..row };
        }
    }

    fn push_employee(&mut self, tz: Tz, r: &Value) {
        let Some(id) = text(r, "employee_id") else {
            return;
        };
        let Some((ix, new)) = intern(&mut self.employee_ix, id, self.employees.len()) else {
            return;
        };
        if !new {
            if let Some(e) = self.employees.get_mut(ix as usize) {
                e.records += 1;
            }
            return;
        }
        // SPEC §2: a stint runs from local 00:00 of contract_start_on to local 00:00 of the
        // day after contract_stop_on.
        let start =
            date(r, "contract_start_on").map_or(Instant::MIN, |d| calendar::local_midnight(tz, d));
        let end = date(r, "contract_stop_on")
            .and_then(|d| d.succ_opt())
            .map_or(Instant::MAX, |d| calendar::local_midnight(tz, d));
        self.employees.push(EmployeeRow {
            id: id.to_string(),
            records: 1,
            contract: text(r, "contract_id").and_then(|c| self.contract_ix.get(c).copied()),
            start,
            end,
        });
    }

    fn push_payment(&mut self, kind: usize, tz: Tz, r: &Value, at: Instant) {
        let (Some(id), Some(employee), Some(amount)) = (
            text(r, "payment_id"),
            text(r, "employee_id").and_then(|e| self.employee_ix.get(e).copied()),
            r.get("amount").and_then(Value::as_i64),
        ) else {
            return;
        };
        let Some(list) = self.payments.get_mut(kind) else {
            return;
        };
        let effective_on = date(r, "effective_on");
        // As ingestion dates it: its effective_on, else the first push's receipt.
        let instant = match (effective_on, list.get(id)) {
            (Some(d), _) => calendar::local_midnight(tz, d),
            (None, Some(o)) if o.effective_on.is_none() => o.instant,
            (None, _) => at,
        };
        let contract = text(r, "contract_id").and_then(|c| self.contract_ix.get(c).copied());
        list.insert(
            id.to_string(),
            PaymentRow {
                employee,
                contract,
                amount,
                effective_on,
                instant,
            },
        );
    }

    /// The current state of the shift `r` pushes: its id and row.
    pub fn shift(&self, tz: Tz, r: &Value) -> Option<(String, ShiftRow)> {
        let id = text(r, "shift_id")?;
        let employee = text(r, "employee_id").and_then(|e| self.employee_ix.get(e).copied());
        let contract = match text(r, "contract_id") {
            Some(c) => self.contract_ix.get(c).copied(),
            None => employee.and_then(|e| self.employees.get(e as usize)?.contract),
        };
        let status = text(r, "shift_status").and_then(ShiftStatus::parse)?;
        let start = instant(tz, r, "start_at")?;
        let stop = instant(tz, r, "stop_at")?;
        let row = employee
            .zip(contract)
            .map(|(e, c)| (e, c, status, start, stop));
        Some((id.to_string(), row))
    }
}

/// SPEC §2 rate versions: with `effective_from`, add or replace the version at that instant;
/// without, an amount equal to the version in force at `received_at` or to any later one
/// changes nothing, and any other amount adds a version from `received_at`.
fn next_versions(
    old: &[(Instant, i64)],
    effective_from: Option<Instant>,
    amount: i64,
    received_at: Instant,
) -> Vec<(Instant, i64)> {
    let mut versions = old.to_vec();
    let from = match effective_from {
        Some(from) => from,
        None => {
            let i = versions
                .partition_point(|v| v.0 <= received_at)
                .saturating_sub(1);
            let in_force = versions.get(i).map_or(0, |v| v.1);
            let later = versions.iter().any(|v| v.0 > received_at && v.1 == amount);
            if in_force == amount || later {
                return versions;
            }
            received_at
        }
    };
    match versions.iter_mut().find(|v| v.0 == from) {
        Some(v) => v.1 = amount,
        None => {
            let at = versions.partition_point(|v| v.0 < from);
            versions.insert(at, (from, amount));
        }
    }
    versions
}
