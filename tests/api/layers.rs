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
