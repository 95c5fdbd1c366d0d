//! The `ewa` command line's internals: arguments (clap), the commands over the public
//! library API, output as JSON or tables, and exit codes (docs/cli.md).

mod advances;
mod args;
mod bench;
mod commands;
mod csv;
mod demo;
mod explain;
mod ingest;
mod jsonl;
mod output;
mod policy;
mod table;

use clap::{Parser, Subcommand, ValueEnum};
use ewa::calendar::Instant;
use std::io::Write;
use std::path::PathBuf;

pub use output::{write_failed, PipeTolerant};

/// What a command came to. [`Outcome::code`] is the one mapping from outcomes to exit
/// codes; docs/cli.md "Exit codes" is its table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything went through (an answer that is "not eligible" included).
    Ok,
    /// The command ran, but something was refused: records of a batch rejected or in
    /// conflict, an advance refused, in conflict or cancelled, a quote that would be refused,
    /// a cancellation refused.
    Refused,
    /// Usage or input error: bad arguments, an unreadable or malformed file, a batch refused
    /// whole, an id that names nothing (company, employee, advance, shift, schedule, period).
    Input,
    /// Storage error: the store cannot be opened, is locked, damaged or foreign.
    Storage,
    /// The answer could not be written (standard output full or failing; a closed pipe is
    /// not a failure). What the command did stands: an accepted advance stays journaled.
    Output,
}

impl Outcome {
    /// The process exit code of this outcome (docs/cli.md "Exit codes").
    pub const fn code(self) -> i32 {
        match self {
            Outcome::Ok => 0,
            Outcome::Refused => 1,
            Outcome::Input => 2,
            Outcome::Storage => 3,
            Outcome::Output => 4,
        }
    }
}

/// `ewa`: an earned-wage-access accrual engine over a SQLite store.
#[derive(Debug, Parser)]
#[command(
    name = "ewa",
    version,
    about = "Earned-wage-access accrual engine: ingest workforce data, ask how much each employee may draw.",
    after_help = "Times (--as-of, --received-at, --at, --known-at) default to now; local times are read in the \
                  company's time zone.\nExit codes: 0 ok, 1 something refused, 2 usage or input error, 3 storage \
                  error, 4 the output could not be written.\nStart with `ewa demo`."
)]
pub struct Cli {
    /// The store file; without --db, the EWA_DB environment variable, else ewa.db.
    #[arg(
        long,
        global = true,
        default_value = "ewa.db",
        value_name = "PATH",
        env = "EWA_DB"
    )]
    pub db: PathBuf,
    /// The company (default: the store's only company).
    #[arg(long, global = true, value_name = "ID")]
    pub company: Option<String>,
    /// Output format (default json; `ewa demo` and `ewa explain` print text).
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// JSON, for scripts (the default): an object, or an array for a list.
    Json,
    /// JSON Lines: one compact JSON object per line (per item of a list).
    Jsonl,
    /// CSV with a header row: one column per field; `recoveries` in payroll-import columns.
    Csv,
    /// Aligned columns, money in major units, times in the company's zone, for people.
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
    /// employees, leaves, shifts, additions and deductions); each file is one batch. Every
    /// file is read and checked before any is applied.
    Ingest {
        /// The kind of the records.
        #[arg(long, value_enum, value_name = "KIND")]
        entity: ingest::Entity,
        /// When the batch was received (default now).
        #[arg(long, value_name = "TIME")]
        received_at: Option<String>,
        /// The files; `-` reads standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// How the files are read.
        #[command(flatten)]
        input: args::InputArgs,
        /// How much of each job report is printed.
        #[command(flatten)]
        report: ingest::ReportArgs,
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
    #[command(group = clap::ArgGroup::new("who").required(true).args(["employee", "all"]))]
    Eligibility {
        /// One employee, with periods and lines.
        #[arg(long, value_name = "ID")]
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
    /// Show or set the company's advance policy (SPEC §6).
    Policy {
        /// The action.
        #[command(subcommand)]
        action: policy::PolicyAction,
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
    /// An employee's eligibility in plain words: each unpaid period's work and figures, what
    /// is outstanding, and what may be drawn and why (the demo's explanations).
    Explain {
        /// The employee.
        #[arg(long, value_name = "ID")]
        employee: String,
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
        /// Shifts per employee.
        #[arg(long, default_value_t = 40, value_name = "N")]
        shifts_per_employee: usize,
        /// The first day of the current pay month; shifts start four weeks earlier.
        #[arg(long, default_value = "2026-06-01", value_name = "DATE")]
        start: chrono::NaiveDate,
        /// The company's IANA time zone.
        #[arg(long, default_value = "Europe/Brussels", value_name = "ZONE")]
        timezone: String,
        /// Without the pay rules of SPEC §5.2–§5.7 (holidays, premiums, breaks, tips,
        /// leave, minimum wage, seventh day, regular rate).
        #[arg(long)]
        no_pay_rules: bool,
        /// Output file (default standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// List or show recorded advances, with their state now.
    Advances {
        /// The action.
        #[command(subcommand)]
        action: AdvancesAction,
    },
    /// Manage the store's companies.
    #[command(name = "company")]
    CompanyCmd {
        /// The action.
        #[command(subcommand)]
        action: CompanyAction,
    },
    /// Print a shell completion script (generated from these definitions).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, in roff (generated from these definitions): `ewa man > ewa.1`.
    Man,
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
        /// The order the generated records are pushed in: employee by employee, or shifts
        /// in start order in daily batches as a live feed sends them.
        #[arg(
            long,
            value_enum,
            default_value = "employee",
            conflicts_with = "scenario"
        )]
        order: bench::Order,
        /// Generate the payroll without the pay rules of SPEC §5.2–§5.7 (holidays,
        /// premiums, breaks, tips, leave, minimum wage, seventh day, regular rate).
        #[arg(long, conflicts_with = "scenario")]
        no_pay_rules: bool,
    },
}

/// `ewa advances` actions.
#[derive(Debug, Subcommand)]
pub enum AdvancesAction {
    /// Every recorded advance (accepted or refused), oldest first.
    List {
        /// Only this employee's.
        #[arg(long, value_name = "ID")]
        employee: Option<String>,
        /// The instant the state is told at (default now): recovered once its payday passed.
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
    },
    /// One advance.
    Show {
        /// The advance.
        #[arg(value_name = "ID")]
        advance_id: String,
        /// The instant the state is told at (default now).
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
    },
}

/// `ewa company` actions.
#[derive(Debug, Subcommand)]
pub enum CompanyAction {
    /// Delete a company with its journal, snapshot and advances; other companies stay.
    Delete {
        /// The company.
        #[arg(value_name = "ID")]
        company_id: String,
        /// Confirm: without it nothing is deleted.
        #[arg(long)]
        yes: bool,
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
        /// Amount in minor units of the employee's currency, an integer: 5000 is 50.00 EUR.
        #[arg(long, value_name = "MINOR", allow_negative_numbers = true, value_parser = parse_minor)]
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
        /// Amount in minor units of the employee's currency, an integer: 5000 is 50.00 EUR.
        #[arg(long, value_name = "MINOR", allow_negative_numbers = true, value_parser = parse_minor)]
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

/// `--amount`: an integer of minor units; a decimal is refused with the integer it means.
fn parse_minor(s: &str) -> Result<i64, String> {
    if let Ok(v) = s.parse::<i64>() {
        return Ok(v);
    }
    let hint = s
        .parse::<rust_decimal::Decimal>()
        .ok()
        .and_then(|d| d.checked_mul(rust_decimal::Decimal::from(100)))
        .map(|d| {
            format!(
                " (for 2-decimal currencies such as EUR, {s} is {})",
                d.normalize()
            )
        })
        .unwrap_or_default();
    Err(format!("`{s}` is not an integer of minor units{hint}"))
}

/// Why a command failed, and its exit code.
#[derive(Debug)]
pub struct Failure {
    /// What it came to (never [`Outcome::Ok`]).
    pub outcome: Outcome,
    /// One line for stderr.
    pub message: String,
}

impl Failure {
    fn input(message: impl Into<String>) -> Failure {
        Failure {
            outcome: Outcome::Input,
            message: message.into(),
        }
    }
}

impl Failure {
    /// An employee id that names nobody in the company: an input error, whatever answer
    /// was printed (docs/cli.md "Exit codes").
    fn unknown_employee(employee: &str, twin: &ewa::Twin) -> Failure {
        Failure::input(format!(
            "no employee `{employee}` in company `{}`",
            twin.company().company_id()
        ))
    }
}

impl From<ewa::Error> for Failure {
    fn from(e: ewa::Error) -> Failure {
        Failure {
            outcome: if e.is_storage() {
                Outcome::Storage
            } else {
                Outcome::Input
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

/// Runs a parsed command line, writing its output to `out`; returns its outcome.
///
/// # Errors
/// A [`Failure`] with its outcome and message.
pub fn run(cli: &Cli, env: Env, out: &mut dyn Write) -> Result<Outcome, Failure> {
    commands::run(cli, env, out)
}
