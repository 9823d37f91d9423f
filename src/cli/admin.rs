//! `herald admin add-user NAME [--reset]` and `herald admin list-users`.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use anyhow::{Context, anyhow, bail};
use clap::Subcommand;

use crate::config::Config;
use crate::domain::{AdminName, NewPassword};
use crate::storage::Storage;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Add an admin account. The password is read from standard input (one line) when it is
    /// not a terminal, and asked for twice, without echo, when it is.
    AddUser {
        /// 1 to 64 letters, digits, '.', '_' or '-'.
        name: String,
        /// Replace the password of an existing account instead (ends its sessions).
        #[arg(long)]
        reset: bool,
        #[arg(long, short, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// List the admin accounts and how many live sessions each has.
    ListUsers {
        #[arg(long, short, value_name = "PATH")]
        config: Option<PathBuf>,
    },
}

pub fn run(command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::AddUser {
            name,
            reset,
            config,
        } => add_user(&name, reset, config),
        AdminCommand::ListUsers { config } => {
            let storage = open(config)?;
            let users = super::runtime()?.block_on(storage.list_admin_users())?;
            for user in users {
                let created = chrono::DateTime::from_timestamp_millis(user.created_at)
                    .unwrap_or_default()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                println!(
                    "{}\tcreated {created}\t{} sessions",
                    user.name, user.sessions
                );
            }
            Ok(())
        }
    }
}

fn add_user(name: &str, reset: bool, config: Option<PathBuf>) -> anyhow::Result<()> {
    let name = AdminName::parse(name).map_err(|e| anyhow!("invalid user name {name:?}: {e}"))?;
    let storage = open(config)?;
    let runtime = super::runtime()?;
    // Checked before asking for a password, and again when storing it.
    let exists = runtime
        .block_on(storage.admin_credentials(name.as_str().to_owned()))?
        .is_some();
    match (exists, reset) {
        (true, false) => bail!("admin user {name} exists; use --reset to replace its password"),
        (false, true) => bail!("there is no admin user {name} to reset"),
        _ => {}
    }
    let password = read_password()?;
    runtime.block_on(crate::accounts::add_user(&storage, &name, &password, reset))?;
    if reset {
        println!("Replaced the password of admin user {name}; its sessions are ended.");
    } else {
        println!("Added admin user {name}.");
    }
    Ok(())
}

fn open(config: Option<PathBuf>) -> anyhow::Result<Storage> {
    let config = Config::load(config.as_deref())?;
    Storage::open(&config.database_path())
        .with_context(|| format!("cannot open the database in {}", config.data_dir.display()))
}

/// One line from standard input, or two matching entries at a terminal, checked by the rules.
fn read_password() -> anyhow::Result<NewPassword> {
    let invalid = |e: crate::domain::Invalid| anyhow!("{e}");
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        return NewPassword::parse(line.to_owned()).map_err(invalid);
    }
    let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
    let password = NewPassword::parse(first).map_err(invalid)?;
    let again =
        rpassword::prompt_password("Repeat the password: ").context("cannot read the password")?;
    if again != password.expose() {
        bail!("the two passwords differ");
    }
    Ok(password)
}
