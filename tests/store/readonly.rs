//! Read-only stores (issue #18 item 7, #17 item 10): commands that only read open the file
//! read-only, so a store on a read-only directory answers them; an empty file is not turned
//! into a store; `ewa demo` never replaces a company it did not create.

use crate::common::{t, TempDir};
use ewa::store::{Store, StoreOptions};
use ewa::{Company, Kind};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

/// A closed store (its WAL checkpointed and removed) with one company, one employee and
/// one shift.
fn store_with_a_shift(path: &Path) {
    let mut store = Store::open(path).unwrap();
    store
        .create_company(&Company::new("acme", chrono_tz::UTC))
        .unwrap();
    let at = t("2026-06-05T00:00:00Z");
    let batches = [
        (
            Kind::PaySchedules,
            json!({"pay_schedule_id": "m", "frequency": "monthly", "alignment": "arrears",
            "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]}),
        ),
        (
            Kind::Contracts,
            json!({"contract_id": "c1", "pay_schedule_id": "m", "currency": "EUR",
            "wage_rate_period": "hourly", "wage_rate_amount": 2000}),
        ),
        (
            Kind::Employees,
            json!({"employee_id": "e1", "contract_id": "c1", "contract_start_on": "2026-01-01"}),
        ),
        (
            Kind::Shifts,
            json!({"shift_id": "s1", "shift_status": "approved", "employee_id": "e1",
            "start_at": "2026-06-02T09:00:00Z", "stop_at": "2026-06-02T17:00:00Z"}),
        ),
    ];
    for (kind, record) in batches {
        let r = store.apply("acme", kind, &[record], at).unwrap();
        assert_eq!(r.count_accepted, 1, "{kind:?}");
    }
}

fn run(dir: &Path, as_nobody: bool, args: &[&str]) -> Output {
    let exe = env!("CARGO_BIN_EXE_ewa");
    let mut c = if as_nobody {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", exe]);
        c
    } else {
        Command::new(exe)
    };
    c.args(args).current_dir(dir).output().unwrap()
}

/// Whether this process can create a file in `dir` despite its permissions (root can).
fn writes_anyway(dir: &Path) -> bool {
    let probe = dir.join("probe");
    let wrote = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(&probe);
    wrote
}

/// Whether `setpriv` can run a command as `nobody` here (root in a container usually can).
fn setpriv_works() -> bool {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn read_commands_answer_from_a_read_only_directory() {
    let dir = TempDir::new("rodir");
    let path = dir.file("ewa.db");
    store_with_a_shift(&path);
    assert!(!dir.file("ewa.db-wal").exists());
    let before = std::fs::read(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o555)).unwrap();
    // chmod binds everyone but root: as root, run the commands as `nobody` if possible.
    let as_nobody = writes_anyway(&dir.0);
    if as_nobody && !setpriv_works() {
        std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: running as root without setpriv; see read_only_open_writes_nothing");
        return;
    }
    let d = &dir.0;
    let o = run(d, as_nobody, &["companies"]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["company_id"], "acme", "{v}");
    let o = run(
        d,
        as_nobody,
        &[
            "eligibility",
            "--employee",
            "e1",
            "--as-of",
            "2026-06-10T00:00:00Z",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // 8 h × 20.00 = 160.00 earned; half of it (the default access rate 0.5) less nothing
    // drawn: 8000 minor units.
    assert_eq!(v["available"], 8000, "{v}");
    let o = run(d, as_nobody, &["history", "--shift", "s1"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(
        d,
        as_nobody,
        &[
            "advance",
            "quote",
            "--employee",
            "e1",
            "--amount",
            "1000",
            "--at",
            "2026-06-10T00:00:00Z",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A write is a storage error, and nothing in the directory changed.
    let o = run(d, as_nobody, &["compact"]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let mut names: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["ewa.db"]);
}

#[test]
fn read_only_open_writes_nothing() {
    let dir = TempDir::new("roflag");
    let path = dir.file("s.db");
    store_with_a_shift(&path);
    let before = std::fs::read(&path).unwrap();
    let options = StoreOptions {
        read_only: true,
        ..StoreOptions::default()
    };
    let mut store = Store::open_with(&path, &options).unwrap();
    assert_eq!(store.companies().unwrap(), ["acme"]);
    let twin = store.twin("acme").unwrap().clone();
    assert_eq!(twin.counts().shifts, 1);
    assert_eq!(store.load("acme").unwrap().counts().shifts, 1);
    // Every write is refused before it touches the file.
    let at = t("2026-06-06T00:00:00Z");
    for e in [
        store.apply("acme", Kind::Shifts, &[], at).unwrap_err(),
        store.compact("acme").unwrap_err(),
        store
            .create_company(&Company::new("beta", chrono_tz::UTC))
            .unwrap_err(),
        store.delete_company("acme").unwrap_err(),
    ] {
        assert!(e.is_storage() && !e.is_locked(), "{e:?}");
        assert!(e.to_string().contains("is open read-only"), "{e}");
    }
    drop(store);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // A read-only open never creates a file.
    let absent = dir.file("absent.db");
    assert!(Store::open_with(&absent, &options)
        .unwrap_err()
        .is_storage());
    assert!(!absent.exists());
}

#[test]
fn companies_on_an_empty_file_leave_it_empty() {
    let dir = TempDir::new("empty");
    let path = dir.file("ewa.db");
    std::fs::write(&path, b"").unwrap();
    let o = run(&dir.0, false, &["companies"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap(),
        json!([])
    );
    let o = run(&dir.0, false, &["eligibility", "--all"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        0,
        "the empty file became a store"
    );
    // Through the library, read-only: no company, and the file stays empty.
    let options = StoreOptions {
        read_only: true,
        ..StoreOptions::default()
    };
    let store = Store::open_with(&path, &options).unwrap();
    assert!(store.companies().unwrap().is_empty());
    assert!(store.load("acme").unwrap_err().is_unknown_company());
    drop(store);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
}

#[test]
fn demo_refuses_to_replace_a_company_it_did_not_create() {
    let dir = TempDir::new("demo-real");
    let path = dir.file("ewa.db");
    store_with_a_shift(&path);
    let o = run(
        &dir.0,
        false,
        &["--company", "acme", "demo", "--employees", "3"],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("company `acme` in ewa.db was not created by `ewa demo`"),
        "{err}"
    );
    // acme and its data are untouched.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.load("acme").unwrap().counts().shifts, 1);
    assert!(!store.is_demo_company("acme").unwrap());
    drop(store);
    // A demo company is replaced, as before, and stays marked.
    for _ in 0..2 {
        let o = run(
            &dir.0,
            false,
            &["--company", "play", "demo", "--employees", "3"],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let mut store = Store::open(&path).unwrap();
    assert!(store.is_demo_company("play").unwrap());
    // The mark goes with the company: a real company created later under the same id is
    // not a demo one.
    assert!(store.delete_company("play").unwrap());
    store
        .create_company(&Company::new("play", chrono_tz::UTC))
        .unwrap();
    assert!(!store.is_demo_company("play").unwrap());
    assert!(store
        .replace_demo_company(&Company::new("play", chrono_tz::UTC))
        .unwrap_err()
        .is_input());
}
