//! `ewa ingest` with several files (all checked before any is applied; a failure while
//! applying names the files applied), the report options, and input read no further than
//! `batch_bytes_max`.

use crate::cli_support::{code, ewa, json, stderr};
use crate::common::TempDir;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Company `acme` with these limits, a monthly schedule and contract c1.
fn company(tag: &str, limits: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let d = &dir.0;
    std::fs::write(
        d.join("acme.json"),
        format!(r#"{{"company_id": "acme", "timezone": "UTC", "limits": {limits}}}"#),
    )
    .unwrap();
    let o = ewa(d, &["init", "--config", "acme.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::write(
        d.join("s.json"),
        r#"[{"pay_schedule_id": "m", "frequency": "monthly", "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]}]"#,
    )
    .unwrap();
    std::fs::write(
        d.join("c.json"),
        r#"[{"contract_id": "c1", "pay_schedule_id": "m", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 2000}]"#,
    )
    .unwrap();
    for (kind, f) in [("pay-schedules", "s.json"), ("contracts", "c.json")] {
        assert_eq!(code(&ewa(d, &["ingest", "--entity", kind, f])), 0);
    }
    dir
}

fn operations(d: &Path) -> u64 {
    json(&ewa(d, &["companies"]))[0]["head_seq"]
        .as_u64()
        .unwrap()
}

#[test]
fn every_file_is_checked_before_any_is_applied() {
    let dir = company("i-check", "{}");
    let d = &dir.0;
    std::fs::write(d.join("a.csv"), "employee_id,contract_id\ne1,c1\n").unwrap();
    std::fs::write(d.join("b.csv"), "employee_id,contrat_id\ne2,c1\n").unwrap();
    std::fs::write(
        d.join("c.jsonl"),
        "{\"employee_id\": \"e3\", \"contract_id\": \"c1\"}\n",
    )
    .unwrap();
    let before = operations(d);
    let o = ewa(
        d,
        &[
            "ingest",
            "--entity",
            "employees",
            "a.csv",
            "b.csv",
            "c.jsonl",
        ],
    );
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.starts_with("ewa: b.csv: "), "{err}");
    assert!(
        err.ends_with("(no file applied: every file is checked before any is applied)\n"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
    assert_eq!(operations(d), before, "nothing journaled");
    // All good: one job per file, each report naming its file.
    std::fs::write(d.join("b.csv"), "employee_id,contract_id\ne2,c1\n").unwrap();
    let o = ewa(
        d,
        &[
            "ingest",
            "--entity",
            "employees",
            "a.csv",
            "b.csv",
            "c.jsonl",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let reports = json(&o);
    let files: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["a.csv", "b.csv", "c.jsonl"]);
    assert_eq!(operations(d), before + 3);
}

#[test]
fn a_failure_while_applying_names_the_files_applied() {
    // batch_records_max 2: b.json's 3 records pass the file checks but the engine refuses
    // the batch when it is applied, after a.json was.
    let dir = company("i-partial", r#"{"batch_records_max": 2}"#);
    let d = &dir.0;
    let rec = |id: &str| format!(r#"{{"employee_id": "{id}", "contract_id": "c1"}}"#);
    std::fs::write(d.join("a.json"), format!("[{}]", rec("e1"))).unwrap();
    std::fs::write(
        d.join("b.json"),
        format!("[{},{},{}]", rec("e2"), rec("e3"), rec("e4")),
    )
    .unwrap();
    std::fs::write(d.join("c.json"), format!("[{}]", rec("e5"))).unwrap();
    let before = operations(d);
    let o = ewa(
        d,
        &[
            "ingest",
            "--entity",
            "employees",
            "a.json",
            "b.json",
            "c.json",
        ],
    );
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.starts_with("ewa: b.json: batch refused, nothing applied: 3 records exceed the limit of 2 (batch_records_max)"), "{err}");
    assert!(
        err.ends_with(
            "; applied before it, each its own job: a.json (job-3); not applied: b.json, c.json\n"
        ),
        "{err}"
    );
    // The applied file's report is printed; one operation journaled.
    assert_eq!(json(&o)["job_id"], "job-3");
    assert_eq!(operations(d), before + 1);
}

#[test]
fn rejected_only_and_the_summary_of_a_large_job() {
    let dir = company("i-report", "{}");
    let d = &dir.0;
    // 1,001 records, the last one rejected (no contract c9).
    let mut csv = String::from("employee_id,contract_id\n");
    for i in 0..1000 {
        csv.push_str(&format!("e{i},c1\n"));
    }
    csv.push_str("bad,c9\n");
    std::fs::write(d.join("big.csv"), &csv).unwrap();
    let o = ewa(d, &["ingest", "--entity", "employees", "big.csv"]);
    assert_eq!(code(&o), 1);
    let r = json(&o);
    assert_eq!(
        (r["count_received"].as_u64(), r["count_rejected"].as_u64()),
        (Some(1001), Some(1))
    );
    assert_eq!(r["results"].as_array().unwrap().len(), 1);
    assert_eq!(r["results"][0]["index"], 1000);
    assert_eq!(r["results_omitted"], 1000);
    let o = ewa(
        d,
        &[
            "ingest",
            "--entity",
            "employees",
            "big.csv",
            "--full-report",
        ],
    );
    assert_eq!(json(&o)["results"].as_array().unwrap().len(), 1001);
    assert!(json(&o).get("results_omitted").is_none());
    // A small job in full by default, only its rejected records on request.
    std::fs::write(
        d.join("small.csv"),
        "employee_id,contract_id\ns1,c1\ns2,c9\n",
    )
    .unwrap();
    let o = ewa(d, &["ingest", "--entity", "employees", "small.csv"]);
    assert_eq!(json(&o)["results"].as_array().unwrap().len(), 2);
    let o = ewa(
        d,
        &[
            "ingest",
            "--entity",
            "employees",
            "small.csv",
            "--rejected-only",
        ],
    );
    assert_eq!(json(&o)["results"].as_array().unwrap().len(), 1);
    assert_eq!(json(&o)["results_omitted"], 1);
    // --entity lists the kinds.
    let o = ewa(d, &["ingest", "--entity", "shift", "small.csv"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o)
            .contains("pay-schedules, contracts, employees, leaves, shifts, additions, deductions"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_oversized_stream_is_refused_without_reading_it_all() {
    let dir = company("i-big", r#"{"batch_bytes_max": 1000}"#);
    let d = &dir.0;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ewa"))
        .args(["ingest", "--entity", "shifts", "-"])
        .current_dir(d)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // 1 GiB offered in 64 KiB chunks; ewa reads 1,001 bytes and stops, so the writes fail
    // (broken pipe) long before the end.
    let writer = std::thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        let mut written: u64 = 0;
        while written < 1 << 30 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
            written += chunk.len() as u64;
        }
        written
    });
    let o = child.wait_with_output().unwrap();
    let written = writer.join().unwrap();
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "ewa: -: batch refused, nothing applied: more than 1000 bytes exceed the limit (batch_bytes_max); read no further\n"
    );
    assert!(
        written < 1 << 30,
        "stopped reading: {written} bytes written"
    );
}

/// Issue #18.3 through the command line and the store: a record with a duplicated key is
/// rejected naming the field, in a JSON array and in JSON Lines, the others are applied,
/// and the next process (which replays the journal) reads the batch alike.
#[test]
fn a_duplicated_key_rejects_its_record_through_ingest_and_replay() {
    let dir = company("x-dupkey", "{}");
    let d = &dir.0;
    let emp = |id: &str| {
        format!(
            r#"{{"employee_id": "{id}", "contract_id": "c1", "contract_start_on": "2026-01-01"}}"#
        )
    };
    let twice = |id: &str| {
        format!(
            r#"{{"employee_id": "{id}", "contract_id": "c1", "contract_start_on": "2026-01-01", "contract_start_on": "2026-06-01"}}"#
        )
    };
    std::fs::write(
        d.join("e.json"),
        format!("[{}, {}]", twice("e1"), emp("e2")),
    )
    .unwrap();
    std::fs::write(
        d.join("e.jsonl"),
        format!("{}\n{}\n", emp("e3"), twice("e4")),
    )
    .unwrap();
    for (file, bad) in [("e.json", 0), ("e.jsonl", 1)] {
        let o = ewa(d, &["ingest", "--entity", "employees", file]);
        assert_eq!(code(&o), 1, "{file}: {}", stderr(&o));
        let r = json(&o);
        assert_eq!(
            (&r["count_accepted"], &r["count_rejected"]),
            (&1.into(), &1.into())
        );
        let errors = &r["results"][bad]["errors"];
        assert_eq!(errors[0]["field"], "contract_start_on", "{file}: {r}");
        assert!(errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("appears twice"));
    }
    // A new process replays both batches from the journal: the same two employees.
    let all = ewa(
        d,
        &["eligibility", "--all", "--as-of", "2026-06-10T00:00:00Z"],
    );
    assert_eq!(code(&all), 0, "{}", stderr(&all));
    let ids: Vec<Value> = json(&all)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["employee_id"].clone())
        .collect();
    assert_eq!(ids, ["e2", "e3"]);
    // And after compaction (the replay writes a snapshot) the store still opens.
    assert_eq!(code(&ewa(d, &["compact"])), 0);
    assert_eq!(
        json(&ewa(
            d,
            &["eligibility", "--all", "--as-of", "2026-06-10T00:00:00Z"]
        ))
        .as_array()
        .unwrap()
        .len(),
        2
    );
}

/// Decision 135: a run of more records than twice the employees and over 8 MiB (1,000
/// employees, 60 days of shifts in 4 files, about 10 MB) defers the employee views and
/// compacts once at its end; the answers are those of the same files fed one `ewa ingest`
/// at a time (views rewritten after each file, each call compacting only once the tail
/// passes 8 MiB).
#[test]
fn a_large_run_compacts_once_at_its_end_with_the_same_answers() {
    let mut answers = Vec::new();
    for (tag, one_run) in [("i-run", true), ("i-each", false)] {
        let dir = company(tag, "{}");
        let d = &dir.0;
        let rows: Vec<String> = (0..1000)
            .map(|e| format!("e{e:04},c1,2026-01-01"))
            .collect();
        let csv = format!(
            "employee_id,contract_id,contract_start_on\n{}\n",
            rows.join("\n")
        );
        std::fs::write(d.join("e.csv"), csv).unwrap();
        assert_eq!(
            code(&ewa(d, &["ingest", "--entity", "employees", "e.csv"])),
            0
        );
        let rows_before = journal_rows(d);
        let files: Vec<String> = (0..4).map(|k| shift_file(d, k)).collect();
        if one_run {
            let mut args = vec!["ingest", "--entity", "shifts"];
            args.extend(files.iter().map(String::as_str));
            assert_eq!(code(&ewa(d, &args)), 0);
            assert_eq!(journal_rows(d), 0);
        } else {
            for (k, f) in files.iter().enumerate() {
                assert_eq!(code(&ewa(d, &["ingest", "--entity", "shifts", f])), 0);
                // About 2.6 MB a file: journaled until the fourth takes the tail past 8 MiB.
                let expected = if k < 3 { rows_before + k as u64 + 1 } else { 0 };
                assert_eq!(journal_rows(d), expected, "after file {k}");
            }
        }
        let at = ["--as-of", "2026-06-20T12:00:00Z"];
        let all: Vec<&str> = ["eligibility", "--all"].into_iter().chain(at).collect();
        let one: Vec<&str> = ["explain", "--employee", "e0007"]
            .into_iter()
            .chain(at)
            .collect();
        answers.push((json(&ewa(d, &all)), stdout_of(&ewa(d, &one))));
    }
    assert_eq!(answers[0], answers[1]);
}

fn journal_rows(d: &Path) -> u64 {
    json(&ewa(d, &["companies"]))[0]["journal_rows"]
        .as_u64()
        .unwrap()
}

/// File `k` of the large run: 15 days from 2026-05-01 + 15 k, a shift a day of every
/// employee, one record per line.
fn shift_file(d: &Path, k: u32) -> String {
    let day0 = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
    let mut text = String::new();
    for n in 0..15 {
        let day = day0 + chrono::Days::new(u64::from(15 * k + n));
        for e in 0..1000 {
            text.push_str(&format!(
                r#"{{"shift_id": "s{e:04}-{day}", "shift_status": "approved", "employee_id": "e{e:04}", "start_at": "{day}T08:00:00Z", "stop_at": "{day}T16:00:00Z"}}"#
            ));
            text.push('\n');
        }
    }
    let name = format!("shifts{k}.jsonl");
    std::fs::write(d.join(&name), text).unwrap();
    name
}

fn stdout_of(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
