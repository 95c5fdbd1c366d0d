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

/// The bytes of `w` (eight bytes, little-endian) that are `"`, `\\` or control characters
/// (below 0x20), as the high bit of each byte: the usual "has a zero byte" tests, whose
/// lowest flagged byte is exact (a false flag needs a borrow from a true one below it).
#[inline]
fn special_bytes(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w;
    (below_space | zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')))) & HIGH
}

/// The position of the first `"`, `\\` or control character (below 0x20) in `b`: eight
/// bytes at a time, the position within a word from the lowest flagged byte; the last
/// bytes of a slice of eight or more as the last word (its bytes already seen masked out),
/// of a shorter slice byte by byte.
#[inline]
pub(super) fn find_special(b: &[u8]) -> Option<usize> {
    let word = |k: usize| {
        b.get(k..k + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
            .map(u64::from_le_bytes)
    };
    let mut k = 0;
    while let Some(w) = word(k) {
        let m = special_bytes(w);
        if m != 0 {
            return Some(k + (m.trailing_zeros() / 8) as usize);
        }
        k += 8;
    }
    if k == b.len() {
        return None;
    }
    match b
        .len()
        .checked_sub(8)
        .and_then(|last| Some((last, word(last)?)))
    {
        Some((last, w)) => {
            // Bytes `last..k` were seen: no flag there, and so no false flag above them.
            let seen = 8 * (k - last);
            let m = special_bytes(w) >> seen;
            (m != 0).then(|| k + (m.trailing_zeros() / 8) as usize)
        }
        None => b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20),
    }
}

/// One past the closing quote of the JSON string whose contents start at `i`.
#[inline]
pub(super) fn string_end(b: &[u8], i: usize) -> Option<usize> {
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
pub(super) fn object_end(b: &[u8], start: usize) -> Option<usize> {
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
pub(crate) fn split_objects_from(text: &str, parallel_min: usize) -> Option<Vec<&str>> {
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

        /// The same with specials rare, so that the search runs over several words and
        /// ends in the last, overlapping one (bytes next to the specials' values included).
        #[test]
        fn find_special_over_long_plain_runs(bytes in proptest::collection::vec(
            proptest::prop_oneof![
                24 => proptest::sample::select(vec![b'a', b'!', b'#', b'[', b']', 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xa2, 0xdc, 0xff]),
                1 => proptest::sample::select(vec![b'"', b'\\', 0x00, 0x01, 0x1f]),
            ],
            0..64,
        )) {
            let naive = bytes.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
            proptest::prop_assert_eq!(super::find_special(&bytes), naive);
        }
    }

    #[test]
    fn elements_are_found_in_order() {
        let text = r#" [ {"a": "},{"}, {"b": [1, {"c": 2}]} ] "#;
        let parts = super::split_objects_from(text, 0).unwrap();
        assert_eq!(parts, [r#"{"a": "},{"}"#, r#"{"b": [1, {"c": 2}]}"#]);
        assert_eq!(super::split_objects(" [ ] "), Some(vec![]));
        assert_eq!(super::split_objects("[{}, 3]"), None);
    }
}
