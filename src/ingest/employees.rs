//! Employees (SPEC §2 "employee"): patched profiles, assignments and stints, offboarding,
//! the Payd integrity rule, agreed `custom_info` keys, one currency per employee.

use super::fields::{Field, Rec};
use super::plan::{full, Applied, RecordError};
use crate::ingest::Outcome;
use crate::model::State;
use crate::model::{Assignment, Employee, Few, Profile, Stint};
use crate::model::{ContractIx, EmployeeIx};
use chrono::NaiveDate;
use serde_json::{Map, Value};

pub(super) const FIELDS: &[&str] = &[
    "employee_id",
    "work_email",
    "personal_email",
    "given_name",
    "family_name",
    "honorific",
    "work_phone",
    "personal_phone",
    "custom_info",
    "contract_id",
    "contract_start_on",
    "contract_stop_on",
];

/// A pushed profile field: `None` when absent or null (the stored value is kept).
type Pushed<'a> = Option<&'a str>;

struct PushedProfile<'a> {
    work_email: Pushed<'a>,
    personal_email: Pushed<'a>,
    given_name: Pushed<'a>,
    family_name: Pushed<'a>,
    honorific: Pushed<'a>,
    work_phone: Pushed<'a>,
    personal_phone: Pushed<'a>,
}

/// A pushed `*_on` date: absent (`None`), `null` (`Some(None)`) or a day.
type PushedDay = Option<Option<NaiveDate>>;

/// Reads the profile fields, each checked for its shape (SPEC §2 employee).
fn read_profile<'a>(r: &mut Rec<'a>) -> PushedProfile<'a> {
    PushedProfile {
        work_email: text(r, "work_email", valid_email, "email address"),
        personal_email: text(r, "personal_email", valid_email, "email address"),
        given_name: text(r, "given_name", |_| true, "name"),
        family_name: text(r, "family_name", |_| true, "name"),
        honorific: text(r, "honorific", |_| true, "honorific"),
        work_phone: text(
            r,
            "work_phone",
            valid_phone,
            "phone number (+ then digits, - or spaces)",
        ),
        personal_phone: text(
            r,
            "personal_phone",
            valid_phone,
            "phone number (+ then digits, - or spaces)",
        ),
    }
}

impl State {
    pub(crate) fn apply_employee(&mut self, obj: &Map<String, Value>) -> Applied {
        let limits = self.company.limits.clone();
        let mut r = Rec::new(obj, &limits, FIELDS);
        let id = r.id("employee_id");
        let pushed = read_profile(&mut r);
        let custom_info = r.custom_info().ok().flatten();
        self.check_custom_info_keys(&mut r, custom_info);
        let (contract, start, stop) = self.read_assignment(&mut r);
        if !r.ok() {
            return Err(RecordError::rejected(r.errors));
        }
        let Some(id) = id else {
            return Err(RecordError::rejected(r.errors));
        };
        let existing = self.employee_ix.get(id);
        let old = existing.and_then(|ix| self.employees.get(ix));
        if let Some(old) = old {
            integrity_rule(&old.profile, &pushed)?;
        }
        let mut emp = match old {
            Some(o) => o.clone(),
            None => Employee {
                id: id.into(),
                profile: Profile::default(),
                custom_info: Map::new(),
                assignments: smallvec::SmallVec::new(),
                shifts: Vec::new(),
                additions: Few::new(),
                deductions: Few::new(),
                advances: Few::new(),
                leaves: Few::new(),
            },
        };
        patch_profile(&mut emp.profile, &pushed);
        if let Some(ci) = custom_info {
            for (k, v) in ci {
                emp.custom_info.insert(k.clone(), v.clone());
            }
        }
        match contract {
            Some(cix) => self.assign(&mut emp, cix, start, stop)?,
            None => {
                // SPEC §2: without contract_id, contract_stop_on is the offboarding signal.
                if let Some(Some(day)) = stop {
                    self.offboard(&mut emp, day);
                }
            }
        }
        self.store_employee(existing, id, emp)
    }

    /// Rejects `custom_info` keys not in the company's `custom_info_keys` (SPEC §2 employee).
    fn check_custom_info_keys(&self, r: &mut Rec<'_>, custom_info: Option<&Map<String, Value>>) {
        if let Some(ci) = custom_info {
            for k in ci.keys() {
                if !self.company.custom_info_keys.contains(k) {
                    r.err(
                        format!("custom_info.{k}"),
                        "key not agreed with the company (custom_info_keys): nothing is stored that was not agreed (PDPA/GDPR)",
                    );
                }
            }
        }
    }

    /// Reads `contract_id` (must exist) and the stint dates, stop not before start (SPEC §2).
    fn read_assignment(&self, r: &mut Rec<'_>) -> (Option<ContractIx>, PushedDay, PushedDay) {
        let contract = self.contract_ref(r);
        let start = r.date("contract_start_on").unwrap_or(None);
        let stop = r.date("contract_stop_on").unwrap_or(None);
        if let (Some(Some(s)), Some(Some(e))) = (start, stop) {
            if e < s {
                r.err(
                    "contract_stop_on",
                    format!("{e} is before contract_start_on {s}"),
                );
            }
        }
        (contract, start, stop)
    }

    /// Stores the patched employee: created, updated or unchanged (SPEC §3).
    fn store_employee(&mut self, existing: Option<EmployeeIx>, id: &str, emp: Employee) -> Applied {
        match existing {
            Some(ix) => match self.employees.get_mut(ix) {
                Some(slot) if *slot == emp => Ok(Outcome::Unchanged),
                Some(slot) => {
                    *slot = emp;
                    Ok(Outcome::Updated)
                }
                None => Err(RecordError::field("employee_id", "index out of date")),
            },
            None => {
                let ix = self.employees.push(emp).map_err(full)?;
                self.employee_ix.insert(id, ix);
                Ok(Outcome::Created)
            }
        }
    }

    fn stint(&self, start_on: Option<NaiveDate>, stop_on: Option<NaiveDate>) -> Stint {
        use crate::calendar::Instant;
        Stint {
            start_on,
            stop_on,
            start: start_on.map_or(Instant::MIN, |d| self.company.midnight(d)),
            end: stop_on
                .and_then(|d| d.succ_opt())
                .map_or(Instant::MAX, |d| self.company.midnight(d)),
        }
    }

    /// All assignments of one employee share one currency (SPEC §2 employee).
    fn check_one_currency(&self, emp: &Employee, cix: ContractIx) -> Result<(), RecordError> {
        let currency = self.contracts.get(cix).map(|c| c.currency);
        let mixed = emp.assignments.iter().find(|a| {
            a.contract != cix && self.contracts.get(a.contract).map(|c| c.currency) != currency
        });
        if let Some(a) = mixed {
            let other = self.contracts.get(a.contract);
            return Err(RecordError::field(
                "contract_id",
                format!(
                    "the employee is paid in {} (contract `{}`); all assignments share one currency",
                    other.map_or_else(String::new, |c| c.currency.to_string()),
                    other.map_or("", |c| &c.id),
                ),
            ));
        }
        Ok(())
    }

    /// Creates or updates the assignment to contract `cix` (SPEC §2): absent dates keep their
    /// value, `null` clears them, a start after the latest stint's last day is a re-hire.
    fn assign(
        &self,
        emp: &mut Employee,
        cix: ContractIx,
        start: Option<Option<NaiveDate>>,
        stop: Option<Option<NaiveDate>>,
    ) -> Result<(), RecordError> {
        self.check_one_currency(emp, cix)?;
        let Some(a) = emp.assignments.iter_mut().find(|a| a.contract == cix) else {
            let st = self.stint(start.flatten(), stop.flatten());
            emp.assignments.push(Assignment {
                contract: cix,
                stints: smallvec::smallvec![st],
            });
            return Ok(());
        };
        let n = a.stints.len();
        let latest = a.stints.last().copied();
        let rehire = match (start, latest.and_then(|l| l.stop_on)) {
            (Some(Some(s)), Some(last_day)) => s > last_day,
            _ => false,
        };
        if rehire || latest.is_none() {
            a.stints.push(self.stint(start.flatten(), stop.flatten()));
            return Ok(());
        }
        let Some(l) = latest else { return Ok(()) };
        let start_on = start.unwrap_or(l.start_on);
        let stop_on = stop.unwrap_or(l.stop_on);
        if let (Some(s), Some(e)) = (start_on, stop_on) {
            if e < s {
                return Err(RecordError::field(
                    "contract_stop_on",
                    format!("{e} is before the stint's contract_start_on {s}"),
                ));
            }
        }
        if let Some(prev) = n.checked_sub(2).and_then(|i| a.stints.get(i)) {
            let clash = match (start_on, prev.stop_on) {
                (Some(s), Some(p)) => s <= p,
                _ => true,
            };
            if clash {
                return Err(RecordError::field(
                    "contract_start_on",
                    format!(
                        "the stint would overlap the earlier stint ending {}",
                        prev.stop_on
                            .map_or_else(|| "never".to_string(), |d| d.to_string())
                    ),
                ));
            }
        }
        let st = self.stint(start_on, stop_on);
        if let Some(slot) = a.stints.last_mut() {
            *slot = st;
        }
        Ok(())
    }

    /// SPEC §2 offboarding: every stint that would run past `day` is cut to end on it (one
    /// starting later becomes empty).
    fn offboard(&self, emp: &mut Employee, day: NaiveDate) {
        let cut = day.succ_opt().map(|d| self.company.midnight(d));
        for a in &mut emp.assignments {
            for s in &mut a.stints {
                if cut.is_some_and(|c| s.end > c) {
                    *s = self.stint(s.start_on, Some(day));
                }
            }
        }
    }
}

/// A pushed text field, checked by `check`; `None` when absent, null or invalid.
fn text<'a>(r: &mut Rec<'a>, f: &str, check: fn(&str) -> bool, what: &str) -> Pushed<'a> {
    match r.text(f) {
        Ok(Field::Val(Value::String(s))) => {
            if check(s) {
                Some(s.as_str())
            } else {
                r.err(f, format!("`{s}` is not a valid {what}"));
                None
            }
        }
        _ => None,
    }
}

/// Payd's integrity rule (SPEC §2): an update may not change `given_name` together with a
/// phone, nor a phone together with an email.
fn integrity_rule(old: &Profile, p: &PushedProfile<'_>) -> Result<(), RecordError> {
    let changes = |new: Pushed<'_>, stored: &Option<Box<str>>| {
        new.is_some_and(|n| stored.as_deref() != Some(n))
    };
    let name = changes(p.given_name, &old.given_name);
    let phone =
        changes(p.work_phone, &old.work_phone) || changes(p.personal_phone, &old.personal_phone);
    let email =
        changes(p.work_email, &old.work_email) || changes(p.personal_email, &old.personal_email);
    let msg = if name && phone {
        "given_name and a phone number cannot change in one update (account-takeover guard)"
    } else if phone && email {
        "a phone number and an email cannot change in one update (account-takeover guard)"
    } else {
        return Ok(());
    };
    let field = if name {
        "given_name"
    } else if changes(p.work_phone, &old.work_phone) {
        "work_phone"
    } else {
        "personal_phone"
    };
    Err(RecordError::field(field, msg))
}

fn patch_profile(pr: &mut Profile, p: &PushedProfile<'_>) {
    let set = |slot: &mut Option<Box<str>>, v: Pushed<'_>| {
        if let Some(v) = v {
            *slot = Some(v.into());
        }
    };
    set(&mut pr.work_email, p.work_email);
    set(&mut pr.personal_email, p.personal_email);
    set(&mut pr.given_name, p.given_name);
    set(&mut pr.family_name, p.family_name);
    set(&mut pr.honorific, p.honorific);
    set(&mut pr.work_phone, p.work_phone);
    set(&mut pr.personal_phone, p.personal_phone);
}

/// `local@domain.tld`: one `@`, no spaces, a dot inside the domain, no empty labels.
pub(crate) fn valid_email(s: &str) -> bool {
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.contains('.')
        && domain.split('.').all(|l| !l.is_empty())
}

/// `+` followed by digits, with optional `-` or spaces between them (SPEC §2).
pub(crate) fn valid_phone(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('+') else {
        return false;
    };
    let digits = rest.bytes().filter(u8::is_ascii_digit).count();
    rest.bytes()
        .all(|b| b.is_ascii_digit() || b == b'-' || b == b' ')
        && rest.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && rest.bytes().last().is_some_and(|b| b.is_ascii_digit())
        && (3..=15).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(valid_email("user@example.com"));
        assert!(!valid_email("user@example"));
        assert!(!valid_email("user@@example.com"));
        assert!(!valid_email("us er@example.com"));
        assert!(!valid_email("@example.com"));
        assert!(!valid_email("user@example..com"));
    }

    #[test]
    fn phones() {
        assert!(valid_phone("+65-6225-5577"));
        assert!(valid_phone("+32 470 12 34 56"));
        assert!(!valid_phone("65-6225-5577"));
        assert!(!valid_phone("+65-6225-5577-"));
        assert!(!valid_phone("+65x6225"));
        assert!(!valid_phone("+"));
    }
}
