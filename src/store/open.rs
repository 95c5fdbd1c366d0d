//! Opening a store read-only (issue #18 item 7): commands that only read open the file
//! with `SQLITE_OPEN_READ_ONLY`, so a store on a read-only directory or medium answers
//! them, and an empty file is not turned into a store.
//!
//! A WAL-mode file whose `-wal` file is absent (every writer closed cleanly, or the file was
//! copied alone) cannot be read that way from a directory where SQLite may not create
//! the `-wal` and `-shm` files. Then, and only then, it is reopened with SQLite's
//! `immutable=1`: with no `-wal` file, the main file holds every committed transaction, and
//! a directory nobody may write to cannot gain one while the command reads.

use super::{schema, storage};
use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// A read-only connection to the store at `p` and whether it holds a store at all (false
/// for an empty file).
pub(crate) fn read_only(p: &Path, shown: &str, wait: Duration) -> Result<(Connection, bool)> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(p, flags)
        .map_err(|e| storage(shown, "cannot open read-only", e))?;
    conn.busy_timeout(wait)
        .map_err(|e| storage(shown, "cannot set the busy timeout", e))?;
    match schema::inspect(&conn, shown) {
        Ok(has_store) => Ok((conn, has_store)),
        Err(first @ Error::Io { .. }) if no_wal(p) => {
            let Some(uri) = immutable_uri(p) else {
                return Err(first);
            };
            let conn = Connection::open_with_flags(&uri, flags | OpenFlags::SQLITE_OPEN_URI)
                .map_err(|_| first.clone())?;
            let has_store = schema::inspect(&conn, shown).map_err(|_| first)?;
            Ok((conn, has_store))
        }
        Err(e) => Err(e),
    }
}

/// True when the file's `-wal` file is absent or empty.
fn no_wal(p: &Path) -> bool {
    let mut wal = p.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(&wal).map_or(true, |m| m.len() == 0)
}

/// `file:<path>?immutable=1`, the path percent-encoded (RFC 3986 unreserved bytes and `/`
/// kept); `None` for a path that is not UTF-8.
fn immutable_uri(p: &Path) -> Option<String> {
    let s = p.to_str()?;
    let mut uri = String::from("file:");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    Some(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_immutable_uri_escapes_what_a_uri_would_read() {
        assert_eq!(
            immutable_uri(Path::new("/tmp/a b/x?y#z%.db")).as_deref(),
            Some("file:/tmp/a%20b/x%3Fy%23z%25.db?immutable=1")
        );
        assert_eq!(
            immutable_uri(Path::new("ewa.db")).as_deref(),
            Some("file:ewa.db?immutable=1")
        );
    }
}
