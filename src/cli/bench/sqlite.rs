//! The same hourly accrual as SQL in SQLite (issue #5 reference figures): for every employee
//! whose one assignment is an hourly contract without overtime on the schedule of the period
//! `P` holding `as_of` (the monthly one when there is one), `net(P)` = round(Σ rate × covered
//! µs / 3.6e9) + additions counted − deductions, from an in-memory database of the same data
//! with a covering index on shifts. The database is loaded from the records the bench pushed
//! (read again, see [`super::records`]), and each answer is checked against the engine's
//! `accessible_base`.

use super::build::Built;
use super::records::Records;
use super::report::SqlitePhase;
use ewa::calendar::{Frequency, Instant};
use ewa::error::{Error, Result};
use ewa::{Delivery, Kind, ShiftStatus, Twin};
use rusqlite::{params, Connection, Transaction};
use std::collections::HashMap;
use std::time::Instant as Clock;

fn storage(e: rusqlite::Error) -> Error {
    Error::Storage {
        message: e.to_string(),
    }
}

/// The status's code in the SQL tables.
fn counted_code(s: ShiftStatus) -> i64 {
    s as i64
}

const SCHEMA: &str = "
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE shifts (id TEXT PRIMARY KEY, employee INTEGER NOT NULL, contract INTEGER NOT NULL, status INTEGER NOT NULL,
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

/// The period of the comparison: the monthly schedule's period holding `t`, else any
/// schedule's.
fn pick_period(records: &Records, t: Instant) -> Option<Period> {
    let mut found = None;
    for (ix, s) in records.schedules.iter().enumerate() {
        let Some((id, a, b)) = s.periods.iter().find(|p| p.1 <= t && t < p.2) else {
            continue;
        };
        let monthly = s.frequency == Some(Frequency::Monthly);
        if monthly || found.is_none() {
            found = Some((ix, id.clone(), *a, *b));
        }
        if monthly {
            break;
        }
    }
    found
}

/// Reads every accepted record again: shifts into the `shifts` table (a later version
/// replaces the earlier one), the rest into [`Records`].
fn read_records(built: &Built, tx: &Transaction<'_>) -> Result<Records> {
    let tz = built.twin.company().timezone();
    let mut records = Records::default();
    let mut upsert = tx
        .prepare("INSERT OR REPLACE INTO shifts VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .map_err(storage)?;
    let mut delete = tx
        .prepare("DELETE FROM shifts WHERE id = ?1")
        .map_err(storage)?;
    let mut batch = 0;
    built.source.for_each_batch(|kind, list, at| {
        for (i, r) in list.iter().enumerate() {
            if built.skipped.contains(&(batch, i)) {
                continue;
            }
            if kind != Kind::Shifts {
                records.push(tz, kind, r, at);
                continue;
            }
            match records.shift(tz, r) {
                Some((id, Some((e, c, status, start, stop)))) => upsert.execute(params![
                    id,
                    e,
                    c,
                    counted_code(status),
                    start.as_micros(),
                    stop.as_micros()
                ]),
                Some((id, None)) => delete.execute(params![id]),
                None => Ok(0),
            }
            .map_err(storage)?;
        }
        batch += 1;
        Ok(())
    })?;
    Ok(records)
}

/// The hourly contracts without overtime on `schedule`.
fn target_contracts(records: &Records, schedule: usize) -> Vec<u32> {
    records
        .contracts
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.schedule == Some(schedule) && c.frequency == Some(Frequency::Hourly) && !c.overtime
        })
        .filter_map(|(i, _)| u32::try_from(i).ok())
        .collect()
}

/// Loads the rates of `targets`, the employees on them (pushed once) with their stint, and
/// every payment.
fn load_tables(tx: &Transaction<'_>, records: &Records, targets: &[u32]) -> Result<()> {
    let mut rates = tx
        .prepare("INSERT INTO rates VALUES (?1, ?2, ?3, ?4)")
        .map_err(storage)?;
    for &c in targets {
        let Some(contract) = records.contracts.get(c as usize) else {
            continue;
        };
        for (k, v) in contract.versions.iter().enumerate() {
            let from = if k == 0 { i64::MIN } else { v.0.as_micros() };
            let to = contract
                .versions
                .get(k + 1)
                .map_or(i64::MAX, |n| n.0.as_micros());
            rates.execute(params![c, from, to, v.1]).map_err(storage)?;
        }
    }
    let mut stints = tx
        .prepare("INSERT INTO stints VALUES (?1, ?2, ?3, ?4)")
        .map_err(storage)?;
    let mut target = tx
        .prepare("INSERT INTO target VALUES (?1)")
        .map_err(storage)?;
    for (e, emp) in records.employees.iter().enumerate() {
        let Some(c) = emp
            .contract
            .filter(|c| emp.records == 1 && targets.contains(c))
        else {
            continue;
        };
        target.execute(params![e]).map_err(storage)?;
        stints
            .execute(params![e, c, emp.start.as_micros(), emp.end.as_micros()])
            .map_err(storage)?;
    }
    let mut payments = tx
        .prepare("INSERT INTO payments VALUES (?1, ?2, ?3, ?4, ?5)")
        .map_err(storage)?;
    for (kind, list) in records.payments.iter().enumerate() {
        for p in list.values() {
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
    Ok(())
}

/// The period of the comparison: (schedule, period id, start, stop).
type Period = (usize, String, Instant, Instant);

/// The database of the comparison, the records it was loaded from, and the period.
fn load(built: &Built) -> Result<(Connection, Records, Period)> {
    let mut db = Connection::open_in_memory().map_err(storage)?;
    db.execute_batch(SCHEMA).map_err(storage)?;
    let tx = db.transaction().map_err(storage)?;
    let records = read_records(built, &tx)?;
    let Some(period) = pick_period(&records, built.as_of) else {
        return Err(super::build::arg(
            "compare_sqlite",
            "no pay period holds as_of",
        ));
    };
    load_tables(&tx, &records, &target_contracts(&records, period.0))?;
    tx.commit().map_err(storage)?;
    db.execute_batch(INDEXES).map_err(storage)?;
    db.execute_batch("ANALYZE;").map_err(storage)?;
    Ok((db, records, period))
}

/// Runs the query up to three times (at most 30 s in all): the median seconds and the
/// answers (employee, net).
fn run_query(
    db: &Connection,
    twin: &Twin,
    t: Instant,
    (p_start, p_stop): (Instant, Instant),
) -> Result<(f64, Vec<(usize, i64)>)> {
    let counted: Vec<String> = twin
        .company()
        .policy()
        .counted_statuses()
        .iter()
        .map(|s| counted_code(*s).to_string())
        .collect();
    let sql = query(&counted.join(", "));
    let hi = p_stop.min(t).as_micros();
    let maxlen = twin.company().limits().shift_micros_max();
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
    Ok((times.get(times.len() / 2).copied().unwrap_or(0.0), answers))
}

/// Loads the database, times the query, and counts the employees whose SQL net differs from
/// the engine's `accessible_base`. `engine_s` is the engine's bulk median, for the ratio.
///
/// # Errors
/// [`Error::InvalidArgument`] when no pay period holds `as_of`, [`Error::Storage`] when
/// SQLite fails, and any error of reading the records again or of the engine.
pub(super) fn compare(built: &Built, engine_s: f64) -> Result<SqlitePhase> {
    let (twin, t) = (&built.twin, built.as_of);
    let t0 = Clock::now();
    let (db, records, (_, period_id, p_start, p_stop)) = load(built)?;
    let load_s = t0.elapsed().as_secs_f64();
    let (query_s, answers) = run_query(&db, twin, t, (p_start, p_stop))?;
    let engine: HashMap<String, i64> = twin
        .eligibility_all(t, Delivery::Standard)?
        .into_iter()
        .map(|a| (a.employee_id.to_string(), a.accessible_base))
        .collect();
    let mismatches = answers
        .iter()
        .filter(|(e, net)| {
            let id = records.employees.get(*e).map(|x| x.id.as_str());
            id.and_then(|id| engine.get(id)) != Some(net)
        })
        .count();
    Ok(SqlitePhase {
        what: format!("net of hourly no-overtime employees in period `{period_id}`"),
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
