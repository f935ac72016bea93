//! Test databases. [`databases`] gives every test a fresh, migrated SQLite database and, when
//! `TEST_DATABASE_URL` points at a PostgreSQL server, a fresh PostgreSQL database too, so
//! the same test body proves the rule on both. Dropped by [`TestDb::drop_database`].

pub mod fixtures;
pub mod lax_smtp;
pub mod smtp;

use migration::MigratorTrait as _;
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub struct TestDb {
    pub db: DatabaseConnection,
    /// "sqlite" or "postgres", for assertion messages.
    pub backend: &'static str,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

pub(crate) fn unique_suffix() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("OS random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh migrated SQLite database in a temporary file.
pub async fn sqlite() -> TestDb {
    let path = std::env::temp_dir().join(format!("ecole-test-{}.sqlite", unique_suffix()));
    let db = domain::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .expect("sqlite");
    migration::Migrator::up(&db, None)
        .await
        .expect("migrations (sqlite)");
    TestDb {
        db,
        backend: "sqlite",
        cleanup: Cleanup::File(path),
    }
}

/// Whether the PostgreSQL tests run too.
pub fn postgres_configured() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok()
}

/// A fresh migrated PostgreSQL database, if `TEST_DATABASE_URL` is set.
pub async fn postgres() -> Option<TestDb> {
    let admin_url = std::env::var("TEST_DATABASE_URL").ok()?;
    let name = format!("ecole_test_{}", unique_suffix());
    let admin = domain::connect(&admin_url)
        .await
        .expect("TEST_DATABASE_URL unreachable");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await.ok();
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&admin_url);
    let db = domain::connect(&format!("{base}/{name}"))
        .await
        .expect("connect test database");
    migration::Migrator::up(&db, None)
        .await
        .expect("migrations (postgres)");
    Some(TestDb {
        db,
        backend: "postgres",
        cleanup: Cleanup::Postgres { admin_url, name },
    })
}

/// SQLite always, PostgreSQL too when configured.
pub async fn databases() -> Vec<TestDb> {
    let mut all = vec![sqlite().await];
    all.extend(postgres().await);
    all
}

impl TestDb {
    /// The database file, for tests that inspect raw bytes (SQLite only).
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        match &self.cleanup {
            Cleanup::File(path) => Some(path),
            Cleanup::Postgres { .. } => None,
        }
    }

    /// The database's URL, for a server process started by a test.
    pub fn url(&self) -> String {
        match &self.cleanup {
            Cleanup::File(path) => format!("sqlite://{}?mode=rwc", path.display()),
            Cleanup::Postgres { admin_url, name } => {
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b);
                format!("{base}/{name}")
            }
        }
    }

    /// Closes the connection and removes the database.
    pub async fn drop_database(self) {
        self.db.close().await.ok();
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    std::fs::remove_file(file).ok();
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(admin) = domain::connect(&admin_url).await {
                    admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                        .ok();
                    admin.close().await.ok();
                }
            }
        }
    }
}
