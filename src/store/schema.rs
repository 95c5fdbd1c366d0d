//! The store's schema: versioned with `PRAGMA user_version`, marked as ewa's with
//! `PRAGMA application_id`, `STRICT` tables, money as `INTEGER`.
//!
//! `MIGRATIONS[i]` takes a file from version `i` to `i + 1`; the current version is
//! `MIGRATIONS.len()`. A file with a higher version was written by a newer ewa and is
//! refused, never read by guesswork.

use super::storage;
use crate::error::{Error, Result};
use rusqlite::Connection;

/// `PRAGMA application_id` of an ewa store: "ewa!" in ASCII.
pub(crate) const APPLICATION_ID: i32 = 0x6577_6121;

/// Page size of a new store file: SQLite's largest. Binary snapshots are megabytes of
/// blobs, written and read page by page; 64 KiB pages write them about twice as fast and
/// read them about 1.5 times as fast as the default 4 KiB (docs/performance.md, "The
/// store"), at the cost of more bytes per small journal commit (docs/decisions.md).
const PAGE_SIZE: u32 = 65_536;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The tables the current schema must have.
const TABLES: [&str; 5] = [
    "store_meta",
    "companies",
    "journal",
    "snapshot_chunks",
    "employee_views",
];

/// Version 1: companies, journal, operation-row snapshots. Version 2 (issue #5): binary
/// snapshots, one frame of `Twin`'s snapshot format per `snapshot_chunks` row, and the
/// company's `snapshot_format`. Version 3 (issue #13): binary snapshots only — before its
/// SQL runs, [`super::migrate`] replaces every operation-row snapshot by a binary one, in
/// the same transaction; the SQL then drops the operation rows' table and column.
///
/// Version 4 (issue #18): no table changes. A journal row of a batch that created or
/// updated nothing may be a summary row (its job and counts, no records), which an older
/// ewa would take for damage; the version makes it refuse the file as newer instead.
///
/// Version 5 (issue #17): `employee_views`, one row per employee holding its slice of the
/// twin in the snapshot format, kept current by every write once a compaction wrote them
/// all ([`super::views`]); an older ewa would write without keeping them current.
const MIGRATIONS: [&str; 5] = [
    r#"
CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
INSERT INTO store_meta (key, value) VALUES ('epoch', 0);

-- One row per company. `head_seq` is the last journal sequence number; the journal holds
-- exactly the rows snapshot_seq+1 ..= head_seq, the snapshot covers 1 ..= snapshot_seq.
CREATE TABLE companies (
    company_id        TEXT PRIMARY KEY,
    epoch             INTEGER NOT NULL,
    config            TEXT NOT NULL,
    head_seq          INTEGER NOT NULL CHECK (head_seq >= 0),
    snapshot_seq      INTEGER NOT NULL CHECK (snapshot_seq >= 0 AND snapshot_seq <= head_seq),
    snapshot_job      INTEGER NOT NULL CHECK (snapshot_job >= 0),
    snapshot_known_to INTEGER,
    snapshot_mode     TEXT NOT NULL CHECK (snapshot_mode IN ('none', 'canonical', 'folded')),
    snapshot_rows     INTEGER NOT NULL CHECK (snapshot_rows >= 0),
    checksum          INTEGER NOT NULL
) STRICT;

-- Every accepted operation, appended in the transaction that records it.
CREATE TABLE journal (
    company_id     TEXT NOT NULL REFERENCES companies (company_id),
    seq            INTEGER NOT NULL CHECK (seq >= 1),
    op             TEXT NOT NULL CHECK (op IN ('apply', 'advance', 'cancel')),
    kind           TEXT,
    at_us          INTEGER NOT NULL,
    job            INTEGER,
    payload        TEXT NOT NULL,
    count_received INTEGER,
    count_accepted INTEGER,
    count_rejected INTEGER,
    outcome        TEXT,
    amount         INTEGER,
    fee            INTEGER,
    checksum       INTEGER NOT NULL,
    PRIMARY KEY (company_id, seq)
) STRICT, WITHOUT ROWID;

-- The latest snapshot of each company: operations that rebuild the twin.
CREATE TABLE snapshot_ops (
    company_id     TEXT NOT NULL REFERENCES companies (company_id),
    seq            INTEGER NOT NULL CHECK (seq >= 1),
    op             TEXT NOT NULL CHECK (op IN ('apply', 'advance', 'cancel', 'batch', 'restore')),
    kind           TEXT,
    at_us          INTEGER NOT NULL,
    job            INTEGER,
    payload        TEXT NOT NULL,
    count_received INTEGER,
    count_accepted INTEGER,
    count_rejected INTEGER,
    outcome        TEXT,
    amount         INTEGER,
    fee            INTEGER,
    checksum       INTEGER NOT NULL,
    PRIMARY KEY (company_id, seq)
) STRICT, WITHOUT ROWID;
"#,
    r#"
-- How the snapshot is stored: operation rows (`ops`, every version-1 snapshot) or binary
-- frames (`binary`).
ALTER TABLE companies ADD COLUMN snapshot_format TEXT NOT NULL DEFAULT 'ops'
    CHECK (snapshot_format IN ('ops', 'binary'));

-- The latest binary snapshot of each company: frame `seq` of the twin's snapshot stream
-- (each at most 64 MiB; a rowid table, as the rows are large).
CREATE TABLE snapshot_chunks (
    company_id TEXT NOT NULL REFERENCES companies (company_id),
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    data       BLOB NOT NULL,
    checksum   INTEGER NOT NULL,
    PRIMARY KEY (company_id, seq)
) STRICT;
"#,
    r#"
-- Every snapshot is binary now (super::migrate converted the operation rows).
DROP TABLE snapshot_ops;
ALTER TABLE companies DROP COLUMN snapshot_format;
"#,
    r#"
-- Summary rows in the journal (super::replay::SUMMARY_PAYLOAD): no table changes.
SELECT 1;
"#,
    r#"
-- One view per employee: its slice of the twin (snapshot format), current as of the
-- company's head_seq while store_meta holds `views:<company_id>` = 1 (super::views).
CREATE TABLE employee_views (
    company_id  TEXT NOT NULL REFERENCES companies (company_id),
    employee_id TEXT NOT NULL,
    data        BLOB NOT NULL,
    PRIMARY KEY (company_id, employee_id)
) STRICT;
"#,
];

/// The first version with `employee_views`.
const VIEWS_VERSION: u32 = 5;

/// The version whose migration first converts the operation-row snapshots (Rust code,
/// run before that version's SQL).
const BINARY_ONLY: usize = 3;

/// Checks that `conn` is an ewa store of a version this build reads, creating the schema
/// in an empty file and migrating an older one. `path` is for messages.
pub(crate) fn prepare(conn: &mut Connection, path: &str) -> Result<()> {
    let version = identify(conn, path)?;
    if version == 0 {
        // A new file: large pages, and pages freed by a compaction given back to the file
        // system (`Store::shrink`), both set before the first table (no-ops on an existing
        // file).
        conn.execute_batch(&format!(
            "PRAGMA page_size = {PAGE_SIZE}; PRAGMA auto_vacuum = INCREMENTAL;"
        ))
        .map_err(|e| storage(path, "cannot set the page size", e))?;
    }
    if version < SCHEMA_VERSION {
        migrate(conn, path)?;
    }
    // WAL: readers never wait for the writer; FULL: an acknowledged commit survives a crash.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| storage(path, "cannot enable WAL", e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Storage {
            message: format!("{path}: the store needs WAL journaling, SQLite gave `{mode}`"),
        });
    }
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .map_err(|e| storage(path, "cannot set pragmas", e))?;
    check_tables(conn, path, SCHEMA_VERSION)
}

/// Checks, without writing anything, that a connection opened read-only is an ewa store
/// this build reads as it is; returns false for an empty file (no store in it yet, and
/// none is created). A file of an older schema must be opened for writing once (any write
/// command migrates it).
pub(crate) fn inspect(conn: &Connection, path: &str) -> Result<bool> {
    let version = identify(conn, path)?;
    if version == 0 {
        return Ok(false);
    }
    // Version 3 files differ from version 4 only in rows they cannot hold yet: this build
    // reads them as they are.
    if version < BINARY_ONLY as u32 {
        return Err(Error::Storage {
            message: format!(
                "{path} has store schema version {version}; this ewa migrates it to version {SCHEMA_VERSION} \
                 when it opens it for writing (any write command), not on a read-only open"
            ),
        });
    }
    check_tables(conn, path, version)?;
    Ok(true)
}

/// The file's schema version, once it is known to be an ewa store (or an empty file,
/// version 0) of a version this build understands.
fn identify(conn: &Connection, path: &str) -> Result<u32> {
    let (app, version) = header(conn, path)?;
    if app == 0 && version == 0 {
        let tables = user_tables(conn, path)?;
        if !tables.is_empty() {
            return Err(Error::Storage {
                message: format!(
                    "{path} is not an ewa store: it is a SQLite database of another application (tables: {})",
                    tables.join(", ")
                ),
            });
        }
    } else if app != APPLICATION_ID {
        return Err(Error::Storage {
            message: format!("{path} is not an ewa store: its application_id is {app:#x}, ewa's is {APPLICATION_ID:#x}"),
        });
    }
    check_version(version, path)?;
    Ok(version)
}

/// Checks that a file of schema `version` has the tables of that version: a version-4
/// file read as it is (read-only) has no `employee_views` (its reads load the company).
fn check_tables(conn: &Connection, path: &str, version: u32) -> Result<()> {
    let tables = user_tables(conn, path)?;
    let mut wanted = TABLES
        .iter()
        .filter(|t| version >= VIEWS_VERSION || **t != "employee_views");
    if let Some(missing) = wanted.find(|t| !tables.iter().any(|x| x == *t)) {
        return Err(super::damaged(format!(
            "{path}: the ewa store is damaged: table `{missing}` is missing"
        )));
    }
    Ok(())
}

fn check_version(version: u32, path: &str) -> Result<()> {
    if version > SCHEMA_VERSION {
        return Err(Error::Storage {
            message: format!(
                "{path} has store schema version {version}, newer than version {SCHEMA_VERSION} that this ewa understands; upgrade ewa to open it"
            ),
        });
    }
    Ok(())
}

/// `(application_id, user_version)`; the first read of a file that is not SQLite fails here.
fn header(conn: &Connection, path: &str) -> Result<(i32, u32)> {
    let app: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| not_a_store(path, e))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| not_a_store(path, e))?;
    let version = u32::try_from(version).map_err(|_| Error::Storage {
        message: format!("{path} has an invalid store schema version {version}"),
    })?;
    Ok((app, version))
}

fn not_a_store(path: &str, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::Storage {
            message: format!("{path} is not an ewa store: file is not a database"),
        },
        _ => storage(path, "cannot read the file header", e),
    }
}

fn user_tables(conn: &Connection, path: &str) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .map_err(|e| not_a_store(path, e))?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| not_a_store(path, e))?;
    rows.collect::<rusqlite::Result<Vec<String>>>()
        .map_err(|e| not_a_store(path, e))
}

/// Runs the missing migrations in one immediate transaction, re-reading the version under
/// the write lock (another process may have migrated meanwhile).
fn migrate(conn: &mut Connection, path: &str) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| storage(path, "cannot lock the store to create its schema", e))?;
    let (app, version) = header(&tx, path)?;
    check_version(version, path)?;
    if version == 0 && (app != 0 || !user_tables(&tx, path)?.is_empty()) {
        return Err(Error::Storage {
            message: format!("{path} is not an ewa store: another process wrote to it meanwhile"),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        if i + 1 == BINARY_ONLY {
            super::migrate::ops_snapshots_to_binary(&tx, path)?;
        }
        tx.execute_batch(sql).map_err(|e| {
            storage(
                path,
                &format!("migration to schema version {} failed", i + 1),
                e,
            )
        })?;
    }
    tx.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
    ))
    .map_err(|e| storage(path, "cannot record the schema version", e))?;
    tx.commit()
        .map_err(|e| storage(path, "cannot commit the schema", e))
}
