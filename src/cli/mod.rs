//! The `ewa` command line's internals: arguments (clap), the commands over the public
//! library API, output as JSON or tables, and exit codes (docs/cli.md).

mod args;
mod bench;
mod commands;
mod csv;
mod demo;
mod jsonl;
mod output;
mod table;

use clap::{Parser, Subcommand, ValueEnum};
use ewa::calendar::Instant;
use std::io::Write;
use std::path::PathBuf;

/// Exit codes (docs/cli.md).
pub mod exit {
    /// Everything went through.
    pub const OK: i32 = 0;
    /// The command ran, but some records were rejected or an advance or cancel refused.
    pub const REFUSED: i32 = 1;
    /// Usage or input error: bad arguments, an unreadable or malformed file, a batch
    /// refused whole, an unknown company or employee.
    pub const INPUT: i32 = 2;
    /// Storage error: the store cannot be opened, is locked, damaged or foreign.
    pub const STORAGE: i32 = 3;
}

/// `ewa`: an earned-wage-access accrual engine over a SQLite store.
#[derive(Debug, Parser)]
#[command(
    name = "ewa",
    version,
    about = "Earned-wage-access accrual engine: ingest workforce data, ask how much each employee may draw.",
    after_help = "Times (--as-of, --received-at, --at, --known-at) default to now; local times are read in the \
                  company's time zone.\nExit codes: 0 ok, 1 some records or requests refused, 2 usage or input \
                  error, 3 storage error.\nStart with `ewa demo`."
)]
pub struct Cli {
    /// The store file.
    #[arg(long, global = true, default_value = "ewa.db", value_name = "PATH")]
    pub db: PathBuf,
    /// The company (default: the store's only company).
    #[arg(long, global = true, value_name = "ID")]
    pub company: Option<String>,
    /// Output format (default json; `ewa demo` prints text).
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// JSON, for scripts (the default).
    Json,
    /// Aligned columns, money in major units, for people.
    Table,
}

/// Delivery speeds (they select the fee).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DeliveryArg {
    /// The standard, usually free, delivery.
    Standard,
    /// Instant delivery, usually for a fee.
    Instant,
}

impl DeliveryArg {
    fn get(self) -> ewa::Delivery {
        match self {
            DeliveryArg::Standard => ewa::Delivery::Standard,
            DeliveryArg::Instant => ewa::Delivery::Instant,
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a demo company (about 1,000 employees over two pay periods) in the store and
    /// explain a few eligibility decisions. Re-running recreates it.
    Demo {
        /// The demo's "now": the pay periods are laid around it (default now).
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
        /// Employees to create.
        #[arg(long, default_value_t = 1000, value_name = "N")]
        employees: usize,
    },
    /// Create a company in the store.
    Init {
        /// Its IANA time zone (default UTC, or the config's).
        #[arg(long, value_name = "ZONE")]
        timezone: Option<String>,
        /// A JSON company object (company_id, timezone, week_starts_on, custom_info_keys,
        /// policy, limits).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Push records from files (a JSON array, JSON Lines, or CSV with a header row for
    /// employees, shifts, additions and deductions); each file is one batch.
    Ingest {
        /// pay-schedules, contracts, employees, shifts, additions or deductions.
        #[arg(long, value_name = "KIND")]
        entity: String,
        /// When the batch was received (default now).
        #[arg(long, value_name = "TIME")]
        received_at: Option<String>,
        /// The files; `-` reads standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// How the files are read.
        #[command(flatten)]
        input: args::InputArgs,
    },
    /// Accrued earnings per unpaid period, with lines (one employee) or totals (all).
    Accruals {
        /// One employee, with every line.
        #[arg(long, value_name = "ID")]
        employee: Option<String>,
        /// The instant (default now).
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
        /// Answer from the data as the store knew it then.
        #[arg(long, value_name = "TIME")]
        known_at: Option<String>,
    },
    /// How much an employee may draw, and why.
    Eligibility {
        /// One employee, with periods and lines.
        #[arg(
            long,
            value_name = "ID",
            conflicts_with = "all",
            required_unless_present = "all"
        )]
        employee: Option<String>,
        /// Every employee, without periods.
        #[arg(long)]
        all: bool,
        /// The instant (default now).
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
        /// Answer from the data as the store knew it then.
        #[arg(long, value_name = "TIME")]
        known_at: Option<String>,
        /// Whose fee applies.
        #[arg(long, value_enum, default_value = "standard")]
        delivery: DeliveryArg,
    },
    /// Quote, request or cancel an advance.
    Advance {
        /// The action.
        #[command(subcommand)]
        action: AdvanceAction,
    },
    /// What payroll must deduct for a pay period, per employee.
    Recoveries {
        /// The pay schedule.
        #[arg(long, value_name = "ID")]
        schedule: String,
        /// The pay period.
        #[arg(long, value_name = "ID")]
        period: String,
        /// The instant (default now).
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
        /// Answer from the data as the store knew it then.
        #[arg(long, value_name = "TIME")]
        known_at: Option<String>,
    },
    /// Every version of a shift.
    History {
        /// The shift.
        #[arg(long, value_name = "ID")]
        shift: String,
        /// Every version (default: the latest 1,000, and how many earlier ones were left out).
        #[arg(long)]
        all: bool,
    },
    /// Write a snapshot and trim the journal.
    Compact,
    /// The companies in the store.
    Companies,
    /// Run a scenario document (SPEC §8) and print its output; no store is used.
    Scenario {
        /// The document.
        file: PathBuf,
    },
    /// Write a synthetic scenario document.
    Generate {
        /// Employees.
        #[arg(long, value_name = "N")]
        employees: usize,
        /// Seed.
        #[arg(long, default_value_t = 1, value_name = "S")]
        seed: u64,
        /// Output file (default standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Measure the engine on a synthetic company.
    Bench {
        /// Employees.
        #[arg(long, value_name = "N")]
        employees: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Measure this scenario document instead.
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        /// Also measure the SQLite store.
        #[arg(long)]
        compare_sqlite: bool,
        /// Shifts per employee of the generated payroll.
        #[arg(long, default_value_t = 40, value_name = "N")]
        shifts_per_employee: usize,
        /// Seed of the generated payroll and of the random lookups.
        #[arg(long, default_value_t = 1, value_name = "S")]
        seed: u64,
        /// One-employee lookups for the p50/p95.
        #[arg(long, default_value_t = 10_000, value_name = "N")]
        lookups: usize,
        /// Build the twin, then time only the bulk answers (for profiling that path).
        #[arg(long)]
        bulk_only: bool,
        /// With --bulk-only: the timed calls of each form.
        #[arg(long, default_value_t = 5, value_name = "N", requires = "bulk_only")]
        repeat: usize,
        /// With --bulk-only: which bulk answers to time.
        #[arg(long, value_enum, default_value = "both", requires = "bulk_only")]
        kind: bench::BulkKind,
    },
}

/// Advance actions.
#[derive(Debug, Subcommand)]
pub enum AdvanceAction {
    /// What an advance would cost and when it is repaid; records nothing.
    Quote {
        /// Who.
        #[arg(long, value_name = "ID")]
        employee: String,
        /// Amount in minor units.
        #[arg(long, value_name = "MINOR", allow_negative_numbers = true)]
        amount: i64,
        /// When (default now).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Delivery speed.
        #[arg(long, value_enum, default_value = "standard")]
        delivery: DeliveryArg,
    },
    /// Request an advance; idempotent by --advance-id.
    Request {
        /// The idempotency key.
        #[arg(long, value_name = "ID")]
        advance_id: String,
        /// Who.
        #[arg(long, value_name = "ID")]
        employee: String,
        /// Amount in minor units.
        #[arg(long, value_name = "MINOR", allow_negative_numbers = true)]
        amount: i64,
        /// When it was requested (default now).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Delivery speed.
        #[arg(long, value_enum, default_value = "standard")]
        delivery: DeliveryArg,
    },
    /// Cancel an accepted advance before its recovery payday.
    Cancel {
        /// The advance.
        #[arg(long, value_name = "ID")]
        advance_id: String,
        /// When (default now).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
}

/// Why a command failed, and its exit code.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: i32,
    /// One line for stderr.
    pub message: String,
}

impl Failure {
    fn input(message: impl Into<String>) -> Failure {
        Failure {
            code: exit::INPUT,
            message: message.into(),
        }
    }
}

impl From<ewa::Error> for Failure {
    fn from(e: ewa::Error) -> Failure {
        Failure {
            code: if e.is_storage() {
                exit::STORAGE
            } else {
                exit::INPUT
            },
            message: e.to_string(),
        }
    }
}

/// What the command line needs from outside the library: the clock, and whether stderr
/// is a terminal (for progress).
#[derive(Clone, Copy, Debug)]
pub struct Env {
    /// Now, for times not given.
    pub now: Instant,
    /// Show progress on stderr.
    pub progress: bool,
}

/// Runs a parsed command line, writing its output to `out`; returns the exit code.
///
/// # Errors
/// A [`Failure`] with its exit code and message.
pub fn run(cli: &Cli, env: Env, out: &mut dyn Write) -> Result<i32, Failure> {
    commands::run(cli, env, out)
}
