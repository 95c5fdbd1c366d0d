//! The durable store (issue #4): one SQLite file holds many companies, fully isolated, and
//! nothing accepted is ever lost.
//!
//! * **Journal.** Every batch that [`Store::apply`] applies, every advance decision and every
//!   cancellation is appended to the company's journal in the same transaction that
//!   records it, before the caller gets its report. After a crash, reopening yields exactly
//!   the state of the last acknowledged operation (WAL, `synchronous = FULL`).
//! * **Snapshot.** [`Store::compact`] replaces the journal by a snapshot, atomically: the
//!   twin's binary snapshot (issue #5; `src/twin/snapshot/`), stored as checksummed frames
//!   in `snapshot_chunks`. [`Store::load`] decodes it (every length and reference
//!   validated, then [`Twin::check_invariants`]), then replays the journal through the
//!   public [`Twin`] API — every value re-validated by the constructors of ingestion —
//!   each replayed outcome checked against the one recorded: a corrupt, foreign or
//!   newer-schema file is a storage error ([`Error::Damaged`] for damage), never a panic
//!   or a silently different twin.
//! * **Automatic compaction.** A write whose journal tail reaches
//!   [`StoreOptions::auto_compact`] compacts the company in its own transaction, so a cold
//!   load replays a bounded tail; a batch that changed nothing is journaled as its job and
//!   counts only; a compaction gives the freed pages back to the file system.
//! * **Read-only.** [`StoreOptions::read_only`] opens a file without writing anything to
//!   it, so a store on a read-only directory or medium can be read.
//! * **Older files.** A file of schema version 1 or 2 whose snapshots are operation rows
//!   is migrated once, in one transaction, when it is opened: each such snapshot is
//!   replayed into a twin and replaced by its binary snapshot (`migrate.rs`).
//! * **As known at.** [`Store::load_known_at`] replays the journal as far as it was known at
//!   an earlier instant, to ask what the engine answered then.
//! * **Concurrency.** Several processes may share a file: writes serialise (each waits up to
//!   [`StoreOptions::busy_timeout`] for the lock, then fails with [`Error::Locked`]: retry),
//!   readers are never blocked (WAL).
//!
//! Every query names its company in its `WHERE` clause and every key starts with the
//! company id, so one company's rows are never read for another.
//!
//! ```
//! use ewa::{calendar::parse_instant, store::Store, Company, Kind};
//! use serde_json::json;
//!
//! let path = std::env::temp_dir().join(format!("ewa-doc-{}.db", std::process::id()));
//! # let _ = std::fs::remove_file(&path);
//! let mut store = Store::open(&path)?;
//! store.create_company(&Company::new("acme", chrono_tz::UTC))?;
//! let at = parse_instant(chrono_tz::UTC, "2026-06-01T00:00:00Z")?;
//! let report = store.apply("acme", Kind::PaySchedules, &[json!({
//!     "pay_schedule_id": "monthly", "frequency": "monthly",
//!     "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01",
//!                  "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]})], at)?;
//! assert_eq!(report.count_accepted, 1);
//! drop(store);
//!
//! // A new process sees exactly what was acknowledged.
//! let store = Store::open(&path)?;
//! assert_eq!(store.load("acme")?.counts().pay_schedules, 1);
//! # drop(store);
//! # for ext in ["", "-wal", "-shm"] { let _ = std::fs::remove_file(format!("{}{ext}", path.display())); }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod auto;
mod codec;
mod compact;
mod demo;
mod migrate;
mod open;
mod replay;
mod schema;
#[cfg(test)]
mod tests;
mod views;
#[cfg(test)]
mod views_tests;

pub use auto::AutoCompact;
pub use codec::SnapshotMode;
pub use compact::CompactReport;
pub use schema::SCHEMA_VERSION;

use crate::calendar::Instant;
use crate::company::Company;
use crate::eligibility::{AdvanceDecision, AdvanceRequest, CancelDecision};
use crate::error::{Cause, Error, Result};
use crate::ingest::{JobReport, Kind, Outcome};
use crate::twin::Twin;
use codec::{CompanyRow, OpKind, OpRow, Table};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// How to open a store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreOptions {
    /// Create the file (and its schema) when it does not exist (default true).
    pub create: bool,
    /// How long a write waits for another process's write lock before it fails with
    /// [`Error::Locked`] (default 5 s).
    pub busy_timeout: Duration,
    /// Open the file read-only (default false): nothing is ever written to it, not even a
    /// schema into an empty file or a migration, so a store on a read-only directory or
    /// medium answers every read; every write is an [`Error::Storage`]. `create` is then
    /// ignored. A file of an older schema must be opened for writing once.
    pub read_only: bool,
    /// When a write compacts its company automatically (default: [`AutoCompact::default`]);
    /// `None` never does (then call [`Store::compact`] yourself).
    pub auto_compact: Option<AutoCompact>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            create: true,
            busy_timeout: Duration::from_secs(5),
            read_only: false,
            auto_compact: Some(AutoCompact::default()),
        }
    }
}

/// What the store holds for one company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompanyInfo {
    /// The company.
    pub company_id: String,
    /// Its IANA time zone.
    pub timezone: String,
    /// The last journal sequence number (operations recorded since creation).
    pub head_seq: u64,
    /// Operations in the journal (recorded since the last compaction).
    pub journal_rows: u64,
    /// How the snapshot was made.
    pub snapshot_mode: SnapshotMode,
    /// Rows (binary frames) of the snapshot.
    pub snapshot_rows: u64,
    /// The journal sequence number the snapshot covers.
    pub snapshot_seq: u64,
}

/// A loaded twin kept between calls, with the journal position it reflects.
struct Cached {
    epoch: i64,
    seq: u64,
    twin: Twin,
}

/// An open store file. See the module docs.
pub struct Store {
    conn: Connection,
    path: String,
    busy_timeout: Duration,
    cache: HashMap<String, Cached>,
    /// Opened with [`StoreOptions::read_only`].
    read_only: bool,
    /// False for an empty file opened read-only: no store in it, so no company.
    has_schema: bool,
    /// [`StoreOptions::auto_compact`].
    auto_compact: Option<AutoCompact>,
    /// [`Store::set_defer_views`] (false when opened).
    defer_views: bool,
    /// Test hook: the write (statement execution) at which to inject an I/O fault.
    #[cfg(test)]
    fault_at: std::cell::Cell<Option<u64>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The fault-injection hook of a store: the cell in tests, nothing otherwise.
macro_rules! hook {
    ($s:expr) => {{
        #[cfg(test)]
        let h = Some(&$s.fault_at);
        #[cfg(not(test))]
        let h: Option<&std::cell::Cell<Option<u64>>> = None;
        h
    }};
}
pub(crate) use hook;

/// A storage error with SQLite's own message, kept as its source: [`Error::Locked`] for a
/// lock that could not be had, [`Error::Damaged`] for a corrupt file, [`Error::Io`] otherwise.
pub(crate) fn storage(path: &str, what: &str, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            Error::Locked {
                message: format!("{path}: {what}: the store is locked by another writer and the wait timed out ({e})"),
                cause: Cause::new(e),
            }
        }
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => Error::Damaged {
            message: format!("{path}: {what}: the file is corrupt ({e})"),
            cause: Some(Cause::new(e)),
        },
        Some(rusqlite::ErrorCode::NotADatabase) => Error::Storage {
            message: format!("{path} is not an ewa store: file is not a database"),
        },
        _ => Error::Io {
            message: format!("{path}: {what}: {e}"),
            cause: Cause::new(e),
        },
    }
}

/// The store holds data that ewa's own checks refuse (a checksum, a missing row, a replay
/// that disagrees with what was recorded).
pub(crate) fn damaged(message: String) -> Error {
    Error::Damaged {
        message,
        cause: None,
    }
}

fn unknown_company(path: &str, id: &str) -> Error {
    Error::UnknownCompany {
        company_id: id.to_string(),
        store: path.to_string(),
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path` with the default options.
    ///
    /// # Errors
    /// [`Error::Storage`] when the file cannot be opened, is not an ewa store (a text file,
    /// another application's database), has a newer schema, or is damaged.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, &StoreOptions::default())
    }

    /// Opens the store at `path`.
    ///
    /// # Errors
    /// As [`Store::open`]; also when the file does not exist and `create` is false.
    pub fn open_with(path: impl AsRef<Path>, options: &StoreOptions) -> Result<Store> {
        let p = path.as_ref();
        let shown = p.display().to_string();
        if !options.create && !p.exists() {
            return Err(Error::Storage {
                message: format!(
                    "no ewa store at {shown} (create one with `ewa init` or `ewa demo`)"
                ),
            });
        }
        let (conn, has_schema) = if options.read_only {
            open::read_only(p, &shown, options.busy_timeout)?
        } else {
            let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            if options.create {
                flags |= OpenFlags::SQLITE_OPEN_CREATE;
            }
            let mut conn = Connection::open_with_flags(p, flags)
                .map_err(|e| storage(&shown, "cannot open", e))?;
            conn.busy_timeout(options.busy_timeout)
                .map_err(|e| storage(&shown, "cannot set the busy timeout", e))?;
            schema::prepare(&mut conn, &shown)?;
            open::sync_dir(p, &shown)?;
            (conn, true)
        };
        Ok(Store {
            conn,
            path: shown,
            busy_timeout: options.busy_timeout,
            cache: HashMap::new(),
            read_only: options.read_only,
            has_schema,
            auto_compact: options.auto_compact,
            defer_views: false,
            #[cfg(test)]
            fault_at: std::cell::Cell::new(None),
        })
    }

    /// The file's path, as given.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Every company id, sorted.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub fn companies(&self) -> Result<Vec<String>> {
        if !self.has_schema {
            return Ok(Vec::new());
        }
        let err = |e| storage(&self.path, "cannot list companies", e);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT company_id FROM companies ORDER BY company_id")
            .map_err(err)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(err)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(err)
    }

    /// What the store holds for a company.
    ///
    /// # Errors
    /// [`Error::UnknownCompany`] for an unknown company; [`Error::Storage`].
    pub fn info(&self, company_id: &str) -> Result<CompanyInfo> {
        let row = self.company_row(&self.conn, company_id)?;
        let c = replay::company(&row, &self.path)?;
        Ok(CompanyInfo {
            company_id: row.company_id.clone(),
            timezone: c.timezone.name().to_string(),
            head_seq: row.head_seq,
            journal_rows: row.head_seq - row.snapshot_seq,
            snapshot_mode: row.snapshot_mode,
            snapshot_rows: row.snapshot_rows,
            snapshot_seq: row.snapshot_seq,
        })
    }

    /// Defers the employee views for the writes from now on (`false` when opened: every
    /// write rewrites the views of the employees it changed). For a run of writes that
    /// changes about every employee (a large feed in time order changes most employees in
    /// every batch): the first write that changes an employee drops the company's views
    /// instead, so one-employee reads load the whole company until a compaction writes
    /// every view again, once. End such a run with [`Store::compact_if_due`] (which
    /// compacts a company without views).
    pub fn set_defer_views(&mut self, defer: bool) {
        self.defer_views = defer;
    }

    /// The company's configuration (zone, policy, limits, holidays) as the file holds it,
    /// without loading its twin.
    ///
    /// # Errors
    /// [`Error::UnknownCompany`] for an unknown company; [`Error::Storage`].
    pub fn company(&self, company_id: &str) -> Result<Company> {
        let row = self.company_row(&self.conn, company_id)?;
        replay::company(&row, &self.path)
    }

    /// Adds a company with an empty twin.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the company exists already; [`Error::Config`] when its
    /// configuration does not read back equal; [`Error::Storage`].
    pub fn create_company(&mut self, company: &Company) -> Result<()> {
        self.writable()?;
        let path = self.path.clone();
        let hook = hook!(self);
        let tx = begin_write(&mut self.conn, &path, self.busy_timeout)?;
        insert_company(&tx, company, &path, hook)?;
        fault(hook)?;
        tx.commit().map_err(|e| storage(&path, "cannot commit", e))
    }

    /// Deletes a company and all its rows; returns whether it existed.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub fn delete_company(&mut self, company_id: &str) -> Result<bool> {
        self.writable()?;
        self.cache.remove(company_id);
        let path = self.path.clone();
        let hook = hook!(self);
        let tx = begin_write(&mut self.conn, &path, self.busy_timeout)?;
        let existed = delete_rows(&tx, company_id, &path, hook)?;
        fault(hook)?;
        tx.commit()
            .map_err(|e| storage(&path, "cannot commit", e))?;
        Ok(existed)
    }

    /// Loads a company's twin from the file: the snapshot, then the journal, every
    /// operation re-validated and checked against its recorded outcome.
    ///
    /// # Errors
    /// [`Error::UnknownCompany`] for an unknown company; [`Error::Damaged`] for a damaged
    /// or inconsistent file (e.g. "journal replay diverged at seq N").
    pub fn load(&self, company_id: &str) -> Result<Twin> {
        let tx = self.read_tx()?;
        let row = self.company_row(&tx, company_id)?;
        Ok(replay::build(&tx, &row, None, &self.path)?.twin)
    }

    /// A twin whose answers about `employee_id` (eligibility, accruals, explain lines,
    /// quotes) are those of the company's whole twin, read as cheaply as the file allows:
    /// the employee's view alone when the company's views are complete (every write keeps
    /// them so once a compaction wrote them; `ewa` reads one employee of a million this
    /// way in milliseconds), else the whole company ([`Store::load`]). The slice holds the
    /// employee, what its answers read and nothing else (see [`Twin::employee_slice`]); an
    /// unknown employee gets a twin of the company alone, which answers "unknown employee"
    /// as the whole twin does.
    ///
    /// # Errors
    /// As [`Store::load`]; [`Error::Damaged`] for a damaged view.
    pub fn employee_twin(&self, company_id: &str, employee_id: &str) -> Result<Twin> {
        let tx = self.read_tx()?;
        let row = self.company_row(&tx, company_id)?;
        let company = replay::company(&row, &self.path)?;
        if let Some(twin) = views::read(&tx, &company, employee_id, &self.path)? {
            return Ok(twin);
        }
        Ok(replay::build(&tx, &row, None, &self.path)?.twin)
    }

    /// The twin as it was known at `known_at`: the journal replayed up to the first
    /// operation stamped after `known_at`. An operation's stamp is its `received_at`
    /// (batches), `requested_at` (advances) or `at` (cancellations); since the journal is
    /// the order in which the store learnt them, an operation counts as known from the
    /// latest stamp up to it, so a back-dated operation is not known before the ones
    /// recorded ahead of it.
    ///
    /// # Errors
    /// [`Error::UnknownCompany`] for an unknown company, or when `known_at` falls before
    /// the history compacted into the snapshot (it is gone); [`Error::Storage`].
    pub fn load_known_at(&self, company_id: &str, known_at: Instant) -> Result<Twin> {
        let tx = self.read_tx()?;
        let row = self.company_row(&tx, company_id)?;
        Ok(replay::build(&tx, &row, Some(known_at), &self.path)?.twin)
    }

    /// The company's current twin, kept in memory between calls and brought up to date
    /// with operations other processes recorded meanwhile.
    ///
    /// # Errors
    /// As [`Store::load`].
    pub fn twin(&mut self, company_id: &str) -> Result<&Twin> {
        let path = self.path.clone();
        if !self.has_schema {
            return Err(unknown_company(&path, company_id));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| storage(&path, "cannot begin a read", e))?;
        let row = CompanyRow::read(&tx, company_id, &path)?
            .ok_or_else(|| unknown_company(&path, company_id))?;
        let cached = fresh(&tx, self.cache.remove(company_id), &row, &path)?;
        drop(tx);
        Ok(&self
            .cache
            .entry(company_id.to_string())
            .or_insert(cached)
            .twin)
    }

    /// Applies a batch (SPEC §3) to the company's twin and journals it in one transaction;
    /// the report is returned only once the transaction is durable. Every batch that is
    /// applied is journaled, even one whose records were all rejected (it advances the job
    /// counter); one that created or updated nothing (every record unchanged or rejected)
    /// is journaled without its records, as its job and counts only; a batch refused whole
    /// ([`Error::BatchRefused`]) is not journaled. The write may compact the company
    /// ([`StoreOptions::auto_compact`]).
    ///
    /// # Errors
    /// [`Error::BatchRefused`] as [`Twin::apply`]; [`Error::UnknownCompany`] for an
    /// unknown company; [`Error::Locked`] when the lock cannot be had in time (retry),
    /// [`Error::Io`] when the write fails — the operation is then not recorded and the in-memory twin does not
    /// keep it.
    pub fn apply(
        &mut self,
        company_id: &str,
        kind: Kind,
        records: &[Value],
        received_at: Instant,
    ) -> Result<JobReport> {
        self.write(company_id, |twin| {
            let report = twin.apply(kind, records, received_at)?;
            let row = batch_row(twin, kind, received_at, &report, || {
                serde_json::to_string(records).map_err(|e| Error::Storage {
                    message: format!("cannot serialise the batch: {e}"),
                })
            })?;
            Ok((report, row))
        })
    }

    /// Parses `bytes` as a JSON array of objects and applies it, as [`Store::apply`];
    /// `batch_bytes_max` is checked first (SPEC §7).
    ///
    /// # Errors
    /// As [`Store::apply`], and [`Error::BatchRefused`] for bytes over the limit or not a
    /// JSON array of objects.
    pub fn apply_json(
        &mut self,
        company_id: &str,
        kind: Kind,
        bytes: &[u8],
        received_at: Instant,
    ) -> Result<JobReport> {
        // The twin checks the size and reads the bytes themselves (a record with a
        // duplicated key is rejected, decision 69) before anything is applied; the journal
        // keeps them as received, so a replay reads them alike.
        self.write(company_id, |twin| {
            let report = twin.apply_json(kind, bytes, received_at)?;
            let row = batch_row(twin, kind, received_at, &report, || {
                std::str::from_utf8(crate::ingest::strip_bom(bytes))
                    .map(str::to_string)
                    .map_err(|e| Error::Storage {
                        message: format!("cannot journal the batch: {e}"),
                    })
            })?;
            Ok((report, row))
        })
    }

    /// Requests an advance (SPEC §6) and journals the decision — accepted, refused or
    /// conflict — in one transaction.
    ///
    /// # Errors
    /// As [`Twin::request_advance`]; [`Error::UnknownCompany`] for an unknown company;
    /// [`Error::Storage`] as [`Store::apply`].
    pub fn request_advance(
        &mut self,
        company_id: &str,
        req: &AdvanceRequest,
    ) -> Result<AdvanceDecision> {
        self.write(company_id, |twin| {
            let d = twin.request_advance(req)?;
            let row = OpRow {
                seq: 0,
                op: OpKind::Advance,
                kind: None,
                at_us: req.requested_at.as_micros(),
                job: None,
                payload: replay::advance_payload(req),
                count_received: None,
                count_accepted: None,
                count_rejected: None,
                outcome: Some(replay::code(&d.outcome)),
                amount: Some(req.amount),
                fee: d.fee,
            };
            Ok((d, row))
        })
    }

    /// Cancels an advance at `at` (SPEC §8 `cancel`) and journals the decision.
    ///
    /// # Errors
    /// [`Error::UnknownCompany`] for an unknown company; [`Error::Storage`] as
    /// [`Store::apply`].
    pub fn cancel_advance(
        &mut self,
        company_id: &str,
        advance_id: &str,
        at: Instant,
    ) -> Result<CancelDecision> {
        self.write(company_id, |twin| {
            let d = twin.cancel_advance(advance_id, at);
            let row = OpRow {
                seq: 0,
                op: OpKind::Cancel,
                kind: None,
                at_us: at.as_micros(),
                job: None,
                payload: json!({ "advance_id": advance_id }).to_string(),
                count_received: None,
                count_accepted: None,
                count_rejected: None,
                outcome: Some(replay::code(&d.outcome)),
                amount: None,
                fee: None,
            };
            Ok((d, row))
        })
    }

    /// Runs SQLite's `PRAGMA integrity_check` over the whole file.
    ///
    /// # Errors
    /// [`Error::Storage`] with SQLite's findings when the file is not sound.
    pub fn integrity_check(&self) -> Result<()> {
        let err = |e| storage(&self.path, "integrity check failed", e);
        let mut stmt = self.conn.prepare("PRAGMA integrity_check").map_err(err)?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(err)?;
        if lines.len() == 1 && lines.first().is_some_and(|l| l == "ok") {
            Ok(())
        } else {
            Err(Error::Storage {
                message: format!(
                    "{}: integrity check failed: {}",
                    self.path,
                    lines.join("; ")
                ),
            })
        }
    }

    /// One write: under the write lock, bring the cached twin up to date, run `op` on it,
    /// append the row it returns, commit. On any failure the twin is dropped from the
    /// cache (the next call reloads it), so memory never holds what the file does not.
    fn write<T>(
        &mut self,
        company_id: &str,
        op: impl FnOnce(&mut Twin) -> Result<(T, OpRow)>,
    ) -> Result<T> {
        self.writable()?;
        let path = self.path.clone();
        let cached = self.cache.remove(company_id);
        let hook = hook!(self);
        let tx = begin_write(&mut self.conn, &path, self.busy_timeout)?;
        let mut row = CompanyRow::read(&tx, company_id, &path)?
            .ok_or_else(|| unknown_company(&path, company_id))?;
        let mut cached = fresh(&tx, cached, &row, &path)?;
        let (out, mut op_row) = op(&mut cached.twin)?;
        let changed = cached.twin.take_changed();
        op_row.seq = row.head_seq + 1;
        fault(hook)?;
        op_row.insert(&tx, Table::Journal, company_id, &path)?;
        let defer = self.defer_views;
        views::after_write(
            &tx,
            (company_id, &cached.twin),
            &changed,
            defer,
            &path,
            hook,
        )?;
        row.head_seq = op_row.seq;
        let (twin, bytes) = (&cached.twin, op_row.payload.len());
        let compacted =
            auto::after_append(&tx, &mut row, twin, bytes, self.auto_compact, hook, &path)?;
        fault(hook)?;
        row.write(&tx, &path)?;
        fault(hook)?;
        tx.commit()
            .map_err(|e| storage(&path, "cannot commit", e))?;
        cached.seq = op_row.seq;
        self.cache.insert(company_id.to_string(), cached);
        if compacted {
            self.shrink();
        }
        Ok(out)
    }

    fn read_tx(&self) -> Result<rusqlite::Transaction<'_>> {
        self.conn
            .unchecked_transaction()
            .map_err(|e| storage(&self.path, "cannot begin a read", e))
    }

    /// An error unless the store was opened for writing.
    fn writable(&self) -> Result<()> {
        if self.read_only {
            return Err(Error::Storage {
                message: format!("{} is open read-only: it cannot be written", self.path),
            });
        }
        Ok(())
    }

    fn company_row(&self, conn: &Connection, company_id: &str) -> Result<CompanyRow> {
        if !self.has_schema {
            return Err(unknown_company(&self.path, company_id));
        }
        CompanyRow::read(conn, company_id, &self.path)?
            .ok_or_else(|| unknown_company(&self.path, company_id))
    }

    /// Test hook: make the `n`-th write statement from now (1 = the next) fail like an
    /// I/O error.
    #[cfg(test)]
    pub(crate) fn fail_at_write(&self, n: u64) {
        self.fault_at.set(n.checked_sub(1));
    }
}

/// Begins a write transaction, taking the write lock at once (waiting up to `wait`).
pub(crate) fn begin_write<'c>(
    conn: &'c mut Connection,
    path: &str,
    wait: Duration,
) -> Result<rusqlite::Transaction<'c>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Error::Locked {
                    message: format!(
                        "{path}: the store is locked by another writer; gave up after {} ms ({e})",
                        wait.as_millis()
                    ),
                    cause: Cause::new(e),
                }
            }
            _ => storage(path, "cannot begin a write", e),
        })
}

/// Adds a company's row, with an empty twin, in the transaction `tx`; returns the row.
///
/// # Errors
/// As [`Store::create_company`].
fn insert_company(
    tx: &rusqlite::Transaction<'_>,
    company: &Company,
    path: &str,
    hook: Option<&std::cell::Cell<Option<u64>>>,
) -> Result<CompanyRow> {
    let config = company.to_json();
    // Check before write: the stored configuration must read back as this company.
    if Company::from_json(&config)? != *company {
        return Err(Error::config(
            "company",
            "does not survive a JSON round trip",
        ));
    }
    if CompanyRow::read(tx, &company.company_id, path)?.is_some() {
        return Err(Error::InvalidArgument {
            name: "company_id".into(),
            message: format!("company `{}` already exists in {path}", company.company_id),
        });
    }
    let epoch = next_epoch(tx, path, hook)?;
    let row = CompanyRow {
        company_id: company.company_id.clone(),
        epoch,
        config: config.to_string(),
        head_seq: 0,
        snapshot_seq: 0,
        snapshot_job: 0,
        snapshot_known_to: None,
        snapshot_mode: SnapshotMode::None,
        snapshot_rows: 0,
    };
    fault(hook)?;
    row.write(tx, path)?;
    // An empty twin: complete views (none), kept so by every write from now on.
    views::write_all(tx, &row.company_id, &Twin::new(company.clone()), path, hook)?;
    Ok(row)
}

/// Takes the store's next epoch (written in `tx`): a company row with a new epoch is
/// rebuilt from the file by every process that cached it (see [`fresh`]).
pub(crate) fn next_epoch(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    hook: Option<&std::cell::Cell<Option<u64>>>,
) -> Result<i64> {
    let epoch: i64 = tx
        .query_row(
            "SELECT value FROM store_meta WHERE key = 'epoch'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| storage(path, "cannot read the store's epoch", e))?;
    let epoch = epoch.checked_add(1).ok_or_else(|| Error::Storage {
        message: format!("{path}: the store's epoch overflowed"),
    })?;
    fault(hook)?;
    tx.execute(
        "UPDATE store_meta SET value = ?1 WHERE key = 'epoch'",
        [epoch],
    )
    .map_err(|e| storage(path, "cannot write the store's epoch", e))?;
    Ok(epoch)
}

/// Deletes a company's rows (and its demo mark) in `tx`; returns whether it existed.
fn delete_rows(
    tx: &rusqlite::Transaction<'_>,
    company_id: &str,
    path: &str,
    hook: Option<&std::cell::Cell<Option<u64>>>,
) -> Result<bool> {
    let mut n = 0;
    views::drop_all(tx, company_id, path, hook)?;
    for table in ["journal", "snapshot_chunks", "companies"] {
        fault(hook)?;
        n = tx
            .execute(
                &format!("DELETE FROM {table} WHERE company_id = ?1"),
                [company_id],
            )
            .map_err(|e| storage(path, &format!("cannot delete from {table}"), e))?;
    }
    demo::unmark(tx, company_id, path)?;
    auto::reset(tx, company_id, path)?;
    Ok(n > 0)
}

/// Counts a write; fails when the test hook says this one must.
fn fault(hook: Option<&std::cell::Cell<Option<u64>>>) -> Result<()> {
    let Some(cell) = hook else { return Ok(()) };
    match cell.get() {
        Some(0) => {
            cell.set(None);
            Err(Error::Storage {
                message: "injected I/O fault (test hook)".into(),
            })
        }
        Some(n) => {
            cell.set(Some(n - 1));
            Ok(())
        }
        None => Ok(()),
    }
}

/// The cached twin brought up to `row.head_seq`: caught up from the journal when it can
/// be, rebuilt from the file when the company was recreated or compacted past it.
fn fresh(
    conn: &Connection,
    cached: Option<Cached>,
    row: &CompanyRow,
    path: &str,
) -> Result<Cached> {
    if let Some(mut c) = cached {
        if c.epoch == row.epoch && c.seq >= row.snapshot_seq && c.seq <= row.head_seq {
            if c.seq < row.head_seq {
                c.seq = replay::catch_up(conn, row, &mut c.twin, c.seq, None, path)?;
            }
            // What the file holds already: its writers kept their views current.
            c.twin.take_changed();
            return Ok(c);
        }
    }
    let mut built = replay::build(conn, row, None, path)?;
    built.twin.take_changed();
    Ok(Cached {
        epoch: row.epoch,
        seq: built.seq,
        twin: built.twin,
    })
}

/// The journal row of an applied batch. A batch that created or updated nothing changed
/// nothing but the job counter: its row keeps the report's counts, not its records (a
/// summary row, replayed as an empty batch; docs/decisions.md "Store growth and
/// compaction"); otherwise the row keeps `payload()`, the batch's JSON text.
fn batch_row(
    twin: &Twin,
    kind: Kind,
    received_at: Instant,
    report: &JobReport,
    payload: impl FnOnce() -> Result<String>,
) -> Result<OpRow> {
    let changed = report.count(Outcome::Created) + report.count(Outcome::Updated) > 0;
    let payload = if changed {
        payload()?
    } else {
        replay::SUMMARY_PAYLOAD.to_string()
    };
    let [received, accepted, rejected] = replay::counts(report);
    Ok(OpRow {
        seq: 0,
        op: OpKind::Apply,
        kind: Some(kind.target_entity().to_string()),
        at_us: received_at.as_micros(),
        job: Some(twin.job_count()),
        payload,
        count_received: Some(received),
        count_accepted: Some(accepted),
        count_rejected: Some(rejected),
        outcome: None,
        amount: None,
        fee: None,
    })
}
