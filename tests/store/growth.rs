//! Store growth (issue #17 item 3, #18 item 5): a write past the journal threshold compacts
//! its company in the same transaction, with answers unchanged; a batch that changes
//! nothing does not store its records; compaction gives the freed pages back.

use crate::common::{answers, t, TempDir};
use ewa::store::{AutoCompact, Store, StoreOptions};
use ewa::{AdvanceRequest, Company, Delivery, Kind};
use serde_json::{json, Value};
use std::path::Path;

const EMPLOYEES: usize = 50;
const DAYS: usize = 20;

fn open(path: &Path, auto: Option<AutoCompact>) -> Store {
    let options = StoreOptions {
        auto_compact: auto,
        ..StoreOptions::default()
    };
    Store::open_with(path, &options).unwrap()
}

fn setup(store: &mut Store) {
    store
        .create_company(&Company::new("acme", chrono_tz::UTC))
        .unwrap();
    let at = t("2026-06-01T00:00:00Z");
    let schedule = json!({"pay_schedule_id": "m", "frequency": "monthly", "alignment": "arrears",
        "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]});
    let contract = json!({"contract_id": "c1", "pay_schedule_id": "m", "currency": "EUR",
        "wage_rate_period": "hourly", "wage_rate_amount": 2000});
    store
        .apply("acme", Kind::PaySchedules, &[schedule], at)
        .unwrap();
    store
        .apply("acme", Kind::Contracts, &[contract], at)
        .unwrap();
    let employees: Vec<Value> = (0..EMPLOYEES)
        .map(|e| json!({"employee_id": format!("e{e}"), "contract_id": "c1", "contract_start_on": "2026-01-01"}))
        .collect();
    store
        .apply("acme", Kind::Employees, &employees, at)
        .unwrap();
}

/// Every employee's shift of each day, 09:00 to `stop_hour`:00.
fn shifts(stop_hour: u32) -> Vec<Value> {
    (0..EMPLOYEES)
        .flat_map(|e| {
            (1..=DAYS).map(move |d| {
                json!({"shift_id": format!("s{e}-{d}"), "shift_status": "approved", "employee_id": format!("e{e}"),
                       "start_at": format!("2026-06-{d:02}T09:00:00Z"), "stop_at": format!("2026-06-{d:02}T{stop_hour}:00:00Z")})
            })
        })
        .collect()
}

/// Bytes of the file once closed (its WAL checkpointed into it and removed).
fn closed_size(path: &Path) -> u64 {
    assert!(!Path::new(&format!("{}-wal", path.display())).exists());
    std::fs::metadata(path).unwrap().len()
}

fn all_answers(store: &Store) -> String {
    let twin = store.load("acme").unwrap();
    let shifts: Vec<String> = (0..3).map(|e| format!("s{e}-1")).collect();
    answers(
        &twin,
        &[t("2026-06-15T12:00:00Z"), t("2026-06-25T12:00:00Z")],
        &[("m", "2026-06")],
        &shifts,
    )
}

#[test]
fn a_write_past_the_threshold_compacts_and_answers_do_not_change() {
    let dir = TempDir::new("auto");
    let rows = AutoCompact {
        rows: 5,
        bytes: u64::MAX,
    };
    let bytes = AutoCompact {
        rows: u64::MAX,
        bytes: 50_000,
    };
    let mut stores = [
        open(&dir.file("never.db"), None),
        open(&dir.file("rows.db"), Some(rows)),
        open(&dir.file("bytes.db"), Some(bytes)),
    ];
    for s in &mut stores {
        setup(s);
    }
    // 3 setup rows, then per round: a shift batch (≈ 150 kB of JSON, over the byte
    // limit) and two advance requests (small).
    for round in 0..4u32 {
        let at = t(&format!("2026-06-{:02}T00:00:00Z", 21 + round));
        for s in &mut stores {
            let r = s
                .apply("acme", Kind::Shifts, &shifts(16 + round % 2), at)
                .unwrap();
            assert_eq!(r.count_rejected, 0);
            for k in 0..2 {
                let req = AdvanceRequest {
                    advance_id: format!("a{round}-{k}"),
                    employee_id: format!("e{k}"),
                    amount: 1000,
                    requested_at: at,
                    delivery: Delivery::Standard,
                };
                s.request_advance("acme", &req).unwrap();
            }
        }
    }
    let info: Vec<_> = stores.iter().map(|s| s.info("acme").unwrap()).collect();
    // 3 + 4 × 3 = 15 operations each.
    assert!(info.iter().all(|i| i.head_seq == 15), "{info:?}");
    // Never: the whole journal. Rows: compacted at rows 5, 10 and 15 (each write that
    // made the tail 5 rows long), so the tail is empty. Bytes: each shift batch made the
    // tail pass 50 kB, so the last compaction was at seq 13 (round 3's shift batch).
    assert_eq!((info[0].journal_rows, info[0].snapshot_seq), (15, 0));
    assert_eq!((info[1].journal_rows, info[1].snapshot_seq), (0, 15));
    assert_eq!((info[2].journal_rows, info[2].snapshot_seq), (2, 13));
    // The same answers, warm and cold (a new handle loads snapshot + tail).
    let expected = all_answers(&stores[0]);
    for s in &stores[1..] {
        assert_eq!(all_answers(s), expected);
        let cold = Store::open(s.path()).unwrap();
        assert_eq!(all_answers(&cold), expected);
    }
}

/// A run of writes without automatic compaction (as `ewa ingest` makes them) compacts once
/// at its end, and only when the tail has reached the limits: 3 setup rows, then each
/// shift batch one row of ≈ 150 kB.
#[test]
fn compact_if_due_compacts_only_a_tail_past_the_limits() {
    let dir = TempDir::new("due");
    let mut store = open(&dir.file("run.db"), None);
    setup(&mut store);
    let limits = AutoCompact {
        rows: 5,
        bytes: u64::MAX,
    };
    // 3 rows: below 5, nothing happens.
    assert_eq!(store.compact_if_due("acme", limits).unwrap(), None);
    assert_eq!(store.info("acme").unwrap().journal_rows, 3);
    for (k, stop_hour) in [16, 17].into_iter().enumerate() {
        let at = t(&format!("2026-06-{:02}T00:00:00Z", 21 + k));
        store
            .apply("acme", Kind::Shifts, &shifts(stop_hour), at)
            .unwrap();
    }
    // 5 rows, none compacted by the writes themselves; now one compaction folds them all.
    assert_eq!(store.info("acme").unwrap().journal_rows, 5);
    let report = store.compact_if_due("acme", limits).unwrap().unwrap();
    assert_eq!((report.journal_rows_trimmed, report.seq), (5, 5));
    let info = store.info("acme").unwrap();
    assert_eq!((info.journal_rows, info.snapshot_seq), (0, 5));
    // By bytes: one more batch of ≈ 150 kB reaches a 100 kB limit, not a 1 MB one.
    let at = t("2026-06-25T00:00:00Z");
    store.apply("acme", Kind::Shifts, &shifts(18), at).unwrap();
    let by_bytes = |bytes| AutoCompact {
        rows: u64::MAX,
        bytes,
    };
    assert_eq!(
        store.compact_if_due("acme", by_bytes(1 << 20)).unwrap(),
        None
    );
    let report = store.compact_if_due("acme", by_bytes(100_000)).unwrap();
    assert_eq!(report.map(|r| r.journal_rows_trimmed), Some(1));
    let expected = all_answers(&store);
    assert_eq!(all_answers(&Store::open(store.path()).unwrap()), expected);
    assert!(store.compact_if_due("nobody", limits).is_err());
}

#[test]
fn a_batch_that_changes_nothing_keeps_no_records() {
    let dir = TempDir::new("same");
    let path = dir.file("s.db");
    let mut store = open(&path, None);
    setup(&mut store);
    let batch = shifts(17);
    let size = serde_json::to_vec(&batch).unwrap().len() as u64;
    let r = store
        .apply("acme", Kind::Shifts, &batch, t("2026-06-21T00:00:00Z"))
        .unwrap();
    assert_eq!(r.count_accepted, EMPLOYEES * DAYS);
    drop(store);
    let before = closed_size(&path);
    let mut store = open(&path, None);
    // The identical batch again: every record unchanged.
    let r = store
        .apply("acme", Kind::Shifts, &batch, t("2026-06-22T00:00:00Z"))
        .unwrap();
    assert_eq!(
        r.count(ewa::Outcome::Unchanged),
        EMPLOYEES * DAYS,
        "{}",
        r.job_id
    );
    assert_eq!(r.job_id, "job-5");
    // A batch of rejected records only (no shift_status).
    let rejected: Vec<Value> = (0..500)
        .map(|i| json!({"shift_id": format!("x{i}"), "employee_id": "e0"}))
        .collect();
    let r = store
        .apply("acme", Kind::Shifts, &rejected, t("2026-06-22T00:00:00Z"))
        .unwrap();
    assert_eq!((r.count_rejected, r.job_id.as_str()), (500, "job-6"));
    drop(store);
    let after = closed_size(&path);
    // The file holds the two jobs' counts, not their records (≈ 134 kB of JSON, then 500
    // small records): one 64 KiB page at most.
    assert!(size > 100_000, "{size}");
    assert!(after <= before + 65_536, "{before} -> {after} bytes");
    // A reload replays both as jobs that changed nothing, and the job ids go on.
    let mut store = open(&path, None);
    let twin = store.load("acme").unwrap();
    assert_eq!(
        (twin.job_count(), twin.counts().shifts),
        (6, EMPLOYEES * DAYS)
    );
    let r = store
        .apply("acme", Kind::Shifts, &shifts(16), t("2026-06-23T00:00:00Z"))
        .unwrap();
    assert_eq!(
        (r.job_id.as_str(), r.count_accepted),
        ("job-7", EMPLOYEES * DAYS)
    );
}

#[test]
fn compact_shrinks_the_file() {
    for vacuum_was_off in [false, true] {
        let dir = TempDir::new("shrink");
        let path = dir.file("s.db");
        let mut store = open(&path, None);
        setup(&mut store);
        if vacuum_was_off {
            // As a file created before schema version 4: no incremental vacuum.
            drop(store);
            let raw = rusqlite::Connection::open(&path).unwrap();
            raw.execute_batch("PRAGMA auto_vacuum = NONE; VACUUM;")
                .unwrap();
            drop(raw);
            store = open(&path, None);
        }
        // Ten versions of every shift: ten batches of JSON in the journal.
        for v in 0..10u32 {
            let at = t(&format!("2026-06-{:02}T00:00:00Z", 21 + v % 5));
            store
                .apply("acme", Kind::Shifts, &shifts(15 + v % 3), at)
                .unwrap();
        }
        let expected = all_answers(&store);
        drop(store);
        let before = closed_size(&path);
        let mut store = open(&path, None);
        store.compact("acme").unwrap();
        drop(store);
        let after = closed_size(&path);
        // The binary snapshot (every version kept) is far smaller than the JSON it
        // replaces (about 1.3 MB of JSON); the freed pages are returned to the file system.
        assert!(
            after * 10 <= before * 6,
            "vacuum off: {vacuum_was_off}: {before} -> {after} bytes"
        );
        let store = open(&path, None);
        assert_eq!(all_answers(&store), expected);
    }
}

#[test]
fn history_prints_the_latest_versions_and_counts_the_rest() {
    let dir = TempDir::new("history");
    let path = dir.file("ewa.db");
    let mut twin = ewa::Twin::new(Company::new("acme", chrono_tz::UTC));
    let at = t("2026-06-01T00:00:00Z");
    // One shift pushed 1,005 times, each push a change (its stop alternates): 1,005
    // versions, all kept (SPEC §2).
    for v in 0..1_005u32 {
        let shift = json!({"shift_id": "s", "shift_status": "approved",
            "start_at": "2026-06-02T09:00:00Z", "stop_at": format!("2026-06-02T{}:00:00Z", 16 + v % 2)});
        let r = twin.apply(Kind::Shifts, &[shift], at).unwrap();
        assert_eq!(r.count_accepted, 1);
    }
    Store::open(&path).unwrap().import(&twin).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ewa"))
            .args(args)
            .current_dir(&dir.0)
            .output()
            .unwrap()
    };
    let o = run(&["history", "--shift", "s"]);
    assert_eq!(o.status.code(), Some(0));
    let shown: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    // The latest 1,000 (versions 6 to 1,005), numbered as in the full history.
    assert_eq!(shown.len(), 1_000);
    assert_eq!(
        (shown[0]["version"].as_u64(), shown[999]["version"].as_u64()),
        (Some(6), Some(1_005))
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "ewa: 5 earlier versions of shift `s` not shown (--all shows them)\n"
    );
    let o = run(&["history", "--shift", "s", "--all"]);
    let every: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((every.len(), o.stderr.len()), (1_005, 0));
}
