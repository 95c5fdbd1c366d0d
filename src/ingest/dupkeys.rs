//! Duplicate keys in a record's JSON text (issue #18, decisions.md): a record that carries a
//! key twice in any object (`"amount": 1, "amount": 999999`) is rejected naming the key, as
//! a JSON parser keeps only one of the two and an upstream validator may keep the other.
//!
//! Only the raw text of a record can show a duplicate (a parsed `Value` has already lost
//! it), so this scans the element texts that [`super::split`] finds, without parsing the
//! values: strings are skipped whole, and only the keys of each object are compared.

use super::split::string_end;
use smallvec::SmallVec;
use std::borrow::Cow;

/// One open object or array while scanning.
#[derive(Clone, Copy)]
enum Frame {
    /// Its keys are `keys[first..]` of the scan; `current` indexes the one being read;
    /// whether the next string is a key.
    Object {
        first: usize,
        current: usize,
        want_key: bool,
    },
    /// The index of the element being read.
    Array { index: usize },
}

/// The path of the first key that appears twice in one object of the JSON text of a
/// record, e.g. `amount` or `custom_info.premiums[1].per_hour`; `None` when every object's
/// keys are distinct, or when the text is not well formed (the parser then says why).
pub(crate) fn duplicate_key(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut stack: SmallVec<[Frame; 4]> = SmallVec::new();
    // The keys of every open object, innermost last.
    let mut keys: SmallVec<[Cow<'_, str>; 16]> = SmallVec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'"' => {
                let end = string_end(b, i + 1)?;
                if let Some(Frame::Object {
                    first,
                    current,
                    want_key: want_key @ true,
                }) = stack.last_mut()
                {
                    let key = key_text(text, i, end)?;
                    if keys.get(*first..).unwrap_or_default().contains(&key) {
                        return Some(path(&stack, &keys, &key));
                    }
                    *current = keys.len();
                    keys.push(key);
                    *want_key = false;
                }
                i = end;
                continue;
            }
            b'{' => stack.push(Frame::Object {
                first: keys.len(),
                current: keys.len(),
                want_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                if let Some(Frame::Object { first, .. }) = stack.pop() {
                    keys.truncate(first);
                }
                if stack.is_empty() {
                    return None;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { want_key, .. }) => *want_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    None
}

/// The key whose quoted text is `text[start..end]`, unescaped when it holds an escape (so
/// that `"\u0061mount"` and `"amount"` are one key).
fn key_text(text: &str, start: usize, end: usize) -> Option<Cow<'_, str>> {
    let raw = text.get(start + 1..end.checked_sub(1)?)?;
    if raw.contains('\\') {
        serde_json::from_str::<String>(text.get(start..end)?)
            .ok()
            .map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(raw))
    }
}

/// `a.b[2].key`: the current keys and indexes of the open frames below the innermost
/// object (the record itself is the outermost frame and has no name), then `key`.
fn path(stack: &[Frame], keys: &[Cow<'_, str>], key: &str) -> String {
    let mut out = String::new();
    let inner = stack.len().saturating_sub(1);
    for f in stack.get(..inner).unwrap_or_default() {
        match *f {
            Frame::Object { current, .. } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(keys.get(current).map_or("", |k| k));
            }
            Frame::Array { index } => out.push_str(&format!("[{index}]")),
        }
    }
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(key);
    out
}

#[cfg(test)]
mod tests {
    use super::duplicate_key;

    #[test]
    fn finds_a_repeated_key_at_any_depth_and_names_its_path() {
        let cases = [
            (r#"{"amount": 1, "amount": 999999}"#, Some("amount")),
            (r#"{"a": 1, "b": {"x": 1, "y": 2, "x": 3}}"#, Some("b.x")),
            (
                r#"{"custom_info": {"premiums": [{"name": "n"}, {"per_hour": 1, "per_hour": 2}]}}"#,
                Some("custom_info.premiums[1].per_hour"),
            ),
            (r#"{"amount": 1, "\u0061mount": 2}"#, Some("amount")),
            (r#"{"a": [[1, 2], {"k": 1, "k": 1}]}"#, Some("a[1].k")),
        ];
        for (text, want) in cases {
            assert_eq!(duplicate_key(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn distinct_keys_strings_and_sibling_objects_are_not_duplicates() {
        let cases = [
            r#"{"amount": 1, "note": "amount", "x": {"amount": 2}}"#,
            r#"{"a": [{"k": 1}, {"k": 2}], "k": 3}"#,
            r#"{"s": "a \" , { } \\ \"amount\": 1", "amount": 2}"#,
            r#"{"a": {}, "b": []}"#,
            r#"{"a": 1"#,
            "",
        ];
        for text in cases {
            assert_eq!(duplicate_key(text), None, "{text}");
        }
    }
}
