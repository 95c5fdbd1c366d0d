//! Demo companies (issue #17 item 10): `ewa demo` recreates its company each time it runs,
//! so it must never delete a real company that happens to have the same id.
//!
//! A company created by [`Store::replace_demo_company`] is marked in `store_meta` with the
//! key `demo:<company_id>` and the company's epoch as value. The epoch is new each time a
//! company is created, so a mark left by a deleted demo company never marks a real company
//! created later under the same id. (No schema change: `store_meta` is a key/value table.)

use super::codec::CompanyRow;
use super::{begin_write, delete_rows, fault, hook, insert_company, storage, Store};
use crate::company::Company;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension};

impl Store {
    /// Creates `company` as a demo company, first deleting the demo company of the same id
    /// if there is one, in one transaction; returns whether one was replaced.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (nothing changed) when the store holds a company of that
    /// id that was not created by this method; as [`Store::create_company`] otherwise.
    pub fn replace_demo_company(&mut self, company: &Company) -> Result<bool> {
        self.writable()?;
        let path = self.path.clone();
        let id = company.company_id.clone();
        self.cache.remove(&id);
        let hook = hook!(self);
        let tx = begin_write(&mut self.conn, &path, self.busy_timeout)?;
        let replaced = match CompanyRow::read(&tx, &id, &path)? {
            Some(row) if is_marked(&tx, &row, &path)? => delete_rows(&tx, &id, &path, hook)?,
            Some(_) => {
                return Err(Error::InvalidArgument {
                    name: "company_id".into(),
                    message: format!(
                        "company `{id}` in {path} was not created by `ewa demo`; the demo does not replace it \
                         (name another company with --company, or use another --db)"
                    ),
                })
            }
            None => false,
        };
        let row = insert_company(&tx, company, &path, hook)?;
        fault(hook)?;
        tx.execute(
            "INSERT INTO store_meta (key, value) VALUES (?1, ?2)",
            rusqlite::params![key(&id), row.epoch],
        )
        .map_err(|e| storage(&path, "cannot mark the demo company", e))?;
        fault(hook)?;
        tx.commit()
            .map_err(|e| storage(&path, "cannot commit", e))?;
        Ok(replaced)
    }

    /// Whether the company was created by [`Store::replace_demo_company`].
    ///
    /// # Errors
    /// [`Error::UnknownCompany`]; [`Error::Storage`].
    pub fn is_demo_company(&self, company_id: &str) -> Result<bool> {
        let row = self.company_row(&self.conn, company_id)?;
        is_marked(&self.conn, &row, &self.path)
    }
}

fn key(company_id: &str) -> String {
    format!("demo:{company_id}")
}

fn is_marked(conn: &Connection, row: &CompanyRow, path: &str) -> Result<bool> {
    let epoch: Option<i64> = conn
        .query_row(
            "SELECT value FROM store_meta WHERE key = ?1",
            [key(&row.company_id)],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| storage(path, "cannot read the demo mark", e))?;
    Ok(epoch == Some(row.epoch))
}

/// Removes a company's demo mark, if any.
pub(crate) fn unmark(conn: &Connection, company_id: &str, path: &str) -> Result<()> {
    conn.execute("DELETE FROM store_meta WHERE key = ?1", [key(company_id)])
        .map_err(|e| storage(path, "cannot remove the demo mark", e))?;
    Ok(())
}
