//! Company-local time ↔ instants: the one DST rule of SPEC §2.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;

use super::{Instant, TimeError, Timestamp, MICROS_PER_SECOND};

/// No tz-database offset is anywhere near a day (the extremes are about ±16 hours, local
/// mean time of the 19th century), so the instant of any local time lies within this many
/// seconds of the local time read as UTC.
const OFFSET_SECONDS_BOUND: i64 = 26 * 3600;

/// Converts a company-local wall-clock time to an instant: **the** DST rule (SPEC §2).
///
/// * A local time that exists once is that instant.
/// * A local time in a DST gap (it does not exist) is the transition instant itself —
///   Brussels `2026-03-29T02:30:00` is `2026-03-29T01:00:00Z`, not shifted by the length of
///   the gap. Where the change is at midnight (America/Santiago, America/Havana) local 00:00
///   of the spring day is therefore the instant whose wall time is 01:00.
/// * An ambiguous local time (DST overlap) is the earlier of its two instants.
///
/// Total: never panics, whatever the date.
///
/// ```
/// use chrono::NaiveDate;
/// use chrono_tz::Europe::Brussels;
/// use ewa::calendar::local_to_instant;
/// let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
/// let gap = day(29).and_hms_opt(2, 30, 0).unwrap();
/// assert_eq!(local_to_instant(Brussels, gap).to_string(), "2026-03-29T01:00:00Z");
/// let overlap = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap().and_hms_opt(2, 30, 0).unwrap();
/// assert_eq!(local_to_instant(Brussels, overlap).to_string(), "2026-10-25T00:30:00Z");
/// ```
pub fn local_to_instant(tz: Tz, local: NaiveDateTime) -> Instant {
    // The local time read as if it were UTC; subtracting the offset gives the instant.
    let as_utc = Instant::from_utc(local).as_micros();
    let at = |offset_seconds: i32| {
        let us = i64::from(offset_seconds) * MICROS_PER_SECOND;
        Instant::from_micros(as_utc.saturating_sub(us))
    };
    match tz.offset_from_local_datetime(&local) {
        LocalResult::Single(o) => at(o.fix().local_minus_utc()),
        LocalResult::Ambiguous(a, b) => {
            std::cmp::min(at(a.fix().local_minus_utc()), at(b.fix().local_minus_utc()))
        }
        LocalResult::None => gap_transition(tz, local),
    }
}

/// The first whole second whose wall time is later than `local`: for a local time in a gap,
/// the transition instant (tz-database transitions are at whole seconds).
///
/// Bisection on the UTC axis between `local − 26 h` (wall time certainly earlier) and
/// `local + 26 h` (certainly later). Outside chrono's range, where no zone has transitions,
/// it falls back to the zone's offset at that instant.
fn gap_transition(tz: Tz, local: NaiveDateTime) -> Instant {
    let local_seconds = local.and_utc().timestamp();
    let mut lo = local_seconds.saturating_sub(OFFSET_SECONDS_BOUND);
    let mut hi = local_seconds.saturating_add(OFFSET_SECONDS_BOUND);
    // Invariant: wall(lo) <= local < wall(hi). Comparing whole seconds suffices: wall(u) is a
    // whole second, and an integer exceeds `local` exactly when it exceeds its floor.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match wall_seconds(tz, mid) {
            Some(wall) if wall > local_seconds => hi = mid,
            Some(_) => lo = mid,
            None => return fallback(tz, local),
        }
    }
    Instant::from_micros(hi.saturating_mul(MICROS_PER_SECOND))
}

/// The local wall time of the instant `seconds` (since the epoch), as seconds since the
/// epoch of the same wall time read as UTC.
fn wall_seconds(tz: Tz, seconds: i64) -> Option<i64> {
    let utc = DateTime::from_timestamp(seconds, 0)?.naive_utc();
    let offset = tz.offset_from_utc_datetime(&utc).fix().local_minus_utc();
    seconds.checked_add(i64::from(offset))
}

/// Reached only at the very ends of chrono's range: `local` minus the zone's offset there.
fn fallback(tz: Tz, local: NaiveDateTime) -> Instant {
    let offset = tz.offset_from_utc_datetime(&local).fix().local_minus_utc();
    let us = i64::from(offset) * MICROS_PER_SECOND;
    Instant::from_micros(Instant::from_utc(local).as_micros().saturating_sub(us))
}

/// Places a parsed timestamp on the UTC axis: an instant as is, a local time through
/// [`local_to_instant`] in `tz`.
pub fn resolve(tz: Tz, ts: Timestamp) -> Instant {
    match ts {
        Timestamp::Instant(t) => t,
        Timestamp::Local(local) => local_to_instant(tz, local),
    }
}

/// Parses a timestamp ([`parse_timestamp`](super::parse_timestamp)) and resolves it in the
/// company zone `tz` ([`resolve`]).
///
/// # Errors
/// [`TimeError`] when the text is not one of the spellings of SPEC §2.
/// Also when the instant falls outside the years 0000–9999 in UTC: output instants are UTC
/// in the same four-digit spelling (SPEC §2), so `9999-12-31T23:59:59-05:00` (UTC year
/// 10000) could be read but never written back.
pub fn parse_instant(tz: Tz, s: &str) -> Result<Instant, TimeError> {
    /// 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z, in microseconds since the epoch.
    const PRINTABLE: std::ops::Range<i64> = -62_167_219_200_000_000..253_402_300_800_000_000;
    let t = super::parse_timestamp(s).map(|ts| resolve(tz, ts))?;
    if PRINTABLE.contains(&t.as_micros()) {
        Ok(t)
    } else {
        Err(TimeError::new(
            s,
            "instant",
            "an instant in the years 0000 to 9999 in UTC",
        ))
    }
}

/// The instant a local date starts: [`local_to_instant`] of its 00:00 (so, where midnight
/// falls in a DST gap, the transition instant).
pub fn local_midnight(tz: Tz, date: NaiveDate) -> Instant {
    local_to_instant(tz, date.and_time(NaiveTime::MIN))
}

/// The wall-clock time in `tz` at instant `t`. Saturates at chrono's
/// `NaiveDateTime::MIN` / `MAX` for instants beyond its range.
pub fn local_datetime(tz: Tz, t: Instant) -> NaiveDateTime {
    let clamp = if t.as_micros() < 0 {
        NaiveDateTime::MIN
    } else {
        NaiveDateTime::MAX
    };
    let Some(utc) = t.to_utc() else {
        return clamp;
    };
    let offset = tz.offset_from_utc_datetime(&utc).fix().local_minus_utc();
    utc.checked_add_signed(chrono::TimeDelta::seconds(i64::from(offset)))
        .unwrap_or(clamp)
}

/// The local date in `tz` at instant `t` (see [`local_datetime`]).
pub fn local_date(tz: Tz, t: Instant) -> NaiveDate {
    local_datetime(tz, t).date()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::calendar::parse_timestamp;
    use chrono::Datelike;
    use chrono_tz::{America, Asia, Australia, Europe};

    fn local(s: &str) -> NaiveDateTime {
        match parse_timestamp(s).unwrap() {
            Timestamp::Local(l) => l,
            Timestamp::Instant(_) => panic!("{s} has an offset"),
        }
    }

    fn instant(s: &str) -> Instant {
        match parse_timestamp(s).unwrap() {
            Timestamp::Instant(t) => t,
            Timestamp::Local(_) => panic!("{s} has no offset"),
        }
    }

    /// `(zone, local, expected UTC)` rows; each checked both ways where the local time exists.
    fn check(tz: Tz, rows: &[(&str, &str)]) {
        for (row, &(l, u)) in rows.iter().enumerate() {
            let got = local_to_instant(tz, local(l));
            assert_eq!(
                got,
                instant(u),
                "{tz} row {row}: {l} -> {got}, expected {u}"
            );
            assert_eq!(parse_instant(tz, l), Ok(got));
            assert_eq!(resolve(tz, Timestamp::Local(local(l))), got);
        }
    }

    /// Instant → wall time rows.
    fn check_wall(tz: Tz, rows: &[(&str, &str)]) {
        for (row, &(u, l)) in rows.iter().enumerate() {
            assert_eq!(
                local_datetime(tz, instant(u)),
                local(l),
                "{tz} row {row}: {u}"
            );
        }
    }

    #[test]
    fn brussels() {
        let tz = Europe::Brussels;
        check(
            tz,
            &[
                ("2026-03-29T01:59:59", "2026-03-29T00:59:59Z"),
                ("2026-03-29T01:59:59.999999", "2026-03-29T00:59:59.999999Z"),
                ("2026-03-29T02:00:00", "2026-03-29T01:00:00Z"), // gap start
                ("2026-03-29T02:30:00", "2026-03-29T01:00:00Z"), // SPEC §2 example
                ("2026-03-29T02:59:59.999999", "2026-03-29T01:00:00Z"),
                ("2026-03-29T03:00:00", "2026-03-29T01:00:00Z"),
                ("2026-03-29T03:00:01", "2026-03-29T01:00:01Z"),
                ("2026-03-29", "2026-03-28T23:00:00Z"),
                ("2026-10-25T01:59:59", "2026-10-24T23:59:59Z"),
                ("2026-10-25T02:00:00", "2026-10-25T00:00:00Z"), // overlap: earlier
                ("2026-10-25T02:30:00", "2026-10-25T00:30:00Z"),
                ("2026-10-25T02:59:59", "2026-10-25T00:59:59Z"),
                ("2026-10-25T03:00:00", "2026-10-25T02:00:00Z"),
                ("2026-10-25", "2026-10-24T22:00:00Z"),
            ],
        );
        check_wall(
            tz,
            &[
                ("2026-03-29T00:59:59Z", "2026-03-29T01:59:59"),
                ("2026-03-29T01:00:00Z", "2026-03-29T03:00:00"),
                ("2026-10-25T00:30:00Z", "2026-10-25T02:30:00"),
                ("2026-10-25T01:30:00Z", "2026-10-25T02:30:00"), // the later copy
                ("2026-10-25T02:00:00Z", "2026-10-25T03:00:00"),
            ],
        );
    }

    #[test]
    fn new_york() {
        let tz = America::New_York;
        check(
            tz,
            &[
                ("2026-03-08T01:59:59", "2026-03-08T06:59:59Z"),
                ("2026-03-08T02:00:00", "2026-03-08T07:00:00Z"),
                ("2026-03-08T02:30:00", "2026-03-08T07:00:00Z"),
                ("2026-03-08T03:00:00", "2026-03-08T07:00:00Z"),
                ("2026-03-08T03:30:00", "2026-03-08T07:30:00Z"),
                ("2026-11-01T00:59:59", "2026-11-01T04:59:59Z"),
                ("2026-11-01T01:00:00", "2026-11-01T05:00:00Z"), // earlier (EDT)
                ("2026-11-01T01:30:00", "2026-11-01T05:30:00Z"),
                ("2026-11-01T02:00:00", "2026-11-01T07:00:00Z"),
            ],
        );
        check_wall(
            tz,
            &[
                ("2026-03-08T07:00:00Z", "2026-03-08T03:00:00"),
                ("2026-03-08T06:59:59Z", "2026-03-08T01:59:59"),
                ("2026-11-01T05:30:00Z", "2026-11-01T01:30:00"),
                ("2026-11-01T06:30:00Z", "2026-11-01T01:30:00"),
                ("2026-11-01T07:00:00Z", "2026-11-01T02:00:00"),
            ],
        );
    }

    #[test]
    fn sydney() {
        let tz = Australia::Sydney;
        check(
            tz,
            &[
                // April: AEDT (+11) → AEST (+10) at 03:00 local; 02:00–03:00 happens twice.
                ("2026-04-05T01:59:59", "2026-04-04T14:59:59Z"),
                ("2026-04-05T02:00:00", "2026-04-04T15:00:00Z"), // earlier is +11:00
                ("2026-04-05T02:30:00", "2026-04-04T15:30:00Z"),
                ("2026-04-05T03:00:00", "2026-04-04T17:00:00Z"),
                // October: AEST → AEDT at 02:00 local; 02:00–03:00 does not exist.
                ("2026-10-04T01:59:59", "2026-10-03T15:59:59Z"),
                ("2026-10-04T02:00:00", "2026-10-03T16:00:00Z"),
                ("2026-10-04T02:30:00", "2026-10-03T16:00:00Z"),
                ("2026-10-04T03:00:00", "2026-10-03T16:00:00Z"),
                ("2026-10-04T03:00:01", "2026-10-03T16:00:01Z"),
            ],
        );
        check_wall(
            tz,
            &[
                ("2026-04-04T15:30:00Z", "2026-04-05T02:30:00"),
                ("2026-04-04T16:30:00Z", "2026-04-05T02:30:00"),
                ("2026-10-03T16:00:00Z", "2026-10-04T03:00:00"),
            ],
        );
    }

    #[test]
    fn kolkata() {
        let tz = Asia::Kolkata;
        check(
            tz,
            &[
                ("2026-03-29T06:30:00", "2026-03-29T01:00:00Z"),
                ("2026-03-29", "2026-03-28T18:30:00Z"),
                ("2026-10-25T02:30:00", "2026-10-24T21:00:00Z"),
            ],
        );
        check_wall(tz, &[("2026-03-29T01:00:00Z", "2026-03-29T06:30:00")]);
    }

    /// The UTC instants (whole hours of 2026) where the zone's offset changes, found by
    /// scanning chrono-tz itself, refined to the second.
    fn transitions_2026(tz: Tz) -> Vec<(Instant, i32, i32)> {
        let offset = |s: i64| {
            let utc = DateTime::from_timestamp(s, 0).unwrap().naive_utc();
            tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
        };
        let start = instant("2026-01-01T00:00:00Z").as_micros() / MICROS_PER_SECOND;
        let end = instant("2027-01-01T00:00:00Z").as_micros() / MICROS_PER_SECOND;
        let mut found = Vec::new();
        let mut s = start;
        while s < end {
            let (a, b) = (offset(s), offset(s + 3600));
            if a != b {
                let (mut lo, mut hi) = (s, s + 3600);
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2;
                    if offset(mid) == a {
                        lo = mid
                    } else {
                        hi = mid
                    }
                }
                found.push((Instant::from_micros(hi * MICROS_PER_SECOND), a, b));
            }
            s += 3600;
        }
        found
    }

    #[test]
    fn santiago_midnight_transitions() {
        let tz = America::Santiago;
        let found = transitions_2026(tz);
        assert_eq!(found.len(), 2, "{found:?}");
        for &(t, before, after) in &found {
            let wall_after = local_datetime(tz, t);
            let one_before = t.checked_add_micros(-1).unwrap();
            let wall_before = local_datetime(tz, one_before);
            assert_eq!(
                wall_after.time(),
                wall_before.time()
                    + chrono::TimeDelta::microseconds(1)
                    + chrono::TimeDelta::seconds(i64::from(after - before))
            );
            if after > before {
                // Spring forward at midnight: 00:00 of that date does not exist; it resolves
                // to the transition, whose wall time is 01:00.
                assert_eq!(wall_after.time(), NaiveTime::from_hms_opt(1, 0, 0).unwrap());
                let date = wall_after.date();
                assert_eq!(local_midnight(tz, date), t);
                assert_eq!(local_date(tz, local_midnight(tz, date)), date);
                assert_eq!(local_to_instant(tz, date.and_hms_opt(0, 30, 0).unwrap()), t);
                // The day before is 24 h, the day itself 23 h.
                let prev = date.pred_opt().unwrap();
                let next = date.succ_opt().unwrap();
                let hours =
                    |a: Instant, b: Instant| (b.as_micros() - a.as_micros()) / 3_600_000_000;
                assert_eq!(hours(local_midnight(tz, prev), t), 24);
                assert_eq!(hours(t, local_midnight(tz, next)), 23);
                assert_eq!(date.month(), 9);
            } else {
                // Fall back at midnight: wall time goes 23:59:59.999999 → 23:00 of the same
                // day, so 23:00–24:00 happens twice (the earlier is taken) and the next
                // midnight once, an hour after the transition: that Saturday lasts 25 h.
                assert_eq!(
                    wall_before.time(),
                    NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap()
                );
                assert_eq!(wall_after.date(), wall_before.date());
                let date = wall_before.date().succ_opt().unwrap();
                assert_eq!(
                    local_midnight(tz, date),
                    t.checked_add_micros(3_600_000_000).unwrap()
                );
                let saturday = local_midnight(tz, wall_before.date());
                assert_eq!(
                    local_midnight(tz, date).as_micros() - saturday.as_micros(),
                    25 * 3_600_000_000
                );
                assert_eq!(
                    local_to_instant(tz, date.pred_opt().unwrap().and_hms_opt(23, 30, 0).unwrap()),
                    t.checked_add_micros(-30 * 60 * 1_000_000).unwrap()
                );
                assert_eq!(date.month(), 4);
            }
        }
    }

    #[test]
    fn havana_midnight_gap() {
        let tz = America::Havana;
        let found = transitions_2026(tz);
        assert_eq!(found.len(), 2, "{found:?}");
        let (t, before, after) = found[0];
        assert!(after > before);
        let date = local_datetime(tz, t).date();
        assert_eq!(
            local_datetime(tz, t).time(),
            NaiveTime::from_hms_opt(1, 0, 0).unwrap()
        );
        assert_eq!(local_midnight(tz, date), t);
    }

    #[test]
    fn utc_and_extremes_never_panic() {
        let ends = [
            NaiveDateTime::MIN,
            NaiveDateTime::MAX,
            NaiveDate::MIN.and_hms_opt(12, 0, 0).unwrap(),
            NaiveDate::MAX.and_hms_opt(12, 0, 0).unwrap(),
        ];
        for tz in [
            chrono_tz::UTC,
            Europe::Brussels,
            America::Santiago,
            chrono_tz::Pacific::Apia,
        ] {
            for l in ends {
                let t = local_to_instant(tz, l);
                let _ = local_datetime(tz, t);
            }
            for t in [Instant::MIN, Instant::MAX, Instant::from_micros(0)] {
                let _ = local_date(tz, t);
            }
            assert_eq!(local_datetime(tz, Instant::MIN), NaiveDateTime::MIN);
            assert_eq!(local_datetime(tz, Instant::MAX), NaiveDateTime::MAX);
        }
        let l = local("2026-03-29T02:30:00");
        assert_eq!(local_to_instant(chrono_tz::UTC, l), Instant::from_utc(l));
    }

    #[test]
    fn apia_skipped_day() {
        // Samoa skipped 2011-12-30 entirely: its midnight and the next coincide.
        let tz = chrono_tz::Pacific::Apia;
        let d30 = NaiveDate::from_ymd_opt(2011, 12, 30).unwrap();
        let d31 = NaiveDate::from_ymd_opt(2011, 12, 31).unwrap();
        assert_eq!(local_midnight(tz, d30), local_midnight(tz, d31));
        assert_eq!(local_midnight(tz, d31), instant("2011-12-30T10:00:00Z"));
        assert_eq!(
            local_to_instant(tz, local("2011-12-30T12:00:00")),
            instant("2011-12-30T10:00:00Z")
        );
    }
}
