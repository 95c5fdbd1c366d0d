//! Automatic compaction (issue #17 item 3). Every load replays the journal written since
//! the company's last snapshot; without compaction that tail only grows, and every cold
//! call (each `ewa` command is one) pays for all of it. So a write whose journal tail,
//! once its own row is appended, reaches [`AutoCompact::rows`] rows or
//! [`AutoCompact::bytes`] bytes of payload compacts the company in the same transaction:
//! the new snapshot covers that very write, and a crash leaves either the old snapshot and
//! journal or the new snapshot (docs/decisions.md, "Store growth and compaction").
//!
//! The tail's payload bytes are counted in `store_meta` under `journal_bytes:<company_id>`
//! (one small upsert per write; a file written before this counter starts it at 0, and its
//! row count still applies). The row count is `head_seq − snapshot_seq`.

use super::codec::CompanyRow;
use super::compact::snapshot_in;
use super::{fault, storage};
use crate::error::Result;
use crate::twin::Twin;
use rusqlite::Connection;

/// When a write compacts its company: whichever limit the journal tail reaches first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AutoCompact {
    /// Journal rows since the last snapshot (default 1,000: a cold load replays at most
    /// that many batches, advance requests and cancellations).
    pub rows: u64,
    /// Payload bytes of those rows (default 8 MiB: the JSON a cold load re-reads).
    pub bytes: u64,
}

impl Default for AutoCompact {
    fn default() -> Self {
        AutoCompact {
            rows: 1_000,
            bytes: 8 << 20,
        }
    }
}

impl AutoCompact {
    /// Whether a journal tail of `rows` rows and `bytes` payload bytes calls for a
    /// compaction.
    pub(crate) fn reached(&self, rows: u64, bytes: u64) -> bool {
        rows >= self.rows || bytes >= self.bytes
    }
}

fn key(company_id: &str) -> String {
    format!("journal_bytes:{company_id}")
}

/// The payload bytes of the company's journal tail (0 when none were counted).
pub(crate) fn tail_bytes(conn: &Connection, company_id: &str, path: &str) -> Result<u64> {
    use rusqlite::OptionalExtension;
    let bytes: Option<i64> = conn
        .query_row(
            "SELECT value FROM store_meta WHERE key = ?1",
            [key(company_id)],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| storage(path, "cannot read the journal's byte count", e))?;
    Ok(bytes.map_or(0, |b| u64::try_from(b).unwrap_or(0)))
}

/// After a row of `payload_bytes` was appended to `row`'s journal (and `row.head_seq`
/// moved to it): counts its bytes and, when `limits` says so, compacts `twin` (the state
/// at `row.head_seq`) in `tx`. Returns whether it compacted.
pub(crate) fn after_append(
    tx: &Connection,
    row: &mut CompanyRow,
    twin: &Twin,
    payload_bytes: usize,
    limits: Option<AutoCompact>,
    hook: Option<&std::cell::Cell<Option<u64>>>,
    path: &str,
) -> Result<bool> {
    fault(hook)?;
    let added = i64::try_from(payload_bytes).unwrap_or(i64::MAX);
    let bytes: i64 = tx
        .query_row(
            "INSERT INTO store_meta (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = value + excluded.value RETURNING value",
            rusqlite::params![key(&row.company_id), added],
            |r| r.get(0),
        )
        .map_err(|e| storage(path, "cannot count the journal's bytes", e))?;
    let Some(limits) = limits else {
        return Ok(false);
    };
    let rows = row.head_seq.saturating_sub(row.snapshot_seq);
    if !limits.reached(rows, u64::try_from(bytes).unwrap_or(u64::MAX)) {
        return Ok(false);
    }
    snapshot_in(tx, row, twin, hook, path)?;
    Ok(true)
}

/// The journal tail is empty again (after a compaction).
pub(crate) fn reset(tx: &Connection, company_id: &str, path: &str) -> Result<()> {
    tx.execute("DELETE FROM store_meta WHERE key = ?1", [key(company_id)])
        .map_err(|e| storage(path, "cannot reset the journal's byte count", e))?;
    Ok(())
}
