//! JSON Lines input for `ewa ingest` (docs/cli.md "JSON Lines"): one JSON object per line,
//! blank lines skipped. The records are the batch the same objects in one JSON array would
//! be; a line that is not a JSON object refuses the file, naming the line.

use serde_json::Value;

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads JSON Lines into records; an error names the line (and the column, for bad JSON).
pub fn records(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let mut out = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let n = i + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let v: Value = serde_json::from_slice(line).map_err(|e| {
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
        if !v.is_object() {
            return Err(format!("line {n}: a JSON object is expected on each line"));
        }
        out.push(v);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_object_per_line_blank_lines_skipped() {
        let text = b"\xEF\xBB\xBF{\"a\": 1}\r\n\n  \n{\"b\": \"x\"}";
        assert_eq!(records(text).unwrap(), [json!({"a": 1}), json!({"b": "x"})]);
        assert!(records(b"").unwrap().is_empty());
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
