//! Shifts (SPEC §2 "shift"): contract resolution, assignment checks, counted-overlap
//! conflicts, and every version kept.

use super::fields::Rec;
use crate::calendar::Instant;
use crate::ingest::Outcome;
use crate::model::{Shift, ShiftStatus, ShiftVersion, NONE};
use crate::twin::{next_index, Applied, RecordError, Twin};
use serde_json::{Map, Value};

const FIELDS: &[&str] = &[
    "shift_id",
    "shift_status",
    "employee_id",
    "contract_id",
    "start_at",
    "stop_at",
    "custom_info",
];
const STATUSES: &str =
    "available, scheduled, declined, voided, no_show, submitted, provisionally_approved, approved";

impl Twin {
    pub(crate) fn apply_shift(
        &mut self,
        obj: &Map<String, Value>,
        received_at: Instant,
        job: u64,
    ) -> Applied {
        let tz = self.company.timezone;
        let limits = self.company.limits.clone();
        let mut r = Rec::new(obj, &limits, FIELDS);
        let id = r.id("shift_id");
        let status = r
            .enumeration("shift_status", true, ShiftStatus::parse, STATUSES)
            .ok()
            .flatten();
        let start = r.instant("start_at", tz, true).ok().flatten();
        let stop = r.instant("stop_at", tz, true).ok().flatten();
        if let (Some(s), Some(e)) = (start, stop) {
            let len = e.as_micros().saturating_sub(s.as_micros());
            if s >= e {
                r.err("stop_at", format!("must be after start_at ({e} <= {s})"));
            } else if len > limits.shift_micros_max() {
                r.err(
                    "stop_at",
                    format!(
                        "the shift lasts longer than {} hours (shift_hours_max)",
                        limits.shift_hours_max
                    ),
                );
            }
        }
        let employee = match r.opt_id("employee_id") {
            Ok(Some(e)) => match self.employee_ix.get(e) {
                Some(ix) => ix,
                None => {
                    r.err("employee_id", format!("unknown employee `{e}`"));
                    NONE
                }
            },
            _ => NONE,
        };
        let named_contract = match r.opt_id("contract_id") {
            Ok(Some(c)) => match self.contract_ix.get(c) {
                Some(ix) => Some(ix),
                None => {
                    r.err("contract_id", format!("unknown contract `{c}`"));
                    None
                }
            },
            _ => None,
        };
        let custom_info = r.custom_info().ok().flatten().cloned().map(Box::new);
        if !r.ok() {
            return Err(RecordError::rejected(r.errors));
        }
        let (Some(id), Some(status), Some(start), Some(stop)) = (id, status, start, stop) else {
            return Err(RecordError::rejected(r.errors));
        };
        let counted = self.counted(status);
        let contract =
            self.resolve_shift_contract(employee, named_contract, start, stop, counted)?;
        let version = ShiftVersion {
            status,
            employee,
            contract,
            start,
            stop,
            custom_info,
            received_at,
            job,
        };
        let existing = self.shift_ix.get(id);
        if let Some(old) = existing.and_then(|ix| self.shifts.get(ix as usize)) {
            if same_version(&old.current, &version) {
                return Ok(Outcome::Unchanged);
            }
        }
        if counted && employee != NONE {
            if let Some(other) = self.overlapping_counted(employee, existing, start, stop) {
                return Err(RecordError {
                    errors: vec![crate::ingest::FieldError {
                        field: "start_at".into(),
                        message: format!(
                            "overlaps counted shift `{other}` of the same employee: time is never paid twice"
                        ),
                    }],
                    conflict: true,
                    conflicts_with: Some(other),
                });
            }
        }
        match existing {
            Some(ix) => {
                let Some(shift) = self.shifts.get_mut(ix as usize) else {
                    return Err(RecordError::field("shift_id", "index out of date"));
                };
                let old_emp = shift.current.employee;
                let prev = std::mem::replace(&mut shift.current, version);
                shift.history.push(prev);
                self.unindex_shift(old_emp, ix);
                self.index_shift(employee, ix, start);
                Ok(Outcome::Updated)
            }
            None => {
                let ix = next_index(&self.shifts)?;
                self.shift_ix.insert(id, ix);
                self.shifts.push(Shift {
                    id: id.into(),
                    current: version,
                    history: Vec::new(),
                });
                self.index_shift(employee, ix, start);
                Ok(Outcome::Created)
            }
        }
    }

    /// SPEC §2: with an employee, the contract is the one named (which the employee must be
    /// assigned to) or the single assignment active at `start_at`; a counted shift must
    /// overlap that assignment's active interval.
    fn resolve_shift_contract(
        &self,
        employee: u32,
        named: Option<u32>,
        start: Instant,
        stop: Instant,
        counted: bool,
    ) -> Result<u32, RecordError> {
        let Some(emp) = self.employees.get(employee as usize) else {
            return Ok(named.unwrap_or(NONE));
        };
        let assignment = match named {
            Some(c) => emp
                .assignments
                .iter()
                .find(|a| a.contract == c)
                .ok_or_else(|| {
                    RecordError::field(
                        "contract_id",
                        format!(
                            "employee `{}` is not assigned to contract `{}`",
                            emp.id,
                            self.contract_id_of(c).unwrap_or_default()
                        ),
                    )
                })?,
            None => {
                let mut active = emp.assignments.iter().filter(|a| a.active_at(start));
                match (active.next(), active.next()) {
                    (Some(a), None) => a,
                    (None, _) => {
                        return Err(RecordError::field(
                            "contract_id",
                            format!("employee `{}` has no assignment active at {start}; name the contract", emp.id),
                        ))
                    }
                    (Some(_), Some(_)) => {
                        return Err(RecordError::field(
                            "contract_id",
                            format!("employee `{}` has several assignments active at {start}; name the contract", emp.id),
                        ))
                    }
                }
            }
        };
        if counted
            && !assignment
                .stints
                .iter()
                .any(|s| s.start < stop && start < s.end)
        {
            return Err(RecordError::field(
                "start_at",
                format!(
                    "the shift [{start}, {stop}) lies outside the employee's assignment to contract `{}`",
                    self.contract_id_of(assignment.contract).unwrap_or_default()
                ),
            ));
        }
        Ok(assignment.contract)
    }

    /// The earliest-starting counted shift of `employee` overlapping `[start, stop)`, other
    /// than shift `me`. Counted shifts never overlap each other and last at most
    /// `shift_hours_max`, so only shifts starting after `start - max` need a look.
    fn overlapping_counted(
        &self,
        employee: u32,
        me: Option<u32>,
        start: Instant,
        stop: Instant,
    ) -> Option<String> {
        let emp = self.employees.get(employee as usize)?;
        let from = Instant::from_micros(start.as_micros().saturating_sub(self.max_shift_micros()));
        let lo = emp.shifts.partition_point(|&s| {
            self.shifts
                .get(s as usize)
                .is_some_and(|x| x.current.start < from)
        });
        emp.shifts
            .get(lo..)?
            .iter()
            .filter(|&&s| Some(s) != me)
            .filter_map(|&s| self.shifts.get(s as usize))
            .take_while(|x| x.current.start < stop)
            .find(|x| self.counted(x.current.status) && x.current.stop > start)
            .map(|x| x.id.to_string())
    }

    /// The longest shift the twin may hold (the limit, or longer shifts from a looser limit).
    fn max_shift_micros(&self) -> i64 {
        self.company.limits.shift_micros_max()
    }

    pub(crate) fn index_shift(&mut self, employee: u32, ix: u32, start: Instant) {
        let shifts = &self.shifts;
        if let Some(emp) = self.employees.get_mut(employee as usize) {
            let key = |s: u32| {
                (
                    shifts
                        .get(s as usize)
                        .map_or(Instant::MAX, |x| x.current.start),
                    s,
                )
            };
            let at = emp.shifts.partition_point(|&s| key(s) < (start, ix));
            emp.shifts.insert(at, ix);
        }
    }

    fn unindex_shift(&mut self, employee: u32, ix: u32) {
        if let Some(emp) = self.employees.get_mut(employee as usize) {
            emp.shifts.retain(|&s| s != ix);
        }
    }
}

/// Equal in every pushed field (the receipt time and job do not count).
fn same_version(a: &ShiftVersion, b: &ShiftVersion) -> bool {
    a.status == b.status
        && a.employee == b.employee
        && a.contract == b.contract
        && a.start == b.start
        && a.stop == b.stop
        && a.custom_info == b.custom_info
}
