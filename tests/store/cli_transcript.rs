//! The transcript in docs/cli.md "A day's work": every command run here, in an empty folder,
//! and its output compared with the document. `EWA_BLESS=1` rewrites the document instead.

use crate::common::TempDir;
use std::path::Path;
use std::process::Command;

const BEGIN: &str = "<!-- transcript:begin -->\n";
const END: &str = "<!-- transcript:end -->\n";

/// The input files, as text (`employees.csv` is written as windows-1252).
const FILES: [(&str, &str); 6] = [
    (
        "acme.json",
        r#"{"company_id": "acme", "timezone": "Europe/Brussels",
 "policy": {"access_rate": "0.5", "min_advance": 1000, "blackout_hours_before_pay": 48,
            "estimated_withholding_rate": "0.2",
            "fees": {"standard": {"flat": 0, "rate_bps": 0}, "instant": {"flat": 199, "rate_bps": 100}}}}
"#,
    ),
    (
        "schedules.json",
        r#"[{"pay_schedule_id": "bw", "frequency": "bi-weekly", "alignment": "arrears", "periods": [
  {"pay_period_id": "P-2026-12-07", "start_at": "2026-12-07", "stop_at": "2026-12-21", "pay_at": "2026-12-24T10:00:00"},
  {"pay_period_id": "P-2026-12-21", "start_at": "2026-12-21", "stop_at": "2027-01-04", "pay_at": "2027-01-08T10:00:00"}]}]
"#,
    ),
    (
        "contracts.json",
        r#"[{"contract_id": "c-hourly", "pay_schedule_id": "bw", "currency": "EUR", "wage_rate_period": "hourly",
  "wage_rate_amount": 1450, "custom_info": {"overtime": {"weekly_threshold_hours": "38", "multiplier": "1.5"}}},
 {"contract_id": "c-daily", "pay_schedule_id": "bw", "currency": "EUR", "wage_rate_period": "daily",
  "wage_rate_amount": 13000}]
"#,
    ),
    (
        "employees.csv",
        "employee_id;given_name;family_name;contract_id;contract_start_on\n\
         E1;Ana;Peeters;c-hourly;2025-03-01\n\
         E2;René;Dubois;c-daily;2024-09-15\n\
         E3;Zoë;Maes;c-hourly;2026-12-14\n",
    ),
    (
        "shifts.jsonl",
        r#"{"shift_id": "S1-1207", "shift_status": "approved", "employee_id": "E1", "start_at": "2026-12-07T08:00:00", "stop_at": "2026-12-07T18:00:00"}
{"shift_id": "S1-1208", "shift_status": "approved", "employee_id": "E1", "start_at": "2026-12-08T08:00:00", "stop_at": "2026-12-08T18:00:00"}
{"shift_id": "S1-1209", "shift_status": "approved", "employee_id": "E1", "start_at": "2026-12-09T08:00:00", "stop_at": "2026-12-09T18:00:00"}
{"shift_id": "S1-1210", "shift_status": "approved", "employee_id": "E1", "start_at": "2026-12-10T08:00:00", "stop_at": "2026-12-10T18:00:00"}
{"shift_id": "S1-1214", "shift_status": "approved", "employee_id": "E1", "start_at": "2026-12-14T09:00:00", "stop_at": "2026-12-14T17:00:00"}
{"shift_id": "S2-1208", "shift_status": "approved", "employee_id": "E2", "start_at": "2026-12-08T10:00:00", "stop_at": "2026-12-08T14:00:00"}
{"shift_id": "S3-1215", "shift_status": "submitted", "employee_id": "E3", "start_at": "2026-12-15T09:00:00", "stop_at": "2026-12-15T17:00:00"}
"#,
    ),
    (
        "late.csv",
        "shfit_id,shift_status,employee_id,start_at,stop_at\nS1-1215,approved,E1,2026-12-15T09:00:00,2026-12-15T17:00:00\n",
    ),
];

const AT: &str = "2026-12-16T08:00:00";

/// The day, step by step: `cat FILE` or an `ewa` command line.
fn steps() -> Vec<Vec<&'static str>> {
    vec![
        vec!["cat", "acme.json"],
        vec!["ewa", "init", "--config", "acme.json", "--format", "table"],
        vec![
            "ewa",
            "ingest",
            "--entity",
            "pay-schedules",
            "schedules.json",
            "--received-at",
            AT,
            "--format",
            "table",
        ],
        vec![
            "ewa",
            "ingest",
            "--entity",
            "contracts",
            "contracts.json",
            "--received-at",
            AT,
            "--format",
            "table",
        ],
        vec!["cat", "employees.csv"],
        vec![
            "ewa",
            "ingest",
            "--entity",
            "employees",
            "employees.csv",
            "--csv-delimiter",
            ";",
            "--encoding",
            "latin-1",
            "--received-at",
            AT,
            "--format",
            "table",
        ],
        vec!["cat", "shifts.jsonl"],
        vec![
            "ewa",
            "ingest",
            "--entity",
            "shifts",
            "shifts.jsonl",
            "--received-at",
            AT,
            "--format",
            "table",
        ],
        vec!["cat", "late.csv"],
        vec![
            "ewa",
            "ingest",
            "--entity",
            "shifts",
            "late.csv",
            "--received-at",
            AT,
        ],
        vec![
            "ewa",
            "eligibility",
            "--all",
            "--as-of",
            "2026-12-16T12:00:00",
            "--format",
            "table",
        ],
        vec![
            "ewa",
            "eligibility",
            "--employee",
            "E1",
            "--as-of",
            "2026-12-16T12:00:00",
            "--format",
            "table",
        ],
        vec![
            "ewa",
            "advance",
            "request",
            "--advance-id",
            "A-1",
            "--employee",
            "E1",
            "--amount",
            "20000",
            "--at",
            "2026-12-16T12:05:00",
            "--format",
            "table",
        ],
        vec![
            "ewa",
            "advance",
            "request",
            "--advance-id",
            "A-2",
            "--employee",
            "E2",
            "--amount",
            "4000",
            "--delivery",
            "instant",
            "--at",
            "2026-12-16T12:06:00",
            "--format",
            "table",
        ],
        vec![
            "ewa",
            "advances",
            "list",
            "--as-of",
            "2026-12-16T12:10:00",
            "--format",
            "table",
        ],
        vec!["ewa", "policy", "set", "max_per_day", "25000"],
        vec![
            "ewa",
            "eligibility",
            "--employee",
            "E1",
            "--as-of",
            "2026-12-16T12:10:00",
            "--format",
            "table",
        ],
        vec![
            "ewa",
            "recoveries",
            "--schedule",
            "bw",
            "--period",
            "P-2026-12-07",
            "--as-of",
            "2026-12-16T12:10:00",
            "--format",
            "csv",
        ],
        vec![
            "ewa",
            "accruals",
            "--employee",
            "E1",
            "--as-of",
            "2026-12-16T12:10:00",
            "--format",
            "table",
        ],
        vec![
            "ewa",
            "explain",
            "--employee",
            "E1",
            "--as-of",
            "2026-12-16T12:10:00",
        ],
        vec![
            "ewa",
            "explain",
            "--employee",
            "E2",
            "--as-of",
            "2026-12-16T12:10:00",
        ],
    ]
}

/// Runs the day in `dir` and returns the transcript.
fn transcript(dir: &Path) -> String {
    for (name, text) in FILES {
        let bytes = if name == "employees.csv" {
            // windows-1252: every character here is Latin-1, one byte each.
            text.chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap())
                .collect()
        } else {
            text.as_bytes().to_vec()
        };
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let mut out = String::from("```text\n");
    for step in steps() {
        let line = step
            .iter()
            .map(|a| {
                if a.contains([' ', ';']) {
                    format!("'{a}'")
                } else {
                    a.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        out.push_str(&format!("$ {line}\n"));
        if step[0] == "cat" {
            let text = FILES.iter().find(|(n, _)| *n == step[1]).unwrap().1;
            out.push_str(text);
        } else {
            let o = Command::new(env!("CARGO_BIN_EXE_ewa"))
                .args(&step[1..])
                .current_dir(dir)
                .env_remove("EWA_DB")
                .output()
                .unwrap();
            out.push_str(&String::from_utf8(o.stdout).unwrap());
            out.push_str(&String::from_utf8(o.stderr).unwrap());
            let code = o.status.code().unwrap();
            if code != 0 {
                out.push_str(&format!("[exit {code}]\n"));
            }
        }
        out.push('\n');
    }
    out.pop();
    out.push_str("```\n");
    out
}

#[test]
fn the_transcript_in_docs_cli_md_is_what_the_commands_print() {
    let dir = TempDir::new("transcript");
    let fresh = transcript(&dir.0);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let start = doc.find(BEGIN).expect("transcript:begin marker") + BEGIN.len();
    let end = doc.find(END).expect("transcript:end marker");
    if std::env::var_os("EWA_BLESS").is_some() {
        let updated = format!("{}{fresh}{}", &doc[..start], &doc[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(
        doc[start..end] == fresh,
        "docs/cli.md \"A day's work\" is stale; rerun with EWA_BLESS=1 and review the diff.\n\
         Fresh transcript:\n{fresh}"
    );
}
