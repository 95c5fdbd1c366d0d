//! What the commands and the demo read from the command line: the store, the company and
//! time arguments.

use super::{Cli, Env, Failure};
use ewa::calendar::{parse_instant, Instant};
use ewa::store::{Store, StoreOptions};

/// The store of `--db`; `create` makes a missing file.
pub fn open(cli: &Cli, create: bool) -> Result<Store, Failure> {
    let options = StoreOptions {
        create,
        ..StoreOptions::default()
    };
    Ok(Store::open_with(&cli.db, &options)?)
}

/// `--company`, or the store's only company.
pub fn company_id(cli: &Cli, store: &Store) -> Result<String, Failure> {
    if let Some(c) = &cli.company {
        return Ok(c.clone());
    }
    let all = store.companies()?;
    match all.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Failure::input(format!(
            "{} holds no company yet: create one with `ewa init --company ID` or `ewa demo`",
            store.path()
        ))),
        many => Err(Failure::input(format!(
            "{} holds several companies ({}): name one with --company",
            store.path(),
            many.join(", ")
        ))),
    }
}

/// A time argument, read in the company's zone; absent: now.
pub fn time(
    arg: Option<&str>,
    name: &str,
    tz: chrono_tz::Tz,
    env: Env,
) -> Result<Instant, Failure> {
    match arg {
        None => Ok(env.now),
        Some(s) => parse_instant(tz, s).map_err(|e| Failure::input(format!("--{name} `{s}`: {e}"))),
    }
}
