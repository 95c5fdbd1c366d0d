//! The same hourly accrual as SQL in SQLite (issue #5 reference figures): for every employee
//! whose one assignment is an hourly contract without overtime on the schedule of the period
//! `P` holding `as_of` (the monthly one when there is one), `net(P)` = round(Σ rate × covered
//! µs / 3.6e9) + additions counted − deductions, from an in-memory database of the same data
//! with a covering index on shifts. Each answer is checked against the engine's
//! `accessible_base`.

use super::{counted_code, Clock, SqlitePhase};
use crate::calendar::{Frequency, Instant};
use crate::error::{Error, Result};
use crate::model::Schedule;
use crate::twin::Twin;
use rusqlite::{params, Connection};
use std::collections::HashMap;

fn storage(e: rusqlite::Error) -> Error {
    Error::Storage {
        message: e.to_string(),
    }
}

const SCHEMA: &str = "
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE shifts (employee INTEGER NOT NULL, contract INTEGER NOT NULL, status INTEGER NOT NULL,
                     start INTEGER NOT NULL, stop INTEGER NOT NULL) STRICT;
CREATE TABLE rates (contract INTEGER NOT NULL, vfrom INTEGER NOT NULL, vto INTEGER NOT NULL,
                    amount INTEGER NOT NULL) STRICT;
CREATE TABLE stints (employee INTEGER NOT NULL, contract INTEGER NOT NULL, sfrom INTEGER NOT NULL,
                     sto INTEGER NOT NULL) STRICT;
CREATE TABLE payments (employee INTEGER NOT NULL, kind INTEGER NOT NULL, amount INTEGER NOT NULL,
                       instant INTEGER NOT NULL, contract INTEGER) STRICT;
CREATE TABLE target (employee INTEGER PRIMARY KEY) STRICT;
";

const INDEXES: &str = "
CREATE INDEX shifts_by_start ON shifts (start, stop, status, contract, employee);
CREATE INDEX stints_by_employee ON stints (employee, contract, sfrom, sto);
CREATE INDEX payments_by_employee ON payments (employee, kind, instant, amount, contract);
CREATE INDEX rates_by_contract ON rates (contract, vfrom, vto, amount);
";

fn query(counted: &str) -> String {
    format!(
        "WITH g AS (
           SELECT s.employee AS e,
                  SUM(r.amount * (MIN(s.stop, st.sto, r.vto, :hi) - MAX(s.start, st.sfrom, r.vfrom, :lo))) AS num
           FROM shifts s
           JOIN stints st ON st.employee = s.employee AND st.contract = s.contract
           JOIN rates r ON r.contract = s.contract
           WHERE s.start >= :lo - :maxlen AND s.start < :hi AND s.stop > :lo AND s.status IN ({counted})
             AND MIN(s.stop, st.sto, r.vto, :hi) > MAX(s.start, st.sfrom, r.vfrom, :lo)
           GROUP BY s.employee),
         pay AS (
           SELECT p.employee AS e, p.kind AS kind, SUM(p.amount) AS amount
           FROM payments p JOIN stints st ON st.employee = p.employee
           WHERE p.instant >= :plo AND p.instant < :phi AND (p.kind = 1 OR p.instant < :t)
             AND (p.contract = st.contract OR (p.contract IS NULL AND p.instant >= st.sfrom AND p.instant < st.sto))
           GROUP BY p.employee, p.kind)
         SELECT t.employee,
                COALESCE((g.num + 1800000000) / 3600000000, 0)
                + COALESCE((SELECT amount FROM pay WHERE pay.e = t.employee AND pay.kind = 0), 0)
                - COALESCE((SELECT amount FROM pay WHERE pay.e = t.employee AND pay.kind = 1), 0)
         FROM target t LEFT JOIN g ON g.e = t.employee"
    )
}

/// The schedule and period of the comparison: the monthly schedule's period holding `t`,
/// else any schedule's.
fn pick_period(twin: &Twin, t: Instant) -> Option<(u32, Instant, Instant)> {
    let holds = |s: &Schedule| {
        s.period_at(t)
            .and_then(|i| s.periods.get(i))
            .map(|p| (p.start, p.stop))
    };
    let mut found = None;
    for (ix, s) in twin.schedules.iter().enumerate() {
        if let (Some((a, b)), Ok(ix)) = (holds(s), u32::try_from(ix)) {
            if s.frequency == Frequency::Monthly || found.is_none() {
                found = Some((ix, a, b));
            }
            if s.frequency == Frequency::Monthly {
                break;
            }
        }
    }
    found
}

pub(super) fn compare(twin: &Twin, t: Instant, engine_s: f64) -> Result<SqlitePhase> {
    let Some((schedule, p_start, p_stop)) = pick_period(twin, t) else {
        return Err(Error::arg("compare_sqlite", "no pay period holds as_of"));
    };
    let t0 = Clock::now();
    let mut db = Connection::open_in_memory().map_err(storage)?;
    db.execute_batch(SCHEMA).map_err(storage)?;
    let target_contracts: Vec<u32> = twin
        .contracts
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.schedule == schedule && c.rate_period == Frequency::Hourly && c.overtime.is_none()
        })
        .filter_map(|(i, _)| u32::try_from(i).ok())
        .collect();
    let tx = db.transaction().map_err(storage)?;
    {
        let mut rates = tx
            .prepare("INSERT INTO rates VALUES (?1, ?2, ?3, ?4)")
            .map_err(storage)?;
        for &c in &target_contracts {
            let Some(contract) = twin.contracts.get(c as usize) else {
                continue;
            };
            for (k, v) in contract.versions.iter().enumerate() {
                let from = if k == 0 { i64::MIN } else { v.from.as_micros() };
                let to = contract
                    .versions
                    .get(k + 1)
                    .map_or(i64::MAX, |n| n.from.as_micros());
                rates
                    .execute(params![c, from, to, v.amount])
                    .map_err(storage)?;
            }
        }
        let mut stints = tx
            .prepare("INSERT INTO stints VALUES (?1, ?2, ?3, ?4)")
            .map_err(storage)?;
        let mut target = tx
            .prepare("INSERT INTO target VALUES (?1)")
            .map_err(storage)?;
        for (e, emp) in twin.employees.iter().enumerate() {
            let [a] = emp.assignments.as_slice() else {
                continue;
            };
            if !target_contracts.contains(&a.contract) {
                continue;
            }
            target.execute(params![e]).map_err(storage)?;
            for st in &a.stints {
                stints
                    .execute(params![
                        e,
                        a.contract,
                        st.start.as_micros(),
                        st.end.as_micros()
                    ])
                    .map_err(storage)?;
            }
        }
        let mut payments = tx
            .prepare("INSERT INTO payments VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(storage)?;
        for (kind, list) in [(0, &twin.additions), (1, &twin.deductions)] {
            for p in list.iter() {
                payments
                    .execute(params![
                        p.employee,
                        kind,
                        p.amount,
                        p.instant.as_micros(),
                        p.contract
                    ])
                    .map_err(storage)?;
            }
        }
        let mut shifts = tx
            .prepare("INSERT INTO shifts VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(storage)?;
        let mut err = None;
        twin.for_each_shift(|v| {
            if err.is_some() || v.employee == crate::model::NONE {
                return;
            }
            if let Err(e) = shifts.execute(params![
                v.employee,
                v.contract,
                counted_code(v.status),
                v.start.as_micros(),
                v.stop.as_micros()
            ]) {
                err = Some(e);
            }
        });
        if let Some(e) = err {
            return Err(storage(e));
        }
    }
    tx.commit().map_err(storage)?;
    db.execute_batch(INDEXES).map_err(storage)?;
    db.execute_batch("ANALYZE;").map_err(storage)?;
    let load_s = t0.elapsed().as_secs_f64();
    let counted: Vec<String> = twin
        .company
        .policy
        .counted_statuses
        .iter()
        .map(|s| counted_code(*s).to_string())
        .collect();
    let sql = query(&counted.join(", "));
    let hi = p_stop.min(t).as_micros();
    let maxlen = twin.company.limits.shift_micros_max();
    let mut times = Vec::new();
    let mut answers: Vec<(usize, i64)> = Vec::new();
    for _ in 0..3 {
        let t1 = Clock::now();
        let mut stmt = db.prepare_cached(&sql).map_err(storage)?;
        let rows = stmt
            .query_map(
                rusqlite::named_params! {":lo": p_start.as_micros(), ":hi": hi, ":maxlen": maxlen,
                ":plo": p_start.as_micros(), ":phi": p_stop.as_micros(), ":t": t.as_micros()},
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
            .map_err(storage)?;
        answers.clear();
        for row in rows {
            let (e, net) = row.map_err(storage)?;
            answers.push((usize::try_from(e).unwrap_or(usize::MAX), net));
        }
        times.push(t1.elapsed().as_secs_f64());
        if times.iter().sum::<f64>() > 30.0 {
            break;
        }
    }
    times.sort_by(f64::total_cmp);
    let query_s = times.get(times.len() / 2).copied().unwrap_or(0.0);
    let engine: HashMap<String, i64> = twin
        .eligibility_all(t, crate::Delivery::Standard)?
        .into_iter()
        .map(|a| (a.employee_id.to_string(), a.accessible_base))
        .collect();
    let mismatches = answers
        .iter()
        .filter(|(e, net)| {
            let id = twin
                .employees
                .get(*e)
                .map(|x| x.id.to_string())
                .unwrap_or_default();
            engine.get(&id) != Some(net)
        })
        .count();
    Ok(SqlitePhase {
        what: format!(
            "net of hourly no-overtime employees in period `{}`",
            twin.schedules
                .get(schedule as usize)
                .and_then(|s| s.period_at(t).and_then(|i| s.periods.get(i)))
                .map_or_else(String::new, |p| p.id.to_string())
        ),
        load_s,
        query_s,
        employees: answers.len(),
        mismatches,
        ratio: if engine_s > 0.0 {
            query_s / engine_s
        } else {
            0.0
        },
    })
}
