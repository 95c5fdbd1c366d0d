//! Tidy (TigerBeetle style): no function in `src/` longer than [`MAX_LINES`] lines, except
//! those listed in `tests/tidy-allowlist.txt`, and that list only shrinks.
//!
//! A function's length runs from the line of its `fn` keyword to the line of its closing
//! brace (attributes and doc comments not counted). Test code is not checked: `mod tests`
//! blocks, items under `#[cfg(test)]`, and files declared as `#[cfg(test)] mod x;` or
//! `mod tests;`.
//!
//! The test fails when
//! - a function over the limit is not in the allowlist (split it);
//! - an allowlisted function grew beyond its recorded length (split it);
//! - an allowlisted function is gone or now within the limit (delete its line).
//!
//! Regenerate the allowlist from today's code (after merging, say):
//! `EWA_TIDY_WRITE=1 cargo test --test tidy`.
//!
//! The scanner is hand-written and small: a tokenizer that skips comments (nested block
//! comments too), strings (raw, byte and C strings included) and char literals (told apart
//! from lifetimes), then brace matching over the tokens.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

#[path = "support/source.rs"]
mod source;
use source::rust_files;

/// The longest a function may be, in lines (docs/STYLE: "no function over 70 lines").
const MAX_LINES: usize = 70;

/// The allowlist, relative to the crate root.
const ALLOWLIST: &str = "tests/tidy-allowlist.txt";

// ---------------------------------------------------------------------------------------
// Tokens.

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    /// Punctuation; `->`, `=>` and `::` are one token.
    Punct(&'static str),
    Open(char),
    Close(char),
    /// A string, char or number literal, or a lifetime: nothing the scanner looks into.
    Lit,
}

/// Splits Rust source into tokens with their (1-based) line, skipping whitespace and
/// comments.
fn tokenize(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0usize, 1usize);
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    while i < c.len() {
        let ch = at(i);
        let start_line = line;
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && at(i) != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            i = skip_block_comment(&c, i, &mut line);
        } else if ch == '"' {
            i = skip_string(&c, i + 1, &mut line);
            out.push((Tok::Lit, start_line));
        } else if ch == '\'' {
            i = skip_quote(&c, i);
            out.push((Tok::Lit, start_line));
        } else if ch.is_alphabetic() || ch == '_' {
            let (next, tok) = ident_or_prefixed_literal(&c, i, &mut line);
            i = next;
            out.push((tok, start_line));
        } else if ch.is_ascii_digit() {
            i += 1;
            while at(i).is_alphanumeric()
                || at(i) == '_'
                || (at(i) == '.' && at(i + 1).is_ascii_digit())
            {
                i += 1;
            }
            out.push((Tok::Lit, start_line));
        } else {
            let two: String = [ch, at(i + 1)].iter().collect();
            let tok = match (ch, two.as_str()) {
                (_, "->") => Tok::Punct("->"),
                (_, "=>") => Tok::Punct("=>"),
                (_, "::") => Tok::Punct("::"),
                ('{' | '(' | '[', _) => Tok::Open(ch),
                ('}' | ')' | ']', _) => Tok::Close(ch),
                (';', _) => Tok::Punct(";"),
                ('#', _) => Tok::Punct("#"),
                ('<', _) => Tok::Punct("<"),
                ('>', _) => Tok::Punct(">"),
                ('$', _) => Tok::Punct("$"),
                _ => Tok::Punct("."),
            };
            i += if matches!(tok, Tok::Punct("->" | "=>" | "::")) {
                2
            } else {
                1
            };
            out.push((tok, start_line));
        }
    }
    out
}

/// Skips a (nested) block comment starting at `i`; returns the index after it.
fn skip_block_comment(c: &[char], mut i: usize, line: &mut usize) -> usize {
    let mut depth = 0usize;
    while i < c.len() {
        match (c.get(i), c.get(i + 1)) {
            (Some('/'), Some('*')) => {
                depth += 1;
                i += 2;
            }
            (Some('*'), Some('/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            (Some('\n'), _) => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// Skips the rest of a `"…"` string whose body starts at `i` (escapes honoured).
fn skip_string(c: &[char], mut i: usize, line: &mut usize) -> usize {
    while let Some(&ch) = c.get(i) {
        match ch {
            '\\' => {
                if c.get(i + 1) == Some(&'\n') {
                    *line += 1;
                }
                i += 2;
            }
            '"' => return i + 1,
            '\n' => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// Skips a raw string body: `i` is at the opening quote, `hashes` the number of `#`.
fn skip_raw_string(c: &[char], mut i: usize, hashes: usize, line: &mut usize) -> usize {
    i += 1;
    while let Some(&ch) = c.get(i) {
        if ch == '\n' {
            *line += 1;
        }
        if ch == '"' && (1..=hashes).all(|k| c.get(i + k) == Some(&'#')) {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

/// A char literal (`'x'`, `'\n'`, `'\u{1F600}'`, `'{'`) or a lifetime / label (`'a`)
/// starting at `i`; returns the index after it.
fn skip_quote(c: &[char], i: usize) -> usize {
    match (c.get(i + 1), c.get(i + 2)) {
        (Some('\\'), _) => {
            let mut k = i + 2;
            // The escaped character itself, then up to the closing quote.
            k += 1;
            while k < c.len() && c.get(k) != Some(&'\'') {
                k += 1;
            }
            k + 1
        }
        (Some(_), Some('\'')) => i + 3,
        _ => {
            let mut k = i + 1;
            while c.get(k).is_some_and(|x| x.is_alphanumeric() || *x == '_') {
                k += 1;
            }
            k
        }
    }
}

/// An identifier at `i`, or a literal with a prefix: `r"…"`, `r#"…"#`, `b"…"`, `br#"…"#`,
/// `c"…"`, `cr"…"`, `b'x'`; a raw identifier `r#type` is an identifier.
fn ident_or_prefixed_literal(c: &[char], i: usize, line: &mut usize) -> (usize, Tok) {
    let mut k = i;
    while c.get(k).is_some_and(|x| x.is_alphanumeric() || *x == '_') {
        k += 1;
    }
    let word: String = c.get(i..k).unwrap_or_default().iter().collect();
    let next = c.get(k).copied().unwrap_or('\0');
    match (word.as_str(), next) {
        ("b" | "c", '"') => (skip_string(c, k + 1, line), Tok::Lit),
        ("b", '\'') => (skip_quote(c, k), Tok::Lit),
        ("r" | "br" | "cr", '"' | '#') => {
            let mut h = k;
            while c.get(h) == Some(&'#') {
                h += 1;
            }
            if c.get(h) == Some(&'"') {
                (skip_raw_string(c, h, h - k, line), Tok::Lit)
            } else {
                // `r#ident`: the identifier after the hash.
                let mut e = h;
                while c.get(e).is_some_and(|x| x.is_alphanumeric() || *x == '_') {
                    e += 1;
                }
                let raw: String = c.get(h..e).unwrap_or_default().iter().collect();
                (e, Tok::Ident(raw))
            }
        }
        _ => (k, Tok::Ident(word)),
    }
}

// ---------------------------------------------------------------------------------------
// Functions.

/// One function found: its qualified name (`Type::name`, `outer::inner`, `m::name`), first
/// line and length in lines.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Function {
    name: String,
    line: usize,
    lines: usize,
}

/// What a `{` opened.
#[derive(Clone, Debug)]
enum Scope {
    /// A function body: its name and the line of its `fn`.
    Fn(String, usize),
    /// An `impl`, `trait` or `mod` block (named for qualifying), or test code.
    Named(String, bool),
    Other,
}

/// What the tokens since the last item boundary announce for the next `{`.
#[derive(Clone, Debug)]
enum Pending {
    None,
    Fn(String, usize),
    Named(String),
}

/// Every function outside test code, with its length; `test_mods` collects the names of
/// `mod x;` declarations that are test code (`#[cfg(test)]` or named `tests`).
fn functions(src: &str, test_mods: &mut Vec<String>) -> Vec<Function> {
    let toks = tokenize(src);
    let mut out = Vec::new();
    let mut stack: Vec<Scope> = Vec::new();
    let mut pending = Pending::None;
    let mut cfg_test = false;
    // Nesting of () and [] since the pending item started (a `;` inside does not end it).
    let mut group = 0usize;
    let mut k = 0;
    while let Some((tok, line)) = toks.get(k) {
        let ident = |d: usize| match toks.get(k + d) {
            Some((Tok::Ident(s), _)) => Some(s.as_str()),
            _ => None,
        };
        match tok {
            Tok::Punct("#") if is_cfg_test(&toks, k) => cfg_test = true,
            Tok::Ident(w) if w == "fn" => {
                if let Some(name) = ident(1) {
                    pending = Pending::Fn(name.to_string(), *line);
                    group = 0;
                }
            }
            Tok::Ident(w) if (w == "mod" || w == "trait") && matches!(pending, Pending::None) => {
                if let Some(name) = ident(1) {
                    if w == "mod" && matches!(toks.get(k + 2), Some((Tok::Punct(";"), _))) {
                        if cfg_test || name == "tests" {
                            test_mods.push(name.to_string());
                        }
                    } else {
                        pending = Pending::Named(name.to_string());
                        group = 0;
                    }
                }
            }
            Tok::Ident(w) if w == "impl" && matches!(pending, Pending::None) => {
                pending = Pending::Named(impl_name(&toks, k + 1));
                group = 0;
            }
            Tok::Open('(' | '[') => group += 1,
            Tok::Close(')' | ']') => group = group.saturating_sub(1),
            Tok::Punct(";") if group == 0 => {
                pending = Pending::None;
                cfg_test = false;
            }
            Tok::Open('{') => {
                let in_test = stack.iter().any(|s| matches!(s, Scope::Named(_, true)));
                let scope = match std::mem::replace(&mut pending, Pending::None) {
                    Pending::Fn(name, l) if !(cfg_test || in_test) => Scope::Fn(name, l),
                    Pending::Fn(name, _) => Scope::Named(name, true),
                    Pending::Named(name) => {
                        let test = cfg_test || in_test || name == "tests";
                        Scope::Named(name, test)
                    }
                    Pending::None => Scope::Other,
                };
                if !matches!(scope, Scope::Other) {
                    cfg_test = false;
                }
                stack.push(scope);
            }
            Tok::Close('}') => {
                if let Some(Scope::Fn(name, first)) = stack.pop() {
                    let mut path: Vec<&str> = stack
                        .iter()
                        .filter_map(|s| match s {
                            Scope::Fn(n, _) | Scope::Named(n, _) => Some(n.as_str()),
                            Scope::Other => None,
                        })
                        .collect();
                    path.push(&name);
                    out.push(Function {
                        name: path.join("::"),
                        line: first,
                        lines: line + 1 - first,
                    });
                }
                pending = Pending::None;
                cfg_test = false;
            }
            _ => {}
        }
        k += 1;
    }
    out.sort_by_key(|f| f.line);
    out
}

/// Whether the tokens at `k` are `#[cfg(test)]`.
fn is_cfg_test(toks: &[(Tok, usize)], k: usize) -> bool {
    let want = [
        Tok::Punct("#"),
        Tok::Open('['),
        Tok::Ident("cfg".into()),
        Tok::Open('('),
        Tok::Ident("test".into()),
        Tok::Close(')'),
        Tok::Close(']'),
    ];
    want.iter()
        .enumerate()
        .all(|(d, w)| toks.get(k + d).map(|t| &t.0) == Some(w))
}

/// The type an `impl` block is for: `impl<T> Trait for Type<T> where … {` → `Type`.
fn impl_name(toks: &[(Tok, usize)], from: usize) -> String {
    let mut angle = 0i32;
    let mut name = String::from("impl");
    let mut k = from;
    while let Some((tok, _)) = toks.get(k) {
        match tok {
            Tok::Punct("<") => angle += 1,
            Tok::Punct(">") => angle -= 1,
            Tok::Open('{') | Tok::Punct(";") => break,
            Tok::Ident(w) if angle == 0 && w == "where" => break,
            Tok::Ident(w) if angle == 0 && w == "for" => name = String::from("impl"),
            Tok::Ident(w) if angle == 0 && w != "dyn" && w != "mut" => name = w.clone(),
            _ => {}
        }
        k += 1;
    }
    name
}

// ---------------------------------------------------------------------------------------
// The source tree.

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The directory a file's `mod x;` declarations live in.
fn module_dir(file: &Path) -> PathBuf {
    let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
    match file.file_stem().and_then(|s| s.to_str()) {
        Some("mod" | "lib" | "main") => parent,
        Some(stem) => parent.join(stem),
        None => parent,
    }
}

/// Every function over the limit in `src/`, keyed `path::name` (a `#n` suffix tells apart
/// functions of one file with the same qualified name, in source order).
fn long_functions() -> BTreeMap<String, usize> {
    let root = root();
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let mut found: Vec<(PathBuf, Vec<Function>)> = Vec::new();
    let mut test_paths: Vec<PathBuf> = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap_or_default();
        let mut mods = Vec::new();
        let fns = functions(&src, &mut mods);
        let dir = module_dir(f);
        for m in mods {
            test_paths.push(dir.join(format!("{m}.rs")));
            test_paths.push(dir.join(&m));
        }
        found.push((f.clone(), fns));
    }
    let mut out = BTreeMap::new();
    for (f, fns) in found {
        if test_paths.iter().any(|t| f.starts_with(t)) {
            continue;
        }
        let rel = f
            .strip_prefix(&root)
            .unwrap_or(&f)
            .to_string_lossy()
            .replace('\\', "/");
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for func in fns {
            let n = seen.entry(func.name.clone()).or_insert(0);
            *n += 1;
            if func.lines <= MAX_LINES {
                continue;
            }
            let key = match *n {
                1 => format!("{rel}::{}", func.name),
                n => format!("{rel}::{}#{n}", func.name),
            };
            out.insert(key, func.lines);
        }
    }
    out
}

fn read_allowlist() -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(root().join(ALLOWLIST)).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (name, n) = l.rsplit_once(' ')?;
            Some((name.trim().to_string(), n.parse().ok()?))
        })
        .collect()
}

fn write_allowlist(long: &BTreeMap<String, usize>) -> std::io::Result<()> {
    let mut text = String::from(
        "# Functions in src/ over 70 lines (tests/tidy.rs): `path::name lines`.\n\
         # This list only shrinks: split a function and delete its line. Regenerate it with\n\
         # `EWA_TIDY_WRITE=1 cargo test --test tidy`.\n",
    );
    for (name, n) in long {
        text.push_str(&format!("{name} {n}\n"));
    }
    std::fs::write(root().join(ALLOWLIST), text)
}

/// What is wrong between the functions found and the allowlist, one line each.
fn check(long: &BTreeMap<String, usize>, allow: &BTreeMap<String, usize>) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, &n) in long {
        match allow.get(name) {
            None => problems.push(format!(
                "{name}: {n} lines, over the limit of {MAX_LINES}: split it"
            )),
            Some(&was) if n > was => problems.push(format!(
                "{name}: grew from {was} to {n} lines (limit {MAX_LINES}): split it"
            )),
            Some(_) => {}
        }
    }
    for (name, &was) in allow {
        if !long.contains_key(name) {
            problems.push(format!(
                "{name}: allowlisted at {was} lines but now within {MAX_LINES} lines or gone: \
                 delete its line from {ALLOWLIST}"
            ));
        }
    }
    problems
}

#[test]
fn no_function_over_the_limit_outside_the_allowlist() {
    let long = long_functions();
    assert!(
        !long.is_empty() || root().join("src/lib.rs").exists(),
        "found no source files"
    );
    if std::env::var_os("EWA_TIDY_WRITE").is_some() {
        if let Err(e) = write_allowlist(&long) {
            panic!("cannot write {ALLOWLIST}: {e}");
        }
        return;
    }
    let problems = check(&long, &read_allowlist());
    assert!(
        problems.is_empty(),
        "tidy: {} problem(s):\n{}\n(regenerate the list after a merge with \
         `EWA_TIDY_WRITE=1 cargo test --test tidy`)",
        problems.len(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// The scanner itself.

fn scan(src: &str) -> Vec<(String, usize)> {
    functions(src, &mut Vec::new())
        .into_iter()
        .map(|f| (f.name, f.lines))
        .collect()
}

#[test]
fn a_function_runs_from_its_fn_line_to_its_closing_brace() {
    let src = "/// doc\n#[inline]\npub fn a() {\n    x();\n}\nfn b() {}\n";
    assert_eq!(scan(src), [("a".to_string(), 3), ("b".to_string(), 1)]);
}

#[test]
fn braces_in_strings_chars_and_comments_do_not_count() {
    let src = r####"
fn a() {
    let s = "}}} \" {";
    let r = r#"}" }"#;
    let rr = r##"a "# } "##;
    let b = b"}";
    let br = br#"}"#;
    let c = '}';
    let d = '{';
    let e = '\'';
    let u = '\u{7D}';
    // } in a line comment
    /* } in a /* nested */ block comment } */
}
fn b<'a>(x: &'a str) -> &'a str {
    'outer: loop { break 'outer; }
    x
}
"####;
    assert_eq!(scan(src), [("a".to_string(), 13), ("b".to_string(), 4)]);
}

#[test]
fn nested_functions_closures_and_impls_are_qualified() {
    let src = "
impl<T: Clone> Show for Wrap<T> where T: Send {
    fn show(&self) {
        let f = |x: u32| { x + 1 };
        fn inner() {
            let _ = 1;
        }
    }
}
impl Twin {
    fn show(&self) {}
}
mod m {
    fn g() {}
}
";
    assert_eq!(
        scan(src),
        [
            ("Wrap::show".to_string(), 6),
            ("Wrap::show::inner".to_string(), 3),
            ("Twin::show".to_string(), 1),
            ("m::g".to_string(), 1),
        ]
    );
}

#[test]
fn test_code_and_declarations_without_bodies_are_skipped() {
    let src = "
trait T {
    fn required(&self) -> u32;
    fn provided(&self, a: [u8; 4]) -> u32 { 1 }
}
type F = fn(u32) -> u32;
fn real(f: impl Fn() -> u32) {}
#[cfg(test)]
fn helper() {}
#[cfg(test)]
mod props {
    fn p() {}
}
mod tests {
    fn t() {}
}
#[cfg(test)]
mod golden;
mod tests;
macro_rules! m { ($n:ident) => { fn $n() {} }; }
";
    let mut mods = Vec::new();
    let names: Vec<String> = functions(src, &mut mods)
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, ["T::provided", "real"]);
    assert_eq!(mods, ["golden", "tests"]);
}

#[test]
fn the_check_reports_new_grown_and_shrunk_functions() {
    let long: BTreeMap<String, usize> = [("a::new", 80), ("a::grew", 90), ("a::same", 75)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let allow: BTreeMap<String, usize> = [("a::grew", 85), ("a::same", 75), ("a::gone", 99)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let p = check(&long, &allow);
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(p[0].starts_with("a::grew: grew from 85 to 90"), "{}", p[0]);
    assert!(p[1].starts_with("a::new: 80 lines"), "{}", p[1]);
    assert!(
        p[2].starts_with("a::gone: allowlisted") && p[2].contains("delete"),
        "{}",
        p[2]
    );
    let unique: HashSet<&String> = p.iter().collect();
    assert_eq!(unique.len(), 3);
}
