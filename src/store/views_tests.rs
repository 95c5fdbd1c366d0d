//! Employee views (`super::views`): current after every kind of write, read by
//! `Store::employee_twin`, refused when damaged, written by the first compaction of a file
//! that has none, dropped with their company.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::tests::{check_fault_points, company, fixture, ops, run_store, Op, TempDb};
use super::*;
use serde_json::json;

fn view_rows(store: &Store, cid: &str) -> usize {
    let n: i64 = store
        .conn
        .query_row(
            "SELECT COUNT(*) FROM employee_views WHERE company_id = ?1",
            [cid],
            |r| r.get(0),
        )
        .unwrap();
    n as usize
}

/// Every employee's view is its slice of the whole twin the file holds now.
fn assert_views_current(store: &Store, cid: &str) {
    let full = store.load(cid).unwrap();
    let ids = full.employee_ids();
    assert!(views::complete(&store.conn, cid, &store.path).unwrap());
    assert_eq!(view_rows(store, cid), ids.len());
    for id in ids {
        let v = store.employee_twin(cid, id).unwrap();
        assert_eq!(v.employee_ids(), [id]);
        assert!(
            v == full.employee_slice(id).unwrap().unwrap(),
            "view of {id}"
        );
    }
    let nobody = store.employee_twin(cid, "nobody").unwrap();
    assert_eq!(nobody.counts().employees, 0);
}

/// Writes that change other employees' views than the records' own: a shift, a payment
/// and a leave moving between employees, a contract and a schedule changed under two
/// employees, an employee re-assigned.
fn more_ops() -> Vec<Op> {
    vec![
        Op::Push(
            Kind::Shifts,
            vec![
                json!({"shift_id": "s6", "shift_status": "approved", "employee_id": "e3", "start_at": "2026-06-16T08:00:00Z", "stop_at": "2026-06-16T16:00:00Z"}),
            ],
            "2026-06-12T00:00:00Z",
        ),
        Op::Push(
            Kind::Deductions,
            vec![json!({"payment_id": "d1", "employee_id": "e3", "amount": 1000})],
            "2026-06-12T00:00:00Z",
        ),
        Op::Push(
            Kind::Leaves,
            vec![
                json!({"leave_id": "l1", "employee_id": "e1", "leave_status": "approved", "start_on": "2026-06-18", "stop_on": "2026-06-18", "paid": true}),
            ],
            "2026-06-12T00:00:00Z",
        ),
        Op::Push(
            Kind::Leaves,
            vec![
                json!({"leave_id": "l1", "employee_id": "e3", "leave_status": "approved", "start_on": "2026-06-18", "stop_on": "2026-06-18", "paid": true}),
            ],
            "2026-06-12T01:00:00Z",
        ),
        Op::Push(
            Kind::Employees,
            vec![
                json!({"employee_id": "e4", "contract_id": "d1", "contract_start_on": "2026-06-01"}),
            ],
            "2026-06-13T00:00:00Z",
        ),
        Op::Push(
            Kind::Contracts,
            vec![
                json!({"contract_id": "d1", "pay_schedule_id": "bw", "currency": "EUR", "wage_rate_period": "daily", "wage_rate_amount": 16000}),
            ],
            "2026-06-13T00:00:00Z",
        ),
        Op::Push(
            Kind::PaySchedules,
            vec![
                json!({"pay_schedule_id": "bw", "frequency": "bi-weekly", "alignment": "arrears", "periods": [
                {"pay_period_id": "p1", "start_at": "2026-06-01", "stop_at": "2026-06-15", "pay_at": "2026-06-19"},
                {"pay_period_id": "p2", "start_at": "2026-06-15", "stop_at": "2026-06-29", "pay_at": "2026-07-03"},
                {"pay_period_id": "p3", "start_at": "2026-06-29", "stop_at": "2026-07-13", "pay_at": "2026-07-17"}]}),
            ],
            "2026-06-14T00:00:00Z",
        ),
    ]
}

/// After the company is created, after every write of every kind (batches of each kind,
/// advances, cancellations, records moving between employees, shared contracts and
/// schedules changing), after a compaction and a policy change, every view is current.
#[test]
fn every_write_keeps_every_view_current() {
    let db = TempDb::new("views-current");
    let mut store = Store::open(&db.0).unwrap();
    store.create_company(&company("acme")).unwrap();
    assert_views_current(&store, "acme");
    for op in ops().into_iter().chain(more_ops()) {
        run_store(&mut store, "acme", &op).unwrap();
        assert_views_current(&Store::open(&db.0).unwrap(), "acme");
    }
    store.compact("acme").unwrap();
    assert_views_current(&store, "acme");
    let mut policy = store.twin("acme").unwrap().company().policy().clone();
    policy.access_rate = rust_decimal::Decimal::new(3, 1);
    store.set_policy("acme", &policy).unwrap();
    assert_views_current(&store, "acme");
    let view = store.employee_twin("acme", "e1").unwrap();
    assert_eq!(view.company().policy().access_rate, policy.access_rate);
}

/// A file whose company has no views (as a file written before schema version 5) answers
/// from the whole company; its first compaction writes every view; deleting the company
/// deletes them.
#[test]
fn without_views_the_company_is_loaded_and_a_compaction_writes_them() {
    let db = TempDb::new("views-absent");
    let (mut store, twin) = fixture(&db);
    views::drop_all(&store.conn, "acme", &store.path, None).unwrap();
    let whole = store.employee_twin("acme", "e1").unwrap();
    assert!(whole == twin);
    store.compact("acme").unwrap();
    assert_views_current(&store, "acme");
    assert!(store.delete_company("acme").unwrap());
    assert_eq!(view_rows(&store, "acme"), 0);
    assert!(!views::complete(&store.conn, "acme", &store.path).unwrap());
}

/// With deferred views (`Store::set_defer_views`, as `ewa ingest` sets it for a run that
/// changes about every employee): a write that changes nobody keeps the views; the first
/// that changes an employee drops them all, and reads answer from the whole company; the
/// writes after it change nothing more; `compact_if_due` then compacts, even with a tail
/// below its limits, and writes every view again.
#[test]
fn deferred_views_are_dropped_by_a_change_and_written_back_by_the_compaction() {
    let db = TempDb::new("views-deferred");
    let mut store = Store::open(&db.0).unwrap();
    store.create_company(&company("acme")).unwrap();
    store.set_defer_views(true);
    let mut all = ops().into_iter().chain(more_ops());
    // The setup batches (schedules, contracts) change no employee: the views stay.
    for op in all.by_ref().take(2) {
        run_store(&mut store, "acme", &op).unwrap();
    }
    assert_views_current(&store, "acme");
    for op in all {
        run_store(&mut store, "acme", &op).unwrap();
        assert!(!views::complete(&store.conn, "acme", &store.path).unwrap());
        assert_eq!(view_rows(&store, "acme"), 0);
    }
    let whole = store.load("acme").unwrap();
    assert!(store.employee_twin("acme", "e1").unwrap() == whole);
    let limits = AutoCompact {
        rows: u64::MAX,
        bytes: u64::MAX,
    };
    let report = store.compact_if_due("acme", limits).unwrap();
    assert!(report.is_some_and(|r| r.journal_rows_trimmed > 0));
    assert_views_current(&store, "acme");
    // Complete views and a short tail: nothing to do.
    assert_eq!(store.compact_if_due("acme", limits).unwrap(), None);
}

/// A damaged view is an error naming the employee, never another answer.
#[test]
fn a_damaged_view_is_an_error_naming_it() {
    let db = TempDb::new("views-damaged");
    let (store, _) = fixture(&db);
    let data: Vec<u8> = store
        .conn
        .query_row(
            "SELECT data FROM employee_views WHERE company_id = 'acme' AND employee_id = 'e1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut bad = data.clone();
    let k = bad.len() / 2;
    bad[k] ^= 0x40;
    let set = |bytes: &[u8], id: &str| {
        store
            .conn
            .execute(
                "UPDATE employee_views SET data = ?1 WHERE company_id = 'acme' AND employee_id = ?2",
                rusqlite::params![bytes, id],
            )
            .unwrap();
    };
    set(&bad, "e1");
    let e = store.employee_twin("acme", "e1").unwrap_err();
    assert!(matches!(e, Error::Damaged { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("the view of employee `e1` is damaged"),
        "{e}"
    );
    // e1's bytes under e3's name: a view of another employee.
    set(&data, "e3");
    let e = store.employee_twin("acme", "e3").unwrap_err();
    assert!(
        e.to_string().contains("it holds the employees [\"e1\"]"),
        "{e}"
    );
    set(&data[..data.len() - 3], "e3");
    assert!(store.employee_twin("acme", "e3").is_err());
}

/// An I/O fault at any write of a batch that moves a shift between employees leaves
/// the views of the last acknowledged state; the retried batch makes them current.
#[test]
fn an_io_fault_at_any_write_keeps_the_views_of_the_acknowledged_state() {
    let moved = more_ops().swap_remove(0);
    check_fault_points(
        "views-fault",
        move |s| run_store(s, "acme", &moved).map(|_| ()),
        |s| assert_views_current(s, "acme"),
    );
}
