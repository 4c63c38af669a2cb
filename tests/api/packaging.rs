//! The Dockerfile, its build script, the manifest and the README agree with the binary and the
//! lock: port, environment variables, paths, the Rust version and the architecture.

use taurusdb_emulator::config::DEFAULT_PORT;

const DOCKERFILE: &str = include_str!("../../Dockerfile");
const README: &str = include_str!("../../README.md");
const CARGO_TOML: &str = include_str!("../../Cargo.toml");
const DOCKERIGNORE: &str = include_str!("../../.dockerignore");
const STATIC_BUILD: &str = include_str!("../../scripts/static-build");
const BINARY: &str = env!("CARGO_BIN_EXE_taurusdb-emulator");

#[test]
fn the_image_exposes_and_listens_on_the_documented_default_port() {
    assert!(DOCKERFILE.contains(&format!("EXPOSE {DEFAULT_PORT}")));
    assert!(DOCKERFILE.contains(&format!("TAURUSDB_EMULATOR_PORT={DEFAULT_PORT}")));
    assert!(DOCKERFILE.contains("TAURUSDB_EMULATOR_HOST=0.0.0.0"));
    assert!(README.contains(&format!("http://127.0.0.1:{DEFAULT_PORT}")));
    assert!(README.contains(&format!("-p {DEFAULT_PORT}:{DEFAULT_PORT}")));
    assert!(README.contains(&format!(
        "| `--port` | `TAURUSDB_EMULATOR_PORT` | `{DEFAULT_PORT}` |"
    )));
}

#[test]
fn the_image_runs_the_binary_and_its_healthcheck_where_it_copies_it() {
    assert!(DOCKERFILE.contains("RUN scripts/static-build --out /taurusdb-emulator"));
    assert!(DOCKERFILE.contains("COPY --from=build /taurusdb-emulator /taurusdb-emulator"));
    assert!(
        STATIC_BUILD.contains("+crt-static"),
        "the build script links statically"
    );
    assert!(DOCKERFILE.contains(r#"ENTRYPOINT ["/taurusdb-emulator"]"#));
    assert!(DOCKERFILE.contains(r#"CMD ["/taurusdb-emulator", "healthcheck"]"#));
    assert!(DOCKERFILE.contains("USER 65534:65534"), "not root");
}

/// `major.minor` of a Rust version such as `1.89.0` or `1.95`.
fn minor_version(v: &str) -> (u32, u32) {
    let mut parts = v.trim().split('.').map(|p| p.parse::<u32>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap_or(0))
}

/// The Rust version the Dockerfile's build stage uses (`FROM rust:1.95-bookworm`).
fn image_rust_version() -> (u32, u32) {
    let from = DOCKERFILE
        .lines()
        .find_map(|l| l.strip_prefix("FROM rust:"))
        .expect("the build stage starts FROM rust:VERSION");
    minor_version(from.split(['-', ' ']).next().unwrap())
}

/// The `rust-version` Cargo.toml declares.
fn declared_rust_version() -> (u32, u32) {
    let line = CARGO_TOML
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .expect("Cargo.toml declares a rust-version");
    minor_version(line.trim_matches('"'))
}

#[test]
fn the_image_the_manifest_and_the_readme_name_one_rust_version() {
    let (major, minor) = declared_rust_version();
    assert_eq!(image_rust_version(), (major, minor));
    let readme = README.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        readme.contains(&format!("Building needs Rust {major}.{minor} or newer")),
        "the README states the Rust version building needs"
    );
    assert!(readme.contains("cargo install --locked --path ."));
    assert!(!README.contains("cargo install --path"));
}

#[test]
fn no_locked_dependency_needs_a_newer_rust_than_the_image_and_the_manifest_declare() {
    // Every package of the lock, for every platform: what `docker build` on any host compiles
    // is a subset of these.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--locked", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    assert!(packages.len() > 50, "the whole lock is resolved");
    let image = image_rust_version();
    let declared = declared_rust_version();
    let too_new: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let needs = minor_version(p["rust_version"].as_str()?);
            (needs > image || needs > declared)
                .then(|| format!("{} {} needs Rust {needs:?}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        too_new.is_empty(),
        "the image has Rust {image:?} and Cargo.toml declares {declared:?}, but {too_new:?}"
    );
}

#[test]
fn the_image_builds_for_the_builders_own_architecture() {
    let instructions: Vec<&str> = DOCKERFILE
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    for arch in ["x86_64", "aarch64", "amd64", "arm64"] {
        assert!(
            !instructions.iter().any(|l| l.contains(arch)),
            "the Dockerfile builds for {arch} only"
        );
    }
    // The build script takes its target from the compiler's own host (amd64 and arm64 builders
    // alike) and refuses anything but a linux-gnu one, whose static-pie build it knows.
    assert!(STATIC_BUILD.contains("target=$(rustc -vV | sed -n 's/^host: //p')"));
    assert!(STATIC_BUILD.contains("--target \"$target\""));
}

/// What the build stage copies from the context (the sources of its `COPY` lines).
fn build_context_copies() -> Vec<&'static str> {
    DOCKERFILE
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .filter(|l| !l.starts_with("--from"))
        .flat_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words[..words.len() - 1].to_vec()
        })
        .collect()
}

#[test]
fn every_file_the_binary_includes_is_in_what_the_build_stage_copies() {
    // `include_str!` reads files at compile time: one outside the copied paths builds here
    // and fails in `docker build`. Test modules may include test data; they are not built.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let copied = build_context_copies();
    let mut files = vec![root.join("src")];
    let mut included = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let pieces = ["include_str!(\"", "include_bytes!(\""]
            .into_iter()
            .flat_map(|mark| code.split(mark).skip(1));
        for piece in pieces {
            let Some(relative) = piece.split('"').next() else {
                continue;
            };
            let target = path
                .parent()
                .unwrap()
                .join(relative)
                .canonicalize()
                .unwrap();
            let inside = target.strip_prefix(root.canonicalize().unwrap()).unwrap();
            let inside = inside.to_str().unwrap();
            assert!(
                copied
                    .iter()
                    .any(|c| inside == *c || inside.starts_with(&format!("{c}/"))),
                "{} includes {inside}, which the Dockerfile does not copy",
                path.display()
            );
            included += 1;
        }
    }
    assert!(
        included >= 3,
        "the fixtures, the OpenAPI document and the dashboard are included"
    );
}

#[test]
fn the_docker_context_holds_only_what_the_build_stage_copies() {
    let rules: Vec<&str> = DOCKERIGNORE
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(rules.first(), Some(&"*"), "everything is ignored first");
    let kept: Vec<&str> = rules[1..]
        .iter()
        .map(|r| r.strip_prefix('!').expect("then only exceptions"))
        .map(|r| r.trim_end_matches('/'))
        .collect();
    let copied = build_context_copies();
    let mut kept_sorted = kept.clone();
    kept_sorted.sort_unstable();
    let mut copied_sorted = copied.clone();
    copied_sorted.sort_unstable();
    assert_eq!(kept_sorted, copied_sorted);
}

#[test]
fn help_points_to_the_dashboard_the_control_api_and_the_docs_and_explains_strict_auth() {
    let help = std::process::Command::new(BINARY)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for needle in [
        "/_emulator/ui",
        "/_emulator/openapi.json",
        "control API",
        "docs/guide.md",
        "tokens issued by the emulator's IAM",
        "AK/SK signatures verified",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}");
    }
}

#[test]
fn every_environment_variable_the_binary_reads_is_documented_and_every_documented_one_is_read() {
    let help = std::process::Command::new(BINARY)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let read: std::collections::BTreeSet<&str> = help
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("TAURUSDB_EMULATOR_"))
        .collect();
    assert!(read.len() >= 15, "{read:?}");
    for var in &read {
        assert!(
            README.contains(&format!("`{var}`")),
            "{var} is not in the README's option table"
        );
    }
    let documented: std::collections::BTreeSet<&str> = README
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("TAURUSDB_EMULATOR_"))
        // What the helpers read, and `env` prints, for clients: not the binary's settings.
        .filter(|w| {
            ![
                "TAURUSDB_EMULATOR_BIN",
                "TAURUSDB_EMULATOR_URL",
                "TAURUSDB_EMULATOR_TOKEN",
                "TAURUSDB_EMULATOR_INSTANCE_ID",
                "TAURUSDB_EMULATOR_CA",
            ]
            .contains(w)
        })
        .collect();
    let unknown: Vec<_> = documented.difference(&read).collect();
    assert!(unknown.is_empty(), "documented but not read: {unknown:?}");
    for line in DOCKERFILE
        .lines()
        .filter(|l| l.contains("TAURUSDB_EMULATOR_"))
    {
        for var in line
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.starts_with("TAURUSDB_EMULATOR_"))
        {
            assert!(
                read.contains(var),
                "the Dockerfile sets {var}, which the binary does not read"
            );
        }
    }
}

#[test]
fn the_readme_states_each_benchmark_target_as_the_last_run_recorded_it() {
    const BENCHMARKS: &str = include_str!("../../docs/benchmarks.md");
    let performance = README
        .split("## Performance")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a performance section");
    let mut targets = 0;
    for row in BENCHMARKS.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        let [target, measured, result] = cells[..] else {
            continue;
        };
        let result = result.trim_matches('*');
        if result != "met" && result != "missed" {
            continue;
        }
        let figure = measured
            .split("**")
            .nth(1)
            .unwrap_or_else(|| measured.split(" (").next().unwrap());
        let line = format!("- {target}: {figure} — {result}");
        assert!(
            performance.contains(&line),
            "the README's performance section lacks {line:?}"
        );
        targets += 1;
    }
    assert!(targets >= 5, "the benchmark table has its targets");
}

#[test]
fn the_readmes_python_example_is_the_first_test_of_the_example_suite() {
    const EXAMPLE: &str = include_str!("../../python/example/test_backups.py");
    let shown = README
        .split("## Python")
        .nth(1)
        .and_then(|s| s.split("```python\n").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("a Python example in the README");
    assert!(shown.starts_with("def test_"), "{shown}");
    assert!(
        EXAMPLE.contains(shown),
        "the README's example is not in python/example"
    );
}

#[test]
fn the_python_package_takes_its_version_from_the_manifest() {
    const PYPROJECT: &str = include_str!("../../pyproject.toml");
    assert!(PYPROJECT.contains("dynamic = [\"version\"]"));
    assert!(PYPROJECT.contains("bindings = \"bin\""));
    assert!(PYPROJECT.contains("taurusdb_emulator = \"taurusdb_emulator.plugin\""));
}

/// The fenced blocks of one language in a Markdown text, in order.
fn code_blocks<'a>(markdown: &'a str, language: &str) -> Vec<&'a str> {
    let fence = format!("```{language}\n");
    markdown
        .split(fence.as_str())
        .skip(1)
        .filter_map(|s| s.split("```").next())
        .collect()
}

#[test]
fn the_readmes_go_and_java_snippets_are_the_ones_the_contract_tests_compile_and_run() {
    const GO: &str = include_str!("../go/readme_test.go");
    const JAVA: &str = include_str!("../java/src/test/java/taurusdb/ReadmeExample.java");
    const GO_HELPER: &str = include_str!("../../go/taurusdbemulator/readme_test.go");
    const JUNIT: &str = include_str!(
        "../../java/taurusdb-emulator-junit5/src/test/java/io/github/taurusdbemulator/junit/NightlyBackupTest.java"
    );
    let go = code_blocks(README, "go");
    assert_eq!(go.len(), 3, "a snippet per Go SDK, and the helper's");
    for snippet in &go[..2] {
        assert!(
            GO.contains(snippet),
            "not in tests/go/readme_test.go:\n{snippet}"
        );
    }
    assert!(
        GO_HELPER.contains(go[2]),
        "not in go/taurusdbemulator/readme_test.go:\n{}",
        go[2]
    );
    let java = code_blocks(README, "java");
    assert_eq!(java.len(), 2, "the SDK's Java snippet, and the extension's");
    assert!(
        JAVA.contains(java[0]),
        "not in ReadmeExample.java:\n{}",
        java[0]
    );
    assert!(
        JUNIT.contains(java[1]),
        "not in NightlyBackupTest.java:\n{}",
        java[1]
    );
}

#[test]
fn the_readme_and_the_ci_recipe_show_one_terraform_configuration() {
    const RECIPES: &str = include_str!("../../docs/ci-recipes.md");
    let readme = code_blocks(README, "hcl");
    assert_eq!(readme.len(), 1);
    assert_eq!(code_blocks(RECIPES, "hcl"), readme);
}
