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
    let (mut compactions, mut kills_before_any_ack, mut kills) = (0, 0, 0);
    // At least TRIALS kills; on a loaded machine the child acknowledges fewer batches per
    // trial, so the kills go on (at most 8 × TRIALS) until there is enough to check.
    for trial in 0..TRIALS * 8 {
        if trial >= TRIALS && acked.is_some_and(|a| a >= 20) && compactions > 0 {
            break;
        }
        kills += 1;
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
        "crash safety: {kills} kills, {} batches acknowledged, {compactions} compactions, {kills_before_any_ack} kills before any ack, {elapsed:?}",
        acked.map_or(0, |a| a + 1)
    );
    assert!(
        acked.is_some_and(|a| a >= 20),
        "too few batches were acknowledged to test anything"
    );
    assert!(compactions > 0, "no compaction ran");
}

// ---- Advances under SIGKILL -------------------------------------------------------------

const ADV_ENV: &str = "EWA_CRASH_ADV_CHILD_DB";
/// Trials in CI; `EWA_CRASH_TRIALS=N` runs more (or fewer).
const ADV_TRIALS: usize = 30;
/// 5 approved shifts of 8 h at 10.00/h: net 40_000, so at access rate ½ at most 20_000 may
/// be outstanding (amount + fee) at any grant (SPEC §6).
const ADV_CAP: i64 = 20_000;

/// The company of the advance crash test: access rate ½, instant delivery costs 0.50 + 1 %.
fn advance_company() -> Company {
    Company::from_json(&json!({"company_id": COMPANY, "timezone": "UTC",
        "policy": {"access_rate": "0.5", "blackout_hours_before_pay": 0,
                   "fees": {"instant": {"flat": 50, "rate_bps": 100}}}}))
    .unwrap()
}

/// The n-th request, the same whichever process makes it: 500..=1_100 minor units, every
/// third one instant, one minute apart.
fn advance_request(n: usize) -> ewa::AdvanceRequest {
    let minute = i64::try_from(n).unwrap() * 60_000_000;
    ewa::AdvanceRequest {
        advance_id: format!("adv-{n}"),
        employee_id: "e".into(),
        amount: 500 + i64::try_from(n % 7).unwrap() * 100,
        requested_at: ewa::calendar::Instant::from_micros(
            t("2026-06-02T00:00:00Z").as_micros() + minute,
        ),
        delivery: if n.is_multiple_of(3) {
            ewa::Delivery::Instant
        } else {
            ewa::Delivery::Standard
        },
    }
}

/// The setup batches, each idempotent: re-applying them after a kill changes nothing.
fn advance_setup(store: &mut Store) {
    let at = t("2026-06-01T00:00:00Z");
    let shifts: Vec<_> = (0..5)
        .map(|d| {
            json!({"shift_id": format!("s{d}"), "shift_status": "approved", "employee_id": "e",
                   "start_at": format!("2026-05-{:02}T08:00:00Z", d + 10),
                   "stop_at": format!("2026-05-{:02}T16:00:00Z", d + 10)})
        })
        .collect();
    let batches = [
        (
            Kind::PaySchedules,
            vec![json!({"pay_schedule_id": "m", "frequency": "monthly",
            "periods": [{"pay_period_id": "x", "start_at": "2026-05-01", "stop_at": "2100-01-01",
                         "pay_at": "2100-01-02"}]})],
        ),
        (
            Kind::Contracts,
            vec![json!({"contract_id": "c", "pay_schedule_id": "m",
            "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 1000})],
        ),
        (
            Kind::Employees,
            vec![json!({"employee_id": "e", "contract_id": "c"})],
        ),
        (Kind::Shifts, shifts),
    ];
    for (kind, records) in batches {
        let report = store.apply(COMPANY, kind, &records, at).unwrap();
        assert_eq!(report.count_accepted, records.len(), "{report:?}");
    }
}

/// The child: requests advances `adv-N` in order through the store, printing
/// `ack <advance_id> <outcome>` after each returns, and every fourth step cancels the
/// previous advance, printing `cancel <advance_id> <outcome>`. It starts two requests
/// before the last recorded one, so idempotent replays across a crash are exercised too.
#[test]
#[ignore = "run by `advances_survive_sigkill_at_random_moments` as a child process"]
fn crash_advances_child() {
    let Ok(path) = std::env::var(ADV_ENV) else {
        return;
    };
    let mut store = Store::open(&path).unwrap();
    if !store.companies().unwrap().iter().any(|c| c == COMPANY) {
        store.create_company(&advance_company()).unwrap();
    }
    if store.twin(COMPANY).unwrap().counts().shifts < 5 {
        advance_setup(&mut store);
    }
    let start = store
        .twin(COMPANY)
        .unwrap()
        .counts()
        .advances
        .saturating_sub(2);
    println!("ready");
    for n in start..start + 400 {
        let req = advance_request(n);
        let d = store.request_advance(COMPANY, &req).unwrap();
        println!("ack {} {:?}", req.advance_id, d.outcome);
        if n % 4 == 3 {
            let id = format!("adv-{}", n - 1);
            let at = ewa::calendar::Instant::from_micros(req.requested_at.as_micros() + 1);
            let c = store.cancel_advance(COMPANY, &id, at).unwrap();
            println!("cancel {id} {:?}", c.outcome);
        }
    }
}

/// Starts the child test `name` with `env` = `path`, kills it with SIGKILL at a random
/// moment (mostly after it printed `ready`), and returns the lines it printed.
fn run_and_kill(name: &str, env: &str, path: &std::path::Path, rng: &mut Rng) -> Vec<String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(env, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
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
        let deadline = Instant::now() + Duration::from_secs(20);
        while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            let ready = line.ends_with("ready");
            lines.push(line);
            if ready {
                break;
            }
        }
        std::thread::sleep(Duration::from_micros(rng.below(40_000)));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    lines
}

/// Whether advance `n` is recorded in `twin`, and its stored decision: an idempotent replay
/// on a copy records nothing when it is (SPEC §6).
fn recorded(twin: &ewa::Twin, n: usize) -> Option<ewa::AdvanceDecision> {
    let mut probe = twin.clone();
    let before = probe.counts().advances;
    let d = probe.request_advance(&advance_request(n)).unwrap();
    (probe.counts().advances == before).then_some(d)
}

/// Parses `<word> <advance_id> <outcome>` lines (the harness's own `test ...` text may
/// precede the first one on its line).
fn acks<'a>(lines: &'a [String], word: &str) -> Vec<(&'a str, &'a str)> {
    let tag = format!("{word} ");
    lines
        .iter()
        .filter_map(|l| {
            let rest = l.split(tag.as_str()).nth(1)?;
            let (id, outcome) = rest.trim().split_once(' ')?;
            id.starts_with("adv-").then_some((id, outcome))
        })
        .collect()
}

/// Checks the file after a kill against everything acknowledged so far; returns how many
/// advances are recorded.
fn check_advances_after_kill(
    path: &std::path::Path,
    acked: &BTreeMap<String, String>,
    cancelled: &std::collections::BTreeSet<String>,
    trial: usize,
) -> usize {
    let store = Store::open(path).unwrap_or_else(|e| panic!("trial {trial}: reopen: {e}"));
    store
        .integrity_check()
        .unwrap_or_else(|e| panic!("trial {trial}: {e}"));
    if !store.companies().unwrap().iter().any(|c| c == COMPANY) {
        assert!(acked.is_empty(), "trial {trial}: the company vanished");
        return 0;
    }
    // `load` replays the journal and checks every operation against its recorded outcome,
    // so the journal and the twin agree or this fails ("journal replay diverged").
    let twin = store
        .load(COMPANY)
        .unwrap_or_else(|e| panic!("trial {trial}: load: {e}"));
    let present = (0..).take_while(|&n| recorded(&twin, n).is_some()).count();
    assert_eq!(
        twin.counts().advances,
        present,
        "trial {trial}: advances recorded out of order (a gap before one of them)"
    );
    for (id, outcome) in acked {
        let n: usize = id.trim_start_matches("adv-").parse().unwrap();
        let d = recorded(&twin, n)
            .unwrap_or_else(|| panic!("trial {trial}: acknowledged {id} is missing"));
        assert_eq!(
            &format!("{:?}", d.outcome),
            outcome,
            "trial {trial}: {id} changed its outcome"
        );
    }
    let e = twin
        .eligibility(
            "e",
            t("2026-07-01T00:00:00Z"),
            ewa::Delivery::Standard,
            ewa::Detail::Brief,
        )
        .unwrap();
    let live: std::collections::BTreeSet<&str> = e
        .outstanding_lines
        .iter()
        .filter_map(|l| l.advance_id.as_deref())
        .collect();
    for id in cancelled {
        assert!(
            !live.contains(id.as_str()),
            "trial {trial}: cancelled {id} is live"
        );
    }
    // Never over-advanced (SPEC §6): what is outstanding fits in half of the 40_000 earned.
    let total: i64 = e.outstanding_lines.iter().map(|l| l.amount + l.fee).sum();
    assert_eq!(e.accrued_unpaid_net, 2 * ADV_CAP, "trial {trial}: {e:?}");
    assert!(
        total <= ADV_CAP,
        "trial {trial}: {total} outstanding > {ADV_CAP}"
    );
    present
}

#[test]
fn advances_survive_sigkill_at_random_moments() {
    let trials = std::env::var("EWA_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ADV_TRIALS);
    let dir = TempDir::new("crash-advances");
    let path = dir.file("advances.db");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("advance crash test: seed {seed}, {trials} trials");
    let mut rng = Rng(seed);
    let mut acked: BTreeMap<String, String> = BTreeMap::new();
    let mut cancelled = std::collections::BTreeSet::new();
    let (mut outcomes, mut previous) = (BTreeMap::<String, usize>::new(), 0);
    // A loaded machine acknowledges fewer requests before each kill: the run goes on (up to
    // four times the trials) until enough were acknowledged to test anything.
    let (mut trial, mut set_up) = (0, false);
    while trial < trials || (acked.len() < 10 && trial < trials.saturating_mul(4)) {
        trial += 1;
        let lines = run_and_kill("crash::crash_advances_child", ADV_ENV, &path, &mut rng);
        // A kill during the child's set-up (company, then the employee's batches) leaves a
        // store with no earnings yet: nothing was requested, so there is nothing to check
        // until a run has said it is ready (the next run completes the set-up).
        set_up |= lines.iter().any(|l| l.ends_with("ready"));
        if !set_up {
            assert!(
                acks(&lines, "ack").is_empty(),
                "trial {trial}: ack before ready"
            );
            continue;
        }
        for (id, outcome) in acks(&lines, "ack") {
            let first = acked
                .entry(id.to_string())
                .or_insert_with(|| outcome.to_string());
            assert_eq!(
                first, outcome,
                "trial {trial}: a replay of {id} answered differently"
            );
            *outcomes.entry(outcome.to_string()).or_default() += 1;
        }
        for (id, outcome) in acks(&lines, "cancel") {
            if outcome == "Cancelled" {
                cancelled.insert(id.to_string());
            }
        }
        let present = check_advances_after_kill(&path, &acked, &cancelled, trial);
        assert!(present >= previous, "trial {trial}: advances were lost");
        // Beyond the acknowledged ones only the request in flight may have committed.
        let max_acked = acked
            .keys()
            .filter_map(|id| id.trim_start_matches("adv-").parse::<usize>().ok())
            .max();
        let floor = previous.max(max_acked.map_or(0, |m| m + 1));
        assert!(
            present <= floor + 1,
            "trial {trial}: {present} recorded, at most {}",
            floor + 1
        );
        previous = present;
    }
    eprintln!(
        "advance crash test: {trial} kills, {} advances acknowledged {outcomes:?}, {} cancelled",
        acked.len(),
        cancelled.len()
    );
    assert!(
        acked.len() >= 10,
        "too few advances were acknowledged to test anything"
    );
}
