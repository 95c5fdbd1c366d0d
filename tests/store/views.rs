//! Employee views from the command line (issue #17 item 3): a question about one employee
//! (eligibility, accruals, explain, a quote)
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
    let at = ["--as-of", "2026-06-12T14:30:00"];
    let asks: [&[&str]; 4] = [
        &[
            "eligibility",
            "--employee",
            "E0003",
            "--as-of",
            "2026-06-12T14:30:00",
        ],
        &[
            "accruals",
            "--employee",
            "E0003",
            "--as-of",
            "2026-06-12T14:30:00",
        ],
        &[
            "explain",
            "--employee",
            "E0003",
            "--as-of",
            "2026-06-12T14:30:00",
        ],
        &[
            "advance",
            "quote",
            "--employee",
            "E0003",
            "--amount",
            "1000",
            "--at",
            "2026-06-12T14:30:00",
        ],
    ];
    let before: Vec<String> = asks
        .iter()
        .map(|a| {
            let o = ewa(&dir.0, a);
            assert_eq!(code(&o), 0, "{a:?}: {}", stderr(&o));
            stdout(&o)
        })
        .collect();
    assert!(
        before[0].contains("\"employee_id\": \"E0003\""),
        "{}",
        before[0]
    );
    // Damage every frame of the company's snapshot and every row of its journal (the
    // demo's views were written by its own batches): loading the company now fails.
    let db = rusqlite::Connection::open(dir.file("ewa.db")).unwrap();
    let damaged = db
        .execute(
            "UPDATE snapshot_chunks SET data = zeroblob(length(data))",
            [],
        )
        .unwrap()
        + db.execute("UPDATE journal SET checksum = checksum + 1", [])
            .unwrap();
    assert!(damaged > 0);
    drop(db);
    for (a, b) in asks.iter().zip(&before) {
        let o = ewa(&dir.0, a);
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
        assert!(stderr(&o).contains("damaged"), "{}", stderr(&o));
    }
}
