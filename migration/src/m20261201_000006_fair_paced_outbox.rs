//! A shared outbox that no school can stall or abuse: how many times a row was taken back
//! from a worker that never finished it, each school's pace for its own relay, and each
//! account's sending counters (shared by every instance, so the pace holds across them).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Stalls,
}

#[derive(DeriveIden)]
enum SendingSettings {
    Table,
    PacePerMinute,
    PacePerDay,
}

#[derive(DeriveIden)]
enum AccountPaces {
    Table,
    AccountId,
    Recent,
    Version,
    PausedUntil,
    PauseSecs,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .add_column(
                        ColumnDef::new(Outbox::Stalls)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        for column in [SendingSettings::PacePerMinute, SendingSettings::PacePerDay] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SendingSettings::Table)
                        .add_column(ColumnDef::new(column).big_integer().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AccountPaces::Table)
                    .col(
                        ColumnDef::new(AccountPaces::AccountId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AccountPaces::Recent).text().not_null())
                    .col(
                        ColumnDef::new(AccountPaces::Version)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AccountPaces::PausedUntil)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(AccountPaces::PauseSecs).big_integer().null())
                    .col(
                        ColumnDef::new(AccountPaces::UpdatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccountPaces::Table).to_owned())
            .await
    }
}
