//! The command line: `serve`, `admin add-user`, `config example`, `vapid generate`, ...

mod admin;
mod bench;

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
    /// Admin accounts for the admin console (the admin token needs none).
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// Exit 0 when the server configured here answers its health check (for containers).
    Healthcheck {
        #[arg(long, short, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// Fetch a URL once and print the documents Herald would extract, as JSON.
    Fetch {
        url: String,
        /// feed, page or json.
        #[arg(long, default_value = "feed")]
        kind: String,
        /// CSS selector for a page source (default: the main article text).
        #[arg(long)]
        selector: Option<String>,
        /// JSON source: path to the items (`data.items` or `/data/items`).
        #[arg(long, default_value = "")]
        items: String,
        /// JSON source: comma-separated fields holding each item's text.
        #[arg(long, value_delimiter = ',')]
        text: Vec<String>,
        /// JSON source: field holding each item's title.
        #[arg(long)]
        title: Option<String>,
        /// JSON source: field holding each item's link.
        #[arg(long)]
        link: Option<String>,
        #[arg(long, short, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// Run the diff engine over a folder of snapshots; prints one JSON line per file.
    Replay {
        /// The story (TOML: name, keywords, any_keywords, ...).
        #[arg(long, value_name = "STORY.toml")]
        story: PathBuf,
        /// Folder of snapshots (HTML pages, feeds or text), replayed in name order.
        dir: PathBuf,
        /// Thresholds (TOML or JSON); the defaults otherwise.
        #[arg(long, value_name = "FILE")]
        settings: Option<PathBuf>,
        /// Also list every fact found in each file, new or not.
        #[arg(long)]
        explain: bool,
    },
    /// Benchmarks (not part of the test suite).
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
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
        Command::Admin { command } => admin::run(command),
        Command::Bench { command } => bench::run(command),
        Command::Replay {
            story,
            dir,
            settings,
            explain,
        } => {
            use crate::engine::replay;
            let story = replay::load_story(&story)?;
            let thresholds = match settings {
                Some(path) => replay::load_settings(&path)?,
                None => crate::engine::Thresholds::default(),
            };
            let files = replay::snapshot_files(&dir)?;
            for mut line in replay::replay(story, &files, &thresholds)? {
                if !explain {
                    line.found.clear();
                }
                println!("{}", serde_json::to_string(&line)?);
            }
            Ok(())
        }
        Command::Fetch {
            url,
            kind,
            selector,
            items,
            text,
            title,
            link,
            config,
        } => {
            let json = (kind == "json").then_some(crate::domain::JsonFields {
                items,
                text,
                title,
                url: link,
                id: None,
                date: None,
            });
            let request = crate::domain::SourceRequest {
                name: Some("fetch".into()),
                url: Some(url),
                kind: Some(kind),
                schedule: None,
                selector,
                json,
                paused: false,
            };
            let source = request.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
            let config = Config::load(config.as_deref())?;
            let fetcher = crate::sources::Fetcher::new(&config.fetch)?;
            let target = crate::sources::Target {
                url: source.url,
                kind: source.kind,
                selector: source.selector,
                json: source.json,
            };
            let documents = runtime()?.block_on(crate::sources::try_target(&fetcher, &target))?;
            println!("{}", serde_json::to_string_pretty(&documents)?);
            Ok(())
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

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
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
