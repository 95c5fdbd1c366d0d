//! Carried shortfall (SPEC §6): an over-advance is never forgotten.
//!
//! Walking, in `pay_at` order, the employee's periods that pay before `R` (with `net` as
//! accrued at `t`): `shortfall_after(P) = max(0, shortfall_before(P) + recovered(P) −
//! max(0, net(P)))`. Periods sharing a `pay_at` are one step. The walk starts at the first
//! period an advance is recovered from: before it the shortfall is 0 and stays 0.

use super::{Advance, OutstandingLine, RecoveryGroup};
use crate::accrual::Books;
use crate::accrual::{Accrual, PeriodRef};
use crate::calendar::Instant;
use crate::error::Result;
use crate::model::Employee;
use crate::money;

/// The shortfall carried into a period, with the periods it comes from.
#[derive(Clone, Debug, Default)]
pub(crate) struct Shortfall {
    pub amount: i64,
    pub lines: Vec<OutstandingLine>,
}

/// One step of the walk: every period with one `pay_at`.
struct Step {
    pay_at: Instant,
    members: Vec<PeriodRef>,
}

impl Books {
    /// The shortfall carried into group `g` (see the module docs).
    pub(crate) fn carried_shortfall(
        &self,
        acc: &Accrual<'_>,
        emp: &Employee,
        advances: &[&Advance],
        g: &RecoveryGroup,
    ) -> Result<Shortfall> {
        self.shortfall_before(acc, emp, advances, g.pay_at)
    }

    /// The shortfall carried into the first period paying at or after `pay_at`.
    pub(crate) fn shortfall_before(
        &self,
        acc: &Accrual<'_>,
        emp: &Employee,
        advances: &[&Advance],
        pay_at: Instant,
    ) -> Result<Shortfall> {
        let earlier = self.earlier_advances(advances, pay_at)?;
        let Some(first) = earlier.iter().map(|e| e.1).min() else {
            return Ok(Shortfall::default());
        };
        let steps = self.steps(acc, emp, &earlier, first, pay_at);
        // Every period of the walk is accrued at t, with overtime classified over the walk.
        let refs: Vec<PeriodRef> = steps
            .iter()
            .flat_map(|s| s.members.iter().copied())
            .collect();
        let mut walk = Accrual::new(self, emp, acc.t, false);
        walk.prepare(&refs);
        let mut carried: Vec<(PeriodRef, i64)> = Vec::new();
        for step in &steps {
            let mut net = 0i64;
            for r in &step.members {
                net = money::add(net, walk.figures(*r)?.net, "shortfall")?;
            }
            let recovered = money::sum(
                earlier
                    .iter()
                    .filter(|e| step.members.contains(&e.0))
                    .map(|e| e.2),
                "shortfall",
            )?;
            // Oldest shortfall is covered first, then this step's own advances.
            let mut capacity = net.max(0);
            for c in &mut carried {
                let take = c.1.min(capacity);
                c.1 -= take;
                capacity -= take;
            }
            carried.retain(|c| c.1 > 0);
            let left = recovered.saturating_sub(capacity).max(0);
            // A step has at least one member, so it has a name.
            if let Some(name) = self.step_name(acc, &step.members).filter(|_| left > 0) {
                carried.push((name, left));
            }
        }
        let amount = money::sum(carried.iter().map(|c| c.1), "shortfall")?;
        let lines = self.shortfall_lines(&carried);
        Ok(Shortfall { amount, lines })
    }

    /// `(recovery period, pay_at, amount + fee)` of advances recovered before `pay_at` (SPEC §6).
    fn earlier_advances(
        &self,
        advances: &[&Advance],
        pay_at: Instant,
    ) -> Result<Vec<(PeriodRef, Instant, i64)>> {
        let mut earlier: Vec<(PeriodRef, Instant, i64)> = Vec::new();
        for a in advances {
            let Some(r) = self.recovery_ref(a) else {
                continue;
            };
            let Some(p) = self.period(r) else { continue };
            if p.pay_at < pay_at {
                earlier.push((r, p.pay_at, money::add(a.amount, a.fee, "shortfall")?));
            }
        }
        Ok(earlier)
    }

    /// One `carried_shortfall` outstanding line per period still short (SPEC §6).
    fn shortfall_lines(&self, carried: &[(PeriodRef, i64)]) -> Vec<OutstandingLine> {
        carried
            .iter()
            .map(|(r, amount)| OutstandingLine {
                kind: "carried_shortfall",
                advance_id: None,
                amount: *amount,
                fee: 0,
                pay_schedule_id: self.schedules.get(r.schedule).map(|s| s.id.to_string()),
                pay_period_id: self.period(*r).map(|p| p.id.to_string()),
            })
            .collect()
    }

    /// The group's name: earliest start_at, then smallest schedule id, then period id.
    fn step_name(&self, acc: &Accrual<'_>, members: &[PeriodRef]) -> Option<PeriodRef> {
        let mut m = members.to_vec();
        acc.sort(&mut m);
        let key = |r: &PeriodRef| {
            let p = self.period(*r);
            (
                p.map(|p| p.start),
                self.schedules.get(r.schedule).map(|s| &*s.id),
                p.map(|p| &*p.id),
            )
        };
        m.into_iter().min_by(|a, b| key(a).cmp(&key(b)))
    }

    /// The employee's periods with `first ≤ pay_at < before`, grouped by `pay_at`.
    fn steps(
        &self,
        acc: &Accrual<'_>,
        emp: &Employee,
        earlier: &[(PeriodRef, Instant, i64)],
        first: Instant,
        before: Instant,
    ) -> Vec<Step> {
        let mut refs: Vec<PeriodRef> = earlier.iter().map(|e| e.0).collect();
        for a in &emp.assignments {
            let Some(c) = self.contracts.get(a.contract) else {
                continue;
            };
            let Some(s) = self.schedules.get(c.schedule) else {
                continue;
            };
            for (i, p) in s.periods.iter().enumerate() {
                if p.pay_at >= first
                    && p.pay_at < before
                    && a.stints.iter().any(|st| st.overlaps(p.start, p.stop))
                {
                    if let Ok(index) = u32::try_from(i) {
                        refs.push(PeriodRef {
                            schedule: c.schedule,
                            index,
                        });
                    }
                }
            }
        }
        let payments = emp
            .additions
            .iter()
            .filter_map(|&i| self.additions.get(i))
            .filter(|p| p.instant < acc.t)
            .chain(
                emp.deductions
                    .iter()
                    .filter_map(|&i| self.deductions.get(i)),
            );
        for p in payments {
            if let Some(r) = self.payment_period(emp, p) {
                if self
                    .period(r)
                    .is_some_and(|q| q.pay_at >= first && q.pay_at < before)
                {
                    refs.push(r);
                }
            }
        }
        refs.sort();
        refs.dedup();
        let mut steps: Vec<Step> = Vec::new();
        let mut keyed: Vec<(Instant, PeriodRef)> = refs
            .into_iter()
            .filter_map(|r| self.period(r).map(|p| (p.pay_at, r)))
            .collect();
        keyed.sort();
        for (pay_at, r) in keyed {
            match steps.last_mut() {
                Some(s) if s.pay_at == pay_at => s.members.push(r),
                _ => steps.push(Step {
                    pay_at,
                    members: vec![r],
                }),
            }
        }
        steps
    }
}
