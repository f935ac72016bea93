//! The operator's command line: `server [serve]`, `server create-school`, `server
//! list-schools`, `server migrate`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

use crate::StartupResult;
use crate::config::Config;
use crate::serve::redact;
use crate::state::mailer_from;

#[derive(Parser)]
#[command(name = "server", about = "École Courriel: e-mail sending for schools")]
pub struct Cli {
    /// TOML configuration file (settings may also come from ECOLE_* variables).
    #[arg(long, env = "ECOLE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create a school and its first administrator, and send them an invitation.
    CreateSchool {
        /// The school's name, e.g. "Collège Jean Moulin".
        #[arg(long)]
        name: String,
        /// The first administrator's e-mail address.
        #[arg(long)]
        admin_email: String,
        /// The first administrator's full name.
        #[arg(long)]
        admin_name: String,
    },
    /// List the schools hosted here.
    ListSchools,
    /// Re-seal every stored secret under the current master key (after adding a new
    /// `master_key` and moving the old one to `previous_master_keys`).
    RotateMasterKey,
}

pub async fn run(cli: Cli) -> StartupResult<()> {
    let config = Config::load(cli.config.as_deref(), |k| std::env::var(k).ok())
        .map_err(|e| e.to_string())?;
    // The SQLite file and the mail drop live here; SQLite creates a file, not its folder.
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        format!(
            "cannot create the data folder {}: {e}",
            config.data_dir.display()
        )
    })?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => crate::serve::run(config).await,
        Command::Migrate => {
            open(&config).await?;
            println!("Base de données à jour / database up to date.");
            Ok(())
        }
        Command::CreateSchool {
            name,
            admin_email,
            admin_name,
        } => create_school(&config, &name, &admin_email, &admin_name).await,
        Command::ListSchools => list_schools(&config).await,
        Command::RotateMasterKey => {
            let db = open(&config).await?;
            let keys = config.master_keys().map_err(|e| e.to_string())?;
            let (school_rewrapped, school_total) = domain::sending_settings::rewrap_all(&db, &keys)
                .await
                .map_err(|e| e.to_string())?;
            let (account_rewrapped, account_total) =
                domain::accounts::sending::rewrap_all(&db, &keys)
                    .await
                    .map_err(|e| e.to_string())?;
            let (rewrapped, total) = (
                school_rewrapped + account_rewrapped,
                school_total + account_total,
            );
            println!(
                "{rewrapped} secret(s) re-sealed under key {} ({total} stored) / re-sealed under the current key.",
                keys.current_id()
            );
            Ok(())
        }
    }
}

async fn open(config: &Config) -> StartupResult<domain::DatabaseConnection> {
    crate::open_database(&config.database_url)
        .await
        .map_err(|e| format!("database {}: {e}", redact(&config.database_url)))
}

async fn create_school(
    config: &Config,
    name: &str,
    admin_email: &str,
    admin_name: &str,
) -> StartupResult<()> {
    let db = open(config).await?;
    let created =
        domain::schools::create_with_admin(&db, name, admin_email, admin_name, chrono::Utc::now())
            .await
            .map_err(|e| format!("cannot create the school: {e}"))?;
    let mailer = mailer_from(config);
    let admin_email = domain::validate::email(admin_email).map_err(|e| e.to_string())?;
    let link = domain::invitations::send(
        &mailer,
        &config.sender_address,
        &config.public_url,
        &created.school.name,
        admin_name.trim(),
        &admin_email,
        created.invitation.as_ref(),
    )
    .await;
    println!(
        "Établissement créé / school created: {} (id {}, {})",
        created.school.name, created.school.id, created.school.slug
    );
    match link {
        Ok(link) => {
            println!(
                "Invitation envoyée / invitation sent ({}).",
                mailer.describe()
            );
            println!("Lien d'invitation / invitation link: {link}");
        }
        Err(e) => {
            // The school exists; say so, and how to reach the administrator anyway.
            println!("L'e-mail d'invitation n'a pas pu partir / the invitation e-mail failed: {e}");
            if let Some(issued) = &created.invitation {
                println!(
                    "Lien d'invitation / invitation link: {}/invitation/{}",
                    config.public_url,
                    issued.token.expose()
                );
            }
        }
    }
    Ok(())
}

async fn list_schools(config: &Config) -> StartupResult<()> {
    let db = open(config).await?;
    let schools = domain::schools::list(&db)
        .await
        .map_err(|e| e.to_string())?;
    if schools.is_empty() {
        println!(
            "Aucun établissement / no school yet. Créez-en un / create one: server create-school --name … --admin-email … --admin-name …"
        );
    }
    for s in schools {
        println!(
            "{:>5}  {:<40}  {:<30}  {} membre(s)",
            s.school.id, s.school.name, s.school.slug, s.members
        );
    }
    Ok(())
}
