//! The digital twin: the façade over one company's stored state (`model::State`) and the
//! values derived from it (`accrual::Books`): `apply(kind, records, received_at) ->
//! JobReport` (SPEC §3), the accrual and eligibility questions, advances, history, the
//! binary snapshot and `check_invariants`. The rules live below it (`ingest`, `accrual`,
//! `eligibility`); this module only routes, and drops derived values as batches change
//! the data they come from.

mod api;
mod history;
pub(crate) mod invariants;
mod snapshot;
mod views;

pub use history::{BreakView, ShiftVersionView};
#[cfg(test)]
pub(crate) use snapshot::{checksum as snapshot_checksum, same_shift_jobs};
pub(crate) use snapshot::{frame_checksum, read as read_snapshot, FrameSource};

use crate::accrual::Books;
use crate::calendar::Instant;
use crate::company::Company;
use crate::error::Result;
use crate::ingest::report::{JobReport, Kind, Outcome, RecordResult};
use crate::ingest::Record;
use crate::model::{ContractIx, EmployeeIx, ShiftRec, State};
use serde_json::Value;

/// One company's digital twin (SPEC §2). Pure: every instant comes in as an argument.
#[derive(Clone, Debug, PartialEq)]
pub struct Twin {
    /// The stored state with the caches derived from it (equality compares the state).
    pub(crate) books: Books,
}

impl Twin {
    /// An empty twin of `company`.
    pub fn new(company: Company) -> Twin {
        Twin {
            books: Books::new(State::new(company)),
        }
    }

    /// The company this twin holds.
    pub fn company(&self) -> &Company {
        &self.books.company
    }

    /// How many employees, shifts, ... the twin holds.
    pub fn counts(&self) -> TwinCounts {
        let s = &self.books.state;
        TwinCounts {
            pay_schedules: s.schedules.len(),
            contracts: s.contracts.len(),
            employees: s.employees.len(),
            shifts: s.shifts.len(),
            additions: s.additions.len(),
            deductions: s.deductions.len(),
            advances: s.advances.len(),
        }
    }

    /// Every employee id, sorted.
    pub fn employee_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.books.employees.iter().map(|e| &*e.id).collect();
        ids.sort_unstable();
        ids
    }

    /// Bytes the twin spends on shifts (an accounting of its own structures, not RSS): the
    /// 24-byte current records in every list (by capacity), ids, the id index and the
    /// per-shift side data. Used by the bench (issue #5: ≤ 64 bytes per shift).
    pub fn shift_storage_bytes(&self) -> usize {
        let s = &self.books.state;
        let rec = std::mem::size_of::<ShiftRec>();
        let lists: usize = s
            .employees
            .iter()
            .map(|e| e.shifts.capacity() * rec)
            .sum::<usize>()
            + s.open_shifts.capacity() * rec;
        lists + s.shifts.heap_bytes()
    }

    /// Bytes the twin's derived caches hold now (an accounting, not RSS): the employee
    /// order, the local clock's tables and the overtime classification of every employee
    /// asked about so far. They are filled by queries and dropped by ingestion.
    pub fn cache_bytes(&self) -> usize {
        self.books.cache.bytes()
    }

    /// The number of jobs applied so far (the last `job_id`'s sequence number).
    pub fn job_count(&self) -> u64 {
        self.books.jobs
    }

    /// Applies a batch of `kind` records received at `received_at` (SPEC §3).
    ///
    /// Records are applied one by one in batch order, each atomically; the report has one
    /// result per record. Copies of one key in the batch collapse when identical and are all
    /// `conflict` when they differ. Shift records are read into [`crate::Shift`] and take the
    /// one loop that [`Twin::apply_records`] (typed records) and [`Twin::apply_json`] take.
    ///
    /// # Errors
    /// [`Error::BatchRefused`] when the batch has more than `batch_records_max` records or an
    /// element is not a JSON object; nothing is applied then.
    pub fn apply(
        &mut self,
        kind: Kind,
        records: &[Value],
        received_at: Instant,
    ) -> Result<JobReport> {
        let report = self.books.state.apply(kind, records, received_at);
        self.settle(kind, report)
    }

    /// Parses `bytes` as a JSON array of objects and applies it (SPEC §3, §7).
    ///
    /// # Errors
    /// [`Error::BatchRefused`] when the bytes exceed `batch_bytes_max`, are not JSON, or are
    /// not an array of objects; nothing is applied then.
    pub fn apply_json(
        &mut self,
        kind: Kind,
        bytes: &[u8],
        received_at: Instant,
    ) -> Result<JobReport> {
        let report = self.books.state.apply_json(kind, bytes, received_at);
        self.settle(kind, report)
    }

    /// [`Twin::apply_json`] without the size check: the store replays a journaled batch
    /// with it (its size was checked when it was accepted; a batch journaled by
    /// [`Store::apply`](crate::Store::apply) is its records re-serialized, which may be
    /// longer than what was received).
    pub(crate) fn apply_json_unbounded(
        &mut self,
        kind: Kind,
        bytes: &[u8],
        received_at: Instant,
    ) -> Result<JobReport> {
        let report = self
            .books
            .state
            .apply_json_unbounded(kind, bytes, received_at);
        self.settle(kind, report)
    }

    /// Applies a batch of typed records received at `received_at`: the same job as
    /// [`Twin::apply`] with their JSON form (SPEC §3). In-batch copies compare as records.
    ///
    /// # Errors
    /// [`crate::Error::BatchRefused`] when the batch has more than `batch_records_max`
    /// records; nothing is applied then.
    pub fn apply_records<R: Record>(
        &mut self,
        records: &[R],
        received_at: Instant,
    ) -> Result<JobReport> {
        let report = R::apply_to(&mut self.books.state, records, received_at);
        self.settle(R::KIND, report)
    }

    /// After a batch: drops the derived values that its changes make stale (what the batch
    /// changed: its report; whose shifts or leaves changed: the state's touched list).
    fn settle(&mut self, kind: Kind, report: Result<JobReport>) -> Result<JobReport> {
        let touched = std::mem::take(&mut self.books.state.touched);
        for &ix in &touched {
            self.books.forget_premiums(ix);
        }
        self.books.state.note_changed(touched);
        if let Ok(r) = &report {
            self.invalidate(kind, &r.results);
            self.note_changed(kind, &r.results);
        }
        report
    }

    /// Notes in `State::changed` every employee whose slice a batch of `kind` changed
    /// (besides those whose shift or leave lists changed, noted as they changed: every
    /// created or updated shift and stored leave): the current owner of each created or
    /// updated payment (its earlier owner is noted as it moves), each created or updated employee, and every employee assigned
    /// to a created or updated contract, or to a contract of such a schedule.
    fn note_changed(&mut self, kind: Kind, results: &[RecordResult]) {
        let s = &self.books.state;
        let keys = results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Created | Outcome::Updated))
            .filter_map(|r| r.key.as_deref());
        let mut out: Vec<EmployeeIx> = Vec::new();
        match kind {
            Kind::Additions => out.extend(
                keys.filter_map(|k| s.addition_ix.get(k))
                    .filter_map(|p| s.additions.get(p).and_then(|p| p.employee)),
            ),
            Kind::Deductions => out.extend(
                keys.filter_map(|k| s.deduction_ix.get(k))
                    .filter_map(|p| s.deductions.get(p).and_then(|p| p.employee)),
            ),
            Kind::Employees => out.extend(keys.filter_map(|k| s.employee_ix.get(k))),
            // Sorted sets: a batch of many contracts costs a search per assignment, not a scan.
            Kind::Contracts => {
                let set = sorted(keys.filter_map(|k| s.contract_ix.get(k)));
                out.extend(employees_on(s, |c| set.binary_search(&c).is_ok()));
            }
            Kind::PaySchedules => {
                let set = sorted(keys.filter_map(|k| s.schedule_ix.get(k)));
                let on = |c: ContractIx| {
                    (s.contracts.get(c)).is_some_and(|c| set.binary_search(&c.schedule).is_ok())
                };
                out.extend(employees_on(s, on));
            }
            // Every created or updated shift enters its owner's list (and leaves its earlier
            // owner's), and every stored leave touches its employees: `State::touch`.
            Kind::Shifts | Kind::Leaves => {}
        }
        self.books.state.note_changed(out);
    }

    /// The employees of the twin whose data changed since the last call (each once, in
    /// index order), as [`State::changed`] noted them; the list starts again empty.
    pub(crate) fn take_changed(&mut self) -> Vec<EmployeeIx> {
        sorted(std::mem::take(&mut self.books.state.changed).into_iter())
    }

    /// Drops the caches that a batch of `kind` fed by `results` changes (shifts: see
    /// `Books::forget_premiums`). A batch that changed nothing (every record unchanged or
    /// refused) keeps them all; an employees batch drops only its employees' entries
    /// (issue #16: an HR sync of one employee no longer costs every employee's
    /// classification).
    fn invalidate(&mut self, kind: Kind, results: &[RecordResult]) {
        let changed = |r: &&RecordResult| matches!(r.outcome, Outcome::Created | Outcome::Updated);
        if !results.iter().any(|r| changed(&r)) {
            return;
        }
        // Overtime classification reads shifts (dropped per employee as their lists
        // change), assignments, contracts' rules and rates, and (through the local clock)
        // the schedules' periods.
        match kind {
            Kind::PaySchedules | Kind::Contracts => {
                self.books.forget_derived();
            }
            Kind::Employees => {
                if results.iter().any(|r| r.outcome == Outcome::Created) {
                    self.books.employees_created();
                }
                for r in results.iter().filter(changed) {
                    if let Some(ix) = r
                        .key
                        .as_deref()
                        .and_then(|id| self.books.employee_ix.get(id))
                    {
                        self.books.forget_premiums(ix);
                    }
                }
            }
            // Leaves drop their employees' classifications as they are stored
            // (`State::store_leave`, noted in `State::touched`).
            Kind::Leaves | Kind::Shifts | Kind::Additions | Kind::Deductions => {}
        }
    }
}

/// The indexes, sorted and each once.
fn sorted<I: Ord>(ixs: impl Iterator<Item = I>) -> Vec<I> {
    let mut v: Vec<I> = ixs.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Every employee with an assignment to a contract that `on` selects.
fn employees_on(s: &State, on: impl Fn(ContractIx) -> bool) -> Vec<EmployeeIx> {
    s.employees
        .iter_enumerated()
        .filter(|(_, e)| e.assignments.iter().any(|a| on(a.contract)))
        .map(|(ix, _)| ix)
        .collect()
}

/// Entity counts of a twin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TwinCounts {
    /// Pay schedules.
    pub pay_schedules: usize,
    /// Contracts.
    pub contracts: usize,
    /// Employees.
    pub employees: usize,
    /// Shifts (each counted once, whatever its versions).
    pub shifts: usize,
    /// Additions.
    pub additions: usize,
    /// Deductions.
    pub deductions: usize,
    /// Advances recorded (accepted and refused).
    pub advances: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A twin used without a store never has its changed list taken: it stays bounded.
    #[test]
    fn the_changed_list_stays_bounded_without_a_store() {
        use serde_json::json;
        let at = crate::calendar::parse_instant(chrono_tz::UTC, "2026-06-01T00:00:00Z").unwrap();
        let mut twin = Twin::new(Company::new("c", chrono_tz::UTC));
        let push = |twin: &mut Twin, kind: Kind, v: Value| {
            let r = twin.apply(kind, &[v], at).unwrap();
            assert_eq!(r.count_accepted, 1, "{r:?}");
        };
        push(
            &mut twin,
            Kind::PaySchedules,
            json!({"pay_schedule_id": "m", "frequency": "monthly",
            "periods": [{"pay_period_id": "p", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]}),
        );
        push(
            &mut twin,
            Kind::Contracts,
            json!({"contract_id": "h", "pay_schedule_id": "m",
            "currency": "EUR", "wage_rate_period": "hourly", "wage_rate_amount": 2000}),
        );
        push(
            &mut twin,
            Kind::Employees,
            json!({"employee_id": "e1", "contract_id": "h"}),
        );
        for k in 0..300 {
            let start = format!("2026-06-01T{:02}:{:02}:00Z", k / 60, k % 60);
            let stop = format!("2026-06-01T{:02}:{:02}:30Z", k / 60, k % 60);
            push(
                &mut twin,
                Kind::Shifts,
                json!({"shift_id": format!("s{k}"), "shift_status": "approved",
                "employee_id": "e1", "start_at": start, "stop_at": stop}),
            );
            assert!(twin.books.state.changed.len() <= 2 + 64 + 1);
        }
        assert_eq!(twin.take_changed().len(), 1);
        assert!(twin.take_changed().is_empty());
    }

    #[test]
    fn twin_and_error_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Twin>();
        check::<crate::Error>();
    }
}
