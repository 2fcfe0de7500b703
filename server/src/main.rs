//! `coffer`: the server binary. `coffer serve` runs Coffer.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use coffer_core::Config;

#[derive(Parser)]
#[command(
    name = "coffer",
    version,
    about = "Coffer: end-to-end-encrypted file keeping and sharing for organisations"
)]
struct Cli {
    /// Configuration file (TOML). Environment variables COFFER_<KEY> override it.
    #[arg(long, global = true, env = "COFFER_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server and print its URL.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long)]
        bind: Option<String>,
        /// Folder for the database, blobs, outbox and server secret.
        #[arg(long)]
        data_dir: Option<String>,
        /// sqlite://… or postgres://… (default: SQLite in the data folder).
        #[arg(long)]
        database_url: Option<String>,
        /// The URL browsers use to reach Coffer (default: http://<bind>).
        #[arg(long)]
        public_url: Option<String>,
        /// Folder with the built browser app.
        #[arg(long)]
        site_dir: Option<String>,
    },
    /// Administration from the command line, as the instance administrator
    /// (PLT-3). Uses the same settings as `serve` to find the database.
    Admin {
        #[command(subcommand)]
        command: coffer_server::admin::AdminCommand,
    },
}

fn main() -> ExitCode {
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("COFFER_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_writer(std::io::stderr);
    // PLT-7: one JSON object per line for log collectors.
    if std::env::var("COFFER_LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("coffer: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli));
    // Work still running on blocking threads (a long import parse, say) must
    // not hold the process up once the server has stopped.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("coffer: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// After a stop signal, requests in flight get this long to finish; then the
/// server stops regardless, so a stuck request cannot keep it running.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.config.as_deref(), |k| std::env::var(k).ok())?;
    match cli.command {
        Command::Serve {
            bind,
            data_dir,
            database_url,
            public_url,
            site_dir,
        } => {
            for (key, value) in [
                ("bind", bind),
                ("data_dir", data_dir),
                ("database_url", database_url),
                ("public_url", public_url),
                ("site_dir", site_dir),
            ] {
                if let Some(v) = value {
                    config.set(key, &v)?;
                }
            }
            let running = coffer_server::start(config).await?;
            // Whoever started the server may stop reading its output: a
            // closed stdout must not bring the server down.
            let mut out = std::io::stdout();
            let _ = writeln!(out, "Coffer is running at {}", running.url);
            if let Some(code) = running.coffer.setup_code() {
                let _ = writeln!(
                    out,
                    "Setup code: {code} (the setup page asks for it to create the instance administrator)"
                );
            }
            let _ = out.flush();
            let mut task = running.task;
            tokio::select! {
                served = &mut task => served??,
                _ = shutdown_signal() => {
                    tracing::info!("stopping: finishing requests in flight");
                    let _ = running.shutdown.send(());
                    match tokio::time::timeout(SHUTDOWN_GRACE, &mut task).await {
                        Ok(served) => served??,
                        Err(_) => {
                            tracing::warn!(
                                grace_seconds = SHUTDOWN_GRACE.as_secs(),
                                "requests still running after the grace period were cut off"
                            );
                            task.abort();
                        }
                    }
                }
            }
            Ok(())
        }
        Command::Admin { command } => match coffer_server::admin::run(config, command).await? {
            coffer_server::admin::Finished::Ok => Ok(()),
            coffer_server::admin::Finished::RowsFailed => std::process::exit(2),
            coffer_server::admin::Finished::Differences => std::process::exit(1),
        },
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
