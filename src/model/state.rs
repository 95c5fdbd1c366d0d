//! The stored state of one company (SPEC §2): every validated entity, the id indexes and the
//! job counter. Ingestion writes it, accrual and eligibility read it, and the `Twin` façade
//! owns it (with the caches derived from it).
//!
//! Layout for scale: entities live in arenas addressed by interned typed indexes
//! (`model::Arena`); each
//! employee keeps its shifts sorted by start and its payments and advances, so every
//! per-employee question touches only that employee's data.

use super::index::Index;
use super::shifts::ShiftStore;
use super::{Advance, AdvanceIx, Arena, Contract, ContractIx, Employee, EmployeeIx};
use super::{Leave, LeaveIx};
use super::{Payment, PaymentIx, Schedule, ScheduleIx, ShiftRec};
use crate::company::Company;
use crate::money::Currency;

/// One company's stored state (SPEC §2). Pure: every instant comes in as an argument.
#[derive(Clone, Debug)]
pub struct State {
    pub(crate) company: Company,
    pub(crate) schedules: Arena<ScheduleIx, Schedule>,
    pub(crate) schedule_ix: Index<ScheduleIx>,
    pub(crate) contracts: Arena<ContractIx, Contract>,
    pub(crate) contract_ix: Index<ContractIx>,
    pub(crate) employees: Arena<EmployeeIx, Employee>,
    pub(crate) employee_ix: Index<EmployeeIx>,
    /// Ids, employees, jobs and history of every shift (current records live with employees).
    pub(crate) shifts: ShiftStore,
    /// Current records of shifts without an employee, sorted by (start, index).
    pub(crate) open_shifts: Vec<ShiftRec>,
    pub(crate) additions: Arena<PaymentIx, Payment>,
    pub(crate) addition_ix: Index<PaymentIx>,
    pub(crate) deductions: Arena<PaymentIx, Payment>,
    pub(crate) deduction_ix: Index<PaymentIx>,
    pub(crate) advances: Arena<AdvanceIx, Advance>,
    pub(crate) advance_ix: Index<AdvanceIx>,
    /// Leaves (SPEC §2 leave), each in its employee's `leaves` list.
    pub(crate) leaves: Arena<LeaveIx, Leave>,
    pub(crate) leave_ix: Index<LeaveIx>,
    pub(crate) jobs: u64,
    /// Employees whose shift or leave lists changed since the owner last looked (not data):
    /// the façade drops what it derived from them (`Twin` after each batch).
    pub(crate) touched: Vec<EmployeeIx>,
    /// Employees whose data (anything of their slice, `State::slice`) changed since the
    /// owner last took the list (not data; may repeat): the store rewrites their slices.
    pub(crate) changed: Vec<EmployeeIx>,
}

impl PartialEq for State {
    /// Two states are equal when they hold the same data; the job counter is not data.
    fn eq(&self, o: &State) -> bool {
        self.company == o.company
            && self.schedules == o.schedules
            && self.contracts == o.contracts
            && self.employees == o.employees
            && self.shifts == o.shifts
            && self.open_shifts == o.open_shifts
            && self.additions == o.additions
            && self.deductions == o.deductions
            && self.advances == o.advances
            && self.leaves == o.leaves
    }
}

impl State {
    /// An empty state of `company`.
    pub(crate) fn new(company: Company) -> State {
        State {
            company,
            schedules: Arena::default(),
            schedule_ix: Index::default(),
            contracts: Arena::default(),
            contract_ix: Index::default(),
            employees: Arena::default(),
            employee_ix: Index::default(),
            shifts: ShiftStore::default(),
            open_shifts: Vec::new(),
            additions: Arena::default(),
            addition_ix: Index::default(),
            deductions: Arena::default(),
            deduction_ix: Index::default(),
            advances: Arena::default(),
            advance_ix: Index::default(),
            leaves: Arena::default(),
            leave_ix: Index::default(),
            jobs: 0,
            touched: Vec::new(),
            changed: Vec::new(),
        }
    }

    /// Notes that employee `ix`'s shift or leave list changed (see [`State::touched`]).
    pub(crate) fn touch(&mut self, ix: EmployeeIx) {
        if self.touched.last() != Some(&ix) {
            self.touched.push(ix);
        }
    }

    /// Notes employees whose data changed (see [`State::changed`]). The list stays within
    /// about twice the employees however long the twin lives without its owner taking it
    /// (a twin used without a store): past that it is sorted and deduplicated.
    pub(crate) fn note_changed(&mut self, ixs: impl IntoIterator<Item = EmployeeIx>) {
        self.changed.extend(ixs);
        if self.changed.len() > 2 * self.employees.len() + 64 {
            self.changed.sort_unstable();
            self.changed.dedup();
        }
    }

    /// The currency of an employee: that of its assignments' contracts (all share one).
    pub(crate) fn employee_currency(&self, e: &Employee) -> Option<Currency> {
        e.assignments
            .first()
            .and_then(|a| self.contracts.get(a.contract))
            .map(|c| c.currency)
    }

    /// The employee of id `id` with its index.
    pub(crate) fn employee(&self, id: &str) -> Option<(EmployeeIx, &Employee)> {
        let ix = self.employee_ix.get(id)?;
        self.employees.get(ix).map(|e| (ix, e))
    }

    /// The id of employee `ix` (none for `None`).
    pub(crate) fn employee_id_of(&self, ix: Option<EmployeeIx>) -> Option<String> {
        self.employees.get(ix?).map(|e| e.id.to_string())
    }

    /// The id of contract `ix` (none for `None`).
    pub(crate) fn contract_id_of(&self, ix: Option<ContractIx>) -> Option<String> {
        self.contracts.get(ix?).map(|c| c.id.to_string())
    }

    /// Whether a status is counted under the company policy.
    pub(crate) fn counted(&self, s: super::ShiftStatus) -> bool {
        self.company.policy.counts(s)
    }
}
