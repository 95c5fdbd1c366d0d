//! The commands added for issue #17: `advances list|show` with states, `generate` options,
//! completions and the man page, `EWA_DB`, and `company delete --yes`.

use crate::cli_exit::acme;
use crate::cli_support::{code, ewa, ewa_env, json, request, stderr, stdout};
use crate::common::TempDir;

#[test]
fn advances_list_and_show_with_states() {
    let dir = acme("c-adv");
    let d = &dir.0;
    assert_eq!(code(&request(d, "a1", "3000", "standard")), 0);
    assert_eq!(code(&request(d, "a2", "2000", "standard")), 0);
    assert_eq!(code(&request(d, "big", "900000", "standard")), 1);
    let o = ewa(
        d,
        &[
            "advance",
            "cancel",
            "--advance-id",
            "a2",
            "--at",
            "2026-06-11T00:00:00Z",
        ],
    );
    assert_eq!(code(&o), 0);
    let states = |as_of: &str| -> Vec<(String, String)> {
        let o = ewa(d, &["advances", "list", "--as-of", as_of]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        json(&o)
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["advance_id"].as_str().unwrap().into(),
                    a["state"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        states("2026-06-12T00:00:00Z"),
        [
            s("a1", "accepted"),
            s("a2", "cancelled"),
            s("big", "rejected")
        ]
    );
    // The recovery payday 2026-07-03 has passed: a1 is recovered.
    assert_eq!(
        states("2026-07-03T00:00:00Z"),
        [
            s("a1", "recovered"),
            s("a2", "cancelled"),
            s("big", "rejected")
        ]
    );
    let o = ewa(
        d,
        &[
            "advances",
            "list",
            "--employee",
            "nobody",
            "--format",
            "jsonl",
        ],
    );
    assert_eq!((code(&o), stdout(&o)), (0, String::new()));
    let o = ewa(
        d,
        &["advances", "show", "a2", "--as-of", "2026-06-12T00:00:00Z"],
    );
    assert_eq!(code(&o), 0);
    assert_eq!(json(&o)["state"], "cancelled");
    assert_eq!(json(&o)["cancelled_at"], "2026-06-11T00:00:00Z");
    let t = stdout(&ewa(
        d,
        &[
            "advances",
            "list",
            "--as-of",
            "2026-06-12T00:00:00Z",
            "--format",
            "table",
        ],
    ));
    let a1: Vec<&str> = t
        .lines()
        .nth(2)
        .unwrap()
        .split("  ")
        .filter(|c| !c.is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(
        a1,
        [
            "a1",
            "e1",
            "accepted",
            "30.00",
            "0.00",
            "2026-06-10 00:00 UTC",
            "2026-07-03 00:00 UTC"
        ],
        "{t}"
    );
    let o = ewa(d, &["advances", "show", "nope"]);
    assert_eq!(code(&o), 2);
    assert_eq!(stderr(&o), "ewa: no advance `nope` in company `acme`\n");
}

#[test]
fn generate_options() {
    let dir = TempDir::new("c-gen");
    let d = &dir.0;
    let o = ewa(
        d,
        &[
            "generate",
            "--employees",
            "3",
            "--shifts-per-employee",
            "2",
            "--start",
            "2026-03-01",
            "--timezone",
            "UTC",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["company"]["timezone"], "UTC");
    assert_eq!(doc["employees"].as_array().unwrap().len(), 3);
    assert_eq!(doc["shifts"].as_array().unwrap().len(), 6);
    // Shifts start four weeks before the pay month.
    let first = doc["shifts"][0]["start_at"].as_str().unwrap();
    assert!(
        first.starts_with("2026-02") || first.starts_with("2026-03"),
        "{first}"
    );
    assert_eq!(
        code(&ewa(
            d,
            &["generate", "--employees", "1", "--timezone", "Mars/Base"]
        )),
        2
    );
}

#[test]
fn completions_and_man_page_come_from_the_definitions() {
    let dir = TempDir::new("c-comp");
    let d = &dir.0;
    let o = ewa(d, &["completions", "bash"]);
    assert_eq!(code(&o), 0);
    let script = stdout(&o);
    assert!(
        script.contains("advances") && script.contains("--csv-delimiter"),
        "bash"
    );
    let o = ewa(d, &["completions", "zsh"]);
    assert!(stdout(&o).contains("#compdef ewa"));
    let o = ewa(d, &["man"]);
    assert_eq!(code(&o), 0);
    let man = stdout(&o);
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq") || man.contains(".TH ewa"),
        "{}",
        &man[..200]
    );
    assert!(man.contains("EWA_DB"));
}

#[test]
fn db_from_ewa_db_and_company_delete() {
    let dir = TempDir::new("c-env");
    let d = &dir.0;
    let env = [("EWA_DB", "payroll.db")];
    let o = ewa_env(d, &["--company", "acme", "init"], &env);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(d.join("payroll.db").exists() && !d.join("ewa.db").exists());
    assert_eq!(code(&ewa_env(d, &["--company", "beta", "init"], &env)), 0);
    // --db wins over the variable.
    assert_eq!(
        code(&ewa_env(d, &["--db", "other.db", "companies"], &env)),
        3
    );
    // Refused without --yes: nothing deleted.
    let o = ewa_env(d, &["company", "delete", "acme"], &env);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("add --yes to confirm"),
        "{}",
        stderr(&o)
    );
    let o = ewa_env(d, &["company", "delete", "acme", "--yes"], &env);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["deleted"], true);
    let left = json(&ewa_env(d, &["companies"], &env));
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["company_id"], "beta");
    assert_eq!(
        code(&ewa_env(d, &["company", "delete", "acme", "--yes"], &env)),
        2
    );
}
