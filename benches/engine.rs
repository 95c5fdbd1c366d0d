//! Criterion benches of the engine on generated payrolls (issue #5; STYLE habit 14):
//! realistic shapes, hierarchical names, settings sized for a 2-core machine, and every timed
//! closure checks its answer.
//!
//! `cargo bench --bench engine` (add a name filter, e.g. `-- eligibility/all`, to run one).
//!
//! `ingest/shifts_time_order` pushes the same shifts as `ingest/shifts_json` in start order,
//! one batch per local day with an HR sync every seventh day, as a live feed sends them and
//! as `ewa bench --order time` pushes them (`generate::for_each_batch_in_time_order`, issue
//! #16); at this size everything fits in cache, so `examples/ingest_probe.rs` (`order=time`,
//! 100k employees) is where the cost of time order shows.
//! `eligibility/all_after_batch` times the first bulk answer after a batch of about 500
//! shifts of 500 employees (their caches are dropped; everyone else's are kept), against
//! `eligibility/all/10k_employees` warm and against the first answer on the same fresh
//! clone without the batch (`10k_employees_cloned_no_batch`).
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
    let (base, shifts) = base_and_shifts(&o);
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

/// A generated company without its shifts, and the shifts' records.
fn base_and_shifts(o: &Options) -> (Twin, Vec<serde_json::Value>) {
    let at = o.received_at();
    let mut base = Twin::new(generate::company(o).unwrap_or_else(|e| panic!("{e}")));
    let mut shifts = Vec::new();
    generate::for_each_batch(o, |kind, records| {
        if kind == Kind::Shifts {
            shifts.extend(records);
            Ok(())
        } else {
            base.apply(kind, &records, at).map(|_| ())
        }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    (base, shifts)
}

/// The generated payroll in time order (`generate::for_each_batch_in_time_order`, as
/// `ewa bench --order time` and `ingest_probe order=time` push it): the twin after the
/// batches before the first shift batch, every batch from there to the last shift batch as
/// JSON bytes (the daily shift batches and the HR syncs between them), and how many shift
/// records those hold.
fn time_ordered(o: &Options) -> (Twin, Vec<(Kind, Vec<u8>)>, usize) {
    let company = generate::company(o).unwrap_or_else(|e| panic!("{e}"));
    let max = usize::try_from(company.limits().batch_records_max()).unwrap_or(usize::MAX);
    let mut base = Twin::new(company);
    let (mut batches, mut n) = (Vec::new(), 0);
    generate::for_each_batch_in_time_order(o, max, |kind, records, at| {
        if kind == Kind::Shifts {
            n += records.len();
        }
        if kind == Kind::Shifts || !batches.is_empty() {
            batches.push((kind, serde_json::to_vec(records).unwrap_or_default()));
            Ok(())
        } else {
            base.apply(kind, records, at).map(|_| ())
        }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    while batches
        .last()
        .is_some_and(|(kind, _)| *kind != Kind::Shifts)
    {
        batches.pop();
    }
    (base, batches, n)
}

fn ingest_time_order(c: &mut Criterion) {
    let o = opts(250);
    let at = o.received_at();
    let (base, batches, n) = time_ordered(&o);
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("shifts_time_order", |b| {
        b.iter_batched(
            || base.clone(),
            |mut twin| {
                let accepted: usize = batches
                    .iter()
                    .map(|(kind, bytes)| {
                        let r = twin.apply_json(*kind, bytes, at);
                        let r = r.unwrap_or_else(|e| panic!("{e}"));
                        if *kind == Kind::Shifts {
                            r.count_accepted
                        } else {
                            0
                        }
                    })
                    .sum();
                assert_eq!(accepted, n);
                twin
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn all_after_batch(c: &mut Criterion) {
    let (o, twin) = built(10_000);
    let at = o.as_of();
    // Warm: every employee's classification is cached before the batch.
    let warm = twin
        .eligibility_all(at, Delivery::Standard)
        .map(|v| v.len());
    assert_eq!(warm.ok(), Some(10_000));
    // 500 new one-hour shifts of 500 employees, the night after `as_of` (14 h after its
    // noon): after every generated shift, so none overlaps.
    let hour = 3_600_000_000;
    let from = at.checked_add_micros(14 * hour).map(|t| t.to_string());
    let to = at.checked_add_micros(15 * hour).map(|t| t.to_string());
    let batch: Vec<serde_json::Value> = (0..500)
        .map(|i| {
            serde_json::json!({"shift_id": format!("late-{i}"), "shift_status": "approved",
                "employee_id": generate::employee_id(i * 20), "start_at": from, "stop_at": to})
        })
        .collect();
    let received = o.received_at();
    // Keep the shifts the twin accepts (an employee who works that night, or whose
    // assignment has ended, refuses one), so that every timed batch changes the same ones.
    let report = twin.clone().apply(Kind::Shifts, &batch, received);
    let report = report.unwrap_or_else(|e| panic!("{e}"));
    let batch: Vec<serde_json::Value> = batch
        .into_iter()
        .zip(&report.results)
        .filter(|(_, r)| r.outcome == ewa::Outcome::Created)
        .map(|(s, _)| s)
        .collect();
    let n = batch.len();
    assert!(n > 400, "{n} of 500 shifts accepted");
    let mut g = c.benchmark_group("eligibility/all_after_batch");
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("10k_employees_500_shifts_pushed", |b| {
        b.iter_batched(
            || {
                let mut t = twin.clone();
                let r = t.apply(Kind::Shifts, &batch, received);
                assert_eq!(r.map(|r| r.count_accepted).ok(), Some(n));
                t
            },
            |t| {
                let n = t.eligibility_all(at, Delivery::Standard).map(|v| v.len());
                assert_eq!(n.ok(), Some(10_000));
                t
            },
            BatchSize::LargeInput,
        )
    });
    // The same clone without the batch: what the first answer on a fresh copy costs, the
    // baseline the batch's own cost is read against.
    g.bench_function("10k_employees_cloned_no_batch", |b| {
        b.iter_batched(
            || twin.clone(),
            |t| {
                let n = t.eligibility_all(at, Delivery::Standard).map(|v| v.len());
                assert_eq!(n.ok(), Some(10_000));
                t
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
    twin.check_invariants().unwrap_or_else(|e| panic!("{e}"));
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
    targets = ingest, ingest_time_order, one_employee, all, all_after_batch, store
}
criterion_main!(engine);
