//! Employee views from the command line (issue #17 item 3): a question about one employee
//! reads that employee's view, not the company — shown by damaging the company's snapshot,
//! which every other command then refuses, while the one-employee answers stay the same.

use crate::cli_support::{code, ewa, stderr, stdout};
use crate::common::TempDir;

#[test]
fn one_employee_is_answered_from_its_view_alone() {
    let dir = TempDir::new("views-cli");
    let demo = ewa(
        &dir.0,
        &[
            "demo",
            "--employees",
            "40",
            "--as-of",
            "2026-06-12T14:30:00",
        ],
    );
    assert_eq!(code(&demo), 0, "{}", stderr(&demo));
    ewa(&dir.0, &["compact"]);
    let at = ["--as-of", "2026-06-12T14:30:00"];
    let asks: [&[&str]; 3] = [
        &["eligibility", "--employee", "E0003"],
        &["accruals", "--employee", "E0003"],
        &["explain", "--employee", "E0003"],
    ];
    let before: Vec<String> = asks
        .iter()
        .map(|a| {
            let o = ewa(&dir.0, &[*a, &at[..]].concat());
            assert_eq!(code(&o), 0, "{a:?}: {}", stderr(&o));
            stdout(&o)
        })
        .collect();
    assert!(
        before[0].contains("\"employee_id\": \"E0003\""),
        "{}",
        before[0]
    );
    // Damage every frame of the company's snapshot: loading the company now fails.
    let db = rusqlite::Connection::open(dir.file("ewa.db")).unwrap();
    db.execute(
        "UPDATE snapshot_chunks SET data = zeroblob(length(data))",
        [],
    )
    .unwrap();
    drop(db);
    for (a, b) in asks.iter().zip(&before) {
        let o = ewa(&dir.0, &[*a, &at[..]].concat());
        assert_eq!(code(&o), 0, "{a:?}: {}", stderr(&o));
        assert_eq!(&stdout(&o), b, "{a:?}");
    }
    for whole in [
        &["eligibility", "--all"][..],
        &[
            "eligibility",
            "--employee",
            "E0003",
            "--known-at",
            "2026-06-12T14:30:00",
        ][..],
    ] {
        let o = ewa(&dir.0, &[whole, &at[..]].concat());
        assert_eq!(code(&o), 3, "{whole:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("snapshot"), "{}", stderr(&o));
    }
}
