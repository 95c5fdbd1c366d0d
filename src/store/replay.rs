//! Rebuilding a twin from its rows: the binary snapshot (decoded, then checked by
//! `Twin::check_invariants`), then the journal, each operation replayed through the public
//! `Twin` API (so every value is re-validated by the constructors of ingestion) and checked
//! against the outcome recorded when it was first applied.

use super::codec::{each_chunk, each_row, CompanyRow, OpKind, OpRow, SnapshotMode, Table};
use super::damaged;
use crate::calendar::Instant;
use crate::company::Company;
use crate::eligibility::AdvanceRequest;
use crate::error::{Error, Result};
use crate::ingest::{JobReport, Kind};
use crate::model::Delivery;
use crate::twin::Twin;
use rusqlite::Connection;
use serde_json::{json, Value};

/// A twin with the journal sequence number it reflects.
pub(crate) struct Built {
    pub twin: Twin,
    pub seq: u64,
}

/// The company a row describes, re-validated by [`Company::from_json`].
pub(crate) fn company(row: &CompanyRow, path: &str) -> Result<Company> {
    let bad = |m: String| {
        damaged(format!(
            "{path}: the stored configuration of company `{}` is invalid: {m}",
            row.company_id
        ))
    };
    let v: Value = serde_json::from_str(&row.config).map_err(|e| bad(e.to_string()))?;
    let c = Company::from_json(&v).map_err(|e| bad(e.to_string()))?;
    if c.company_id != row.company_id {
        return Err(bad(format!("it names company `{}`", c.company_id)));
    }
    Ok(c)
}

/// Builds the twin of `row` from its snapshot and journal. With `known_at`, the journal is
/// cut at the first operation stamped after it (see [`super::Store::load_known_at`]).
pub(crate) fn build(
    conn: &Connection,
    row: &CompanyRow,
    known_at: Option<Instant>,
    path: &str,
) -> Result<Built> {
    let mut twin = Twin::new(company(row, path)?);
    let id = row.company_id.as_str();
    if let (Some(k), Some(to)) = (known_at, row.snapshot_known_to) {
        if k.as_micros() < to {
            return Err(Error::InvalidArgument {
                name: "known_at".into(),
                message: format!(
                    "{k} is before {}, the latest instant of the history compacted into company `{id}`'s snapshot; \
                     as-known-at answers start there",
                    Instant::from_micros(to)
                ),
            });
        }
    }
    if row.snapshot_mode != SnapshotMode::None {
        twin = binary_snapshot(conn, row, twin.company(), path)?;
    }
    let seq = catch_up(conn, row, &mut twin, row.snapshot_seq, known_at, path)?;
    Ok(Built { twin, seq })
}

/// Replays the journal rows after `from` onto `twin`; returns the last sequence replayed.
/// Without `known_at` every row up to `head_seq` must be there.
pub(crate) fn catch_up(
    conn: &Connection,
    row: &CompanyRow,
    twin: &mut Twin,
    from: u64,
    known_at: Option<Instant>,
    path: &str,
) -> Result<u64> {
    let id = row.company_id.as_str();
    let mut seq = from;
    let mut known_to = row.snapshot_known_to.unwrap_or(i64::MIN);
    each_row(conn, Table::Journal, id, from, path, |r| {
        if r.seq > row.head_seq {
            return Ok(false);
        }
        if r.seq != seq + 1 {
            return Err(gap(path, Table::Journal, id, seq + 1, r.seq));
        }
        // SPEC-free rule of the store: an operation is known from the latest stamp so far.
        known_to = known_to.max(r.at_us);
        if known_at.is_some_and(|k| known_to > k.as_micros()) {
            return Ok(false);
        }
        replay(twin, &r, Table::Journal, id, path)?;
        seq = r.seq;
        Ok(true)
    })?;
    if known_at.is_none() && seq != row.head_seq {
        return Err(gap(path, Table::Journal, id, seq + 1, row.head_seq + 1));
    }
    Ok(seq)
}

/// Decodes a company's binary snapshot (every frame and row checked, every value
/// validated: `src/twin/snapshot/`, then `Twin::check_invariants`), one frame in memory at a time.
fn binary_snapshot(
    conn: &Connection,
    row: &CompanyRow,
    company: &Company,
    path: &str,
) -> Result<Twin> {
    let id = row.company_id.as_str();
    let mut decoded = None;
    let count = each_chunk(conn, id, path, &mut |next| {
        // The decoder's storage errors (a bad frame, a broken invariant) mean this file's
        // snapshot is damaged.
        let twin = crate::twin::read_snapshot(Some(company), next).map_err(|e| match e {
            Error::Storage { message } if message.starts_with("snapshot: ") => damaged(format!(
                "{path}: the snapshot of company `{id}` is damaged: {}",
                message.trim_start_matches("snapshot: ")
            )),
            Error::Storage { message } => damaged(format!(
                "{path}: the snapshot of company `{id}` is damaged: {message}"
            )),
            e => e,
        })?;
        decoded = Some(twin);
        Ok(())
    })?;
    let damaged = |what: String| damaged(format!("{path}: the snapshot of company `{id}` {what}"));
    if count != row.snapshot_rows {
        return Err(damaged(format!(
            "has {count} rows, its company row says {}",
            row.snapshot_rows
        )));
    }
    let twin = decoded.ok_or_else(|| damaged("is missing".into()))?;
    if twin.job_count() != row.snapshot_job {
        return Err(damaged(format!(
            "is at job-{}, its company row says job-{}",
            twin.job_count(),
            row.snapshot_job
        )));
    }
    Ok(twin)
}

pub(crate) fn gap(path: &str, table: Table, id: &str, expected: u64, found: u64) -> Error {
    damaged(format!(
        "{path}: the {} of company `{id}` is missing row {expected} (next row found: {found})",
        table.name()
    ))
}

pub(crate) fn diverged(path: &str, table: Table, id: &str, seq: u64, what: String) -> Error {
    let name = match table {
        Table::Journal => "journal",
        Table::Snapshot => "snapshot",
    };
    damaged(format!(
        "{path}: {name} replay diverged at seq {seq} of company `{id}`: {what}"
    ))
}

/// Replays one journal row (or a legacy snapshot's journal-like row) and checks its
/// recorded outcome.
pub(crate) fn replay(twin: &mut Twin, r: &OpRow, table: Table, id: &str, path: &str) -> Result<()> {
    let fail = |what: String| diverged(path, table, id, r.seq, what);
    match r.op {
        OpKind::Apply => {
            if r.job != Some(twin.job_count() + 1) {
                return Err(fail(format!(
                    "recorded job {:?}, the twin is at job-{}",
                    r.job,
                    twin.job_count()
                )));
            }
            apply_batch(twin, r, &fail)
        }
        OpKind::Advance => replay_advance(twin, r, &fail),
        OpKind::Cancel => replay_cancel(twin, r, &fail),
        OpKind::Batch | OpKind::Restore => Err(fail(format!(
            "`{}` belongs in a legacy snapshot, not here",
            r.op.as_str()
        ))),
    }
}

/// The payload of a summary row: a batch that created or updated nothing keeps only its
/// job and counts (schema version 4).
pub(crate) const SUMMARY_PAYLOAD: &str = "[]";

/// Applies a batch row's records as received and checks the recorded counts. A summary
/// row (no records, yet records received) replays as an empty batch: it changed nothing
/// but the job counter when it was applied, so that is all it does again.
pub(crate) fn apply_batch(
    twin: &mut Twin,
    r: &OpRow,
    fail: &dyn Fn(String) -> Error,
) -> Result<()> {
    let kind = r
        .kind
        .as_deref()
        .and_then(Kind::parse)
        .ok_or_else(|| fail(format!("unknown entity kind {:?}", r.kind)))?;
    // The batch's text as it was received (or as `Store::apply` wrote its values), read
    // as `Twin::apply_json` reads it — a duplicated key rejects its record again — without
    // a second size check.
    let report = twin
        .apply_json_unbounded(kind, r.payload.as_bytes(), Instant::from_micros(r.at_us))
        .map_err(|e| fail(e.to_string()))?;
    let summary = report.count_received == 0 && r.count_received.is_some_and(|n| n > 0);
    if summary {
        return summary_counts(r, fail);
    }
    let got = counts(&report);
    let want = [r.count_received, r.count_accepted, r.count_rejected];
    if got.map(Some) != want {
        return Err(fail(format!("recorded counts {want:?}, replayed {got:?}")));
    }
    Ok(())
}

/// A summary row's counts must still add up: received = accepted + rejected.
fn summary_counts(r: &OpRow, fail: &dyn Fn(String) -> Error) -> Result<()> {
    match (r.count_received, r.count_accepted, r.count_rejected) {
        (Some(n), Some(a), Some(j)) if a >= 0 && j >= 0 && a.checked_add(j) == Some(n) => Ok(()),
        want => Err(fail(format!(
            "a summary row with counts {want:?} that do not add up"
        ))),
    }
}

fn replay_advance(twin: &mut Twin, r: &OpRow, fail: &dyn Fn(String) -> Error) -> Result<()> {
    let req = advance_request(&r.payload, Instant::from_micros(r.at_us))
        .ok_or_else(|| fail("the advance request is malformed".into()))?;
    if r.amount != Some(req.amount) {
        return Err(fail("the amount column differs from the request".into()));
    }
    let d = twin
        .request_advance(&req)
        .map_err(|e| fail(e.to_string()))?;
    let got = (Some(code(&d.outcome)), d.fee);
    if got != (r.outcome.clone(), r.fee) {
        return Err(fail(format!(
            "recorded {:?} fee {:?}, replayed {:?} fee {:?}",
            r.outcome, r.fee, got.0, got.1
        )));
    }
    Ok(())
}

fn replay_cancel(twin: &mut Twin, r: &OpRow, fail: &dyn Fn(String) -> Error) -> Result<()> {
    let v: Value = serde_json::from_str(&r.payload)
        .map_err(|e| fail(format!("the cancel is not JSON: {e}")))?;
    let advance_id = v
        .get("advance_id")
        .and_then(Value::as_str)
        .ok_or_else(|| fail("the cancel names no advance".into()))?;
    let d = twin.cancel_advance(advance_id, Instant::from_micros(r.at_us));
    if Some(code(&d.outcome)) != r.outcome {
        return Err(fail(format!(
            "recorded {:?}, replayed {}",
            r.outcome,
            code(&d.outcome)
        )));
    }
    Ok(())
}

/// `[count_received, count_accepted, count_rejected]` of a report.
pub(crate) fn counts(r: &JobReport) -> [i64; 3] {
    [r.count_received, r.count_accepted, r.count_rejected]
        .map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

/// The snake_case code a decision's outcome serialises to.
pub(crate) fn code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The payload of an advance row (its `requested_at` is the row's `at_us`).
pub(crate) fn advance_payload(req: &AdvanceRequest) -> String {
    json!({
        "advance_id": req.advance_id,
        "employee_id": req.employee_id,
        "amount": req.amount,
        "delivery": req.delivery.as_str(),
    })
    .to_string()
}

fn advance_request(payload: &str, requested_at: Instant) -> Option<AdvanceRequest> {
    let v: Value = serde_json::from_str(payload).ok()?;
    Some(AdvanceRequest {
        advance_id: v.get("advance_id")?.as_str()?.to_string(),
        employee_id: v.get("employee_id")?.as_str()?.to_string(),
        amount: v.get("amount")?.as_i64()?,
        requested_at,
        delivery: Delivery::parse(v.get("delivery")?.as_str()?)?,
    })
}
