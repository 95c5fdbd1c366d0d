//! Canonical export of a twin, for the store's snapshots (issue #4).
//!
//! [`Twin::export_ops`] turns the twin's state into operations that rebuild it: canonical
//! batches (schedules, contracts with one record per rate version, employees with their
//! stints, every shift version in the job that pushed it, payments) and one record per
//! advance decision. Replaying them through [`Twin::apply`] and [`Twin::restore_advance`]
//! re-validates every value through the same constructors as ingestion. The store checks
//! that the replay yields an equal twin before it trusts a snapshot (and keeps the journal
//! itself otherwise), so a state that this export cannot express is never lost.

use super::Twin;
use crate::calendar::Instant;
use crate::eligibility::fee_of;
use crate::error::{Error, Result};
use crate::ingest::Kind;
use crate::model::{Advance, Delivery, Employee, Payment, Reason, RecoveryRef, ShiftVersion, NONE};
use serde_json::{json, Map, Value};

/// One canonical batch: `records` of `kind` received at `received_at`, applied as job
/// `job` when it is given (shift versions keep the job that pushed them).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Batch {
    pub kind: Kind,
    pub records: Vec<Value>,
    pub received_at: Instant,
    pub job: Option<u64>,
}

/// One operation of a canonical snapshot.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SnapshotOp {
    /// A batch for [`Twin::apply`].
    Batch(Batch),
    /// An advance decision for [`Twin::restore_advance`].
    Advance(Value),
}

/// Every reason code, for reading advance records back; `reason_slot` keeps it complete.
pub(super) const REASONS: [Reason; 18] = crate::model::ALL_REASONS;

/// The position of a reason in [`REASONS`]; an exhaustive match, so that a new reason
/// code does not compile until it is listed there.
#[cfg(test)]
fn reason_slot(r: Reason) -> usize {
    match r {
        Reason::UnknownEmployee => 0,
        Reason::NoActiveAssignment => 1,
        Reason::EmploymentEnded => 2,
        Reason::TenureTooShort => 3,
        Reason::NoUnpaidPeriod => 4,
        Reason::Blackout => 5,
        Reason::NegativeBalance => 6,
        Reason::NothingAccrued => 7,
        Reason::HeadroomUsed => 8,
        Reason::FeeExceedsHeadroom => 9,
        Reason::PeriodCapReached => 10,
        Reason::AdvanceCountReached => 11,
        Reason::BelowMinimum => 12,
        Reason::ExceedsAvailable => 13,
        Reason::InvalidAmount => 14,
        Reason::AdvanceIdReused => 15,
        Reason::UnknownAdvance => 16,
        Reason::NotCancellable => 17,
    }
}

fn parse_reason(s: &str) -> Option<Reason> {
    REASONS.into_iter().find(|r| r.as_str() == s)
}

/// Splits `records` into batches of at most `chunk` records.
fn push_chunks(
    out: &mut Vec<SnapshotOp>,
    kind: Kind,
    records: Vec<Value>,
    received_at: Instant,
    job: Option<u64>,
    chunk: usize,
) {
    let chunk = chunk.max(1);
    let mut rest = records;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(chunk));
        out.push(SnapshotOp::Batch(Batch {
            kind,
            records: rest,
            received_at,
            job,
        }));
        rest = tail;
    }
}

fn put(m: &mut Map<String, Value>, k: &str, v: impl Into<Value>) {
    m.insert(k.to_string(), v.into());
}

fn put_opt(m: &mut Map<String, Value>, k: &str, v: Option<&str>) {
    if let Some(v) = v {
        put(m, k, v);
    }
}

impl Twin {
    /// Sets the job counter (the store restores it after a snapshot's replay).
    pub(crate) fn set_job_count(&mut self, jobs: u64) {
        self.jobs = jobs;
    }

    /// Whether every shift version of `self` was pushed by the same job as in `other`
    /// (provenance that `PartialEq` may not compare).
    pub(crate) fn same_shift_jobs(&self, other: &Twin) -> bool {
        let n = self.shifts.len();
        n == other.shifts.len()
            && (0..n).all(|ix| {
                let jobs = |t: &Twin| {
                    u32::try_from(ix)
                        .map(|ix| {
                            t.shift_versions(ix)
                                .iter()
                                .map(|v| v.job)
                                .collect::<Vec<u64>>()
                        })
                        .unwrap_or_default()
                };
                jobs(self) == jobs(other)
            })
    }

    /// Every version of shift `ix`, oldest first, the current one last.
    fn shift_versions(&self, ix: u32) -> Vec<ShiftVersion> {
        let mut v: Vec<ShiftVersion> = self
            .shifts
            .extra
            .get(&ix)
            .map(|x| x.history.clone())
            .unwrap_or_default();
        v.extend(self.current_version(ix));
        v
    }

    /// The twin as canonical operations, in push order, batches of at most `chunk` records
    /// (see the module docs). Replaying them into `Twin::new(company)` yields an equal twin
    /// in every case the store has met; the store verifies it each time.
    pub(crate) fn export_ops(&self, chunk: usize) -> Vec<SnapshotOp> {
        let epoch = Instant::from_micros(0);
        let mut out = Vec::new();
        push_chunks(
            &mut out,
            Kind::PaySchedules,
            self.export_schedules(),
            epoch,
            None,
            chunk,
        );
        push_chunks(
            &mut out,
            Kind::Contracts,
            self.export_contracts(),
            epoch,
            None,
            chunk,
        );
        for round in self.export_employees() {
            push_chunks(&mut out, Kind::Employees, round, epoch, None, chunk);
        }
        for (job, received_at, records) in self.export_shifts() {
            push_chunks(
                &mut out,
                Kind::Shifts,
                records,
                received_at,
                Some(job),
                chunk,
            );
        }
        for (kind, list) in [
            (Kind::Additions, &self.additions),
            (Kind::Deductions, &self.deductions),
        ] {
            for (received_at, records) in self.export_payments(list) {
                push_chunks(&mut out, kind, records, received_at, None, chunk);
            }
        }
        out.extend(
            self.advances
                .iter()
                .map(|a| SnapshotOp::Advance(self.export_advance(a))),
        );
        out
    }

    fn export_schedules(&self) -> Vec<Value> {
        self.schedules
            .iter()
            .map(|s| {
                let mut m = Map::new();
                put(&mut m, "pay_schedule_id", &*s.id);
                put(&mut m, "frequency", s.frequency.as_str());
                put_opt(&mut m, "alignment", s.alignment.map(|a| a.as_str()));
                let periods: Vec<Value> = s
                    .periods
                    .iter()
                    .map(|p| {
                        json!({"pay_period_id": &*p.id, "start_at": p.start.to_string(),
                               "stop_at": p.stop.to_string(), "pay_at": p.pay_at.to_string()})
                    })
                    .collect();
                put(&mut m, "periods", periods);
                if let Some(ci) = &s.custom_info {
                    put(&mut m, "custom_info", Value::Object(ci.clone()));
                }
                Value::Object(m)
            })
            .collect()
    }

    /// One record per rate version; the first without `effective_from` when it is the
    /// version "for all time".
    fn export_contracts(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for c in &self.contracts {
            let schedule = self
                .schedules
                .get(c.schedule as usize)
                .map_or("", |s| &*s.id);
            for v in &c.versions {
                let mut m = Map::new();
                put(&mut m, "contract_id", &*c.id);
                put(&mut m, "pay_schedule_id", schedule);
                put(&mut m, "currency", c.currency.code());
                put(&mut m, "wage_rate_period", c.rate_period.as_str());
                put(&mut m, "wage_rate_amount", v.amount);
                if let Some(ci) = &c.custom_info {
                    put(&mut m, "custom_info", Value::Object(ci.clone()));
                }
                if v.from != Instant::MIN {
                    put(&mut m, "effective_from", v.from.to_string());
                }
                out.push(Value::Object(m));
            }
        }
        out
    }

    /// Rounds of employee records: round 0 creates every employee (profile, custom_info,
    /// the first stint of each assignment); round `r` re-hires the `r`-th stints.
    fn export_employees(&self) -> Vec<Vec<Value>> {
        let rounds = self
            .employees
            .iter()
            .flat_map(|e| e.assignments.iter().map(|a| a.stints.len()))
            .max()
            .unwrap_or(1)
            .max(1);
        let mut out: Vec<Vec<Value>> = vec![Vec::new(); rounds];
        for e in &self.employees {
            if let Some(first) = out.first_mut() {
                first.extend(self.employee_first_records(e));
            }
            for (r, slot) in out.iter_mut().enumerate().skip(1) {
                for a in &e.assignments {
                    if let Some(st) = a.stints.get(r) {
                        slot.push(self.stint_record(e, a.contract, st.start_on, st.stop_on));
                    }
                }
            }
        }
        out
    }

    fn employee_first_records(&self, e: &Employee) -> Vec<Value> {
        let mut m = Map::new();
        put(&mut m, "employee_id", &*e.id);
        let p = &e.profile;
        for (k, v) in [
            ("work_email", &p.work_email),
            ("personal_email", &p.personal_email),
            ("given_name", &p.given_name),
            ("family_name", &p.family_name),
            ("honorific", &p.honorific),
            ("work_phone", &p.work_phone),
            ("personal_phone", &p.personal_phone),
        ] {
            put_opt(&mut m, k, v.as_deref());
        }
        if !e.custom_info.is_empty() {
            put(&mut m, "custom_info", Value::Object(e.custom_info.clone()));
        }
        let mut firsts = e
            .assignments
            .iter()
            .filter_map(|a| a.stints.first().map(|s| (a.contract, s)));
        let mut out = Vec::new();
        if let Some((c, s)) = firsts.next() {
            put_opt(&mut m, "contract_id", self.contract_id_of(c).as_deref());
            put(
                &mut m,
                "contract_start_on",
                s.start_on.map(|d| d.to_string()),
            );
            put(&mut m, "contract_stop_on", s.stop_on.map(|d| d.to_string()));
        }
        out.push(Value::Object(m));
        out.extend(firsts.map(|(c, s)| self.stint_record(e, c, s.start_on, s.stop_on)));
        out
    }

    fn stint_record(
        &self,
        e: &Employee,
        contract: u32,
        start_on: Option<chrono::NaiveDate>,
        stop_on: Option<chrono::NaiveDate>,
    ) -> Value {
        json!({
            "employee_id": &*e.id,
            "contract_id": self.contract_id_of(contract),
            "contract_start_on": start_on.map(|d| d.to_string()),
            "contract_stop_on": stop_on.map(|d| d.to_string()),
        })
    }

    /// Every shift version, grouped by the job that pushed it, in job order; within a job
    /// by shift index (creation order).
    fn export_shifts(&self) -> Vec<(u64, Instant, Vec<Value>)> {
        let mut versions: Vec<(u64, u32, ShiftVersion)> = Vec::new();
        for ix in 0..self.shifts.len() {
            let Ok(ix) = u32::try_from(ix) else { break };
            for v in self.shift_versions(ix) {
                versions.push((v.job, ix, v));
            }
        }
        versions.sort_by_key(|(job, ix, _)| (*job, *ix));
        let mut out: Vec<(u64, Instant, Vec<Value>)> = Vec::new();
        for (job, ix, v) in versions {
            let rec = self.shift_record(self.shifts.id(ix), &v);
            match out.last_mut() {
                Some((j, _, recs)) if *j == job => recs.push(rec),
                _ => out.push((job, v.received_at, vec![rec])),
            }
        }
        out
    }

    fn shift_record(&self, id: &str, v: &ShiftVersion) -> Value {
        let mut m = Map::new();
        put(&mut m, "shift_id", id);
        put(&mut m, "shift_status", v.status.as_str());
        put_opt(
            &mut m,
            "employee_id",
            self.employee_id_of(v.employee).as_deref(),
        );
        put_opt(
            &mut m,
            "contract_id",
            self.contract_id_of(v.contract).as_deref(),
        );
        put(&mut m, "start_at", v.start.to_string());
        put(&mut m, "stop_at", v.stop.to_string());
        if let Some(ci) = &v.custom_info {
            put(&mut m, "custom_info", Value::Object((**ci).clone()));
        }
        Value::Object(m)
    }

    /// Payments in index order, consecutive ones with the same instant in one batch
    /// received at that instant (a payment without `effective_on` counts from it).
    fn export_payments(&self, list: &[Payment]) -> Vec<(Instant, Vec<Value>)> {
        let mut out: Vec<(Instant, Vec<Value>)> = Vec::new();
        for p in list {
            let mut m = Map::new();
            put(&mut m, "payment_id", &*p.id);
            put_opt(
                &mut m,
                "employee_id",
                self.employee_id_of(p.employee).as_deref(),
            );
            put_opt(
                &mut m,
                "contract_id",
                p.contract.and_then(|c| self.contract_id_of(c)).as_deref(),
            );
            put_opt(&mut m, "currency", p.currency.as_ref().map(|c| c.code()));
            put(&mut m, "amount", p.amount);
            put_opt(
                &mut m,
                "effective_on",
                p.effective_on.map(|d| d.to_string()).as_deref(),
            );
            if let Some(ci) = &p.custom_info {
                put(&mut m, "custom_info", Value::Object(ci.clone()));
            }
            let rec = Value::Object(m);
            match out.last_mut() {
                Some((at, recs)) if *at == p.instant => recs.push(rec),
                _ => out.push((p.instant, vec![rec])),
            }
        }
        out
    }

    fn export_advance(&self, a: &Advance) -> Value {
        let recovery = a.recovery.as_ref().map(|r| {
            json!({
                "pay_schedule_id": self.schedules.get(r.schedule as usize).map(|s| &*s.id),
                "pay_period_id": &*r.period_id,
                "pay_at": r.pay_at.as_micros(),
            })
        });
        json!({
            "advance_id": &*a.id,
            "employee_id": &*a.employee_id,
            "linked": a.employee != NONE,
            "amount": a.amount,
            "requested_at": a.requested_at.as_micros(),
            "delivery": a.delivery.as_str(),
            "accepted": a.accepted,
            "fee": a.fee,
            "recovery": recovery,
            "reasons": a.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "cancelled_at": a.cancelled_at.map(Instant::as_micros),
        })
    }

    /// Records an advance decision read back from a snapshot, after checking it against
    /// the SPEC §6 invariants of a recorded decision: a known recovery period, the policy's
    /// fee, reasons exactly when refused, a cancellation inside `[requested_at, pay_at)`.
    ///
    /// # Errors
    /// [`Error::Storage`] naming the advance and what is wrong.
    pub(crate) fn restore_advance(&mut self, v: &Value) -> Result<()> {
        let a = self.read_advance(v)?;
        let ix = super::next_index(&self.advances)
            .map_err(|_| bad_advance(&a.id, "too many advances"))?;
        if a.employee != NONE {
            if let Some(e) = self.employees.get_mut(a.employee as usize) {
                e.advances.push(ix);
            }
        }
        self.advance_ix.insert(&a.id, ix);
        self.advances.push(a);
        Ok(())
    }

    fn read_advance(&self, v: &Value) -> Result<Advance> {
        let o = v
            .as_object()
            .ok_or_else(|| bad_advance("?", "is not an object"))?;
        let s = |k: &str| o.get(k).and_then(Value::as_str);
        let id = s("advance_id").unwrap_or_default();
        let fail = |m: &str| bad_advance(id, m);
        let max = self.company.limits.id_chars_max;
        let ok_id = |x: &str| !x.is_empty() && x.chars().count() as u64 <= max;
        let employee_id = s("employee_id").unwrap_or_default();
        if !ok_id(id) || !ok_id(employee_id) {
            return Err(fail("has an invalid advance_id or employee_id"));
        }
        if self.advance_ix.get(id).is_some() {
            return Err(fail("appears twice"));
        }
        let int = |k: &str| {
            o.get(k)
                .and_then(Value::as_i64)
                .ok_or_else(|| fail(&format!("`{k}` is not an integer")))
        };
        let flag = |k: &str| {
            o.get(k)
                .and_then(Value::as_bool)
                .ok_or_else(|| fail(&format!("`{k}` is not a boolean")))
        };
        let employee = if flag("linked")? {
            self.employee_ix
                .get(employee_id)
                .ok_or_else(|| fail("names an unknown employee"))?
        } else {
            NONE
        };
        let amount = int("amount")?;
        let requested_at = Instant::from_micros(int("requested_at")?);
        let delivery = s("delivery")
            .and_then(Delivery::parse)
            .ok_or_else(|| fail("has an invalid delivery"))?;
        let accepted = flag("accepted")?;
        let fee = int("fee")?;
        let reasons = o
            .get("reasons")
            .and_then(Value::as_array)
            .ok_or_else(|| fail("`reasons` is not an array"))?
            .iter()
            .map(|r| {
                r.as_str()
                    .and_then(parse_reason)
                    .ok_or_else(|| fail("has an unknown reason code"))
            })
            .collect::<Result<Vec<Reason>>>()?;
        let cancelled_at = match o.get("cancelled_at") {
            None | Some(Value::Null) => None,
            Some(x) => Some(Instant::from_micros(
                x.as_i64()
                    .ok_or_else(|| fail("`cancelled_at` is not an integer"))?,
            )),
        };
        let recovery = match o.get("recovery") {
            None | Some(Value::Null) => None,
            Some(r) => Some(
                self.read_recovery(r)
                    .ok_or_else(|| fail("names an unknown recovery period"))?,
            ),
        };
        self.check_advance_decision(
            accepted,
            delivery,
            amount,
            fee,
            recovery.as_ref().map(|r| r.pay_at),
            reasons.is_empty(),
            requested_at,
            cancelled_at,
        )
        .map_err(fail)?;
        Ok(Advance {
            id: id.into(),
            employee_id: employee_id.into(),
            employee,
            amount,
            requested_at,
            delivery,
            accepted,
            fee,
            recovery,
            reasons,
            cancelled_at,
        })
    }

    fn read_recovery(&self, r: &Value) -> Option<RecoveryRef> {
        let schedule = self.schedule_ix.get(r.get("pay_schedule_id")?.as_str()?)?;
        let period_id = r.get("pay_period_id")?.as_str()?;
        self.schedules
            .get(schedule as usize)?
            .period_index(period_id)?;
        Some(RecoveryRef {
            schedule,
            period_id: period_id.into(),
            pay_at: Instant::from_micros(r.get("pay_at")?.as_i64()?),
        })
    }
}

fn bad_advance(id: &str, what: &str) -> Error {
    Error::Storage {
        message: format!("snapshot advance `{id}` {what}"),
    }
}

impl Twin {
    /// Whether a recorded advance decision is one the policy gives (SPEC §6): its fee, and
    /// accepted ⇔ a recovery period and no reason, cancelled only when accepted and in
    /// `[requested_at, recovery pay_at)`. Shared by the export reader and the binary
    /// snapshot decoder; the error is what is wrong, for the caller to name the advance.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_advance_decision(
        &self,
        accepted: bool,
        delivery: crate::model::Delivery,
        amount: i64,
        fee: i64,
        recovery_pay_at: Option<Instant>,
        no_reasons: bool,
        requested_at: Instant,
        cancelled_at: Option<Instant>,
    ) -> std::result::Result<(), &'static str> {
        let expected_fee = if accepted {
            fee_of(self.company.policy.fees.of(delivery), amount)
        } else {
            Some(0)
        };
        if expected_fee != Some(fee) {
            return Err("has a fee that the policy does not give");
        }
        let amount_ok = amount > 0 && amount <= self.company.limits.amount_max;
        let consistent = match (recovery_pay_at, accepted) {
            (Some(pay_at), true) => {
                amount_ok
                    && no_reasons
                    && cancelled_at.is_none_or(|c| requested_at <= c && c < pay_at)
            }
            (None, false) => !no_reasons && cancelled_at.is_none(),
            _ => false,
        };
        if consistent {
            Ok(())
        } else {
            Err("is not a consistent decision (accepted, recovery, reasons, cancellation)")
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_is_listed_once() {
        for (i, r) in REASONS.iter().enumerate() {
            assert_eq!(reason_slot(*r), i, "{r:?}");
            assert_eq!(parse_reason(r.as_str()), Some(*r));
        }
    }

    #[test]
    fn chunks_split_batches() {
        let mut out = Vec::new();
        let recs: Vec<Value> = (0..5).map(|i| json!({ "i": i })).collect();
        push_chunks(
            &mut out,
            Kind::Shifts,
            recs,
            Instant::from_micros(0),
            Some(3),
            2,
        );
        let sizes: Vec<usize> = out
            .iter()
            .map(|o| match o {
                SnapshotOp::Batch(b) => b.records.len(),
                SnapshotOp::Advance(_) => 0,
            })
            .collect();
        assert_eq!(sizes, [2, 2, 1]);
    }
}
