//! `ewa` exit codes (docs/cli.md "Exit codes"), one test per command and case, through the
//! built binary: unknown ids are input errors (2) whatever answer is printed, refusals are 1,
//! a closed pipe keeps the command's own code, and an answer that cannot be written is 4.

use crate::cli_support::{code, ewa, ewa_to, json, stderr};
use crate::common::TempDir;
use std::path::Path;
use std::process::{Output, Stdio};

/// Runs `ewa` with its standard output a pipe whose reader is already gone.
fn ewa_closed_pipe(dir: &Path, args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    ewa_to(dir, args, Stdio::from(writer))
}

/// Runs `ewa` with its standard output `/dev/full` (every write: no space left).
fn ewa_full(dir: &Path, args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    ewa_to(dir, args, Stdio::from(full))
}

/// Company `acme` (UTC): monthly period 2026-06 paid 2026-07-03, employee e1 at 20.00/h
/// with one approved 8 h shift on 2026-06-02: base 160.00, 80.00 available (default
/// access rate 0.5).
pub fn acme(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let d = &dir.0;
    assert_eq!(code(&ewa(d, &["--company", "acme", "init"])), 0);
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
        "employee_id,contract_id,contract_start_on\ne1,c1,2026-01-01\n",
    )
    .unwrap();
    std::fs::write(
        d.join("shifts.csv"),
        "shift_id,shift_status,employee_id,start_at,stop_at\ns1,approved,e1,2026-06-02T09:00:00,2026-06-02T17:00:00\n",
    )
    .unwrap();
    for (kind, file) in [
        ("pay-schedules", "schedules.json"),
        ("contracts", "contracts.json"),
        ("employees", "employees.csv"),
        ("shifts", "shifts.csv"),
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
    dir
}

const AT: &str = "2026-06-10T00:00:00Z";

fn request(id: &str, employee: &str, amount: &str) -> Vec<String> {
    [
        "advance",
        "request",
        "--advance-id",
        id,
        "--employee",
        employee,
        "--amount",
        amount,
        "--at",
        AT,
    ]
    .map(String::from)
    .to_vec()
}

fn run(d: &Path, args: &[String]) -> Output {
    ewa(d, &args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn eligibility_exit_codes() {
    let dir = acme("x-elig");
    let d = &dir.0;
    let ok = ewa(d, &["eligibility", "--employee", "e1", "--as-of", AT]);
    assert_eq!(code(&ok), 0);
    assert_eq!(json(&ok)["available"], 8_000);
    // Not eligible (before any work) is an answer, not a refusal.
    let early = ewa(
        d,
        &[
            "eligibility",
            "--employee",
            "e1",
            "--as-of",
            "2026-06-01T00:00:00Z",
        ],
    );
    assert_eq!(code(&early), 0);
    assert_eq!(json(&early)["eligible"], false);
    // An id that names nobody: the answer is printed, and the code says input error.
    let nope = ewa(d, &["eligibility", "--employee", "NOPE", "--as-of", AT]);
    assert_eq!(code(&nope), 2);
    assert_eq!(json(&nope)["reasons"][0], "unknown_employee");
    assert_eq!(stderr(&nope), "ewa: no employee `NOPE` in company `acme`\n");
    assert_eq!(code(&ewa(d, &["eligibility", "--all", "--as-of", AT])), 0);
}

#[test]
fn accruals_exit_codes() {
    let dir = acme("x-accr");
    let d = &dir.0;
    assert_eq!(
        code(&ewa(d, &["accruals", "--employee", "e1", "--as-of", AT])),
        0
    );
    assert_eq!(code(&ewa(d, &["accruals", "--as-of", AT])), 0);
    let nope = ewa(d, &["accruals", "--employee", "NOPE", "--as-of", AT]);
    assert_eq!(code(&nope), 2);
    assert!(stderr(&nope).contains("NOPE"), "{}", stderr(&nope));
}

/// Issue #18.2: `big` is salaried on one period from 0001-01-01 to 9999-12-31 (a salaried
/// period over 10,000 days is an overflow): the company's list answers still come out.
#[test]
fn one_overflowing_employee_does_not_fail_the_company() {
    let dir = acme("x-overflow");
    let d = &dir.0;
    std::fs::write(
        d.join("forever.json"),
        r#"[{"pay_schedule_id": "forever", "frequency": "annually", "alignment": "arrears",
             "periods": [{"pay_period_id": "all", "start_at": "0001-01-01", "stop_at": "9999-12-31", "pay_at": "9999-12-31"}]}]"#,
    )
    .unwrap();
    std::fs::write(
        d.join("annual.json"),
        r#"[{"contract_id": "annual", "pay_schedule_id": "forever", "currency": "EUR", "wage_rate_period": "annually", "wage_rate_amount": 6000000}]"#,
    )
    .unwrap();
    std::fs::write(
        d.join("big.csv"),
        "employee_id,contract_id,contract_start_on\nbig,annual,2026-01-01\n",
    )
    .unwrap();
    for (kind, file) in [
        ("pay-schedules", "forever.json"),
        ("contracts", "annual.json"),
        ("employees", "big.csv"),
    ] {
        let o = ewa(d, &["ingest", "--entity", kind, file]);
        assert_eq!(code(&o), 0, "{kind}: {}", stderr(&o));
    }
    // Every employee's eligibility: `big` gated, e1 answered as before (exit 0).
    let all = ewa(d, &["eligibility", "--all", "--as-of", AT]);
    assert_eq!(code(&all), 0, "{}", stderr(&all));
    let all = json(&all);
    assert_eq!(all[0]["employee_id"], "big");
    assert_eq!(all[0]["reasons"], serde_json::json!(["amount_overflow"]));
    assert_eq!(
        (&all[1]["employee_id"], &all[1]["available"]),
        (&"e1".into(), &8_000.into())
    );
    // Accruals of all: e1 listed, `big` left out and named on stderr, exit 1.
    let acc = ewa(d, &["accruals", "--as-of", AT]);
    assert_eq!(code(&acc), 1);
    assert_eq!(json(&acc).as_array().map(Vec::len), Some(1));
    assert!(
        stderr(&acc).contains("employee `big` left out: arithmetic overflow"),
        "{}",
        stderr(&acc)
    );
    // Asked alone, the employee's accruals are an input error naming the computation.
    let one = ewa(d, &["accruals", "--employee", "big", "--as-of", AT]);
    assert_eq!(code(&one), 2);
    assert!(stderr(&one).contains("overflow"), "{}", stderr(&one));
}

#[test]
fn quote_exit_codes() {
    let dir = acme("x-quote");
    let d = &dir.0;
    let quote = |who: &str, amount: &str| {
        ewa(
            d,
            &[
                "advance",
                "quote",
                "--employee",
                who,
                "--amount",
                amount,
                "--at",
                AT,
            ],
        )
    };
    assert_eq!(code(&quote("e1", "5000")), 0);
    // 100.00 > 80.00 available: the request would be refused.
    let too_much = quote("e1", "10000");
    assert_eq!(code(&too_much), 1);
    assert_eq!(json(&too_much)["acceptable"], false);
    let nope = quote("NOPE", "5000");
    assert_eq!(code(&nope), 2);
    assert_eq!(json(&nope)["reasons"][0], "unknown_employee");
}

#[test]
fn request_exit_codes() {
    let dir = acme("x-req");
    let d = &dir.0;
    assert_eq!(code(&run(d, &request("a1", "e1", "5000"))), 0);
    // 30.00 left of 80.00: 50.00 more is refused.
    let refused = run(d, &request("a2", "e1", "5000"));
    assert_eq!(code(&refused), 1);
    assert_eq!(json(&refused)["reasons"][0], "exceeds_available");
    // The same id with other details: a conflict, a refusal.
    let conflict = run(d, &request("a1", "e1", "4000"));
    assert_eq!(code(&conflict), 1);
    assert_eq!(json(&conflict)["outcome"], "conflict");
    let nope = run(d, &request("a3", "NOPE", "1000"));
    assert_eq!(code(&nope), 2);
    assert_eq!(stderr(&nope), "ewa: no employee `NOPE` in company `acme`\n");
}

#[test]
fn recoveries_history_and_company_exit_codes() {
    let dir = acme("x-misc");
    let d = &dir.0;
    let rec = |period: &str| {
        ewa(
            d,
            &[
                "recoveries",
                "--schedule",
                "m",
                "--period",
                period,
                "--as-of",
                AT,
            ],
        )
    };
    assert_eq!(code(&rec("2026-06")), 0);
    assert_eq!(code(&rec("2026-13")), 2);
    assert_eq!(code(&ewa(d, &["history", "--shift", "s1"])), 0);
    assert_eq!(code(&ewa(d, &["history", "--shift", "nope"])), 2);
    assert_eq!(
        code(&ewa(d, &["--company", "nope", "accruals", "--as-of", AT])),
        2
    );
    assert_eq!(code(&ewa(d, &["companies"])), 0);
    assert_eq!(code(&ewa(d, &["--db", "missing.db", "companies"])), 3);
}

#[test]
fn ingest_exit_codes() {
    let dir = acme("x-ingest");
    let d = &dir.0;
    std::fs::write(
        d.join("bad.csv"),
        "shift_id,shift_status,employee_id,start_at,stop_at\ns2,aproved,e1,2026-06-03T09:00:00,2026-06-03T17:00:00\n",
    )
    .unwrap();
    assert_eq!(
        code(&ewa(d, &["ingest", "--entity", "shifts", "bad.csv"])),
        1
    );
    assert_eq!(
        code(&ewa(d, &["ingest", "--entity", "shifts", "shifts.csv"])),
        0
    );
    assert_eq!(
        code(&ewa(d, &["ingest", "--entity", "shifts", "missing.csv"])),
        2
    );
}

#[test]
fn a_closed_pipe_keeps_the_commands_own_code() {
    let dir = acme("x-pipe");
    let d = &dir.0;
    // A refused advance is still 1 when nobody reads the answer.
    let args = request("big", "e1", "900000");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = ewa_closed_pipe(d, &args);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    // A rejected record too.
    std::fs::write(
        d.join("bad.csv"),
        "shift_id,shift_status,employee_id,start_at,stop_at\ns2,aproved,e1,2026-06-03T09:00:00,2026-06-03T17:00:00\n",
    )
    .unwrap();
    let o = ewa_closed_pipe(d, &["ingest", "--entity", "shifts", "bad.csv"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    // And success stays success.
    let o = ewa_closed_pipe(d, &["eligibility", "--all", "--as-of", AT]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn an_answer_that_cannot_be_written_is_4_and_the_advance_stands() {
    let dir = acme("x-full");
    let d = &dir.0;
    let args = request("a1", "e1", "5000");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = ewa_full(d, &args);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("ewa: cannot write the output: "),
        "{}",
        stderr(&o)
    );
    // The advance was journaled: the retry replays it.
    let again = run(d, &request("a1", "e1", "5000"));
    assert_eq!(code(&again), 0);
    assert_eq!(json(&again)["outcome"], "accepted");
    // A refused one that cannot be written is 4 too: the answer is lost either way.
    let refused = request("a2", "e1", "900000");
    let refused: Vec<&str> = refused.iter().map(String::as_str).collect();
    assert_eq!(code(&ewa_full(d, &refused)), 4);
}

fn cancel(d: &Path, id: &str, at: &str) -> Output {
    ewa(d, &["advance", "cancel", "--advance-id", id, "--at", at])
}

#[test]
fn cancel_exit_codes_and_idempotent_retries() {
    let dir = acme("x-cancel");
    let d = &dir.0;
    assert_eq!(code(&run(d, &request("a1", "e1", "5000"))), 0);
    let first = cancel(d, "a1", "2026-06-11T00:00:00Z");
    assert_eq!(code(&first), 0);
    assert_eq!(json(&first)["outcome"], "cancelled");
    assert_eq!(json(&first)["cancelled_at"], "2026-06-11T00:00:00Z");
    // A second cancel, later: still cancelled, at the first time; not `not_cancellable`.
    let again = cancel(d, "a1", "2026-06-12T00:00:00Z");
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(json(&again)["outcome"], "cancelled");
    assert_eq!(json(&again)["cancelled_at"], "2026-06-11T00:00:00Z");
    assert_eq!(json(&again)["reasons"], serde_json::json!([]));
    // Re-sending the request of the cancelled advance: what is true now, every time.
    for _ in 0..2 {
        let retry = run(d, &request("a1", "e1", "5000"));
        assert_eq!(code(&retry), 1);
        assert_eq!(json(&retry)["outcome"], "cancelled");
        assert_eq!(json(&retry)["cancelled_at"], "2026-06-11T00:00:00Z");
        assert_eq!(json(&retry)["fee"], 0);
    }
    // The cancelled advance no longer counts: 80.00 available again.
    let e = ewa(
        d,
        &[
            "eligibility",
            "--employee",
            "e1",
            "--as-of",
            "2026-06-12T00:00:00Z",
        ],
    );
    assert_eq!(json(&e)["available"], 8_000);
    // A refused advance cannot be cancelled: 1.
    assert_eq!(code(&run(d, &request("big", "e1", "900000"))), 1);
    let o = cancel(d, "big", "2026-06-12T00:00:00Z");
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o)["reasons"][0], "not_cancellable");
    assert!(json(&o).get("cancelled_at").is_none(), "{:?}", json(&o));
    // An unknown id: input error, and no cancellation time printed.
    let o = cancel(d, "nope", "2026-06-12T00:00:00Z");
    assert_eq!(code(&o), 2);
    assert_eq!(json(&o)["reasons"][0], "unknown_advance");
    assert!(json(&o).get("cancelled_at").is_none(), "{:?}", json(&o));
    assert_eq!(stderr(&o), "ewa: no advance `nope` in company `acme`\n");
}

#[test]
fn scenario_cancels_are_unchanged() {
    // SPEC §8: in a scenario a second cancel is still `rejected` / `not_cancellable`.
    let dir = TempDir::new("x-scen");
    let d = &dir.0;
    std::fs::write(
        d.join("s.json"),
        r#"{"company": {"company_id": "c", "timezone": "UTC"}, "steps": [
            {"push": "pay_schedules", "received_at": "2026-06-05T00:00:00Z", "records": [{"pay_schedule_id": "m", "frequency": "monthly", "periods": [{"pay_period_id": "2026-06", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]}]},
            {"push": "contracts", "received_at": "2026-06-05T00:00:00Z", "records": [{"contract_id": "c1", "pay_schedule_id": "m", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 2000}]},
            {"push": "employees", "received_at": "2026-06-05T00:00:00Z", "records": [{"employee_id": "e1", "contract_id": "c1", "contract_start_on": "2026-01-01"}]},
            {"push": "shifts", "received_at": "2026-06-05T00:00:00Z", "records": [{"shift_id": "s1", "shift_status": "approved", "employee_id": "e1", "start_at": "2026-06-02T09:00:00", "stop_at": "2026-06-02T17:00:00"}]},
            {"advance": {"advance_id": "a1", "employee_id": "e1", "amount": 5000, "requested_at": "2026-06-10T00:00:00Z"}},
            {"cancel": {"advance_id": "a1", "at": "2026-06-11T00:00:00Z"}},
            {"cancel": {"advance_id": "a1", "at": "2026-06-12T00:00:00Z"}},
            {"cancel": {"advance_id": "zz", "at": "2026-06-12T00:00:00Z"}}]}"#,
    )
    .unwrap();
    let o = ewa(d, &["scenario", "s.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let adv = json(&o)["advances"].clone();
    assert_eq!(adv[1]["outcome"], "cancelled");
    assert_eq!(
        (adv[2]["outcome"].as_str(), adv[2]["reasons"][0].as_str()),
        (Some("rejected"), Some("not_cancellable"))
    );
    assert_eq!(
        (adv[3]["outcome"].as_str(), adv[3]["reasons"][0].as_str()),
        (Some("rejected"), Some("unknown_advance"))
    );
}

#[test]
fn usage_errors_name_what_is_missing() {
    let dir = TempDir::new("x-usage");
    let d = &dir.0;
    let o = ewa(d, &["eligibility"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("<--employee <ID>|--all>"),
        "{}",
        stderr(&o)
    );
    let o = ewa(d, &["eligibility", "--employee", "e1", "--all"]);
    assert_eq!(code(&o), 2);
    // --amount is minor units: a decimal is refused with the integer it likely means.
    let o = ewa(
        d,
        &["advance", "quote", "--employee", "e1", "--amount", "12.50"],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("`12.50` is not an integer of minor units (for 2-decimal currencies such as EUR, 12.50 is 1250)"),
        "{}",
        stderr(&o)
    );
    let help = ewa(d, &["advance", "request", "--help"]);
    assert!(String::from_utf8(help.stdout).unwrap().contains(
        "Amount in minor units of the employee's currency, an integer: 5000 is 50.00 EUR"
    ));
}
