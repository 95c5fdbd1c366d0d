//! The `ewa` command line: a thin shell over the library. Parses the arguments, reads the
//! clock (the only place that does), runs the command and maps its outcome to the exit code
//! (`Outcome::code`, docs/cli.md "Exit codes"): 0 ok, 1 something refused, 2 usage or input
//! error, 3 storage error, 4 the output could not be written.

mod cli;

use clap::Parser;
use std::io::Write;

fn main() {
    let args = cli::Cli::parse();
    let env = cli::Env {
        now: ewa::calendar::Instant::from_utc(chrono::Utc::now().naive_utc()),
        progress: true,
    };
    let mut stdout = cli::PipeTolerant::new(std::io::stdout().lock());
    let result = cli::run(&args, env, &mut stdout);
    // Output still buffered must reach the reader before the code says all went well.
    let flushed = stdout.flush().map_err(cli::write_failed);
    let outcome = match result.and_then(|o| flushed.map(|()| o)) {
        Ok(o) => o,
        Err(f) => {
            if !f.message.is_empty() {
                // A closed or failing stderr must not turn an answer into a panic.
                let _ = writeln!(std::io::stderr(), "ewa: {}", f.message);
            }
            f.outcome
        }
    };
    drop(stdout);
    std::process::exit(outcome.code());
}
