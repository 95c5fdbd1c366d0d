//! `ewa policy show` and `ewa policy set KEY VALUE`: the company's advance policy (SPEC §6).

use super::args::{company_id, open};
use super::output::emit;
use super::table;
use super::{Cli, Failure, Outcome};
use clap::Subcommand;
use ewa::Policy;
use serde_json::Value;
use std::io::Write;

/// Policy actions.
#[derive(Debug, Subcommand)]
pub enum PolicyAction {
    /// Print the company's policy: every field, defaults included.
    Show,
    /// Set one policy field, checked as a company file's `policy` is, and save it in the
    /// store (atomically: the store is compacted with the new policy).
    Set {
        /// The field: `max_per_day`, `pause_on_leave`, ... (`fees.instant.flat` for a fee).
        #[arg(value_name = "KEY")]
        key: String,
        /// Its value as JSON (`15000`, `"150.5"`, `null`, `true`, `["approved"]`); anything
        /// that is not JSON is a string (`unpaid`).
        #[arg(value_name = "VALUE", allow_hyphen_values = true)]
        value: String,
    },
}

/// Runs a policy action.
pub fn run(cli: &Cli, action: &PolicyAction, out: &mut dyn Write) -> Result<Outcome, Failure> {
    let mut store = open(cli, false)?;
    let id = company_id(cli, &store)?;
    let current = store.twin(&id)?.company().policy().clone();
    let policy = match action {
        PolicyAction::Show => current,
        PolicyAction::Set { key, value } => {
            let policy = with_field(&current, key, value)?;
            store.set_policy(&id, &policy)?;
            policy
        }
    };
    let json = policy.to_json_all();
    let text = || {
        let rows: Vec<(&str, String)> = json
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v.to_string()))
            .collect();
        table::pairs(&rows)
    };
    emit(cli, out, &json, text)?;
    Ok(Outcome::Ok)
}

/// `current` with `key` (dotted inside `fees`) set to `value`, read and checked by
/// [`Policy::from_json`] (so the errors name `policy.<key>` as a company file's would).
fn with_field(current: &Policy, key: &str, value: &str) -> Result<Policy, Failure> {
    let v: Value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
    let mut doc = current.to_json_all();
    let mut slot = &mut doc;
    for part in key.split('.') {
        let obj = slot.as_object_mut().ok_or_else(|| {
            Failure::from(ewa::Error::Config {
                field: format!("policy.{key}"),
                message: "unknown field".into(),
            })
        })?;
        slot = obj.entry(part.to_string()).or_insert(Value::Null);
    }
    *slot = v;
    Ok(Policy::from_json(&doc)?)
}
