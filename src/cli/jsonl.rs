//! JSON Lines input for `ewa ingest` (docs/cli.md "JSON Lines"): one JSON object per line,
//! blank lines skipped. The records are the batch the same objects in one JSON array would
//! be; a line that is not a JSON object refuses the file, naming the line.

use serde::de::IgnoredAny;
use std::collections::BTreeMap;

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads JSON Lines into the text of one JSON array of the same objects, and their
/// count; an error names the line (and the column, for bad JSON). The objects keep their
/// text, so the engine sees every key as written (a duplicated key rejects its record).
pub fn array(bytes: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let mut out = Vec::with_capacity(bytes.len().saturating_add(2));
    out.push(b'[');
    let mut count = 0;
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let n = i + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        // Checked as an object without building it.
        serde_json::from_slice::<BTreeMap<String, IgnoredAny>>(line).map_err(|e| {
            if e.is_data() {
                return format!("line {n}: a JSON object is expected on each line");
            }
            let text = e.to_string();
            let at = format!(" at line {} column {}", e.line(), e.column());
            let reason = text.strip_suffix(&at).unwrap_or(&text);
            let hint = if e.is_eof() {
                " (JSON Lines holds one whole object per line)"
            } else {
                ""
            };
            format!("line {n}, column {}: not JSON: {reason}{hint}", e.column())
        })?;
        if count > 0 {
            out.push(b',');
        }
        out.extend_from_slice(line);
        count += 1;
    }
    out.push(b']');
    Ok((out, count))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn records(bytes: &[u8]) -> Result<Vec<Value>, String> {
        let (text, n) = array(bytes)?;
        let v: Vec<Value> = serde_json::from_slice(&text).unwrap();
        assert_eq!(v.len(), n);
        Ok(v)
    }

    #[test]
    fn one_object_per_line_blank_lines_skipped() {
        let text = b"\xEF\xBB\xBF{\"a\": 1}\r\n\n  \n{\"b\": \"x\"}";
        assert_eq!(records(text).unwrap(), [json!({"a": 1}), json!({"b": "x"})]);
        assert!(records(b"").unwrap().is_empty());
    }

    #[test]
    fn objects_keep_their_text() {
        let (text, n) = array(b"{\"a\": 1, \"a\": 2}\n{\"b\": 3}\n").unwrap();
        assert_eq!(
            (text.as_slice(), n),
            (&b"[{\"a\": 1, \"a\": 2},{\"b\": 3}]"[..], 2)
        );
    }

    #[test]
    fn a_bad_line_is_named() {
        assert_eq!(
            records(b"{\"a\": 1}\n\n{\"a\": }\n").unwrap_err(),
            "line 3, column 7: not JSON: expected value"
        );
        assert_eq!(
            records(b"{\"a\":\n 1}\n").unwrap_err(),
            "line 1, column 5: not JSON: EOF while parsing a value (JSON Lines holds one whole object per line)"
        );
        assert_eq!(
            records(b"{\"a\": 1}\n[1]\n").unwrap_err(),
            "line 2: a JSON object is expected on each line"
        );
    }
}
