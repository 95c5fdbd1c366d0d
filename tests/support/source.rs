//! Reading the source tree in tests (`tests/tidy.rs`, `tests/layers.rs`). Included with
//! `#[path]`.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, depth first, in directory order.
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}
