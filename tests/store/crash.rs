//! Crash safety: a child process (this test binary, re-invoked) ingests small batches and
//! compacts now and then, printing `ack N` after each batch commits; the parent kills it
//! with SIGKILL at a random moment, reopens the file and checks that every acknowledged
//! batch is there, no batch is there in part, and SQLite finds the file sound.

use crate::common::{t, TempDir};
use ewa::store::Store;
use ewa::{Company, Kind};
use serde_json::json;
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ENV: &str = "EWA_CRASH_CHILD_DB";
const SHIFTS_PER_BATCH: usize = 4;
const TRIALS: usize = 200;
const COMPANY: &str = "crash";

/// The child's work: never returns while the parent lets it run (bounded all the same).
#[test]
#[ignore = "run by `crash_safety` as a child process"]
fn crash_child() {
    let Ok(path) = std::env::var(ENV) else { return };
    let mut store = Store::open(&path).unwrap();
    if !store.companies().unwrap().iter().any(|c| c == COMPANY) {
        store
            .create_company(&Company::new(COMPANY, chrono_tz::UTC))
            .unwrap();
    }
    let at = t("2026-06-01T00:00:00Z");
    let twin = store.twin(COMPANY).unwrap();
    if twin.counts().employees == 0 {
        store
            .apply(COMPANY, Kind::PaySchedules, &[json!({"pay_schedule_id": "m", "frequency": "monthly",
                "periods": [{"pay_period_id": "x", "start_at": "2026-01-01", "stop_at": "2100-01-01", "pay_at": "2100-01-02"}]})], at)
            .unwrap();
        store
            .apply(
                COMPANY,
                Kind::Contracts,
                &[
                    json!({"contract_id": "c", "pay_schedule_id": "m", "currency": "EUR",
                "wage_rate_period": "hourly", "wage_rate_amount": 1000}),
                ],
                at,
            )
            .unwrap();
        store
            .apply(
                COMPANY,
                Kind::Employees,
                &[json!({"employee_id": "e", "contract_id": "c"})],
                at,
            )
            .unwrap();
    }
    let done = store.twin(COMPANY).unwrap().counts().shifts / SHIFTS_PER_BATCH;
    println!("ready");
    for n in done..done + 500 {
        let records: Vec<_> = (0..SHIFTS_PER_BATCH)
            .map(|j| {
                let h = i64::try_from(n * SHIFTS_PER_BATCH + j).unwrap();
                let start = ewa::calendar::Instant::from_micros(at.as_micros() + h * 3_600_000_000);
                let stop = ewa::calendar::Instant::from_micros(start.as_micros() + 1_800_000_000);
                json!({"shift_id": format!("b{n}-{j}"), "shift_status": "approved", "employee_id": "e",
                       "start_at": start.to_string(), "stop_at": stop.to_string()})
            })
            .collect();
        let report = store.apply(COMPANY, Kind::Shifts, &records, at).unwrap();
        assert_eq!(report.count_accepted, SHIFTS_PER_BATCH);
        println!("ack {n}");
        if n % 3 == 2 {
            store.compact(COMPANY).unwrap();
            println!("compacted");
        }
    }
}

/// A small xorshift generator: the kill moments differ from run to run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn crash_safety_under_sigkill_at_random_moments() {
    let dir = TempDir::new("crash");
    let path = dir.file("crash.db");
    let exe = std::env::current_exe().unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let started = Instant::now();
    let mut acked: Option<usize> = None;
    let mut previous = 0;
    let (mut compactions, mut kills_before_any_ack) = (0, 0);
    for trial in 0..TRIALS {
        let mut child = Command::new(&exe)
            .args([
                "crash::crash_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Forward the child's lines; the kill comes at a random moment after it is ready
        // (one trial in eight: at a random moment of its start, opening the file).
        let pipe = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(pipe)) {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut lines = Vec::new();
        if rng.below(8) == 0 {
            std::thread::sleep(Duration::from_micros(rng.below(30_000)));
        } else {
            let deadline = Instant::now() + Duration::from_secs(10);
            while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                let ready = line.ends_with("ready");
                lines.push(line);
                if ready {
                    break;
                }
            }
            std::thread::sleep(Duration::from_micros(rng.below(15_000)));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        lines.extend(rx.try_iter());
        let out = lines.join("\n");
        // The harness's own `test ... ` line may precede the first ack on its line.
        let acks: Vec<usize> = out
            .lines()
            .filter_map(|l| l.split("ack ").nth(1).and_then(|n| n.trim().parse().ok()))
            .collect();
        compactions += out.lines().filter(|l| l.ends_with("compacted")).count();
        if acks.is_empty() {
            kills_before_any_ack += 1;
        }
        if let Some(&last) = acks.iter().max() {
            acked = acked.max(Some(last));
        }
        // Reopen as a new process would, and check.
        let store = match Store::open(&path) {
            Ok(s) => s,
            Err(e) => panic!("trial {trial}: cannot reopen after a kill: {e}"),
        };
        store
            .integrity_check()
            .unwrap_or_else(|e| panic!("trial {trial}: {e}"));
        if !store.companies().unwrap().iter().any(|c| c == COMPANY) {
            assert!(
                acked.is_none(),
                "trial {trial}: the company vanished after acks"
            );
            continue;
        }
        let twin = store
            .load(COMPANY)
            .unwrap_or_else(|e| panic!("trial {trial}: cannot load: {e}"));
        let mut batches: BTreeMap<usize, usize> = BTreeMap::new();
        for n in 0..twin.counts().shifts / SHIFTS_PER_BATCH + 2 {
            for j in 0..SHIFTS_PER_BATCH {
                if twin.shift_history(&format!("b{n}-{j}")).is_some() {
                    *batches.entry(n).or_default() += 1;
                }
            }
        }
        assert_eq!(
            batches.values().sum::<usize>(),
            twin.counts().shifts,
            "trial {trial}: shifts outside the expected batches"
        );
        for (n, count) in &batches {
            assert_eq!(
                *count, SHIFTS_PER_BATCH,
                "trial {trial}: batch {n} is half-present"
            );
        }
        let present = batches.len();
        assert!(
            batches.keys().copied().eq(0..present),
            "trial {trial}: batches are not contiguous"
        );
        if let Some(a) = acked {
            assert!(
                present > a,
                "trial {trial}: acknowledged batch {a} is missing ({present} present)"
            );
        }
        // Beyond what was there and acknowledged, only the batch in flight may have
        // committed without its ack.
        let floor = previous.max(acked.map_or(0, |a| a + 1));
        assert!(
            present <= floor + 1,
            "trial {trial}: {present} batches present, expected at most {}",
            floor + 1
        );
        assert!(
            present >= previous,
            "trial {trial}: batches were lost ({previous} before, {present} now)"
        );
        previous = present;
    }
    let elapsed = started.elapsed();
    eprintln!(
        "crash safety: {TRIALS} kills, {} batches acknowledged, {compactions} compactions, {kills_before_any_ack} kills before any ack, {elapsed:?}",
        acked.map_or(0, |a| a + 1)
    );
    assert!(
        acked.is_some_and(|a| a >= 20),
        "too few batches were acknowledged to test anything"
    );
    assert!(compactions > 0, "no compaction ran");
}
