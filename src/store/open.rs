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
use crate::error::{Cause, Error, Result};
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

/// Makes the directory entries of the store file and of its `-wal` file durable: fsyncs
/// the directory holding `p` (docs/reliability.md, "Durability"). SQLite fsyncs it when it
/// creates a WAL file but ignores a failure; a store opened for writing calls this once
/// the WAL exists, before any write, so a failure refuses the open instead.
///
/// # Errors
/// [`Error::Io`] with the operating system's error.
pub(crate) fn sync_dir(p: &Path, shown: &str) -> Result<()> {
    #[cfg(unix)]
    {
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let synced = std::fs::File::open(dir).and_then(|d| d.sync_all());
        if let Err(e) = synced {
            return Err(Error::Io {
                message: format!(
                    "{shown}: cannot fsync its directory {} ({e}): the store's durability cannot be assured",
                    dir.display()
                ),
                cause: Cause::new(e),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (p, shown);
    Ok(())
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
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_that_cannot_be_synced_is_an_io_error_with_its_cause() {
        let p = std::env::temp_dir()
            .join(format!("ewa-no-such-dir-{}", std::process::id()))
            .join("s.db");
        let e = sync_dir(&p, "s.db").unwrap_err();
        assert!(e.is_storage() && !e.is_locked() && !e.is_damaged(), "{e:?}");
        let io = std::error::Error::source(&e)
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .map(std::io::Error::kind);
        assert_eq!(io, Some(std::io::ErrorKind::NotFound));
        assert!(e.to_string().contains("cannot fsync its directory"), "{e}");
        // The directory of a bare file name is the current one.
        assert!(sync_dir(Path::new("ewa.db"), "ewa.db").is_ok());
    }

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
