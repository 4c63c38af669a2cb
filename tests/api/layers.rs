//! The layer map of the crate doc, enforced: each module imports only modules of lower
//! layers (tests and doc comments aside), so there is no cycle and nothing imports upwards.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module's layer, lowest first; `lib` is the crate root.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("clock", 0),
    ("faults", 0),
    ("journal", 0),
    ("signature", 0),
    ("slots", 0),
    ("tls", 0),
    ("domain", 1),
    ("fixtures", 2),
    ("store", 3),
    ("client_env", 3),
    ("auth", 4),
    ("iam", 4),
    ("emulator", 5),
    ("http", 6),
    ("persist", 6),
    ("ticker", 6),
    ("config", 7),
    ("healthcheck", 7),
    ("lib", 8),
    ("main", 8),
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The crate modules each top-level module names in its code (not its tests or comments).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_str().unwrap().trim_end_matches(".rs").to_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let names = found.entry(module.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for piece in line.split("crate::").skip(1) {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if name != module && !name.is_empty() {
                    names.insert(name);
                }
            }
        }
    }
    found
}

#[test]
fn every_module_imports_only_from_lower_layers() {
    let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for (module, names) in imports() {
        let own = *layer
            .get(module.as_str())
            .unwrap_or_else(|| panic!("src/{module} has no layer in LAYERS"));
        for name in names {
            match layer.get(name.as_str()) {
                Some(&theirs) if theirs < own => {}
                _ => wrong.push(format!("{module} imports {name}")),
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layer map: {wrong:?}");
}

/// Every source file under `src/`, relative to it.
fn source_files() -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| f.strip_prefix(&src).unwrap().to_path_buf())
        .collect()
}

/// A file's module path: `store/state/due.rs` is `store::state::due`, `store/state/mod.rs` is
/// `store::state`, `lib.rs` and `main.rs` the crate root.
fn module_path(file: &Path) -> Vec<String> {
    let mut path: Vec<String> = file
        .iter()
        .map(|c| c.to_str().unwrap().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(
        path.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        path.pop();
    }
    path
}

/// The paths a file's code names, each as the crate-absolute list of its segments: `crate::`,
/// `super::` and `self::` paths resolved from the file's module, `use` groups (`a::{b, c::d}`)
/// expanded. Tests and comment lines are left out.
fn named_paths(file: &Path, text: &str) -> Vec<Vec<String>> {
    let module = module_path(file);
    let code: String = text
        .split("#[cfg(test)]")
        .next()
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let starts_path = ["crate::", "super::", "self::"]
            .iter()
            .any(|p| code[at..].starts_with(p))
            && (at == 0 || !(is_ident(bytes[at - 1]) || bytes[at - 1] == b':'));
        if !starts_path {
            at += 1;
            continue;
        }
        // The path's text up to where it ends, taking a brace group whole.
        let mut end = at;
        let mut depth = 0;
        while end < bytes.len() {
            let b = bytes[end];
            match b {
                b'{' => depth += 1,
                b'}' if depth > 0 => depth -= 1,
                _ if depth > 0 => {}
                _ if is_ident(b) || b == b':' => {}
                _ => break,
            }
            end += 1;
        }
        expand(&code[at..end], &[], &module, &mut found);
        at = end.max(at + 1);
    }
    found
}

/// Adds to `found` every path a (possibly grouped) path text names, after `prefix`.
fn expand(text: &str, prefix: &[String], module: &[String], found: &mut Vec<Vec<String>>) {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (head, group) = match text.find('{') {
        Some(open) => (&text[..open], Some(&text[open + 1..text.len() - 1])),
        None => (text.as_str(), None),
    };
    let mut path = prefix.to_vec();
    for segment in head.split("::").filter(|s| !s.is_empty()) {
        match segment {
            "crate" if path.is_empty() => path.push(String::new()),
            "super" | "self" if path.is_empty() => {
                let mut base = module.to_vec();
                if segment == "super" {
                    base.pop();
                }
                path.push(String::new());
                path.extend(base);
            }
            "super" => {
                path.pop();
            }
            _ => path.push(segment.to_owned()),
        }
    }
    match group {
        None => found.push(path.into_iter().filter(|s| !s.is_empty()).collect()),
        Some(group) => {
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices().chain([(group.len(), ',')]) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let item = &group[start..i];
                        if !item.is_empty() && item != "self" {
                            expand(item, &path, module, found);
                        }
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Within each folder of `src/`, its files and sub-folders ("units": `store/state/` counts as
/// one, `state`) import each other without a cycle. A folder's `mod.rs` is its face, not a
/// unit: names it re-exports (`pub use self::views::BackupView`) count as the unit they come
/// from, so a cycle through a re-export is seen too.
#[test]
fn no_files_of_one_module_import_each_other_in_a_cycle() {
    let files = source_files();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut folders: BTreeSet<Vec<String>> = BTreeSet::new();
    for file in &files {
        let mut folder = module_path(file);
        if !file.ends_with("mod.rs") {
            folder.pop();
        }
        if !folder.is_empty() {
            folders.insert(folder);
        }
    }
    let mut cycles = Vec::new();
    for folder in folders {
        let unit_of = |path: &[String]| -> Option<String> {
            (path.len() > folder.len() && path[..folder.len()] == folder[..])
                .then(|| path[folder.len()].clone())
        };
        let units: BTreeSet<String> = files
            .iter()
            .filter_map(|f| unit_of(&module_path(f)))
            .collect();
        // What the folder's face re-exports, by name: the unit it comes from.
        let face = src.join(folder.join("/")).join("mod.rs");
        let face_text = std::fs::read_to_string(&face).unwrap_or_default();
        let mut exported: BTreeMap<String, String> = BTreeMap::new();
        for path in named_paths(face.strip_prefix(&src).unwrap(), &face_text) {
            if let Some(unit) = unit_of(&path)
                && units.contains(&unit)
                && let Some(name) = path.last()
            {
                exported.insert(name.clone(), unit);
            }
        }
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in &files {
            let Some(own) = unit_of(&module_path(file)) else {
                continue;
            };
            let text = std::fs::read_to_string(src.join(file)).unwrap();
            for path in named_paths(file, &text) {
                let Some(named) = unit_of(&path) else {
                    continue;
                };
                let target = if units.contains(&named) {
                    Some(named)
                } else {
                    exported.get(&named).cloned()
                };
                if let Some(target) = target.filter(|t| *t != own) {
                    edges.entry(own.clone()).or_default().insert(target);
                }
            }
        }
        if let Some(cycle) = find_cycle(&edges) {
            cycles.push(format!("{}: {}", folder.join("/"), cycle.join(" -> ")));
        }
    }
    assert!(
        cycles.is_empty(),
        "files that import each other: {cycles:?}"
    );
}

/// A cycle of the graph, as the units along it, if it has one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        unit: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|u| u == unit) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(unit.to_owned());
            return Some(cycle);
        }
        if done.contains(unit) {
            return None;
        }
        stack.push(unit.to_owned());
        for next in edges.get(unit).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(unit.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|unit| visit(unit, edges, &mut Vec::new(), &mut done))
}

/// A file past this many lines holds more than one idea: cut it along a seam (STYLE.md).
const MOST_LINES: usize = 700;

#[test]
fn no_source_file_is_past_seven_hundred_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let long: Vec<String> = source_files()
        .into_iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(src.join(&file))
                .unwrap()
                .lines()
                .count();
            (lines > MOST_LINES).then(|| format!("{} ({lines})", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "files past {MOST_LINES} lines: {long:?}");
}

/// The check above reads paths as Rust resolves them (relative, grouped, `self` in a group)
/// and finds a cycle such as the store once had (`project` and `state` importing each other).
#[test]
fn the_cycle_check_reads_paths_as_rust_resolves_them_and_finds_a_cycle() {
    let project = named_paths(
        Path::new("store/project.rs"),
        "use super::state::Outcome;\nuse super::{BackupView, sharded::Sharded};\n",
    );
    assert_eq!(
        project,
        [
            vec!["store", "state", "Outcome"],
            vec!["store", "BackupView"],
            vec!["store", "sharded", "Sharded"],
        ]
    );
    let due = named_paths(
        Path::new("store/state/due.rs"),
        "use super::super::project::{self, Project};\nlet x = crate::store::views::View;",
    );
    assert_eq!(
        due,
        [
            vec!["store", "project", "Project"],
            vec!["store", "views", "View"]
        ]
    );
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("project".to_owned(), BTreeSet::from(["state".to_owned()])),
        ("state".to_owned(), BTreeSet::from(["project".to_owned()])),
    ]
    .into();
    assert_eq!(
        find_cycle(&edges),
        Some(vec!["project".into(), "state".into(), "project".into()])
    );
}
