//! Property tests of the calendar: the DST rule, parsing round trips, and the period
//! generator tiling time (SPEC §2), in zones with northern, southern, midnight, half-hour
//! and no DST.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;

const TILING_ZONES: [Tz; 6] = [
    chrono_tz::Europe::Brussels,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Sydney,
    chrono_tz::Asia::Kolkata,
    chrono_tz::America::Santiago,
    chrono_tz::UTC,
];

/// The tiling zones plus harder ones: midnight DST (Havana), a 30-minute DST shift
/// (Lord Howe), a +05:45 zone, a skipped calendar day (Apia, 2011).
const DST_ZONES: [Tz; 10] = [
    chrono_tz::Europe::Brussels,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Sydney,
    chrono_tz::Asia::Kolkata,
    chrono_tz::America::Santiago,
    chrono_tz::UTC,
    chrono_tz::America::Havana,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Asia::Kathmandu,
    chrono_tz::Pacific::Apia,
];

const CALENDAR_FREQUENCIES: [Frequency; 6] = [
    Frequency::Daily,
    Frequency::Weekly,
    Frequency::BiWeekly,
    Frequency::SemiMonthly,
    Frequency::Monthly,
    Frequency::Annually,
];

const MICROS_PER_DAY: i64 = 86_400 * 1_000_000;

fn epoch_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
}

/// The whole hours of `year` (UTC) after which `tz`'s offset has changed.
fn transitions(tz: Tz, year: i32) -> Vec<i64> {
    use chrono::{Offset, TimeZone};
    let offset = |s: i64| {
        let utc = chrono::DateTime::from_timestamp(s, 0).unwrap().naive_utc();
        tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
    };
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    let start = first.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    (0..366 * 24)
        .map(|h| start + h * 3600)
        .filter(|&s| offset(s) != offset(s + 3600))
        .map(|s| s + 3600)
        .collect()
}

/// A zone and an instant between 1900 and 2100: uniform, or within three hours of one of
/// the zone's offset changes in a year from 1900 to 2040 (where the DST rule matters).
fn zone_and_instant() -> impl Strategy<Value = (Tz, Instant)> {
    let zone = || prop::sample::select(DST_ZONES.to_vec());
    let uniform = (
        zone(),
        (-2_208_988_800_000_000i64..4_102_444_800_000_000).prop_map(Instant::from_micros),
    );
    let near_change = (
        zone(),
        1900i32..2040,
        any::<prop::sample::Index>(),
        -3 * 3_600_000_000i64..3 * 3_600_000_000,
    )
        .prop_map(|(tz, year, pick, delta)| {
            let found = transitions(tz, year);
            let base = if found.is_empty() {
                NaiveDate::from_ymd_opt(year, 6, 1)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
                    .and_utc()
                    .timestamp()
            } else {
                found[pick.index(found.len())]
            };
            (tz, Instant::from_micros(base * 1_000_000 + delta))
        });
    prop_oneof![uniform, near_change]
}

/// A zone and a local time between 1900 and 2100: the wall time of [`zone_and_instant`].
fn zone_and_local() -> impl Strategy<Value = (Tz, NaiveDateTime)> {
    zone_and_instant().prop_map(|(tz, t)| (tz, local_datetime(tz, t)))
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A naive model of the n-th start date (no DST, no chrono month arithmetic).
fn model_start(f: Frequency, first: NaiveDate, n: i64) -> NaiveDate {
    let months = |k: i64| {
        let total = i64::from(first.year()) * 12 + i64::from(first.month0()) + k;
        let (y, m) = (
            i32::try_from(total.div_euclid(12)).unwrap(),
            u32::try_from(total.rem_euclid(12)).unwrap() + 1,
        );
        (y, m)
    };
    match f {
        Frequency::Daily => first + TimeDelta::days(n),
        Frequency::Weekly => first + TimeDelta::days(7 * n),
        Frequency::BiWeekly => first + TimeDelta::days(14 * n),
        Frequency::Monthly | Frequency::Annually => {
            let step = if f == Frequency::Monthly { 1 } else { 12 };
            let (y, m) = months(n * step);
            NaiveDate::from_ymd_opt(y, m, first.day().min(days_in_month(y, m))).unwrap()
        }
        Frequency::SemiMonthly => {
            let half = n + i64::from(first.day() == 16);
            let (y, m) = months(half.div_euclid(2));
            NaiveDate::from_ymd_opt(y, m, if half % 2 == 0 { 1 } else { 16 }).unwrap()
        }
        Frequency::Hourly | Frequency::Adhoc => unreachable!(),
    }
}

fn tiling_case() -> impl Strategy<Value = (Tz, Frequency, NaiveDate, u32)> {
    (
        prop::sample::select(TILING_ZONES.to_vec()),
        prop::sample::select(CALENDAR_FREQUENCIES.to_vec()),
        0i64..(66 * 365),
        any::<bool>(),
        0u32..40,
    )
        .prop_map(|(tz, f, days, second_half, lag)| {
            let mut first = epoch_date() + TimeDelta::days(days);
            if f == Frequency::SemiMonthly {
                first = first.with_day(if second_half { 16 } else { 1 }).unwrap();
            }
            (tz, f, first, lag)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Over ten years, periods tile time: each starts where the previous one stopped, is
    /// non-empty, starts on the model's local date at local midnight, and is paid at local
    /// midnight `lag` days after its stop date.
    #[test]
    fn periods_tile_ten_years((tz, f, first, lag) in tiling_case()) {
        let end = first.with_year(first.year() + 10).unwrap_or(first + TimeDelta::days(3652));
        let g = PeriodGenerator::new(tz, f, first).unwrap().pay_lag_days(lag).id_prefix("p");
        let periods = g.until(end).unwrap();
        prop_assert!(!periods.is_empty());
        prop_assert_eq!(periods[0].start_at, local_midnight(tz, first));
        for w in periods.windows(2) {
            prop_assert_eq!(w[0].stop_at, w[1].start_at, "gap or overlap in {}", tz);
        }
        let mut februaries = [0u32; 2]; // [common, leap] second halves seen
        for (n, p) in periods.iter().enumerate() {
            let n = i64::try_from(n).unwrap();
            let start = local_date(tz, p.start_at);
            let stop = local_date(tz, p.stop_at);
            prop_assert!(p.start_at < p.stop_at);
            prop_assert_eq!(start, model_start(f, first, n), "period {} of {} in {}", n, f, tz);
            prop_assert_eq!(stop, model_start(f, first, n + 1));
            prop_assert_eq!(p.start_at, local_midnight(tz, start));
            prop_assert_eq!(&p.pay_period_id, &format!("p{start}"));
            prop_assert_eq!(p.pay_at, local_midnight(tz, stop + TimeDelta::days(i64::from(lag))));
            prop_assert!(p.pay_at >= p.stop_at);
            prop_assert!(start < end);
            // Real elapsed time: the local days times 24 h, give or take one DST hour.
            let days = (stop - start).num_days();
            let elapsed = p.stop_at.as_micros() - p.start_at.as_micros();
            prop_assert!((elapsed - days * MICROS_PER_DAY).abs() <= 3_600_000_000);
            if f == Frequency::SemiMonthly {
                if start.day() == 1 {
                    prop_assert_eq!(stop, start.with_day(16).unwrap());
                } else {
                    prop_assert_eq!(start.day(), 16);
                    prop_assert_eq!(stop.day(), 1);
                    prop_assert_eq!(stop.pred_opt().unwrap().day(), days_in_month(start.year(), start.month()));
                    if start.month() == 2 {
                        let leap = usize::from(days_in_month(start.year(), 2) == 29);
                        prop_assert_eq!(days, if leap == 1 { 14 } else { 13 });
                        februaries[leap] += 1;
                    }
                }
            }
        }
        let last = periods.last().unwrap();
        prop_assert!(local_date(tz, last.stop_at) >= end);
        if f == Frequency::SemiMonthly {
            // Ten years always hold common and leap Februaries.
            prop_assert!(februaries[0] >= 6 && februaries[1] >= 2, "{:?}", februaries);
        }
    }

    /// Every instant's wall time maps back to the earliest instant with that wall time.
    #[test]
    fn wall_time_round_trips_to_earliest((tz, t) in zone_and_instant()) {
        let wall = local_datetime(tz, t);
        let back = local_to_instant(tz, wall);
        prop_assert!(back <= t);
        prop_assert_eq!(local_datetime(tz, back), wall);
        for minutes in [30i64, 60, 120] {
            let earlier = back.checked_add_micros(-minutes * 60_000_000).unwrap();
            prop_assert_ne!(local_datetime(tz, earlier), wall);
        }
        prop_assert_eq!(local_date(tz, t), wall.date());
    }

    /// A local time either exists (and maps to an instant showing it) or is in a gap and maps
    /// to the transition: the first instant whose wall time is later.
    #[test]
    fn local_times_exist_or_resolve_to_the_transition((tz, base) in zone_and_local(), jitter in -2 * 3_600_000_000i64..2 * 3_600_000_000) {
        // Wall times of instants always exist; the jitter moves some into gaps and overlaps.
        let l = base + TimeDelta::microseconds(jitter);
        let t = local_to_instant(tz, l);
        let wall = local_datetime(tz, t);
        if wall != l {
            prop_assert!(wall > l, "{} -> {} shows {}", l, t, wall);
            let before = local_datetime(tz, t.checked_add_micros(-1).unwrap());
            prop_assert!(before < l, "{} -> {}: a microsecond earlier shows {}", l, t, before);
            prop_assert_eq!(t.as_micros() % 1_000_000, 0);
        }
    }

    /// Later local times never resolve to earlier instants.
    #[test]
    fn local_to_instant_is_monotone((tz, a) in zone_and_local(), d in 0i64..(4 * 3600 * 1_000_000)) {
        let b = a + TimeDelta::microseconds(d);
        prop_assert!(local_to_instant(tz, a) <= local_to_instant(tz, b));
    }

    /// `Display` output parses back to the same instant, also through an offset.
    #[test]
    fn display_parse_round_trip(us in -62_135_596_800_000_000i64..253_402_300_800_000_000, off_min in -1439i64..=1439) {
        let t = Instant::from_micros(us);
        let s = t.to_string();
        prop_assert_eq!(parse_timestamp(&s), Ok(Timestamp::Instant(t)));
        prop_assert_eq!(parse_instant(chrono_tz::Asia::Kolkata, &s), Ok(t));
        // The same instant written with an offset.
        let shifted = t.checked_add_micros(off_min * 60_000_000).unwrap();
        if let Some(local) = shifted.to_utc().filter(|l| (1..=9999).contains(&l.year())) {
            let sign = if off_min < 0 { '-' } else { '+' };
            let frac = if us.rem_euclid(1_000_000) == 0 { String::new() } else { format!(".{:06}", us.rem_euclid(1_000_000)) };
            let text = format!("{}{frac}{sign}{:02}:{:02}", local.format("%Y-%m-%dT%H:%M:%S"), off_min.abs() / 60, off_min.abs() % 60);
            prop_assert_eq!(parse_timestamp(&text), Ok(Timestamp::Instant(t)), "{}", text);
            let no_offset = &text[..text.len() - 6];
            prop_assert_eq!(parse_timestamp(no_offset), Ok(Timestamp::Local(local)));
        }
    }

    /// No input makes the parsers panic; whatever is accepted is short and ASCII.
    #[test]
    fn parsers_never_panic(s in prop_oneof![any::<String>(), "[0-9T:.Z+\\- tz]{0,40}", "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,8})?(Z|[+-][0-9]{2}:[0-9]{2})?)?"]) {
        if let Ok(ts) = parse_timestamp(&s) {
            prop_assert!(s.len() <= 32 && s.is_ascii());
            let _ = resolve(chrono_tz::America::Santiago, ts);
        }
        if parse_date(&s).is_ok() {
            prop_assert_eq!(s.len(), 10);
        }
        let _ = parse_weekday(&s);
        let _ = parse_zone(&s);
    }

    /// Any date in (and just past) chrono's range, any frequency: an answer, never a panic.
    #[test]
    fn generator_never_panics(
        days in -96_000_000i64..96_000_000,
        f in prop::sample::select(Frequency::ALL.to_vec()),
        tz in prop::sample::select(DST_ZONES.to_vec()),
        lag in any::<u32>(),
    ) {
        let Some(mut first) = epoch_date().checked_add_signed(TimeDelta::days(days)) else {
            return Ok(());
        };
        if f == Frequency::SemiMonthly && days % 2 == 0 {
            first = first.with_day(1).unwrap();
        }
        if let Ok(g) = PeriodGenerator::new(tz, f, first) {
            if let Ok(periods) = g.pay_lag_days(lag).take(3) {
                prop_assert_eq!(periods.len(), 3);
                for w in periods.windows(2) {
                    prop_assert_eq!(w[0].stop_at, w[1].start_at);
                }
            }
        }
    }

    /// Any instant, any zone: wall time and local midnight never panic.
    #[test]
    fn zone_functions_never_panic(us in any::<i64>(), tz in prop::sample::select(DST_ZONES.to_vec())) {
        let t = Instant::from_micros(us);
        let wall = local_datetime(tz, t);
        let _ = local_to_instant(tz, wall);
        let _ = local_midnight(tz, wall.date());
        let _ = t.to_string();
    }
}

/// Every offset change of every test zone from 1900 to 2039, checked exhaustively: in a gap
/// each local time (every 5 minutes, and the last microsecond) resolves to the transition
/// instant; in an overlap each resolves to the earlier instant, under the old offset.
#[test]
fn every_transition_1900_2039() {
    use chrono::{Offset, TimeZone};
    let mut seen = [0usize; 2]; // [gaps, overlaps]
    for tz in DST_ZONES {
        let offset = |s: i64| {
            let utc = chrono::DateTime::from_timestamp(s, 0).unwrap().naive_utc();
            i64::from(tz.offset_from_utc_datetime(&utc).fix().local_minus_utc())
        };
        for year in 1900..2040 {
            for hour_end in transitions(tz, year) {
                // Refine to the exact second.
                let (mut lo, mut hi) = (hour_end - 3600, hour_end);
                let before = offset(lo);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if offset(mid) == before {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                let (t, after) = (hi, offset(hi));
                let wall = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap().naive_utc();
                let (from, to) = (wall(t + before.min(after)), wall(t + before.max(after)));
                let mut steps: Vec<NaiveDateTime> = Vec::new();
                let mut l = from;
                while l < to {
                    steps.push(l);
                    l += TimeDelta::minutes(5);
                }
                steps.push(to - TimeDelta::microseconds(1));
                for l in steps {
                    let got = local_to_instant(tz, l).as_micros();
                    let expected = if after > before {
                        t * 1_000_000
                    } else {
                        Instant::from_utc(l).as_micros() - before * 1_000_000
                    };
                    assert_eq!(
                        got, expected,
                        "{tz} {l} (transition at {t}: {before} -> {after})"
                    );
                }
                seen[usize::from(after < before)] += 1;
            }
        }
    }
    // 1900–2039 holds hundreds of changes in these zones.
    assert!(seen[0] > 300 && seen[1] > 300, "{seen:?}");
}
