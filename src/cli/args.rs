//! What the commands and the demo read from the command line: the store, the company and
//! time arguments, and how `ewa ingest` reads its files.

use super::{Cli, Env, Failure};
use ewa::calendar::{parse_instant, Instant};
use ewa::store::{Store, StoreOptions};
use std::path::Path;

/// The store of `--db`; `create` makes a missing file.
pub fn open(cli: &Cli, create: bool) -> Result<Store, Failure> {
    let options = StoreOptions {
        create,
        ..StoreOptions::default()
    };
    Ok(Store::open_with(&cli.db, &options)?)
}

/// The store of `--db` for a run of writes (`ewa ingest` of many files): no automatic
/// compaction after each write, which would write the whole snapshot again after every
/// large file; the command compacts once at the end ([`Store::compact_if_due`]).
pub fn open_for_run(cli: &Cli) -> Result<Store, Failure> {
    let options = StoreOptions {
        create: false,
        auto_compact: None,
        ..StoreOptions::default()
    };
    Ok(Store::open_with(&cli.db, &options)?)
}

/// The store of `--db`, read-only: for commands that only read (a read-only directory or
/// medium answers them; an empty file stays empty).
pub fn open_read(cli: &Cli) -> Result<Store, Failure> {
    let options = StoreOptions {
        create: false,
        read_only: true,
        ..StoreOptions::default()
    };
    Ok(Store::open_with(&cli.db, &options)?)
}

/// `--company`, or the store's only company.
pub fn company_id(cli: &Cli, store: &Store) -> Result<String, Failure> {
    if let Some(c) = &cli.company {
        return Ok(c.clone());
    }
    let all = store.companies()?;
    match all.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Failure::input(format!(
            "{} holds no company yet: create one with `ewa init --company ID` or `ewa demo`",
            store.path()
        ))),
        many => Err(Failure::input(format!(
            "{} holds several companies ({}): name one with --company",
            store.path(),
            many.join(", ")
        ))),
    }
}

/// A time argument, read in the company's zone; absent: now.
pub fn time(
    arg: Option<&str>,
    name: &str,
    tz: chrono_tz::Tz,
    env: Env,
) -> Result<Instant, Failure> {
    match arg {
        None => Ok(env.now),
        Some(s) => parse_instant(tz, s).map_err(|e| Failure::input(format!("--{name} `{s}`: {e}"))),
    }
}

/// How `ewa ingest` reads its files (docs/cli.md "CSV" and "JSON Lines").
#[derive(Clone, Debug, clap::Args)]
pub struct InputArgs {
    /// The files' format: auto (`.csv`, `.json`, `.jsonl`/`.ndjson` by name, otherwise by
    /// the first character: `[` JSON, `{` JSON Lines, else CSV), json, jsonl or csv.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto, value_name = "FORMAT")]
    pub input_format: InputFormat,
    /// CSV cell separator: `,` `;` `|` `tab`, or `auto` (the most frequent of these four in
    /// the header line; a tie is `,`).
    #[arg(long, default_value = ",", value_name = "CHAR", value_parser = parse_delimiter)]
    pub csv_delimiter: Delimiter,
    /// CSV text encoding. `latin-1` is read as windows-1252, as the WHATWG Encoding
    /// Standard does. A UTF-8 byte order mark is skipped (and means UTF-8).
    #[arg(long, value_enum, default_value_t = Encoding::Utf8, value_name = "NAME")]
    pub encoding: Encoding,
    /// Trim spaces around every CSV cell (default: header names only; cells are kept as
    /// written).
    #[arg(long)]
    pub trim: bool,
    /// The exact CSV cell text that means JSON `null` (clear the field).
    #[arg(long, default_value = "null", value_name = "TOKEN")]
    pub csv_null: String,
}

/// The input formats of `ewa ingest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// By the file's extension, else by its first character.
    Auto,
    /// One JSON array of records.
    Json,
    /// JSON Lines: one JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// A CSV cell separator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delimiter {
    /// This byte.
    Byte(u8),
    /// Sniffed from the header line.
    Auto,
}

/// CSV text encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8 (the default); invalid bytes are an input error naming line and column.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// Windows-1252, as Excel and older Windows systems export.
    #[value(name = "windows-1252", alias = "cp1252")]
    Windows1252,
    /// ISO-8859-1, read as windows-1252 (the WHATWG Encoding Standard's mapping).
    #[value(name = "latin-1", alias = "latin1", alias = "iso-8859-1")]
    Latin1,
}

fn parse_delimiter(s: &str) -> Result<Delimiter, String> {
    match s {
        "," => Ok(Delimiter::Byte(b',')),
        ";" => Ok(Delimiter::Byte(b';')),
        "|" => Ok(Delimiter::Byte(b'|')),
        "tab" | "\t" => Ok(Delimiter::Byte(b'\t')),
        "auto" => Ok(Delimiter::Auto),
        _ => Err(format!(
            "`{s}` is not a delimiter: `,` `;` `|` `tab` or `auto`"
        )),
    }
}

impl InputArgs {
    /// The format `file` is read in: `--input-format`, else by extension, else by the
    /// first non-blank byte: `[` JSON, `{` JSON Lines, anything else CSV.
    pub fn format_of(&self, file: &Path, bytes: &[u8]) -> InputFormat {
        if self.input_format != InputFormat::Auto {
            return self.input_format;
        }
        let ext = file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => InputFormat::Csv,
            Some("json") => InputFormat::Json,
            Some("jsonl" | "ndjson") => InputFormat::Jsonl,
            _ => match bytes
                .strip_prefix(b"\xEF\xBB\xBF")
                .unwrap_or(bytes)
                .iter()
                .find(|b| !b.is_ascii_whitespace())
            {
                // A batch is an array: a file of objects is JSON Lines.
                Some(b'{') => InputFormat::Jsonl,
                Some(b'[') | None => InputFormat::Json,
                Some(_) => InputFormat::Csv,
            },
        }
    }
}
