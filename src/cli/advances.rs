//! `ewa advance quote|request|cancel`: the answers say what is true now, and retries are
//! idempotent (docs/cli.md "Advances").

use super::args::{company_id, open, open_read, time};
use super::commands::currency_of;
use super::output::emit;
use super::table::{self, money};
use super::{AdvanceAction, Cli, Env, Failure, Outcome};
use ewa::calendar::Instant;
use ewa::eligibility::AdvanceOutcome;
use ewa::store::Store;
use ewa::{AdvanceDecision, AdvanceRequest, CancelDecision, Reason};
use serde::Serialize;
use std::io::Write;

/// `ewa advance ACTION`.
pub fn advance(
    cli: &Cli,
    env: Env,
    action: &AdvanceAction,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    // A quote only reads: read-only, as every read command (docs/cli.md).
    let mut store = match action {
        AdvanceAction::Quote { .. } => open_read(cli)?,
        _ => open(cli, false)?,
    };
    let id = company_id(cli, &store)?;
    // The zone from the company row: a quote reads one employee's view, not the twin.
    let tz = store.company(&id)?.timezone();
    let ctx = Ctx { cli, id: &id, tz };
    match action {
        AdvanceAction::Quote {
            employee,
            amount,
            at,
            delivery,
        } => {
            let t = time(at.as_deref(), "at", tz, env)?;
            quote(&ctx, &mut store, employee, *amount, t, delivery.get(), out)
        }
        AdvanceAction::Request {
            advance_id,
            employee,
            amount,
            at,
            delivery,
        } => {
            let req = AdvanceRequest {
                advance_id: advance_id.clone(),
                employee_id: employee.clone(),
                amount: *amount,
                requested_at: time(at.as_deref(), "at", tz, env)?,
                delivery: delivery.get(),
            };
            request(&ctx, &mut store, &req, out)
        }
        AdvanceAction::Cancel { advance_id, at } => {
            let t = time(at.as_deref(), "at", tz, env)?;
            cancel(&ctx, &mut store, advance_id, t, out)
        }
    }
}

/// What every action needs: the command line, the company and its zone.
struct Ctx<'a> {
    cli: &'a Cli,
    id: &'a str,
    tz: chrono_tz::Tz,
}

fn quote(
    ctx: &Ctx<'_>,
    store: &mut Store,
    employee: &str,
    amount: i64,
    t: Instant,
    delivery: ewa::Delivery,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    // The employee's view, not the company (decision 129).
    let twin = &store.employee_twin(ctx.id, employee)?;
    let q = twin.quote_advance(employee, amount, t, delivery)?;
    let cur = currency_of(twin, employee);
    emit(ctx.cli, out, &q, || quote_table(&q, cur.as_deref(), ctx.tz))?;
    if q.reasons.contains(&Reason::UnknownEmployee) {
        return Err(Failure::unknown_employee(employee, twin));
    }
    // A quote that would be refused is a refusal, as the request would be.
    Ok(if q.acceptable {
        Outcome::Ok
    } else {
        Outcome::Refused
    })
}

/// The answer to a request: the recorded decision, and what is true now. A retry of an
/// advance cancelled since answers `cancelled` with its cancellation time (decision 72).
#[derive(Debug, Serialize)]
pub struct RequestAnswer {
    /// The decision, its outcome `cancelled` once the advance is.
    #[serde(flatten)]
    pub decision: AdvanceDecision,
    /// When it was cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<String>,
}

fn request(
    ctx: &Ctx<'_>,
    store: &mut Store,
    req: &AdvanceRequest,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    let mut decision = store.request_advance(ctx.id, req)?;
    let twin = store.twin(ctx.id)?;
    let mut cancelled_at = None;
    if decision.outcome == AdvanceOutcome::Accepted {
        if let Some(c) = twin.advance(&req.advance_id).and_then(|r| r.cancelled_at) {
            decision.outcome = AdvanceOutcome::Cancelled;
            cancelled_at = Some(c.to_string());
        }
    }
    let a = RequestAnswer {
        decision,
        cancelled_at,
    };
    let cur = currency_of(twin, &req.employee_id);
    emit(ctx.cli, out, &a, || {
        decision_table(&a, cur.as_deref(), ctx.tz)
    })?;
    if a.decision.reasons.contains(&Reason::UnknownEmployee) {
        return Err(Failure::unknown_employee(&req.employee_id, twin));
    }
    // Only an advance in force is a success: refused, conflict or cancelled is 1.
    Ok(if a.decision.outcome == AdvanceOutcome::Accepted {
        Outcome::Ok
    } else {
        Outcome::Refused
    })
}

/// The answer to a cancellation as the command line prints it: `cancelled_at` only when the
/// advance is cancelled (the first cancellation's time, on a retry too).
#[derive(Debug, Serialize)]
pub struct CancelAnswer {
    /// The advance.
    pub advance_id: String,
    /// Its employee (none for an unknown advance).
    pub employee_id: Option<String>,
    /// Its amount.
    pub amount: Option<i64>,
    /// When it was requested.
    pub requested_at: Option<String>,
    /// When it was cancelled; absent when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<String>,
    /// Cancelled or rejected.
    pub outcome: AdvanceOutcome,
    /// The fee the cancellation waives.
    pub fee: Option<i64>,
    /// Its recovery period.
    pub recovery_pay_period_id: Option<String>,
    /// Its recovery payday.
    pub recovery_pay_at: Option<String>,
    /// `unknown_advance` or `not_cancellable` when rejected.
    pub reasons: Vec<Reason>,
}

impl CancelAnswer {
    fn new(d: CancelDecision, cancelled_at: Option<Instant>) -> CancelAnswer {
        let now = d.outcome == AdvanceOutcome::Cancelled;
        let done = cancelled_at.map(|c| c.to_string());
        CancelAnswer {
            cancelled_at: if now {
                Some(d.cancelled_at)
            } else {
                done.clone()
            },
            outcome: if done.is_some() {
                AdvanceOutcome::Cancelled
            } else {
                d.outcome
            },
            reasons: if done.is_some() {
                Vec::new()
            } else {
                d.reasons
            },
            advance_id: d.advance_id,
            employee_id: d.employee_id,
            amount: d.amount,
            requested_at: d.requested_at,
            fee: d.fee,
            recovery_pay_period_id: d.recovery_pay_period_id,
            recovery_pay_at: d.recovery_pay_at,
        }
    }
}

/// A cancellation. An advance already cancelled answers `cancelled` with the first
/// cancellation's time, nothing journaled; otherwise the store decides and journals (SPEC
/// §8: its answer to a second cancel is `not_cancellable`, which a concurrent cancel can
/// still produce: it is read as the idempotent answer too).
fn cancel(
    ctx: &Ctx<'_>,
    store: &mut Store,
    advance_id: &str,
    at: Instant,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    let before = store.twin(ctx.id)?.advance(advance_id);
    let a = match before {
        Some(ewa::AdvanceRecord {
            decision,
            cancelled_at: Some(c),
        }) => CancelAnswer::new(retry_decision(decision, c), Some(c)),
        _ => {
            let d = store.cancel_advance(ctx.id, advance_id, at)?;
            let done = store
                .twin(ctx.id)?
                .advance(advance_id)
                .and_then(|r| r.cancelled_at);
            CancelAnswer::new(d, done)
        }
    };
    emit(ctx.cli, out, &a, || cancel_table(&a, ctx.tz))?;
    if a.reasons.contains(&Reason::UnknownAdvance) {
        return Err(Failure::input(format!(
            "no advance `{advance_id}` in company `{}`",
            ctx.id
        )));
    }
    Ok(if a.outcome == AdvanceOutcome::Cancelled {
        Outcome::Ok
    } else {
        Outcome::Refused
    })
}

/// The cancel decision of an advance cancelled at `c`, for an idempotent retry.
fn retry_decision(d: AdvanceDecision, c: Instant) -> CancelDecision {
    CancelDecision {
        advance_id: d.advance_id,
        employee_id: Some(d.employee_id),
        amount: Some(d.amount),
        requested_at: Some(d.requested_at),
        cancelled_at: c.to_string(),
        outcome: AdvanceOutcome::Cancelled,
        fee: d.fee,
        recovery_pay_schedule_id: d.recovery_pay_schedule_id,
        recovery_pay_period_id: d.recovery_pay_period_id,
        recovery_pay_at: d.recovery_pay_at,
        reasons: Vec::new(),
    }
}

/// The table of a quote.
fn quote_table(q: &ewa::Quote, cur: Option<&str>, tz: chrono_tz::Tz) -> String {
    table::pairs(&[
        ("employee", q.employee_id.clone()),
        ("amount", money(q.request_amount, cur)),
        ("fee", money(q.fee, cur)),
        ("total repayable", money(q.total_repayable, cur)),
        (
            "repaid at",
            q.repayment_at
                .as_deref()
                .map(|t| table::local_text(tz, t))
                .unwrap_or_default(),
        ),
        ("available now", money(q.available, cur)),
        ("acceptable", table::yes_no(q.acceptable)),
        ("reasons", reason_list(&q.reasons)),
    ])
}

/// The table of an advance decision.
fn decision_table(a: &RequestAnswer, cur: Option<&str>, tz: chrono_tz::Tz) -> String {
    let d = &a.decision;
    let at = |t: &Option<String>| {
        t.as_deref()
            .map(|t| table::local_text(tz, t))
            .unwrap_or_default()
    };
    let mut rows = vec![
        ("advance", d.advance_id.clone()),
        ("employee", d.employee_id.clone()),
        ("outcome", table::code(&d.outcome)),
        ("amount", money(d.amount, cur)),
        ("fee", d.fee.map(|f| money(f, cur)).unwrap_or_default()),
        (
            "repaid from",
            d.recovery_pay_period_id.clone().unwrap_or_default(),
        ),
        ("repaid at", at(&d.recovery_pay_at)),
    ];
    if a.cancelled_at.is_some() {
        rows.push(("cancelled at", at(&a.cancelled_at)));
    }
    rows.push(("reasons", reason_list(&d.reasons)));
    table::pairs(&rows)
}

/// The table of a cancel answer.
fn cancel_table(a: &CancelAnswer, tz: chrono_tz::Tz) -> String {
    let mut rows = vec![
        ("advance", a.advance_id.clone()),
        ("outcome", table::code(&a.outcome)),
    ];
    if let Some(c) = &a.cancelled_at {
        rows.push(("cancelled at", table::local_text(tz, c)));
    }
    rows.push(("reasons", reason_list(&a.reasons)));
    table::pairs(&rows)
}

/// Reason codes, space-separated.
pub fn reason_list(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A recorded advance as `ewa advances list|show` prints it: its decision, and its state at
/// `--as-of`.
#[derive(Debug, Serialize)]
pub struct AdvanceView {
    /// The decision its request got (outcome `accepted` or `rejected`).
    #[serde(flatten)]
    pub decision: AdvanceDecision,
    /// `accepted` (in force), `cancelled`, `recovered` (its recovery payday has passed), or
    /// `rejected`.
    pub state: &'static str,
    /// When it was cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<String>,
}

impl AdvanceView {
    fn new(r: ewa::AdvanceRecord, as_of: Instant) -> AdvanceView {
        let paid = r
            .decision
            .recovery_pay_at
            .as_deref()
            .and_then(|p| ewa::calendar::parse_instant(chrono_tz::UTC, p).ok())
            .is_some_and(|p| p <= as_of);
        let state = match (&r.decision.outcome, r.cancelled_at) {
            (AdvanceOutcome::Accepted, Some(_)) => "cancelled",
            (AdvanceOutcome::Accepted, None) if paid => "recovered",
            (AdvanceOutcome::Accepted, None) => "accepted",
            _ => "rejected",
        };
        AdvanceView {
            decision: r.decision,
            state,
            cancelled_at: r.cancelled_at.map(|c| c.to_string()),
        }
    }
}

/// `ewa advances list|show`.
pub fn list_or_show(
    cli: &Cli,
    env: Env,
    action: &super::AdvancesAction,
    out: &mut dyn Write,
) -> Result<Outcome, Failure> {
    let mut store = open_read(cli)?;
    let id = company_id(cli, &store)?;
    let twin = store.twin(&id)?;
    let tz = twin.company().timezone();
    match action {
        super::AdvancesAction::List { employee, as_of } => {
            let t = time(as_of.as_deref(), "as-of", tz, env)?;
            let views: Vec<AdvanceView> = twin
                .advance_records()
                .into_iter()
                .filter(|r| {
                    employee
                        .as_deref()
                        .is_none_or(|e| r.decision.employee_id == e)
                })
                .map(|r| AdvanceView::new(r, t))
                .collect();
            super::output::emit_list(cli, out, &views, || views_table(&views, twin, tz))?;
            Ok(Outcome::Ok)
        }
        super::AdvancesAction::Show { advance_id, as_of } => {
            let t = time(as_of.as_deref(), "as-of", tz, env)?;
            let view = twin
                .advance(advance_id)
                .map(|r| AdvanceView::new(r, t))
                .ok_or_else(|| {
                    Failure::input(format!("no advance `{advance_id}` in company `{id}`"))
                })?;
            let cur = currency_of(twin, &view.decision.employee_id);
            emit(cli, out, &view, || {
                let answer = RequestAnswer {
                    decision: view.decision.clone(),
                    cancelled_at: view.cancelled_at.clone(),
                };
                format!(
                    "state        {}\n{}",
                    view.state,
                    decision_table(&answer, cur.as_deref(), tz)
                )
            })?;
            Ok(Outcome::Ok)
        }
    }
}

fn views_table(views: &[AdvanceView], twin: &ewa::Twin, tz: chrono_tz::Tz) -> String {
    let at = |t: Option<&str>| t.map(|t| table::local_text(tz, t)).unwrap_or_default();
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            let d = &v.decision;
            let cur = currency_of(twin, &d.employee_id);
            let cur = cur.as_deref();
            vec![
                d.advance_id.clone(),
                d.employee_id.clone(),
                v.state.to_string(),
                money(d.amount, cur),
                d.fee.map(|f| money(f, cur)).unwrap_or_default(),
                at(Some(&d.requested_at)),
                at(d.recovery_pay_at.as_deref()),
                at(v.cancelled_at.as_deref()),
            ]
        })
        .collect();
    table::render(
        &[
            "advance",
            "employee",
            "state",
            "amount",
            "fee",
            "requested at",
            "repaid at",
            "cancelled at",
        ],
        &rows,
    )
}
