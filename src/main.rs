//! The `taurusdb-emulator` binary: read the settings, bind, print the bound address, serve
//! until SIGTERM or Ctrl-C.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use taurusdb_emulator::config::{Command, Config, LogFormat};
use taurusdb_emulator::{healthcheck, persist};

fn main() -> ExitCode {
    // Before the runtime or anything that hashes, which need randomness too and would panic
    // without a word of why.
    if let Err(problem) = taurusdb_emulator::domain::random_seed() {
        eprintln!("taurusdb-emulator: {problem}");
        return ExitCode::from(2);
    }
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("taurusdb-emulator: cannot start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let config = Config::parse();
    if let Err(problem) = init_logging(&config) {
        eprintln!("taurusdb-emulator: {problem}");
        return ExitCode::from(2);
    }
    if let Some(Command::Healthcheck { url, ca }) = &config.command {
        let tls = config.tls || config.tls_cert.is_some();
        let url = url
            .clone()
            .unwrap_or_else(|| healthcheck::default_url(config.port, tls));
        let ca_path = ca
            .as_ref()
            .or(config.tls_ca_out.as_ref())
            .or(config.tls_cert.as_ref());
        let ca = match ca_path.map(std::fs::read).transpose() {
            Ok(ca) => ca,
            Err(e) => {
                eprintln!(
                    "taurusdb-emulator healthcheck: cannot read the certificate {}: {e}",
                    ca_path.map(|p| p.display().to_string()).unwrap_or_default()
                );
                return ExitCode::FAILURE;
            }
        };
        return match healthcheck::check(&url, ca.as_deref()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(problem) => {
                eprintln!("taurusdb-emulator healthcheck: {problem}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(Command::Env {
        url,
        format,
        project,
    }) = &config.command
    {
        return print_env(&config, url.as_deref(), format, project.as_deref());
    }
    let emulator = match taurusdb_emulator::from_config(&config) {
        Ok(emulator) => emulator,
        Err(problem) => {
            eprintln!("taurusdb-emulator: {problem}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind((config.host.as_str(), config.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "taurusdb-emulator: cannot listen on {}:{}: {e}",
                config.host, config.port
            );
            return ExitCode::FAILURE;
        }
    };
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("taurusdb-emulator: cannot read the bound address: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Listen for signals before announcing the address, so that a harness that stops the
    // emulator right after reading the line gets a graceful exit.
    let shutdown = match shutdown_signal() {
        Ok(shutdown) => shutdown,
        Err(e) => {
            eprintln!("taurusdb-emulator: cannot listen for signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    let persistence = match config.state_file.as_deref().map(persist::Persistence::open) {
        None => None,
        Some(Ok(persistence)) => Some(persistence),
        Some(Err(problem)) => {
            eprintln!("taurusdb-emulator: {problem}");
            return ExitCode::from(2);
        }
    };
    let scheme = if emulator.settings.tls.is_some() {
        "https"
    } else {
        "http"
    };
    println!("taurusdb-emulator listening on {scheme}://{addr}");
    let _ = std::io::stdout().flush();
    tracing::info!(%addr, "listening");
    let state_file = persistence.as_ref().map(persist::Persistence::path);
    // The last save decides the exit code: a stop that loses data must not look clean.
    match taurusdb_emulator::run(listener, emulator.clone(), state_file, shutdown).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!(
                "taurusdb-emulator: {}",
                emulator.save_failure.lock().clone().unwrap_or_default()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("taurusdb-emulator: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Log lines go to standard error, so that standard output holds only the startup line.
fn init_logging(config: &Config) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_level)
        .map_err(|e| format!("--log-level {:?}: {e}", config.log_level))?;
    // Colours only for a person at a terminal: a file, a pipe or a CI log gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    Ok(())
}

/// A future that resolves on Ctrl-C (SIGINT) or SIGTERM; the handlers are installed at once.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// `taurusdb-emulator env`: the settings each client needs, from the fixtures the options
/// name, for the emulator at `url` (else the one the options describe on this host).
fn print_env(config: &Config, url: Option<&str>, format: &str, project: Option<&str>) -> ExitCode {
    use taurusdb_emulator::client_env::{ClientEnv, EnvFormat};
    let fixtures = match &config.fixtures {
        None => taurusdb_emulator::fixtures::Fixtures::builtin(),
        Some(path) => match taurusdb_emulator::fixtures::Fixtures::load(path) {
            Ok(fixtures) => fixtures,
            Err(problem) => {
                eprintln!("taurusdb-emulator env: {problem}");
                return ExitCode::from(2);
            }
        },
    };
    let tls = config.tls || config.tls_cert.is_some();
    let url = url.map_or_else(
        || {
            let scheme = if tls { "https" } else { "http" };
            format!("{scheme}://127.0.0.1:{}", config.port)
        },
        str::to_owned,
    );
    let Some(format) = EnvFormat::parse(format) else {
        eprintln!(
            "taurusdb-emulator env: --format is one of {}",
            EnvFormat::NAMES.join(", ")
        );
        return ExitCode::from(2);
    };
    match ClientEnv::new(&fixtures, project, &url) {
        Ok(env) => {
            print!("{}", env.render(format));
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("taurusdb-emulator env: {problem}");
            ExitCode::from(2)
        }
    }
}
