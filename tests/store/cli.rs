//! The `ewa` binary end to end: the demo (twice), init and ingest (JSON and CSV), queries,
//! advances, as-known-at, compaction, and the documented exit codes.

use crate::cli_support::{code, ewa, json, request, stderr, stdout};
use crate::common::TempDir;
use serde_json::Value;
use std::path::Path;

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

/// A company with one employee who worked 8 h × 20.00 on 2026-06-02 (monthly, paid 07-03).
fn policy_session(d: &Path) {
    let o = ewa(d, &["--company", "acme", "init", "--timezone", "UTC"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files = [
        (
            "pay-schedules",
            "s.json",
            r#"[{"pay_schedule_id": "m", "frequency": "monthly", "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]}]"#,
        ),
        (
            "contracts",
            "c.json",
            r#"[{"contract_id": "c1", "pay_schedule_id": "m", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 2000}]"#,
        ),
        (
            "employees",
            "e.json",
            r#"[{"employee_id": "e1", "contract_id": "c1"}]"#,
        ),
        (
            "shifts",
            "sh.json",
            r#"[{"shift_id": "s1", "shift_status": "approved", "employee_id": "e1", "start_at": "2026-06-02T09:00:00Z", "stop_at": "2026-06-02T17:00:00Z"}]"#,
        ),
    ];
    for (kind, file, body) in files {
        std::fs::write(d.join(file), body).unwrap();
        let o = ewa(
            d,
            &[
                "ingest",
                "--entity",
                kind,
                file,
                "--received-at",
                "2026-06-05T00:00:00Z",
            ],
        );
        assert_eq!(code(&o), 0, "{kind}: {}", stderr(&o));
    }
}

#[test]
fn policy_show_and_set_are_checked_persisted_and_applied() {
    let dir = TempDir::new("policy");
    let d = &dir.0;
    policy_session(d);
    // Every field, defaults included.
    let shown = json(&ewa(d, &["policy", "show"]));
    assert_eq!(shown["access_rate"], "0.5");
    assert_eq!(shown["max_per_day"], Value::Null);
    assert_eq!(shown["pause_on_leave"], "none");
    assert_eq!(shown["pause_on_shortfall"], false);
    // Set: a decimal string is a number; the answer is the new policy.
    let o = ewa(d, &["policy", "set", "max_per_day", "\"5000\""]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["max_per_day"], 5000);
    let o = ewa(d, &["policy", "set", "pause_on_leave", "unpaid"]);
    assert_eq!(json(&o)["pause_on_leave"], "unpaid");
    let o = ewa(d, &["policy", "set", "fees.instant.flat", "300"]);
    assert_eq!(json(&o)["fees"]["instant"]["flat"], 300);
    // Refused values: exit 2, the field and the rule named, nothing changed.
    for (key, value, message) in [
        (
            "max_per_day",
            "150.5",
            "field `policy.max_per_day`: must be a whole number in [1, 10^15] or null",
        ),
        (
            "max_per_week",
            "0",
            "field `policy.max_per_week`: must be a whole number in [1, 10^15] or null",
        ),
        (
            "pause_on_leave",
            "paid",
            "field `policy.pause_on_leave`: must be `none`, `unpaid` or `any`",
        ),
        (
            "max_per_dya",
            "1",
            "field `policy.max_per_dya`: unknown field",
        ),
    ] {
        let o = ewa(d, &["policy", "set", key, value]);
        assert_eq!(code(&o), 2, "{key}");
        assert!(stderr(&o).contains(message), "{key}: {}", stderr(&o));
    }
    // Persisted: a new process sees it, and answers apply it. Access 8,000; the day cap 5,000.
    let shown = json(&ewa(d, &["policy", "show"]));
    assert_eq!(shown["max_per_day"], 5000);
    assert_eq!(shown["fees"]["instant"]["flat"], 300);
    let e = json(&ewa(
        d,
        &[
            "eligibility",
            "--employee",
            "e1",
            "--as-of",
            "2026-06-10T00:00:00Z",
        ],
    ));
    assert_eq!(e["available"], 5000);
    let o = request(d, "a1", "4000", "instant");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["fee"], 300);
    let o = request(d, "a2", "1001", "standard");
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o)["reasons"][0], "exceeds_available");
    // A policy the recorded data contradicts is refused: a1's fee of 300 is above a
    // schedule of 100 (docs/decisions.md).
    let o = ewa(d, &["policy", "set", "fees.instant.flat", "100"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("field `policy`: contradicts the data recorded so far"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        json(&ewa(d, &["policy", "show"]))["fees"]["instant"]["flat"],
        300
    );
    // Lifting the cap works with advances recorded; the store reloads cleanly.
    let o = ewa(d, &["policy", "set", "max_per_day", "null"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = request(d, "a3", "3700", "standard");
    assert_eq!(json(&o)["outcome"], "accepted", "{}", stdout(&o));
    let companies = json(&ewa(d, &["companies"]));
    assert_eq!(companies[0]["snapshot_mode"], "canonical");
}

/// `Store::set_policy` from one handle is seen by another handle that cached the twin
/// (a new epoch), and a refused policy leaves the file as it was.
#[test]
fn a_policy_set_elsewhere_reaches_a_cached_twin() {
    use ewa::store::Store;
    let dir = TempDir::new("policy-cache");
    let d = &dir.0;
    policy_session(d);
    let path = d.join("ewa.db");
    let mut a = Store::open(&path).unwrap();
    let at = ewa::calendar::parse_instant(chrono_tz::UTC, "2026-06-10T00:00:00Z").unwrap();
    let before = a
        .twin("acme")
        .unwrap()
        .eligibility("e1", at, ewa::Delivery::Standard, ewa::Detail::Brief)
        .unwrap()
        .available;
    assert_eq!(before, 8_000);
    let mut b = Store::open(&path).unwrap();
    let p = ewa::Policy::builder()
        .max_per_day(Some(1_234))
        .build()
        .unwrap();
    b.set_policy("acme", &p).unwrap();
    let twin = a.twin("acme").unwrap();
    assert_eq!(twin.company().policy().max_per_day(), Some(1_234));
    let after = twin
        .eligibility("e1", at, ewa::Delivery::Standard, ewa::Detail::Brief)
        .unwrap()
        .available;
    assert_eq!(after, 1_234);
    // Counting `scheduled` shifts is fine here (no overlap); the reload equals the cache.
    let p = p
        .to_builder()
        .counted_statuses([ewa::ShiftStatus::Approved, ewa::ShiftStatus::Scheduled])
        .build()
        .unwrap();
    b.set_policy("acme", &p).unwrap();
    assert_eq!(&b.load("acme").unwrap(), a.twin("acme").unwrap());
}
