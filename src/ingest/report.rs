//! Job reports (SPEC §3): Payd's job shape with beqom's per-record results.

use serde::Serialize;

/// The entity kinds a twin ingests, in push order (SPEC §3): Payd's six and the extension
/// kind `leaves` (SPEC §2 leave). Non-exhaustive: a new kind is not a breaking change (a
/// `match` outside the crate needs a `_` arm).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Kind {
    /// `pay-schedules`
    PaySchedules,
    /// `contracts`
    Contracts,
    /// `employees`
    Employees,
    /// `leaves` (extension kind, SPEC §2 leave)
    Leaves,
    /// `shifts`
    Shifts,
    /// `additions`
    Additions,
    /// `deductions`
    Deductions,
}

impl Kind {
    /// The top-level fields a record of this kind may carry, in Payd's names: the table the
    /// validator rejects unknown fields against (SPEC §3), listed in docs/reference.md.
    ///
    /// ```
    /// assert!(ewa::Kind::Shifts.fields().contains(&"shift_status"));
    /// assert!(!ewa::Kind::Shifts.fields().contains(&"break_minutes"));
    /// ```
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::PaySchedules => super::schedules::FIELDS,
            Kind::Contracts => super::contracts::FIELDS,
            Kind::Employees => super::employees::FIELDS,
            Kind::Leaves => super::leaves::FIELDS,
            Kind::Shifts => &super::shifts::NAMES,
            Kind::Additions | Kind::Deductions => super::payments::FIELDS,
        }
    }

    /// Fields nested in a record: a pay period's (`periods[i].…`) and a contract's
    /// `custom_info.overtime` keys, as `(parent, fields)`.
    pub fn nested_fields(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            Kind::PaySchedules => &[("periods", super::schedules::PERIOD_FIELDS)],
            Kind::Contracts => &[
                ("custom_info.overtime", super::contracts::OVERTIME_FIELDS),
                ("custom_info.premiums[i]", super::premiums::PREMIUM_FIELDS),
                (
                    "custom_info.auto_unpaid_break",
                    crate::accrual::paid::AUTO_BREAK_FIELDS,
                ),
                (
                    "custom_info.minimum_wage",
                    super::contracts::MINIMUM_WAGE_FIELDS,
                ),
            ],
            Kind::Shifts => &[("unpaid_breaks", super::shifts::BREAK_FIELDS)],
            _ => &[],
        }
    }

    /// Every kind in push order: pay-schedules → contracts → employees → leaves / shifts /
    /// additions / deductions.
    pub const ALL: [Kind; 7] = [
        Kind::PaySchedules,
        Kind::Contracts,
        Kind::Employees,
        Kind::Leaves,
        Kind::Shifts,
        Kind::Additions,
        Kind::Deductions,
    ];

    /// Payd's `target_entity`, e.g. `pay-schedules`.
    pub fn target_entity(self) -> &'static str {
        match self {
            Kind::PaySchedules => "pay-schedules",
            Kind::Contracts => "contracts",
            Kind::Employees => "employees",
            Kind::Leaves => "leaves",
            Kind::Shifts => "shifts",
            Kind::Additions => "additions",
            Kind::Deductions => "deductions",
        }
    }

    /// The scenario document's key, e.g. `pay_schedules` (SPEC §8).
    pub fn document_key(self) -> &'static str {
        match self {
            Kind::PaySchedules => "pay_schedules",
            other => other.target_entity(),
        }
    }

    /// Parses either spelling (`pay-schedules` or `pay_schedules`, ...).
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.target_entity() == s || k.document_key() == s)
    }

    /// The record's id field (`pay_schedule_id`, `payment_id`, ...).
    pub fn id_field(self) -> &'static str {
        match self {
            Kind::PaySchedules => "pay_schedule_id",
            Kind::Contracts => "contract_id",
            Kind::Employees => "employee_id",
            Kind::Leaves => "leave_id",
            Kind::Shifts => "shift_id",
            Kind::Additions | Kind::Deductions => "payment_id",
        }
    }
}

/// What happened to one record (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new entity was stored.
    Created,
    /// A known entity changed.
    Updated,
    /// A known entity was re-pushed identically: nothing changed (idempotent).
    Unchanged,
    /// Invalid: nothing stored; `errors` say why.
    Rejected,
    /// Contradicts other data (an overlapping shift, differing copies in one batch): nothing
    /// stored.
    Conflict,
}

impl Outcome {
    /// Created, updated or unchanged.
    pub fn is_accepted(self) -> bool {
        matches!(
            self,
            Outcome::Created | Outcome::Updated | Outcome::Unchanged
        )
    }

    /// The code, e.g. `created`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Rejected => "rejected",
            Outcome::Conflict => "conflict",
        }
    }
}

/// One error of a record: the field and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct FieldError {
    /// The field, e.g. `wage_rate_amount` or `custom_info.badge`; `record` for the record as a
    /// whole.
    pub field: String,
    /// What is wrong, in words the sender can act on.
    pub message: String,
}

/// The result of one record of a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordResult {
    /// Position in the batch, from 0.
    pub index: usize,
    /// The record's key (its id), when it has a readable one.
    pub key: Option<String>,
    /// What happened.
    pub outcome: Outcome,
    /// Why it was rejected (empty when accepted).
    pub errors: Vec<FieldError>,
    /// For a conflict with another entity: that entity's key (the earliest-starting
    /// overlapping shift, SPEC §2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts_with: Option<String>,
}

/// A job report (SPEC §3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobReport {
    /// Deterministic per-twin sequence, `job-1`, `job-2`, ...
    pub job_id: String,
    /// Payd's entity name.
    pub target_entity: &'static str,
    /// Records in the batch.
    pub count_received: usize,
    /// Created + updated + unchanged.
    pub count_accepted: usize,
    /// Rejected + conflict.
    pub count_rejected: usize,
    /// Always 0: the engine applies synchronously.
    pub count_pending: usize,
    /// One line per error: `[index] key: field: message`.
    pub error_summary: Vec<String>,
    /// One result per record, in batch order.
    pub results: Vec<RecordResult>,
}

impl JobReport {
    /// Builds a report from per-record results, computing the counts.
    pub(crate) fn new(job_id: String, kind: Kind, results: Vec<RecordResult>) -> JobReport {
        let count_accepted = results.iter().filter(|r| r.outcome.is_accepted()).count();
        let count_rejected = results.len() - count_accepted;
        let error_summary = results
            .iter()
            .flat_map(|r| {
                let key = r.key.as_deref().unwrap_or("?");
                r.errors
                    .iter()
                    .map(move |e| format!("[{}] {key}: {}: {}", r.index, e.field, e.message))
            })
            .collect();
        let report = JobReport {
            job_id,
            target_entity: kind.target_entity(),
            count_received: results.len(),
            count_accepted,
            count_rejected,
            count_pending: 0,
            error_summary,
            results,
        };
        // SPEC §3: the counts always add up (paired with the property tests).
        debug_assert_eq!(
            report.count_received,
            report.count_accepted + report.count_rejected + report.count_pending
        );
        report
    }

    /// How many records had `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.results.iter().filter(|r| r.outcome == outcome).count()
    }
}
