//! Round trips, truncations, flipped bytes and forged frames of the binary snapshot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use crate::calendar::Instant;
use crate::company::Company;
use crate::error::Result;
use crate::ingest::Kind;
use crate::model::{ContractIx, Ix};
use crate::twin::Twin;
use serde_json::json;

fn encode(twin: &Twin, frame_bytes: usize) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    let n = twin
        .write_snapshot(frame_bytes, &mut |f| {
            frames.push(f.to_vec());
            Ok(())
        })
        .unwrap();
    assert_eq!(n as usize, frames.len());
    frames
}

fn source<'a>(frames: &'a [Vec<u8>]) -> impl FnMut(&mut Vec<u8>) -> Result<bool> + 'a {
    let mut it = frames.iter();
    move |buf| {
        Ok(it.next().is_some_and(|f| {
            buf.extend_from_slice(f);
            true
        }))
    }
}

fn decode(frames: &[Vec<u8>]) -> Result<Twin> {
    read(None, &mut source(frames))
}

fn assert_same(a: &Twin, b: &Twin) {
    assert!(a == b, "twins differ");
    assert!(same_shift_jobs(a, b), "shift jobs differ");
    assert_eq!(a.job_count(), b.job_count());
    assert_eq!(a.counts(), b.counts());
    assert!(a.shift_storage_bytes() <= b.shift_storage_bytes());
    for e in &a.books.employees {
        assert_eq!(
            a.books.employee_ix.get(&e.id),
            b.books.employee_ix.get(&e.id)
        );
    }
    for ix in 0..a.books.shifts.len() as u32 {
        assert_eq!(b.books.shifts.get(a.books.shifts.id(ix)), Some(ix));
    }
}

/// A generated payroll, then updates that give shifts histories, side records and
/// open slots, and a payment moved between employees.
fn rich() -> Twin {
    let o = crate::generate::Options {
        employees: 12,
        shifts_per_employee: 6,
        ..crate::generate::Options::default()
    };
    let mut twin = crate::generate::twin(&o).unwrap();
    let at = o.received_at().checked_add_micros(3_600_000_000).unwrap();
    let mut recs = Vec::new();
    for ix in [0u32, 3, 7, 11] {
        let e = twin.books.shifts.employee[ix as usize];
        let emp = twin.books.employees.get(e.unwrap()).unwrap();
        let r = emp.shifts.iter().find(|r| r.ix() == ix).unwrap();
        let mut m = json!({
            "shift_id": twin.books.shifts.id(ix),
            "shift_status": "voided",
            "employee_id": &*emp.id,
            "start_at": r.start.to_string(),
            "stop_at": r.stop.to_string(),
            "custom_info": {"note": format!("updated {ix}"), "n": ix},
        });
        if ix == 11 {
            m.as_object_mut().unwrap().remove("employee_id");
            m["shift_status"] = json!("available");
        }
        recs.push(m);
    }
    recs.push(json!({
        "shift_id": "open-1", "shift_status": "available",
        "start_at": "2026-03-02T08:00:00Z", "stop_at": "2026-03-02T12:00:00Z"
    }));
    let rep = twin.apply(Kind::Shifts, &recs, at).unwrap();
    assert!(rep.count_accepted >= 4, "{rep:?}");
    assert!(!twin.books.open_shifts.is_empty());
    assert!(twin
        .books
        .shifts
        .extra
        .values()
        .any(|x| !x.history.is_empty()));
    twin
}

#[test]
fn a_generated_payroll_round_trips_equal() {
    let twin = rich();
    for frame in [FRAME_BYTES_MAX, 4096, 97, 1] {
        let frames = encode(&twin, frame);
        let back = decode(&frames).unwrap();
        assert_same(&back, &twin);
        // Deterministic: encoding the decoded twin gives the same bytes.
        assert_eq!(encode(&back, frame), frames);
    }
    let empty = Twin::new(twin.books.company.clone());
    assert_same(&decode(&encode(&empty, 64)).unwrap(), &empty);
}

#[test]
fn a_larger_generated_payroll_round_trips_equal() {
    let o = crate::generate::Options {
        employees: 300,
        shifts_per_employee: 40,
        ..crate::generate::Options::default()
    };
    let twin = crate::generate::twin(&o).unwrap();
    let frames = encode(&twin, 1 << 16);
    assert!(frames.len() > 1);
    assert_same(&decode(&frames).unwrap(), &twin);
}

#[test]
fn the_expected_company_is_checked() {
    let twin = rich();
    let frames = encode(&twin, FRAME_BYTES_MAX);
    let other = Company::new("other", chrono_tz::UTC);
    let e = read(Some(&other), &mut source(&frames)).unwrap_err();
    assert!(e.to_string().contains("not the expected `other`"), "{e}");
    assert!(read(Some(&twin.books.company), &mut source(&frames)).is_ok());
}

/// Every truncation and every flipped byte of a small snapshot is an error, never a
/// panic or a different twin.
#[test]
fn every_truncation_and_flipped_byte_is_an_error() {
    let mut twin = Twin::new(Company::new("t", chrono_tz::UTC));
    let at = Instant::from_micros(1_780_000_000_000_000);
    let batches = [
        (
            Kind::PaySchedules,
            json!([{"pay_schedule_id": "m", "frequency": "monthly",
            "periods": [{"pay_period_id": "p1", "start_at": "2026-06-01", "stop_at": "2026-07-01", "pay_at": "2026-07-03"}]}]),
        ),
        (
            Kind::Contracts,
            json!([{"contract_id": "c", "pay_schedule_id": "m", "currency": "EUR",
            "wage_rate_period": "hourly", "wage_rate_amount": 2000}]),
        ),
        (
            Kind::Employees,
            json!([{"employee_id": "e", "contract_id": "c", "contract_start_on": "2026-01-01"}]),
        ),
        (
            Kind::Shifts,
            json!([{"shift_id": "s1", "shift_status": "approved", "employee_id": "e",
            "start_at": "2026-06-02T08:00:00Z", "stop_at": "2026-06-02T16:00:00Z"},
            {"shift_id": "s2", "shift_status": "available",
            "start_at": "2026-06-03T08:00:00Z", "stop_at": "2026-06-03T16:00:00Z"}]),
        ),
        (
            Kind::Shifts,
            json!([{"shift_id": "s1", "shift_status": "voided", "employee_id": "e",
            "start_at": "2026-06-02T08:00:00Z", "stop_at": "2026-06-02T16:00:00Z", "custom_info": {"k": 1}}]),
        ),
        (
            Kind::Additions,
            json!([{"payment_id": "a", "employee_id": "e", "amount": 500}]),
        ),
    ];
    for (kind, recs) in batches {
        let rep = twin.apply(kind, recs.as_array().unwrap(), at).unwrap();
        assert_eq!(rep.count_rejected, 0, "{kind:?}: {rep:?}");
    }
    assert_eq!(twin.counts().shifts, 2);
    for frame in [FRAME_BYTES_MAX, 64] {
        let frames = encode(&twin, frame);
        assert_same(&decode(&frames).unwrap(), &twin);
        // Frames dropped from the end, or repeated.
        for keep in 0..frames.len() {
            assert!(decode(&frames[..keep]).is_err());
        }
        let mut twice = frames.clone();
        twice.push(frames[0].clone());
        assert!(decode(&twice).is_err());
        for (k, f) in frames.iter().enumerate() {
            for cut in 0..f.len() {
                let mut fs = frames.clone();
                fs[k].truncate(cut);
                let e = decode(&fs).unwrap_err();
                assert!(e.to_string().contains("snapshot: "), "{e}");
            }
            for i in 0..f.len() {
                for bit in [0x01u8, 0x80] {
                    let mut fs = frames.clone();
                    fs[k][i] ^= bit;
                    assert!(decode(&fs).is_err(), "frame {k} byte {i} bit {bit:#x}");
                }
            }
        }
    }
}

/// Bytes that pass the frame checks but are not a valid stream (a forged frame) are
/// still refused: the checks after the checksum hold on their own.
#[test]
fn forged_frames_with_valid_checksums_are_refused() {
    let twin = rich();
    let frames = encode(&twin, FRAME_BYTES_MAX);
    let payload = frames[0][FRAME_HEAD..frames[0].len() - FRAME_TAIL].to_vec();
    let forge = |p: &[u8]| {
        let mut f = FRAME_MAGIC.to_vec();
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(&(p.len() as u32).to_le_bytes());
        f.extend_from_slice(p);
        f.extend_from_slice(&checksum(0, p).to_le_bytes());
        f
    };
    assert!(decode(&[forge(&payload)]).is_ok());
    // Every single-byte change in a window over the header and early sections, and
    // every truncation, with valid framing: an error or an equal twin (a change to a
    // value the format cannot check, e.g. an amount), never a panic.
    let mut refused = 0;
    for i in 0..payload.len().min(3000) {
        for v in [0u8, 0xff, 0x7f] {
            let mut p = payload.clone();
            if p[i] == v {
                continue;
            }
            p[i] = v;
            if decode(&[forge(&p)]).is_err() {
                refused += 1;
            }
        }
    }
    assert!(refused > 0);
    for cut in 0..payload.len() {
        assert!(decode(&[forge(&payload[..cut])]).is_err() || cut == payload.len());
    }
}

/// A frame 0 holding `payload`, with valid framing and checksum (a forger's frame).
fn forge(payload: &[u8]) -> Vec<u8> {
    let mut f = FRAME_MAGIC.to_vec();
    f.extend_from_slice(&0u32.to_le_bytes());
    f.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    f.extend_from_slice(payload);
    f.extend_from_slice(&checksum(0, payload).to_le_bytes());
    f
}

/// The payload of a one-frame snapshot with the 8 bytes of `from` (found exactly once)
/// replaced by those of `to`.
fn edited(twin: &Twin, from: i64, to: i64) -> Vec<u8> {
    let frames = encode(twin, FRAME_BYTES_MAX);
    assert_eq!(frames.len(), 1);
    let mut p = frames[0][FRAME_HEAD..frames[0].len() - FRAME_TAIL].to_vec();
    let needle = from.to_le_bytes();
    let at: Vec<usize> = (0..p.len() - 8)
        .filter(|&i| p[i..i + 8] == needle)
        .collect();
    assert_eq!(at.len(), 1, "the value must be found once");
    p[at[0]..at[0] + 8].copy_from_slice(&to.to_le_bytes());
    p
}

fn refused_for(frames: &[Vec<u8>], rule: &str, entity: &str) {
    let m = decode(frames).unwrap_err().to_string();
    assert!(
        m.starts_with("storage error: snapshot: invariant `")
            && m.contains(&format!("`{rule}` broken: {entity}")),
        "{m}"
    );
}

/// Bytes edited in place (valid frames, valid checksums): the decoder reads them, the
/// invariant check refuses the twin they describe.
#[test]
fn edited_bytes_that_break_an_invariant_are_refused_naming_the_rule() {
    use crate::twin::invariants::{RATES_SORTED, SHIFT_LENGTH};
    let twin = crate::twin::invariants::sample();
    assert_same(&decode(&encode(&twin, 64)).unwrap(), &twin);
    let us = |s: &str| {
        crate::calendar::parse_instant(chrono_tz::UTC, s)
            .unwrap()
            .as_micros()
    };
    // o1 stops 25 hours after it starts (shift_hours_max is 24).
    let o1_stop = us("2026-06-05T12:00:00Z");
    let p = edited(&twin, o1_stop, us("2026-06-06T09:00:00Z"));
    refused_for(&[forge(&p)], SHIFT_LENGTH, "shift `o1`");
    // h1's second rate version moved to the first's `from` (for all time).
    let p = edited(&twin, us("2026-06-10T00:00:00Z"), Instant::MIN.as_micros());
    refused_for(&[forge(&p)], RATES_SORTED, "contract `h1`");
}

/// A change that breaks an invariant.
type Forgery = fn(&mut Twin);

/// A broken state written by the encoder (a forger with the format's code) is refused on
/// load with its rule named, for every rule.
#[test]
fn a_forged_snapshot_breaking_each_invariant_is_refused() {
    use crate::twin::invariants as inv;
    let cases: Vec<(&str, &str, Forgery)> = vec![
        (inv::PERIODS_SORTED, "schedule `bw`", |t| {
            t.books.schedules[0].periods.swap(0, 1)
        }),
        (inv::PERIOD_NOT_EMPTY, "schedule `bw`", |t| {
            t.books.schedules[0].periods[0].stop = t.books.schedules[0].periods[0].start
        }),
        (inv::ALIGNMENT_HOLDS, "schedule `bw`", |t| {
            t.books.schedules[0].periods[1].pay_at = t.books.schedules[0].periods[1].start
        }),
        (inv::RATES_SORTED, "contract `h1`", |t| {
            t.books.contracts[0].versions.swap(0, 1)
        }),
        (inv::SHIFTS_SORTED, "employee `e1`", |t| {
            t.books.employees[0].shifts.swap(0, 1)
        }),
        // a1 listed twice (by e1 and as open), o1 in no list: the counts still add up.
        (inv::SHIFT_LISTED_ONCE, "shift `a1`", |t| {
            t.books.open_shifts[0] = t.books.employees[0].shifts[0]
        }),
        (inv::COUNTED_NO_OVERLAP, "shift `a2`", |t| {
            // a2 (approved) moved 20 hours earlier, into a1's hours.
            let a2 = t.books.shifts.get("a2").unwrap();
            let list = &mut t.books.employees[0].shifts;
            let r = list.iter_mut().find(|r| r.ix() == a2).unwrap();
            r.start = Instant::from_micros(r.start.as_micros() - 20 * 3_600_000_000);
            r.stop = Instant::from_micros(r.stop.as_micros() - 20 * 3_600_000_000);
            list.sort_by_key(|r| (r.start, r.ix()));
        }),
        (inv::SHIFT_CONTRACT, "shift `a1`", |t| {
            t.books.employees[0].shifts[0].contract = Some(ContractIx::numbered(1))
        }),
        (inv::PAYMENT_LISTED, "addition `add1`", |t| {
            t.books.employees[0].additions.clear()
        }),
        (inv::ADVANCE_LISTED, "advance `adv1`", |t| {
            t.books.employees[0].advances.clear()
        }),
        (inv::ADVANCE_DECISION, "advance `adv1`", |t| {
            t.books.advances[0].fee = 1
        }),
        (inv::LEAVE_SHAPE, "leave `lv1`", |t| {
            t.books.leaves[0].stop_on = t.books.leaves[0].start_on.pred_opt().unwrap()
        }),
        (inv::LEAVE_SHAPE, "leave `lv2`", |t| {
            t.books.leaves[1].hours_per_day = rust_decimal::Decimal::ZERO
        }),
        (inv::LEAVE_CONTRACT, "leave `lv1`", |t| {
            t.books.leaves[0].contract = Some(ContractIx::numbered(1))
        }),
    ];
    for (rule, entity, change) in cases {
        let mut twin = crate::twin::invariants::sample();
        change(&mut twin);
        refused_for(&encode(&twin, 97), rule, entity);
    }
}

/// Contract rules kept only in `custom_info` (SPEC §5.4 premiums, §5.2 `seventh_day`) come
/// back from a snapshot through ingestion's parsers; a salaried contract's stay ignored.
#[test]
fn premiums_and_the_seventh_day_round_trip() {
    let mut twin = Twin::new(Company::new("acme", chrono_tz::UTC));
    let t0 = Instant::from_micros(1_780_000_000_000_000);
    let premiums = json!([{"name": "night", "from": "22:00", "to": "06:00", "per_hour": 150},
                          {"name": "weekend", "days": ["saturday"], "multiplier": "1.25",
                           "holidays": "exclude", "regular_rate": false}]);
    let batches = [
        (
            Kind::PaySchedules,
            json!([{"pay_schedule_id": "m", "frequency": "monthly",
            "periods": [{"pay_period_id": "p", "start_at": "2026-06-01", "stop_at": "2026-07-01",
                         "pay_at": "2026-07-03"}]}]),
        ),
        (
            Kind::Contracts,
            json!([
            {"contract_id": "h", "pay_schedule_id": "m", "currency": "USD", "wage_rate_period": "hourly",
             "wage_rate_amount": 2000, "custom_info": {"premiums": premiums, "overtime": {
                 "multiplier": "1.5", "double_time_multiplier": "2", "seventh_day": true}}},
            {"contract_id": "s", "pay_schedule_id": "m", "currency": "USD", "wage_rate_period": "monthly",
             "wage_rate_amount": 200000, "custom_info": {"premiums": premiums}}]),
        ),
    ];
    for (kind, records) in batches {
        let records = records.as_array().unwrap().clone();
        assert_eq!(
            twin.apply(kind, &records, t0).unwrap().count_accepted,
            records.len()
        );
    }
    assert_eq!(twin.books.contracts[0].premiums.len(), 2);
    assert!(
        twin.books.contracts[0]
            .overtime
            .as_ref()
            .unwrap()
            .seventh_day
    );
    assert!(twin.books.contracts[1].premiums.is_empty());
    let frames = encode(&twin, 4096);
    let back = decode(&frames).unwrap();
    assert_same(&back, &twin);
    assert_eq!(
        back.books.contracts[0].premiums,
        twin.books.contracts[0].premiums
    );
    assert!(
        back.books.contracts[0]
            .overtime
            .as_ref()
            .unwrap()
            .seventh_day
    );
    assert!(back.books.contracts[1].premiums.is_empty());
}

/// A version 1 stream (before leaves) still reads: the same twin without leaves.
#[test]
fn a_version_1_stream_without_leaves_reads() {
    let mut twin = crate::twin::invariants::sample();
    for e in &mut twin.books.employees {
        e.leaves.clear();
    }
    twin.books.leaves.vec_mut().clear();
    twin.books.leave_ix = crate::model::Index::default();
    let mut v1 = Vec::new();
    let company = twin.company().to_json().to_string();
    twin.books
        .write_snapshot_as(1, &company, FRAME_BYTES_MAX, &mut |f| {
            v1.push(f.to_vec());
            Ok(())
        })
        .unwrap();
    assert_eq!(v1[0][FRAME_HEAD + 8..FRAME_HEAD + 12], 1u32.to_le_bytes());
    assert_same(&decode(&v1).unwrap(), &twin);
    let frames = encode(&twin, FRAME_BYTES_MAX);
    let p = &frames[0][FRAME_HEAD..frames[0].len() - FRAME_TAIL];
    // Version 4 is not read.
    let mut v4 = p.to_vec();
    v4[8..12].copy_from_slice(&4u32.to_le_bytes());
    let m = decode(&[forge(&v4)]).unwrap_err().to_string();
    assert!(m.contains("format version 4"), "{m}");
}

/// Version 3 adds each payment's `in_regular_rate` flag (SPEC §2): it round trips, a
/// version-2 stream (without the flags) reads with every flag false, and a deduction
/// marked in the bytes is refused.
#[test]
fn in_regular_rate_round_trips_and_a_version_2_stream_reads() {
    let mut twin = crate::twin::invariants::sample();
    assert!(!twin.books.additions.is_empty() && !twin.books.deductions.is_empty());
    if let Some(a) = twin.books.additions.first_mut() {
        a.in_regular_rate = true;
    }
    let back = decode(&encode(&twin, 61)).unwrap();
    assert_same(&back, &twin);
    assert!(back.books.additions == twin.books.additions);
    let mut v2 = Vec::new();
    let company = twin.company().to_json().to_string();
    twin.books
        .write_snapshot_as(2, &company, FRAME_BYTES_MAX, &mut |f| {
            v2.push(f.to_vec());
            Ok(())
        })
        .unwrap();
    let mut flagless = twin.clone();
    for p in &mut flagless.books.additions {
        p.in_regular_rate = false;
    }
    assert_same(&decode(&v2).unwrap(), &flagless);
    // A deduction marked in the bytes: the last payment's flag is the byte before the
    // advances; found as the one byte that differs when the twin marks it.
    let p = encode(&flagless, FRAME_BYTES_MAX)[0].clone();
    let mut marked = flagless.clone();
    if let Some(d) = marked.books.deductions.last_mut() {
        d.in_regular_rate = true;
    }
    let q = encode(&marked, FRAME_BYTES_MAX)[0].clone();
    let at = p.iter().zip(&q).position(|(a, b)| a != b).unwrap();
    let mut bad = p[FRAME_HEAD..p.len() - FRAME_TAIL].to_vec();
    bad[at - FRAME_HEAD] = 1;
    let m = decode(&[forge(&bad)]).unwrap_err().to_string();
    assert!(m.contains("in_regular_rate"), "{m}");
}

/// Leaves round trip, and a forged leave (unknown status, employee out of range) or a
/// contract whose stored `custom_info.holiday_pay_hours` ingestion would refuse is refused
/// by the decoder.
#[test]
fn leaves_round_trip_and_forged_leave_bytes_are_refused() {
    let twin = crate::twin::invariants::sample();
    assert!(!twin.books.leaves.is_empty());
    let frames = encode(&twin, 97);
    assert_same(&decode(&frames).unwrap(), &twin);
    assert!(decode(&frames).unwrap().books.leaves == twin.books.leaves);
    // The status byte of lv2 (requested = 0) follows its employee (1) and no contract (0):
    // the bytes `lv2`, 1u32, 0u8, 0u8.
    let p = encode(&twin, FRAME_BYTES_MAX)[0].clone();
    let p = &p[FRAME_HEAD..p.len() - FRAME_TAIL];
    let mut needle = 3u32.to_le_bytes().to_vec();
    needle.extend_from_slice(b"lv2");
    needle.extend_from_slice(&1u32.to_le_bytes());
    needle.extend_from_slice(&[0, 0]);
    let at = p.windows(needle.len()).position(|w| w == needle).unwrap();
    let mut bad_status = p.to_vec();
    bad_status[at + needle.len() - 1] = 9;
    let m = decode(&[forge(&bad_status)]).unwrap_err().to_string();
    assert!(m.contains("leave `lv2` has an unknown status"), "{m}");
    let mut bad_employee = p.to_vec();
    bad_employee[at + 7..at + 11].copy_from_slice(&7u32.to_le_bytes());
    assert!(decode(&[forge(&bad_employee)]).is_err());
    let mut forged = twin.clone();
    forged.books.contracts[0].custom_info = Some(
        json!({"holiday_pay_hours": "-1"})
            .as_object()
            .unwrap()
            .clone(),
    );
    let m = decode(&encode(&forged, 97)).unwrap_err().to_string();
    assert!(m.contains("custom_info.holiday_pay_hours"), "{m}");
}

/// [`crate::twin::invariants::sample`] with breaks and tips: `a1` updated twice (a break and
/// tips, then new times keeping both), `a2` with an explicit empty list.
fn with_breaks() -> Twin {
    let mut twin = crate::twin::invariants::sample();
    let at = crate::calendar::parse_instant(chrono_tz::UTC, "2026-06-05T00:00:00Z").unwrap();
    let a1 = |stop: &str| {
        json!({"shift_id": "a1", "shift_status": "approved", "employee_id": "e1",
               "start_at": "2026-06-02T08:00:00Z", "stop_at": stop})
    };
    let mut first = a1("2026-06-02T16:00:00Z");
    first["unpaid_breaks"] = json!([
        {"start_at": "2026-06-02T12:00:00Z", "stop_at": "2026-06-02T12:30:00Z"},
        {"start_at": "2026-06-02T10:00:00Z", "stop_at": "2026-06-02T10:15:00Z"}]);
    first["tips"] = json!(1234);
    let mut a2 = json!({"shift_id": "a2", "shift_status": "approved", "employee_id": "e1",
        "start_at": "2026-06-03T08:00:00Z", "stop_at": "2026-06-03T16:00:00Z"});
    a2["unpaid_breaks"] = json!([]);
    for recs in [vec![first, a2], vec![a1("2026-06-02T17:00:00Z")]] {
        let rep = twin.apply(Kind::Shifts, &recs, at).unwrap();
        assert_eq!(rep.count_rejected, 0, "{rep:?}");
    }
    twin
}

#[test]
fn breaks_and_tips_round_trip_with_their_history() {
    let twin = with_breaks();
    let frames = encode(&twin, 97);
    let payload: Vec<u8> = frames
        .iter()
        .flat_map(|f| f[FRAME_HEAD..f.len() - FRAME_TAIL].to_vec())
        .collect();
    // The current version is written (3 since the payments' in_regular_rate).
    assert_eq!(payload[8..12], FORMAT_VERSION.to_le_bytes());
    let back = decode(&frames).unwrap();
    assert_same(&back, &twin);
    assert_eq!(encode(&back, 97), frames);
    let h = back.shift_history("a1").unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!((&h[0].unpaid_breaks, h[0].tips), (&None, None));
    for v in &h[1..] {
        let b = v.unpaid_breaks.as_ref().unwrap();
        assert_eq!(b[0].start_at, "2026-06-02T10:00:00Z");
        assert_eq!(b[1].stop_at, "2026-06-02T12:30:00Z");
        assert_eq!(v.tips, Some(1234));
    }
    assert_eq!(
        back.shift_history("a2").unwrap()[1].unpaid_breaks,
        Some(vec![])
    );
    // Every twin is written in the newest version.
    let plain = encode(&crate::twin::invariants::sample(), FRAME_BYTES_MAX);
    assert_eq!(
        plain[0][FRAME_HEAD + 8..FRAME_HEAD + 12],
        FORMAT_VERSION.to_le_bytes()
    );
}

/// Changes the breaks and tips of shift `id`'s current version in place.
fn current_ext(t: &mut Twin, id: &str, change: impl FnOnce(&mut crate::model::ShiftExt)) {
    let ix = t.books.shifts.get(id).unwrap();
    let mut x = t.books.shifts.ext(ix).unwrap().to_ext();
    change(&mut x);
    t.books.shifts.set_ext(ix, Some(x));
}

/// Forged breaks and tips written by the encoder are refused on load, naming the rule.
#[test]
fn forged_breaks_and_tips_are_refused() {
    use crate::model::Span;
    use crate::twin::invariants as inv;
    let cases: Vec<(&str, &str, Forgery)> = vec![
        (inv::BREAKS_INSIDE, "shift `a1`", |t| {
            current_ext(t, "a1", |x| {
                let b = x.breaks.as_mut().unwrap();
                b[1].stop = Instant::from_micros(b[1].stop.as_micros() + 10 * 3_600_000_000);
            })
        }),
        (inv::BREAKS_INSIDE, "shift `a1`", |t| {
            current_ext(t, "a1", |x| {
                let b = x.breaks.as_mut().unwrap();
                b[0] = Span {
                    start: b[1].start,
                    stop: b[1].stop,
                };
            })
        }),
        (inv::TIPS_RANGE, "shift `a1`", |t| {
            current_ext(t, "a1", |x| x.tips = Some(-5))
        }),
        (inv::BREAKS_INSIDE, "shift `a1` (version 2)", |t| {
            let ix = t.books.shifts.get("a1").unwrap();
            let v = &mut t.books.shifts.extra.get_mut(&ix).unwrap().history[1];
            let x = v.ext.as_mut().unwrap();
            x.breaks.as_mut().unwrap()[0].start = Instant::from_micros(v.start.as_micros() - 1);
        }),
    ];
    for (rule, entity, change) in cases {
        let mut twin = with_breaks();
        change(&mut twin);
        refused_for(&encode(&twin, 97), rule, entity);
    }
}

/// A break record naming a shift version that does not exist is refused by the decoder.
#[test]
fn a_break_record_out_of_range_is_refused() {
    let mut twin = with_breaks();
    let a2 = twin.books.shifts.get("a2").unwrap();
    // a2's record: index, version 0, breaks `Some([])` (flag, count 0), tips (flag, value).
    let unique: i64 = 0x5A5A_1234_5678;
    current_ext(&mut twin, "a2", |x| x.tips = Some(unique));
    let frames = encode(&twin, FRAME_BYTES_MAX);
    let mut p = frames[0][FRAME_HEAD..frames[0].len() - FRAME_TAIL].to_vec();
    let needle = unique.to_le_bytes();
    let at = (0..p.len() - 8).find(|&i| p[i..i + 8] == needle).unwrap();
    assert_eq!(p[at - 14..at - 10], a2.to_le_bytes());
    // Version 5 of a2, which has no earlier version.
    p[at - 10..at - 6].copy_from_slice(&5u32.to_le_bytes());
    let m = decode(&[forge(&p)]).unwrap_err().to_string();
    assert!(
        m.contains(&format!("shift {a2} version 5 are out of order or range")),
        "{m}"
    );
}

/// A shift id and its expected (break count, tips).
type Shape = (&'static str, Option<usize>, Option<i64>);

/// The sample twin with e2's shifts carrying each shape of side record (SPEC §2
/// extensions), then updates that remove tips or breaks; each shift's expected shape now.
fn with_side_shapes() -> (Twin, Vec<Shape>) {
    let mut twin = crate::twin::invariants::sample();
    let at = crate::calendar::parse_instant(chrono_tz::UTC, "2026-06-20T00:00:00Z").unwrap();
    let shift = |id: &str, day: u32| {
        json!({"shift_id": id, "shift_status": "approved", "employee_id": "e2",
               "start_at": format!("2026-06-{day:02}T08:00:00Z"),
               "stop_at": format!("2026-06-{day:02}T16:00:00Z")})
    };
    let brk = |day: u32, from: &str, to: &str| {
        json!({"start_at": format!("2026-06-{day:02}T{from}:00Z"),
               "stop_at": format!("2026-06-{day:02}T{to}:00Z")})
    };
    let mut tips_only = shift("t", 8);
    tips_only["tips"] = json!(500);
    let mut one_break = shift("b1", 9);
    one_break["unpaid_breaks"] = json!([brk(9, "12:00", "12:30")]);
    let mut both = shift("b2", 10);
    both["unpaid_breaks"] = json!([brk(10, "10:00", "10:15"), brk(10, "12:00", "12:30")]);
    both["tips"] = json!(900);
    let mut empty = shift("e", 11);
    empty["unpaid_breaks"] = json!([]);
    let neither = shift("n", 12);
    let mut kept_tips = shift("k", 16);
    kept_tips["unpaid_breaks"] = json!([brk(16, "12:00", "12:30")]);
    kept_tips["tips"] = json!(300);
    let first = vec![tips_only, one_break, both, empty, neither, kept_tips];
    // Updates: tips removed (t: none left; b2: its breaks kept), breaks removed (k: its
    // tips kept), and one break turned into tips (b1).
    let mut t = shift("t", 8);
    t["tips"] = json!(null);
    let mut b2 = shift("b2", 10);
    b2["tips"] = json!(null);
    let mut k = shift("k", 16);
    k["unpaid_breaks"] = json!(null);
    let mut b1 = shift("b1", 9);
    b1["unpaid_breaks"] = json!(null);
    b1["tips"] = json!(700);
    for recs in [first, vec![t, b2, k, b1]] {
        let rep = twin.apply(Kind::Shifts, &recs, at).unwrap();
        assert_eq!(rep.count_rejected, 0, "{rep:?}");
    }
    let expected = vec![
        ("t", None, None),
        ("b1", None, Some(700)),
        ("b2", Some(2), None),
        ("e", Some(0), None),
        ("n", None, None),
        ("k", None, Some(300)),
    ];
    (twin, expected)
}

/// Shift `id`'s (break count, tips) in `twin`.
fn side_shape(twin: &Twin, id: &str) -> (Option<usize>, Option<i64>) {
    let ix = twin.books.shifts.get(id).unwrap();
    let x = twin.books.shifts.ext(ix).unwrap_or_default();
    (x.breaks.map(<[_]>::len), x.tips)
}

#[test]
fn every_shape_of_side_record_round_trips_through_snapshot_and_slice() {
    let (twin, expected) = with_side_shapes();
    twin.check_invariants().unwrap();
    for &(id, breaks, tips) in &expected {
        assert_eq!(side_shape(&twin, id), (breaks, tips), "{id}");
    }
    // The updated shifts keep what they had in their history.
    let h = twin.shift_history("t").unwrap();
    assert_eq!((h[0].tips, h[1].tips), (Some(500), None));
    let h = twin.shift_history("k").unwrap();
    assert_eq!(h[0].unpaid_breaks.as_ref().map(Vec::len), Some(1));
    assert_eq!((h[1].unpaid_breaks.as_ref(), h[1].tips), (None, Some(300)));
    // Snapshot: the same twin back, written again to the same bytes.
    let frames = encode(&twin, 97);
    let back = decode(&frames).unwrap();
    assert_same(&back, &twin);
    assert_eq!(encode(&back, 97), frames);
    for &(id, breaks, tips) in &expected {
        assert_eq!(side_shape(&back, id), (breaks, tips), "{id} back");
    }
    // The employee's slice: the same records under its own shift indexes.
    let slice = twin.employee_slice("e2").unwrap().unwrap();
    for &(id, breaks, tips) in &expected {
        assert_eq!(side_shape(&slice, id), (breaks, tips), "{id} in the slice");
    }
    let as_of = crate::calendar::parse_instant(chrono_tz::UTC, "2026-06-20T00:00:00Z").unwrap();
    assert_eq!(
        slice.accruals("e2", as_of).unwrap(),
        twin.accruals("e2", as_of).unwrap()
    );
}
