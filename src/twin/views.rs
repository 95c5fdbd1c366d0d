//! Employee views (issue #17): one employee's slice of the twin (`State::slice`) in the
//! binary snapshot format, so that the store can answer one employee from a few kilobytes
//! instead of loading the whole company. A view is the snapshot stream of the slice, cut
//! into frames of [`VIEW_FRAME_BYTES`] and concatenated; reading it checks every frame
//! and the twin's invariants, as a snapshot load does, and that it holds exactly the
//! employee it was read for (`snapshot::read_concatenated` cuts the frames).

use super::Twin;
use crate::accrual::Books;
use crate::company::Company;
use crate::error::{Error, Result};
use crate::model::EmployeeIx;

/// Payload bytes per frame of a view: most views are one frame (a month of shifts is a
/// few kilobytes). The encoder's buffer stays under glibc's 64 KiB consolidation
/// threshold: freeing a buffer of 64 KiB per view made the allocator walk its free lists
/// each time (a fifth of an import's time in `malloc_consolidate` and `unlink_chunk`).
const VIEW_FRAME_BYTES: usize = 16 << 10;

impl Twin {
    /// The twin of one employee's slice: what every answer about `employee_id` reads, and
    /// nothing else (`None` for an unknown employee). Its answers about that employee are
    /// the whole twin's ([`crate::Store::employee_twin`] reads them from the store).
    ///
    /// # Errors
    /// [`Error::Storage`] only when the twin breaks its own invariants.
    pub fn employee_slice(&self, employee_id: &str) -> Result<Option<Twin>> {
        let Some(ix) = self.books.employee_ix.get(employee_id) else {
            return Ok(None);
        };
        Ok(self.books.state.slice(ix)?.map(|state| Twin {
            books: Books::new(state),
        }))
    }

    /// The view of employee `ix` (`None` for an index the twin does not hold), and the
    /// employee's id; `company` is the twin's company serialised
    /// ([`Company::to_json`], once for many views).
    pub(crate) fn view_bytes(
        &self,
        ix: EmployeeIx,
        company: &str,
    ) -> Result<Option<(String, Vec<u8>)>> {
        let Some(state) = self.books.state.slice(ix)? else {
            return Ok(None);
        };
        let id = self.books.employees.get(ix).map(|e| e.id.to_string());
        let mut out = Vec::new();
        state.write_snapshot_with(company, VIEW_FRAME_BYTES, &mut |frame| {
            out.extend_from_slice(frame);
            Ok(())
        })?;
        Ok(id.map(|id| (id, out)))
    }

    /// Reads the view `bytes` of employee `employee_id` of `company` (the company as the
    /// store holds it; the view must agree).
    ///
    /// # Errors
    /// [`Error::Storage`] naming what is wrong when the bytes are damaged, are not a view
    /// or hold another employee.
    pub(crate) fn from_view(company: &Company, employee_id: &str, bytes: &[u8]) -> Result<Twin> {
        let twin = super::snapshot::read_concatenated(company, bytes)
            .map_err(|e| bad(employee_id, &e.to_string()))?;
        let ids = twin.employee_ids();
        if ids != [employee_id] {
            return Err(bad(employee_id, &format!("it holds the employees {ids:?}")));
        }
        Ok(twin)
    }
}

fn bad(employee_id: &str, what: &str) -> Error {
    Error::Storage {
        message: format!("the view of employee `{employee_id}` is damaged: {what}"),
    }
}
