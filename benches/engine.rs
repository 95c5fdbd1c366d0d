//! Criterion benches of the engine on generated payrolls (issue #5; STYLE habit 14):
//! realistic shapes, hierarchical names, settings sized for a 2-core machine, and every timed
//! closure checks its answer.
//!
//! `cargo bench --bench engine` (add a name filter, e.g. `-- eligibility/all`, to run one).
//!
//! `store/save` saves a 2,000-employee twin as a new company's binary snapshot in a fresh
//! SQLite file; `store/load` loads it back (decoded and validated) and checks its count.

// criterion_group! generates an undocumented `pub fn`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ewa::generate::{self, Options};
use ewa::{Delivery, Detail, Kind, Twin};
use std::time::Duration;

fn opts(employees: usize) -> Options {
    Options {
        employees,
        shifts_per_employee: 40,
        ..Options::default()
    }
}

fn built(employees: usize) -> (Options, Twin) {
    let o = opts(employees);
    let twin = generate::twin(&o).unwrap_or_else(|e| panic!("generate: {e}"));
    (o, twin)
}

fn ingest(c: &mut Criterion) {
    let o = opts(250);
    let at = o.received_at();
    let mut base = Twin::new(generate::company(&o).unwrap_or_else(|e| panic!("{e}")));
    let mut shifts = Vec::new();
    generate::for_each_batch(&o, |kind, records| {
        if kind == Kind::Shifts {
            shifts.extend(records);
            Ok(())
        } else {
            base.apply(kind, &records, at).map(|_| ())
        }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let bytes = serde_json::to_vec(&shifts).unwrap_or_default();
    let n = shifts.len();
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("shifts_json", |b| {
        b.iter_batched(
            || base.clone(),
            |mut twin| {
                let report = twin
                    .apply_json(Kind::Shifts, &bytes, at)
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(report.count_accepted, n);
                twin
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn one_employee(c: &mut Criterion) {
    let (o, twin) = built(10_000);
    let at = o.as_of();
    let id = generate::employee_id(4_242);
    let accrued = twin
        .accruals(&id, at)
        .map(|a| a.accrued_unpaid_net)
        .unwrap_or(-1);
    let available = twin
        .eligibility(&id, at, Delivery::Standard, Detail::Explained)
        .map(|a| a.available)
        .unwrap_or(-1);
    assert!(accrued > 0, "employee {id} has accrued something");
    c.bench_function("accrual/one_employee", |b| {
        b.iter(|| {
            let a = twin.accruals(&id, at).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(a.accrued_unpaid_net, accrued);
        })
    });
    c.bench_function("eligibility/one_employee", |b| {
        b.iter(|| {
            let a = twin
                .eligibility(&id, at, Delivery::Standard, Detail::Explained)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(a.available, available);
        })
    });
    c.bench_function("eligibility/one_employee_brief", |b| {
        b.iter(|| {
            let a = twin
                .eligibility(&id, at, Delivery::Standard, Detail::Brief)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(a.available, available);
        })
    });
}

fn all(c: &mut Criterion) {
    // Each twin is built once for both groups: (name, employees, as_of, twin, Σ available).
    let sizes: Vec<_> = [("10k_employees", 10_000usize), ("100k_employees", 100_000)]
        .into_iter()
        .map(|(name, n)| {
            let (o, twin) = built(n);
            let at = o.as_of();
            let total: i64 = twin
                .eligibility_all(at, Delivery::Standard)
                .map(|v| v.iter().map(|a| a.available).sum())
                .unwrap_or(-1);
            (name, n, at, twin, total)
        })
        .collect();
    let mut g = c.benchmark_group("eligibility/all");
    for (name, n, at, twin, total) in &sizes {
        g.throughput(Throughput::Elements(*n as u64));
        g.bench_function(*name, |b| {
            b.iter(|| {
                let answers = twin
                    .eligibility_all(*at, Delivery::Standard)
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(answers.len(), *n);
                assert_eq!(answers.iter().map(|a| a.available).sum::<i64>(), *total);
                answers
            })
        });
    }
    g.finish();
}

fn store(c: &mut Criterion) {
    let (_, twin) = built(2_000);
    let shifts = twin.counts().shifts as u64;
    let dir = std::env::temp_dir().join(format!("ewa-criterion-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut g = c.benchmark_group("store");
    g.throughput(Throughput::Elements(shifts));
    let mut n = 0u64;
    g.bench_function("save", |b| {
        b.iter_batched(
            || {
                n += 1;
                let path = dir.join(format!("save-{n}.db"));
                ewa::Store::open(&path).unwrap_or_else(|e| panic!("{e}"))
            },
            |mut store| {
                let r = store.import(&twin).unwrap_or_else(|e| panic!("{e}"));
                assert!(r.snapshot_rows > 0);
                store
            },
            BatchSize::PerIteration,
        )
    });
    let path = dir.join("load.db");
    ewa::Store::open(&path)
        .and_then(|mut s| s.import(&twin))
        .unwrap_or_else(|e| panic!("{e}"));
    let store = ewa::Store::open(&path).unwrap_or_else(|e| panic!("{e}"));
    g.bench_function("load", |b| {
        b.iter(|| {
            let loaded = store
                .load(twin.company().company_id())
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(loaded.counts().shifts as u64, shifts);
            loaded
        })
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = engine;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = ingest, one_employee, all, store
}
criterion_main!(engine);
