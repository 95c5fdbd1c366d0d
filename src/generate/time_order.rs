//! The generated payroll in time order (issue #16), as a live integration feeds it:
//! schedules, contracts and employees first (as on day one); then the shifts in the order
//! they start, in daily batches (local dates of the company, at most `batch_max` records a
//! batch), with an employee's profile change and a contract's unchanged re-push every
//! seventh day, as an HR sync sends them along the way; then the additions and deductions.
//! The same records as [`super::for_each_batch`], so the twins differ only where arrival
//! order decides (which of two overlapping shifts is the conflict). `ewa bench --order
//! time`, the ingestion probe and the criterion bench of time-ordered ingestion all read it.

use super::Options;
use crate::calendar::{self, Instant};
use crate::error::{Error, Result};
use crate::ingest::Kind;
use serde_json::Value;

/// A shift record waiting for its day: its start (µs) and its JSON text.
struct Pending {
    start: i64,
    text: Box<str>,
}

/// Every day this many days, an employee and a contract are pushed again.
const SYNC_EVERY_DAYS: usize = 7;

/// Calls `f(kind, records, received_at)` with the generated batches in time order (see
/// the module docs); `received_at` is [`Options::received_at`] throughout.
///
/// # Errors
/// The first error of `f`, or a record that does not serialise.
pub fn for_each_batch_in_time_order(
    g: &Options,
    batch_max: usize,
    mut f: impl FnMut(Kind, &[Value], Instant) -> Result<()>,
) -> Result<()> {
    let at = g.received_at();
    let mut shifts: Vec<Pending> = Vec::new();
    let mut later: Vec<(Kind, Vec<Value>)> = Vec::new();
    let (mut employee, mut contract) = (None, None);
    super::for_each_batch(g, |kind, records| match kind {
        Kind::Shifts => {
            for r in &records {
                shifts.push(pending(g, r)?);
            }
            Ok(())
        }
        Kind::Additions | Kind::Deductions => {
            later.push((kind, records));
            Ok(())
        }
        _ => {
            if kind == Kind::Employees && employee.is_none() {
                employee = records.first().cloned();
            }
            if kind == Kind::Contracts && contract.is_none() {
                contract = records.first().cloned();
            }
            f(kind, &records, at)
        }
    })?;
    // Stable: shifts starting at one instant keep the generator's order.
    shifts.sort_by_key(|s| s.start);
    let sync = Sync { employee, contract };
    for (day, batch) in daily(g, &shifts, batch_max.max(1)).enumerate() {
        let records = batch
            .iter()
            .map(|p| serde_json::from_str(&p.text).map_err(|e| encode(&e)))
            .collect::<Result<Vec<Value>>>()?;
        f(Kind::Shifts, &records, at)?;
        if (day + 1) % SYNC_EVERY_DAYS == 0 {
            sync.push(day, at, &mut f)?;
        }
    }
    for (kind, records) in &later {
        f(*kind, records, at)?;
    }
    Ok(())
}

/// The records an HR sync re-sends along the way.
struct Sync {
    employee: Option<Value>,
    contract: Option<Value>,
}

impl Sync {
    /// The employee with a new family name (an update), the contract as it was (unchanged).
    fn push(
        &self,
        day: usize,
        at: Instant,
        f: &mut impl FnMut(Kind, &[Value], Instant) -> Result<()>,
    ) -> Result<()> {
        if let Some(mut e) = self.employee.clone() {
            if let Some(obj) = e.as_object_mut() {
                obj.insert("family_name".into(), format!("Feed {day}").into());
            }
            f(Kind::Employees, &[e], at)?;
        }
        if let Some(c) = &self.contract {
            f(Kind::Contracts, std::slice::from_ref(c), at)?;
        }
        Ok(())
    }
}

/// A shift record with the instant it starts (records whose start does not read sort
/// first: the engine rejects them wherever they come).
fn pending(g: &Options, r: &Value) -> Result<Pending> {
    let start = r
        .get("start_at")
        .and_then(Value::as_str)
        .and_then(|s| calendar::parse_instant(g.timezone, s).ok())
        .map_or(i64::MIN, Instant::as_micros);
    let text = serde_json::to_string(r).map_err(|e| encode(&e))?;
    Ok(Pending {
        start,
        text: text.into_boxed_str(),
    })
}

/// The sorted shifts cut at each local date's end, each day in slices of at most `max`.
fn daily<'s>(
    g: &Options,
    shifts: &'s [Pending],
    max: usize,
) -> impl Iterator<Item = &'s [Pending]> + 's {
    let tz = g.timezone;
    let date = move |p: &Pending| {
        Instant::from_micros(p.start)
            .to_utc()
            .map(|u| u.and_utc().with_timezone(&tz).date_naive())
    };
    shifts
        .chunk_by(move |a, b| date(a) == date(b))
        .flat_map(move |day| day.chunks(max))
}

fn encode(e: &serde_json::Error) -> Error {
    Error::InvalidArgument {
        name: "records".into(),
        message: e.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// The time order pushes every generated record once (plus the syncs), shifts in start
    /// order, never more than the batch limit at a time.
    #[test]
    fn every_shift_once_in_start_order_in_daily_batches() {
        let g = Options {
            employees: 40,
            shifts_per_employee: 12,
            ..Options::default()
        };
        let mut by_employee = Vec::new();
        super::super::for_each_batch(&g, |kind, records| {
            if kind == Kind::Shifts {
                by_employee.extend(records);
            }
            Ok(())
        })
        .unwrap();
        let (mut seen, mut starts, mut batches, mut syncs) = (Vec::new(), Vec::new(), 0, 0);
        for_each_batch_in_time_order(&g, 50, |kind, records, _| {
            match kind {
                Kind::Shifts => {
                    assert!(records.len() <= 50);
                    batches += 1;
                    for r in records {
                        starts.push(pending(&g, r).unwrap().start);
                        seen.push(r.clone());
                    }
                }
                Kind::Employees if records.len() == 1 => syncs += 1,
                _ => {}
            }
            Ok(())
        })
        .unwrap();
        assert!(starts.windows(2).all(|w| w[0] <= w[1]));
        let key = |v: &Value| v.to_string();
        let mut a: Vec<String> = by_employee.iter().map(key).collect();
        let mut b: Vec<String> = seen.iter().map(key).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        assert!(
            batches > 10 && syncs > 0,
            "{batches} batches, {syncs} syncs"
        );
    }
}
