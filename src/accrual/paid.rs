//! Paid time (SPEC §5 "Paid time", §5.6 unpaid breaks): a counted shift clipped to its
//! assignment, minus its unpaid breaks — the explicit `unpaid_breaks` of the version, else
//! the contract's automatic centred break (`custom_info.auto_unpaid_break`) when the shift
//! has no `unpaid_breaks` field and lasts more than `after_hours`.
//!
//! Everything paid by the hour reads paid time through [`paid`] (hourly straight pay,
//! overtime classification, tips); overlap conflicts and `shift_hours_max` use the whole
//! shift, and a daily rate ignores breaks. A shift without breaks is one piece: no
//! allocation, one test of an empty side map.

use super::Books;
use crate::calendar::Instant;
use crate::model::{AutoBreak, Contract, ShiftRec, Span};
use crate::money::decimal::json_decimal;
use crate::money::Exact;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// The breaks of one shift version, as paid time subtracts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Breaks<'a> {
    /// Sorted, disjoint breaks (explicit ones; empty: none).
    Listed(&'a [Span]),
    /// The contract's automatic break (SPEC §5.6).
    Auto(Span),
}

impl Breaks<'_> {
    /// No break.
    pub const NONE: Breaks<'static> = Breaks::Listed(&[]);

    fn get(&self, k: usize) -> Option<Span> {
        match self {
            Breaks::Listed(b) => b.get(k).copied(),
            Breaks::Auto(s) => (k == 0).then_some(*s),
        }
    }
}

/// The breaks of a shift `[start, stop)` with side record `breaks` (`None`: no
/// `unpaid_breaks` field) on contract `c` (SPEC §5.6): the explicit list, else the
/// contract's automatic break if the whole shift lasts more than `after_hours`.
#[inline]
pub(crate) fn breaks_of<'a>(
    breaks: Option<&'a [Span]>,
    c: Option<&Contract>,
    start: Instant,
    stop: Instant,
) -> Breaks<'a> {
    match (breaks, c.and_then(|c| c.auto_break.as_ref())) {
        (Some(listed), _) => Breaks::Listed(listed),
        (None, Some(auto)) => auto.of(start, stop).map_or(Breaks::NONE, Breaks::Auto),
        (None, None) => Breaks::NONE,
    }
}

/// The breaks of shift record `r` on contract `c` in `twin` (its current version).
#[inline]
pub(crate) fn shift_breaks<'a>(twin: &'a Books, r: &ShiftRec, c: Option<&Contract>) -> Breaks<'a> {
    let listed = twin.shifts.ext.breaks(r.ix());
    breaks_of(listed, c, r.start, r.stop)
}

/// The paid intervals of `[a, b)` (a shift already clipped to its assignment and a window)
/// minus `breaks`, in order (SPEC §5 "Paid time").
#[inline]
pub(crate) fn pieces(a: Instant, b: Instant, breaks: Breaks<'_>) -> Pieces<'_> {
    Pieces {
        cursor: a,
        end: b,
        breaks,
        k: 0,
    }
}

/// The paid intervals of counted shift `r` on contract `c` inside `[lo, hi)` (its
/// assignment's stint ∩ a window): the one function everything paid uses (SPEC §5.6).
#[inline]
pub(crate) fn paid<'a>(
    twin: &'a Books,
    r: &ShiftRec,
    c: Option<&Contract>,
    lo: Instant,
    hi: Instant,
) -> Pieces<'a> {
    pieces(r.start.max(lo), r.stop.min(hi), shift_breaks(twin, r, c))
}

impl<'a> super::Accrual<'a> {
    /// [`paid`], reading the shift's breaks through the answer's [`super::sides`] list.
    #[inline]
    pub(crate) fn paid(
        &self,
        r: &ShiftRec,
        c: Option<&Contract>,
        lo: Instant,
        hi: Instant,
    ) -> Pieces<'a> {
        pieces(r.start.max(lo), r.stop.min(hi), self.breaks(r, c))
    }

    /// [`shift_breaks`], reading through the answer's [`super::sides`] list.
    #[inline]
    pub(crate) fn breaks(&self, r: &ShiftRec, c: Option<&Contract>) -> Breaks<'a> {
        let listed = self.side_breaks(r);
        breaks_of(listed, c, r.start, r.stop)
    }
}

/// Iterator over paid intervals: the gaps between breaks inside `[cursor, end)`.
#[derive(Clone, Debug)]
pub(crate) struct Pieces<'a> {
    cursor: Instant,
    end: Instant,
    breaks: Breaks<'a>,
    k: usize,
}

impl Iterator for Pieces<'_> {
    type Item = (Instant, Instant);

    #[inline]
    fn next(&mut self) -> Option<(Instant, Instant)> {
        while self.cursor < self.end {
            match self.breaks.get(self.k) {
                Some(b) if b.stop <= self.cursor => self.k += 1,
                Some(b) if b.start < self.end => {
                    let piece = (self.cursor, b.start.min(self.end));
                    self.cursor = self.cursor.max(b.stop);
                    self.k += 1;
                    if piece.0 < piece.1 {
                        return Some(piece);
                    }
                }
                _ => {
                    let piece = (self.cursor, self.end);
                    self.cursor = self.end;
                    return Some(piece);
                }
            }
        }
        None
    }
}

/// Microseconds of paid time of `[a, b)` minus `breaks`.
pub(crate) fn paid_micros(a: Instant, b: Instant, breaks: Breaks<'_>) -> i64 {
    pieces(a, b, breaks)
        .map(|(x, y)| y.as_micros().saturating_sub(x.as_micros()))
        .fold(0i64, i64::saturating_add)
}

/// The keys of `custom_info.auto_unpaid_break` (SPEC §5.6).
pub(crate) const AUTO_BREAK_FIELDS: &[&str] = &["after_hours", "minutes"];
/// The field prefix of every automatic-break error (SPEC §5.6).
const BASE: &str = "custom_info.auto_unpaid_break";
/// The largest `after_hours` (a year of hours, as overtime thresholds; decisions.md).
const AFTER_HOURS_MAX: i64 = 8784;
/// Microseconds per hour and per minute.
const HOUR: i64 = 3_600_000_000;
const MINUTE: i64 = 60_000_000;

/// `custom_info.auto_unpaid_break` of a contract's `custom_info` (SPEC §5.6): the one
/// parser, used by contract ingestion and by the snapshot decoder (which re-derives the
/// rule from the stored `custom_info`). `Ok(None)` when absent or `null`; errors name the
/// field path, e.g. `custom_info.auto_unpaid_break.minutes`.
pub(crate) fn auto_break_of(
    custom_info: Option<&Map<String, Value>>,
) -> Result<Option<AutoBreak>, (String, String)> {
    let v = match custom_info.and_then(|c| c.get("auto_unpaid_break")) {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let obj = v
        .as_object()
        .ok_or_else(|| (BASE.to_string(), "must be an object".to_string()))?;
    if let Some(k) = obj
        .keys()
        .find(|k| !AUTO_BREAK_FIELDS.contains(&k.as_str()))
    {
        return Err((format!("{BASE}.{k}"), "unknown automatic break rule".into()));
    }
    let number = |k: &str| -> Result<Decimal, (String, String)> {
        match obj.get(k) {
            None | Some(Value::Null) => Err((format!("{BASE}.{k}"), "is required".into())),
            Some(x) => json_decimal(x).ok_or_else(|| {
                (
                    format!("{BASE}.{k}"),
                    "must be a number or a decimal string such as \"5.5\"".into(),
                )
            }),
        }
    };
    let hours = number("after_hours")?;
    if hours <= Decimal::ZERO || hours > Decimal::from(AFTER_HOURS_MAX) {
        return Err((
            format!("{BASE}.after_hours"),
            format!("must be hours > 0 and at most {AFTER_HOURS_MAX}"),
        ));
    }
    let minutes = number("minutes")?;
    let whole = minutes.fract().is_zero();
    let after_exact = Exact::from_decimal(hours).and_then(|h| h.checked_mul(Exact::int(HOUR)));
    let length = (whole && minutes >= Decimal::ONE)
        .then(|| rust_decimal::prelude::ToPrimitive::to_i64(&minutes))
        .flatten()
        .and_then(|m| m.checked_mul(MINUTE));
    let (Some(after_exact), Some(length)) = (after_exact, length) else {
        return Err((
            format!("{BASE}.minutes"),
            "must be whole minutes >= 1".into(),
        ));
    };
    // A whole length is below the exact hours exactly when it is below their ceiling.
    if after_exact.ceil().is_none_or(|after| length >= after) {
        return Err((
            format!("{BASE}.minutes"),
            "must be shorter than after_hours".into(),
        ));
    }
    let after = after_exact
        .floor()
        .ok_or_else(|| (format!("{BASE}.after_hours"), "is out of range".into()))?;
    Ok(Some(AutoBreak { after, length }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(us: i64) -> Instant {
        Instant::from_micros(us)
    }

    fn rule(v: Value) -> Result<Option<AutoBreak>, (String, String)> {
        let info = json!({ "auto_unpaid_break": v });
        auto_break_of(info.as_object())
    }

    #[test]
    fn pieces_are_the_gaps_between_breaks() {
        let b = [
            Span {
                start: at(2),
                stop: at(3),
            },
            Span {
                start: at(3),
                stop: at(5),
            },
            Span {
                start: at(8),
                stop: at(9),
            },
        ];
        let got: Vec<_> = pieces(at(0), at(10), Breaks::Listed(&b)).collect();
        assert_eq!(got, [(at(0), at(2)), (at(5), at(8)), (at(9), at(10))]);
        // Clipped inside a break and before the last one.
        let got: Vec<_> = pieces(at(4), at(8), Breaks::Listed(&b)).collect();
        assert_eq!(got, [(at(5), at(8))]);
        assert_eq!(paid_micros(at(0), at(10), Breaks::NONE), 10);
        assert_eq!(paid_micros(at(2), at(5), Breaks::Listed(&b)), 0);
        assert_eq!(pieces(at(5), at(5), Breaks::NONE).count(), 0);
    }

    #[test]
    fn the_automatic_break_is_centred_and_rounded_down() {
        let a = rule(json!({"after_hours": "6", "minutes": 30}))
            .unwrap()
            .unwrap();
        // 9 h: (9 h − 30 min) / 2 = 4 h 15 min after the start.
        let s = a.of(at(0), at(9 * HOUR)).unwrap();
        assert_eq!(s.start, at(4 * HOUR + 15 * MINUTE));
        assert_eq!(s.stop, at(4 * HOUR + 45 * MINUTE));
        // Exactly 6 h is not more than 6 h; one microsecond more is, rounded down.
        assert_eq!(a.of(at(0), at(6 * HOUR)), None);
        let s = a.of(at(0), at(6 * HOUR + 1)).unwrap();
        assert_eq!(s.start, at((6 * HOUR + 1 - 30 * MINUTE) / 2));
    }

    #[test]
    fn rules_are_checked_by_field() {
        let field = |v: Value| rule(v).unwrap_err().0;
        assert_eq!(field(json!(3)), BASE);
        assert_eq!(field(json!({"after_hours": 5})), format!("{BASE}.minutes"));
        assert_eq!(
            field(json!({"after_hours": 0, "minutes": 1})),
            format!("{BASE}.after_hours")
        );
        assert_eq!(
            field(json!({"after_hours": "x", "minutes": 1})),
            format!("{BASE}.after_hours")
        );
        assert_eq!(
            field(json!({"after_hours": 5, "minutes": 0})),
            format!("{BASE}.minutes")
        );
        assert_eq!(
            field(json!({"after_hours": 5, "minutes": "1.5"})),
            format!("{BASE}.minutes")
        );
        assert_eq!(
            field(json!({"after_hours": 0.5, "minutes": 30})),
            format!("{BASE}.minutes")
        );
        assert_eq!(
            field(json!({"after_hours": 5, "minutes": 1, "x": 1})),
            format!("{BASE}.x")
        );
        let a = rule(json!({"after_hours": "5.5", "minutes": "30.0"}))
            .unwrap()
            .unwrap();
        assert_eq!((a.after, a.length), (5 * HOUR + HOUR / 2, 30 * MINUTE));
        assert_eq!(rule(Value::Null).unwrap(), None);
    }
}
