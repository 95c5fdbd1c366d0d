//! Compaction: a new snapshot replaces the old one and the journal, in one transaction.
//!
//! By default the snapshot is the twin's binary snapshot (`src/twin/snapshot.rs`, issue
//! #5): every piece of its state, written frame by frame as `snapshot_chunks` rows while
//! it is encoded, so only one frame (≤ 16 MiB) is held besides the twin. It expresses every
//! state exactly, so it needs no verifying rebuild; a load decodes and validates it.
//!
//! With [`SnapshotFormat::Ops`] (schema version 1's only format), the snapshot is the twin's canonical export (`Twin::export_ops`) when replaying that
//! export into a fresh twin gives an equal twin — checked before anything is written. When
//! it does not (a state the export cannot express, e.g. a payment moved between
//! employees), the old snapshot and the journal are folded into the new snapshot as they
//! are: compaction never loses a state, it only sometimes saves less space.

use super::codec::{
    each_row, insert_chunk, CompanyRow, OpKind, OpRow, SnapshotFormat, SnapshotMode, Table,
};
use super::{
    begin_write, fault, fresh, hook, insert_company, replay, storage, unknown_company, Store,
};
use crate::error::{Error, Result};
use crate::twin::{SnapshotOp, Twin};
use serde::Serialize;

/// Records per canonical batch (at most the company's `batch_records_max`).
const CHUNK_RECORDS: u64 = 10_000;
/// Payload bytes per binary snapshot frame (one `snapshot_chunks` row); the unit tests
/// use small frames so that their snapshots span several rows.
#[cfg(not(test))]
pub(crate) const FRAME_BYTES: usize = 16 << 20;
#[cfg(test)]
pub(crate) const FRAME_BYTES: usize = 1 << 8;

/// What [`Store::compact`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompactReport {
    /// The company.
    pub company_id: String,
    /// How the new snapshot was made.
    pub mode: SnapshotMode,
    /// Rows of the new snapshot.
    pub snapshot_rows: u64,
    /// Journal rows folded into it and removed.
    pub journal_rows_trimmed: u64,
    /// The journal sequence number the snapshot covers.
    pub seq: u64,
}

impl Store {
    /// Saves a twin built elsewhere (a generator, a scenario run in memory) as a new company,
    /// in one transaction: the company row and the twin's binary snapshot, encoded frame by
    /// frame straight from `twin` (no copy of it, no export held in memory). With
    /// [`SnapshotFormat::Ops`] it is the canonical export instead, checked before the write
    /// by rebuilding the twin from it, and a twin whose history that export cannot rebuild
    /// exactly is refused (and the new company removed) rather than saved approximately.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the company exists already (or, for
    /// [`SnapshotFormat::Ops`], the twin cannot be saved canonically); [`Error::Storage`].
    pub fn import(&mut self, twin: &Twin) -> Result<CompactReport> {
        if self.snapshot_format == SnapshotFormat::Ops {
            return self.import_ops(twin);
        }
        let path = self.path.clone();
        let hook = hook!(self);
        let tx = begin_write(&mut self.conn, &path, self.busy_timeout)?;
        let mut row = insert_company(&tx, twin.company(), &path, hook)?;
        row.snapshot_rows = write_binary(&tx, &row.company_id, twin, hook, &path)?;
        row.snapshot_job = twin.job_count();
        row.snapshot_mode = SnapshotMode::Canonical;
        row.snapshot_format = SnapshotFormat::Binary;
        fault(hook)?;
        row.write(&tx, &path)?;
        fault(hook)?;
        tx.commit()
            .map_err(|e| storage(&path, "cannot commit", e))?;
        self.cache.remove(&row.company_id);
        Ok(report(&row, 0))
    }

    /// [`Store::import`] as operation rows (the canonical export, verified).
    fn import_ops(&mut self, twin: &Twin) -> Result<CompactReport> {
        let id = twin.company().company_id.clone();
        self.create_company(twin.company())?;
        // The new company holds the empty twin at seq 0; the given twin stands in for it.
        self.twin(&id)?;
        match self.cache.get_mut(&id) {
            Some(c) if c.seq == 0 => c.twin = twin.clone(),
            _ => return Err(Error::arg("twin", "the new company is not empty")),
        }
        let report = self.compact(&id);
        match report {
            Ok(r) if r.mode == SnapshotMode::Canonical => Ok(r),
            other => {
                self.delete_company(&id)?;
                other?;
                Err(Error::arg(
                    "twin",
                    "its history cannot be rebuilt exactly from a canonical snapshot; push it through the store instead",
                ))
            }
        }
    }

    /// Writes a new snapshot of the company's twin and trims its journal, atomically: a
    /// crash at any moment leaves either the old snapshot and journal or the new snapshot.
    /// After it, [`Store::load_known_at`] before the compacted history is an error.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an unknown company; [`Error::Storage`].
    pub fn compact(&mut self, company_id: &str) -> Result<CompactReport> {
        let path = self.path.clone();
        let cached = self.cache.remove(company_id);
        let hook = hook!(self);
        let tx = begin_write(&mut self.conn, &path, self.busy_timeout)?;
        let mut row = CompanyRow::read(&tx, company_id, &path)?
            .ok_or_else(|| unknown_company(&path, company_id))?;
        let cached = fresh(&tx, cached, &row, &path)?;
        let trimmed = row.head_seq - row.snapshot_seq;
        // Nothing new, and the snapshot is in the wanted format already (compacting a
        // version-1 file's operation rows converts them to a binary snapshot).
        if trimmed == 0
            && row.snapshot_mode != SnapshotMode::None
            && row.snapshot_format == self.snapshot_format
        {
            let report = report(&row, 0);
            drop(tx);
            self.cache.insert(company_id.to_string(), cached);
            return Ok(report);
        }
        let latest: Option<i64> = tx
            .query_row(
                "SELECT MAX(at_us) FROM journal WHERE company_id = ?1",
                [company_id],
                |r| r.get(0),
            )
            .map_err(|e| storage(&path, "cannot read the journal", e))?;
        let (mode, format, count) = match self.snapshot_format {
            SnapshotFormat::Binary => {
                let frames = write_binary(&tx, company_id, &cached.twin, hook, &path)?;
                (SnapshotMode::Canonical, SnapshotFormat::Binary, frames)
            }
            SnapshotFormat::Ops => {
                let (mode, rows) = match canonical_rows(&cached.twin)? {
                    Some(rows) => (SnapshotMode::Canonical, rows),
                    None if row.snapshot_format == SnapshotFormat::Ops => {
                        (SnapshotMode::Folded, folded_rows(&tx, &row, &path)?)
                    }
                    None => {
                        return Err(Error::Storage {
                            message: format!(
                                "{path}: company `{company_id}` cannot be compacted into operation rows: \
                                 its canonical export does not rebuild it and its binary snapshot cannot be folded"
                            ),
                        })
                    }
                };
                fault(hook)?;
                tx.execute(
                    "DELETE FROM snapshot_chunks WHERE company_id = ?1",
                    [company_id],
                )
                .map_err(|e| storage(&path, "cannot delete the old snapshot", e))?;
                fault(hook)?;
                tx.execute(
                    "DELETE FROM snapshot_ops WHERE company_id = ?1",
                    [company_id],
                )
                .map_err(|e| storage(&path, "cannot delete the old snapshot", e))?;
                for r in &rows {
                    fault(hook)?;
                    r.insert(&tx, Table::Snapshot, company_id, &path)?;
                }
                (mode, SnapshotFormat::Ops, rows.len() as u64)
            }
        };
        fault(hook)?;
        tx.execute("DELETE FROM journal WHERE company_id = ?1", [company_id])
            .map_err(|e| storage(&path, "cannot trim the journal", e))?;
        row.snapshot_seq = row.head_seq;
        row.snapshot_job = cached.twin.job_count();
        row.snapshot_known_to = match (row.snapshot_known_to, latest) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        row.snapshot_mode = mode;
        row.snapshot_rows = count;
        row.snapshot_format = format;
        fault(hook)?;
        row.write(&tx, &path)?;
        fault(hook)?;
        tx.commit()
            .map_err(|e| storage(&path, "cannot commit", e))?;
        self.cache.insert(company_id.to_string(), cached);
        Ok(report(&row, trimmed))
    }
}

fn report(row: &CompanyRow, trimmed: u64) -> CompactReport {
    CompactReport {
        company_id: row.company_id.clone(),
        mode: row.snapshot_mode,
        snapshot_rows: row.snapshot_rows,
        journal_rows_trimmed: trimmed,
        seq: row.snapshot_seq,
    }
}

/// Replaces the company's snapshot by `twin`'s binary snapshot, inserting each frame as
/// it is encoded; returns the number of frames.
fn write_binary(
    tx: &rusqlite::Connection,
    company_id: &str,
    twin: &Twin,
    hook: Option<&std::cell::Cell<Option<u64>>>,
    path: &str,
) -> Result<u64> {
    for table in ["snapshot_ops", "snapshot_chunks"] {
        fault(hook)?;
        tx.execute(
            &format!("DELETE FROM {table} WHERE company_id = ?1"),
            [company_id],
        )
        .map_err(|e| storage(path, "cannot delete the old snapshot", e))?;
    }
    let mut seq = 0u64;
    twin.write_snapshot(FRAME_BYTES, &mut |frame| {
        seq += 1;
        fault(hook)?;
        insert_chunk(tx, company_id, seq, frame, path)
    })?;
    Ok(seq)
}

fn to_text(v: &impl Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Storage {
        message: format!("cannot serialise the snapshot: {e}"),
    })
}

/// The canonical export as rows, or `None` when replaying it does not rebuild `twin`
/// exactly (check before write).
fn canonical_rows(twin: &Twin) -> Result<Option<Vec<OpRow>>> {
    let chunk =
        usize::try_from(CHUNK_RECORDS.min(twin.company().limits.batch_records_max)).unwrap_or(1);
    let mut rebuilt = Twin::new(twin.company().clone());
    let mut rows = Vec::new();
    for (i, op) in twin.export_ops(chunk).iter().enumerate() {
        let seq = i as u64 + 1;
        match op {
            SnapshotOp::Batch(b) => {
                if let Some(job) = b.job {
                    rebuilt.set_job_count(job.saturating_sub(1));
                }
                let Ok(report) = rebuilt.apply(b.kind, &b.records, b.received_at) else {
                    return Ok(None);
                };
                let [received, accepted, rejected] = replay::counts(&report);
                rows.push(OpRow {
                    seq,
                    op: OpKind::Batch,
                    kind: Some(b.kind.target_entity().to_string()),
                    at_us: b.received_at.as_micros(),
                    job: b.job,
                    payload: to_text(&b.records)?,
                    count_received: Some(received),
                    count_accepted: Some(accepted),
                    count_rejected: Some(rejected),
                    outcome: None,
                    amount: None,
                    fee: None,
                });
            }
            SnapshotOp::Advance(v) => {
                if rebuilt.restore_advance(v).is_err() {
                    return Ok(None);
                }
                let accepted = v.get("accepted").and_then(serde_json::Value::as_bool) == Some(true);
                rows.push(OpRow {
                    seq,
                    op: OpKind::Restore,
                    kind: None,
                    at_us: v
                        .get("requested_at")
                        .and_then(serde_json::Value::as_i64)
                        .unwrap_or(0),
                    job: None,
                    payload: to_text(v)?,
                    count_received: None,
                    count_accepted: None,
                    count_rejected: None,
                    outcome: Some(if accepted { "accepted" } else { "rejected" }.to_string()),
                    amount: v.get("amount").and_then(serde_json::Value::as_i64),
                    fee: v.get("fee").and_then(serde_json::Value::as_i64),
                });
            }
        }
    }
    rebuilt.set_job_count(twin.job_count());
    Ok((rebuilt == *twin && rebuilt.same_shift_jobs(twin)).then_some(rows))
}

/// The old snapshot's rows followed by the journal's, renumbered from 1.
fn folded_rows(conn: &rusqlite::Connection, row: &CompanyRow, path: &str) -> Result<Vec<OpRow>> {
    let mut rows = Vec::new();
    for table in [Table::Snapshot, Table::Journal] {
        each_row(conn, table, &row.company_id, 0, path, |mut r| {
            r.seq = rows.len() as u64 + 1;
            rows.push(r);
            Ok(true)
        })?;
    }
    Ok(rows)
}
