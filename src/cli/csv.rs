//! CSV input for `ewa ingest` (docs/cli.md "CSV"): HR systems export files, so employees,
//! leaves, shifts, additions and deductions may come as CSV with a header row. Each row becomes the
//! same JSON record the engine ingests.
//!
//! The reading is the `csv` crate's (RFC 4180, with line positions); decoding is
//! `encoding_rs`'s. On top of them this module is strict where an analyst needs it: the
//! header is checked against the kind's fields before anything is applied (an unknown,
//! duplicated or missing column refuses the file), quoting is checked to RFC 4180 (the crate
//! itself is lenient: it reads `a"b` literally and an unclosed quote to the end of the file),
//! and every file-level error names the line and the column.

use super::args::{Delimiter, Encoding, InputArgs};
use ewa::Kind;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// Fields whose cells are integers of minor units.
const NUMBER_FIELDS: [&str; 3] = ["amount", "wage_rate_amount", "tips"];

/// Fields whose cells hold a JSON list (docs/decisions.md: a shift's `unpaid_breaks` is one
/// cell holding the JSON array, e.g. `[{"start_at": "…", "stop_at": "…"}]`, quoted as
/// RFC 4180 quotes any cell).
const JSON_LIST_FIELDS: [&str; 1] = ["unpaid_breaks"];

/// Fields whose cells are booleans (`true` or `false`; other text stays text and the
/// engine rejects it naming the field).
const BOOL_FIELDS: [&str; 2] = ["paid", "in_regular_rate"];

/// The prefix of a column that fills one key of `custom_info`.
const CUSTOM: &str = "custom_info.";

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Whether `kind` may come as CSV (the kinds with flat records).
pub fn supported(kind: Kind) -> bool {
    !fields(kind).is_empty()
}

/// The columns a CSV file of `kind` may have, and whether each is required; `custom_info`
/// comes as `custom_info.KEY` columns. Empty for the kinds CSV does not carry.
///
/// This table must equal the fields the engine accepts for each kind (docs/reference.md
/// "Records", the `FIELDS` of src/ingest/*.rs) with their `*`; it is checked here so that
/// a mistyped column refuses the file before anything is journaled. TODO(coordinator): tie
/// it to the engine's typed records.
pub fn fields(kind: Kind) -> &'static [(&'static str, bool)] {
    const EMPLOYEES: &[(&str, bool)] = &[
        ("employee_id", true),
        ("given_name", false),
        ("family_name", false),
        ("honorific", false),
        ("work_email", false),
        ("personal_email", false),
        ("work_phone", false),
        ("personal_phone", false),
        ("contract_id", false),
        ("contract_start_on", false),
        ("contract_stop_on", false),
    ];
    const SHIFTS: &[(&str, bool)] = &[
        ("shift_id", true),
        ("shift_status", true),
        ("employee_id", false),
        ("contract_id", false),
        ("start_at", true),
        ("stop_at", true),
        ("unpaid_breaks", false),
        ("tips", false),
    ];
    const PAYMENTS: &[(&str, bool)] = &[
        ("payment_id", true),
        ("employee_id", true),
        ("contract_id", false),
        ("currency", false),
        ("amount", true),
        ("effective_on", false),
        ("in_regular_rate", false),
    ];
    const LEAVES: &[(&str, bool)] = &[
        ("leave_id", true),
        ("employee_id", true),
        ("contract_id", false),
        ("leave_status", true),
        ("start_on", true),
        ("stop_on", true),
        ("paid", true),
        ("hours_per_day", false),
        ("leave_type", false),
    ];
    match kind {
        Kind::Employees => EMPLOYEES,
        Kind::Leaves => LEAVES,
        Kind::Shifts => SHIFTS,
        Kind::Additions | Kind::Deductions => PAYMENTS,
        _ => &[],
    }
}

/// A CSV file that cannot be read: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// The 1-based line (of the file) the problem is on.
    pub line: u64,
    /// The 1-based column (cell) and its header name, when one is concerned.
    pub column: Option<(usize, String)>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some((n, name)) if name.is_empty() => write!(f, "line {}, column {n}: ", self.line),
            Some((n, name)) => write!(f, "line {}, column {n} ({name}): ", self.line),
            None => write!(f, "line {}: ", self.line),
        }?;
        f.write_str(&self.reason)
    }
}

impl CsvError {
    fn at(line: u64, column: Option<(usize, &str)>, reason: impl Into<String>) -> CsvError {
        CsvError {
            line,
            column: column.map(|(n, name)| (n, name.to_string())),
            reason: reason.into(),
        }
    }
}

/// A column of the header: a field, or one key of `custom_info`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Field(&'static str),
    Custom(String),
}

/// One row as read, with the line it starts on.
struct Row {
    line: u64,
    cells: csv::StringRecord,
}

/// Reads a CSV file of `kind` into records. Nothing is applied here: a file whose header,
/// encoding, quoting or cell counts are wrong is refused whole.
pub fn records(bytes: &[u8], kind: Kind, opts: &InputArgs) -> Result<Vec<Value>, CsvError> {
    let text = decode(bytes, opts)?;
    let delim = delimiter(&text, opts.csv_delimiter);
    let rows = read(&text, delim)?;
    let Some((head, body)) = rows.split_first() else {
        return Err(CsvError::at(
            1,
            None,
            "the CSV file is empty: it needs a header row naming the fields",
        ));
    };
    let names: Vec<&str> = head.cells.iter().map(str::trim).collect();
    check_quoting(&text, char::from(delim)).map_err(|(line, cell, reason)| {
        let name = names.get(cell).copied().unwrap_or_default();
        CsvError::at(line, Some((cell + 1, name)), reason)
    })?;
    let columns = header(kind, head.line, &names)?;
    body.iter()
        .map(|row| record(&columns, &names, row, opts))
        .collect()
}

/// The text of the file: a UTF-8 BOM means UTF-8 (and is skipped); otherwise `encoding`.
fn decode<'a>(bytes: &'a [u8], opts: &InputArgs) -> Result<Cow<'a, str>, CsvError> {
    if let Some(rest) = bytes.strip_prefix(BOM) {
        return utf8(rest, opts.csv_delimiter);
    }
    match opts.encoding {
        Encoding::Utf8 => utf8(bytes, opts.csv_delimiter),
        // WHATWG maps the label latin-1 to windows-1252; every byte decodes.
        Encoding::Windows1252 | Encoding::Latin1 => Ok(encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0),
    }
}

/// Strict UTF-8; the error names the line, and the column found by a lossy read.
fn utf8(bytes: &[u8], delim: Delimiter) -> Result<Cow<'_, str>, CsvError> {
    let e = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok(Cow::Borrowed(s)),
        Err(e) => e,
    };
    let before = bytes.get(..e.valid_up_to()).unwrap_or_default();
    let line = before.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let byte = bytes.get(e.valid_up_to()).copied().unwrap_or_default();
    let reason = format!(
        "byte 0x{byte:02X} is not UTF-8; for a Windows or Latin-1 export pass --encoding windows-1252"
    );
    // Which cell: the first one holding a replacement character in a lossy read.
    let lossy = String::from_utf8_lossy(bytes);
    let rows = read(&lossy, delimiter(&lossy, delim)).unwrap_or_default();
    let header: Vec<&str> = rows
        .first()
        .map(|r| r.cells.iter().map(str::trim).collect())
        .unwrap_or_default();
    let cell = rows.iter().skip(1).find_map(|r| {
        r.cells
            .iter()
            .position(|c| c.contains('\u{FFFD}'))
            .map(|i| (i + 1, header.get(i).copied().unwrap_or_default()))
    });
    Err(CsvError::at(line, cell, reason))
}

/// `--csv-delimiter`; `auto` takes the most frequent of `,` `;` tab `|` in the header line
/// (a tie, or none: `,`).
fn delimiter(text: &str, d: Delimiter) -> u8 {
    match d {
        Delimiter::Byte(b) => b,
        Delimiter::Auto => {
            let first = text.lines().next().unwrap_or_default();
            let count = |b: u8| first.bytes().filter(|x| *x == b).count();
            let mut best = (b',', count(b','));
            for b in [b';', b'\t', b'|'] {
                if count(b) > best.1 {
                    best = (b, count(b));
                }
            }
            best.0
        }
    }
}

/// The rows as the `csv` crate reads them (blank lines skipped). The text is valid UTF-8,
/// read from memory and rows may differ in length (the cell counts are checked per row),
/// so the crate has no error left to report; one would still refuse the file.
fn read(text: &str, delim: u8) -> Result<Vec<Row>, CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            let cells = r.map_err(|e| {
                let line = e.position().map_or(0, csv::Position::line);
                CsvError::at(line, None, e.to_string())
            })?;
            let line = cells.position().map_or(0, csv::Position::line);
            Ok(Row { line, cells })
        })
        .collect()
}

/// States of the quoting check.
#[derive(Clone, Copy)]
enum Q {
    /// At the start of a cell.
    Start,
    /// In an unquoted cell.
    Plain,
    /// In a quoted cell.
    Quoted,
    /// Just after a quote in a quoted cell: a second quote escapes, anything else closes.
    Closed,
}

/// RFC 4180 quoting: a quote opens a cell only at its start, a quote inside a quoted cell
/// is doubled, the closing quote ends the cell, a quoted cell is closed. The error is
/// (line, 0-based cell, reason).
fn check_quoting(text: &str, delim: char) -> Result<(), (u64, usize, &'static str)> {
    let (mut line, mut cell, mut opened) = (1u64, 0usize, (1u64, 0usize));
    let mut q = Q::Start;
    for c in text.chars() {
        q = match (q, c) {
            (Q::Quoted, '"') => Q::Closed,
            (Q::Quoted, _) => Q::Quoted,
            (Q::Closed, '"') => Q::Quoted,
            (Q::Start, '"') => {
                opened = (line, cell);
                Q::Quoted
            }
            (Q::Plain, '"') => {
                return Err((
                    line,
                    cell,
                    "a quote inside an unquoted cell; quote the whole cell and double the quote (\"a \"\"b\"\"\")",
                ))
            }
            (_, '\n') => {
                cell = 0;
                Q::Start
            }
            (_, d) if d == delim => {
                cell += 1;
                Q::Start
            }
            (Q::Closed, '\r') => Q::Closed,
            (Q::Closed, _) => {
                return Err((line, cell, "text after the closing quote of a quoted cell"))
            }
            (Q::Start | Q::Plain, _) => Q::Plain,
        };
        if c == '\n' {
            line += 1;
        }
    }
    match q {
        Q::Quoted => Err((
            opened.0,
            opened.1,
            "a quoted cell is not closed (its closing quote is missing)",
        )),
        _ => Ok(()),
    }
}

/// The header's columns, checked against the kind's fields: names are matched with case
/// and surrounding spaces ignored; an unknown, empty, duplicated or missing required column
/// refuses the file.
fn header(kind: Kind, line: u64, names: &[&str]) -> Result<Vec<Column>, CsvError> {
    let known = fields(kind);
    let mut columns: Vec<Column> = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let at = |reason: String| CsvError::at(line, Some((i + 1, name)), reason);
        let column = column(kind, name).map_err(at)?;
        if let Some(j) = columns.iter().position(|c| *c == column) {
            return Err(at(format!("the same column as column {}", j + 1)));
        }
        columns.push(column);
    }
    let missing: Vec<&str> = known
        .iter()
        .filter(|(f, required)| *required && !columns.contains(&Column::Field(f)))
        .map(|(f, _)| *f)
        .collect();
    if let Some(first) = missing.first() {
        let all: Vec<&str> = known.iter().filter(|f| f.1).map(|f| f.0).collect();
        return Err(CsvError::at(
            line,
            None,
            format!(
                "the header lacks the required column `{first}` ({} need {})",
                kind.target_entity(),
                all.join(", ")
            ),
        ));
    }
    Ok(columns)
}

/// One header name (already trimmed) as a column of `kind`.
fn column(kind: Kind, name: &str) -> Result<Column, String> {
    if name.is_empty() {
        return Err("an empty column name".into());
    }
    let prefix = name.get(..CUSTOM.len());
    if prefix.is_some_and(|p| p.eq_ignore_ascii_case(CUSTOM)) {
        let key = name.get(CUSTOM.len()..).unwrap_or_default().trim();
        if key.is_empty() {
            return Err("`custom_info.` needs a key: custom_info.KEY".into());
        }
        return Ok(Column::Custom(key.to_string()));
    }
    let lower = name.to_lowercase();
    let known = fields(kind);
    if let Some((f, _)) = known.iter().find(|(f, _)| *f == lower) {
        return Ok(Column::Field(f));
    }
    if lower == "custom_info" {
        return Err("custom_info comes as one column per key: custom_info.KEY".into());
    }
    let names: Vec<&str> = known.iter().map(|f| f.0).collect();
    let hint = names
        .iter()
        .map(|f| (distance(&lower, f), *f))
        .min()
        .filter(|(d, _)| *d <= 2)
        .map(|(_, f)| format!("did you mean `{f}`? "))
        .unwrap_or_default();
    Err(format!(
        "`{name}` is not a field of {}: {hint}(the fields: {}, custom_info.KEY)",
        kind.target_entity(),
        names.join(", ")
    ))
}

/// Levenshtein distance between two names, in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut next = Vec::with_capacity(row.len());
        let mut left = i + 1;
        next.push(left);
        for ((cb, diag), up) in b.iter().zip(&row).zip(row.iter().skip(1)) {
            left = (diag + usize::from(ca != *cb)).min(up + 1).min(left + 1);
            next.push(left);
        }
        row = next;
    }
    row.last().copied().unwrap_or_default()
}

/// One row as a JSON record: an empty cell is absent, the null token is `null`, integer
/// amounts are numbers, `custom_info.KEY` cells fill `custom_info`.
fn record(
    columns: &[Column],
    names: &[&str],
    row: &Row,
    opts: &InputArgs,
) -> Result<Value, CsvError> {
    let (n, m) = (row.cells.len(), columns.len());
    if n != m {
        let i = n.min(m);
        let name = names.get(i).copied().unwrap_or_default();
        let what = if n < m { "missing" } else { "an extra cell" };
        return Err(CsvError::at(
            row.line,
            Some((i + 1, name)),
            format!("{what}: the row has {n} cells, the header {m} columns"),
        ));
    }
    let mut fields = Map::new();
    let mut custom = Map::new();
    for (column, raw) in columns.iter().zip(row.cells.iter()) {
        let cell = if opts.trim { raw.trim() } else { raw };
        let name = match column {
            Column::Field(f) => f,
            Column::Custom(_) => "",
        };
        let Some(v) = cell_value(name, cell, &opts.csv_null) else {
            continue;
        };
        match column {
            Column::Field(f) => fields.insert((*f).to_string(), v),
            Column::Custom(key) => custom.insert(key.clone(), v),
        };
    }
    if !custom.is_empty() {
        fields.insert("custom_info".into(), Value::Object(custom));
    }
    Ok(Value::Object(fields))
}

/// A cell's value: `None` when empty (absent), `null` for the null token, a number for an
/// integer amount, a boolean for `paid`'s `true`/`false`, the list of a JSON-list field,
/// else the text (a non-integer amount or a list that does not parse stays text and the
/// engine rejects it with its usual message).
fn cell_value(field: &str, cell: &str, null: &str) -> Option<Value> {
    if cell.is_empty() {
        return None;
    }
    if cell == null {
        return Some(Value::Null);
    }
    if NUMBER_FIELDS.contains(&field) {
        if let Ok(n) = cell.parse::<i64>() {
            return Some(Value::from(n));
        }
    }
    if BOOL_FIELDS.contains(&field) {
        if let Ok(b) = cell.parse::<bool>() {
            return Some(Value::Bool(b));
        }
    }
    if JSON_LIST_FIELDS.contains(&field) {
        if let Ok(list @ Value::Array(_)) = serde_json::from_str::<Value>(cell) {
            return Some(list);
        }
    }
    Some(Value::String(cell.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::args::InputFormat;
    use super::*;
    use serde_json::json;

    /// The header check's table names exactly the engine's fields of each kind (besides
    /// `custom_info`, which CSV spells `custom_info.KEY`), so the two cannot drift apart.
    #[test]
    fn the_header_table_is_the_engines() {
        for kind in [
            Kind::Employees,
            Kind::Leaves,
            Kind::Shifts,
            Kind::Additions,
            Kind::Deductions,
        ] {
            let mut ours: Vec<&str> = fields(kind).iter().map(|(f, _)| *f).collect();
            let mut engine: Vec<&str> = kind
                .fields()
                .iter()
                .copied()
                .filter(|f| *f != "custom_info")
                .collect();
            ours.sort_unstable();
            engine.sort_unstable();
            assert_eq!(ours, engine, "{kind:?}");
        }
    }

    #[test]
    fn tips_are_numbers_and_breaks_a_json_list_cell() {
        let text = "shift_id,shift_status,start_at,stop_at,unpaid_breaks,tips\n\
            s1,approved,a,b,\"[{\"\"start_at\"\": \"\"x\"\", \"\"stop_at\"\": \"\"y\"\"}]\",250\n\
            s2,approved,a,b,[],\n\
            s3,approved,a,b,not a list,1.5\n";
        let recs = read_shifts(text).unwrap();
        assert_eq!(
            recs[0],
            json!({"shift_id": "s1", "shift_status": "approved", "start_at": "a", "stop_at": "b",
                   "unpaid_breaks": [{"start_at": "x", "stop_at": "y"}], "tips": 250})
        );
        // `[]` is an explicit empty list (no break); an empty cell is absent.
        assert_eq!(recs[1]["unpaid_breaks"], json!([]));
        assert!(recs[1].get("tips").is_none());
        // Text the engine then rejects by field.
        assert_eq!(recs[2]["unpaid_breaks"], json!("not a list"));
        assert_eq!(recs[2]["tips"], json!("1.5"));
    }

    fn opts() -> InputArgs {
        InputArgs {
            input_format: InputFormat::Auto,
            csv_delimiter: Delimiter::Byte(b','),
            encoding: Encoding::Utf8,
            trim: false,
            csv_null: "null".into(),
        }
    }

    fn read_shifts(text: &str) -> Result<Vec<Value>, String> {
        records(text.as_bytes(), Kind::Shifts, &opts()).map_err(|e| e.to_string())
    }

    const SHIFT_HEAD: &str = "shift_id,shift_status,start_at,stop_at";

    #[test]
    fn rows_become_records() {
        let text =
            "\u{feff}shift_id,shift_status,employee_id,start_at,stop_at,custom_info.site\r\n\
                    s1,approved,e1,2026-06-02T09:00:00Z,2026-06-02T17:00:00Z,\"Gent, dock 2\"\r\n\
                    s2,scheduled,,2026-06-03T09:00:00Z,2026-06-03T17:00:00Z,\r\n\r\n";
        let recs = read_shifts(text).unwrap();
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
        let text = "payment_id,employee_id,amount\np1,007,2500\np2,e2,12.5\n";
        let recs = records(text.as_bytes(), Kind::Additions, &opts()).unwrap();
        assert_eq!(
            recs[0],
            json!({"payment_id": "p1", "employee_id": "007", "amount": 2500})
        );
        assert_eq!(recs[1]["amount"], json!("12.5"));
    }

    #[test]
    fn leave_rows_have_booleans_and_decimal_text() {
        let text = "leave_id,employee_id,leave_status,start_on,stop_on,paid,hours_per_day\n\
                    l1,e1,approved,2026-06-01,2026-06-02,true,7.5\n\
                    l2,e1,approved,2026-06-03,2026-06-03,no,\n";
        let recs = records(text.as_bytes(), Kind::Leaves, &opts()).unwrap();
        assert_eq!(
            recs[0],
            json!({"leave_id": "l1", "employee_id": "e1", "leave_status": "approved",
                   "start_on": "2026-06-01", "stop_on": "2026-06-02", "paid": true,
                   "hours_per_day": "7.5"})
        );
        // Not a boolean: kept as text, for the engine to reject naming `paid`.
        assert_eq!(recs[1]["paid"], json!("no"));
        assert!(recs[1].get("hours_per_day").is_none());
    }

    #[test]
    fn quotes_escape_and_span_lines() {
        let text = "employee_id,family_name\ne1,\"O\"\"Brien\"\ne2,\"two\nlines\"\n";
        let recs = records(text.as_bytes(), Kind::Employees, &opts()).unwrap();
        assert_eq!(recs[0]["family_name"], json!("O\"Brien"));
        assert_eq!(recs[1]["family_name"], json!("two\nlines"));
    }

    #[test]
    fn malformed_files_name_line_and_column() {
        let err = |body: &str| read_shifts(&format!("{SHIFT_HEAD}\n{body}")).unwrap_err();
        assert_eq!(
            err("s1,approved,x\n"),
            "line 2, column 4 (stop_at): missing: the row has 3 cells, the header 4 columns"
        );
        assert_eq!(
            err("s1,approved,x,y,z\n"),
            "line 2, column 5: an extra cell: the row has 5 cells, the header 4 columns"
        );
        assert!(err("s1,\"approved,x,y\n")
            .starts_with("line 2, column 2 (shift_status): a quoted cell is not closed"));
        assert!(err("s1,ok\n\"a\"b,x,y,z\n")
            .starts_with("line 3, column 1 (shift_id): text after the closing quote"));
        assert!(err("s1,x,y,a\"b\n").starts_with("line 2, column 4 (stop_at): a quote inside"));
        assert!(read_shifts("").unwrap_err().contains("header row"));
    }

    #[test]
    fn header_is_checked_against_the_fields() {
        let err = |head: &str| read_shifts(&format!("{head}\n")).unwrap_err();
        assert!(err("shfit_id,shift_status,start_at,stop_at").starts_with(
            "line 1, column 1 (shfit_id): `shfit_id` is not a field of shifts: did you mean `shift_id`?"
        ));
        // Far from every field: no suggestion.
        assert!(!err("shift_id,shift_status,start_at,stop_at,colour").contains("did you mean"));
        assert_eq!(
            err("shift_id,shift_status,start_at,stop_at,SHIFT_ID"),
            "line 1, column 5 (SHIFT_ID): the same column as column 1"
        );
        assert_eq!(
            err("shift_id,shift_status,start_at"),
            "line 1: the header lacks the required column `stop_at` (shifts need shift_id, shift_status, start_at, stop_at)"
        );
        assert!(err("shift_id,,shift_status,start_at,stop_at").contains("an empty column name"));
        assert!(err(&format!("{SHIFT_HEAD},custom_info")).contains("custom_info.KEY"));
        // Case and surrounding spaces are ignored; custom_info keys keep their case.
        let recs = read_shifts(
            " Shift_ID ,SHIFT_STATUS,start_at,Stop_At,Custom_Info.Site\ns1,approved,a,b,G\n",
        )
        .unwrap();
        assert_eq!(
            recs[0],
            json!({"shift_id": "s1", "shift_status": "approved", "start_at": "a",
                   "stop_at": "b", "custom_info": {"Site": "G"}})
        );
    }

    #[test]
    fn null_token_trim_delimiter_encoding() {
        let text = "employee_id;given_name;contract_stop_on\ne1; Ana ;null\ne2;;NULL\n";
        let mut o = opts();
        o.csv_delimiter = Delimiter::Auto;
        let recs = records(text.as_bytes(), Kind::Employees, &o).unwrap();
        // The token is exact: `NULL` is text; cells keep their spaces without --trim.
        assert_eq!(
            recs,
            [
                json!({"employee_id": "e1", "given_name": " Ana ", "contract_stop_on": null}),
                json!({"employee_id": "e2", "contract_stop_on": "NULL"}),
            ]
        );
        o.trim = true;
        o.csv_null = "-".into();
        let recs = records(
            b"employee_id;given_name;family_name\ne1; Ana ;  -\n",
            Kind::Employees,
            &o,
        )
        .unwrap();
        assert_eq!(
            recs[0],
            json!({"employee_id": "e1", "given_name": "Ana", "family_name": null})
        );
        // 0xE9 is é in windows-1252; as UTF-8 it is an error naming line and column.
        let bytes = b"employee_id,given_name\ne1,Ren\xE9\n";
        let err = records(bytes, Kind::Employees, &opts()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2, column 2 (given_name): byte 0xE9 is not UTF-8; for a Windows or Latin-1 export pass --encoding windows-1252"
        );
        let mut o = opts();
        o.encoding = Encoding::Latin1;
        let recs = records(bytes, Kind::Employees, &o).unwrap();
        assert_eq!(recs[0]["given_name"], json!("René"));
    }

    #[test]
    fn edit_distance() {
        assert_eq!(distance("shfit_id", "shift_id"), 2);
        assert_eq!(distance("shift_i", "shift_id"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
