//! `ewa ingest` reading CSV and JSON Lines, end to end through the built binary: every
//! option (delimiter, encoding, trim, null token), the header rules (case, unknown with a
//! suggestion, duplicate, missing) refusing the file before anything is journaled, errors
//! naming line and column, the BOM, and JSON Lines equal to the JSON array.

// Tests may unwrap, expect and index: a panic there is a failing test, not a crash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "support/cli.rs"]
mod cli_support;

use crate::cli_support::{code, ewa, json, stderr};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicU64, Ordering};

/// A fresh temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("ewa-csv-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const AT: [&str; 2] = ["--received-at", "2026-06-05T00:00:00Z"];

/// A store with company `acme`, a monthly schedule and contract `c1`.
fn company(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let d = &dir.0;
    let o = ewa(d, &["--company", "acme", "init", "--timezone", "UTC"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::write(
        d.join("schedules.json"),
        r#"[{"pay_schedule_id": "m", "frequency": "monthly", "alignment": "arrears",
             "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]}]"#,
    )
    .unwrap();
    std::fs::write(
        d.join("contracts.json"),
        r#"[{"contract_id": "c1", "pay_schedule_id": "m", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 2000}]"#,
    )
    .unwrap();
    for (kind, file) in [
        ("pay-schedules", "schedules.json"),
        ("contracts", "contracts.json"),
    ] {
        let o = ingest(d, kind, file, &[]);
        assert_eq!(code(&o), 0, "{kind}: {}", stderr(&o));
    }
    dir
}

fn ingest(d: &Path, kind: &str, file: &str, extra: &[&str]) -> Output {
    ewa(
        d,
        &[&["ingest", "--entity", kind, file][..], &AT[..], extra].concat(),
    )
}

/// Writes `bytes` to `name` and ingests it; asserts exit 0 with every record accepted.
fn accepted(d: &Path, kind: &str, name: &str, bytes: &[u8], extra: &[&str]) -> Value {
    std::fs::write(d.join(name), bytes).unwrap();
    let o = ingest(d, kind, name, extra);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report = json(&o);
    assert_eq!(report["count_rejected"], 0, "{report}");
    report
}

/// Every journaled batch of `acme`, in order: the records as applied.
fn journal(d: &Path) -> Vec<Value> {
    let db = rusqlite::Connection::open(d.join("ewa.db")).unwrap();
    let mut q = db
        .prepare("SELECT payload FROM journal WHERE company_id = 'acme' ORDER BY seq")
        .unwrap();
    let rows = q.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(|p| serde_json::from_str(&p.unwrap()).unwrap())
        .collect()
}

/// The last journaled batch.
fn last_batch(d: &Path) -> Value {
    journal(d).pop().unwrap()
}

/// Ingests `text` as shifts and asserts the file is refused (exit 2) with nothing
/// journaled; returns the error line.
fn refused(d: &Path, name: &str, bytes: &[u8], extra: &[&str]) -> String {
    let before = journal(d);
    std::fs::write(d.join(name), bytes).unwrap();
    let o = ingest(d, "shifts", name, extra);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "no job report for a refused file");
    assert_eq!(journal(d), before, "a refused file journals nothing");
    stderr(&o)
}

#[test]
fn semicolon_delimiter_and_auto() {
    let dir = company("delim");
    let d = &dir.0;
    let text = b"employee_id;given_name;contract_id\ne1;Ana;c1\n";
    let r = accepted(d, "employees", "e.csv", text, &["--csv-delimiter", ";"]);
    assert_eq!(r["count_accepted"], 1);
    assert_eq!(
        last_batch(d),
        serde_json::json!([{"employee_id": "e1", "given_name": "Ana", "contract_id": "c1"}])
    );
    // `auto` sniffs `;` from the header line.
    let text = b"employee_id;family_name\ne1;Silva\n";
    accepted(d, "employees", "f.csv", text, &["--csv-delimiter", "auto"]);
    assert_eq!(last_batch(d)[0]["family_name"], "Silva");
    // Without the option `;` is no separator: the header is one unknown column.
    let err = refused(d, "g.csv", b"shift_id;shift_status\n", &[]);
    assert!(err.contains("is not a field of shifts"), "{err}");
}

#[test]
fn windows_1252_file_is_decoded() {
    let dir = company("cp1252");
    let d = &dir.0;
    // 0xE9 is `é` in windows-1252 (and Latin-1).
    let bytes = b"employee_id,given_name,contract_id\ne1,Ren\xE9,c1\n";
    // As UTF-8 it is refused, naming line and column, and nothing is journaled.
    let before = journal(d);
    std::fs::write(d.join("e.csv"), bytes).unwrap();
    let o = ingest(d, "employees", "e.csv", &[]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("line 2, column 2 (given_name): byte 0xE9 is not UTF-8"),
        "{}",
        stderr(&o)
    );
    assert_eq!(journal(d), before);
    accepted(
        d,
        "employees",
        "e.csv",
        bytes,
        &["--encoding", "windows-1252"],
    );
    assert_eq!(last_batch(d)[0]["given_name"], "René");
    // Latin-1 reads the same record: unchanged (so journaled as counts only).
    let r = accepted(d, "employees", "e.csv", bytes, &["--encoding", "latin-1"]);
    assert_eq!(r["results"][0]["outcome"], "unchanged", "{r}");
}

#[test]
fn trim_cells_only_with_the_option() {
    let dir = company("trim");
    let d = &dir.0;
    let text = b" employee_id , given_name ,contract_id\ne1, Ana ,c1\n";
    // Headers are always trimmed; cells are kept as written by default.
    accepted(d, "employees", "e.csv", text, &[]);
    assert_eq!(last_batch(d)[0]["given_name"], " Ana ");
    accepted(d, "employees", "e.csv", text, &["--trim"]);
    assert_eq!(
        last_batch(d),
        serde_json::json!([{"employee_id": "e1", "given_name": "Ana", "contract_id": "c1"}])
    );
}

#[test]
fn header_names_ignore_case() {
    let dir = company("case");
    let d = &dir.0;
    let text = b"Employee_ID,CONTRACT_ID,Contract_Start_On\ne1,c1,2026-01-01\n";
    let r = accepted(d, "employees", "e.csv", text, &[]);
    assert_eq!(r["count_accepted"], 1);
    assert_eq!(
        last_batch(d),
        serde_json::json!([{"employee_id": "e1", "contract_id": "c1", "contract_start_on": "2026-01-01"}])
    );
}

#[test]
fn null_token_clears_and_is_configurable() {
    let dir = company("null");
    let d = &dir.0;
    let text = b"employee_id,contract_id,contract_stop_on\ne1,c1,2026-06-30\n";
    accepted(d, "employees", "e.csv", text, &[]);
    // `null` is JSON null (the stop date cleared); an empty cell is absent.
    let text = b"employee_id,contract_id,contract_stop_on,given_name\ne1,c1,null,\n";
    accepted(d, "employees", "e.csv", text, &[]);
    assert_eq!(
        last_batch(d),
        serde_json::json!([{"employee_id": "e1", "contract_id": "c1", "contract_stop_on": null}])
    );
    // Another token: `null` is then text (and the engine rejects it as a date).
    let text = b"employee_id,contract_id,contract_stop_on,family_name\ne1,c1,NA,null\n";
    accepted(d, "employees", "e.csv", text, &["--csv-null", "NA"]);
    assert_eq!(
        last_batch(d),
        serde_json::json!([{"employee_id": "e1", "contract_id": "c1", "contract_stop_on": null,
                            "family_name": "null"}])
    );
}

#[test]
fn unknown_column_is_refused_with_a_suggestion() {
    let dir = company("unknown");
    let d = &dir.0;
    let text = b"shfit_id,shift_status,start_at,stop_at\ns1,approved,2026-06-02T09:00:00,2026-06-02T17:00:00\n";
    let err = refused(d, "s.csv", text, &[]);
    assert!(
        err.contains(
            "line 1, column 1 (shfit_id): `shfit_id` is not a field of shifts: did you mean `shift_id`?"
        ),
        "{err}"
    );
}

#[test]
fn duplicate_column_is_refused() {
    let dir = company("dup");
    let d = &dir.0;
    let text = b"shift_id,shift_status,start_at,stop_at,Shift_ID\ns1,approved,2026-06-02T09:00:00,2026-06-02T17:00:00,s1\n";
    let err = refused(d, "s.csv", text, &[]);
    assert!(
        err.contains("line 1, column 5 (Shift_ID): the same column as column 1"),
        "{err}"
    );
}

#[test]
fn missing_required_column_is_refused() {
    let dir = company("missing");
    let d = &dir.0;
    let text = b"shift_id,shift_status,start_at\ns1,approved,2026-06-02T09:00:00\n";
    let err = refused(d, "s.csv", text, &[]);
    assert!(
        err.contains("line 1: the header lacks the required column `stop_at`"),
        "{err}"
    );
}

#[test]
fn quoting_error_names_line_and_column() {
    let dir = company("quote");
    let d = &dir.0;
    let text = b"shift_id,shift_status,start_at,stop_at\n\
                 s1,approved,2026-06-02T09:00:00,2026-06-02T17:00:00\n\
                 s2,approved,\"2026-06-03T09:00:00\"x,2026-06-03T17:00:00\n";
    let err = refused(d, "s.csv", text, &[]);
    assert!(
        err.contains("line 3, column 3 (start_at): text after the closing quote"),
        "{err}"
    );
    let text = b"shift_id,shift_status,start_at,stop_at\ns1,approved,2026-06-02T09:00:00\n";
    let err = refused(d, "t.csv", text, &[]);
    assert!(
        err.contains("line 2, column 4 (stop_at): missing: the row has 3 cells"),
        "{err}"
    );
}

#[test]
fn utf8_bom_is_skipped() {
    let dir = company("bom");
    let d = &dir.0;
    let text = b"\xEF\xBB\xBFemployee_id,given_name,contract_id\r\ne1,Z\xC3\xB6e,c1\r\n";
    let r = accepted(d, "employees", "e.csv", text, &[]);
    assert_eq!(r["count_accepted"], 1);
    assert_eq!(last_batch(d)[0]["employee_id"], "e1");
    assert_eq!(last_batch(d)[0]["given_name"], "Zöe");
}

#[test]
fn json_lines_are_the_json_array() {
    let records = [
        r#"{"employee_id": "e1", "given_name": "Ana", "contract_id": "c1"}"#,
        r#"{"employee_id": "e2", "contract_id": "nope"}"#,
        r#"{"employee_id": "e3", "contract_id": "c1", "custom_info": {"x": 1}}"#,
    ];
    let array = format!("[{}]", records.join(",\n"));
    let lines = format!("{}\n\n{}\r\n{}\n", records[0], records[1], records[2]);
    let run = |tag: &str, name: &str, text: &str, extra: &[&str]| {
        let dir = company(tag);
        std::fs::write(dir.0.join(name), text).unwrap();
        let o = ingest(&dir.0, "employees", name, extra);
        (code(&o), json(&o), journal(&dir.0))
    };
    let a = run("array", "e.json", &array, &[]);
    // Two rejected (unknown contract; custom_info keys not allowed): exit 1 for both.
    assert_eq!(a.0, 1);
    assert_eq!(a.1["count_rejected"], 2, "{}", a.1);
    assert_eq!(run("jsonl", "e.jsonl", &lines, &[]), a);
    assert_eq!(
        run("forced", "e.txt", &lines, &["--input-format", "jsonl"]),
        a
    );
    // A bad line refuses the file, naming it.
    let dir = company("badline");
    let before = journal(&dir.0);
    std::fs::write(
        dir.0.join("b.jsonl"),
        format!("{}\n{{\"a\": }}\n", records[0]),
    )
    .unwrap();
    let o = ingest(&dir.0, "employees", "b.jsonl", &[]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("b.jsonl: line 2, column 7: not JSON"),
        "{}",
        stderr(&o)
    );
    assert_eq!(journal(&dir.0), before);
}

/// `ewa ingest --entity leaves` reads leaves as CSV (`paid` a boolean, `hours_per_day` a
/// decimal string), JSON Lines and JSON; a bad `paid` cell is rejected naming the field.
#[test]
fn leaves_are_ingested_from_csv_and_json_lines() {
    let dir = company("leaves");
    let d = &dir.0;
    accepted(
        d,
        "employees",
        "e.json",
        br#"[{"employee_id": "e1", "contract_id": "c1"}]"#,
        &[],
    );
    let report = accepted(
        d,
        "leaves",
        "l.csv",
        b"leave_id,employee_id,leave_status,start_on,stop_on,paid,hours_per_day,leave_type\n\
          l1,e1,approved,2026-06-08,2026-06-09,true,7.5,vacation\n\
          l2,e1,requested,2026-06-15,2026-06-15,false,,\n",
        &[],
    );
    assert_eq!(report["target_entity"], "leaves");
    assert_eq!(report["count_accepted"], 2);
    assert_eq!(
        last_batch(d)[0],
        serde_json::json!({"leave_id": "l1", "employee_id": "e1", "leave_status": "approved",
            "start_on": "2026-06-08", "stop_on": "2026-06-09", "paid": true,
            "hours_per_day": "7.5", "leave_type": "vacation"})
    );
    let report = accepted(
        d,
        "leaves",
        "l.jsonl",
        b"{\"leave_id\": \"l2\", \"employee_id\": \"e1\", \"leave_status\": \"approved\", \"start_on\": \"2026-06-15\", \"stop_on\": \"2026-06-15\", \"paid\": false}\n",
        &[],
    );
    assert_eq!(report["results"][0]["outcome"], "updated");
    std::fs::write(
        d.join("bad.csv"),
        b"leave_id,employee_id,leave_status,start_on,stop_on,paid\nl3,e1,approved,2026-06-16,2026-06-16,yes\n",
    )
    .unwrap();
    let o = ingest(d, "leaves", "bad.csv", &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(json(&o)["results"][0]["errors"][0]["field"], "paid");
}
