//! Shifts (SPEC §2 "shift"): contract resolution, assignment checks, counted-overlap
//! conflicts, and every version kept.

use super::fields::Rec;
use crate::calendar::Instant;
use crate::ingest::Outcome;
use crate::model::{ShiftRec, ShiftStatus, ShiftVersion, NONE};
use crate::twin::shifts::{self as store, Extra};
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

/// A shift record whose fields are valid one by one (SPEC §2), references resolved.
pub(crate) struct ParsedShift<'a> {
    pub id: &'a str,
    pub status: ShiftStatus,
    pub employee: u32,
    pub named_contract: Option<u32>,
    pub start: Instant,
    pub stop: Instant,
    pub custom_info: Option<Box<Map<String, Value>>>,
}

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
        self.apply_shift_parsed(
            ParsedShift {
                id,
                status,
                employee,
                named_contract,
                start,
                stop,
                custom_info,
            },
            received_at,
            job,
        )
    }

    /// The part of [`Twin::apply_shift`] after field validation (shared with the typed fast
    /// path of `apply_json`).
    pub(crate) fn apply_shift_parsed(
        &mut self,
        p: ParsedShift<'_>,
        received_at: Instant,
        job: u64,
    ) -> Applied {
        let hash = store::hash_id(p.id);
        let existing = self.shifts.get_hashed(p.id, hash);
        self.apply_shift_known(p, received_at, job, (hash, existing), None)
    }

    /// [`Twin::apply_shift_parsed`] with the id's hash and its index lookup done by the
    /// caller (`existing` must be `self.shifts.get(p.id)` as the store is now). With
    /// `pending`, a new shift's id enters the index only at
    /// [`ShiftStore::index_pending`](store::ShiftStore::index_pending).
    pub(crate) fn apply_shift_known(
        &mut self,
        p: ParsedShift<'_>,
        received_at: Instant,
        job: u64,
        (hash, existing): (u64, Option<u32>),
        pending: Option<&mut Vec<(u32, u64)>>,
    ) -> Applied {
        let ParsedShift {
            id,
            status,
            employee,
            named_contract,
            start,
            stop,
            custom_info,
        } = p;
        let counted = self.counted(status);
        let contract =
            self.resolve_shift_contract(employee, named_contract, start, stop, counted)?;
        let mut version = ShiftVersion {
            status,
            employee,
            contract,
            start,
            stop,
            custom_info,
            received_at,
            job,
        };
        if let Some(ix) = existing {
            if self.current_is(ix, &version) {
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
        let custom_info = version.custom_info.take();
        match existing {
            Some(ix) => {
                let Some(prev) = self.current_version(ix) else {
                    return Err(RecordError::field("shift_id", "index out of date"));
                };
                self.unindex_shift(prev.employee, prev.start, ix);
                self.index_shift(employee, ShiftRec::new(ix, status, contract, start, stop));
                if let Some(slot) = self.shifts.employee.get_mut(ix as usize) {
                    *slot = employee;
                }
                let x = self.shifts.extra.entry(ix).or_default();
                x.history.push(prev);
                x.custom_info = custom_info;
                x.job = Some((job, received_at));
                Ok(Outcome::Updated)
            }
            None => {
                let ix = next_index(&self.shifts.employee)?;
                let pushed = match pending {
                    Some(pending) => {
                        self.shifts
                            .push_pending(id, hash, employee, job, received_at, pending)
                    }
                    None => self
                        .shifts
                        .push_hashed(id, hash, employee, job, received_at),
                };
                let Some(ix) = pushed.filter(|i| *i == ix) else {
                    return Err(RecordError::field(
                        "record",
                        "the twin holds the maximum number of shifts (536,870,911)",
                    ));
                };
                if custom_info.is_some() {
                    self.shifts.extra.insert(
                        ix,
                        Extra {
                            custom_info,
                            ..Extra::default()
                        },
                    );
                }
                self.index_shift(employee, ShiftRec::new(ix, status, contract, start, stop));
                Ok(Outcome::Created)
            }
        }
    }

    /// The list of current records of `employee` (`NONE`: the open slots).
    fn shift_list(&self, employee: u32) -> &[ShiftRec] {
        if employee == NONE {
            return &self.open_shifts;
        }
        self.employees
            .get(employee as usize)
            .map_or(&[], |e| &e.shifts)
    }

    /// Every change to an employee's shift list goes through here, so it also drops that
    /// employee's overtime classification, which reads the list (decision 36).
    fn shift_list_mut(&mut self, employee: u32) -> Option<&mut Vec<ShiftRec>> {
        if employee == NONE {
            return Some(&mut self.open_shifts);
        }
        self.forget_premiums(employee);
        self.employees
            .get_mut(employee as usize)
            .map(|e| &mut e.shifts)
    }

    /// The current version of shift `ix`, rebuilt from its record and the store.
    pub(crate) fn current_version(&self, ix: u32) -> Option<ShiftVersion> {
        let employee = *self.shifts.employee.get(ix as usize)?;
        let list = self.shift_list(employee);
        let rec = list.iter().find(|r| r.ix() == ix)?;
        Some(store::version(&self.shifts, employee, rec))
    }

    /// Whether shift `ix`'s current version equals `v` in every pushed field (the receipt
    /// time and job do not count). Looks the record up by `v`'s start first: a re-push of
    /// an unchanged shift (a daily full sync) costs one binary search.
    fn current_is(&self, ix: u32, v: &ShiftVersion) -> bool {
        let Some(&employee) = self.shifts.employee.get(ix as usize) else {
            return false;
        };
        if employee != v.employee {
            return false;
        }
        let Some(r) = store::find(self.shift_list(employee), v.start, ix) else {
            return false;
        };
        r.status() == v.status
            && r.contract == v.contract
            && r.start == v.start
            && r.stop == v.stop
            && self.shifts.custom_info(ix) == v.custom_info.as_deref()
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
        if counted && !assignment.stints.iter().any(|s| s.overlaps(start, stop)) {
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
        let lo = emp.shifts.partition_point(|r| r.start < from);
        emp.shifts
            .get(lo..)?
            .iter()
            .filter(|r| Some(r.ix()) != me)
            .take_while(|r| r.start < stop)
            .find(|r| self.counted(r.status()) && r.stop > start)
            .map(|r| self.shifts.id(r.ix()).to_string())
    }

    /// The longest shift the twin may hold (the limit, or longer shifts from a looser limit).
    fn max_shift_micros(&self) -> i64 {
        self.company.limits.shift_micros_max()
    }

    fn index_shift(&mut self, employee: u32, rec: ShiftRec) {
        if let Some(list) = self.shift_list_mut(employee) {
            store::insert(list, rec);
        }
    }

    fn unindex_shift(&mut self, employee: u32, start: Instant, ix: u32) {
        if let Some(list) = self.shift_list_mut(employee) {
            store::remove(list, start, ix);
        }
    }
}
