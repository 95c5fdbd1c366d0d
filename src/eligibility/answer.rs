//! The eligibility answer (SPEC §6, §8 `results`): one type for one employee and for a
//! whole company, its ids borrowed from the twin, serialized to the SPEC §8 result shape.

use super::Reasons;
use crate::accrual::PeriodAccrual;
use crate::calendar::Instant;
use crate::model::{Advance, Delivery};
use crate::money::Currency;
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// How much an answer for one employee explains ([`Twin::eligibility`]).
///
/// [`Twin::eligibility`]: crate::Twin::eligibility
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Detail {
    /// The figures, reasons and outstanding lines, with `periods` empty: what
    /// [`Twin::eligibility_all`](crate::Twin::eligibility_all) gives every employee. It
    /// allocates nothing for an employee without advances.
    Brief,
    /// Also every period unpaid at `as_of`, oldest first, with its explain lines: the
    /// SPEC §8 `results` answer (what a scenario query prints).
    #[default]
    Explained,
}

/// One component of `outstanding`: an advance, or a shortfall carried from a period.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OutstandingLine {
    /// `advance` or `carried_shortfall`.
    pub kind: &'static str,
    /// The advance, for `advance` lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advance_id: Option<String>,
    /// The advance's amount, or the shortfall carried.
    pub amount: i64,
    /// The advance's fee (0 for a shortfall).
    pub fee: i64,
    /// For a shortfall: the schedule of the period it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_schedule_id: Option<String>,
    /// For a shortfall: the period it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_period_id: Option<String>,
}

impl OutstandingLine {
    /// The line of an advance: its id, amount and fee.
    pub(crate) fn advance(a: &Advance) -> OutstandingLine {
        OutstandingLine {
            kind: "advance",
            advance_id: Some(a.id.to_string()),
            amount: a.amount,
            fee: a.fee,
            pay_schedule_id: None,
            pay_period_id: None,
        }
    }
}

/// An amount cap of the advance policy (SPEC §6) that made `available` smaller than what
/// the headroom allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// `max_advance`: the most one advance may be.
    MaxAdvance,
    /// `max_per_period`: what is left of the cap on the advances recovered from `R`.
    MaxPerPeriod,
    /// `max_per_day`: what is left of today's cap.
    MaxPerDay,
    /// `max_per_week`: what is left of this week's cap.
    MaxPerWeek,
}

impl Limit {
    /// The policy field's name.
    pub fn field(self) -> &'static str {
        match self {
            Limit::MaxAdvance => "max_advance",
            Limit::MaxPerPeriod => "max_per_period",
            Limit::MaxPerDay => "max_per_day",
            Limit::MaxPerWeek => "max_per_week",
        }
    }
}

/// The recovery period `R` of an answer, borrowed from the twin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecoveryPeriod<'t> {
    /// `R`'s schedule.
    pub pay_schedule_id: &'t str,
    /// `R`'s period (the group's name).
    pub pay_period_id: &'t str,
    /// `R`'s payday.
    pub pay_at: Instant,
}

/// An eligibility answer (SPEC §6; SPEC §8 `results` when serialized).
///
/// Ids are borrowed from the twin (`'t`; an unknown employee's id from the question),
/// instants are [`Instant`]s and the reasons a [`Reasons`] set, so that computing an answer
/// allocates nothing for an employee without advances, unless [`Detail::Explained`] asks
/// for the periods and their lines. Text appears only when the answer is serialized: its
/// `Serialize` impl writes the SPEC §8 result object (instants in UTC with `Z`, the
/// currency as its code, the recovery period as `recovery_pay_schedule_id`,
/// `recovery_pay_period_id` and `recovery_pay_at`, reasons as codes in SPEC §6 order).
///
/// ```
/// use ewa::{eligibility::Detail, Delivery, Reason};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let twin = ewa::generate::twin(&ewa::generate::Options { employees: 20, ..Default::default() })?;
/// let at = ewa::generate::Options::default().as_of();
///
/// // Every employee, on all cores, without explanations.
/// let all = twin.eligibility_all(at, Delivery::Standard)?;
/// assert_eq!(all.len(), 20);
/// // One employee: the same answer, and with `Detail::Explained` also its unpaid periods.
/// let id = all[3].employee_id;
/// assert_eq!(twin.eligibility(id, at, Delivery::Standard, Detail::Brief)?, all[3]);
/// let explained = twin.eligibility(id, at, Delivery::Standard, Detail::Explained)?;
/// assert_eq!(explained.available, all[3].available);
/// assert!(!explained.periods.is_empty());
///
/// // An unknown employee is an answer, not an error; serialized, it is SPEC §8's shape.
/// let ghost = twin.eligibility("ghost", at, Delivery::Standard, Detail::Brief)?;
/// assert!(ghost.reasons.contains(Reason::UnknownEmployee));
/// let json = serde_json::to_value(&ghost)?;
/// assert_eq!(json["employee_id"], "ghost");
/// assert_eq!(json["reasons"], serde_json::json!(["unknown_employee"]));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Eligibility<'t> {
    /// The employee asked about.
    pub employee_id: &'t str,
    /// The instant `t`.
    pub as_of: Instant,
    /// The delivery speed whose fee applies.
    pub delivery: Delivery,
    /// The employee's currency.
    pub currency: Option<Currency>,
    /// `available > 0`.
    pub eligible: bool,
    /// The largest amount that meets every constraint (0 when not eligible).
    pub available: i64,
    /// The fee of `available` at this delivery speed.
    pub fee: i64,
    /// Σ net of every unpaid period (informational).
    pub accrued_unpaid_net: i64,
    /// `net(R)`.
    pub accessible_base: i64,
    /// Σ (amount + fee) of advances recovered from `R` + carried shortfall.
    pub outstanding: i64,
    /// Shortfall carried from periods that paid before `R`.
    pub carried_shortfall: i64,
    /// `floor(access_rate × max(0, base)) − outstanding`.
    pub headroom: i64,
    /// `R`, when there is one.
    pub recovery: Option<RecoveryPeriod<'t>>,
    /// Every reason that applies (iterated in SPEC §6 order).
    pub reasons: Reasons,
    /// The amount cap that set `available` below what the headroom allows, when one did
    /// (`None` when nothing is available). Not part of the SPEC §8 answer: `ewa explain`
    /// says it in words.
    pub limited_by: Option<Limit>,
    /// What makes up `outstanding` (empty, not allocated, without advances).
    pub outstanding_lines: Vec<OutstandingLine>,
    /// The periods unpaid at `t`, oldest first, with lines ([`Detail::Explained`] only).
    pub periods: Vec<PeriodAccrual>,
}

impl<'t> Eligibility<'t> {
    /// An empty answer: nothing available, no reason yet.
    pub(crate) fn new(employee_id: &'t str, as_of: Instant, delivery: Delivery) -> Self {
        Eligibility {
            employee_id,
            as_of,
            delivery,
            currency: None,
            eligible: false,
            available: 0,
            fee: 0,
            accrued_unpaid_net: 0,
            accessible_base: 0,
            outstanding: 0,
            carried_shortfall: 0,
            headroom: 0,
            recovery: None,
            reasons: Reasons::default(),
            limited_by: None,
            outstanding_lines: Vec::new(),
            periods: Vec::new(),
        }
    }
}

/// An instant as SPEC §8 prints it (its `Display`: RFC 3339 in UTC with `Z`).
struct Utc(Instant);

impl Serialize for Utc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// The SPEC §8 result object, in this field order (decision 29 adds `delivery`, `fee`,
/// `headroom` and `recovery_pay_at`).
impl Serialize for Eligibility<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.recovery.as_ref();
        let mut m = s.serialize_struct("Eligibility", 18)?;
        m.serialize_field("employee_id", self.employee_id)?;
        m.serialize_field("as_of", &Utc(self.as_of))?;
        m.serialize_field("delivery", &self.delivery)?;
        m.serialize_field("currency", &self.currency.as_ref().map(Currency::code))?;
        m.serialize_field("eligible", &self.eligible)?;
        m.serialize_field("available", &self.available)?;
        m.serialize_field("fee", &self.fee)?;
        m.serialize_field("accrued_unpaid_net", &self.accrued_unpaid_net)?;
        m.serialize_field("accessible_base", &self.accessible_base)?;
        m.serialize_field("outstanding", &self.outstanding)?;
        m.serialize_field("carried_shortfall", &self.carried_shortfall)?;
        m.serialize_field("headroom", &self.headroom)?;
        m.serialize_field("recovery_pay_schedule_id", &r.map(|r| r.pay_schedule_id))?;
        m.serialize_field("recovery_pay_period_id", &r.map(|r| r.pay_period_id))?;
        m.serialize_field("recovery_pay_at", &r.map(|r| Utc(r.pay_at)))?;
        m.serialize_field("reasons", &self.reasons)?;
        m.serialize_field("outstanding_lines", &self.outstanding_lines)?;
        m.serialize_field("periods", &self.periods)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Reason;

    fn at(s: &str) -> Instant {
        crate::calendar::parse_instant(chrono_tz::UTC, s).unwrap()
    }

    #[test]
    fn serializes_to_the_spec_result_shape() {
        let mut e = Eligibility::new("e1", at("2026-06-10T00:00:00Z"), Delivery::Instant);
        e.currency = Currency::parse("EUR");
        e.eligible = true;
        e.available = 7_000;
        e.fee = 105;
        e.accrued_unpaid_net = 16_000;
        e.accessible_base = 16_000;
        e.outstanding = 500;
        e.headroom = 7_500;
        e.recovery = Some(RecoveryPeriod {
            pay_schedule_id: "monthly",
            pay_period_id: "2026-06",
            pay_at: at("2026-07-03T00:00:00.5Z"),
        });
        e.reasons.insert(Reason::BelowMinimum);
        e.outstanding_lines.push(OutstandingLine {
            kind: "advance",
            advance_id: Some("a1".into()),
            amount: 500,
            fee: 0,
            pay_schedule_id: None,
            pay_period_id: None,
        });
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            concat!(
                r#"{"employee_id":"e1","as_of":"2026-06-10T00:00:00Z","delivery":"instant","#,
                r#""currency":"EUR","eligible":true,"available":7000,"fee":105,"#,
                r#""accrued_unpaid_net":16000,"accessible_base":16000,"outstanding":500,"#,
                r#""carried_shortfall":0,"headroom":7500,"recovery_pay_schedule_id":"monthly","#,
                r#""recovery_pay_period_id":"2026-06","#,
                r#""recovery_pay_at":"2026-07-03T00:00:00.500000Z","reasons":["below_minimum"],"#,
                r#""outstanding_lines":[{"kind":"advance","advance_id":"a1","amount":500,"fee":0}],"#,
                r#""periods":[]}"#
            )
        );
    }

    #[test]
    fn an_empty_answer_prints_nulls_and_empty_lists() {
        let e = Eligibility::new("ghost", at("2026-06-10T00:00:00Z"), Delivery::Standard);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["currency"], serde_json::Value::Null);
        assert_eq!(v["recovery_pay_at"], serde_json::Value::Null);
        assert_eq!(v["reasons"], serde_json::json!([]));
        assert_eq!(v["delivery"], "standard");
    }
}
