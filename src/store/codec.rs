//! The explicit row ↔ model codec: journal and snapshot rows, the company row, checksums.
//!
//! Every row carries a checksum of all its fields (FNV-1a, 64 bits), so a payload damaged
//! on disk — or edited by hand — is an error on load rather than a silently different twin.
//! The checksum guards against accidents, not against an adversary who can write the file.

use super::{damaged, storage};
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension, Row as SqlRow};

/// What an operation row holds (the `op` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpKind {
    /// A batch through `Twin::apply`, as received; its job must be the twin's next.
    Apply,
    /// An advance request through `Twin::request_advance`.
    Advance,
    /// A cancellation through `Twin::cancel_advance`.
    Cancel,
    /// A batch of a legacy operation-row snapshot; its job, when given, is assigned (read
    /// only by the one-shot migration, `super::migrate`).
    Batch,
    /// An advance decision of a legacy operation-row snapshot (`super::migrate`).
    Restore,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Apply => "apply",
            OpKind::Advance => "advance",
            OpKind::Cancel => "cancel",
            OpKind::Batch => "batch",
            OpKind::Restore => "restore",
        }
    }

    fn parse(s: &str) -> Option<OpKind> {
        [
            OpKind::Apply,
            OpKind::Advance,
            OpKind::Cancel,
            OpKind::Batch,
            OpKind::Restore,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The two operation tables: the journal, and the legacy operation-row snapshots that only
/// the one-shot migration reads (`super::migrate`; the table is gone from version 3 on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Table {
    Journal,
    Snapshot,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Journal => "journal",
            Table::Snapshot => "snapshot_ops",
        }
    }
}

/// One operation row of the journal or of a snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OpRow {
    pub seq: u64,
    pub op: OpKind,
    /// `target_entity` of a batch.
    pub kind: Option<String>,
    /// `received_at`, `requested_at` or the cancellation's `at`, in microseconds.
    pub at_us: i64,
    pub job: Option<u64>,
    pub payload: String,
    pub count_received: Option<i64>,
    pub count_accepted: Option<i64>,
    pub count_rejected: Option<i64>,
    /// The decision's outcome code for advances, cancels and restored decisions.
    pub outcome: Option<String>,
    pub amount: Option<i64>,
    pub fee: Option<i64>,
}

/// FNV-1a, 64 bits, over length-prefixed fields.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new(tag: &str) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325).bytes(tag.as_bytes())
    }
    fn bytes(mut self, b: &[u8]) -> Fnv {
        for byte in (b.len() as u64).to_le_bytes().iter().chain(b) {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self
    }
    fn str(self, s: &str) -> Fnv {
        self.bytes(s.as_bytes())
    }
    fn int(self, v: Option<i64>) -> Fnv {
        match v {
            None => self.bytes(b"null"),
            Some(v) => self.bytes(&v.to_le_bytes()),
        }
    }
    fn opt(self, s: Option<&str>) -> Fnv {
        match s {
            None => self.bytes(b"null"),
            Some(s) => self.str(s).bytes(b"some"),
        }
    }
    /// The checksum as SQLite stores it (the same 64 bits, signed).
    fn finish(self) -> i64 {
        i64::from_le_bytes(self.0.to_le_bytes())
    }
}

fn as_i64(v: u64) -> Option<i64> {
    i64::try_from(v).ok()
}

impl OpRow {
    pub fn checksum(&self, table: Table, company_id: &str) -> i64 {
        Fnv::new(table.name())
            .str(company_id)
            .int(as_i64(self.seq))
            .str(self.op.as_str())
            .opt(self.kind.as_deref())
            .int(Some(self.at_us))
            .int(self.job.and_then(as_i64))
            .str(&self.payload)
            .int(self.count_received)
            .int(self.count_accepted)
            .int(self.count_rejected)
            .opt(self.outcome.as_deref())
            .int(self.amount)
            .int(self.fee)
            .finish()
    }

    pub fn insert(
        &self,
        conn: &Connection,
        table: Table,
        company_id: &str,
        path: &str,
    ) -> Result<()> {
        let sql = format!(
            "INSERT INTO {} (company_id, seq, op, kind, at_us, job, payload, count_received, count_accepted, \
             count_rejected, outcome, amount, fee, checksum) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            table.name()
        );
        let seq = as_i64(self.seq).ok_or_else(|| overflow(path))?;
        let job = match self.job {
            Some(j) => Some(as_i64(j).ok_or_else(|| overflow(path))?),
            None => None,
        };
        conn.prepare_cached(&sql)
            .and_then(|mut s| {
                s.execute(params![
                    company_id,
                    seq,
                    self.op.as_str(),
                    self.kind,
                    self.at_us,
                    job,
                    self.payload,
                    self.count_received,
                    self.count_accepted,
                    self.count_rejected,
                    self.outcome,
                    self.amount,
                    self.fee,
                    self.checksum(table, company_id),
                ])
            })
            .map(|_| ())
            .map_err(|e| storage(path, &format!("cannot append to the {}", table.name()), e))
    }

    /// Reads a row, verifying its checksum and that its `op` belongs in `table`.
    fn read(r: &SqlRow<'_>, table: Table, company_id: &str, path: &str) -> Result<OpRow> {
        let get_err = |e: rusqlite::Error| {
            storage(
                path,
                &format!("cannot read the {} of company `{company_id}`", table.name()),
                e,
            )
        };
        let seq: i64 = r.get(0).map_err(get_err)?;
        let op: String = r.get(1).map_err(get_err)?;
        let job: Option<i64> = r.get(4).map_err(get_err)?;
        let damaged = |what: &str| {
            damaged(format!(
                "{path}: {} row {seq} of company `{company_id}` {what}",
                table.name()
            ))
        };
        let op = OpKind::parse(&op).ok_or_else(|| damaged("has an unknown operation"))?;
        let allowed = match table {
            Table::Journal => matches!(op, OpKind::Apply | OpKind::Advance | OpKind::Cancel),
            Table::Snapshot => true,
        };
        if !allowed {
            return Err(damaged("holds a snapshot operation"));
        }
        let row = OpRow {
            seq: u64::try_from(seq).map_err(|_| damaged("has a negative sequence number"))?,
            op,
            kind: r.get(2).map_err(get_err)?,
            at_us: r.get(3).map_err(get_err)?,
            job: match job {
                Some(j) => {
                    Some(u64::try_from(j).map_err(|_| damaged("has a negative job number"))?)
                }
                None => None,
            },
            payload: r.get(5).map_err(get_err)?,
            count_received: r.get(6).map_err(get_err)?,
            count_accepted: r.get(7).map_err(get_err)?,
            count_rejected: r.get(8).map_err(get_err)?,
            outcome: r.get(9).map_err(get_err)?,
            amount: r.get(10).map_err(get_err)?,
            fee: r.get(11).map_err(get_err)?,
        };
        let sum: i64 = r.get(12).map_err(get_err)?;
        if sum != row.checksum(table, company_id) {
            return Err(damaged(
                "failed its checksum: the file was damaged or edited",
            ));
        }
        Ok(row)
    }
}

/// Streams the operation rows of a company with `seq > after`, in order, to `f`; stops
/// early when `f` returns `Ok(false)`.
pub(crate) fn each_row(
    conn: &Connection,
    table: Table,
    company_id: &str,
    after: u64,
    path: &str,
    mut f: impl FnMut(OpRow) -> Result<bool>,
) -> Result<()> {
    let sql = format!(
        "SELECT seq, op, kind, at_us, job, payload, count_received, count_accepted, count_rejected, outcome, \
         amount, fee, checksum FROM {} WHERE company_id = ?1 AND seq > ?2 ORDER BY seq",
        table.name()
    );
    let read_err = |e| {
        storage(
            path,
            &format!("cannot read the {} of company `{company_id}`", table.name()),
            e,
        )
    };
    let mut stmt = conn.prepare_cached(&sql).map_err(read_err)?;
    let mut rows = stmt
        .query(params![company_id, as_i64(after).unwrap_or(i64::MAX)])
        .map_err(read_err)?;
    while let Some(r) = rows.next().map_err(read_err)? {
        if !f(OpRow::read(r, table, company_id, path)?)? {
            break;
        }
    }
    Ok(())
}

/// How a company's snapshot was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotMode {
    /// No snapshot yet: the journal holds everything.
    None,
    /// The twin's exact state: its binary snapshot (`snapshot_chunks`, one frame per row),
    /// decoded and validated in bulk (issue #5).
    Canonical,
}

impl SnapshotMode {
    /// The code stored in the `snapshot_mode` column.
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotMode::None => "none",
            SnapshotMode::Canonical => "canonical",
        }
    }

    fn parse(s: &str) -> Option<SnapshotMode> {
        [SnapshotMode::None, SnapshotMode::Canonical]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// How [`CompanyRow::read_with`] verifies a row's checksum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RowSum {
    /// As this version writes it (that of a version-2 `binary` row).
    Current,
    /// As schema version 1 (and a version-2 `ops` row) wrote it; its mode may be `folded`
    /// (read as canonical: the migration replaces its snapshot by a binary one).
    Legacy,
}

/// The `companies` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CompanyRow {
    pub company_id: String,
    pub epoch: i64,
    pub config: String,
    pub head_seq: u64,
    pub snapshot_seq: u64,
    pub snapshot_job: u64,
    pub snapshot_known_to: Option<i64>,
    pub snapshot_mode: SnapshotMode,
    /// Frames of the binary snapshot (operation rows in a legacy row).
    pub snapshot_rows: u64,
}

impl CompanyRow {
    /// The row's checksum: that of a version-2 `binary` row (so those verify unchanged),
    /// or, [`RowSum::Legacy`], exactly the fields of schema version 1, with the mode code
    /// as stored.
    fn checksum(&self, sum: RowSum, mode: &str) -> i64 {
        let f = match sum {
            RowSum::Legacy => Fnv::new("companies"),
            RowSum::Current => Fnv::new("companies").str("binary"),
        };
        f.str(&self.company_id)
            .int(Some(self.epoch))
            .str(&self.config)
            .int(as_i64(self.head_seq))
            .int(as_i64(self.snapshot_seq))
            .int(as_i64(self.snapshot_job))
            .int(self.snapshot_known_to)
            .str(mode)
            .int(as_i64(self.snapshot_rows))
            .finish()
    }

    /// Reads a company's row, verifying its checksum; `None` when there is none.
    pub fn read(conn: &Connection, company_id: &str, path: &str) -> Result<Option<CompanyRow>> {
        CompanyRow::read_with(conn, company_id, path, RowSum::Current)
    }

    /// [`CompanyRow::read`] with the checksum as `sum` says.
    pub fn read_with(
        conn: &Connection,
        company_id: &str,
        path: &str,
        sum: RowSum,
    ) -> Result<Option<CompanyRow>> {
        let read_err = |e| storage(path, &format!("cannot read company `{company_id}`"), e);
        let raw = conn
            .prepare_cached(
                "SELECT epoch, config, head_seq, snapshot_seq, snapshot_job, snapshot_known_to, snapshot_mode, \
                 snapshot_rows, checksum FROM companies WHERE company_id = ?1",
            )
            .map_err(read_err)?
            .query_row([company_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    [r.get::<_, i64>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?, r.get::<_, i64>(7)?],
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, i64>(8)?,
                ))
            })
            .optional()
            .map_err(read_err)?;
        let Some((epoch, config, [head, snap, job, rows], known_to, mode, stored)) = raw else {
            return Ok(None);
        };
        let damaged =
            |what: &str| damaged(format!("{path}: the row of company `{company_id}` {what}"));
        let nat = |v: i64| u64::try_from(v).map_err(|_| damaged("holds a negative counter"));
        let row = CompanyRow {
            company_id: company_id.to_string(),
            epoch,
            config,
            head_seq: nat(head)?,
            snapshot_seq: nat(snap)?,
            snapshot_job: nat(job)?,
            snapshot_known_to: known_to,
            snapshot_mode: match (sum, mode.as_str()) {
                (RowSum::Legacy, "folded") => Some(SnapshotMode::Canonical),
                (_, m) => SnapshotMode::parse(m),
            }
            .ok_or_else(|| damaged("has an unknown snapshot mode"))?,
            snapshot_rows: nat(rows)?,
        };
        if row.checksum(sum, &mode) != stored {
            return Err(damaged(
                "failed its checksum: the file was damaged or edited",
            ));
        }
        Ok(Some(row))
    }

    /// Inserts the row, or updates it in place.
    pub fn write(&self, conn: &Connection, path: &str) -> Result<()> {
        let n = |v: u64| as_i64(v).ok_or_else(|| overflow(path));
        let (head, snap, job, rows) = (
            n(self.head_seq)?,
            n(self.snapshot_seq)?,
            n(self.snapshot_job)?,
            n(self.snapshot_rows)?,
        );
        conn.prepare_cached(
            // An upsert, not `INSERT OR REPLACE`: with foreign keys on, a replace deletes the
            // row and inserts it again, which makes SQLite visit every journal row of the
            // company on each write, so writes slowed down as the journal grew (issue #18).
            "INSERT INTO companies (company_id, epoch, config, head_seq, snapshot_seq, snapshot_job, \
             snapshot_known_to, snapshot_mode, snapshot_rows, checksum) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
             ON CONFLICT (company_id) DO UPDATE SET epoch = excluded.epoch, config = excluded.config, \
             head_seq = excluded.head_seq, snapshot_seq = excluded.snapshot_seq, \
             snapshot_job = excluded.snapshot_job, snapshot_known_to = excluded.snapshot_known_to, \
             snapshot_mode = excluded.snapshot_mode, snapshot_rows = excluded.snapshot_rows, \
             checksum = excluded.checksum",
        )
        .and_then(|mut s| {
            s.execute(params![
                self.company_id,
                self.epoch,
                self.config,
                head,
                snap,
                job,
                self.snapshot_known_to,
                self.snapshot_mode.as_str(),
                rows,
                self.checksum(RowSum::Current, self.snapshot_mode.as_str()),
            ])
        })
        .map(|_| ())
        .map_err(|e| storage(path, &format!("cannot write company `{}`", self.company_id), e))
    }
}

/// The checksum of a `snapshot_chunks` row: its company, number and the frame's own
/// checksum (which covers every byte of the frame and is checked when it is decoded), so a
/// frame moved to another company or position is caught without hashing it twice.
fn chunk_checksum(company_id: &str, seq: u64, frame_sum: u64) -> i64 {
    Fnv::new("snapshot_chunks")
        .str(company_id)
        .int(as_i64(seq))
        .bytes(&frame_sum.to_le_bytes())
        .finish()
}

/// Appends frame `seq` (from 1) of a company's binary snapshot.
pub(crate) fn insert_chunk(
    conn: &Connection,
    company_id: &str,
    seq: u64,
    frame: &[u8],
    path: &str,
) -> Result<()> {
    let sum = crate::twin::frame_checksum(frame).unwrap_or(0);
    let seq_i = as_i64(seq).ok_or_else(|| overflow(path))?;
    conn.prepare_cached(
        "INSERT INTO snapshot_chunks (company_id, seq, data, checksum) VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut s| {
        s.execute(params![
            company_id,
            seq_i,
            frame,
            chunk_checksum(company_id, seq, sum)
        ])
    })
    .map(|_| ())
    .map_err(|e| storage(path, "cannot write the snapshot", e))
}

/// Streams the frames of a company's binary snapshot in order to `f` (one frame in
/// memory at a time), checking that they are numbered 1, 2, … and each row's checksum;
/// returns how many there were.
pub(crate) fn each_chunk(
    conn: &Connection,
    company_id: &str,
    path: &str,
    f: &mut dyn FnMut(&mut crate::twin::FrameSource<'_>) -> Result<()>,
) -> Result<u64> {
    let read_err = |e| {
        storage(
            path,
            &format!("cannot read the snapshot of company `{company_id}`"),
            e,
        )
    };
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, data, checksum FROM snapshot_chunks WHERE company_id = ?1 ORDER BY seq",
        )
        .map_err(read_err)?;
    let mut rows = stmt.query([company_id]).map_err(read_err)?;
    let mut count = 0u64;
    let mut next = |buf: &mut Vec<u8>| -> Result<bool> {
        let Some(r) = rows.next().map_err(read_err)? else {
            return Ok(false);
        };
        let seq: i64 = r.get(0).map_err(read_err)?;
        let sum: i64 = r.get(2).map_err(read_err)?;
        count += 1;
        let damaged = |what: &str| {
            damaged(format!(
                "{path}: snapshot_chunks row {seq} of company `{company_id}` {what}"
            ))
        };
        if u64::try_from(seq).ok() != Some(count) {
            return Err(damaged(&format!("is out of place (expected row {count})")));
        }
        let data = r
            .get_ref(1)
            .map_err(read_err)?
            .as_blob()
            .map_err(|_| damaged("is not a blob"))?;
        let frame_sum = crate::twin::frame_checksum(data)
            .ok_or_else(|| damaged("is too short to be a snapshot frame"))?;
        if chunk_checksum(company_id, count, frame_sum) != sum {
            return Err(damaged(
                "failed its checksum: the file was damaged or edited",
            ));
        }
        buf.extend_from_slice(data);
        Ok(true)
    };
    f(&mut next)?;
    Ok(count)
}

fn overflow(path: &str) -> Error {
    Error::Storage {
        message: format!("{path}: a sequence number does not fit in SQLite's INTEGER"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn row() -> OpRow {
        OpRow {
            seq: 3,
            op: OpKind::Apply,
            kind: Some("shifts".into()),
            at_us: 42,
            job: Some(3),
            payload: "[]".into(),
            count_received: Some(0),
            count_accepted: Some(0),
            count_rejected: Some(0),
            outcome: None,
            amount: None,
            fee: None,
        }
    }

    #[test]
    fn checksums_see_every_field_and_the_company() {
        let base = row().checksum(Table::Journal, "acme");
        assert_ne!(base, row().checksum(Table::Journal, "acm"));
        assert_ne!(base, row().checksum(Table::Snapshot, "acme"));
        let mut r = row();
        r.payload = "[ ]".into();
        assert_ne!(base, r.checksum(Table::Journal, "acme"));
        let mut r = row();
        r.fee = Some(0);
        assert_ne!(base, r.checksum(Table::Journal, "acme"));
        let mut r = row();
        r.kind = None;
        r.outcome = Some("shifts".into());
        assert_ne!(base, r.checksum(Table::Journal, "acme"));
    }
}
