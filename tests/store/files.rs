//! Files that are not a healthy ewa store of this version: each is an exact
//! `Error::Storage`, never a panic and never a silently different twin.

use crate::common::{answers, shown, t, TempDir};
use ewa::store::{Store, StoreOptions, SCHEMA_VERSION};
use ewa::{Company, Error, Kind};
use serde_json::json;
use std::path::Path;

fn storage_error(r: ewa::Result<Store>) -> Error {
    let e = r.expect_err("the file must be refused");
    assert!(e.is_storage(), "{e:?}");
    e
}

/// A store with one company and a few rows, closed (so the WAL is checkpointed).
fn healthy(path: &Path) -> ewa::Twin {
    let mut store = Store::open(path).unwrap();
    store
        .create_company(&Company::new("acme", chrono_tz::UTC))
        .unwrap();
    let at = t("2026-06-01T00:00:00Z");
    store
        .apply("acme", Kind::PaySchedules, &[json!({"pay_schedule_id": "m", "frequency": "monthly",
            "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]})], at)
        .unwrap();
    store
        .apply(
            "acme",
            Kind::Contracts,
            &[
                json!({"contract_id": "c", "pay_schedule_id": "m", "currency": "EUR",
            "wage_rate_period": "hourly", "wage_rate_amount": 2000}),
            ],
            at,
        )
        .unwrap();
    let employees: Vec<_> = (0..40)
        .map(|i| {
            json!({"employee_id": format!("e{i}"), "contract_id": "c",
        "given_name": format!("Name number {i} with some padding to fill pages")})
        })
        .collect();
    store
        .apply("acme", Kind::Employees, &employees, at)
        .unwrap();
    let shifts: Vec<_> = (0..200)
        .map(|i| json!({"shift_id": format!("s{i}"), "shift_status": "approved", "employee_id": format!("e{}", i % 40),
            "start_at": format!("2026-06-{:02}T08:00:00Z", 1 + i / 40), "stop_at": format!("2026-06-{:02}T16:00:00Z", 1 + i / 40)}))
        .collect();
    store.apply("acme", Kind::Shifts, &shifts, at).unwrap();
    store.compact("acme").unwrap();
    store
        .apply(
            "acme",
            Kind::Shifts,
            &[
                json!({"shift_id": "late", "shift_status": "approved", "employee_id": "e1",
        "start_at": "2026-06-20T08:00:00Z", "stop_at": "2026-06-20T10:00:00Z"}),
            ],
            at,
        )
        .unwrap();
    let twin = store.load("acme").unwrap();
    drop(store);
    twin
}

#[test]
fn a_text_file_is_not_a_store() {
    let dir = TempDir::new("text");
    let path = dir.file("notes.db");
    std::fs::write(&path, "these are my notes, not a database\n".repeat(100)).unwrap();
    assert_eq!(
        storage_error(Store::open(&path)),
        Error::Storage {
            message: format!(
                "{} is not an ewa store: file is not a database",
                shown(&path)
            )
        }
    );
    // And the file is left as it was.
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("these are my notes"));
}

#[test]
fn another_applications_database_is_not_a_store() {
    let dir = TempDir::new("foreign");
    let path = dir.file("other.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER); CREATE TABLE users (name TEXT);")
        .unwrap();
    drop(c);
    assert_eq!(
        storage_error(Store::open(&path)),
        Error::Storage {
            message: format!(
                "{} is not an ewa store: it is a SQLite database of another application (tables: accounts, users)",
                shown(&path)
            )
        }
    );
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("PRAGMA application_id = 42;").unwrap();
    drop(c);
    assert_eq!(
        storage_error(Store::open(&path)),
        Error::Storage {
            message: format!(
                "{} is not an ewa store: its application_id is 0x2a, ewa's is 0x65776121",
                shown(&path)
            )
        }
    );
}

#[test]
fn a_newer_schema_is_refused_not_guessed() {
    let dir = TempDir::new("newer");
    let path = dir.file("newer.db");
    healthy(&path);
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(&format!("PRAGMA user_version = {};", SCHEMA_VERSION + 1))
        .unwrap();
    drop(c);
    assert_eq!(
        storage_error(Store::open(&path)),
        Error::Storage {
            message: format!(
                "{} has store schema version {}, newer than version {SCHEMA_VERSION} that this ewa understands; upgrade ewa to open it",
                shown(&path),
                SCHEMA_VERSION + 1
            )
        }
    );
}

#[test]
fn a_damaged_schema_is_named() {
    let dir = TempDir::new("damaged");
    let path = dir.file("damaged.db");
    healthy(&path);
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("DROP TABLE snapshot_chunks;").unwrap();
    drop(c);
    assert_eq!(
        storage_error(Store::open(&path)),
        Error::Damaged {
            message: format!(
                "{}: the ewa store is damaged: table `snapshot_chunks` is missing",
                shown(&path)
            ),
            cause: None,
        }
    );
}

#[test]
fn a_missing_file_is_created_only_when_asked() {
    let dir = TempDir::new("missing");
    let path = dir.file("absent.db");
    let options = StoreOptions {
        create: false,
        ..StoreOptions::default()
    };
    assert_eq!(
        storage_error(Store::open_with(&path, &options)),
        Error::Storage {
            message: format!(
                "no ewa store at {} (create one with `ewa init` or `ewa demo`)",
                shown(&path)
            )
        }
    );
    assert!(!path.exists());
    // An empty file is an empty store.
    std::fs::write(&path, b"").unwrap();
    assert!(Store::open_with(&path, &options)
        .unwrap()
        .companies()
        .unwrap()
        .is_empty());
}

#[test]
fn a_truncated_file_is_corrupt() {
    let dir = TempDir::new("truncated");
    let path = dir.file("cut.db");
    healthy(&path);
    let len = std::fs::metadata(&path).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(len / 2).unwrap();
    drop(f);
    let e = match Store::open(&path) {
        Err(e) => e,
        Ok(s) => s.load("acme").expect_err("a truncated file cannot load"),
    };
    assert!(e.is_storage(), "{e:?}");
    let m = e.to_string();
    assert!(
        m.contains("the file is corrupt (database disk image is malformed)"),
        "{m}"
    );
}

/// Every page of a healthy file overwritten in turn: each time the store either refuses
/// the file with a storage error or loads exactly the twin that was saved.
#[test]
fn a_damaged_page_is_an_error_or_harmless_never_a_different_twin() {
    let dir = TempDir::new("pages");
    let path = dir.file("base.db");
    let twin = healthy(&path);
    let bytes = std::fs::read(&path).unwrap();
    // The file's page size (header bytes 16–17, big-endian; 1 means 65536).
    let page = match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65_536,
        n => usize::from(n),
    };
    let (mut refused, mut harmless) = (0, 0);
    for (n, start) in (0..bytes.len()).step_by(page).enumerate() {
        let copy = dir.file(&format!("page-{n}.db"));
        let mut damaged = bytes.clone();
        let end = (start + page).min(damaged.len());
        // Keep the 100-byte header of page 1 (its damage is the text-file case above);
        // overwrite the rest of the page with a pattern.
        let from = if start == 0 { 100 } else { start };
        for (i, b) in damaged[from..end].iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(31).wrapping_add(7);
        }
        std::fs::write(&copy, &damaged).unwrap();
        let outcome = Store::open(&copy).and_then(|s| {
            s.load("acme")?;
            s.integrity_check()?;
            s.load("acme")
        });
        match outcome {
            Err(e) => {
                assert!(e.is_storage(), "page {n}: {e:?}");
                refused += 1;
            }
            Ok(loaded) => {
                assert!(
                    loaded == twin,
                    "page {n}: a damaged file loaded a different twin"
                );
                harmless += 1;
            }
        }
    }
    eprintln!("damaged pages: {refused} refused, {harmless} harmless");
    assert!(refused > 0, "no damage was detected ({harmless} harmless)");
}

/// A file of schema version 1 (operation-row snapshots, written by the store before issue
/// #13) is migrated once when opened: it reads at the current version, every company loads
/// and holds the twin's invariants, and a second open finds nothing to migrate and gives
/// the same answers. (That the answers are those of the old file is checked in the unit
/// tests, src/store/tests.rs, which replay the operations that wrote it.)
#[test]
fn a_version_1_file_is_migrated_once() {
    let dir = TempDir::new("v1");
    let path = dir.file("v1.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(include_str!("../../src/store/fixtures/v1.sql"))
        .unwrap();
    drop(c);
    let store = Store::open(&path).unwrap();
    let ids = store.companies().unwrap();
    assert_eq!(ids, ["acme", "moved", "plain"]);
    let instants = [t("2026-06-04T00:00:00Z"), t("2026-06-20T00:00:00Z")];
    let periods = [("bw", "p1"), ("bw", "p2")];
    let shifts = ["s1".to_string(), "s2".to_string()];
    let first: Vec<String> = ids
        .iter()
        .map(|id| {
            let twin = store.load(id).unwrap();
            twin.check_invariants().unwrap();
            answers(&twin, &instants, &periods, &shifts)
        })
        .collect();
    drop(store);
    let version: u32 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let store = Store::open(&path).unwrap();
    for (id, before) in ids.iter().zip(&first) {
        let twin = store.load(id).unwrap();
        assert_eq!(&answers(&twin, &instants, &periods, &shifts), before);
    }
}
