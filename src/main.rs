//! The `ewa` command line: a thin shell over the library. Parses the arguments, reads the
//! clock (the only place that does), runs the command and maps failures to exit codes
//! (docs/cli.md): 0 ok, 1 some records or requests refused, 2 usage or input error,
//! 3 storage error.

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    let env = cli::Env {
        now: ewa::calendar::Instant::from_utc(chrono::Utc::now().naive_utc()),
        progress: true,
    };
    let mut stdout = std::io::stdout().lock();
    let code = match cli::run(&args, env, &mut stdout) {
        Ok(code) => code,
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("ewa: {}", f.message);
            }
            f.code
        }
    };
    drop(stdout);
    std::process::exit(code);
}
