//! Shift audit history (SPEC §2: the twin keeps every version of a shift).

use super::Twin;
use crate::model::ShiftVersion;
use serde::Serialize;

/// One version of a shift as it was pushed, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShiftVersionView {
    /// 1 for the first version pushed.
    pub version: usize,
    /// The job that pushed it.
    pub job_id: String,
    /// When the batch was received.
    pub received_at: String,
    /// `shift_status`.
    pub shift_status: &'static str,
    /// The employee, if any.
    pub employee_id: Option<String>,
    /// The contract, if any (resolved when the push left it out).
    pub contract_id: Option<String>,
    /// Start instant, UTC.
    pub start_at: String,
    /// Stop instant, UTC.
    pub stop_at: String,
    /// The version's unpaid breaks (SPEC §5.6), instants in UTC, by start; absent when the
    /// version has no `unpaid_breaks` (an empty list when it was sent empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unpaid_breaks: Option<Vec<BreakView>>,
    /// The version's tips in minor units (SPEC §5.7), when it has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tips: Option<i64>,
}

/// One unpaid break of a shift version, UTC instants (SPEC §5.6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BreakView {
    /// Start, UTC.
    pub start_at: String,
    /// Stop, UTC.
    pub stop_at: String,
}

impl Twin {
    /// Every version of a shift, oldest first; `None` for an unknown shift id.
    pub fn shift_history(&self, shift_id: &str) -> Option<Vec<ShiftVersionView>> {
        let st = &self.books.state;
        let ix = st.shifts.get(shift_id)?;
        let current = st.current_version(ix)?;
        let view = |n: usize, v: &ShiftVersion| ShiftVersionView {
            version: n,
            job_id: format!("job-{}", v.job),
            received_at: v.received_at.to_string(),
            shift_status: v.status.as_str(),
            employee_id: st.employee_id_of(v.employee),
            contract_id: st.contract_id_of(v.contract),
            start_at: v.start.to_string(),
            stop_at: v.stop.to_string(),
            unpaid_breaks: v.ext.as_ref().and_then(|x| x.breaks.as_ref()).map(|b| {
                b.iter()
                    .map(|s| BreakView {
                        start_at: s.start.to_string(),
                        stop_at: s.stop.to_string(),
                    })
                    .collect()
            }),
            tips: v.ext.as_ref().and_then(|x| x.tips),
        };
        let history = st.shifts.extra.get(&ix).map_or(&[][..], |x| &x.history[..]);
        Some(
            history
                .iter()
                .chain(std::iter::once(&current))
                .enumerate()
                .map(|(i, v)| view(i + 1, v))
                .collect(),
        )
    }
}
