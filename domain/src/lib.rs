//! The product's rules, with no UI or HTTP framework in sight.
//!
//! Every function takes the database connection, the time (`now`) and whatever else it needs
//! as parameters, so each rule is tested without a browser, a web server or a sleeping clock.
//!
//! Invariants:
//! - **Every query of school data is scoped by a school id that the caller took from the
//!   session** (an [`access::Actor`]), never from a request body.
//! - **Secrets (passwords, tokens) have types that implement neither `Debug` nor
//!   `Serialize`**; only their hashes reach the database.
//! - Entities are crate-private; callers see view types without hashes.

pub mod access;
pub mod accounts;
pub mod api_tokens;
pub mod archive;
pub mod auth;
pub mod crypto;
mod entity;
pub mod error;
pub mod invitations;
pub mod mail;
pub mod outbox;
pub mod password;
pub mod routes;
pub mod schools;
pub mod secret;
pub mod sending_settings;
pub mod sessions;
pub mod smtp;
pub mod staff;
pub mod throttle;
pub mod validate;

pub use error::{CodeRefusal, Error, Invalid, Result};
pub use sea_orm::{DatabaseConnection, DbErr};

/// The time a rule runs at, always passed in by the caller.
pub type Now = chrono::DateTime<chrono::Utc>;

/// Connects to `url` (SQLite or PostgreSQL) with a pool sized for this server. On
/// PostgreSQL every connection gets a lock timeout and a statement timeout: a request may
/// fail, but never waits forever (SQLite's busy timeout plays that part there).
///
/// SQLite runs in WAL mode with `synchronous=FULL`: every commit is still on disk before
/// it returns (an outbox row is durable when the user hears "queued"), but a commit costs
/// one fsync instead of the rollback journal's several, and pages read while a worker
/// writes.
pub async fn connect(url: &str) -> Result<DatabaseConnection> {
    let url = with_postgres_timeouts(url);
    let mut options = sea_orm::ConnectOptions::new(url.clone());
    options
        .max_connections(if url.starts_with("sqlite") { 4 } else { 16 })
        .connect_timeout(std::time::Duration::from_secs(5))
        .acquire_timeout(std::time::Duration::from_secs(5))
        // A connection in use moments ago is not pinged again before each statement (a
        // round trip that doubled the cost of the outbox's per-message queries); one idle
        // for a while is, so a restarted PostgreSQL still costs no failed request.
        .test_before_acquire_if_idle_for(std::time::Duration::from_secs(5))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
        });
    Ok(sea_orm::Database::connect(options).await?)
}

fn with_postgres_timeouts(url: &str) -> String {
    let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
    if !postgres || url.contains("options=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20lock_timeout%3D10s%20-c%20statement_timeout%3D30s")
}

#[cfg(test)]
mod tests {
    #[test]
    fn postgres_urls_get_timeouts_and_others_are_left_alone() {
        assert_eq!(
            super::with_postgres_timeouts("postgres://u@h/db"),
            "postgres://u@h/db?options=-c%20lock_timeout%3D10s%20-c%20statement_timeout%3D30s"
        );
        assert!(
            super::with_postgres_timeouts("postgres://u@h/db?sslmode=disable")
                .contains("&options=")
        );
        assert_eq!(
            super::with_postgres_timeouts("sqlite://x.sqlite?mode=rwc"),
            "sqlite://x.sqlite?mode=rwc"
        );
    }
}
