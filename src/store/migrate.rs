//! The one-shot migration to schema version 3 (issue #13): every snapshot stored as
//! operation rows (`snapshot_ops`: every snapshot of schema version 1, and those of version
//! 2 with `snapshot_format = 'ops'`) is replayed into a twin and replaced by that twin's
//! binary snapshot, in the transaction that migrates the schema (`super::schema`), so a
//! file is converted once, whole, or not at all.
//!
//! The rows are those the store wrote before: canonical batches and advance decisions
//! (`batch`, `restore`) or, for a `folded` snapshot, journal operations. Batches go through
//! [`Twin::apply`] (every value re-validated by ingestion) with their recorded counts
//! checked; the rebuilt twin must pass [`Twin::check_invariants`] — the advance decisions'
//! consistency with the policy included — before its binary snapshot is written. The
//! journal after the snapshot is left as it is.

use super::codec::{each_row, CompanyRow, OpKind, OpRow, RowSum, SnapshotMode, Table};
use super::compact::write_binary;
use super::replay::{self, apply_batch, diverged, gap};
use super::{damaged, storage};
use crate::calendar::Instant;
use crate::error::{Error, Result};
use crate::model::Delivery;
use crate::model::{Advance, RecoveryRef, ALL_REASONS};
use crate::twin::Twin;
use rusqlite::Connection;
use serde_json::Value;

/// Replaces every operation-row snapshot in `conn` (inside the migration's transaction,
/// before the version-3 SQL drops their table) by a binary snapshot, and rewrites each such
/// company's row with the current checksum.
///
/// # Errors
/// [`Error::Storage`] naming the company and what is wrong; nothing is migrated then.
pub(crate) fn ops_snapshots_to_binary(conn: &Connection, path: &str) -> Result<()> {
    for id in legacy_companies(conn, path)? {
        let mut row = CompanyRow::read_with(conn, &id, path, RowSum::Legacy)?.ok_or_else(|| {
            Error::Storage {
                message: format!("{path}: company `{id}` vanished during the migration"),
            }
        })?;
        if row.snapshot_mode != SnapshotMode::None {
            let twin = replay_rows(conn, &row, path)?;
            row.snapshot_rows = write_binary(conn, &id, &twin, None, path)?;
            row.snapshot_mode = SnapshotMode::Canonical;
        }
        row.write(conn, path)?;
    }
    Ok(())
}

/// The companies whose rows are still in the operation-row format, sorted.
fn legacy_companies(conn: &Connection, path: &str) -> Result<Vec<String>> {
    let err = |e| storage(path, "cannot list the companies to migrate", e);
    let mut stmt = conn
        .prepare(
            "SELECT company_id FROM companies WHERE snapshot_format = 'ops' ORDER BY company_id",
        )
        .map_err(err)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(err)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(err)
}

/// The twin an operation-row snapshot describes, checked.
fn replay_rows(conn: &Connection, row: &CompanyRow, path: &str) -> Result<Twin> {
    let id = row.company_id.as_str();
    let mut twin = Twin::new(replay::company(row, path)?);
    let mut count = 0u64;
    each_row(conn, Table::Snapshot, id, 0, path, |r| {
        count += 1;
        if r.seq != count {
            return Err(gap(path, Table::Snapshot, id, count, r.seq));
        }
        replay_row(&mut twin, &r, id, path)?;
        Ok(true)
    })?;
    if count != row.snapshot_rows {
        return Err(damaged(format!(
            "{path}: the snapshot of company `{id}` has {count} rows, its company row says {}",
            row.snapshot_rows
        )));
    }
    twin.books.jobs = row.snapshot_job;
    twin.check_invariants().map_err(|e| {
        damaged(format!(
            "{path}: the operation-row snapshot of company `{id}` cannot be migrated: {e}"
        ))
    })?;
    Ok(twin)
}

/// One snapshot row: a canonical batch (applied as the job that pushed it, when given),
/// a canonical advance decision, or a folded journal operation.
fn replay_row(twin: &mut Twin, r: &OpRow, id: &str, path: &str) -> Result<()> {
    let fail = |what: String| diverged(path, Table::Snapshot, id, r.seq, what);
    match r.op {
        OpKind::Batch => {
            if let Some(job) = r.job {
                twin.books.jobs = job.saturating_sub(1);
            }
            apply_batch(twin, r, &fail)
        }
        OpKind::Restore => {
            let v: Value = serde_json::from_str(&r.payload)
                .map_err(|e| fail(format!("the advance is not JSON: {e}")))?;
            restore_advance(twin, &v).map_err(fail)
        }
        OpKind::Apply | OpKind::Advance | OpKind::Cancel => {
            replay::replay(twin, r, Table::Snapshot, id, path)
        }
    }
}

/// Records an advance decision as the canonical export wrote it; its consistency with the
/// policy is checked with the whole twin ([`Twin::check_invariants`]).
fn restore_advance(twin: &mut Twin, v: &Value) -> std::result::Result<(), String> {
    let id = v.get("advance_id").and_then(Value::as_str).unwrap_or("?");
    let a = read_advance(twin, v).ok_or_else(|| format!("advance `{id}` is malformed"))?;
    if twin.books.advance_ix.get(&a.id).is_some() {
        return Err(format!("advance `{id}` appears twice"));
    }
    let employee = a.employee;
    let books: &mut crate::model::State = &mut twin.books;
    let ix = (books.advances.push(a)).map_err(|_| "too many advances".to_string())?;
    if let Some(a) = books.advances.get(ix) {
        books.advance_ix.insert(&a.id, ix);
    }
    if let Some(e) = employee.and_then(|e| books.employees.get_mut(e)) {
        e.advances.push(ix);
    }
    Ok(())
}

/// An advance record of the canonical export; `None` when a field is missing or invalid.
fn read_advance(twin: &Twin, v: &Value) -> Option<Advance> {
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let int = |k: &str| v.get(k).and_then(Value::as_i64);
    let (id, employee_id) = (s("advance_id")?, s("employee_id")?);
    let max = twin.company().limits.id_chars_max;
    let ok_id = |x: &str| !x.is_empty() && x.chars().count() as u64 <= max;
    if !ok_id(id) || !ok_id(employee_id) {
        return None;
    }
    let employee = match v.get("linked")?.as_bool()? {
        true => Some(twin.books.employee_ix.get(employee_id)?),
        false => None,
    };
    let reasons = v.get("reasons")?.as_array()?.iter().map(|r| {
        let code = r.as_str()?;
        ALL_REASONS.into_iter().find(|x| x.as_str() == code)
    });
    let recovery = match v.get("recovery") {
        None | Some(Value::Null) => None,
        Some(r) => Some(RecoveryRef {
            schedule: twin
                .books
                .schedule_ix
                .get(r.get("pay_schedule_id")?.as_str()?)?,
            period_id: r.get("pay_period_id")?.as_str()?.into(),
            pay_at: Instant::from_micros(r.get("pay_at")?.as_i64()?),
        }),
    };
    Some(Advance {
        id: id.into(),
        employee_id: employee_id.into(),
        employee,
        amount: int("amount")?,
        requested_at: Instant::from_micros(int("requested_at")?),
        delivery: Delivery::parse(s("delivery")?)?,
        accepted: v.get("accepted")?.as_bool()?,
        fee: int("fee")?,
        recovery,
        reasons: reasons.collect::<Option<Vec<_>>>()?,
        cancelled_at: match v.get("cancelled_at") {
            None | Some(Value::Null) => None,
            Some(x) => Some(Instant::from_micros(x.as_i64()?)),
        },
    })
}
