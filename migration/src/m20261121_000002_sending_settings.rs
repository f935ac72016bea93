//! Step 1: each school's sending settings, and the report of its last test send.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SendingSettings {
    Table,
    SchoolId,
    DeliverAllThroughServer,
    SenderName,
    RelayKind,
    SmtpHost,
    SmtpPort,
    SmtpSecurity,
    SmtpFromAddress,
    SmtpUsername,
    SmtpPasswordSealed,
    LastTestAt,
    LastTestReport,
    SavedAt,
}

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let optional_text = |c: SendingSettings| ColumnDef::new(c).string().null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(SendingSettings::Table)
                    .col(
                        ColumnDef::new(SendingSettings::SchoolId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SendingSettings::DeliverAllThroughServer)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SendingSettings::SenderName)
                            .string()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SendingSettings::RelayKind)
                            .string()
                            .not_null(),
                    )
                    .col(optional_text(SendingSettings::SmtpHost))
                    .col(ColumnDef::new(SendingSettings::SmtpPort).integer().null())
                    .col(optional_text(SendingSettings::SmtpSecurity))
                    .col(optional_text(SendingSettings::SmtpFromAddress))
                    .col(optional_text(SendingSettings::SmtpUsername))
                    .col(
                        ColumnDef::new(SendingSettings::SmtpPasswordSealed)
                            .text()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SendingSettings::LastTestAt)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SendingSettings::LastTestReport)
                            .text()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SendingSettings::SavedAt)
                            .big_integer()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SendingSettings::Table, SendingSettings::SchoolId)
                            .to(Schools::Table, Schools::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SendingSettings::Table).to_owned())
            .await
    }
}
