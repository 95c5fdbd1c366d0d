//! CSV input for `ewa ingest` (docs/cli.md "CSV"): HR systems export files, so employees,
//! shifts, additions and deductions may come as CSV with a header row. Each row becomes the
//! same JSON record the engine ingests: the header names the fields, an empty cell is an
//! absent field, `amount` and `wage_rate_amount` are numbers, and a column
//! `custom_info.KEY` fills `custom_info: {KEY: ...}`. Quoting follows RFC 4180.

use ewa::Kind;
use serde_json::{Map, Value};

/// Fields whose cells are integers of minor units.
const NUMBER_FIELDS: [&str; 2] = ["amount", "wage_rate_amount"];

/// Whether `kind` may come as CSV (the kinds with flat records).
pub fn supported(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Employees | Kind::Shifts | Kind::Additions | Kind::Deductions
    )
}

/// Parses CSV text into records; an error names the line.
pub fn records(text: &str) -> Result<Vec<Value>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = parse(text)?.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err("the CSV file is empty: it needs a header row naming the fields".into());
    };
    let header: Vec<String> = header.into_iter().map(|h| h.trim().to_string()).collect();
    if header.iter().any(String::is_empty) {
        return Err("line 1: the header has an empty column name".into());
    }
    for (i, h) in header.iter().enumerate() {
        if header.iter().skip(i + 1).any(|x| x == h) {
            return Err(format!("line 1: column `{h}` appears twice"));
        }
    }
    let mut out = Vec::new();
    for (line, cells) in rows {
        if cells.len() == 1 && cells.first().is_some_and(|c| c.is_empty()) {
            continue; // a blank line
        }
        if cells.len() != header.len() {
            return Err(format!(
                "line {line}: {} cells, the header has {} columns",
                cells.len(),
                header.len()
            ));
        }
        out.push(record(&header, cells));
    }
    Ok(out)
}

fn record(header: &[String], cells: Vec<String>) -> Value {
    let mut m = Map::new();
    let mut custom = Map::new();
    for (name, cell) in header.iter().zip(cells) {
        if cell.is_empty() {
            continue;
        }
        if let Some(key) = name.strip_prefix("custom_info.") {
            custom.insert(key.to_string(), Value::String(cell));
            continue;
        }
        let v = match cell.parse::<i64>() {
            Ok(n) if NUMBER_FIELDS.contains(&name.as_str()) => Value::from(n),
            // Not an integer: kept as text, so the engine rejects it with its own message.
            _ => Value::String(cell),
        };
        m.insert(name.clone(), v);
    }
    if !custom.is_empty() {
        m.insert("custom_info".into(), Value::Object(custom));
    }
    Value::Object(m)
}

/// RFC 4180 rows with the line each starts on: commas, `"` quoting with `""` escapes,
/// CRLF or LF line ends, line breaks allowed inside quotes.
fn parse(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut line = 1;
    let mut row_line = 1;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    cell.push(c);
                }
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() => quoted = true,
            '"' => return Err(format!("line {line}: a quote inside an unquoted cell")),
            ',' => row.push(std::mem::take(&mut cell)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut cell));
                rows.push((row_line, std::mem::take(&mut row)));
                line += 1;
                row_line = line;
            }
            _ => cell.push(c),
        }
    }
    if quoted {
        return Err(format!("line {row_line}: a quoted cell is not closed"));
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push((row_line, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_become_records() {
        let text =
            "\u{feff}shift_id,shift_status,employee_id,start_at,stop_at,custom_info.site\r\n\
                    s1,approved,e1,2026-06-02T09:00:00Z,2026-06-02T17:00:00Z,\"Gent, dock 2\"\r\n\
                    s2,scheduled,,2026-06-03T09:00:00Z,2026-06-03T17:00:00Z,\r\n\r\n";
        let recs = records(text).unwrap();
        assert_eq!(
            recs,
            [
                json!({"shift_id": "s1", "shift_status": "approved", "employee_id": "e1",
                       "start_at": "2026-06-02T09:00:00Z", "stop_at": "2026-06-02T17:00:00Z",
                       "custom_info": {"site": "Gent, dock 2"}}),
                json!({"shift_id": "s2", "shift_status": "scheduled",
                       "start_at": "2026-06-03T09:00:00Z", "stop_at": "2026-06-03T17:00:00Z"}),
            ]
        );
    }

    #[test]
    fn amounts_are_numbers_and_other_cells_text() {
        let recs = records("payment_id,employee_id,amount\np1,007,2500\np2,e2,12.5\n").unwrap();
        assert_eq!(
            recs[0],
            json!({"payment_id": "p1", "employee_id": "007", "amount": 2500})
        );
        assert_eq!(recs[1]["amount"], json!("12.5"));
    }

    #[test]
    fn quotes_escape_and_span_lines() {
        let recs =
            records("employee_id,family_name\ne1,\"O\"\"Brien\"\ne2,\"two\nlines\"\n").unwrap();
        assert_eq!(recs[0]["family_name"], json!("O\"Brien"));
        assert_eq!(recs[1]["family_name"], json!("two\nlines"));
    }

    #[test]
    fn malformed_files_name_the_line() {
        assert_eq!(
            records("a,b\n1,2\n3\n").unwrap_err(),
            "line 3: 1 cells, the header has 2 columns"
        );
        assert_eq!(
            records("a,b\n1,\"2\n").unwrap_err(),
            "line 2: a quoted cell is not closed"
        );
        assert_eq!(
            records("a,a\n").unwrap_err(),
            "line 1: column `a` appears twice"
        );
        assert!(records("").unwrap_err().contains("header row"));
        assert_eq!(
            records("a,b\n1,x\"y\n").unwrap_err(),
            "line 2: a quote inside an unquoted cell"
        );
    }
}
