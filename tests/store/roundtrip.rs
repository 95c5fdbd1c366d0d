//! Round trips of generated twins (proptest): every operation gives the same answer through
//! the store as on a plain twin; save → load gives an equal twin with byte-identical
//! answers; so does compact → load, and operations after the snapshot; and the twin known
//! at a cut is the twin of the journal's prefix.

use crate::common::{answers, t, TempDir};
use ewa::calendar::Instant;
use ewa::store::{SnapshotMode, Store};
use ewa::{AdvanceRequest, Company, Delivery, Kind, Twin};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{json, Value};

/// One generated operation; its stamp comes from its position.
#[derive(Clone, Debug)]
enum Op {
    Push(Kind, Vec<Value>),
    Advance {
        id: u8,
        employee: u8,
        amount: i64,
        day: u8,
        instant: bool,
    },
    Cancel {
        id: u8,
        day: u8,
    },
}

const PERIODS: [(&str, &str, &str, &str); 4] = [
    ("p1", "2026-03-16", "2026-03-30", "2026-04-02T10:00:00"),
    ("p2", "2026-03-30", "2026-04-13", "2026-04-16T10:00:00"),
    ("p3", "2026-04-13", "2026-04-27", "2026-04-30T10:00:00"),
    ("p4", "2026-04-27", "2026-05-11", "2026-05-14T10:00:00"),
];

fn company() -> Company {
    Company::from_json(&json!({"company_id": "gen", "timezone": "Europe/Brussels", "custom_info_keys": ["badge"],
        "policy": {"fees": {"instant": {"flat": 50, "rate_bps": 200}}, "estimated_withholding_rate": "0.1",
                   "max_advances_per_period": 2}}))
    .unwrap()
}

fn setup() -> Vec<Op> {
    let periods: Vec<Value> = PERIODS
        .iter()
        .map(|(id, s, e, p)| json!({"pay_period_id": id, "start_at": s, "stop_at": e, "pay_at": p}))
        .collect();
    vec![
        Op::Push(
            Kind::PaySchedules,
            vec![json!({"pay_schedule_id": "bw", "frequency": "bi-weekly", "periods": periods})],
        ),
        Op::Push(
            Kind::Contracts,
            vec![
                json!({"contract_id": "c0", "pay_schedule_id": "bw", "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 1800}),
                json!({"contract_id": "c1", "pay_schedule_id": "bw", "currency": "EUR", "wage_rate_period": "monthly", "wage_rate_amount": 300_000}),
            ],
        ),
        Op::Push(
            Kind::Employees,
            vec![json!({"employee_id": "e0", "contract_id": "c0"})],
        ),
    ]
}

fn day(d: u8) -> String {
    (chrono::NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
        + chrono::Duration::days(i64::from(d % 56)))
    .to_string()
}

fn contract() -> impl Strategy<Value = Value> {
    (0u8..4, prop_oneof!["hourly", "daily", "monthly", "weekly"], 0i64..5000, proptest::option::of(0u8..56), any::<bool>())
        .prop_map(|(c, period, amount, from, ot)| {
            let mut v = json!({"contract_id": format!("c{c}"), "pay_schedule_id": "bw", "currency": "EUR",
                               "wage_rate_period": period, "wage_rate_amount": amount});
            if let Some(d) = from {
                v["effective_from"] = json!(day(d));
            }
            if ot {
                v["custom_info"] = json!({"overtime": {"daily_threshold_hours": "6", "multiplier": "1.5"}});
            }
            v
        })
}

fn employee() -> impl Strategy<Value = Value> {
    (
        0u8..5,
        proptest::option::of(0u8..4),
        proptest::option::of(0u8..56),
        proptest::option::of(0u8..56),
        0u8..4,
    )
        .prop_map(|(e, c, start, stop, name)| {
            let mut v = json!({"employee_id": format!("e{e}")});
            if let Some(c) = c {
                v["contract_id"] = json!(format!("c{c}"));
            }
            if let Some(s) = start {
                v["contract_start_on"] = json!(day(s));
            }
            if let Some(s) = stop {
                v["contract_stop_on"] = json!(day(s));
            }
            match name {
                0 => v["given_name"] = json!("Ana"),
                1 => v["custom_info"] = json!({"badge": name}),
                2 => v["work_email"] = json!(format!("e{e}@example.com")),
                _ => {}
            }
            v
        })
}

fn shift() -> impl Strategy<Value = Value> {
    let status = prop_oneof![
        Just("approved"),
        Just("approved"),
        Just("submitted"),
        Just("voided"),
        Just("scheduled")
    ];
    (0u8..10, status, proptest::option::of(0u8..5), 0u8..56, 0u32..24, 1u32..12)
        .prop_map(|(s, status, e, d, h, len)| {
            let start = format!("{}T{h:02}:00:00", day(d));
            let stop_h = h + len;
            let stop = if stop_h < 24 {
                format!("{}T{stop_h:02}:00:00", day(d))
            } else {
                format!("{}T{:02}:00:00", day(d.saturating_add(1)), stop_h - 24)
            };
            let mut v = json!({"shift_id": format!("s{s}"), "shift_status": status, "start_at": start, "stop_at": stop});
            if let Some(e) = e {
                v["employee_id"] = json!(format!("e{e}"));
            }
            v
        })
}

fn payment() -> impl Strategy<Value = Value> {
    (0u8..4, 0u8..5, 0i64..20_000, proptest::option::of(0u8..56)).prop_map(|(p, e, amount, on)| {
        let mut v = json!({"payment_id": format!("p{p}"), "employee_id": format!("e{e}"), "amount": amount});
        if let Some(d) = on {
            v["effective_on"] = json!(day(d));
        }
        v
    })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => proptest::collection::vec(contract(), 1..3).prop_map(|r| Op::Push(Kind::Contracts, r)),
        2 => proptest::collection::vec(employee(), 1..4).prop_map(|r| Op::Push(Kind::Employees, r)),
        4 => proptest::collection::vec(shift(), 1..5).prop_map(|r| Op::Push(Kind::Shifts, r)),
        1 => proptest::collection::vec(payment(), 1..3).prop_map(|r| Op::Push(Kind::Additions, r)),
        1 => proptest::collection::vec(payment(), 1..3).prop_map(|r| Op::Push(Kind::Deductions, r)),
        3 => (0u8..6, 0u8..5, 1i64..40_000, 0u8..56, any::<bool>())
            .prop_map(|(id, employee, amount, day, instant)| Op::Advance { id, employee, amount, day, instant }),
        1 => (0u8..6, 0u8..56).prop_map(|(id, day)| Op::Cancel { id, day }),
    ]
}

/// The stamp of the operation at `i`: the batches arrive an hour apart.
fn stamp(i: usize) -> Instant {
    Instant::from_micros(
        t("2026-03-15T00:00:00Z").as_micros() + i64::try_from(i).unwrap() * 3_600_000_000,
    )
}

/// The instant the store files an operation under: `received_at`, `requested_at`, `at`.
fn op_stamp(i: usize, op: &Op) -> Instant {
    match op {
        Op::Push(..) => stamp(i),
        Op::Advance { day: d, .. } => t(&format!("{}T12:00:00Z", day(*d))),
        Op::Cancel { day: d, .. } => t(&format!("{}T18:00:00Z", day(*d))),
    }
}

/// Runs an operation on a plain twin or through the store; the answer as JSON.
fn run(i: usize, op: &Op, twin: Option<&mut Twin>, store: Option<&mut Store>) -> Value {
    let at = stamp(i);
    let adv = |id: u8, employee: u8, amount: i64, d: u8, instant: bool| AdvanceRequest {
        advance_id: format!("a{id}"),
        employee_id: format!("e{employee}"),
        amount,
        requested_at: t(&format!("{}T12:00:00Z", day(d))),
        delivery: if instant {
            Delivery::Instant
        } else {
            Delivery::Standard
        },
    };
    let cancel_at = |d: u8| t(&format!("{}T18:00:00Z", day(d)));
    match (op, twin, store) {
        (Op::Push(k, r), Some(tw), None) => {
            serde_json::to_value(tw.apply(*k, r, at).unwrap()).unwrap()
        }
        (Op::Push(k, r), None, Some(s)) => {
            serde_json::to_value(s.apply("gen", *k, r, at).unwrap()).unwrap()
        }
        (
            Op::Advance {
                id,
                employee,
                amount,
                day,
                instant,
            },
            Some(tw),
            None,
        ) => serde_json::to_value(
            tw.request_advance(&adv(*id, *employee, *amount, *day, *instant))
                .unwrap(),
        )
        .unwrap(),
        (
            Op::Advance {
                id,
                employee,
                amount,
                day,
                instant,
            },
            None,
            Some(s),
        ) => serde_json::to_value(
            s.request_advance("gen", &adv(*id, *employee, *amount, *day, *instant))
                .unwrap(),
        )
        .unwrap(),
        (Op::Cancel { id, day }, Some(tw), None) => {
            serde_json::to_value(tw.cancel_advance(&format!("a{id}"), cancel_at(*day))).unwrap()
        }
        (Op::Cancel { id, day }, None, Some(s)) => serde_json::to_value(
            s.cancel_advance("gen", &format!("a{id}"), cancel_at(*day))
                .unwrap(),
        )
        .unwrap(),
        _ => unreachable!(),
    }
}

fn all_answers(twin: &Twin) -> String {
    let instants: Vec<Instant> = [
        "2026-03-20T12:00:00Z",
        "2026-03-29T01:30:00Z",
        "2026-04-01T00:00:00Z",
        "2026-04-20T12:00:00Z",
        "2026-05-12T00:00:00Z",
    ]
    .iter()
    .map(|s| t(s))
    .collect();
    let periods: Vec<(&str, &str)> = PERIODS.iter().map(|p| ("bw", p.0)).collect();
    let shifts: Vec<String> = (0..10).map(|s| format!("s{s}")).collect();
    answers(twin, &instants, &periods, &shifts)
}

fn assert_same(a: &Twin, b: &Twin, what: &str) {
    assert!(a == b, "{what}: twins differ");
    assert_eq!(all_answers(a), all_answers(b), "{what}: answers differ");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn save_load_compact_and_known_at_round_trip(
        ops in proptest::collection::vec(op(), 0..24),
        after in proptest::collection::vec(op(), 0..4),
        cut in 0usize..30,
    ) {
        let dir = TempDir::new("prop");
        let path = dir.file("gen.db");
        let mut store = Store::open(&path).unwrap();
        store.create_company(&company()).unwrap();
        let mut twin = Twin::new(company());
        let mut all = setup();
        all.extend(ops);
        for (i, op) in all.iter().enumerate() {
            let a = run(i, op, Some(&mut twin), None);
            let b = run(i, op, None, Some(&mut store));
            prop_assert_eq!(a, b, "operation {} {:?}", i, op);
        }
        // Save → load, in a new handle.
        let reopened = Store::open(&path).unwrap();
        assert_same(&reopened.load("gen").unwrap(), &twin, "journal");
        // As known at a cut: the twin of the journal's prefix whose operations are all
        // stamped (so far) at or before it.
        let known = all.iter().enumerate().take(cut.min(all.len()).max(1)).map(|(i, op)| op_stamp(i, op)).max().unwrap();
        let mut prefix = Twin::new(company());
        let mut latest = Instant::MIN;
        for (i, op) in all.iter().enumerate() {
            latest = latest.max(op_stamp(i, op));
            if latest > known {
                break;
            }
            run(i, op, Some(&mut prefix), None);
        }
        assert_same(&reopened.load_known_at("gen", known).unwrap(), &prefix, "known at");
        // Compact → load; then operations after the snapshot.
        let report = store.compact("gen").unwrap();
        prop_assert!(report.mode != SnapshotMode::None);
        assert_same(&reopened.load("gen").unwrap(), &twin, "snapshot");
        for (j, op) in after.iter().enumerate() {
            let i = all.len() + j;
            let a = run(i, op, Some(&mut twin), None);
            let b = run(i, op, None, Some(&mut store));
            prop_assert_eq!(a, b, "operation {} after the snapshot {:?}", i, op);
        }
        assert_same(&reopened.load("gen").unwrap(), &twin, "snapshot + journal");
        reopened.integrity_check().unwrap();
    }
}

/// The canonical export is the usual snapshot, not the fallback: most generated twins
/// compact canonically.
#[test]
fn generated_twins_mostly_compact_canonically() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = proptest::collection::vec(op(), 10..30);
    let mut canonical = 0;
    let trials = 20;
    for n in 0..trials {
        let ops = strategy.new_tree(&mut runner).unwrap().current();
        let dir = TempDir::new("canon");
        let mut store = Store::open(dir.file("c.db")).unwrap();
        store.create_company(&company()).unwrap();
        let mut twin = Twin::new(company());
        let mut all = setup();
        all.extend(ops);
        for (i, op) in all.iter().enumerate() {
            run(i, op, Some(&mut twin), None);
            run(i, op, None, Some(&mut store));
        }
        if store.compact("gen").unwrap().mode == SnapshotMode::Canonical {
            canonical += 1;
        }
        assert_same(&store.load("gen").unwrap(), &twin, &format!("trial {n}"));
    }
    assert!(
        canonical * 4 >= trials * 3,
        "only {canonical} of {trials} compactions were canonical"
    );
}

/// `Store::import` saves a generated payroll (every contract kind, shift status, rate
/// change, payment and advance of the generator) as a canonical snapshot that loads back
/// equal, with byte-identical answers; importing it twice is refused.
#[test]
fn imported_generated_twin_loads_back_equal() {
    let o = ewa::generate::Options {
        employees: 60,
        shifts_per_employee: 12,
        ..ewa::generate::Options::default()
    };
    let twin = ewa::generate::twin(&o).unwrap();
    let dir = TempDir::new("import");
    let mut store = Store::open(dir.file("import.db")).unwrap();
    let report = store.import(&twin).unwrap();
    assert_eq!(report.mode, SnapshotMode::Canonical);
    assert!(store.import(&twin).is_err());
    let loaded = Store::open(dir.file("import.db"))
        .unwrap()
        .load(twin.company().company_id())
        .unwrap();
    assert!(loaded == twin);
    let at = o.as_of();
    let a = serde_json::to_string(&twin.eligibility_all(at, Delivery::Standard).unwrap()).unwrap();
    let b =
        serde_json::to_string(&loaded.eligibility_all(at, Delivery::Standard).unwrap()).unwrap();
    assert_eq!(a, b);
}
