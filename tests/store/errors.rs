//! Library errors a caller can match without reading their text (issue #17 item 9): locked
//! (retry), damaged, unknown company, input; SQLite's error kept as the source.

use crate::common::{t, TempDir};
use ewa::store::{Store, StoreOptions};
use ewa::{Company, Error, Kind};
use serde_json::json;
use std::error::Error as _;
use std::time::Duration;

fn schedule() -> serde_json::Value {
    json!({"pay_schedule_id": "m", "frequency": "monthly",
        "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01",
                     "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]})
}

/// The SQLite error code behind an error's source.
fn sqlite_code(e: &Error) -> Option<rusqlite::ErrorCode> {
    e.source()?
        .downcast_ref::<rusqlite::Error>()?
        .sqlite_error_code()
}

#[test]
fn a_held_write_lock_is_locked_and_the_call_can_be_retried() {
    let dir = TempDir::new("locked");
    let path = dir.file("s.db");
    let options = StoreOptions {
        busy_timeout: Duration::from_millis(50),
        ..StoreOptions::default()
    };
    let mut store = Store::open_with(&path, &options).unwrap();
    store
        .create_company(&Company::new("acme", chrono_tz::UTC))
        .unwrap();
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let at = t("2026-06-01T00:00:00Z");
    let e = store
        .apply("acme", Kind::PaySchedules, &[schedule()], at)
        .unwrap_err();
    assert!(e.is_locked() && e.is_storage(), "{e:?}");
    assert!(!e.is_damaged() && !e.is_input() && !e.is_unknown_company());
    assert!(matches!(e, Error::Locked { .. }));
    assert_eq!(sqlite_code(&e), Some(rusqlite::ErrorCode::DatabaseBusy));
    // Nothing was written; once the lock is released the same call goes through.
    other.execute_batch("COMMIT").unwrap();
    let r = store
        .apply("acme", Kind::PaySchedules, &[schedule()], at)
        .unwrap();
    assert_eq!((r.job_id.as_str(), r.count_accepted), ("job-1", 1));
}

#[test]
fn a_tampered_row_is_damaged_without_a_sqlite_source() {
    let dir = TempDir::new("damaged");
    let path = dir.file("s.db");
    let mut store = Store::open(&path).unwrap();
    store
        .create_company(&Company::new("acme", chrono_tz::UTC))
        .unwrap();
    store
        .apply(
            "acme",
            Kind::PaySchedules,
            &[schedule()],
            t("2026-06-01T00:00:00Z"),
        )
        .unwrap();
    drop(store);
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute("UPDATE journal SET payload = payload || ' '", [])
        .unwrap();
    drop(raw);
    let e = Store::open(&path).unwrap().load("acme").unwrap_err();
    assert!(e.is_damaged() && e.is_storage() && !e.is_locked(), "{e:?}");
    // ewa's own checksum found it: there is no SQLite error behind it.
    assert!(e.source().is_none());
}

#[test]
fn a_corrupt_file_is_damaged_with_sqlites_error_as_source() {
    let dir = TempDir::new("corrupt");
    let path = dir.file("s.db");
    let mut store = Store::open(&path).unwrap();
    store
        .create_company(&Company::new("acme", chrono_tz::UTC))
        .unwrap();
    drop(store);
    let len = std::fs::metadata(&path).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(len / 2).unwrap();
    drop(f);
    let e = match Store::open(&path) {
        Err(e) => e,
        Ok(s) => s.load("acme").expect_err("a truncated file cannot load"),
    };
    assert!(e.is_damaged(), "{e:?}");
    assert_eq!(sqlite_code(&e), Some(rusqlite::ErrorCode::DatabaseCorrupt));
}

#[test]
fn an_unknown_company_is_its_own_variant_and_an_input_error() {
    let dir = TempDir::new("unknown");
    let mut store = Store::open(dir.file("s.db")).unwrap();
    let e = store.load("nope").unwrap_err();
    assert!(
        e.is_unknown_company() && e.is_input() && !e.is_storage(),
        "{e:?}"
    );
    assert!(matches!(&e, Error::UnknownCompany { company_id, .. } if company_id == "nope"));
    let e = store
        .apply("nope", Kind::Shifts, &[], t("2026-06-01T00:00:00Z"))
        .unwrap_err();
    assert!(e.is_unknown_company(), "{e:?}");
    assert!(store.info("nope").unwrap_err().is_unknown_company());
}

#[test]
fn a_bad_batch_is_an_input_error_not_a_storage_one() {
    let dir = TempDir::new("input");
    let mut store = Store::open(dir.file("s.db")).unwrap();
    store
        .create_company(&Company::new("acme", chrono_tz::UTC))
        .unwrap();
    let e = store
        .apply_json(
            "acme",
            Kind::Shifts,
            b"{not json",
            t("2026-06-01T00:00:00Z"),
        )
        .unwrap_err();
    assert!(
        e.is_input() && !e.is_storage() && !e.is_unknown_company(),
        "{e:?}"
    );
    assert!(matches!(e, Error::BatchRefused { .. }));
}

#[test]
fn a_file_that_cannot_be_opened_is_io_with_sqlites_error_as_source() {
    let dir = TempDir::new("io");
    let e = Store::open(dir.file("no-such-dir").join("s.db")).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    assert!(e.is_storage() && !e.is_locked() && !e.is_damaged());
    assert_eq!(sqlite_code(&e), Some(rusqlite::ErrorCode::CannotOpen));
}

/// The directory fsync of a write open (docs/reliability.md, "Durability") happens once the
/// `-wal` file exists, so it makes both directory entries durable before the first write.
#[test]
fn a_store_opened_for_writing_has_its_wal_before_any_write() {
    let dir = TempDir::new("wal");
    let path = dir.file("s.db");
    let store = Store::open(&path).unwrap();
    assert!(dir.file("s.db-wal").exists());
    drop(store);
    // Reopening an existing store (its WAL removed at the last close) recreates it.
    assert!(!dir.file("s.db-wal").exists());
    let _store = Store::open(&path).unwrap();
    assert!(dir.file("s.db-wal").exists());
}
