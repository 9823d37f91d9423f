//! The command line: `serve`, `config example`, `vapid generate`.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::app::Application;
use crate::config::{self, Config};
use crate::vapid::VapidKeys;

/// Herald: one push notification when a real detail of a breaking story changes.
#[derive(Debug, Parser)]
#[command(name = "herald", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (defaults: 127.0.0.1:8080, data in ./data).
    Serve {
        /// TOML configuration file; environment variables override it.
        #[arg(long, short, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// Exit 0 when the server configured here answers its health check (for containers).
    Healthcheck {
        #[arg(long, short, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// VAPID key helpers.
    Vapid {
        #[command(subcommand)]
        command: VapidCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print the fully commented example configuration.
    Example,
}

#[derive(Debug, Subcommand)]
enum VapidCommand {
    /// Print a fresh VAPID key pair.
    Generate,
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { config } => serve(config),
        Command::Healthcheck { config } => {
            let config = Config::load(config.as_deref())?;
            runtime()?.block_on(crate::healthcheck::check(config.listen))
        }
        Command::Config {
            command: ConfigCommand::Example,
        } => {
            print!("{}", config::EXAMPLE);
            Ok(())
        }
        Command::Vapid {
            command: VapidCommand::Generate,
        } => {
            let keys = VapidKeys::generate();
            println!("# Put the private key in the [push] section or in HERALD_VAPID_PRIVATE_KEY.");
            println!("vapid_private_key = \"{}\"", keys.private_key());
            println!("# Public key (applicationServerKey): {}", keys.public_key());
            Ok(())
        }
    }
}

fn serve(config_path: Option<PathBuf>) -> anyhow::Result<()> {
    let config = Config::load(config_path.as_deref())?;
    init_logging(&config.log)?;
    runtime()?.block_on(async {
        let mut app = Application::build(config).await?;
        if let Some(token) = app.take_new_admin_token() {
            // Printed, not logged: logs must never hold tokens. Shown on this first start only.
            eprintln!(
                "\nAdmin token (shown once; set HERALD_ADMIN_TOKEN to choose your own):\n  {}\n",
                token.expose()
            );
        }
        app.run_until(crate::shutdown::signal()).await
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn init_logging(filter: &str) -> anyhow::Result<()> {
    let filter =
        EnvFilter::try_new(filter).with_context(|| format!("invalid log filter {filter:?}"))?;
    let ansi = std::io::stdout().is_terminal();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .init();
    Ok(())
}
