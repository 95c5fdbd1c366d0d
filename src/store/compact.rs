//! Compaction: a new snapshot replaces the old one and the journal, in one transaction.
//!
//! The snapshot is the twin's binary snapshot (`src/twin/snapshot/`, issue #5): every piece
//! of its state, written frame by frame as `snapshot_chunks` rows while it is encoded, so
//! only one frame (≤ 16 MiB) is held besides the twin. It expresses every state exactly,
//! so it needs no verifying rebuild; a load decodes it and checks the twin's invariants.
//! (Operation-row snapshots of files written before schema version 3 are converted once,
//! when the file is opened: `super::migrate`.)

use super::codec::{insert_chunk, CompanyRow, SnapshotMode};
use super::{
    begin_write, fault, fresh, hook, insert_company, next_epoch, storage, unknown_company, Store,
};
use crate::company::Policy;
use crate::error::{Error, Result};
use crate::twin::Twin;
use serde::Serialize;

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
    /// frame straight from `twin` (no copy of it held in memory).
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] when the company exists already;
    /// [`crate::Error::Storage`].
    pub fn import(&mut self, twin: &Twin) -> Result<CompactReport> {
        self.writable()?;
        let path = self.path.clone();
        let hook = hook!(self);
        let tx = begin_write(&mut self.conn, &path, self.busy_timeout)?;
        let mut row = insert_company(&tx, twin.company(), &path, hook)?;
        row.snapshot_rows = write_binary(&tx, &row.company_id, twin, hook, &path)?;
        super::views::write_all(&tx, &row.company_id, twin, &path, hook)?;
        row.snapshot_job = twin.job_count();
        row.snapshot_mode = SnapshotMode::Canonical;
        fault(hook)?;
        row.write(&tx, &path)?;
        fault(hook)?;
        tx.commit()
            .map_err(|e| storage(&path, "cannot commit", e))?;
        self.cache.remove(&row.company_id);
        Ok(report(&row, 0))
    }

    /// Writes a new snapshot of the company's twin and trims its journal, atomically: a
    /// crash at any moment leaves either the old snapshot and journal or the new snapshot.
    /// After it, [`Store::load_known_at`] before the compacted history is an error.
    ///
    /// # Errors
    /// [`crate::Error::UnknownCompany`] for an unknown company; [`crate::Error::Storage`].
    pub fn compact(&mut self, company_id: &str) -> Result<CompactReport> {
        self.rewrite(company_id, None)
    }

    /// [`Store::compact`] when the company's journal tail has reached `limits` (as a write
    /// compacts automatically) or the company has no views (dropped by a write with
    /// [`Store::set_defer_views`], or a file of schema version 4), else nothing.
    /// For a caller that opened the store without automatic compaction, or with deferred
    /// views, to make many large writes in a row (`ewa ingest` of many files: otherwise each
    /// write past the limits writes the whole snapshot again) and compacts once at the end.
    ///
    /// # Errors
    /// [`crate::Error::UnknownCompany`] for an unknown company; [`crate::Error::Storage`].
    pub fn compact_if_due(
        &mut self,
        company_id: &str,
        limits: super::AutoCompact,
    ) -> Result<Option<CompactReport>> {
        let row = self.company_row(&self.conn, company_id)?;
        let bytes = super::auto::tail_bytes(&self.conn, company_id, &self.path)?;
        let views = super::views::complete(&self.conn, company_id, &self.path)?;
        if views && !limits.reached(row.head_seq.saturating_sub(row.snapshot_seq), bytes) {
            return Ok(None);
        }
        self.compact(company_id).map(Some)
    }

    /// Replaces the company's advance policy (SPEC §6; `ewa policy set`), atomically: the
    /// twin takes the new policy, which must fit what it holds ([`Twin::check_invariants`]:
    /// e.g. recorded fees at most the new fee schedule's, counted shifts that do not
    /// overlap), then it is compacted as [`Store::compact`] does with the new configuration
    /// in the company row. Every process that cached the twin rebuilds it (a new epoch).
    /// As after a compaction, as-known-at answers start at the latest instant compacted.
    ///
    /// # Errors
    /// [`crate::Error::Config`] naming `policy` when the twin's data contradicts the new
    /// policy (nothing is written); [`crate::Error::UnknownCompany`] for an unknown
    /// company; [`crate::Error::Storage`].
    pub fn set_policy(&mut self, company_id: &str, policy: &Policy) -> Result<CompactReport> {
        self.rewrite(company_id, Some(policy))
    }

    /// A new snapshot of the company's twin (with `policy`, when given) and its journal
    /// trimmed, in one transaction.
    fn rewrite(&mut self, company_id: &str, policy: Option<&Policy>) -> Result<CompactReport> {
        self.writable()?;
        let path = self.path.clone();
        let cached = self.cache.remove(company_id);
        let hook = hook!(self);
        let tx = begin_write(&mut self.conn, &path, self.busy_timeout)?;
        let mut row = CompanyRow::read(&tx, company_id, &path)?
            .ok_or_else(|| unknown_company(&path, company_id))?;
        let mut cached = fresh(&tx, cached, &row, &path)?;
        if let Some(p) = policy {
            with_policy(&mut cached.twin, p)?;
            // Every view holds the company: all are written again (`snapshot_in`).
            super::views::drop_all(&tx, company_id, &path, hook)?;
            row.config = cached.twin.company().to_json().to_string();
            row.epoch = next_epoch(&tx, &path, hook)?;
            cached.epoch = row.epoch;
        }
        let trimmed = row.head_seq - row.snapshot_seq;
        // Nothing new since the snapshot: nothing to write.
        if policy.is_none()
            && trimmed == 0
            && row.snapshot_mode != SnapshotMode::None
            && super::views::complete(&tx, company_id, &path)?
        {
            let report = report(&row, 0);
            drop(tx);
            self.cache.insert(company_id.to_string(), cached);
            return Ok(report);
        }
        snapshot_in(&tx, &mut row, &cached.twin, hook, &path)?;
        fault(hook)?;
        row.write(&tx, &path)?;
        fault(hook)?;
        tx.commit()
            .map_err(|e| storage(&path, "cannot commit", e))?;
        self.cache.insert(company_id.to_string(), cached);
        self.enable_incremental_vacuum();
        self.shrink();
        Ok(report(&row, trimmed))
    }

    /// A file created before schema version 4 has no incremental vacuum: an explicit
    /// compaction switches it on, once, with a full `VACUUM` (it rewrites the file, so it
    /// is not done by the automatic compaction of a write). Best effort, as [`Store::shrink`].
    fn enable_incremental_vacuum(&self) {
        let mode: rusqlite::Result<i64> =
            self.conn.query_row("PRAGMA auto_vacuum", [], |r| r.get(0));
        if mode.is_ok_and(|m| m == 0) {
            let _ = self
                .conn
                .execute_batch("PRAGMA auto_vacuum = INCREMENTAL; VACUUM;");
        }
    }

    /// Gives the pages freed by a compaction back to the file system: an incremental
    /// vacuum (files with `auto_vacuum = INCREMENTAL`, every file created since schema
    /// version 4), then a checkpoint that truncates the WAL. Best effort, after the commit:
    /// a failure (e.g. a reader holding the WAL) leaves the pages free for reuse inside the
    /// file and takes nothing from an acknowledged write.
    pub(crate) fn shrink(&self) {
        // Each step frees one page and yields a row: step to the end.
        let _ = self
            .conn
            .prepare("PRAGMA incremental_vacuum")
            .and_then(|mut s| {
                let mut rows = s.query([])?;
                while rows.next()?.is_some() {}
                Ok(())
            });
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
}

/// Makes `twin` (the state at `row.head_seq`) the company's snapshot and trims its
/// journal, in the transaction `tx`; updates `row` (the caller writes it). Shared by
/// [`Store::compact`] and the automatic compaction of a write (`super::auto`).
pub(crate) fn snapshot_in(
    tx: &rusqlite::Connection,
    row: &mut CompanyRow,
    twin: &Twin,
    hook: Option<&std::cell::Cell<Option<u64>>>,
    path: &str,
) -> Result<()> {
    let company_id = row.company_id.clone();
    let latest: Option<i64> = tx
        .query_row(
            "SELECT MAX(at_us) FROM journal WHERE company_id = ?1",
            [&company_id],
            |r| r.get(0),
        )
        .map_err(|e| storage(path, "cannot read the journal", e))?;
    let frames = write_binary(tx, &company_id, twin, hook, path)?;
    super::views::ensure_complete(tx, &company_id, twin, path, hook)?;
    fault(hook)?;
    tx.execute("DELETE FROM journal WHERE company_id = ?1", [&company_id])
        .map_err(|e| storage(path, "cannot trim the journal", e))?;
    super::auto::reset(tx, &company_id, path)?;
    row.snapshot_seq = row.head_seq;
    row.snapshot_job = twin.job_count();
    row.snapshot_known_to = match (row.snapshot_known_to, latest) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    row.snapshot_mode = SnapshotMode::Canonical;
    row.snapshot_rows = frames;
    Ok(())
}

/// `twin` under another policy, its policy-derived caches dropped; refused (the twin is then
/// to be dropped) when what it holds contradicts the policy.
fn with_policy(twin: &mut Twin, policy: &Policy) -> Result<()> {
    twin.books.company.policy = policy.clone();
    twin.books.forget_policy();
    twin.check_invariants().map_err(|e| {
        Error::config(
            "policy",
            format!("contradicts the data recorded so far: {e}"),
        )
    })
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
pub(crate) fn write_binary(
    tx: &rusqlite::Connection,
    company_id: &str,
    twin: &Twin,
    hook: Option<&std::cell::Cell<Option<u64>>>,
    path: &str,
) -> Result<u64> {
    fault(hook)?;
    tx.execute(
        "DELETE FROM snapshot_chunks WHERE company_id = ?1",
        [company_id],
    )
    .map_err(|e| storage(path, "cannot delete the old snapshot", e))?;
    let mut seq = 0u64;
    twin.write_snapshot(FRAME_BYTES, &mut |frame| {
        seq += 1;
        fault(hook)?;
        insert_chunk(tx, company_id, seq, frame, path)
    })?;
    Ok(seq)
}
