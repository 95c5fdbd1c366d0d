//! Employee views (issue #17 item 3, issue #16): one row per employee holding that
//! employee's slice of the twin (`Twin::employee_slice`) in the snapshot format, so that a
//! cold command about one employee reads a few kilobytes instead of the company.
//!
//! A company's views are either **complete** — every employee of the twin at `head_seq` has
//! a row equal to its slice, marked by `store_meta` key `views:<company_id>` — or absent
//! (a file migrated from schema version 4 until its first compaction; a company whose
//! policy changed, until its snapshot is rewritten in the same transaction). Every write
//! keeps complete views complete in its own transaction: it rewrites the rows of the
//! employees whose data it changed (`Twin::take_changed`); a compaction writes every row
//! when they are absent. A reader trusts complete views only, and loads the whole company
//! otherwise (docs/decisions.md, "Employee views").

use super::{damaged, fault, storage};
use crate::company::Company;
use crate::error::{Error, Result};
use crate::model::EmployeeIx;
use crate::twin::Twin;
use rusqlite::{params, Connection, OptionalExtension};

fn key(company_id: &str) -> String {
    format!("views:{company_id}")
}

/// Whether the company's views are complete.
pub(crate) fn complete(conn: &Connection, company_id: &str, path: &str) -> Result<bool> {
    conn.query_row(
        "SELECT value FROM store_meta WHERE key = ?1",
        [key(company_id)],
        |r| r.get::<_, i64>(0),
    )
    .optional()
    .map(|v| v == Some(1))
    .map_err(|e| storage(path, "cannot read the store's view marks", e))
}

/// Deletes the company's views and their mark, in `tx`.
pub(crate) fn drop_all(
    tx: &Connection,
    company_id: &str,
    path: &str,
    hook: Option<&std::cell::Cell<Option<u64>>>,
) -> Result<()> {
    fault(hook)?;
    tx.execute(
        "DELETE FROM employee_views WHERE company_id = ?1",
        [company_id],
    )
    .map_err(|e| storage(path, "cannot delete employee views", e))?;
    tx.execute("DELETE FROM store_meta WHERE key = ?1", [key(company_id)])
        .map_err(|e| storage(path, "cannot delete the view mark", e))?;
    Ok(())
}

/// [`write_all`] unless the company's views are complete already (a compaction).
pub(crate) fn ensure_complete(
    tx: &Connection,
    company_id: &str,
    twin: &Twin,
    path: &str,
    hook: Option<&std::cell::Cell<Option<u64>>>,
) -> Result<()> {
    if complete(tx, company_id, path)? {
        return Ok(());
    }
    write_all(tx, company_id, twin, path, hook)
}

/// Replaces the company's views by one per employee of `twin` and marks them complete,
/// in `tx` (a new company, an import, a policy change).
pub(crate) fn write_all(
    tx: &Connection,
    company_id: &str,
    twin: &Twin,
    path: &str,
    hook: Option<&std::cell::Cell<Option<u64>>>,
) -> Result<()> {
    drop_all(tx, company_id, path, hook)?;
    let all: Vec<EmployeeIx> = twin
        .books
        .employees
        .iter_enumerated()
        .map(|(ix, _)| ix)
        .collect();
    upsert(tx, company_id, twin, &all, path, hook)?;
    fault(hook)?;
    tx.execute(
        "INSERT INTO store_meta (key, value) VALUES (?1, 1)",
        [key(company_id)],
    )
    .map_err(|e| storage(path, "cannot mark the views complete", e))?;
    Ok(())
}

/// After a write changed `changed` (the twin's employees whose data it touched), when the
/// company's views are complete: rewrites their views in `tx`, or, with `defer`
/// ([`crate::store::Store::set_defer_views`]), drops them all.
pub(crate) fn after_write(
    tx: &Connection,
    (company_id, twin): (&str, &Twin),
    changed: &[EmployeeIx],
    defer: bool,
    path: &str,
    hook: Option<&std::cell::Cell<Option<u64>>>,
) -> Result<()> {
    if changed.is_empty() || !complete(tx, company_id, path)? {
        return Ok(());
    }
    if defer {
        return drop_all(tx, company_id, path, hook);
    }
    upsert(tx, company_id, twin, changed, path, hook)
}

/// Writes (or replaces) the views of `employees`.
fn upsert(
    tx: &Connection,
    company_id: &str,
    twin: &Twin,
    employees: &[EmployeeIx],
    path: &str,
    hook: Option<&std::cell::Cell<Option<u64>>>,
) -> Result<()> {
    let err = |e| storage(path, "cannot write an employee view", e);
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO employee_views (company_id, employee_id, data) VALUES (?1, ?2, ?3) \
             ON CONFLICT (company_id, employee_id) DO UPDATE SET data = excluded.data",
        )
        .map_err(err)?;
    let company = twin.company().to_json().to_string();
    for &ix in employees {
        let Some((id, bytes)) = twin.view_bytes(ix, &company)? else {
            continue;
        };
        fault(hook)?;
        stmt.execute(params![company_id, id, bytes]).map_err(err)?;
    }
    Ok(())
}

/// The twin of one employee's view, when the company's views are complete (`None`: read
/// the whole company instead). An employee without a view is unknown to the company: its
/// twin then holds the company alone, and answers about the employee are the same
/// "unknown employee" as the whole twin's.
pub(crate) fn read(
    conn: &Connection,
    company: &Company,
    employee_id: &str,
    path: &str,
) -> Result<Option<Twin>> {
    let company_id = company.company_id.as_str();
    if !complete(conn, company_id, path)? {
        return Ok(None);
    }
    let data: Option<Vec<u8>> = conn
        .query_row(
            "SELECT data FROM employee_views WHERE company_id = ?1 AND employee_id = ?2",
            [company_id, employee_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| storage(path, "cannot read an employee view", e))?;
    let Some(data) = data else {
        return Ok(Some(Twin::new(company.clone())));
    };
    Twin::from_view(company, employee_id, &data)
        .map(Some)
        .map_err(|e| match e {
            Error::Storage { message } => {
                damaged(format!("{path}: company `{company_id}`: {message}"))
            }
            e => e,
        })
}
