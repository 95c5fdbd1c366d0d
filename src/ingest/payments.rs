//! Additions and deductions (SPEC §2 "addition / deduction"): separate key spaces, the
//! employee's currency, an instant from `effective_on` or the batch's `received_at`.

use super::fields::{Field, Rec};
use super::plan::{full, Applied, RecordError};
use crate::calendar::Instant;
use crate::ingest::Outcome;
use crate::model::State;
use crate::model::{Arena, Index, PaymentIx};
use crate::model::{ContractIx, EmployeeIx, Payment};
use crate::money::Currency;
use serde_json::{Map, Value};

pub(super) const FIELDS: &[&str] = &[
    "payment_id",
    "employee_id",
    "contract_id",
    "currency",
    "amount",
    "custom_info",
    "effective_on",
    "in_regular_rate",
];

impl State {
    pub(crate) fn apply_payment(
        &mut self,
        deduction: bool,
        obj: &Map<String, Value>,
        received_at: Instant,
    ) -> Applied {
        let limits = self.company.limits.clone();
        let mut r = Rec::new(obj, &limits, FIELDS);
        let id = r.id("payment_id");
        let (employee, contract) = self.read_payment_refs(&mut r);
        let currency = r
            .enumeration(
                "currency",
                false,
                Currency::parse,
                "an active ISO 4217 code such as EUR",
            )
            .ok()
            .flatten();
        let amount = r.amount("amount", 0);
        let effective_on = r.date("effective_on").ok().flatten().flatten();
        let custom_info = r.custom_info().ok().flatten().cloned();
        let in_regular_rate = read_in_regular_rate(&mut r, deduction);
        if !r.ok() {
            return Err(RecordError::rejected(r.errors));
        }
        let (Some(id), Some(employee), Some(amount)) = (id, employee, amount) else {
            return Err(RecordError::rejected(r.errors));
        };
        self.check_payment_currency(employee, contract, currency)?;
        let (store, index) = self.payments(deduction);
        let existing = index.get(id);
        let old = existing.and_then(|ix| store.get(ix));
        // decisions.md: without `effective_on` the instant is the first push's received_at.
        let instant = match (effective_on, old) {
            (Some(d), _) => self.company.midnight(d),
            (None, Some(o)) if o.effective_on.is_none() => o.instant,
            (None, _) => received_at,
        };
        let p = Payment {
            id: id.into(),
            employee: Some(employee),
            contract,
            currency,
            amount,
            effective_on,
            instant,
            custom_info,
            in_regular_rate,
        };
        let old_employee = old.and_then(|o| o.employee);
        if old.is_some_and(|o| *o == p) {
            return Ok(Outcome::Unchanged);
        }
        let (ix, outcome) = self.store_payment(deduction, existing, id, p)?;
        if old_employee != Some(employee) {
            self.relink_payment(deduction, ix, old_employee, employee);
        }
        Ok(outcome)
    }

    /// Resolves `employee_id` (required) and `contract_id` (optional) to indexes (SPEC §2).
    fn read_payment_refs(&self, r: &mut Rec<'_>) -> (Option<EmployeeIx>, Option<ContractIx>) {
        let employee = r.id("employee_id").and_then(|e| {
            let ix = self.employee_ix.get(e);
            if ix.is_none() {
                r.err("employee_id", format!("unknown employee `{e}`"));
            }
            ix
        });
        let contract = self.contract_ref(r);
        (employee, contract)
    }

    /// `currency`, when given, must equal the employee's currency (SPEC §2 addition / deduction).
    fn check_payment_currency(
        &self,
        employee: EmployeeIx,
        contract: Option<ContractIx>,
        currency: Option<Currency>,
    ) -> Result<(), RecordError> {
        // SPEC §2: `currency`, when given, must equal the employee's currency.
        let emp_currency = self
            .employees
            .get(employee)
            .and_then(|e| self.employee_currency(e))
            .or_else(|| {
                contract
                    .and_then(|c| self.contracts.get(c))
                    .map(|c| c.currency)
            });
        if let (Some(c), Some(ec)) = (currency, emp_currency) {
            if c != ec {
                return Err(RecordError::field(
                    "currency",
                    format!("{c} differs from the employee's currency {ec}"),
                ));
            }
        }
        Ok(())
    }

    /// The key space of deductions or of additions: store and index (SPEC §2).
    fn payments(&self, deduction: bool) -> (&Arena<PaymentIx, Payment>, &Index<PaymentIx>) {
        if deduction {
            (&self.deductions, &self.deduction_ix)
        } else {
            (&self.additions, &self.addition_ix)
        }
    }

    /// Replaces payment `existing` or appends a new one; its index and outcome (SPEC §3).
    fn store_payment(
        &mut self,
        deduction: bool,
        existing: Option<PaymentIx>,
        id: &str,
        p: Payment,
    ) -> Result<(PaymentIx, Outcome), RecordError> {
        let (store, index) = if deduction {
            (&mut self.deductions, &mut self.deduction_ix)
        } else {
            (&mut self.additions, &mut self.addition_ix)
        };
        Ok(match existing {
            Some(ix) => {
                if let Some(slot) = store.get_mut(ix) {
                    *slot = p;
                }
                (ix, Outcome::Updated)
            }
            None => {
                let ix = store.push(p).map_err(full)?;
                index.insert(id, ix);
                (ix, Outcome::Created)
            }
        })
    }

    /// Moves payment `ix` from its old employee's list to `employee`'s (SPEC §2).
    fn relink_payment(
        &mut self,
        deduction: bool,
        ix: PaymentIx,
        old_employee: Option<EmployeeIx>,
        employee: EmployeeIx,
    ) {
        self.note_changed(old_employee);
        if let Some(e) = old_employee.and_then(|e| self.employees.get_mut(e)) {
            let list = if deduction {
                &mut e.deductions
            } else {
                &mut e.additions
            };
            list.retain(|x| *x != ix);
        }
        if let Some(e) = self.employees.get_mut(employee) {
            let list = if deduction {
                &mut e.deductions
            } else {
                &mut e.additions
            };
            list.push(ix);
        }
    }
}

/// The addition extension `in_regular_rate` (SPEC §2, §5.2): a boolean, default false
/// (absent or null); a deduction carrying it is refused naming the field.
fn read_in_regular_rate(r: &mut Rec<'_>, deduction: bool) -> bool {
    match r.get("in_regular_rate") {
        Field::Absent | Field::Null => false,
        Field::Val(_) if deduction => {
            r.err(
                "in_regular_rate",
                "is an addition field: a deduction is not part of the regular rate",
            );
            false
        }
        Field::Val(Value::Bool(b)) => *b,
        Field::Val(_) => {
            r.err("in_regular_rate", "must be a boolean");
            false
        }
    }
}
