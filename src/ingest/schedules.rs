//! Pay schedules (SPEC §2 "pay_schedule"): validation, alignment, merge by `pay_period_id`.

use super::fields::{Field, Rec};
use super::plan::{full, Applied, RecordError};
use crate::calendar::Frequency;
use crate::limits::Limits;
use crate::model::State;
use crate::model::{Alignment, Period, Schedule, ScheduleIx};
use chrono_tz::Tz;
use serde_json::{Map, Value};

pub(super) const FIELDS: &[&str] = &[
    "pay_schedule_id",
    "frequency",
    "alignment",
    "periods",
    "custom_info",
];
pub(super) const PERIOD_FIELDS: &[&str] = &["pay_period_id", "start_at", "stop_at", "pay_at"];
const FREQUENCIES: &str =
    "hourly, daily, weekly, bi-weekly, semi-monthly, monthly, annually, adhoc";

impl State {
    pub(crate) fn apply_schedule(&mut self, obj: &Map<String, Value>) -> Applied {
        let tz = self.company.timezone;
        let limits = self.company.limits.clone();
        let mut r = Rec::new(obj, &limits, FIELDS);
        let id = r.id("pay_schedule_id");
        let frequency = r
            .enumeration("frequency", true, Frequency::parse, FREQUENCIES)
            .ok()
            .flatten();
        let alignment = r
            .enumeration(
                "alignment",
                false,
                Alignment::parse,
                "arrears, aligned, advance",
            )
            .ok()
            .flatten();
        let custom_info = r.custom_info().ok().flatten().cloned();
        let pushed = read_periods(&mut r, &limits, tz);
        if !r.ok() {
            return Err(RecordError::rejected(r.errors));
        }
        let (Some(id), Some(frequency)) = (id, frequency) else {
            return Err(RecordError::rejected(r.errors));
        };
        let existing = self.schedule_ix.get(id);
        let periods = self.merge_periods(existing, pushed)?;
        check_alignment(alignment, &periods)?;
        if let Some(ix) = existing {
            self.check_salaried_frequency(ix, frequency)?;
        }
        let schedule = Schedule {
            id: id.into(),
            frequency,
            alignment,
            periods,
            custom_info,
        };
        self.store_schedule(existing, id, schedule)
    }

    /// Merges pushed periods into stored ones by id; rejects an overlap (SPEC §2 pay_schedule).
    fn merge_periods(
        &self,
        existing: Option<ScheduleIx>,
        pushed: Vec<Period>,
    ) -> Result<Vec<Period>, RecordError> {
        // SPEC §2: merge by pay_period_id — new ids added, known ids replaced.
        let mut periods: Vec<Period> = existing
            .and_then(|ix| self.schedules.get(ix))
            .map(|s| s.periods.clone())
            .unwrap_or_default();
        for p in pushed {
            match periods.iter_mut().find(|q| q.id == p.id) {
                Some(q) => *q = p,
                None => periods.push(p),
            }
        }
        periods.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        // SPEC §2: periods of one schedule must not overlap (touching is fine).
        for w in periods.windows(2) {
            if let [a, b] = w {
                if b.start < a.stop {
                    return Err(RecordError::field(
                        "periods",
                        format!(
                            "period `{}` [{}, {}) overlaps period `{}` [{}, {}); the merge is rejected whole",
                            b.id, b.start, b.stop, a.id, a.start, a.stop
                        ),
                    ));
                }
            }
        }
        Ok(periods)
    }

    /// Salaried contracts on schedule `ix` need a daily..annually frequency (SPEC §2 contract).
    fn check_salaried_frequency(
        &self,
        ix: ScheduleIx,
        frequency: Frequency,
    ) -> Result<(), RecordError> {
        // decisions.md: a salaried contract needs a schedule of frequency daily..annually.
        if frequency.periods_per_year().is_none() {
            if let Some(c) = self
                .contracts
                .iter()
                .find(|c| c.schedule == ix && crate::model::is_salaried(c.rate_period))
            {
                return Err(RecordError::field(
                    "frequency",
                    format!(
                        "salaried contract `{}` uses this schedule; its frequency must be daily..annually",
                        c.id
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Stores the validated schedule: created, updated or unchanged (SPEC §3).
    fn store_schedule(
        &mut self,
        existing: Option<ScheduleIx>,
        id: &str,
        schedule: Schedule,
    ) -> Applied {
        match existing.and_then(|ix| self.schedules.get_mut(ix)) {
            Some(old) if *old == schedule => Ok(crate::ingest::Outcome::Unchanged),
            Some(old) => {
                *old = schedule;
                Ok(crate::ingest::Outcome::Updated)
            }
            None => {
                let ix = self.schedules.push(schedule).map_err(full)?;
                self.schedule_ix.insert(id, ix);
                Ok(crate::ingest::Outcome::Created)
            }
        }
    }
}

/// Reads `periods` (errors as `periods[i].field`); repeated ids must agree (SPEC §2 pay_schedule).
fn read_periods(r: &mut Rec<'_>, limits: &Limits, tz: Tz) -> Vec<Period> {
    let mut pushed: Vec<Period> = Vec::new();
    match r.get("periods") {
        Field::Val(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let Some(po) = item.as_object() else {
                    r.err(format!("periods[{i}]"), "must be an object");
                    continue;
                };
                let mut pr = Rec::new(po, limits, PERIOD_FIELDS);
                let pid = pr.id("pay_period_id");
                let start = pr.instant("start_at", tz, true).ok().flatten();
                let stop = pr.instant("stop_at", tz, true).ok().flatten();
                let pay_at = pr.instant("pay_at", tz, true).ok().flatten();
                if let (Some(s), Some(e)) = (start, stop) {
                    if s >= e {
                        pr.err("stop_at", format!("must be after start_at ({s} >= {e})"));
                    }
                }
                for e in pr.errors.drain(..) {
                    r.err(format!("periods[{i}].{}", e.field), e.message);
                }
                if let (Some(pid), Some(start), Some(stop), Some(pay_at)) =
                    (pid, start, stop, pay_at)
                {
                    let p = Period {
                        id: pid.into(),
                        start,
                        stop,
                        pay_at,
                    };
                    match pushed.iter().find(|q| q.id == p.id) {
                        Some(q) if *q == p => {}
                        Some(_) => r.err(
                            format!("periods[{i}].pay_period_id"),
                            format!("`{pid}` appears twice with different values"),
                        ),
                        None => pushed.push(p),
                    }
                }
            }
        }
        Field::Val(_) => r.err("periods", "must be an array of periods"),
        _ => {}
    }
    pushed
}

/// Checks that the alignment, when given, holds for every period (SPEC §2 pay_schedule).
fn check_alignment(alignment: Option<Alignment>, periods: &[Period]) -> Result<(), RecordError> {
    if let Some(al) = alignment {
        if let Some(p) = periods.iter().find(|p| !al.holds(p)) {
            return Err(RecordError::field(
                "alignment",
                format!(
                    "period `{}` (start {}, stop {}, pay {}) is not {}",
                    p.id,
                    p.start,
                    p.stop,
                    p.pay_at,
                    al.as_str()
                ),
            ));
        }
    }
    Ok(())
}
