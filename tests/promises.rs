//! The README's promises that a test can check: the Rust version it names is the one
//! `Cargo.toml` declares (`rust-version`, which cargo enforces against the compiler in use),
//! and no dependency in `Cargo.lock` asks for a newer one than that. The exit codes it
//! promises are checked per command in `tests/store/cli.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// `1.88` → `(1, 88)`.
fn version(s: &str) -> (u32, u32) {
    let mut parts = s.trim().split('.').map(|p| p.parse::<u32>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

/// The `rust-version` of `Cargo.toml`.
fn declared() -> (u32, u32) {
    let toml = read("Cargo.toml");
    let line = toml
        .lines()
        .find(|l| l.starts_with("rust-version"))
        .expect("Cargo.toml declares rust-version");
    version(line.split('"').nth(1).unwrap())
}

#[test]
fn the_readme_names_the_declared_rust_version() {
    let (major, minor) = declared();
    let readme = read("README.md");
    let promise = format!("Rust toolchain ({major}.{minor} or later");
    assert!(
        readme.contains(&promise),
        "README.md must promise `{promise}` (Cargo.toml's rust-version)"
    );
}

/// Every dependency that states a `rust-version` in the registry's copy of its manifest
/// needs at most ours (proptest 1.12 needs 1.88: that is why ours is 1.88, not 1.85).
#[test]
fn no_dependency_needs_a_newer_rust() {
    let ours = declared();
    let Some(home) = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
    else {
        return;
    };
    let Ok(registries) = std::fs::read_dir(home.join("registry").join("src")) else {
        return; // vendored or offline layout: nothing to read
    };
    let lock = read("Cargo.lock");
    let packages: Vec<(String, String)> = lock
        .split("[[package]]")
        .filter_map(|p| {
            let field = |k: &str| {
                p.lines()
                    .find(|l| l.starts_with(&format!("{k} = ")))
                    .and_then(|l| l.split('"').nth(1))
                    .map(str::to_string)
            };
            Some((field("name")?, field("version")?))
        })
        .collect();
    let dirs: Vec<_> = registries.flatten().map(|e| e.path()).collect();
    let mut checked = 0;
    for (name, ver) in &packages {
        for dir in &dirs {
            let manifest = dir.join(format!("{name}-{ver}")).join("Cargo.toml");
            let Ok(text) = std::fs::read_to_string(&manifest) else {
                continue;
            };
            checked += 1;
            if let Some(line) = text.lines().find(|l| l.starts_with("rust-version")) {
                let needed = version(line.split('"').nth(1).unwrap_or("0.0"));
                assert!(
                    needed <= ours,
                    "{name} {ver} needs Rust {needed:?}, more than the declared {ours:?}"
                );
            }
        }
    }
    assert!(
        checked > 0 || packages.is_empty(),
        "no dependency manifest found"
    );
}

/// docs/reference.md is the repository's own reference of its inputs: every field the
/// engine accepts, of every kind (and nested), is named there in backticks, so the reference
/// cannot fall behind the code.
#[test]
fn the_reference_names_every_field_the_engine_accepts() {
    let reference = read("docs/reference.md");
    let mut missing = Vec::new();
    for kind in ewa::Kind::ALL {
        let nested = kind.nested_fields().iter().flat_map(|(_, f)| f.iter());
        for field in kind.fields().iter().chain(nested) {
            if !reference.contains(&format!("`{field}`"))
                && !reference.contains(&format!("`periods[i].{field}`"))
            {
                missing.push(format!("{kind:?}.{field}"));
            }
        }
    }
    assert!(missing.is_empty(), "docs/reference.md lacks {missing:?}");
}
