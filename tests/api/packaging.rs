//! The Dockerfile and the README agree with the binary: port, environment variables, paths.

use taurusdb_emulator::config::DEFAULT_PORT;

const DOCKERFILE: &str = include_str!("../../Dockerfile");
const README: &str = include_str!("../../README.md");
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
    assert!(DOCKERFILE.contains(
        "cp target/x86_64-unknown-linux-gnu/release/taurusdb-emulator /taurusdb-emulator"
    ));
    assert!(DOCKERFILE.contains("COPY --from=build /taurusdb-emulator /taurusdb-emulator"));
    assert!(
        DOCKERFILE.contains(r#"RUSTFLAGS="-C target-feature=+crt-static""#),
        "statically linked"
    );
    assert!(DOCKERFILE.contains(r#"ENTRYPOINT ["/taurusdb-emulator"]"#));
    assert!(DOCKERFILE.contains(r#"CMD ["/taurusdb-emulator", "healthcheck"]"#));
    assert!(DOCKERFILE.contains("USER 65534:65534"), "not root");
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
        .filter(|w| w.starts_with("TAURUSDB_EMULATOR_") && *w != "TAURUSDB_EMULATOR_BIN")
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
