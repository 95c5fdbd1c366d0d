//! The crate's error type: failures of a call itself (SPEC §3, §7, §8).
//!
//! Rejections of single records are *data* (see [`crate::ingest::Outcome`]) and advance
//! refusals are reason codes (see [`crate::eligibility::Reason`]); `Error` is for a call that
//! cannot be carried out at all: a batch refused whole, a malformed scenario document, a bad
//! company configuration, a storage failure, an arithmetic overflow.
//!
//! Callers match a variant or ask a predicate, never the message: [`Error::is_locked`]
//! (retry later), [`Error::is_damaged`] (the file cannot be trusted), [`Error::is_unknown_company`],
//! [`Error::is_input`] (correct the call) and [`Error::is_storage`] (any store failure).
//! Where SQLite or the operating system reported the failure, its error is kept and
//! [`std::error::Error::source`] returns it (a `rusqlite::Error` or a `std::io::Error`).

/// A failure of a call, naming the record, field and reason where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A whole batch was refused and nothing was applied (SPEC §3: not a JSON array of
    /// objects, over `batch_bytes_max` or `batch_records_max`).
    #[error("batch refused, nothing applied: {reason}")]
    BatchRefused {
        /// Why the batch was refused.
        reason: String,
    },
    /// The company configuration (time zone, policy, limits) is invalid.
    #[error("invalid company configuration: field `{field}`: {message}")]
    Config {
        /// Dotted path of the offending field, e.g. `policy.access_rate`.
        field: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A scenario document (SPEC §8) is malformed.
    #[error("malformed scenario document: {path}: {message}")]
    Scenario {
        /// Where in the document, e.g. `steps[3].push`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An argument to a query or command is invalid (unknown kind, bad timestamp, ...).
    #[error("invalid argument `{name}`: {message}")]
    InvalidArgument {
        /// The argument's name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A checked arithmetic operation on money or time overflowed.
    #[error("arithmetic overflow while computing {what}")]
    Overflow {
        /// What was being computed.
        what: &'static str,
    },
    /// The SQLite store failed or holds data this version cannot trust: a file that is not
    /// an ewa store, a newer schema, a missing store, a write to a store opened read-only.
    /// The failures below ([`Error::Locked`], [`Error::Damaged`], [`Error::Io`]) are
    /// storage errors too, with their own variant.
    #[error("storage error: {message}")]
    Storage {
        /// What failed.
        message: String,
    },
    /// Another process held the store's write lock for longer than the wait
    /// (`StoreOptions::busy_timeout`): nothing was written, and the same call may be retried.
    #[error("storage error: {message}")]
    Locked {
        /// Which store and what was being done.
        message: String,
        /// SQLite's `SQLITE_BUSY` or `SQLITE_LOCKED` error.
        #[source]
        cause: Cause,
    },
    /// The store file is damaged or inconsistent (a corrupt page, a failed checksum, a
    /// missing table or row, a journal whose replay disagrees with what it recorded): the
    /// file cannot be trusted; retrying will not help, restoring a copy will.
    #[error("storage error: {message}")]
    Damaged {
        /// What is damaged, naming the company, table and row where known.
        message: String,
        /// SQLite's error when SQLite found the damage; `None` when ewa's own checks did.
        #[source]
        cause: Option<Cause>,
    },
    /// SQLite or the operating system could not read or write the store (permissions, a
    /// full disk, a read-only medium, an I/O error).
    #[error("storage error: {message}")]
    Io {
        /// Which store and what was being done, with SQLite's message.
        message: String,
        /// SQLite's (or the operating system's) error.
        #[source]
        cause: Cause,
    },
    /// The store holds no company of this id. An input error: name an existing company.
    #[error("invalid argument `company_id`: no company `{company_id}` in {store}")]
    UnknownCompany {
        /// The id asked for.
        company_id: String,
        /// The store's path.
        store: String,
    },
}

/// The underlying error of an [`Error`], shared so that `Error` stays `Clone`. Two causes
/// are equal when they display the same. `std::error::Error::source` of the `Error` returns
/// the underlying error itself (downcast it to `rusqlite::Error` or `std::io::Error`).
#[derive(Clone)]
pub struct Cause(std::sync::Arc<dyn std::error::Error + Send + Sync + 'static>);

impl Cause {
    /// Wraps an error.
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> Cause {
        Cause(std::sync::Arc::new(e))
    }
}

// Deliberately not `std::error::Error`: thiserror then reaches the wrapped error through
// `Deref`, so `source()` returns it (and it can be downcast), not this wrapper.
impl std::ops::Deref for Cause {
    type Target = dyn std::error::Error + Send + Sync + 'static;
    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl std::fmt::Debug for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&*self.0, f)
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Cause) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl Eq for Cause {}

impl Error {
    /// True when the error is caused by the caller's input (a batch, a document, an argument,
    /// a configuration, an unknown company); such a call can be corrected and retried.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            Error::BatchRefused { .. }
                | Error::Config { .. }
                | Error::Scenario { .. }
                | Error::InvalidArgument { .. }
                | Error::UnknownCompany { .. }
        )
    }

    /// True when the error comes from the store (I/O, locking, a corrupt or foreign file).
    pub fn is_storage(&self) -> bool {
        matches!(
            self,
            Error::Storage { .. } | Error::Locked { .. } | Error::Damaged { .. } | Error::Io { .. }
        )
    }

    /// True when another writer held the store's lock too long: nothing was written and the
    /// same call may be retried as it is.
    pub fn is_locked(&self) -> bool {
        matches!(self, Error::Locked { .. })
    }

    /// True when the store file is damaged or inconsistent and cannot be trusted.
    pub fn is_damaged(&self) -> bool {
        matches!(self, Error::Damaged { .. })
    }

    /// True when the store holds no company of the id asked for.
    pub fn is_unknown_company(&self) -> bool {
        matches!(self, Error::UnknownCompany { .. })
    }

    pub(crate) fn overflow(what: &'static str) -> Error {
        Error::Overflow { what }
    }

    pub(crate) fn config(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Config {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn arg(name: impl Into<String>, message: impl Into<String>) -> Error {
        Error::InvalidArgument {
            name: name.into(),
            message: message.into(),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicates_partition_kinds() {
        let input = Error::BatchRefused { reason: "x".into() };
        assert!(input.is_input() && !input.is_storage());
        let storage = Error::Storage {
            message: "locked".into(),
        };
        assert!(storage.is_storage() && !storage.is_input() && !storage.is_locked());
        let io = std::io::Error::other("disk full");
        let locked = Error::Locked {
            message: "x".into(),
            cause: Cause::new(io),
        };
        assert!(locked.is_locked() && locked.is_storage() && !locked.is_damaged());
        let damaged = Error::Damaged {
            message: "x".into(),
            cause: None,
        };
        assert!(damaged.is_damaged() && damaged.is_storage() && !damaged.is_input());
        assert!(std::error::Error::source(&damaged).is_none());
        let unknown = Error::UnknownCompany {
            company_id: "acme".into(),
            store: "ewa.db".into(),
        };
        assert!(unknown.is_unknown_company() && unknown.is_input() && !unknown.is_storage());
        assert_eq!(
            unknown.to_string(),
            "invalid argument `company_id`: no company `acme` in ewa.db"
        );
        let overflow = Error::overflow("gross");
        assert!(!overflow.is_input() && !overflow.is_storage());
        assert_eq!(
            Error::config("policy.access_rate", "must be in [0, 1]").to_string(),
            "invalid company configuration: field `policy.access_rate`: must be in [0, 1]"
        );
    }

    #[test]
    fn the_cause_is_the_source_and_can_be_downcast() {
        let e = Error::Io {
            message: "ewa.db: cannot write".into(),
            cause: Cause::new(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "disk full",
            )),
        };
        let source = std::error::Error::source(&e).expect("a source");
        let io = source
            .downcast_ref::<std::io::Error>()
            .expect("the io::Error itself, not a wrapper");
        assert_eq!(io.kind(), std::io::ErrorKind::StorageFull);
        assert_eq!(e.to_string(), "storage error: ewa.db: cannot write");
        // Clone and equality still hold (causes compare by their text).
        assert_eq!(e.clone(), e);
    }
}
