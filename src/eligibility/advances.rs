//! Advances (SPEC §6): quotes, idempotent requests, cancellations, and recoveries for payroll.

use super::{Ask, Assessment, Detail, Reason, Seen};
use crate::accrual::Books;
use crate::calendar::{self, Instant};
use crate::error::{Error, Result};
use crate::model::{Advance, Delivery, RecoveryRef};
use crate::money;
use serde::Serialize;

/// A request for an advance (SPEC §6; FlipPay-like lifecycle).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdvanceRequest {
    /// The caller's idempotency key.
    pub advance_id: String,
    /// Who asks.
    pub employee_id: String,
    /// Amount in minor units (> 0), fees excluded.
    pub amount: i64,
    /// When the employee asked.
    pub requested_at: Instant,
    /// Delivery speed; selects the fee.
    pub delivery: Delivery,
}

/// The outcome of an advance request or cancellation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdvanceOutcome {
    /// Recorded; recovered from the named period.
    Accepted,
    /// Refused (nothing recorded), or a cancellation refused.
    Rejected,
    /// The `advance_id` was used with other fields.
    Conflict,
    /// The advance was cancelled.
    Cancelled,
}

/// The answer to an advance request (SPEC §8 `advances`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AdvanceDecision {
    /// The idempotency key.
    pub advance_id: String,
    /// Who asked.
    pub employee_id: String,
    /// Amount asked.
    pub amount: i64,
    /// When.
    pub requested_at: String,
    /// Delivery speed.
    pub delivery: Delivery,
    /// Accepted, rejected or conflict.
    pub outcome: AdvanceOutcome,
    /// The fee of an accepted advance (none when refused).
    pub fee: Option<i64>,
    /// Amount + fee of an accepted advance.
    pub total_repayable: Option<i64>,
    /// The recovery period's schedule.
    pub recovery_pay_schedule_id: Option<String>,
    /// The recovery period.
    pub recovery_pay_period_id: Option<String>,
    /// The recovery payday (the repayment date).
    pub recovery_pay_at: Option<String>,
    /// Why it was refused, in SPEC order; empty when accepted.
    pub reasons: Vec<Reason>,
}

/// The answer to a cancellation (SPEC §8 `cancel`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CancelDecision {
    /// The advance.
    pub advance_id: String,
    /// Its employee (none for an unknown advance).
    pub employee_id: Option<String>,
    /// Its amount.
    pub amount: Option<i64>,
    /// When it was requested.
    pub requested_at: Option<String>,
    /// When the cancellation was asked.
    pub cancelled_at: String,
    /// Cancelled or rejected.
    pub outcome: AdvanceOutcome,
    /// The fee the cancellation waives.
    pub fee: Option<i64>,
    /// Its recovery schedule.
    pub recovery_pay_schedule_id: Option<String>,
    /// Its recovery period.
    pub recovery_pay_period_id: Option<String>,
    /// Its recovery payday.
    pub recovery_pay_at: Option<String>,
    /// `unknown_advance` or `not_cancellable` when rejected.
    pub reasons: Vec<Reason>,
}

/// An advance as recorded and as it stands now: the decision its request got (accepted or
/// refused; replayed to an identical retry) and, once cancelled, when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdvanceRecord {
    /// The recorded decision.
    pub decision: AdvanceDecision,
    /// When an accepted advance was cancelled; from then on it no longer counts.
    pub cancelled_at: Option<Instant>,
}

/// A quote (FlipPay's shape): what a request of `amount` would cost and when it is repaid,
/// without recording anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// Who.
    pub employee_id: String,
    /// Amount quoted (disbursed).
    pub request_amount: i64,
    /// Delivery speed.
    pub delivery: Delivery,
    /// Its fee.
    pub fee: i64,
    /// Amount + fee, deducted from the recovery pay.
    pub total_repayable: i64,
    /// The recovery payday (UTC).
    pub repayment_at: Option<String>,
    /// The recovery payday's local date.
    pub repayment_date: Option<String>,
    /// The recovery period's schedule.
    pub recovery_pay_schedule_id: Option<String>,
    /// The recovery period.
    pub recovery_pay_period_id: Option<String>,
    /// The largest amount available now.
    pub available: i64,
    /// Whether a request of this amount would be accepted now.
    pub acceptable: bool,
    /// Why not, when it would not.
    pub reasons: Vec<Reason>,
}

/// What payroll must deduct from one employee's pay for a period (SPEC §6 "Recoveries").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recovery {
    /// The employee.
    pub employee_id: String,
    /// Advances recovered from the period: (advance_id, amount, fee).
    pub advances: Vec<super::OutstandingLine>,
    /// Shortfall carried into the period from earlier ones.
    pub carried_in: i64,
    /// Advances + fees + carried shortfall.
    pub due: i64,
    /// The period's net as accrued.
    pub net: i64,
    /// What payroll deducts: `min(due, max(0, net))`.
    pub deduct: i64,
    /// What the cap leaves over, carried to the next period.
    pub carried_forward: i64,
}

impl Books {
    /// See `Twin::request_advance` (the façade that documents it).
    pub fn request_advance(&mut self, req: &AdvanceRequest) -> Result<AdvanceDecision> {
        for (name, v) in [
            ("advance_id", &req.advance_id),
            ("employee_id", &req.employee_id),
        ] {
            // The one id rule of ingestion (SPEC §7 and docs/reference.md "Ids").
            if let Some(m) = crate::ingest::fields::id_error(v, &self.company.limits) {
                return Err(Error::arg(name, m));
            }
        }
        if let Some(ix) = self.advance_ix.get(&req.advance_id) {
            let Some(a) = self.advances.get(ix) else {
                return Err(Error::arg("advance_id", "index out of date"));
            };
            return Ok(self.replay(a, req));
        }
        let policy = &self.company.policy;
        let ask = Ask {
            t: req.requested_at,
            delivery: req.delivery,
            seen: Seen::Request,
            detail: Detail::Brief,
        };
        let assessment = self.assess(&req.employee_id, ask)?;
        let available = assessment.answer.available;
        let mut reasons = assessment.answer.reasons;
        let amount_ok = req.amount > 0 && req.amount <= self.company.limits.amount_max;
        if !amount_ok {
            reasons.insert(Reason::InvalidAmount);
        } else if req.amount < policy.min_advance {
            reasons.insert(Reason::BelowMinimum);
        } else if req.amount > available && available > 0 {
            reasons.insert(Reason::ExceedsAvailable);
        }
        let accepted = amount_ok && req.amount >= policy.min_advance && req.amount <= available;
        let (fee, recovery) = if accepted {
            self.grant(&assessment, req.amount)?
        } else {
            (0, None)
        };
        let employee = self.employee_ix.get(&req.employee_id);
        let advance = Advance {
            id: req.advance_id.as_str().into(),
            employee_id: req.employee_id.as_str().into(),
            employee,
            amount: req.amount,
            requested_at: req.requested_at,
            delivery: req.delivery,
            accepted: accepted && recovery.is_some(),
            fee,
            recovery,
            reasons: if accepted {
                Vec::new()
            } else {
                reasons.to_vec()
            },
            cancelled_at: None,
        };
        self.record(advance)
    }

    /// The fee and recovery period of an accepted `amount`: none without `R`.
    fn grant(
        &self,
        assessment: &Assessment<'_>,
        amount: i64,
    ) -> Result<(i64, Option<RecoveryRef>)> {
        let Some(g) = &assessment.group else {
            return Ok((0, None));
        };
        // SPEC §6: the fee recorded is the fee as the monthly cap leaves it.
        let fee = assessment
            .pricing
            .of(amount)
            .ok_or_else(|| Error::overflow("fee"))?;
        // Pair assertion (SPEC §6): never more than earned at each grant.
        debug_assert!(
            money::add(amount, fee, "grant").is_ok_and(|t| t <= assessment.answer.headroom),
            "amount + fee <= headroom"
        );
        let period_id = self
            .period(g.name)
            .map(|p| p.id.clone())
            .unwrap_or_default();
        let recovery = RecoveryRef {
            schedule: g.name.schedule,
            period_id,
            pay_at: g.pay_at,
        };
        Ok((fee, Some(recovery)))
    }

    /// Records a decision: indexed by its id and listed with its employee.
    fn record(&mut self, advance: Advance) -> Result<AdvanceDecision> {
        let d = self.decision(&advance);
        let employee = advance.employee;
        let ix = (self.advances.push(advance))
            .map_err(|_| Error::arg("advance_id", "too many advances"))?;
        let state: &mut crate::model::State = self;
        if let Some(a) = state.advances.get(ix) {
            state.advance_ix.insert(&a.id, ix);
        }
        if let Some(e) = employee.and_then(|e| self.employees.get_mut(e)) {
            e.advances.push(ix);
        }
        Ok(d)
    }

    /// The answer to a request whose `advance_id` was used before: the recorded decision
    /// when every field is the same (an idempotent retry), else a conflict (SPEC §6).
    fn replay(&self, a: &Advance, req: &AdvanceRequest) -> AdvanceDecision {
        let same = *a.employee_id == *req.employee_id
            && a.amount == req.amount
            && a.requested_at == req.requested_at
            && a.delivery == req.delivery;
        let mut d = self.decision(a);
        if same {
            return d;
        }
        d.employee_id = req.employee_id.clone();
        d.amount = req.amount;
        d.requested_at = req.requested_at.to_string();
        d.delivery = req.delivery;
        d.outcome = AdvanceOutcome::Conflict;
        d.fee = None;
        d.total_repayable = None;
        d.recovery_pay_schedule_id = None;
        d.recovery_pay_period_id = None;
        d.recovery_pay_at = None;
        d.reasons = vec![Reason::AdvanceIdReused];
        d
    }

    fn decision(&self, a: &Advance) -> AdvanceDecision {
        let rec = a.recovery.as_ref();
        AdvanceDecision {
            advance_id: a.id.to_string(),
            employee_id: a.employee_id.to_string(),
            amount: a.amount,
            requested_at: a.requested_at.to_string(),
            delivery: a.delivery,
            outcome: if a.accepted {
                AdvanceOutcome::Accepted
            } else {
                AdvanceOutcome::Rejected
            },
            fee: a.accepted.then_some(a.fee),
            total_repayable: a.accepted.then(|| a.amount.checked_add(a.fee)).flatten(),
            recovery_pay_schedule_id: rec
                .and_then(|r| self.schedules.get(r.schedule))
                .map(|s| s.id.to_string()),
            recovery_pay_period_id: rec.map(|r| r.period_id.to_string()),
            recovery_pay_at: rec.map(|r| r.pay_at.to_string()),
            reasons: a.reasons.clone(),
        }
    }

    /// See `Twin::advance` (the façade that documents it).
    pub fn advance(&self, advance_id: &str) -> Option<AdvanceRecord> {
        let ix = self.advance_ix.get(advance_id)?;
        self.advances.get(ix).map(|a| self.advance_record(a))
    }

    /// See `Twin::advance_records` (the façade that documents it).
    pub fn advance_records(&self) -> Vec<AdvanceRecord> {
        self.advances
            .iter()
            .map(|a| self.advance_record(a))
            .collect()
    }

    fn advance_record(&self, a: &Advance) -> AdvanceRecord {
        AdvanceRecord {
            decision: self.decision(a),
            cancelled_at: a.cancelled_at,
        }
    }

    /// See `Twin::cancel_advance` (the façade that documents it).
    pub fn cancel_advance(&mut self, advance_id: &str, at: Instant) -> CancelDecision {
        let Some(ix) = self.advance_ix.get(advance_id) else {
            return CancelDecision {
                advance_id: advance_id.to_string(),
                employee_id: None,
                amount: None,
                requested_at: None,
                cancelled_at: at.to_string(),
                outcome: AdvanceOutcome::Rejected,
                fee: None,
                recovery_pay_schedule_id: None,
                recovery_pay_period_id: None,
                recovery_pay_at: None,
                reasons: vec![Reason::UnknownAdvance],
            };
        };
        let cancellable = self.advances.get(ix).is_some_and(|a| {
            a.accepted
                && a.cancelled_at.is_none()
                && a.requested_at <= at
                && a.recovery.as_ref().is_some_and(|r| at < r.pay_at)
        });
        if cancellable {
            if let Some(a) = self.advances.get_mut(ix) {
                a.cancelled_at = Some(at);
            }
        }
        let a = self.advances.get(ix);
        let d = a.map(|a| self.decision(a));
        CancelDecision {
            advance_id: advance_id.to_string(),
            employee_id: a.map(|a| a.employee_id.to_string()),
            amount: a.map(|a| a.amount),
            requested_at: a.map(|a| a.requested_at.to_string()),
            cancelled_at: at.to_string(),
            outcome: if cancellable {
                AdvanceOutcome::Cancelled
            } else {
                AdvanceOutcome::Rejected
            },
            fee: d.as_ref().and_then(|d| d.fee),
            recovery_pay_schedule_id: d.as_ref().and_then(|d| d.recovery_pay_schedule_id.clone()),
            recovery_pay_period_id: d.as_ref().and_then(|d| d.recovery_pay_period_id.clone()),
            recovery_pay_at: d.and_then(|d| d.recovery_pay_at),
            reasons: if cancellable {
                Vec::new()
            } else {
                vec![Reason::NotCancellable]
            },
        }
    }

    /// See `Twin::quote_advance` (the façade that documents it).
    pub fn quote_advance(
        &self,
        employee_id: &str,
        amount: i64,
        at: Instant,
        delivery: Delivery,
    ) -> Result<Quote> {
        let ask = Ask {
            t: at,
            delivery,
            seen: Seen::Request,
            detail: Detail::Brief,
        };
        let a = self.assess(employee_id, ask)?;
        // SPEC §6: the fee quoted is the fee as the monthly cap leaves it.
        let fee = a
            .pricing
            .of(amount.max(0))
            .ok_or_else(|| Error::overflow("fee"))?;
        let mut reasons = a.answer.reasons;
        let policy = &self.company.policy;
        if amount <= 0 || amount > self.company.limits.amount_max {
            reasons.insert(Reason::InvalidAmount);
        } else if amount < policy.min_advance {
            reasons.insert(Reason::BelowMinimum);
        } else if amount > a.answer.available && a.answer.available > 0 {
            reasons.insert(Reason::ExceedsAvailable);
        }
        let pay_at = a.group.as_ref().map(|g| g.pay_at);
        Ok(Quote {
            employee_id: employee_id.to_string(),
            request_amount: amount,
            delivery,
            fee,
            total_repayable: amount.saturating_add(fee),
            repayment_at: pay_at.map(|p| p.to_string()),
            repayment_date: pay_at
                .map(|p| calendar::local_date(self.company.timezone, p).to_string()),
            recovery_pay_schedule_id: a.answer.recovery.map(|r| r.pay_schedule_id.to_string()),
            recovery_pay_period_id: a.answer.recovery.map(|r| r.pay_period_id.to_string()),
            available: a.answer.available,
            acceptable: reasons.is_empty(),
            reasons: reasons.to_vec(),
        })
    }

    /// See `Twin::recoveries` (the façade that documents it).
    pub fn recoveries(
        &self,
        pay_schedule_id: &str,
        pay_period_id: &str,
        as_of: Instant,
    ) -> Result<Vec<Recovery>> {
        let sched = self.schedule_ix.get(pay_schedule_id).ok_or_else(|| {
            Error::arg(
                "pay_schedule_id",
                format!("unknown pay schedule `{pay_schedule_id}`"),
            )
        })?;
        let index = self
            .schedules
            .get(sched)
            .and_then(|s| s.period_index(pay_period_id))
            .and_then(|i| u32::try_from(i).ok())
            .ok_or_else(|| {
                Error::arg(
                    "pay_period_id",
                    format!("unknown pay period `{pay_period_id}`"),
                )
            })?;
        let target = crate::accrual::PeriodRef {
            schedule: sched,
            index,
        };
        let pay_at = self
            .period(target)
            .map(|p| p.pay_at)
            .unwrap_or(Instant::MAX);
        let mut out = Vec::new();
        let mut emps: Vec<_> = self
            .employees
            .iter()
            .filter(|e| !e.advances.is_empty())
            .collect();
        emps.sort_by(|a, b| a.id.cmp(&b.id));
        for emp in emps {
            if let Some(r) = self.recovery_of(emp, target, pay_at, as_of)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// What payroll deducts from `emp`'s pay for the period `target` (paid at `pay_at`):
    /// none when nothing is due.
    fn recovery_of(
        &self,
        emp: &crate::model::Employee,
        target: crate::accrual::PeriodRef,
        pay_at: Instant,
        as_of: Instant,
    ) -> Result<Option<Recovery>> {
        let advances = self.visible_advances(emp, as_of, Seen::AnswerAt);
        if advances.is_empty() {
            return Ok(None);
        }
        let acc = crate::accrual::Accrual::new(self, emp, as_of, false);
        let carried = self.shortfall_before(&acc, emp, &advances, pay_at)?;
        // The period's group: every period of the employee paying at the same instant.
        let mut members = vec![target];
        for a in &advances {
            if let Some(r) = self.recovery_ref(a) {
                if self.period(r).is_some_and(|p| p.pay_at == pay_at) && !members.contains(&r) {
                    members.push(r);
                }
            }
        }
        let mut lines = Vec::new();
        let mut due = carried.amount;
        for a in advances
            .iter()
            .filter(|a| self.recovery_ref(a).is_some_and(|r| members.contains(&r)))
        {
            due = money::add(due, money::add(a.amount, a.fee, "recovery")?, "recovery")?;
            lines.push(super::OutstandingLine::advance(a));
        }
        if due == 0 {
            return Ok(None);
        }
        let mut walk = crate::accrual::Accrual::new(self, emp, as_of, false);
        walk.prepare(&members);
        let mut net = 0i64;
        for r in &members {
            net = money::add(net, walk.figures(*r)?.net, "recovery")?;
        }
        let deduct = due.min(net.max(0));
        Ok(Some(Recovery {
            employee_id: emp.id.to_string(),
            advances: lines,
            carried_in: carried.amount,
            due,
            net,
            deduct,
            carried_forward: due - deduct,
        }))
    }
}
