//! Bytes → record texts: the elements of a JSON array of objects, found without parsing
//! them (only where each ends), in parallel for large batches. Each element is then read by
//! the one batch loop ([`super::batch`]); anything not an array of objects is `None`, and
//! the caller parses the bytes whole, which words the refusal.

/// Deeper nesting than this anywhere in an element sends the batch the `Value` way (whose
/// parser stops at 128 levels), so a split batch is never read where the whole one is not.
const DEPTH_MAX: usize = 64;

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The position of the first `"`, `\\` or control character (below 0x20) in `b`: eight
/// bytes at a time while none is in the word (the usual "has a zero byte" tests, exact
/// for any bytes), then byte by byte.
fn find_special(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let mut k = 0;
    let mut words = b.chunks_exact(8);
    for c in &mut words {
        let w = <[u8; 8]>::try_from(c).map_or(u64::MAX, u64::from_le_bytes);
        let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH != 0;
        if below_space
            || has_zero(w ^ (ONES * u64::from(b'"')))
            || has_zero(w ^ (ONES * u64::from(b'\\')))
        {
            break;
        }
        k += 8;
    }
    let at = b
        .get(k..)?
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
    Some(k + at)
}

/// One past the closing quote of the JSON string whose contents start at `i`.
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut k = i;
    loop {
        k += find_special(b.get(k..)?)?;
        match b.get(k)? {
            b'"' => return Some(k + 1),
            b'\\' => k += 2,
            _ => k += 1,
        }
    }
}

/// One past the `}` closing the object that starts at `start`, skipping strings; `None`
/// when `start` is no `{`, the brackets do not balance, or they nest deeper than
/// [`DEPTH_MAX`]. Only where elements end is decided here: each element is then parsed
/// (and so checked) in full by serde_json.
fn object_end(b: &[u8], start: usize) -> Option<usize> {
    if b.get(start) != Some(&b'{') {
        return None;
    }
    let mut depth = 0usize;
    let mut i = start;
    while let Some(&c) = b.get(i) {
        match c {
            b'"' => {
                i = string_end(b, i + 1)?;
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > DEPTH_MAX {
                    return None;
                }
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Bytes below which an array is split on one core.
const SPLIT_PARALLEL_MIN: usize = 1 << 20;

/// The text of each element of a JSON array whose elements all look like objects, or
/// `None` (the batch then goes the `Value` way, which words the error).
///
/// A large array is cut into segments at guessed element starts (a `{` after a `,`), which
/// are scanned in parallel, each up to the next guess. A segment scanned from a true element
/// start lands on the next guess exactly only when that guess is a true element start too,
/// so when every segment lands, the first being the array's start, the result is the
/// sequential scan's; when any does not (a guess inside a string), the array is scanned
/// again on one core.
pub(crate) fn split_objects(text: &str) -> Option<Vec<&str>> {
    split_objects_from(text, SPLIT_PARALLEL_MIN)
}

/// [`split_objects`], in parallel from `parallel_min` bytes on.
fn split_objects_from(text: &str, parallel_min: usize) -> Option<Vec<&str>> {
    use rayon::prelude::*;
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return (skip_ws(b, i + 1) == b.len()).then_some(Vec::new());
    }
    let parts = if b.len() >= parallel_min {
        rayon::current_num_threads().clamp(1, 8) * 2
    } else {
        1
    };
    let mut cuts = vec![i];
    for k in 1..parts {
        let at = b.len() / parts * k;
        if let Some(c) = guess_element_start(b, at).filter(|c| cuts.last() < Some(c)) {
            cuts.push(c);
        }
    }
    if cuts.len() > 1 {
        let stops: Vec<Option<usize>> = cuts
            .iter()
            .skip(1)
            .map(|&c| Some(c))
            .chain([None])
            .collect();
        let segments: Vec<Option<Vec<&str>>> = cuts
            .par_iter()
            .zip(stops.par_iter())
            .map(|(&from, &stop)| scan_elements(text, from, stop))
            .collect();
        if segments.iter().all(Option::is_some) {
            return Some(segments.into_iter().flatten().flatten().collect());
        }
    }
    scan_elements(text, i, None)
}

/// The first `{` at or after `at` whose previous non-blank byte is `,`.
fn guess_element_start(b: &[u8], at: usize) -> Option<usize> {
    let mut k = at;
    loop {
        k += b.get(k..)?.iter().position(|&c| c == b'{')?;
        let before = b.get(..k)?;
        let prev = before
            .iter()
            .rev()
            .find(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
        if prev == Some(&b',') {
            return Some(k);
        }
        k += 1;
    }
}

/// The elements from the element start `from` on: up to the one starting at `stop`, which
/// must follow a `,` exactly there, or with `stop` `None` to the array's `]` and the end of
/// the text.
fn scan_elements(text: &str, from: usize, stop: Option<usize>) -> Option<Vec<&str>> {
    let b = text.as_bytes();
    let mut i = from;
    let mut out = Vec::new();
    loop {
        let end = object_end(b, i)?;
        // `{` and `}` are ASCII: the slice is on character boundaries.
        out.push(text.get(i..end)?);
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => {
                i = skip_ws(b, i + 1);
                match stop {
                    Some(s) if i == s => return Some(out),
                    Some(s) if i > s => return None,
                    _ => {}
                }
            }
            Some(b']') => return (stop.is_none() && skip_ws(b, i + 1) == b.len()).then_some(out),
            _ => return None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use crate::generate::{self, Options};
    use crate::ingest::Kind;
    use crate::twin::Twin;
    use serde_json::{json, Value};

    /// The fast path and the `Value` path give the same reports and the same twin.
    fn both(records: &[Value]) {
        let opts = Options {
            employees: 4,
            shifts_per_employee: 3,
            ..Options::default()
        };
        let base = generate::twin(&opts).unwrap();
        let at = opts.received_at();
        let bytes = serde_json::to_vec(records).unwrap();
        let mut fast = base.clone();
        let mut slow = base.clone();
        let a = fast.apply_json(Kind::Shifts, &bytes, at).unwrap();
        let b = slow.apply(Kind::Shifts, records, at).unwrap();
        assert_eq!(a, b);
        assert_eq!(fast, slow);
        assert!(
            fast.apply_shift_bytes(&bytes, at).is_some(),
            "the bytes were read element by element"
        );
    }

    /// What `apply_json` answered before the fast path existed: the bytes as one `Value`,
    /// then `Twin::apply`.
    fn value_path(twin: &mut Twin, bytes: &[u8], at: crate::calendar::Instant) -> String {
        let r = match serde_json::from_slice::<Value>(bytes) {
            Err(e) => Err(crate::Error::BatchRefused {
                reason: format!("not JSON: {e}"),
            }),
            Ok(Value::Array(records)) => twin.apply(Kind::Shifts, &records, at),
            Ok(_) => Err(crate::Error::BatchRefused {
                reason: "not a JSON array of objects".into(),
            }),
        };
        format!("{:?}", r.map(|r| serde_json::to_string(&r).unwrap()))
    }

    /// `apply_json` and the `Value` path on the same bytes: equal answers, equal twins;
    /// then the same bytes once more (every known shift now exists).
    fn same_as_value_path(bytes: &[u8]) {
        let opts = Options {
            employees: 4,
            shifts_per_employee: 3,
            ..Options::default()
        };
        let at = opts.received_at();
        let mut fast = generate::twin(&opts).unwrap();
        let mut slow = fast.clone();
        for round in 0..2 {
            let a = fast.apply_json(Kind::Shifts, bytes, at);
            let a = format!("{:?}", a.map(|r| serde_json::to_string(&r).unwrap()));
            let b = value_path(&mut slow, bytes, at);
            assert_eq!(
                a,
                b,
                "round {round}, bytes {}",
                String::from_utf8_lossy(bytes)
            );
            assert!(fast == slow, "round {round}: the twins differ");
            assert_eq!(fast.job_count(), slow.job_count());
        }
    }

    fn pick<T: Clone>(v: &[T], k: usize) -> T {
        v[k % v.len()].clone()
    }

    /// A shift record from choices among valid, invalid and unusual spellings.
    /// With `typed`, the six text fields are strings or `null` (the fast form), so that
    /// whole batches take the fast path.
    fn record(c: &[usize; 8], typed: bool) -> Value {
        let ids = [
            json!("n1"),
            json!("n2"),
            json!("s0000001-001"),
            json!("s0000002-002"),
            json!(""),
            json!("n\u{e9}\"x"),
            json!(null),
            json!(7),
        ];
        let statuses = [
            json!("approved"),
            json!("submitted"),
            json!("voided"),
            json!("available"),
            json!("approvedd"),
            json!(null),
            json!(true),
        ];
        let employees = [
            json!("e0000001"),
            json!("e0000002"),
            json!("e0000003"),
            json!("nobody"),
            json!(null),
            json!(""),
        ];
        let contracts = [json!("h-weekly-1"), json!("nope"), json!(null)];
        let stamps = [
            json!("2026-06-03T08:00:00Z"),
            json!("2026-06-03T12:00:00Z"),
            json!("2026-06-03T10:30:00+02:00"),
            json!("2026-06-03T09:00:00"),
            json!("2026-06-04T07:00:00.5Z"),
            json!("2026-06-03"),
            json!("2026-06-03T25:00:00Z"),
            json!("2026-03-29T02:30:00"),
            json!(1),
            json!(null),
        ];
        let infos = [
            json!({"site": "a"}),
            json!({"a": [1, {"b": null}]}),
            json!(null),
            json!(3),
            json!("x"),
        ];
        let mut m = serde_json::Map::new();
        let mut put = |k: &str, choice: usize, v: Value| {
            let v = match v {
                Value::Number(_) | Value::Bool(_) if typed && k != "custom_info" => {
                    json!(format!("{v}"))
                }
                v => v,
            };
            // 0: absent; otherwise the value.
            if choice % 5 != 0 {
                m.insert(k.into(), v);
            }
        };
        put("shift_id", c[0] % 9 + 1, pick(&ids, c[0]));
        put("shift_status", c[1] % 11 + 1, pick(&statuses, c[1]));
        put("employee_id", c[2], pick(&employees, c[2] / 5));
        put("contract_id", c[3], pick(&contracts, c[3] / 5));
        put("start_at", c[4] % 13 + 1, pick(&stamps, c[4] % 4));
        put("stop_at", c[5] % 13 + 1, pick(&stamps, c[5]));
        put("custom_info", c[6], pick(&infos, c[6] / 5));
        if c[7] % 23 == 0 {
            m.insert("shift_note".into(), json!("unknown field"));
        }
        Value::Object(m)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Random batches (copies, conflicts, invalid fields, updates of known shifts) and
        /// their byte-mangled versions answer as the `Value` path does.
        #[test]
        fn random_and_mangled_batches_answer_as_the_value_path(
            choices in proptest::collection::vec(proptest::array::uniform8(0usize..1000), 0..12),
            copies in proptest::collection::vec((0usize..12, 0usize..12), 0..4),
            pretty in proptest::bool::ANY,
            edits in proptest::collection::vec((0usize..10_000, 0u8..8, proptest::num::u8::ANY), 0..3),
            typed in proptest::bool::weighted(0.8),
        ) {
            let mut recs: Vec<Value> = choices.iter().map(|c| record(c, typed)).collect();
            for (from, to) in copies {
                if from < recs.len() {
                    let r = recs[from].clone();
                    recs.insert(to.min(recs.len()), r);
                }
            }
            let mut bytes = if pretty {
                serde_json::to_vec_pretty(&recs).unwrap()
            } else {
                serde_json::to_vec(&recs).unwrap()
            };
            same_as_value_path(&bytes);
            split_in_parallel_as_on_one_core(&bytes);
            for (at, what, byte) in edits {
                if bytes.is_empty() {
                    break;
                }
                let at = at % bytes.len();
                let specials = [b'{', b'}', b'[', b']', b'"', b'\\', b',', b' '];
                match what {
                    0 => bytes.truncate(at),
                    1 => bytes.insert(at, byte),
                    2 => bytes.insert(at, specials[byte as usize % specials.len()]),
                    3 => { bytes.remove(at); }
                    _ => bytes[at] = specials[byte as usize % specials.len()],
                }
                same_as_value_path(&bytes);
                split_in_parallel_as_on_one_core(&bytes);
            }
        }
    }

    /// The parallel split of any text (cut at every guessed element start) is the
    /// sequential one.
    fn split_in_parallel_as_on_one_core(bytes: &[u8]) {
        if let Ok(text) = std::str::from_utf8(bytes) {
            assert_eq!(
                super::split_objects_from(text, 0),
                super::split_objects_from(text, usize::MAX),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        /// The word-at-a-time search finds what a byte-by-byte one finds.
        #[test]
        fn find_special_is_a_byte_search(bytes in proptest::collection::vec(
            proptest::prop_oneof![proptest::num::u8::ANY, proptest::sample::select(vec![b'"', b'\\', 0x1f, 0x20, 0x7f, 0x80, b'a'])],
            0..40,
        )) {
            let naive = bytes.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
            proptest::prop_assert_eq!(super::find_special(&bytes), naive);
        }
    }

    /// A generated payroll through `apply_json` and through `Twin::apply`: the same reports
    /// and twins, and pushing every batch again finds every shift (`unchanged`).
    #[test]
    fn generated_batches_answer_as_the_value_path() {
        let opts = Options {
            employees: 400,
            shifts_per_employee: 12,
            ..Options::default()
        };
        let at = opts.received_at();
        let company = generate::company(&opts).unwrap();
        let mut fast = Twin::new(company.clone());
        let mut slow = Twin::new(company);
        let mut batches = Vec::new();
        generate::for_each_batch_sized(&opts, 1_000, |kind, records| {
            batches.push((kind, records));
            Ok(())
        })
        .unwrap();
        for round in 0..2 {
            for (kind, records) in &batches {
                let bytes = serde_json::to_vec(records).unwrap();
                let a = fast.apply_json(*kind, &bytes, at).unwrap();
                let b = slow.apply(*kind, records, at).unwrap();
                assert_eq!(a, b);
                if round == 1 && *kind == Kind::Shifts {
                    assert_eq!(a.count(crate::Outcome::Unchanged), records.len());
                }
            }
            assert!(fast == slow);
        }
    }

    #[test]
    fn odd_arrays_answer_as_the_value_path() {
        for text in [
            "[{}, {\"a\": \"x,{\"}, {}, {\"b\": [1,{}]}, {}]",
            "[{},{},{},{},{},{},{},{}]",
            "[{\"a\":\"},{\"},{\"b\":\",{\"},{}, {}]",
            "[{},{},{},{},{},{},{},{}] ,",
            "[{},{},{},{},{},{},{},{}",
        ] {
            split_in_parallel_as_on_one_core(text.as_bytes());
            same_as_value_path(text.as_bytes());
        }
        for b in [
            &b"[]"[..],
            b" [ ] ",
            b"[[]]",
            b"[[\"n1\", \"approved\"]]",
            b"[{}]",
            b"[{},]",
            b"[{}] x",
            b"[{\"shift_id\": \"n1\", \"shift_id\": \"n2\"}]",
            b"[{\"shift_id\": \"a}\\\"]{\"}]",
            b"{}",
            b"",
            b"[{\"shift_id\": \"n1\"}, 3]",
            b"[{\"shift_id\": \"\xff\"}]",
        ] {
            same_as_value_path(b);
        }
        // The splitter insists on objects.
        assert!(super::split_objects("[[]]").is_none());
        let deep = format!(
            "[{{\"shift_id\": \"n1\", \"custom_info\": {}{}}}]",
            "{\"a\":".repeat(130),
            "}".repeat(130)
        );
        same_as_value_path(deep.as_bytes());
        let deep = format!(
            "[{{\"shift_id\": \"n1\", \"custom_info\": {}1{}}}]",
            "[".repeat(126),
            "]".repeat(126)
        );
        same_as_value_path(deep.as_bytes());
    }

    /// The in-batch plan with a hash table equals the first-occurrence map it replaced, hash
    /// collisions included.
    #[test]
    fn plan_hashed_equals_a_naive_plan() {
        use crate::twin::{plan_hashed, Plan};
        let naive = |keys: &[Option<&str>], same: &dyn Fn(usize, usize) -> bool| {
            let mut plan = vec![Plan::Apply; keys.len()];
            let mut bad = std::collections::HashSet::new();
            for i in 0..keys.len() {
                if let Some(k) = keys[i] {
                    if let Some(j) = (0..i).find(|&j| keys[j] == Some(k)) {
                        plan[i] = Plan::CopyOf(j);
                        if !same(j, i) {
                            bad.insert(k);
                        }
                    }
                }
            }
            for i in 0..keys.len() {
                if keys[i].is_some_and(|k| bad.contains(k)) {
                    plan[i] = Plan::Conflict;
                }
            }
            plan
        };
        let pool = ["a", "b", "c", "d", "e"];
        for seed in 0..400u64 {
            let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let mut next = || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            let n = (next() % 40) as usize;
            let keys: Vec<Option<&str>> = (0..n)
                .map(|_| {
                    let r = next() as usize;
                    (r % 7 != 0).then(|| pool[r % pool.len()])
                })
                .collect();
            let vals: Vec<u64> = (0..n).map(|_| next() % 3).collect();
            let same = |i: usize, j: usize| vals[i] == vals[j] || vals[i] > 0 && vals[j] > 0;
            let real: Vec<u64> = keys
                .iter()
                .map(|k| k.map_or(0, crate::twin::shifts::hash_id))
                .collect();
            let colliding = vec![seed; n];
            assert_eq!(plan_hashed(&keys, &real, same), naive(&keys, &same));
            assert_eq!(plan_hashed(&keys, &colliding, same), naive(&keys, &same));
        }
    }

    #[test]
    fn bytes_answer_as_the_value_path() {
        let ok = |id: &str, s: &str, e: &str| json!({"shift_id": id, "shift_status": s, "employee_id": "e0000001", "start_at": format!("2026-06-0{e}T08:00:00Z"), "stop_at": format!("2026-06-0{e}T12:00:00Z")});
        let mut recs = vec![
            ok("n1", "approved", "3"),
            ok("n1", "approved", "3"),
            ok("n2", "approved", "3"),
            ok("n3", "approvedd", "4"),
            ok("n4", "submitted", "4"),
            ok("n4", "approved", "4"),
            json!({"shift_id": "n5", "shift_status": "available", "start_at": "2026-06-05T08:00:00", "stop_at": "2026-06-05T09:00:00", "custom_info": {"a": 1}}),
            json!({"shift_id": "n6", "shift_status": "approved", "employee_id": "nobody", "start_at": "2026-06-05T08:00:00Z", "stop_at": "2026-06-05T07:00:00Z"}),
            json!({"shift_id": "", "shift_status": "approved", "employee_id": null, "contract_id": null, "start_at": "x", "stop_at": "2026-06-05T07:00:00Z", "custom_info": 3}),
            json!({"shift_id": "n7", "shift_status": "approved", "employee_id": "e0000002", "contract_id": "h-weekly-1", "start_at": "2026-06-05T08:00:00Z", "stop_at": "2026-06-06T09:00:00Z"}),
            json!({"shift_id": "s0000001-001", "shift_status": "voided", "employee_id": "e0000001", "start_at": "2026-06-05T08:00:00Z", "stop_at": "2026-06-05T10:00:00Z", "custom_info": null}),
        ];
        both(&recs);
        recs.push(json!({"shift_id": "n8", "shift_status": "approved", "start_at": 3, "stop_at": "2026-06-05T07:00:00Z"}));
        recs.push(json!({"shift_stat": "approved"}));
        let bytes = serde_json::to_vec(&recs).unwrap();
        let opts = Options {
            employees: 4,
            shifts_per_employee: 3,
            ..Options::default()
        };
        let mut t = generate::twin(&opts).unwrap();
        let mut u: Twin = generate::twin(&opts).unwrap();
        assert_eq!(
            t.apply_json(Kind::Shifts, &bytes, opts.received_at())
                .unwrap(),
            u.apply(Kind::Shifts, &recs, opts.received_at()).unwrap()
        );
    }
}
