//! The `ewa` binary end to end: the demo (twice), init and ingest (JSON and CSV), queries,
//! advances, as-known-at, compaction, and the documented exit codes.

use crate::common::TempDir;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn ewa(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ewa"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

#[test]
fn demo_creates_ewa_db_and_can_run_again() {
    let dir = TempDir::new("demo");
    let first = ewa(&dir.0, &["demo", "--as-of", "2026-06-12T14:30:00"]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let text = stdout(&first);
    assert!(
        text.starts_with("ewa demo: company `demo` created in ewa.db (Europe/Brussels, EUR)"),
        "{text}"
    );
    assert!(text.contains("1,000 employees"), "{text}");
    assert!(text.contains("=> may draw"), "{text}");
    assert!(text.contains("=> not eligible: negative_balance"), "{text}");
    assert!(dir.file("ewa.db").exists());
    let again = ewa(&dir.0, &["demo", "--as-of", "2026-06-12T14:30:00"]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(stdout(&again).starts_with("ewa demo: company `demo` recreated in ewa.db"));
    // The same data, the same answers.
    assert_eq!(
        text.lines().skip(1).collect::<Vec<_>>(),
        stdout(&again).lines().skip(1).collect::<Vec<_>>()
    );
    // The store holds the demo company only; queries find it without --company.
    let all = ewa(
        &dir.0,
        &["eligibility", "--all", "--as-of", "2026-06-12T14:30:00"],
    );
    assert_eq!(code(&all), 0);
    let all = json(&all);
    assert_eq!(all.as_array().unwrap().len(), 1000);
    let companies = json(&ewa(&dir.0, &["companies"]));
    assert_eq!(companies[0]["company_id"], "demo");
}

#[test]
fn init_ingest_query_advance_compact() {
    let dir = TempDir::new("session");
    let d = &dir.0;
    let o = ewa(
        d,
        &["--company", "acme", "init", "--timezone", "Europe/Brussels"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["timezone"], "Europe/Brussels");
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
    std::fs::write(
        d.join("employees.csv"),
        "employee_id,given_name,contract_id,contract_start_on\ne1,Ana,c1,2026-01-01\n",
    )
    .unwrap();
    std::fs::write(
        d.join("shifts.csv"),
        "shift_id,shift_status,employee_id,start_at,stop_at\n\
         s1,approved,e1,2026-06-02T09:00:00,2026-06-02T17:00:00\n\
         s2,aproved,e1,2026-06-03T09:00:00,2026-06-03T17:00:00\n",
    )
    .unwrap();
    let at = ["--received-at", "2026-06-05T00:00:00Z"];
    for (kind, file) in [
        ("pay-schedules", "schedules.json"),
        ("contracts", "contracts.json"),
        ("employees", "employees.csv"),
    ] {
        let o = ewa(
            d,
            &[&["ingest", "--entity", kind, file][..], &at[..]].concat(),
        );
        assert_eq!(code(&o), 0, "{kind}: {}", stderr(&o));
        assert_eq!(json(&o)["count_accepted"], 1);
    }
    // One record rejected: exit 1, the report says which and why.
    let o = ewa(
        d,
        &[&["ingest", "--entity", "shifts", "shifts.csv"][..], &at[..]].concat(),
    );
    assert_eq!(code(&o), 1);
    let report = json(&o);
    assert_eq!(
        (
            report["count_accepted"].as_u64(),
            report["count_rejected"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(report["results"][1]["errors"][0]["field"], "shift_status");
    // Eligibility: 8 h × 20.00 = 160.00, half of it.
    let q = ["--as-of", "2026-06-10T00:00:00Z"];
    let e = json(&ewa(
        d,
        &[&["eligibility", "--employee", "e1"][..], &q[..]].concat(),
    ));
    assert_eq!(
        (e["accessible_base"].as_i64(), e["available"].as_i64()),
        (Some(16_000), Some(8_000))
    );
    let table = stdout(&ewa(
        d,
        &[
            &["eligibility", "--employee", "e1", "--format", "table"][..],
            &q[..],
        ]
        .concat(),
    ));
    assert!(table.contains("available           80.00 EUR"), "{table}");
    // An advance: accepted (0), then one too large (1), then the same id again (replayed).
    let req = [
        "advance",
        "request",
        "--advance-id",
        "a1",
        "--employee",
        "e1",
        "--amount",
        "5000",
        "--at",
        "2026-06-10T00:00:00Z",
    ];
    let o = ewa(d, &req);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["outcome"], "accepted");
    let o = ewa(
        d,
        &[
            "advance",
            "request",
            "--advance-id",
            "a2",
            "--employee",
            "e1",
            "--amount",
            "5000",
            "--at",
            "2026-06-10T00:00:00Z",
        ],
    );
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o)["reasons"][0], "exceeds_available");
    assert_eq!(json(&ewa(d, &req))["outcome"], "accepted");
    let quote = json(&ewa(
        d,
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
    ));
    assert_eq!(quote["available"], 3000);
    // A late correction, and the answer as known before it.
    std::fs::write(d.join("void.json"), r#"[{"shift_id": "s1", "shift_status": "voided", "employee_id": "e1", "start_at": "2026-06-02T09:00:00", "stop_at": "2026-06-02T17:00:00"}]"#).unwrap();
    let o = ewa(
        d,
        &[
            "ingest",
            "--entity",
            "shifts",
            "void.json",
            "--received-at",
            "2026-06-11T00:00:00Z",
        ],
    );
    assert_eq!(code(&o), 0);
    let now = json(&ewa(
        d,
        &[&["eligibility", "--employee", "e1"][..], &q[..]].concat(),
    ));
    assert_eq!(now["accessible_base"], 0);
    let before = json(&ewa(
        d,
        &[
            &[
                "eligibility",
                "--employee",
                "e1",
                "--known-at",
                "2026-06-10T12:00:00Z",
            ][..],
            &q[..],
        ]
        .concat(),
    ));
    assert_eq!(before["accessible_base"], 16_000);
    assert_eq!(before["outstanding"], 5_000);
    let history = json(&ewa(d, &["history", "--shift", "s1"]));
    assert_eq!(history.as_array().unwrap().len(), 2);
    let rec = json(&ewa(
        d,
        &[
            "recoveries",
            "--schedule",
            "m",
            "--period",
            "2026-06",
            "--as-of",
            "2026-06-20T00:00:00Z",
        ],
    ));
    assert_eq!(rec[0]["due"], 5_000);
    let o = ewa(
        d,
        &[
            "advance",
            "cancel",
            "--advance-id",
            "a1",
            "--at",
            "2026-06-12T00:00:00Z",
        ],
    );
    assert_eq!(
        (code(&o), json(&o)["outcome"].as_str()),
        (0, Some("cancelled"))
    );
    let o = ewa(
        d,
        &[
            "advance",
            "cancel",
            "--advance-id",
            "a1",
            "--at",
            "2026-06-12T00:00:00Z",
        ],
    );
    // A second cancel answers what is true: cancelled, at the first cancellation's time.
    assert_eq!(
        (code(&o), json(&o)["outcome"].as_str()),
        (0, Some("cancelled"))
    );
    // Compaction keeps every answer; as-known-at before it is then an input error.
    let accruals = stdout(&ewa(
        d,
        &[
            "accruals",
            "--employee",
            "e1",
            "--as-of",
            "2026-06-20T00:00:00Z",
        ],
    ));
    let o = ewa(d, &["compact"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["mode"], "canonical");
    assert_eq!(
        stdout(&ewa(
            d,
            &[
                "accruals",
                "--employee",
                "e1",
                "--as-of",
                "2026-06-20T00:00:00Z"
            ]
        )),
        accruals
    );
    let o = ewa(
        d,
        &[
            &[
                "eligibility",
                "--employee",
                "e1",
                "--known-at",
                "2026-06-10T12:00:00Z",
            ][..],
            &q[..],
        ]
        .concat(),
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("compacted"), "{}", stderr(&o));
}

#[test]
fn exit_codes_for_usage_input_and_storage_errors() {
    let dir = TempDir::new("codes");
    let d = &dir.0;
    // Usage.
    assert_eq!(code(&ewa(d, &["frobnicate"])), 2);
    assert_eq!(code(&ewa(d, &["eligibility"])), 2);
    // No store yet: queries do not create one.
    let o = ewa(d, &["eligibility", "--all"]);
    assert_eq!(code(&o), 3);
    assert_eq!(
        stderr(&o),
        "ewa: storage error: no ewa store at ewa.db (create one with `ewa init` or `ewa demo`)\n"
    );
    assert!(!d.join("ewa.db").exists());
    // Not a store.
    std::fs::write(d.join("notes.db"), "hello\n".repeat(200)).unwrap();
    let o = ewa(d, &["--db", "notes.db", "companies"]);
    assert_eq!(code(&o), 3);
    assert_eq!(
        stderr(&o),
        "ewa: storage error: notes.db is not an ewa store: file is not a database\n"
    );
    // Input errors.
    assert_eq!(code(&ewa(d, &["--company", "acme", "init"])), 0);
    assert_eq!(code(&ewa(d, &["--company", "acme", "init"])), 2);
    let o = ewa(d, &["ingest", "--entity", "shifts", "missing.json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with("ewa: missing.json: cannot read missing.json"),
        "{}",
        stderr(&o)
    );
    std::fs::write(d.join("bad.json"), "{not json").unwrap();
    let o = ewa(d, &["ingest", "--entity", "shifts", "bad.json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with("ewa: bad.json: batch refused, nothing applied: not JSON"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        code(&ewa(
            d,
            &["eligibility", "--employee", "e1", "--as-of", "next tuesday"]
        )),
        2
    );
    assert_eq!(
        code(&ewa(d, &["--company", "nope", "eligibility", "--all"])),
        2
    );
    // A malformed scenario: one line on stderr, exit 2.
    std::fs::write(d.join("s.json"), r#"{"company": {}, "bogus": 1}"#).unwrap();
    let o = ewa(d, &["scenario", "s.json"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "ewa: malformed scenario document: bogus: unknown top-level field\n"
    );
}

#[test]
fn two_processes_serialise_their_writes_and_readers_go_on() {
    let dir = TempDir::new("procs");
    let d = dir.0.clone();
    assert_eq!(code(&ewa(&d, &["--company", "acme", "init"])), 0);
    std::fs::write(
        d.join("setup.json"),
        r#"[{"pay_schedule_id": "m", "frequency": "monthly", "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]}]"#,
    )
    .unwrap();
    assert_eq!(
        code(&ewa(
            &d,
            &["ingest", "--entity", "pay-schedules", "setup.json"]
        )),
        0
    );
    std::fs::write(d.join("c.json"), r#"[{"contract_id": "c", "pay_schedule_id": "m", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 1000}]"#).unwrap();
    assert_eq!(
        code(&ewa(&d, &["ingest", "--entity", "contracts", "c.json"])),
        0
    );
    std::fs::write(d.join("e.csv"), "employee_id,contract_id\ne1,c\ne2,c\n").unwrap();
    assert_eq!(
        code(&ewa(&d, &["ingest", "--entity", "employees", "e.csv"])),
        0
    );
    let per_writer = 6;
    let writers: Vec<_> = (1..=2)
        .map(|w| {
            let d = d.clone();
            std::thread::spawn(move || {
                let mut jobs = Vec::new();
                for i in 0..per_writer {
                    let file = format!("w{w}-{i}.csv");
                    std::fs::write(
                        d.join(&file),
                        format!("shift_id,shift_status,employee_id,start_at,stop_at\nw{w}-{i},approved,e{w},2026-06-{:02}T08:00:00Z,2026-06-{:02}T12:00:00Z\n", i + 2, i + 2),
                    )
                    .unwrap();
                    let o = ewa(&d, &["ingest", "--entity", "shifts", &file, "--received-at", "2026-06-20T00:00:00Z"]);
                    assert_eq!(code(&o), 0, "{}", stderr(&o));
                    jobs.push(json(&o)["job_id"].as_str().unwrap().to_string());
                }
                jobs
            })
        })
        .collect();
    let reader = {
        let d = d.clone();
        std::thread::spawn(move || {
            for _ in 0..6 {
                let o = ewa(
                    &d,
                    &["eligibility", "--all", "--as-of", "2026-06-20T00:00:00Z"],
                );
                assert_eq!(code(&o), 0, "{}", stderr(&o));
            }
        })
    };
    let mut jobs: Vec<String> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    reader.join().unwrap();
    jobs.sort_by_key(|j| j.trim_start_matches("job-").parse::<u32>().unwrap());
    let expected: Vec<String> = (4..4 + 2 * per_writer)
        .map(|n| format!("job-{n}"))
        .collect();
    assert_eq!(jobs, expected, "every write got its own job, none was lost");
    let all = json(&ewa(
        &d,
        &["eligibility", "--all", "--as-of", "2026-06-20T00:00:00Z"],
    ));
    for e in all.as_array().unwrap() {
        // 6 shifts of 4 h at 10.00: 240.00, half of it.
        assert_eq!(e["accessible_base"], 24_000, "{e}");
    }
}
