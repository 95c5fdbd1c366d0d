//! Placeholder for the benchmark runner, replaced by the bench branch.

use crate::error::{Error, Result};

/// Benchmark options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Employees of the generated company.
    pub employees: usize,
    /// A scenario document to measure instead of a generated one.
    pub scenario: Option<std::path::PathBuf>,
    /// Also measure a save and load through the SQLite store.
    pub compare_sqlite: bool,
}

/// Benchmark results.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Report {}

impl Report {
    /// The report as a table for people.
    pub fn to_table(&self) -> String {
        String::new()
    }
}

/// Runs the benchmark (placeholder: always an error).
///
/// # Errors
/// [`Error::InvalidArgument`]: this build has no benchmark runner.
pub fn run(_options: &Options) -> Result<Report> {
    Err(Error::InvalidArgument {
        name: "bench".into(),
        message: "this build has no benchmark runner (placeholder until the bench branch lands)"
            .into(),
    })
}
