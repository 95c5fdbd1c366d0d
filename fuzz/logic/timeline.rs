// The `timeline` fuzz target's body, shared by `fuzz/fuzz_targets/timeline.rs` (libFuzzer,
// nightly) and `tests/fuzz_replay.rs` (stable CI replays the committed inputs): both
// `#[path]`-import this file, so CI runs exactly the code the fuzzer ran.
//
// The input is decoded by hand into a short, always valid timeline against one fixed
// company / schedule / contract / employee: shift pushes, deductions, additions, rate
// changes, advance requests (exactly `available`, `available + 1` or a raw amount), replays,
// cancellations and queries, on a clock that only moves forward. After every step the SPEC
// invariants are asserted (see `check_*`). The whole timeline then runs again on a fresh
// twin and must give a byte-identical transcript.
//
// Every call into the engine's API goes through the few functions of the `Engine` impls and
// `query`/`quote`/`request` below, so a renamed entry point is a one-place edit.

#![allow(dead_code)]

use ewa::calendar::Instant;
use ewa::{
    AdvanceDecision, AdvanceRequest, CancelDecision, Company, Delivery, Eligibility, JobReport,
    Kind, Quote, Twin,
};
use serde_json::{json, Value};

/// 2026-06-01T00:00:00Z, the first period's start.
const BASE_US: i64 = 1_780_272_000_000_000;
const HOUR_US: i64 = 3_600_000_000;
const DAY_US: i64 = 24 * HOUR_US;
/// Steps decoded from one input at most (bounds the time per input).
const STEPS_MAX: usize = 48;
const EMPLOYEE: &str = "e1";
pub const COMPANY: &str = "fuzz";
const STATUSES: [&str; 8] = [
    "available",
    "scheduled",
    "declined",
    "voided",
    "no_show",
    "submitted",
    "provisionally_approved",
    "approved",
];

/// What the timeline needs from an engine: a bare [`Twin`], or a [`ewa::Store`] in a file.
pub trait Engine {
    /// Applies a batch (SPEC §3).
    fn apply(&mut self, kind: Kind, records: &[Value], at: Instant) -> ewa::Result<JobReport>;
    /// Requests an advance (SPEC §6).
    fn request(&mut self, req: &AdvanceRequest) -> ewa::Result<AdvanceDecision>;
    /// Cancels an advance.
    fn cancel(&mut self, advance_id: &str, at: Instant) -> ewa::Result<CancelDecision>;
    /// The twin as it stands, for queries.
    fn twin(&mut self) -> &Twin;
}

impl Engine for Twin {
    fn apply(&mut self, kind: Kind, records: &[Value], at: Instant) -> ewa::Result<JobReport> {
        Twin::apply(self, kind, records, at)
    }
    fn request(&mut self, req: &AdvanceRequest) -> ewa::Result<AdvanceDecision> {
        self.request_advance(req)
    }
    fn cancel(&mut self, advance_id: &str, at: Instant) -> ewa::Result<CancelDecision> {
        Ok(self.cancel_advance(advance_id, at))
    }
    fn twin(&mut self) -> &Twin {
        self
    }
}

impl Engine for ewa::Store {
    fn apply(&mut self, kind: Kind, records: &[Value], at: Instant) -> ewa::Result<JobReport> {
        ewa::Store::apply(self, COMPANY, kind, records, at)
    }
    fn request(&mut self, req: &AdvanceRequest) -> ewa::Result<AdvanceDecision> {
        self.request_advance(COMPANY, req)
    }
    fn cancel(&mut self, advance_id: &str, at: Instant) -> ewa::Result<CancelDecision> {
        self.cancel_advance(COMPANY, advance_id, at)
    }
    fn twin(&mut self) -> &Twin {
        ewa::Store::twin(self, COMPANY).expect("the store's twin loads")
    }
}

/// The eligibility answer used by every check.
fn query(twin: &Twin, at: Instant, delivery: Delivery) -> Eligibility<'_> {
    twin.eligibility(EMPLOYEE, at, delivery, ewa::Detail::Explained)
        .expect("eligibility of valid data never errs")
}

/// A quote, recording nothing.
fn quote(twin: &Twin, amount: i64, at: Instant, delivery: Delivery) -> Quote {
    twin.quote_advance(EMPLOYEE, amount, at, delivery)
        .expect("a quote of valid data never errs")
}

fn request(id: &str, amount: i64, at: Instant, delivery: Delivery) -> AdvanceRequest {
    AdvanceRequest {
        advance_id: id.to_string(),
        employee_id: EMPLOYEE.to_string(),
        amount,
        requested_at: at,
        delivery,
    }
}

/// The company of a run on `data`: access rate ½, fees on instant delivery, a minimum and a
/// count cap, plus the SPEC §6 advance limits
/// that the bits of the last byte left over after the 4-byte steps select (none when the
/// length is a multiple of 4, so step inputs keep their meaning): a daily cap, a weekly
/// cap, a monthly fee cap, one fee-charging advance per period, a repayment horizon, and
/// the pause on a carried shortfall.
pub fn company_for(data: &[u8]) -> Company {
    let bits = match data.len() % 4 {
        0 => 0,
        _ => data.last().copied().unwrap_or(0),
    };
    let mut policy = json!({"access_rate": "0.5", "min_advance": 100, "max_advances_per_period": 4,
        "fees": {"standard": {"flat": 0, "rate_bps": 0}, "instant": {"flat": 150, "rate_bps": 125}}});
    let limits = [
        ("max_per_day", json!(5_000)),
        ("max_per_week", json!("12000")),
        ("fee_cap_per_month", json!(400)),
        ("max_fee_advances_per_period", json!(1)),
        ("max_repayment_days", json!(12)),
        ("pause_on_shortfall", json!(true)),
    ];
    for (k, (field, value)) in limits.into_iter().enumerate() {
        if bits & (1 << k) != 0 {
            policy[field] = value;
        }
    }
    Company::from_json(&json!({"company_id": COMPANY, "timezone": "UTC", "policy": policy}))
        .expect("the fuzz company is valid")
}

fn at(us: i64) -> Instant {
    Instant::from_micros(us)
}

/// Six weekly periods from 2026-06-01, each paid three days after it ends.
fn setup(e: &mut dyn Engine, log: &mut String) {
    let periods: Vec<Value> = (0..6)
        .map(|w| {
            let start = at(BASE_US + w * 7 * DAY_US);
            let stop = at(BASE_US + (w + 1) * 7 * DAY_US);
            let pay = at(BASE_US + (w + 1) * 7 * DAY_US + 3 * DAY_US);
            json!({"pay_period_id": format!("w{w}"), "start_at": start.to_string(),
                   "stop_at": stop.to_string(), "pay_at": pay.to_string()})
        })
        .collect();
    let t = at(BASE_US - DAY_US);
    let batches = [
        (
            Kind::PaySchedules,
            json!({"pay_schedule_id": "weekly", "frequency": "weekly", "alignment": "arrears",
                   "periods": periods}),
        ),
        (
            Kind::Contracts,
            json!({"contract_id": "c1", "pay_schedule_id": "weekly", "currency": "EUR",
                   "wage_rate_period": "hourly", "wage_rate_amount": 2000}),
        ),
        (
            Kind::Employees,
            json!({"employee_id": EMPLOYEE, "contract_id": "c1"}),
        ),
    ];
    for (kind, record) in batches {
        let report = e.apply(kind, &[record], t).expect("setup applies");
        check_report(&report, 1);
        assert_eq!(report.count_accepted, 1, "setup {kind:?}: {report:?}");
        log_json(log, &report);
    }
}

/// Reads the input four bytes a step: an operation and three arguments.
struct Steps<'a>(&'a [u8]);

impl Iterator for Steps<'_> {
    type Item = (u8, [u8; 3]);
    fn next(&mut self) -> Option<(u8, [u8; 3])> {
        match self.0 {
            [op, a, b, c, rest @ ..] => {
                self.0 = rest;
                Some((*op, [*a, *b, *c]))
            }
            _ => None,
        }
    }
}

/// The timeline's state beside the engine: the clock and the advances it asked for.
#[derive(Default)]
struct State {
    clock: i64,
    /// Every request that got a decision, with it.
    requests: Vec<(AdvanceRequest, AdvanceDecision)>,
    /// Accepted advances: id, amount + fee, recovery period, cancelled.
    accepted: Vec<(String, i64, Option<String>, bool)>,
}

fn log_json<T: serde::Serialize>(log: &mut String, v: &T) {
    log.push_str(&serde_json::to_string(v).expect("answers serialise"));
    log.push('\n');
}

/// Every record has exactly one result, in order, and the counts add up (SPEC §3).
fn check_report(r: &JobReport, records: usize) {
    assert_eq!(r.results.len(), records, "one result per record: {r:?}");
    assert_eq!(r.count_received, records, "{r:?}");
    assert_eq!(
        r.count_received,
        r.count_accepted + r.count_rejected + r.count_pending,
        "{r:?}"
    );
    for (i, res) in r.results.iter().enumerate() {
        assert_eq!(res.index, i, "{r:?}");
    }
}

fn delivery(bit: u8) -> Delivery {
    if bit & 1 == 0 {
        Delivery::Standard
    } else {
        Delivery::Instant
    }
}

/// One data push (shift, deduction, addition, rate change) at the clock.
fn push(e: &mut dyn Engine, s: &State, op: u8, [a, b, c]: [u8; 3], log: &mut String) {
    let (kind, record) = match op {
        0 | 1 => {
            let start = BASE_US + i64::from(a % 42) * DAY_US + i64::from(b % 24) * HOUR_US;
            let stop = start + i64::from(1 + b / 24 % 10) * HOUR_US;
            // Half the shifts approved, the rest any status.
            let status = if c & 0x80 == 0 {
                "approved"
            } else {
                STATUSES
                    .get(usize::from(c / 10) % STATUSES.len())
                    .copied()
                    .unwrap_or("approved")
            };
            (
                Kind::Shifts,
                json!({"shift_id": format!("s{}", c % 10), "shift_status": status,
                       "employee_id": EMPLOYEE, "start_at": at(start).to_string(),
                       "stop_at": at(stop).to_string()}),
            )
        }
        2 | 3 => {
            let kind = if op == 2 {
                Kind::Deductions
            } else {
                Kind::Additions
            };
            let mut r = json!({"payment_id": format!("p{}", c % 5), "employee_id": EMPLOYEE,
                               "amount": i64::from(b) * 97});
            if a & 0x80 != 0 {
                let day = at(BASE_US + i64::from(a % 42) * DAY_US).to_string();
                r["effective_on"] = json!(day.get(..10).unwrap_or_default());
            }
            (kind, r)
        }
        _ => (
            Kind::Contracts,
            json!({"contract_id": "c1", "pay_schedule_id": "weekly", "currency": "EUR",
                   "wage_rate_period": "hourly", "wage_rate_amount": 1000 + i64::from(a) * 20}),
        ),
    };
    let report = e
        .apply(kind, &[record], at(s.clock))
        .expect("one object is never refused");
    check_report(&report, 1);
    log_json(log, &report);
}

/// `eligible ⇔ available > 0`, a refusal has a reason, a quote agrees, and — on clones, at
/// the same instant — a request for exactly `available` is accepted and one for
/// `available + 1` refused (SPEC §6).
fn check_answer<'t>(twin: &'t Twin, t: Instant, d: Delivery, log: &mut String) -> Eligibility<'t> {
    let e = query(twin, t, d);
    assert_eq!(e.eligible, e.available > 0, "{e:?}");
    assert!(e.eligible || !e.reasons.is_empty(), "{e:?}");
    let q = quote(twin, e.available.max(1), t, d);
    assert_eq!(q.available, e.available, "{q:?} vs {e:?}");
    assert_eq!(q.acceptable, e.eligible, "{q:?} vs {e:?}");
    if e.available > 0 {
        let mut yes = twin.clone();
        let dy = Engine::request(&mut yes, &request("probe", e.available, t, d)).expect("probe");
        assert_eq!(
            dy.outcome,
            ewa::eligibility::AdvanceOutcome::Accepted,
            "{dy:?} {e:?}"
        );
    }
    let mut no = twin.clone();
    let amount = e.available.saturating_add(1);
    let dn = Engine::request(&mut no, &request("probe", amount, t, d)).expect("probe");
    assert_eq!(
        dn.outcome,
        ewa::eligibility::AdvanceOutcome::Rejected,
        "{dn:?} {e:?}"
    );
    log_json(log, &e);
    e
}

/// At an accepted advance: Σ (amount + fee) recovered from its period, plus the carried
/// shortfall, ≤ floor(access_rate × net(R)) — never more than earned (SPEC §6).
fn check_never_over(twin: &Twin, s: &State, d: &AdvanceDecision) {
    let t = d.requested_at.as_str();
    let e = query(twin, at(s.clock), d.delivery);
    let r = d.recovery_pay_period_id.as_deref();
    let period = e
        .periods
        .iter()
        .find(|p| Some(p.pay_period_id.as_str()) == r)
        .unwrap_or_else(|| panic!("recovery period {r:?} of {d:?} is unpaid at {t}"));
    let recovered: i64 = s
        .accepted
        .iter()
        .filter(|(_, _, p, cancelled)| !cancelled && p.as_deref() == r)
        .map(|(_, total, _, _)| total)
        .sum();
    // access_rate = 1/2 (the company above).
    let cap = period.net.max(0).div_euclid(2);
    assert!(
        recovered + e.carried_shortfall <= cap,
        "over-advance: {recovered} + {} > floor(net {} / 2) at {d:?}",
        e.carried_shortfall,
        period.net
    );
}

/// An advance request whose amount derives from `available` (exact, +1 or raw).
fn ask(e: &mut dyn Engine, s: &mut State, a: u8, b: u8, log: &mut String) {
    let d = delivery(a >> 7);
    let t = at(s.clock);
    let available = query(e.twin(), t, d).available;
    let amount = match a % 4 {
        0 => available,
        1 => available.saturating_add(1),
        2 => i64::from(b) * 50,
        _ => available / 2,
    };
    let req = request(&format!("a{}", s.requests.len()), amount, t, d);
    let decision = match e.request(&req) {
        Ok(dec) => dec,
        // An amount ≤ 0 may be an argument error or a refusal; either way nothing is recorded.
        Err(err) => {
            log.push_str(&format!("error {err}\n"));
            return;
        }
    };
    log_json(log, &decision);
    use ewa::eligibility::AdvanceOutcome::*;
    match a % 4 {
        0 if available > 0 => assert_eq!(decision.outcome, Accepted, "{decision:?}"),
        1 => assert_eq!(decision.outcome, Rejected, "{decision:?}"),
        _ => {}
    }
    if decision.outcome == Accepted {
        let total = decision
            .total_repayable
            .expect("an accepted advance has a total");
        assert_eq!(total, amount + decision.fee.unwrap_or(0), "{decision:?}");
        let period = decision.recovery_pay_period_id.clone();
        s.accepted
            .push((req.advance_id.clone(), total, period, false));
        check_never_over(e.twin(), s, &decision);
    } else {
        assert!(decision.fee.is_none(), "a refusal has no fee: {decision:?}");
    }
    s.requests.push((req, decision));
}

/// A replay of an earlier request (same fields) gives the stored answer.
fn replay(e: &mut dyn Engine, s: &State, a: u8, log: &mut String) {
    let Some((req, first)) = s.requests.get(usize::from(a) % s.requests.len().max(1)) else {
        return;
    };
    let before = e.twin().counts().advances;
    let d = e.request(req).expect("a replay never errs");
    assert_eq!(
        e.twin().counts().advances,
        before,
        "a replay records nothing"
    );
    let cancelled = s.accepted.iter().any(|x| x.0 == req.advance_id && x.3);
    if !cancelled {
        assert_eq!(&d, first, "a replay gives the stored answer");
    }
    log_json(log, &d);
}

fn cancel(e: &mut dyn Engine, s: &mut State, a: u8, log: &mut String) {
    let n = s.requests.len();
    let id = format!("a{}", usize::from(a) % (n + 1));
    let d = e.cancel(&id, at(s.clock)).expect("cancel");
    if d.outcome == ewa::eligibility::AdvanceOutcome::Cancelled {
        let entry = s.accepted.iter_mut().find(|x| x.0 == id);
        let entry = entry.unwrap_or_else(|| panic!("cancelled a never-accepted {id}: {d:?}"));
        assert!(!entry.3, "cancelled twice: {d:?}");
        entry.3 = true;
    }
    log_json(log, &d);
}

/// Runs the timeline of `data` on `e` and returns its transcript.
pub fn drive(e: &mut dyn Engine, data: &[u8]) -> String {
    let mut log = String::new();
    setup(e, &mut log);
    let mut s = State {
        clock: BASE_US,
        ..State::default()
    };
    for (op, [a, b, c]) in Steps(data).take(STEPS_MAX) {
        match op % 10 {
            o @ 0..=4 => push(e, &s, o, [a, b, c], &mut log),
            5 => ask(e, &mut s, a, b, &mut log),
            6 => replay(e, &s, a, &mut log),
            7 => cancel(e, &mut s, a, &mut log),
            8 => s.clock += i64::from(a) * HOUR_US / 4 + i64::from(b % 4) * DAY_US,
            _ => {
                let t = at(s.clock);
                check_answer(e.twin(), t, delivery(a), &mut log);
            }
        }
        // Every step ends in a consistent answer.
        check_answer(e.twin(), at(s.clock), Delivery::Standard, &mut log);
    }
    log
}

/// The fuzz target: the timeline's invariants, then determinism on a fresh twin.
pub fn run(data: &[u8]) {
    let mut first = Twin::new(company_for(data));
    let a = drive(&mut first, data);
    let mut second = Twin::new(company_for(data));
    let b = drive(&mut second, data);
    assert_eq!(a, b, "the same steps gave different answers");
    assert!(first == second, "the same steps gave different twins");
}

/// [`run`], then the same timeline through a store in `path` (a new file): the same
/// transcript, and the twin reloaded from the file equals the one in memory.
pub fn run_with_store(data: &[u8], path: &std::path::Path) {
    run(data);
    let mut twin = Twin::new(company_for(data));
    let expected = drive(&mut twin, data);
    let mut store = ewa::Store::open(path).expect("open the store");
    store
        .create_company(&company_for(data))
        .expect("create the company");
    let got = drive(&mut store, data);
    assert_eq!(
        expected, got,
        "the store answered differently from the twin"
    );
    drop(store);
    let reopened = ewa::Store::open(path).expect("reopen the store");
    let loaded = reopened.load(COMPANY).expect("load the company");
    assert!(
        loaded == twin,
        "the reloaded twin differs from the one in memory"
    );
}
