//! The `taurusdb-emulator` binary: read the settings, bind, print the bound address, serve
//! until SIGTERM or Ctrl-C.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use taurusdb_emulator::Emulator;
use taurusdb_emulator::config::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    let emulator = match Emulator::from_config(&config) {
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
    println!("taurusdb-emulator listening on http://{addr}");
    let _ = std::io::stdout().flush();
    match taurusdb_emulator::serve(listener, emulator, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("taurusdb-emulator: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
