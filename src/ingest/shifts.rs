//! Shifts (SPEC §2 "shift"): the typed record [`Shift`], its one validator, contract
//! resolution, assignment checks, counted-overlap conflicts, and every version kept.
//!
//! Adding an optional field is one line in [`Shift`] (and its name in [`NAMES`] and its slot
//! in [`Lenient`]'s reading) plus one check in [`Shift::validate`].

use super::fields::id_error;
use super::plan::{next_index, Applied, RecordError};
use super::record::{read_fields, Loose, Memo, Patch, ReadErrors, Record, Timestamp, UnpaidBreak};
use super::report::{FieldError, JobReport, Kind};
use crate::calendar::{self, Instant};
use crate::ingest::Outcome;
use crate::model::shifts::{self as store, Extra};
use crate::model::{ContractIx, EmployeeIx, State};
use crate::model::{ShiftExt, ShiftRec, ShiftStatus, ShiftVersion, Span};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// The fields of a shift record, in Payd's names (SPEC §2).
pub(super) const NAMES: [&str; 9] = [
    "shift_id",
    "shift_status",
    "employee_id",
    "contract_id",
    "start_at",
    "stop_at",
    "custom_info",
    "unpaid_breaks",
    "tips",
];
/// The fields of one element of `unpaid_breaks` (SPEC §5.6).
pub(super) const BREAK_FIELDS: &[&str] = &["start_at", "stop_at"];
const STATUSES: &str =
    "available, scheduled, declined, voided, no_show, submitted, provisionally_approved, approved";

/// A shift record as Payd sends it (SPEC §2 "shift"), in Payd's field names.
///
/// Push a slice of them with [`Twin::apply_records`]: the job report and the twin are those
/// of [`Twin::apply`] with the records' JSON form (their [`Serialize`] output). It reads
/// from JSON too ([`Deserialize`] borrows strings from the input where it can, and fails on
/// an unknown field or a field of the wrong type); [`Twin::apply`] and [`Twin::apply_json`]
/// read each record the same way but report every such error by field instead.
///
/// `Default` leaves the optional fields out; the required ones default to placeholders
/// (an empty id and empty timestamps, which are rejected, and `available`), so name them.
///
/// ```
/// use ewa::{chrono::{TimeZone, Utc}, Company, Kind, Outcome, Shift, ShiftStatus, Twin};
///
/// let mut twin = Twin::new(Company::new("acme", ewa::chrono_tz::UTC));
/// let at = ewa::calendar::parse_instant(ewa::chrono_tz::UTC, "2026-06-01T00:00:00Z")?;
/// let shifts = [
///     Shift {
///         shift_id: "s1".into(),
///         shift_status: ShiftStatus::Available,
///         start_at: "2026-06-02T09:00:00Z".into(),
///         stop_at: Utc.with_ymd_and_hms(2026, 6, 2, 17, 0, 0).unwrap().into(),
///         ..Default::default()
///     },
///     Shift { shift_id: "".into(), ..Default::default() },
/// ];
/// let report = twin.apply_records(&shifts, at)?;
/// assert_eq!(report.results[0].outcome, Outcome::Created);
/// assert_eq!(report.results[1].outcome, Outcome::Rejected);
/// assert_eq!(report.results[1].errors[0].field, "shift_id");
/// assert_eq!(report.results[1].errors[0].message, "must not be empty");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Shift<'a> {
    /// The shift's id (required).
    pub shift_id: Cow<'a, str>,
    /// Its status (required).
    pub shift_status: ShiftStatus,
    /// The employee; `None` for an open slot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<Cow<'a, str>>,
    /// The contract; `None`: the employee's single assignment active at `start_at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<Cow<'a, str>>,
    /// Start (required).
    pub start_at: Timestamp<'a>,
    /// Stop, after `start_at` (required).
    pub stop_at: Timestamp<'a>,
    /// Free-form data kept with the shift.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_info: Option<Map<String, Value>>,
    /// Unpaid breaks (SPEC §5.6), each inside the shift, none overlapping another.
    /// [`Patch::Absent`] keeps the previous version's on an update (a new shift has none,
    /// and its contract's automatic break may apply); [`Patch::Null`] clears them; an
    /// empty list means no break at all.
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub unpaid_breaks: Patch<Vec<UnpaidBreak<'a>>>,
    /// Tips paid through payroll for this shift, in minor units ≥ 0 (SPEC §5.7), earned
    /// pro rata over its paid time. Absent keeps the previous version's; `null` clears.
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub tips: Patch<i64>,
}

impl Default for Shift<'_> {
    fn default() -> Self {
        Shift {
            shift_id: Cow::Borrowed(""),
            shift_status: ShiftStatus::Available,
            employee_id: None,
            contract_id: None,
            start_at: Timestamp::default(),
            stop_at: Timestamp::default(),
            custom_info: None,
            unpaid_breaks: Patch::Absent,
            tips: Patch::Absent,
        }
    }
}

impl Shift<'_> {
    /// The same record, borrowing this one's text (`custom_info` is cloned).
    pub fn borrowed(&self) -> Shift<'_> {
        Shift {
            shift_id: Cow::Borrowed(&self.shift_id),
            shift_status: self.shift_status,
            employee_id: self.employee_id.as_deref().map(Cow::Borrowed),
            contract_id: self.contract_id.as_deref().map(Cow::Borrowed),
            start_at: self.start_at.borrowed(),
            stop_at: self.stop_at.borrowed(),
            custom_info: self.custom_info.clone(),
            unpaid_breaks: match &self.unpaid_breaks {
                Patch::Absent => Patch::Absent,
                Patch::Null => Patch::Null,
                Patch::Set(b) => Patch::Set(b.iter().map(UnpaidBreak::borrowed).collect()),
            },
            tips: self.tips.clone(),
        }
    }
}

impl Record for Shift<'_> {
    const KIND: Kind = Kind::Shifts;
}

impl super::record::sealed::Sealed for Shift<'_> {
    fn apply_to(
        twin: &mut State,
        records: &[Self],
        received_at: Instant,
    ) -> crate::error::Result<JobReport> {
        twin.apply_shift_records(records, received_at)
    }
}

impl Serialize for ShiftStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ShiftStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<'de, str>::deserialize(d)?;
        ShiftStatus::parse(&s)
            .ok_or_else(|| de::Error::custom(format!("`{s}` is not one of: {STATUSES}")))
    }
}

/// A shift record as read from JSON: the typed record, and what could not be read into it
/// (unknown fields, fields of the wrong type or missing), for the validator to report.
#[derive(Debug)]
pub(crate) struct Lenient<'a>(pub Shift<'a>, pub ReadErrors);

impl<'a> Lenient<'a> {
    /// A typed record (nothing to report from reading).
    pub fn typed(rec: Shift<'a>) -> Lenient<'a> {
        Lenient(rec, ReadErrors::default())
    }

    fn from_slots(
        slots: [Loose<'a>; 9],
        unknown: Vec<String>,
        twice: Option<String>,
    ) -> Lenient<'a> {
        let [id, status, employee, contract, start, stop, info, breaks, tips] = slots;
        let mut e = ReadErrors {
            unknown,
            twice,
            fields: Vec::new(),
        };
        let rec = Shift {
            shift_id: e.slot("shift_id", id.required_str(), Cow::Borrowed("")),
            shift_status: e.slot(
                "shift_status",
                status.enumeration(ShiftStatus::parse, STATUSES),
                ShiftStatus::Available,
            ),
            employee_id: e.slot("employee_id", employee.optional_str(), None),
            contract_id: e.slot("contract_id", contract.optional_str(), None),
            start_at: e.slot("start_at", start.timestamp(), Timestamp::default()),
            stop_at: e.slot("stop_at", stop.timestamp(), Timestamp::default()),
            custom_info: e.slot("custom_info", info.object(), None),
            unpaid_breaks: Patch::Absent,
            tips: e.slot("tips", tips.integer_patch(), Patch::Absent),
        };
        let unpaid_breaks = breaks.breaks_patch(&mut e);
        Lenient(
            Shift {
                unpaid_breaks,
                ..rec
            },
            e,
        )
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Lenient<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Lenient<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a shift record (a JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Lenient<'a>, A::Error> {
                let (slots, unknown, twice) = read_fields(map, &NAMES)?;
                Ok(Lenient::from_slots(slots, unknown, twice))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Shift<'a> {
    /// Reads a record as the batch paths do, failing on anything they would report while
    /// reading (an unknown field, a field missing or of the wrong type, an unknown status).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Lenient(rec, errors) = Lenient::deserialize(d)?;
        match errors.describe() {
            Some(m) => Err(de::Error::custom(m)),
            None => Ok(rec),
        }
    }
}

/// A shift record whose fields are valid one by one (SPEC §2), references resolved.
#[derive(Debug)]
pub(crate) struct ParsedShift {
    pub status: ShiftStatus,
    pub employee: Option<EmployeeIx>,
    /// The contract resolved (SPEC §2): the one named, or the single active assignment's.
    pub contract: Option<ContractIx>,
    pub start: Instant,
    pub stop: Instant,
    pub custom_info: Option<Box<Map<String, Value>>>,
    /// Sorted, disjoint, inside `[start, stop)` (SPEC §5.6).
    pub breaks: Patch<Box<[Span]>>,
    pub tips: Patch<i64>,
}

impl Shift<'_> {
    /// The one validator of a shift record (SPEC §2, §7): the model value, or every error,
    /// each naming its field — the unknown fields first, then the fields in the order
    /// `shift_id`, `shift_status`, `start_at`, `stop_at`, `employee_id`, `contract_id`,
    /// `custom_info`, `unpaid_breaks` (by element, e.g. `unpaid_breaks[1].stop_at`), `tips`.
    /// A field that `read` could not read reports that error only. When every field is
    /// valid, the contract: the one named or the employee's single assignment active at
    /// `start_at`, which a counted shift must overlap (SPEC §2; its one error, if any).
    /// Takes `custom_info` out of the record when valid.
    ///
    /// Everything it reads of the twin (the company, employees, assignments, contracts) is
    /// what a shift batch never changes, so the batch loop runs it for every record at once,
    /// in parallel, before applying any.
    pub(crate) fn validate(
        &mut self,
        read: &ReadErrors,
        twin: &State,
        memo: &mut Memo,
    ) -> Result<ParsedShift, Vec<FieldError>> {
        let limits = &twin.company.limits;
        let mut errors = read.start();
        let err = |errors: &mut Vec<FieldError>, field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_string(),
                message,
            });
        };
        if !read.report("shift_id", &mut errors) {
            if let Some(m) = id_error(&self.shift_id, limits) {
                err(&mut errors, "shift_id", m);
            }
        }
        read.report("shift_status", &mut errors);
        let (start, stop) = self.times(read, twin, &mut errors);
        let employee = reference(
            &self.employee_id,
            "employee_id",
            "employee",
            read,
            &mut errors,
            |e| memo.employee.get(e, |e| twin.employee_ix.get(e)),
            limits,
        );
        let named_contract = reference(
            &self.contract_id,
            "contract_id",
            "contract",
            read,
            &mut errors,
            |c| memo.contract.get(c, |c| twin.contract_ix.get(c)),
            limits,
        );
        read.report("custom_info", &mut errors);
        let breaks = self.breaks(read, twin, (start, stop), &mut errors);
        let tips = self.checked_tips(read, limits, &mut errors);
        let (Some(start), Some(stop), true) = (start, stop, errors.is_empty()) else {
            return Err(errors);
        };
        let counted = twin.counted(self.shift_status);
        let contract = twin
            .resolve_shift_contract(employee, named_contract, start, stop, counted)
            .map_err(|e| e.errors)?;
        Ok(ParsedShift {
            status: self.shift_status,
            employee,
            contract,
            start,
            stop,
            custom_info: self.custom_info.take().map(Box::new),
            breaks,
            tips,
        })
    }

    /// `tips` (SPEC §2, §5.7): an integer in `[0, amount_max]`.
    fn checked_tips(
        &self,
        read: &ReadErrors,
        limits: &crate::limits::Limits,
        errors: &mut Vec<FieldError>,
    ) -> Patch<i64> {
        if read.report("tips", errors) {
            return Patch::Absent;
        }
        let message = match self.tips {
            Patch::Set(n) if n < 0 => format!("must be >= 0, got {n}"),
            Patch::Set(n) if n > limits.amount_max => {
                format!("{n} exceeds the limit {} (amount_max)", limits.amount_max)
            }
            ref t => return t.clone(),
        };
        errors.push(FieldError {
            field: "tips".into(),
            message,
        });
        Patch::Absent
    }

    /// `unpaid_breaks` (SPEC §5.6): each break's times resolved like the shift's, start
    /// before stop, inside the shift `span` (when its times are valid), none overlapping
    /// another; sorted by start.
    fn breaks(
        &self,
        read: &ReadErrors,
        twin: &State,
        span: (Option<Instant>, Option<Instant>),
        errors: &mut Vec<FieldError>,
    ) -> Patch<Box<[Span]>> {
        if read.report("unpaid_breaks", errors) {
            return Patch::Absent;
        }
        let list = match &self.unpaid_breaks {
            Patch::Absent => return Patch::Absent,
            Patch::Null => return Patch::Null,
            Patch::Set(list) => list,
        };
        let before = errors.len();
        let tz = twin.company.timezone;
        let mut spans: Vec<(Span, usize)> = Vec::with_capacity(list.len());
        for (i, b) in list.iter().enumerate() {
            let mut at = |k: &str, t: &Timestamp<'_>| {
                calendar::parse_instant(tz, t.as_str())
                    .map_err(|e| push(errors, format!("unpaid_breaks[{i}].{k}"), e.to_string()))
                    .ok()
            };
            let (Some(a), Some(z)) = (at("start_at", &b.start_at), at("stop_at", &b.stop_at))
            else {
                continue;
            };
            if let Some(m) = break_error(a, z, span) {
                push(errors, format!("unpaid_breaks[{i}].{}", m.0), m.1);
                continue;
            }
            spans.push((Span { start: a, stop: z }, i));
        }
        spans.sort_unstable();
        for w in spans.windows(2) {
            if let [(a, i), (b, j)] = w {
                if b.start < a.stop {
                    let (first, later) = ((*i).min(*j), (*i).max(*j));
                    let m = format!("overlaps unpaid_breaks[{first}] (touching is fine)");
                    push(errors, format!("unpaid_breaks[{later}]"), m);
                }
            }
        }
        if errors.len() > before {
            return Patch::Absent;
        }
        Patch::Set(spans.into_iter().map(|(s, _)| s).collect())
    }

    /// `start_at` and `stop_at` (SPEC §2): instants, start before stop, at most
    /// `shift_hours_max` apart (else an error on `stop_at`).
    fn times(
        &self,
        read: &ReadErrors,
        twin: &State,
        errors: &mut Vec<FieldError>,
    ) -> (Option<Instant>, Option<Instant>) {
        let limits = &twin.company.limits;
        let start = self.instant("start_at", read, twin, errors);
        let stop = self.instant("stop_at", read, twin, errors);
        if let (Some(s), Some(e)) = (start, stop) {
            let len = e.as_micros().saturating_sub(s.as_micros());
            let message = if s >= e {
                Some(format!("must be after start_at ({e} <= {s})"))
            } else if len > limits.shift_micros_max() {
                let h = limits.shift_hours_max;
                Some(format!(
                    "the shift lasts longer than {h} hours (shift_hours_max)"
                ))
            } else {
                None
            };
            if let Some(message) = message {
                push(errors, "stop_at".into(), message);
            }
        }
        (start, stop)
    }

    /// `start_at` or `stop_at` as an instant in the company's zone (SPEC §2).
    fn instant(
        &self,
        field: &'static str,
        read: &ReadErrors,
        twin: &State,
        errors: &mut Vec<FieldError>,
    ) -> Option<Instant> {
        if read.report(field, errors) {
            return None;
        }
        let text = if field == "start_at" {
            &self.start_at
        } else {
            &self.stop_at
        };
        match calendar::parse_instant(twin.company.timezone, text.as_str()) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(FieldError {
                    field: field.to_string(),
                    message: e.to_string(),
                });
                None
            }
        }
    }
}

/// Adds an error on `field`.
fn push(errors: &mut Vec<FieldError>, field: String, message: String) {
    errors.push(FieldError { field, message });
}

/// What is wrong with a break `[a, z)` of a shift `span` (SPEC §5.6), as (sub-field,
/// message), if anything.
fn break_error(
    a: Instant,
    z: Instant,
    span: (Option<Instant>, Option<Instant>),
) -> Option<(&'static str, String)> {
    if a >= z {
        return Some(("stop_at", format!("must be after start_at ({z} <= {a})")));
    }
    if let Some(start) = span.0.filter(|s| a < *s) {
        return Some((
            "start_at",
            format!("is before the shift's start_at ({a} < {start})"),
        ));
    }
    if let Some(stop) = span.1.filter(|s| z > *s) {
        return Some((
            "stop_at",
            format!("is after the shift's stop_at ({z} > {stop})"),
        ));
    }
    None
}

/// Whether every break lies inside `[start, stop)`.
fn breaks_fit(breaks: &[Span], start: Instant, stop: Instant) -> bool {
    breaks.iter().all(|b| start <= b.start && b.stop <= stop)
}

/// An optional reference by id (SPEC §2): its index through `look`, or `None` when absent,
/// invalid or unknown (the last two with an error on `field`).
fn reference<I>(
    id: &Option<Cow<'_, str>>,
    field: &'static str,
    what: &str,
    read: &ReadErrors,
    errors: &mut Vec<FieldError>,
    look: impl FnOnce(&str) -> Option<I>,
    limits: &crate::limits::Limits,
) -> Option<I> {
    if read.report(field, errors) {
        return None;
    }
    let id = id.as_deref()?;
    let message = match id_error(id, limits) {
        Some(m) => m,
        None => match look(id) {
            Some(ix) => return Some(ix),
            None => format!("unknown {what} `{id}`"),
        },
    };
    errors.push(FieldError {
        field: field.to_string(),
        message,
    });
    None
}

impl State {
    /// Applies the validated shift `p` with id `id`, its hash and its index lookup done by
    /// the caller (`existing` must be `self.shifts.get(id)` as the store is now). A new
    /// shift's id enters the index only at
    /// [`ShiftStore::index_pending`](store::ShiftStore::index_pending), from `pending`.
    pub(crate) fn apply_shift_known(
        &mut self,
        id: &str,
        p: ParsedShift,
        (received_at, job): (Instant, u64),
        (hash, existing): (u64, Option<u32>),
        pending: &mut Vec<(u32, u64)>,
    ) -> Applied {
        let counted = self.counted(p.status);
        let contract = p.contract;
        let ext = self.shift_ext(existing, &p)?;
        if counted {
            self.check_tips_paid(p.employee, contract, (p.start, p.stop), &ext)?;
        }
        let version = ShiftVersion {
            status: p.status,
            employee: p.employee,
            contract,
            start: p.start,
            stop: p.stop,
            custom_info: p.custom_info,
            ext: (!ext.is_empty()).then(|| Box::new(ext)),
            received_at,
            job,
        };
        if let Some(ix) = existing {
            if self.current_is(ix, &version) {
                return Ok(Outcome::Unchanged);
            }
        }
        if counted && version.employee.is_some() {
            let (employee, start, stop) = (version.employee, version.start, version.stop);
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
            Some(ix) => self.replace_shift(ix, version),
            None => self.insert_shift(id, hash, version, pending),
        }
    }

    /// The breaks and tips of the new version of a shift (SPEC §2 extensions): each field
    /// sent replaces the previous version's (`null` clears it), each field absent keeps it.
    /// Kept breaks must fit the new times (SPEC §9 "Breaks"), else the update is rejected.
    fn shift_ext(&self, existing: Option<u32>, p: &ParsedShift) -> Result<ShiftExt, RecordError> {
        let prev = existing.and_then(|ix| self.shifts.ext(ix));
        let breaks = match &p.breaks {
            Patch::Set(b) => Some(b.clone()),
            Patch::Null => None,
            Patch::Absent => match prev.and_then(|x| x.breaks) {
                Some(kept) if !breaks_fit(kept, p.start, p.stop) => {
                    return Err(RecordError::field(
                        "unpaid_breaks",
                        format!(
                            "the breaks kept from the previous version do not fit the new times \
                             [{}, {}): re-send them or send null",
                            p.start, p.stop
                        ),
                    ))
                }
                kept => kept.map(Box::from),
            },
        };
        let tips = match p.tips {
            Patch::Set(t) => Some(t),
            Patch::Null => None,
            Patch::Absent => prev.and_then(|x| x.tips),
        };
        Ok(ShiftExt { breaks, tips })
    }

    /// SPEC §5.7, §9 "Tips": a counted shift with tips > 0 must have paid time inside its
    /// assignment (its breaks, explicit or automatic, may not cover all of it).
    fn check_tips_paid(
        &self,
        employee: Option<EmployeeIx>,
        contract: Option<ContractIx>,
        (start, stop): (Instant, Instant),
        ext: &ShiftExt,
    ) -> Result<(), RecordError> {
        if ext.tips() <= 0 {
            return Ok(());
        }
        let Some(a) = employee
            .and_then(|e| self.employees.get(e))
            .and_then(|e| e.assignments.iter().find(|a| Some(a.contract) == contract))
        else {
            return Ok(());
        };
        let c = contract.and_then(|c| self.contracts.get(c));
        let breaks = crate::accrual::paid::breaks_of(ext.breaks.as_deref(), c, start, stop);
        let paid: i64 = a
            .stints
            .iter()
            .map(|st| {
                crate::accrual::paid::paid_micros(start.max(st.start), stop.min(st.end), breaks)
            })
            .sum();
        if paid > 0 {
            return Ok(());
        }
        Err(RecordError::field(
            "tips",
            "a counted shift with tips needs paid time inside its assignment; its unpaid \
             breaks cover all of it",
        ))
    }

    /// Makes `version` the current version of shift `ix`, keeping the previous one.
    fn replace_shift(&mut self, ix: u32, mut version: ShiftVersion) -> Applied {
        let Some(prev) = self.current_version(ix) else {
            return Err(RecordError::field("shift_id", "index out of date"));
        };
        let ShiftVersion {
            status,
            employee,
            contract,
            start,
            stop,
            ..
        } = version;
        self.unindex_shift(prev.employee, prev.start, ix);
        self.index_shift(employee, ShiftRec::new(ix, status, contract, start, stop));
        if let Some(slot) = self.shifts.employee.get_mut(ix as usize) {
            *slot = employee;
        }
        self.shifts.set_ext(ix, version.ext.take().map(|x| *x));
        let x = self.shifts.extra.entry(ix).or_default();
        x.history.push(prev);
        x.custom_info = version.custom_info.take();
        x.job = Some((version.job, version.received_at));
        Ok(Outcome::Updated)
    }

    /// Adds shift `id` (hashed `hash`) with its first version; its id is indexed from
    /// `pending`.
    fn insert_shift(
        &mut self,
        id: &str,
        hash: u64,
        version: ShiftVersion,
        pending: &mut Vec<(u32, u64)>,
    ) -> Applied {
        let ShiftVersion {
            status,
            employee,
            contract,
            start,
            stop,
            custom_info,
            ext,
            received_at,
            job,
        } = version;
        let ix = next_index(&self.shifts.employee)?;
        let pushed = self
            .shifts
            .push_pending(id, hash, employee, job, received_at, pending);
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
        if let Some(x) = ext {
            self.shifts.set_ext(ix, Some(*x));
        }
        self.index_shift(employee, ShiftRec::new(ix, status, contract, start, stop));
        Ok(Outcome::Created)
    }

    /// The list of current records of `employee` (`None`: the open slots).
    fn shift_list(&self, employee: Option<EmployeeIx>) -> &[ShiftRec] {
        let Some(employee) = employee else {
            return &self.open_shifts;
        };
        self.employees.get(employee).map_or(&[], |e| &e.shifts)
    }

    /// Every change to an employee's shift list goes through here, so it also drops that
    /// employee's overtime classification, which reads the list (decision 33).
    fn shift_list_mut(&mut self, employee: Option<EmployeeIx>) -> Option<&mut Vec<ShiftRec>> {
        let Some(employee) = employee else {
            return Some(&mut self.open_shifts);
        };
        self.touch(employee);
        self.employees.get_mut(employee).map(|e| &mut e.shifts)
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
            && self.shifts.ext(ix) == v.ext.as_deref().map(ShiftExt::view)
    }

    /// SPEC §2: with an employee, the contract is the one named (which the employee must be
    /// assigned to) or the single assignment active at `start_at`; a counted shift must
    /// overlap that assignment's active interval.
    fn resolve_shift_contract(
        &self,
        employee: Option<EmployeeIx>,
        named: Option<ContractIx>,
        start: Instant,
        stop: Instant,
        counted: bool,
    ) -> Result<Option<ContractIx>, RecordError> {
        let Some(emp) = employee.and_then(|e| self.employees.get(e)) else {
            return Ok(named);
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
                            self.contract_id_of(Some(c)).unwrap_or_default()
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
                    self.contract_id_of(Some(assignment.contract)).unwrap_or_default()
                ),
            ));
        }
        Ok(Some(assignment.contract))
    }

    /// The earliest-starting counted shift of `employee` overlapping `[start, stop)`, other
    /// than shift `me`. Counted shifts never overlap each other and last at most
    /// `shift_hours_max`, so only shifts starting after `start - max` need a look.
    fn overlapping_counted(
        &self,
        employee: Option<EmployeeIx>,
        me: Option<u32>,
        start: Instant,
        stop: Instant,
    ) -> Option<String> {
        let emp = self.employees.get(employee?)?;
        let from = Instant::from_micros(start.as_micros().saturating_sub(self.max_shift_micros()));
        // The new shift is usually among the last: step back from the end (SPEC §2).
        let lo = crate::model::first_from(&emp.shifts, from);
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

    fn index_shift(&mut self, employee: Option<EmployeeIx>, rec: ShiftRec) {
        if let Some(list) = self.shift_list_mut(employee) {
            store::insert(list, rec);
        }
    }

    fn unindex_shift(&mut self, employee: Option<EmployeeIx>, start: Instant, ix: u32) {
        if let Some(list) = self.shift_list_mut(employee) {
            store::remove(list, start, ix);
        }
    }
}
