//! The generated payroll as the files a payroll analyst feeds `ewa ingest` (issue #16):
//! `cargo run --release --example feed_files -- EMPLOYEES DIR [order=time] [no-pay-rules]`.
//!
//! Writes `DIR/company.json` (for `ewa init --config`) and every batch of the payroll that
//! `ewa bench` pushes, in push order, as one JSON Lines file each: `DIR/NNNN-KIND.jsonl`
//! (at most 100,000 records, the default `batch_records_max`; in time order one file per
//! day). Then prints the commands that feed them to a store, the shifts in one `ewa ingest`
//! call, for example:
//!
//! ```text
//! /usr/bin/time -v target/release/ewa --db feed.db ingest --entity shifts DIR/*-shifts.jsonl
//! ```

use ewa::generate::{self, Options};
use ewa::Kind;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let employees: usize = args
        .first()
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(10_000);
    let dir = PathBuf::from(args.get(1).map_or("feed", String::as_str));
    let has = |w: &str| args.iter().any(|a| a == w);
    let g = Options {
        employees,
        pay_rules: !has("no-pay-rules"),
        ..Options::default()
    };
    std::fs::create_dir_all(&dir)?;
    let company = serde_json::to_vec_pretty(&generate::company(&g)?.to_json())?;
    std::fs::write(dir.join("company.json"), company)?;
    let mut files: Vec<(Kind, PathBuf, usize)> = Vec::new();
    let mut write = |kind: Kind, records: &[Value]| -> ewa::Result<()> {
        let path = dir.join(format!("{:04}-{}.jsonl", files.len(), kind.target_entity()));
        write_jsonl(&path, records).map_err(|e| ewa::Error::InvalidArgument {
            name: "DIR".into(),
            message: format!("{}: {e}", path.display()),
        })?;
        files.push((kind, path, records.len()));
        Ok(())
    };
    if has("order=time") {
        generate::for_each_batch_in_time_order(&g, generate::BATCH_RECORDS, |k, r, _| write(k, r))?;
    } else {
        generate::for_each_batch(&g, |k, r| write(k, &r))?;
    }
    print_commands(&dir, &files, g.received_at());
    Ok(())
}

/// One record per line.
fn write_jsonl(path: &Path, records: &[Value]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for r in records {
        serde_json::to_writer(&mut out, r)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// The `ewa` commands that feed the files in order: consecutive files of one kind in one
/// `ewa ingest` call.
fn print_commands(dir: &Path, files: &[(Kind, PathBuf, usize)], at: ewa::calendar::Instant) {
    let total: usize = files.iter().map(|f| f.2).sum();
    println!("# {total} records in {} files", files.len());
    println!("ewa init --config {}", dir.join("company.json").display());
    let mut i = 0;
    while let Some((kind, _, _)) = files.get(i) {
        let run: Vec<String> = files
            .iter()
            .skip(i)
            .take_while(|f| f.0 == *kind)
            .map(|f| f.1.display().to_string())
            .collect();
        i += run.len();
        println!(
            "ewa ingest --entity {} --received-at {at} {}",
            kind.target_entity(),
            run.join(" ")
        );
    }
}
