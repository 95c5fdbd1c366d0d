//! Strict parsing of timestamps, dates, weekdays and zones (SPEC §2); the accepted
//! spellings are documented on [`parse_timestamp`].

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use super::Instant;

/// The longest valid input: `YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM`.
const TIMESTAMP_BYTES_MAX: usize = 32;
/// How much of a rejected input an error message repeats, in characters.
const ECHO_CHARS_MAX: usize = 40;

const EXPECTED_TIMESTAMP: &str = "YYYY-MM-DDTHH:MM:SS[.ffffff] with Z or ±HH:MM, or without \
                                  offset for company-local time, or YYYY-MM-DD";
const EXPECTED_DATE: &str = "YYYY-MM-DD";

/// A parsed timestamp not yet placed in a zone (SPEC §2).
///
/// Text with `Z` or an offset is an [`Instant`]; text without one (or a bare date) is
/// company-local and becomes an instant only through [`resolve`](super::resolve).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timestamp {
    /// An absolute instant (the text carried `Z` or `±HH:MM`).
    Instant(Instant),
    /// A company-local wall-clock time (no offset; a bare date means its 00:00).
    Local(NaiveDateTime),
}

/// Text that is not a valid timestamp or date.
///
/// The message repeats the input (cut to 40 characters) and lists the accepted spellings,
/// e.g. "`2026-13-01` is not a valid timestamp: expected YYYY-MM-DDTHH:MM:SS[.ffffff] with Z
/// or ±HH:MM, or without offset for company-local time, or YYYY-MM-DD".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid {what}: expected {expected}")]
pub struct TimeError {
    input: String,
    what: &'static str,
    expected: &'static str,
}

impl TimeError {
    pub(crate) fn new(input: &str, what: &'static str, expected: &'static str) -> TimeError {
        let mut echo: String = input.chars().take(ECHO_CHARS_MAX).collect();
        if echo.len() < input.len() {
            echo.push('…');
        }
        TimeError {
            input: echo,
            what,
            expected,
        }
    }

    fn timestamp(input: &str) -> TimeError {
        TimeError::new(input, "timestamp", EXPECTED_TIMESTAMP)
    }

    /// The rejected text as the message shows it (at most 40 characters, then `…`).
    pub fn input(&self) -> &str {
        &self.input
    }
}

/// A forward-only reader over the bytes of the input; every read is bounds-checked.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Cursor<'a> {
        Cursor {
            bytes: s.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Consumes `byte` or fails.
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Exactly `n` ASCII digits as a number.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let mut value = 0u32;
        for _ in 0..n {
            let b = self.peek()?;
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(b - b'0');
            self.pos += 1;
        }
        Some(value)
    }

    /// `YYYY-MM-DD`, a real calendar date with year 0001–9999.
    fn date(&mut self) -> Option<NaiveDate> {
        let year = self.digits(4)?;
        self.eat(b'-')?;
        let month = self.digits(2)?;
        self.eat(b'-')?;
        let day = self.digits(2)?;
        if year == 0 {
            return None;
        }
        NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
    }

    /// `HH:MM:SS[.f{1,6}]` with HH ≤ 23, MM ≤ 59, SS ≤ 59.
    fn time(&mut self) -> Option<NaiveTime> {
        let hour = self.digits(2)?;
        self.eat(b':')?;
        let minute = self.digits(2)?;
        self.eat(b':')?;
        let second = self.digits(2)?;
        let micro = if self.peek() == Some(b'.') {
            self.pos += 1;
            self.fraction()?
        } else {
            0
        };
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        NaiveTime::from_hms_micro_opt(hour, minute, second, micro)
    }

    /// 1 to 6 digits, padded to microseconds; a 7th digit fails.
    fn fraction(&mut self) -> Option<u32> {
        let mut micro = 0u32;
        let mut count = 0u32;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            if count == 6 {
                return None;
            }
            micro = micro * 10 + u32::from(b - b'0');
            count += 1;
            self.pos += 1;
        }
        if count == 0 {
            return None;
        }
        Some(micro * 10u32.pow(6 - count))
    }

    /// `Z` or `±HH:MM` (up to ±23:59) as seconds east of UTC.
    fn offset(&mut self) -> Option<i64> {
        let sign = match self.peek()? {
            b'Z' => {
                self.pos += 1;
                return Some(0);
            }
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.pos += 1;
        let hours = self.digits(2)?;
        self.eat(b':')?;
        let minutes = self.digits(2)?;
        if hours > 23 || minutes > 59 {
            return None;
        }
        Some(sign * i64::from(hours * 3600 + minutes * 60))
    }
}

fn timestamp(s: &str) -> Option<Timestamp> {
    if s.len() > TIMESTAMP_BYTES_MAX {
        return None;
    }
    let mut cur = Cursor::new(s);
    let date = cur.date()?;
    if cur.at_end() {
        return Some(Timestamp::Local(date.and_time(NaiveTime::MIN)));
    }
    cur.eat(b'T')?;
    let local = date.and_time(cur.time()?);
    if cur.at_end() {
        return Some(Timestamp::Local(local));
    }
    let offset_seconds = cur.offset()?;
    if !cur.at_end() {
        return None;
    }
    // Cannot overflow: |offset| < 1 day and the year is 0001–9999.
    let instant = Instant::from_utc(local).checked_add_micros(-offset_seconds * 1_000_000)?;
    Some(Timestamp::Instant(instant))
}

/// Parses a timestamp strictly (SPEC §2).
///
/// Accepted spellings, nothing else:
///
/// | input | meaning |
/// |---|---|
/// | `YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z` | an instant (UTC) |
/// | `YYYY-MM-DDTHH:MM:SS[.f{1,6}]±HH:MM` | an instant (offset from UTC) |
/// | `YYYY-MM-DDTHH:MM:SS[.f{1,6}]` | company-local date and time |
/// | `YYYY-MM-DD` | company-local date at 00:00 |
///
/// Years are exactly four digits (0001–9999), every other field exactly two; `T` and `Z`
/// are upper-case; no spaces, no `+HHMM`, no leap second `:60`, no `24:00:00`, offsets up to
/// ±23:59, fractions of 1 to 6 digits (the engine's precision is a microsecond, so a 7th
/// digit is rejected rather than silently dropped). `-00:00` is accepted and means UTC, as
/// RFC 3339 reads it ("UTC, local offset unknown"): the instant is the same.
///
/// ```
/// use ewa::calendar::{parse_timestamp, Timestamp};
/// assert!(matches!(parse_timestamp("2026-03-29T01:00:00Z")?, Timestamp::Instant(_)));
/// assert!(matches!(parse_timestamp("2026-03-29T02:30:00")?, Timestamp::Local(_)));
/// assert!(matches!(parse_timestamp("2026-03-29")?, Timestamp::Local(_)));
/// assert!(parse_timestamp("2026-03-29 01:00:00Z").is_err());
/// # Ok::<(), ewa::calendar::TimeError>(())
/// ```
///
/// # Errors
/// [`TimeError`] for any other spelling, an impossible date or time (`2026-02-30`,
/// `24:00:00`, `23:59:60`), a fraction of 7 or more digits, an offset beyond ±23:59,
/// trailing text, empty or overlong input.
pub fn parse_timestamp(s: &str) -> Result<Timestamp, TimeError> {
    timestamp(s).ok_or_else(|| TimeError::timestamp(s))
}

/// Parses a local date, `YYYY-MM-DD` only (the `*_on` fields of SPEC §2).
///
/// # Errors
/// [`TimeError`] for any other spelling or an impossible date such as `2026-02-30`.
pub fn parse_date(s: &str) -> Result<NaiveDate, TimeError> {
    let mut cur = Cursor::new(s);
    match cur.date() {
        Some(date) if cur.at_end() => Ok(date),
        _ => Err(TimeError::new(s, "date", EXPECTED_DATE)),
    }
}

/// A weekday from its lower-case English name, full (`"monday"`) or three letters (`"mon"`).
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "monday" | "mon" => Weekday::Mon,
        "tuesday" | "tue" => Weekday::Tue,
        "wednesday" | "wed" => Weekday::Wed,
        "thursday" | "thu" => Weekday::Thu,
        "friday" | "fri" => Weekday::Fri,
        "saturday" | "sat" => Weekday::Sat,
        "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// The lower-case English name of a weekday, e.g. `"monday"` (the spelling of
/// `week_starts_on`, SPEC §2).
pub fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// A time zone from its exact IANA name, e.g. `"Europe/Brussels"` (case-sensitive; the
/// tz database's backward-compatible links such as `"US/Eastern"` and `"UTC"` are accepted).
pub fn parse_zone(s: &str) -> Option<chrono_tz::Tz> {
    s.parse().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn instant(s: &str) -> i64 {
        match parse_timestamp(s) {
            Ok(Timestamp::Instant(t)) => t.as_micros(),
            other => panic!("{s}: {other:?}"),
        }
    }

    fn local(s: &str) -> NaiveDateTime {
        match parse_timestamp(s) {
            Ok(Timestamp::Local(l)) => l,
            other => panic!("{s}: {other:?}"),
        }
    }

    const BASE: i64 = 1_774_746_000_000_000; // 2026-03-29T01:00:00Z

    #[test]
    fn accepts_instants() {
        let table: &[(&str, i64)] = &[
            ("2026-03-29T01:00:00Z", BASE),
            ("2026-03-29T06:30:00+05:30", BASE),
            ("2026-03-28T22:00:00-03:00", BASE),
            ("2026-03-29T01:00:00+00:00", BASE),
            ("2026-03-29T01:00:00-00:00", BASE),
            ("2026-03-30T00:59:00+23:59", BASE),
            ("2026-03-28T01:01:00-23:59", BASE),
            ("2026-03-29T01:00:00.5Z", BASE + 500_000),
            ("2026-03-29T01:00:00.123Z", BASE + 123_000),
            ("2026-03-29T01:00:00.123456Z", BASE + 123_456),
            ("2026-03-29T01:00:00.000001Z", BASE + 1),
            ("2026-03-29T01:00:00.000000Z", BASE),
            ("2026-03-29T06:30:00.25+05:30", BASE + 250_000),
            ("1970-01-01T00:00:00Z", 0),
            ("0001-01-01T00:00:00Z", -62_135_596_800_000_000),
            ("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
            ("2024-02-29T12:00:00Z", 1_709_208_000_000_000),
        ];
        for (row, &(s, us)) in table.iter().enumerate() {
            assert_eq!(instant(s), us, "row {row}: {s}");
        }
    }

    #[test]
    fn accepts_local() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        assert_eq!(local("2026-03-29"), d.and_hms_opt(0, 0, 0).unwrap());
        assert_eq!(
            local("2026-03-29T02:30:00"),
            d.and_hms_opt(2, 30, 0).unwrap()
        );
        assert_eq!(
            local("2026-03-29T02:30:00.1"),
            d.and_hms_micro_opt(2, 30, 0, 100_000).unwrap()
        );
        assert_eq!(
            local("2026-03-29T23:59:59.999999"),
            d.and_hms_micro_opt(23, 59, 59, 999_999).unwrap()
        );
        assert_eq!(
            local("0001-01-01T00:00:00"),
            NaiveDate::from_ymd_opt(1, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        );
    }

    #[test]
    fn rejects() {
        let long = "2026-03-29T01:00:00Z".repeat(10_000);
        let table: &[&str] = &[
            "",
            " ",
            "2026-13-01",
            "2026-00-10",
            "2026-02-30",
            "2026-02-29",
            "2026-04-31",
            "2026-01-00",
            "0000-01-01",
            "0000-01-01T00:00:00Z",
            "10000-01-01",
            "+2026-03-29",
            "26-03-29",
            "2026-3-29",
            "2026-03-9",
            "2026/03/29",
            "20260329",
            "2026-03-29T",
            "2026-03-29Z",
            "2026-03-29+01:00",
            "2026-03-29t01:00:00Z",
            "2026-03-29T01:00:00z",
            "2026-03-29 01:00:00Z",
            "2026-03-29T01:00:00 Z",
            "2026-03-29T01:00:00Z ",
            " 2026-03-29T01:00:00Z",
            "2026-03-29 ",
            "2026-03-29T01:00:00Zjunk",
            "2026-03-29T01:00Z",
            "2026-03-29T01:00",
            "2026-03-29T1:00:00Z",
            "2026-03-29T01:00:0Z",
            "2026-03-29T24:00:00",
            "2026-03-29T24:00:00Z",
            "2026-03-29T23:60:00Z",
            "2026-03-29T23:59:60Z",
            "2026-03-29T23:59:60",
            "2026-03-29T01:00:00.Z",
            "2026-03-29T01:00:00.",
            "2026-03-29T01:00:00.1234567Z",
            "2026-03-29T01:00:00.1234567",
            "2026-03-29T01:00:00.000000000Z",
            "2026-03-29T01:00:00,5Z",
            "2026-03-29T01:00:00+0530",
            "2026-03-29T01:00:00+05",
            "2026-03-29T01:00:00+5:30",
            "2026-03-29T01:00:00+05:3",
            "2026-03-29T01:00:00+24:00",
            "2026-03-29T01:00:00+05:60",
            "2026-03-29T01:00:00+05:30Z",
            "2026-03-29T01:00:00Z+05:30",
            "2026-03-29T01:00:00UTC",
            "2026-03-29T01:00:00+05:30:00",
            "2026-03-29T01:00:00−05:00", // U+2212 minus sign
            "２０２６-03-29",            // full-width digits
            "2026-03-29T01:00:00.１Z",
            "2026-03-29\u{0}",
            "\u{FEFF}2026-03-29",
            "T01:00:00Z",
            "now",
            &long,
        ];
        for (row, s) in table.iter().enumerate() {
            let err = parse_timestamp(s).expect_err(&format!("row {row}: {s:?} accepted"));
            assert!(
                err.to_string().contains("is not a valid timestamp"),
                "{err}"
            );
            assert!(err.input().chars().count() <= ECHO_CHARS_MAX + 1);
        }
    }

    #[test]
    fn error_message() {
        let err = parse_timestamp("2026-13-01").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`2026-13-01` is not a valid timestamp: expected YYYY-MM-DDTHH:MM:SS[.ffffff] with Z \
             or ±HH:MM, or without offset for company-local time, or YYYY-MM-DD"
        );
        let err = parse_date("2026-03-29T00:00:00").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`2026-03-29T00:00:00` is not a valid date: expected YYYY-MM-DD"
        );
        let long = "x".repeat(100);
        let err = parse_timestamp(&long).unwrap_err();
        assert_eq!(err.input(), format!("{}…", "x".repeat(40)));
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2024-02-29"),
            Ok(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
        );
        assert_eq!(
            parse_date("0001-01-01"),
            Ok(NaiveDate::from_ymd_opt(1, 1, 1).unwrap())
        );
        for bad in [
            "",
            "2026-02-30",
            "2026-02-29",
            "2026-13-01",
            "0000-01-01",
            "2026-03-29T00:00:00",
            "2026-03-29Z",
            "2026-03-29 ",
            "2026-3-29",
            "20260329",
        ] {
            assert!(parse_date(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn weekdays() {
        for w in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ] {
            let name = weekday_name(w);
            assert_eq!(parse_weekday(name), Some(w));
            assert_eq!(parse_weekday(&name[..3]), Some(w));
        }
        for bad in ["Monday", "MON", "mo", "", "monday ", "lundi", "tues"] {
            assert_eq!(parse_weekday(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn zones() {
        assert_eq!(
            parse_zone("Europe/Brussels"),
            Some(chrono_tz::Europe::Brussels)
        );
        assert_eq!(parse_zone("Asia/Kolkata"), Some(chrono_tz::Asia::Kolkata));
        assert_eq!(parse_zone("UTC"), Some(chrono_tz::UTC));
        for bad in [
            "",
            "europe/brussels",
            "Europe/Nowhere",
            "Europe/Brussels ",
            "+01:00",
        ] {
            assert_eq!(parse_zone(bad), None, "{bad:?}");
        }
    }
}
