//! Time in ewa (SPEC §2): instants (UTC), company-local dates and times, the one DST rule,
//! and the pay-period generator.
//!
//! Three kinds of time are kept apart:
//!
//! * [`Instant`] — a point on the UTC axis, `i64` microseconds since the Unix epoch. Every
//!   stored instant and every duration is UTC, so a night shift across a DST change lasts
//!   7 or 9 hours, not 8 (SPEC §1.3).
//! * company-local wall-clock time — a `chrono::NaiveDateTime` / `chrono::NaiveDate` that
//!   means something only together with the company's IANA zone (`chrono_tz::Tz`).
//! * pay periods — `[start_at, stop_at)` pairs of instants, made by [`PeriodGenerator`].
//!
//! Local time becomes an instant in exactly one place, [`local_to_instant`], which implements
//! the DST rule of SPEC §2: a time that does not exist (DST gap) is the transition instant
//! itself; an ambiguous one (DST overlap) is the earlier instant.
//!
//! ```
//! use ewa::calendar::{parse_instant, parse_zone};
//! let brussels = parse_zone("Europe/Brussels").ok_or("zone")?;
//! // 02:30 does not exist on 2026-03-29 in Brussels: it resolves to the transition.
//! let t = parse_instant(brussels, "2026-03-29T02:30:00")?;
//! assert_eq!(t.to_string(), "2026-03-29T01:00:00Z");
//! // An explicit offset is an instant whatever the zone.
//! let u = parse_instant(brussels, "2026-03-29T06:30:00+05:30")?;
//! assert_eq!(u.to_string(), "2026-03-29T01:00:00Z");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use chrono::{DateTime, NaiveDateTime};

mod parse;
mod periods;
mod zone;

#[cfg(test)]
mod props;

pub use parse::{
    parse_date, parse_timestamp, parse_weekday, parse_zone, weekday_name, TimeError, Timestamp,
};
pub use periods::{Frequency, GeneratedPeriod, GeneratorError, PeriodGenerator, PERIODS_MAX};
pub use zone::{
    local_date, local_datetime, local_midnight, local_to_instant, parse_instant, resolve,
};

const MICROS_PER_SECOND: i64 = 1_000_000;

/// A point in time: microseconds since 1970-01-01T00:00:00Z (UTC, no leap seconds).
///
/// Microseconds are the engine's precision (SPEC §2). Ordering is chronological.
/// `Display` prints RFC 3339 in UTC with `Z`, e.g. `2026-03-29T01:00:00Z`, or
/// `2026-03-29T01:00:00.500000Z` when there is a sub-second part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(i64);

impl Instant {
    /// The earliest representable instant (`i64::MIN` microseconds).
    pub const MIN: Instant = Instant(i64::MIN);
    /// The latest representable instant (`i64::MAX` microseconds).
    pub const MAX: Instant = Instant(i64::MAX);

    /// The instant `us` microseconds after the Unix epoch (before it if negative).
    pub const fn from_micros(us: i64) -> Instant {
        Instant(us)
    }

    /// Microseconds since the Unix epoch.
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// The instant of a UTC date and time. Nanoseconds below a microsecond are dropped
    /// (rounded toward the past). Saturates at [`Instant::MIN`] / [`Instant::MAX`], which
    /// chrono's range never actually reaches.
    pub fn from_utc(dt: NaiveDateTime) -> Instant {
        let utc = dt.and_utc();
        let secs = utc.timestamp();
        let micros = i64::from(utc.timestamp_subsec_micros());
        let saturated = if secs < 0 { Instant::MIN } else { Instant::MAX };
        secs.checked_mul(MICROS_PER_SECOND)
            .and_then(|us| us.checked_add(micros))
            .map_or(saturated, Instant)
    }

    /// The UTC date and time of this instant, or `None` outside chrono's range
    /// (about ±262,000 years; e.g. [`Instant::MIN`] and [`Instant::MAX`]).
    pub fn to_utc(self) -> Option<NaiveDateTime> {
        DateTime::from_timestamp_micros(self.0).map(|dt| dt.naive_utc())
    }

    /// `self + us` microseconds, or `None` on overflow.
    pub fn checked_add_micros(self, us: i64) -> Option<Instant> {
        self.0.checked_add(us).map(Instant)
    }
}

impl fmt::Display for Instant {
    /// RFC 3339 in UTC: `YYYY-MM-DDTHH:MM:SSZ`, with `.ffffff` (exactly six digits) when the
    /// sub-second part is nonzero. Years after 9999 print with a sign, as chrono does
    /// (`+10000-01-01T00:00:00Z`); an instant outside chrono's range prints as its number
    /// of microseconds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(dt) = self.to_utc() else {
            return write!(f, "{}", self.0);
        };
        write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%S"))?;
        let micros = self.0.rem_euclid(MICROS_PER_SECOND);
        if micros != 0 {
            write!(f, ".{micros:06}")?;
        }
        f.write_str("Z")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
    }

    #[test]
    fn micros_round_trip() {
        let dt = utc(2026, 3, 29, 1, 0, 0);
        let t = Instant::from_utc(dt);
        assert_eq!(t.as_micros(), 1_774_746_000_000_000);
        assert_eq!(t.to_utc(), Some(dt));
        assert_eq!(
            Instant::from_micros(0).to_utc(),
            Some(utc(1970, 1, 1, 0, 0, 0))
        );
        assert_eq!(
            Instant::from_micros(-1).to_string(),
            "1969-12-31T23:59:59.999999Z"
        );
    }

    #[test]
    fn extremes() {
        assert_eq!(Instant::MIN.to_utc(), None);
        assert_eq!(Instant::MAX.to_utc(), None);
        assert_eq!(Instant::MIN.to_string(), i64::MIN.to_string());
        assert_eq!(Instant::MAX.to_string(), i64::MAX.to_string());
        assert_eq!(Instant::MAX.checked_add_micros(1), None);
        assert_eq!(Instant::MIN.checked_add_micros(-1), None);
        assert_eq!(
            Instant::from_micros(5).checked_add_micros(-7),
            Some(Instant::from_micros(-2))
        );
        // Every chrono date time fits; the ends round-trip.
        for dt in [NaiveDateTime::MIN, NaiveDateTime::MAX] {
            let t = Instant::from_utc(dt);
            assert_ne!(t, Instant::MIN);
            assert_ne!(t, Instant::MAX);
            assert_eq!(
                t.to_utc().map(|x| x.and_utc().timestamp_micros()),
                Some(dt.and_utc().timestamp_micros())
            );
        }
    }

    #[test]
    fn display() {
        let t = Instant::from_utc(utc(2026, 3, 29, 1, 0, 0));
        assert_eq!(t.to_string(), "2026-03-29T01:00:00Z");
        assert_eq!(
            t.checked_add_micros(500_000).unwrap().to_string(),
            "2026-03-29T01:00:00.500000Z"
        );
        assert_eq!(
            t.checked_add_micros(1).unwrap().to_string(),
            "2026-03-29T01:00:00.000001Z"
        );
        assert_eq!(
            Instant::from_utc(utc(1, 1, 1, 0, 0, 0)).to_string(),
            "0001-01-01T00:00:00Z"
        );
        assert_eq!(
            Instant::from_utc(utc(9999, 12, 31, 23, 59, 59)).to_string(),
            "9999-12-31T23:59:59Z"
        );
    }

    #[test]
    fn display_round_trips_through_parse() {
        for us in [
            0,
            1,
            -1,
            999_999,
            1_774_746_000_000_000,
            1_774_746_000_123_456,
            -62_135_596_800_000_000, // 0001-01-01T00:00:00Z
            253_402_300_799_999_999, // 9999-12-31T23:59:59.999999Z
        ] {
            let t = Instant::from_micros(us);
            let s = t.to_string();
            assert_eq!(parse_timestamp(&s), Ok(Timestamp::Instant(t)), "{s}");
        }
    }

    #[test]
    fn hot_types_are_small_and_shareable() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Instant>();
        send_sync::<TimeError>();
        send_sync::<GeneratorError>();
        send_sync::<PeriodGenerator>();
        assert_eq!(std::mem::size_of::<Instant>(), 8);
        assert_eq!(std::mem::size_of::<Option<Instant>>(), 16);
    }
}
