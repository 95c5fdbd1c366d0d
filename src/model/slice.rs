//! An employee's slice of the state (issue #17: one employee answered from a store of a
//! million without loading the company): a state that holds the company, that employee and
//! exactly what the employee's answers read — the contracts of its assignments, shifts,
//! payments and leaves, the schedules of those contracts and of its advances' recoveries,
//! its current shifts, additions, deductions, advances and leaves.
//!
//! What a slice leaves out is what no answer about the employee reads: other employees and
//! what only they use, the open shifts, and the earlier versions of the employee's shifts
//! (audit history; a question "as known at" an earlier instant loads the whole company).
//! Entities are renumbered in the slice (the employee is index 0); the job counter is the
//! company's. Equal answers from a slice and from the whole state are a tested property
//! (`tests/engine/slices.rs`), and the store keeps one slice per employee current
//! (`store::views`).

use super::shifts::{Extra, ShiftStore};
use super::{Advance, ContractIx, Employee, EmployeeIx, Ix, Leave, Payment, ScheduleIx};
use super::{AdvanceIx, LeaveIx, PaymentIx, RecoveryRef, ShiftRec, State};
use super::{Arena, Few, Index};
use crate::error::{Error, Result};

/// Old → new indexes of one entity kind (an employee reads a handful of each).
struct Map<I>(Vec<(I, I)>);

impl<I: Ix + PartialEq> Map<I> {
    fn get(&self, old: I) -> Option<I> {
        self.0.iter().find(|(o, _)| *o == old).map(|&(_, n)| n)
    }

    /// The new index of an optional link; an error names the kind of a link that was not
    /// copied (a dangling index).
    fn link(&self, old: Option<I>, what: &str) -> Result<Option<I>> {
        match old {
            Some(o) => self.get(o).map(Some).ok_or_else(|| dangling(what)),
            None => Ok(None),
        }
    }
}

/// The error of a slice that cannot be built: only a state that breaks its own invariants
/// (a dangling index) gives one.
/// Copies the payments `list` names from `from` into `to` (made by `copy`), indexing each
/// by its id: their new indexes, in the list's order. `what` names a full arena.
fn copy_payments(
    list: &[PaymentIx],
    (from, to, index): (
        &Arena<PaymentIx, Payment>,
        &mut Arena<PaymentIx, Payment>,
        &mut Index<PaymentIx>,
    ),
    what: &str,
    copy: impl Fn(&Payment) -> Result<Payment>,
) -> Result<Few<PaymentIx>> {
    let mut out = Few::with_capacity(list.len());
    for p in list.iter().filter_map(|&p| from.get(p)) {
        let new = to.push(copy(p)?).map_err(|_| dangling(what))?;
        index.insert(&p.id, new);
        out.push(new);
    }
    Ok(out)
}

fn dangling(what: &str) -> Error {
    Error::Storage {
        message: format!("cannot slice the twin: a dangling {what} index"),
    }
}

impl State {
    /// The slice of employee `e` (see the module docs); `None` for an unknown index.
    ///
    /// # Errors
    /// [`Error::Storage`] when the state holds a dangling index (it breaks its invariants).
    pub(crate) fn slice(&self, e: EmployeeIx) -> Result<Option<State>> {
        let Some(emp) = self.employees.get(e) else {
            return Ok(None);
        };
        let mut out = State::new(self.company.clone());
        out.jobs = self.jobs;
        let contracts = self.slice_contracts(emp, &mut out)?;
        let schedules_of_advances = self.slice_advance_schedules(emp, &mut out)?;
        // The employee is the slice's first: its index is known before its lists are.
        let ix = out.employees.next_ix().map_err(|_| dangling("employee"))?;
        let mut assignments = emp.assignments.clone();
        for a in &mut assignments {
            a.contract = contracts
                .get(a.contract)
                .ok_or_else(|| dangling("contract"))?;
        }
        let shifts = self.slice_shifts(emp, ix, &contracts, &mut out)?;
        let (additions, deductions) = self.slice_payments(emp, ix, &contracts, &mut out)?;
        let employee = Employee {
            id: emp.id.clone(),
            profile: emp.profile.clone(),
            custom_info: emp.custom_info.clone(),
            assignments,
            shifts,
            additions,
            deductions,
            advances: self.slice_advances(emp, ix, &schedules_of_advances, &mut out)?,
            leaves: self.slice_leaves(emp, ix, &contracts, &mut out)?,
        };
        let pushed = out
            .employees
            .push(employee)
            .map_err(|_| dangling("employee"))?;
        out.employee_ix.insert(&emp.id, pushed);
        Ok(Some(out))
    }

    /// Copies every contract the employee's data names (and each one's schedule) into
    /// `out`, in index order; returns the renumbering.
    fn slice_contracts(&self, emp: &Employee, out: &mut State) -> Result<Map<ContractIx>> {
        let mut wanted: Vec<ContractIx> = emp.assignments.iter().map(|a| a.contract).collect();
        wanted.extend(emp.shifts.iter().filter_map(|r| r.contract));
        for p in emp.additions.iter().filter_map(|&p| self.additions.get(p)) {
            wanted.extend(p.contract);
        }
        for p in emp
            .deductions
            .iter()
            .filter_map(|&p| self.deductions.get(p))
        {
            wanted.extend(p.contract);
        }
        for l in emp.leaves.iter().filter_map(|&l| self.leaves.get(l)) {
            wanted.extend(l.contract);
        }
        wanted.sort_unstable();
        wanted.dedup();
        let mut schedules = Map(Vec::new());
        let mut map = Map(Vec::with_capacity(wanted.len()));
        for old in wanted {
            let c = self
                .contracts
                .get(old)
                .ok_or_else(|| dangling("contract"))?;
            let mut c = c.clone();
            c.schedule = self.copy_schedule(c.schedule, &mut schedules, out)?;
            let new = out.contracts.push(c).map_err(|_| dangling("contract"))?;
            if let Some(c) = out.contracts.get(new) {
                out.contract_ix.insert(&c.id, new);
            }
            map.0.push((old, new));
        }
        Ok(map)
    }

    /// Schedule `old` in `out`, copied there once.
    fn copy_schedule(
        &self,
        old: ScheduleIx,
        map: &mut Map<ScheduleIx>,
        out: &mut State,
    ) -> Result<ScheduleIx> {
        if let Some(new) = map.get(old) {
            return Ok(new);
        }
        if let Some(new) = self
            .schedules
            .get(old)
            .and_then(|s| out.schedule_ix.get(&s.id))
        {
            map.0.push((old, new));
            return Ok(new);
        }
        let s = self
            .schedules
            .get(old)
            .ok_or_else(|| dangling("schedule"))?;
        let new = out
            .schedules
            .push(s.clone())
            .map_err(|_| dangling("schedule"))?;
        out.schedule_ix.insert(&s.id, new);
        map.0.push((old, new));
        Ok(new)
    }

    /// The schedules the employee's advances are recovered from, copied into `out` (after
    /// the contracts' own, which keep theirs).
    fn slice_advance_schedules(&self, emp: &Employee, out: &mut State) -> Result<Map<ScheduleIx>> {
        let mut map = Map(Vec::new());
        for a in emp.advances.iter().filter_map(|&a| self.advances.get(a)) {
            if let Some(r) = &a.recovery {
                self.copy_schedule(r.schedule, &mut map, out)?;
            }
        }
        Ok(map)
    }

    /// The employee's current shifts, renumbered in list order (so the list stays sorted
    /// by start, then index), each with its id, job, `custom_info`, breaks and tips.
    fn slice_shifts(
        &self,
        emp: &Employee,
        ix: EmployeeIx,
        contracts: &Map<ContractIx>,
        out: &mut State,
    ) -> Result<Vec<ShiftRec>> {
        let mut store = ShiftStore::default();
        store.reserve(emp.shifts.len());
        let mut list = Vec::with_capacity(emp.shifts.len());
        for r in &emp.shifts {
            let old = r.ix();
            let (job, at) = self.shifts.job(old);
            let new = store
                .push(self.shifts.id(old), Some(ix), job, at)
                .ok_or_else(|| dangling("shift"))?;
            if let Some(ci) = self.shifts.custom_info(old) {
                store.extra.insert(
                    new,
                    Extra {
                        custom_info: Some(Box::new(ci.clone())),
                        ..Extra::default()
                    },
                );
            }
            store.set_ext(new, self.shifts.ext(old).map(|x| x.to_ext()));
            let contract = contracts.link(r.contract, "contract")?;
            list.push(ShiftRec::new(new, r.status(), contract, r.start, r.stop));
        }
        out.shifts = store;
        Ok(list)
    }

    /// The employee's additions and deductions, in its lists' order.
    fn slice_payments(
        &self,
        emp: &Employee,
        ix: EmployeeIx,
        contracts: &Map<ContractIx>,
        out: &mut State,
    ) -> Result<(Few<PaymentIx>, Few<PaymentIx>)> {
        let copy = |p: &Payment| -> Result<Payment> {
            let mut p = p.clone();
            p.employee = Some(ix);
            p.contract = contracts.link(p.contract, "contract")?;
            Ok(p)
        };
        let additions = copy_payments(
            &emp.additions,
            (&self.additions, &mut out.additions, &mut out.addition_ix),
            "addition",
            copy,
        )?;
        let deductions = copy_payments(
            &emp.deductions,
            (&self.deductions, &mut out.deductions, &mut out.deduction_ix),
            "deduction",
            copy,
        )?;
        Ok((additions, deductions))
    }

    /// The employee's advance decisions, in recording order.
    fn slice_advances(
        &self,
        emp: &Employee,
        ix: EmployeeIx,
        schedules: &Map<ScheduleIx>,
        out: &mut State,
    ) -> Result<Few<AdvanceIx>> {
        let mut list = Few::with_capacity(emp.advances.len());
        for a in emp.advances.iter().filter_map(|&a| self.advances.get(a)) {
            let recovery = match &a.recovery {
                Some(r) => Some(RecoveryRef {
                    schedule: schedules
                        .get(r.schedule)
                        .ok_or_else(|| dangling("schedule"))?,
                    period_id: r.period_id.clone(),
                    pay_at: r.pay_at,
                }),
                None => None,
            };
            let copy = Advance {
                employee: Some(ix),
                recovery,
                ..a.clone()
            };
            let new = out.advances.push(copy).map_err(|_| dangling("advance"))?;
            out.advance_ix.insert(&a.id, new);
            list.push(new);
        }
        Ok(list)
    }

    /// The employee's leaves, in index order (as its list keeps them).
    fn slice_leaves(
        &self,
        emp: &Employee,
        ix: EmployeeIx,
        contracts: &Map<ContractIx>,
        out: &mut State,
    ) -> Result<Few<LeaveIx>> {
        let mut list = Few::with_capacity(emp.leaves.len());
        for l in emp.leaves.iter().filter_map(|&l| self.leaves.get(l)) {
            let copy = Leave {
                employee: ix,
                contract: contracts.link(l.contract, "contract")?,
                ..l.clone()
            };
            let new = out.leaves.push(copy).map_err(|_| dangling("leave"))?;
            out.leave_ix.insert(&l.id, new);
            list.push(new);
        }
        Ok(list)
    }
}
