//! The axum server: configuration, state, router, middleware and the operator's command
//! line. `main.rs` only parses arguments and calls into here, so integration tests drive
//! the very same router.

pub mod cli;
pub mod config;
pub mod handlers;
pub mod middleware;
pub mod outbox;
pub mod router;
pub mod serve;
pub mod state;

/// What the server logs unless `RUST_LOG` says otherwise. sqlx and sea-orm stay at `warn`:
/// at `debug` they print SQL with its bound values (addresses, hashes).
pub const DEFAULT_LOG_FILTER: &str = "info,sqlx=warn,sea_orm=warn";

/// Start-up and command-line failures: a sentence for the operator, printed as is.
pub type StartupResult<T> = Result<T, String>;

/// Opens the database and brings its schema up to date.
pub async fn open_database(url: &str) -> Result<domain::DatabaseConnection, domain::Error> {
    use migration::MigratorTrait as _;
    let db = domain::connect(url).await?;
    migration::Migrator::up(&db, None).await?;
    Ok(db)
}
