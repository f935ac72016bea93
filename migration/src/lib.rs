//! Database schema migrations, applied at server start (and by the `migrate` subcommand).
//!
//! Every migration runs on SQLite and PostgreSQL alike: timestamps are stored as Unix
//! seconds (`BIGINT`) so comparisons mean the same on both, and identifiers are
//! auto-incremented integers that are only ever looked up together with their school.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_schools_and_people;
mod m20261121_000002_sending_settings;
mod m20261121_000003_accounts;
mod m20261121_000004_archive_keys_and_authorisations;
mod m20261121_000005_outbox_archive_and_api_tokens;
mod m20261201_000006_fair_paced_outbox;

/// Applies this crate's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_schools_and_people::Migration),
            Box::new(m20261121_000002_sending_settings::Migration),
            Box::new(m20261121_000003_accounts::Migration),
            Box::new(m20261121_000004_archive_keys_and_authorisations::Migration),
            Box::new(m20261121_000005_outbox_archive_and_api_tokens::Migration),
            Box::new(m20261201_000006_fair_paced_outbox::Migration),
        ]
    }
}
