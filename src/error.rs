//! The crate's error type: failures of a call itself (SPEC §3, §7, §8).
//!
//! Rejections of single records are *data* (see [`crate::ingest::Outcome`]) and advance
//! refusals are reason codes (see [`crate::eligibility::Reason`]); `Error` is for a call that
//! cannot be carried out at all: a batch refused whole, a malformed scenario document, a bad
//! company configuration, a storage failure, an arithmetic overflow.

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
    /// The SQLite store failed or holds data this version cannot trust.
    #[error("storage error: {message}")]
    Storage {
        /// What failed, with SQLite's own message where there is one.
        message: String,
    },
}

impl Error {
    /// True when the error is caused by the caller's input (a batch, a document, an argument,
    /// a configuration); such a call can be corrected and retried.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            Error::BatchRefused { .. }
                | Error::Config { .. }
                | Error::Scenario { .. }
                | Error::InvalidArgument { .. }
        )
    }

    /// True when the error comes from the store (I/O, locking, a corrupt or foreign file).
    pub fn is_storage(&self) -> bool {
        matches!(self, Error::Storage { .. })
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
        assert!(storage.is_storage() && !storage.is_input());
        let overflow = Error::overflow("gross");
        assert!(!overflow.is_input() && !overflow.is_storage());
        assert_eq!(
            Error::config("policy.access_rate", "must be in [0, 1]").to_string(),
            "invalid company configuration: field `policy.access_rate`: must be in [0, 1]"
        );
    }
}
