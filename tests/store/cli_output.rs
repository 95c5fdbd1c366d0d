//! `--format json|jsonl|csv|table` on the commands that list things, recoveries as payroll
//! CSV, tables in the company's local time and major units, and `ewa explain`.

use crate::cli_support::{code, ewa, stderr, stdout};
use crate::common::TempDir;
use serde_json::Value;

/// Company `acme` in Europe/Brussels: monthly period 2026-06 paid 2026-07-03 (local
/// midnight), e1 at 14.50/h with overtime after 8 h a week at 1.5, one approved shift of
/// 10 h on 2026-06-02, and an advance a1 of 50.00 on 2026-06-10.
fn brussels(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let d = &dir.0;
    let o = ewa(
        d,
        &["--company", "acme", "init", "--timezone", "Europe/Brussels"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::write(
        d.join("s.json"),
        r#"[{"pay_schedule_id": "m", "frequency": "monthly", "alignment": "arrears",
             "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]}]"#,
    )
    .unwrap();
    std::fs::write(
        d.join("c.json"),
        r#"[{"contract_id": "c1", "pay_schedule_id": "m", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 1450,
             "custom_info": {"overtime": {"weekly_threshold_hours": "8", "multiplier": "1.5"}}}]"#,
    )
    .unwrap();
    std::fs::write(
        d.join("e.csv"),
        "employee_id,contract_id,contract_start_on\ne1,c1,2026-01-01\n",
    )
    .unwrap();
    std::fs::write(
        d.join("sh.csv"),
        "shift_id,shift_status,employee_id,start_at,stop_at\ns1,approved,e1,2026-06-02T09:00:00,2026-06-02T19:00:00\n",
    )
    .unwrap();
    for (kind, file) in [
        ("pay-schedules", "s.json"),
        ("contracts", "c.json"),
        ("employees", "e.csv"),
        ("shifts", "sh.csv"),
    ] {
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
    let o = ewa(
        d,
        &[
            "advance",
            "request",
            "--advance-id",
            "a1",
            "--employee",
            "e1",
            "--amount",
            "5000",
            "--at",
            "2026-06-10T12:00:00",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    dir
}

const AS_OF: [&str; 2] = ["--as-of", "2026-06-20T12:00:00"];

#[test]
fn tables_are_local_time_hours_and_major_units() {
    let dir = brussels("o-table");
    let d = &dir.0;
    let o = ewa(
        d,
        &[
            &["accruals", "--employee", "e1", "--format", "table"][..],
            &AS_OF[..],
        ]
        .concat(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = stdout(&o);
    // As of 12:00 local (CEST in June); the period's payday 2026-07-03 00:00 local.
    assert!(t.starts_with("e1 as of 2026-06-20 12:00 CEST: "), "{t}");
    assert!(t.contains("2026-07-03 00:00 CEST"), "{t}");
    // 10 h at 14.50 = 145.00; the 2 h over 8 h a week add (1.5 - 1) × 14.50 × 2 = 14.50.
    let regular = t.lines().find(|l| l.contains("regular")).unwrap();
    assert!(
        regular.contains("10 h 00 min")
            && regular.contains("14.50/h")
            && regular.ends_with("145.00"),
        "{regular}"
    );
    let overtime = t.lines().find(|l| l.contains("overtime")).unwrap();
    assert!(
        overtime.contains("2 h 00 min")
            && overtime.contains("14.50/h × 1.5")
            && overtime.ends_with("14.50"),
        "{overtime}"
    );
    let o = ewa(
        d,
        &[
            &["eligibility", "--employee", "e1", "--format", "table"][..],
            &AS_OF[..],
        ]
        .concat(),
    );
    let t = stdout(&o);
    assert!(
        t.contains("as of               2026-06-20 12:00 CEST"),
        "{t}"
    );
    assert!(
        t.contains("recovery pay at     2026-07-03 00:00 CEST"),
        "{t}"
    );
    let h = stdout(&ewa(d, &["history", "--shift", "s1", "--format", "table"]));
    assert!(
        h.contains("2026-06-02 09:00 CEST") && h.contains("2026-06-05 02:00 CEST"),
        "{h}"
    );
}

#[test]
fn lists_as_jsonl_and_csv() {
    let dir = brussels("o-lists");
    let d = &dir.0;
    let o = ewa(
        d,
        &[
            &["eligibility", "--all", "--format", "jsonl"][..],
            &AS_OF[..],
        ]
        .concat(),
    );
    assert_eq!(code(&o), 0);
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["employee_id"], "e1");
    let csv = stdout(&ewa(
        d,
        &[&["eligibility", "--all", "--format", "csv"][..], &AS_OF[..]].concat(),
    ));
    let mut rows = csv.lines();
    assert!(
        rows.next().unwrap().starts_with("employee_id,as_of,"),
        "{csv}"
    );
    assert!(
        rows.next().unwrap().starts_with("e1,2026-06-20T10:00:00Z,"),
        "{csv}"
    );
    let csv = stdout(&ewa(d, &["companies", "--format", "csv"]));
    assert!(
        csv.starts_with("company_id,") && csv.contains("\nacme,Europe/Brussels,"),
        "{csv}"
    );
    let h = stdout(&ewa(d, &["history", "--shift", "s1", "--format", "jsonl"]));
    assert_eq!(h.lines().count(), 1);
    let a = stdout(&ewa(
        d,
        &[&["accruals", "--format", "csv"][..], &AS_OF[..]].concat(),
    ));
    assert!(a.starts_with("employee_id,"), "{a}");
    // One answer as one JSON line.
    let one = stdout(&ewa(
        d,
        &[
            &["eligibility", "--employee", "e1", "--format", "jsonl"][..],
            &AS_OF[..],
        ]
        .concat(),
    ));
    assert_eq!(one.lines().count(), 1);
}

#[test]
fn recoveries_as_payroll_csv() {
    let dir = brussels("o-rec");
    let d = &dir.0;
    let o = ewa(
        d,
        &[
            &[
                "recoveries",
                "--schedule",
                "m",
                "--period",
                "2026-06",
                "--format",
                "csv",
            ][..],
            &AS_OF[..],
        ]
        .concat(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("employee_id,pay_schedule_id,pay_period_id,currency,deduct,deduct_minor,due,net,carried_in,carried_forward,advance_ids")
    );
    // a1: 50.00, no fee; the net (159.50 less withholding) covers it all.
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &row[..7],
        ["e1", "m", "2026-06", "EUR", "50.00", "5000", "50.00"]
    );
    assert_eq!(&row[8..], ["0.00", "0.00", "a1"]);
    assert_eq!(lines.next(), None);
}

#[test]
fn explain_any_employee_and_scenario_formats() {
    let dir = brussels("o-explain");
    let d = &dir.0;
    let o = ewa(
        d,
        &[&["explain", "--employee", "e1"][..], &AS_OF[..]].concat(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = stdout(&o);
    assert!(
        t.starts_with("e1 (EUR) as of 2026-06-20 12:00 CEST\n"),
        "{t}"
    );
    // 145.00 + 14.50 = 159.50 gross.
    assert!(
        t.contains("10 h worked (with overtime) -> gross 159.50"),
        "{t}"
    );
    assert!(t.contains("outstanding: a1 50.00 + fee 0.00"), "{t}");
    assert!(t.contains("=> may draw"), "{t}");
    let j = ewa(
        d,
        &[
            &["explain", "--employee", "e1", "--format", "json"][..],
            &AS_OF[..],
        ]
        .concat(),
    );
    let v: Value = serde_json::from_slice(&j.stdout).unwrap();
    assert_eq!(v["eligibility"]["employee_id"], "e1");
    assert!(v["explanation"][0]
        .as_str()
        .unwrap()
        .starts_with("e1 (EUR)"));
    let nope = ewa(d, &["explain", "--employee", "NOPE"]);
    assert_eq!(code(&nope), 2);
    std::fs::write(
        d.join("s.json"),
        r#"{"company": {"company_id": "c"}, "received_at": "2026-06-05T00:00:00Z"}"#,
    )
    .unwrap();
    let o = ewa(d, &["scenario", "s.json", "--format", "table"]);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).is_empty());
    let o = ewa(d, &["scenario", "s.json", "--format", "jsonl"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 1);
}
