//! Dependencies point one way (issue #13 item 4): each `src/<module>` may name, through
//! `crate::…` paths, only modules of its own layer or of a lower one.
//!
//! ```text
//! error ─► money, calendar ─► model, company, limits ─► accrual ─► ingest ─► eligibility
//!       ─► twin ─► scenario, store ─► generate (and the binary's cli)
//! ```
//!
//! `model`, `company` and `limits` are one layer (the stored data holds the company, whose
//! settings name model values); `ingest` sits above `accrual` because it validates breaks
//! with accrual's paid-time rules. Test code is not checked (it builds twins through the
//! façade): items under `#[cfg(test)]` and files declared `#[cfg(test)] mod x;`. Comments
//! and string literals are skipped. The binary (`src/main.rs`, `src/cli/`) reaches the
//! library only through `ewa::…`, so it has no `crate::` paths into the library.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[path = "support/source.rs"]
mod source;
use source::rust_files;

/// The layers, lowest first. A module may name its own layer and the layers below.
const LAYERS: &[&[&str]] = &[
    &["error"],
    &["money", "calendar"],
    &["model", "company", "limits"],
    &["accrual"],
    &["ingest"],
    &["eligibility"],
    &["twin"],
    &["scenario", "store"],
    &["generate", "cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Source text with comments, string and char literals blanked (newlines kept).
fn strip(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < c.len() {
        let ch = at(i);
        if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && at(i) != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else if i >= c.len() {
                    break;
                } else {
                    if at(i) == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if ch == '"' || (ch == 'r' && (at(i + 1) == '"' || at(i + 1) == '#')) {
            i = skip_string(&c, i, &mut out);
        } else if ch == '\'' && at(i + 2) == '\'' {
            i += 3;
        } else if ch == '\'' && at(i + 1) == '\\' {
            i += 2;
            while i < c.len() && at(i) != '\'' {
                i += 1;
            }
            i += 1;
        } else {
            out.push(ch);
            i += 1;
        }
    }
    out
}

/// Skips a string literal starting at `i` (plain or raw), keeping its newlines.
fn skip_string(c: &[char], mut i: usize, out: &mut String) -> usize {
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    let raw = at(i) == 'r';
    let mut hashes = 0;
    if raw {
        i += 1;
        while at(i) == '#' {
            hashes += 1;
            i += 1;
        }
        if at(i) != '"' {
            out.push('r');
            return i - hashes;
        }
    }
    i += 1;
    while i < c.len() {
        match at(i) {
            '\\' if !raw => i += 2,
            '"' if (1..=hashes).all(|k| at(i + k) == '#') => return i + 1 + hashes,
            '\n' => {
                out.push('\n');
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// Blanks every item under `#[cfg(test)]`: up to its first `;` outside braces or the end
/// of its first brace block.
fn without_tests(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(k) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..k]);
        let item = &rest[k..];
        let mut depth = 0usize;
        let mut end = item.len();
        for (j, ch) in item.char_indices().skip("#[cfg(test)]".len()) {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = j + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = j + 1;
                    break;
                }
                _ => {}
            }
        }
        out.extend(item[..end].chars().filter(|c| *c == '\n'));
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The top-level modules a stripped source names through `crate::` paths (`crate::a::…`,
/// `crate::{a::…, b}`), with the line of each.
fn crate_paths(src: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for (n, line) in src.lines().enumerate() {
        let mut rest = line;
        while let Some(k) = rest.find("crate::") {
            let before = rest[..k].chars().next_back();
            let tail = &rest[k + "crate::".len()..];
            rest = tail;
            if before.is_some_and(|b| b.is_alphanumeric() || b == '_') {
                continue;
            }
            if let Some(group) = tail.strip_prefix('{') {
                for part in group.split([',', '}']).map(str::trim) {
                    let name: String = part
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.push((name, n + 1));
                    }
                    if part.contains('}') {
                        break;
                    }
                }
            } else {
                let name: String = tail
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.push((name, n + 1));
            }
        }
    }
    found
}

/// The violations in one file of `module`: `file:line: module names higher`.
fn violations(module: &str, file: &str, src: &str) -> Vec<String> {
    let Some(own) = layer_of(module) else {
        return vec![format!(
            "{file}: module `{module}` is in no layer (add it to LAYERS)"
        )];
    };
    let code = without_tests(&strip(src));
    crate_paths(&code)
        .into_iter()
        .filter(|(name, _)| name != module && name != "self" && name != "super")
        .filter_map(|(name, line)| match layer_of(&name) {
            Some(l) if l <= own => None,
            Some(_) => Some(format!(
                "{file}:{line}: `{module}` names the higher `{name}`"
            )),
            None => Some(format!(
                "{file}:{line}: `{module}` names `{name}`, in no layer"
            )),
        })
        .collect()
}

/// Files declared `#[cfg(test)] mod x;` (test-only files), as paths.
fn test_only_files(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut set = BTreeSet::new();
    for f in files {
        let src = strip(&std::fs::read_to_string(f).unwrap_or_default());
        let dir = match f.file_name().and_then(|n| n.to_str()) {
            Some("mod.rs" | "lib.rs" | "main.rs") => f.parent().map(Path::to_path_buf),
            _ => f
                .parent()
                .map(|p| p.join(f.file_stem().unwrap_or_default())),
        };
        let Some(dir) = dir else { continue };
        let mut rest = src.as_str();
        while let Some(k) = rest.find("#[cfg(test)]") {
            rest = &rest[k + "#[cfg(test)]".len()..];
            let item = rest.trim_start();
            let item = item.strip_prefix("pub(crate) ").unwrap_or(item);
            if let Some(decl) = item.strip_prefix("mod ") {
                let name: String = decl
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if decl[name.len()..].trim_start().starts_with(';') {
                    set.insert(dir.join(format!("{name}.rs")));
                    set.insert(dir.join(&name).join("mod.rs"));
                }
            }
        }
    }
    set
}

#[test]
fn dependencies_point_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let tests_only = test_only_files(&files);
    let mut bad = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap_or(f);
        let Some(first) = rel.components().next().and_then(|c| c.as_os_str().to_str()) else {
            continue;
        };
        let module = first.trim_end_matches(".rs");
        if matches!(module, "lib" | "main") || tests_only.contains(f) {
            continue;
        }
        let src = std::fs::read_to_string(f).unwrap_or_default();
        bad.extend(violations(module, &format!("src/{}", rel.display()), &src));
    }
    assert!(
        bad.is_empty(),
        "dependencies against the layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_checker_finds_a_planted_violation() {
    let src = "use crate::calendar::Instant;\nuse crate::{money::Exact, twin::Twin};\n";
    assert_eq!(
        violations("model", "src/model/x.rs", src),
        vec!["src/model/x.rs:2: `model` names the higher `twin`".to_string()]
    );
    let inline = "fn f() -> usize { crate::eligibility::N }";
    assert_eq!(violations("accrual", "a.rs", inline).len(), 1);
    assert_eq!(
        violations("novel", "n.rs", "").len(),
        1,
        "a module outside every layer"
    );
}

#[test]
fn the_checker_skips_tests_comments_and_strings() {
    let src = "use crate::money::Exact;\n\
               // crate::twin::Twin in a comment\n\
               /* crate::store /* nested */ */\n\
               const S: &str = \"crate::twin\";\n\
               const R: &str = r#\"crate::twin \"quoted\"\"#;\n\
               #[cfg(test)]\nuse crate::twin::Twin;\n\
               #[cfg(test)]\nmod tests {\n    use crate::generate;\n    fn f() { {} }\n}\n\
               fn g() -> char { '{' }\n";
    assert_eq!(violations("model", "m.rs", src), Vec::<String>::new());
    // Code after a test item is checked again.
    let after = format!("{src}use crate::store::Store;\n");
    assert_eq!(violations("model", "m.rs", &after).len(), 1);
}
