//! The scenario document (SPEC §8): one self-contained JSON document — company, pushes,
//! advances and queries, or a timeline of `steps` — run against a fresh twin.

use crate::calendar::{self, Instant};
use crate::company::Company;
use crate::eligibility::{AdvanceRequest, Detail};
use crate::error::{Error, Result};
use crate::ingest::{JobReport, Kind};
use crate::model::Delivery;
use crate::twin::Twin;
use serde::Serialize;
use serde_json::{Map, Value};

/// The document's kind keys in push order (SPEC §8). `leaves` runs a job only when the
/// document has the key (and it is not `null`); the six Payd kinds always do.
const KIND_KEYS: [&str; 7] = [
    "pay_schedules",
    "contracts",
    "employees",
    "leaves",
    "shifts",
    "additions",
    "deductions",
];

/// The extension kind's document key (SPEC §2 leave, §8).
const LEAVES_KEY: &str = "leaves";

/// The output of a scenario (SPEC §8).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioOutput {
    /// One job report per push.
    pub jobs: Vec<JobReport>,
    /// Advance decisions and cancellations, in the order they ran.
    pub advances: Vec<Value>,
    /// Query answers, in order: each [`Eligibility`](crate::Eligibility) with its periods
    /// and lines ([`Detail::Explained`]), serialized when it is made (the answer borrows from
    /// the twin, which later steps change).
    pub results: Vec<Value>,
}

impl ScenarioOutput {
    /// Pretty JSON, as `ewa scenario` prints it.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

/// What a scenario runs against: a twin in memory, or a company in a store (so golden
/// scenarios also prove that the store answers exactly as the twin does).
trait Target {
    fn tz(&self) -> chrono_tz::Tz;
    fn apply(&mut self, kind: Kind, records: &[Value], received_at: Instant) -> Result<JobReport>;
    fn request(&mut self, req: &AdvanceRequest) -> Result<crate::eligibility::AdvanceDecision>;
    fn cancel(
        &mut self,
        advance_id: &str,
        at: Instant,
    ) -> Result<crate::eligibility::CancelDecision>;
    /// The SPEC §8 result of a query: the explained answer, serialized.
    fn query(&mut self, employee_id: &str, as_of: Instant, d: Delivery) -> Result<Value>;
}

impl Target for Twin {
    fn tz(&self) -> chrono_tz::Tz {
        self.company().timezone
    }
    fn apply(&mut self, kind: Kind, records: &[Value], received_at: Instant) -> Result<JobReport> {
        Twin::apply(self, kind, records, received_at)
    }
    fn request(&mut self, req: &AdvanceRequest) -> Result<crate::eligibility::AdvanceDecision> {
        self.request_advance(req)
    }
    fn cancel(
        &mut self,
        advance_id: &str,
        at: Instant,
    ) -> Result<crate::eligibility::CancelDecision> {
        Ok(self.cancel_advance(advance_id, at))
    }
    fn query(&mut self, employee_id: &str, as_of: Instant, d: Delivery) -> Result<Value> {
        to_value(&self.eligibility(employee_id, as_of, d, Detail::Explained)?)
    }
}

/// A company of a store as a scenario target.
struct InStore<'a> {
    store: &'a mut crate::store::Store,
    company_id: String,
    tz: chrono_tz::Tz,
}

impl Target for InStore<'_> {
    fn tz(&self) -> chrono_tz::Tz {
        self.tz
    }
    fn apply(&mut self, kind: Kind, records: &[Value], received_at: Instant) -> Result<JobReport> {
        self.store
            .apply(&self.company_id, kind, records, received_at)
    }
    fn request(&mut self, req: &AdvanceRequest) -> Result<crate::eligibility::AdvanceDecision> {
        self.store.request_advance(&self.company_id, req)
    }
    fn cancel(
        &mut self,
        advance_id: &str,
        at: Instant,
    ) -> Result<crate::eligibility::CancelDecision> {
        self.store.cancel_advance(&self.company_id, advance_id, at)
    }
    fn query(&mut self, employee_id: &str, as_of: Instant, d: Delivery) -> Result<Value> {
        // Answer from a fresh load: what a second process opening the file would see.
        let twin = self.store.load(&self.company_id)?;
        to_value(&twin.eligibility(employee_id, as_of, d, Detail::Explained)?)
    }
}

/// Runs a scenario document against a new company in `store`: every push, advance and
/// cancel is journaled, and every query answers from a fresh load of the store.
///
/// # Errors
/// As [`run_str`], plus [`Error::Storage`] and [`Error::InvalidArgument`] when the company
/// exists already in the store.
pub fn run_in_store(doc: &Value, store: &mut crate::store::Store) -> Result<ScenarioOutput> {
    let obj = check_document(doc)?;
    let company = company_of(obj)?;
    store.create_company(&company)?;
    let mut target = InStore {
        store,
        company_id: company.company_id.clone(),
        tz: company.timezone,
    };
    run_on(obj, &mut target)
}

fn bad(path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Scenario {
        path: path.into(),
        message: message.into(),
    }
}

/// Parses and runs a scenario document given as text.
///
/// # Errors
/// [`Error::Scenario`] when the document is malformed (not JSON, unknown fields, both forms,
/// a kind that is not an array of objects, ...), [`Error::Config`] for a bad company, and any
/// error of the calls it makes.
pub fn run_str(text: &str) -> Result<ScenarioOutput> {
    // A UTF-8 byte order mark is not part of the JSON (RFC 8259 §8.1).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc: Value =
        serde_json::from_str(text).map_err(|e| bad("document", format!("not JSON: {e}")))?;
    run(&doc)
}

/// Runs a parsed scenario document; see [`run_str`].
///
/// # Errors
/// As [`run_str`].
pub fn run(doc: &Value) -> Result<ScenarioOutput> {
    Ok(run_with_twin(doc)?.0)
}

/// Runs a scenario document and also returns the twin it built (for the store and benches).
///
/// # Errors
/// As [`run_str`].
pub fn run_with_twin(doc: &Value) -> Result<(ScenarioOutput, Twin)> {
    let obj = check_document(doc)?;
    let mut twin = Twin::new(company_of(obj)?);
    let out = run_on(obj, &mut twin)?;
    Ok((out, twin))
}

fn check_document(doc: &Value) -> Result<&Map<String, Value>> {
    let obj = doc
        .as_object()
        .ok_or_else(|| bad("document", "must be a JSON object"))?;
    for k in obj.keys() {
        let known = matches!(
            k.as_str(),
            "company" | "received_at" | "advances" | "queries" | "steps"
        ) || KIND_KEYS.contains(&k.as_str());
        if !known {
            return Err(bad(k.as_str(), "unknown top-level field"));
        }
    }
    if obj.contains_key("steps") {
        let mixed = KIND_KEYS
            .iter()
            .chain(["advances", "queries"].iter())
            .find(|k| {
                obj.get(**k)
                    .is_some_and(|v| **k != LEAVES_KEY || !v.is_null())
            });
        if let Some(k) = mixed {
            return Err(bad(
                *k,
                "a document has either `steps` or the kind arrays, advances and queries, not both",
            ));
        }
    }
    Ok(obj)
}

fn company_of(obj: &Map<String, Value>) -> Result<Company> {
    match obj.get("company") {
        Some(c) => Company::from_json(c),
        None => Err(bad("company", "is required")),
    }
}

fn run_on<T: Target>(obj: &Map<String, Value>, target: &mut T) -> Result<ScenarioOutput> {
    let tz = target.tz();
    let mut out = ScenarioOutput {
        jobs: Vec::new(),
        advances: Vec::new(),
        results: Vec::new(),
    };
    if let Some(steps) = obj.get("steps") {
        let steps = steps
            .as_array()
            .ok_or_else(|| bad("steps", "must be an array"))?;
        for (i, step) in steps.iter().enumerate() {
            run_step(target, &mut out, step, &format!("steps[{i}]"))?;
        }
        return Ok(out);
    }
    let received_at = instant(tz, obj.get("received_at"), "received_at")?;
    for key in KIND_KEYS {
        let records = match obj.get(key) {
            // SPEC §8: a leaves job only when the document has the key; null is absent.
            None | Some(Value::Null) if key == LEAVES_KEY => continue,
            None => Vec::new(),
            Some(v) => records(v, key)?,
        };
        let kind = Kind::parse(key).ok_or_else(|| bad(key, "unknown kind"))?;
        out.jobs
            .push(apply(target, kind, &records, received_at, key)?);
    }
    let mut advances: Vec<(AdvanceRequest, usize)> = match obj.get("advances") {
        None => Vec::new(),
        Some(v) => array(v, "advances")?
            .iter()
            .enumerate()
            .map(|(i, a)| advance(tz, a, &format!("advances[{i}]")).map(|r| (r, i)))
            .collect::<Result<_>>()?,
    };
    // SPEC §8: advances in requested_at order, ties by advance_id, then input order.
    advances.sort_by(|(a, i), (b, j)| {
        (a.requested_at, &a.advance_id, i).cmp(&(b.requested_at, &b.advance_id, j))
    });
    for (req, _) in &advances {
        let d = target.request(req)?;
        out.advances.push(to_value(&d)?);
    }
    if let Some(v) = obj.get("queries") {
        for (i, q) in array(v, "queries")?.iter().enumerate() {
            out.results
                .push(query(target, q, &format!("queries[{i}]"))?);
        }
    }
    Ok(out)
}

fn run_step<T: Target>(
    twin: &mut T,
    out: &mut ScenarioOutput,
    step: &Value,
    path: &str,
) -> Result<()> {
    let tz = twin.tz();
    let obj = step
        .as_object()
        .ok_or_else(|| bad(path, "must be an object"))?;
    if let Some(kind) = obj.get("push") {
        allow(obj, &["push", "received_at", "records"], path)?;
        let key = kind
            .as_str()
            .filter(|k| KIND_KEYS.contains(k))
            .ok_or_else(|| {
                bad(
                    format!("{path}.push"),
                    format!("`{kind}` is not a kind ({})", KIND_KEYS.join(", ")),
                )
            })?;
        let received_at = instant(tz, obj.get("received_at"), &format!("{path}.received_at"))?;
        let recs = match obj.get("records") {
            Some(v) => records(v, &format!("{path}.records"))?,
            None => return Err(bad(format!("{path}.records"), "is required")),
        };
        let kind = Kind::parse(key).ok_or_else(|| bad(path, "unknown kind"))?;
        out.jobs.push(apply(twin, kind, &recs, received_at, path)?);
        return Ok(());
    }
    let (name, body) = obj
        .iter()
        .next()
        .filter(|_| obj.len() == 1)
        .ok_or_else(|| {
            bad(
                path,
                "a step is {\"push\"...}, {\"advance\": ..}, {\"cancel\": ..} or {\"query\": ..}",
            )
        })?;
    let p = format!("{path}.{name}");
    match name.as_str() {
        "advance" => {
            let req = advance(tz, body, &p)?;
            let d = twin.request(&req)?;
            out.advances.push(to_value(&d)?);
        }
        "cancel" => {
            let c = body
                .as_object()
                .ok_or_else(|| bad(&p, "must be an object"))?;
            allow(c, &["advance_id", "at"], &p)?;
            let id = string(c.get("advance_id"), &format!("{p}.advance_id"))?;
            let at = instant(tz, c.get("at"), &format!("{p}.at"))?;
            let d = twin.cancel(&id, at)?;
            out.advances.push(to_value(&d)?);
        }
        "query" => out.results.push(query(twin, body, &p)?),
        _ => return Err(bad(p, "unknown step (push, advance, cancel, query)")),
    }
    Ok(())
}

fn apply<T: Target>(
    twin: &mut T,
    kind: Kind,
    records: &[Value],
    received_at: Instant,
    path: &str,
) -> Result<JobReport> {
    twin.apply(kind, records, received_at).map_err(|e| match e {
        Error::BatchRefused { reason } => bad(path, reason),
        other => other,
    })
}

fn to_value<T: Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| bad("output", e.to_string()))
}

fn allow(obj: &Map<String, Value>, fields: &[&str], path: &str) -> Result<()> {
    match obj.keys().find(|k| !fields.contains(&k.as_str())) {
        Some(k) => Err(bad(format!("{path}.{k}"), "unknown field")),
        None => Ok(()),
    }
}

fn array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>> {
    v.as_array().ok_or_else(|| bad(path, "must be an array"))
}

fn records(v: &Value, path: &str) -> Result<Vec<Value>> {
    let arr = v
        .as_array()
        .ok_or_else(|| bad(path, "must be an array of objects"))?;
    if let Some(i) = arr.iter().position(|r| !r.is_object()) {
        return Err(bad(format!("{path}[{i}]"), "must be an object"));
    }
    Ok(arr.clone())
}

fn string(v: Option<&Value>, path: &str) -> Result<String> {
    v.and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| bad(path, "must be a string"))
}

fn instant(tz: chrono_tz::Tz, v: Option<&Value>, path: &str) -> Result<Instant> {
    let s = v
        .and_then(Value::as_str)
        .ok_or_else(|| bad(path, "must be a timestamp string"))?;
    calendar::parse_instant(tz, s).map_err(|e| bad(path, e.to_string()))
}

fn delivery(v: Option<&Value>, path: &str) -> Result<Delivery> {
    match v {
        None | Some(Value::Null) => Ok(Delivery::Standard),
        Some(x) => x
            .as_str()
            .and_then(Delivery::parse)
            .ok_or_else(|| bad(path, "must be `standard` or `instant`")),
    }
}

fn advance(tz: chrono_tz::Tz, v: &Value, path: &str) -> Result<AdvanceRequest> {
    let a = v
        .as_object()
        .ok_or_else(|| bad(path, "must be an object"))?;
    allow(
        a,
        &[
            "advance_id",
            "employee_id",
            "amount",
            "requested_at",
            "delivery",
        ],
        path,
    )?;
    Ok(AdvanceRequest {
        advance_id: string(a.get("advance_id"), &format!("{path}.advance_id"))?,
        employee_id: string(a.get("employee_id"), &format!("{path}.employee_id"))?,
        amount: a.get("amount").and_then(Value::as_i64).ok_or_else(|| {
            bad(
                format!("{path}.amount"),
                "must be an integer of minor units",
            )
        })?,
        requested_at: instant(tz, a.get("requested_at"), &format!("{path}.requested_at"))?,
        delivery: delivery(a.get("delivery"), &format!("{path}.delivery"))?,
    })
}

fn query<T: Target>(twin: &mut T, v: &Value, path: &str) -> Result<Value> {
    let tz = twin.tz();
    let q = v
        .as_object()
        .ok_or_else(|| bad(path, "must be an object"))?;
    allow(q, &["employee_id", "as_of", "delivery"], path)?;
    let id = string(q.get("employee_id"), &format!("{path}.employee_id"))?;
    let as_of = instant(tz, q.get("as_of"), &format!("{path}.as_of"))?;
    let d = delivery(q.get("delivery"), &format!("{path}.delivery"))?;
    twin.query(&id, as_of, d)
}
