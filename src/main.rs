//! The `ewa` command line (placeholder until the CLI lands).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let (Some(cmd), Some(file)) = (args.get(1), args.get(2)) {
        if cmd == "scenario" {
            let text = match std::fs::read_to_string(file) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("ewa: cannot read {file}: {e}");
                    std::process::exit(2);
                }
            };
            match ewa::scenario::run_str(&text) {
                Ok(out) => println!("{}", out.to_json_pretty()),
                Err(e) => {
                    eprintln!("ewa: {e}");
                    std::process::exit(2);
                }
            }
        }
    }
}
