//! Step 2: sending accounts (personal now, establishment accounts later) and the
//! verification codes that prove their addresses.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    SchoolId,
    Kind,
    OwnerPersonId,
    Label,
    Address,
    State,
    UseServerSettings,
    SmtpHost,
    SmtpPort,
    SmtpSecurity,
    SmtpUsername,
    SmtpPasswordSealed,
    SecretQuestion,
    AnswerHash,
    AnswerNormVersion,
    AnswerFailures,
    AnswerLockedUntil,
    AnswerLockouts,
    LastTestReport,
    CreatedAt,
    ActivatedAt,
}

#[derive(DeriveIden)]
enum VerificationCodes {
    Table,
    Id,
    SchoolId,
    AccountId,
    Address,
    Purpose,
    CodeHmac,
    CreatedAt,
    ExpiresAt,
    Attempts,
    UsedAt,
}

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
}

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn required(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string().not_null().to_owned()
}

fn optional(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string().null().to_owned()
}

fn seconds(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

fn counter(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .integer()
        .not_null()
        .default(0)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(id(Accounts::Id))
                    .col(ColumnDef::new(Accounts::SchoolId).big_integer().not_null())
                    .col(required(Accounts::Kind))
                    .col(ColumnDef::new(Accounts::OwnerPersonId).big_integer().null())
                    .col(required(Accounts::Label))
                    .col(required(Accounts::Address))
                    .col(required(Accounts::State))
                    .col(
                        ColumnDef::new(Accounts::UseServerSettings)
                            .boolean()
                            .not_null(),
                    )
                    .col(optional(Accounts::SmtpHost))
                    .col(ColumnDef::new(Accounts::SmtpPort).integer().null())
                    .col(optional(Accounts::SmtpSecurity))
                    .col(optional(Accounts::SmtpUsername))
                    .col(ColumnDef::new(Accounts::SmtpPasswordSealed).text().null())
                    .col(optional(Accounts::SecretQuestion))
                    .col(optional(Accounts::AnswerHash))
                    .col(ColumnDef::new(Accounts::AnswerNormVersion).integer().null())
                    .col(counter(Accounts::AnswerFailures))
                    .col(
                        ColumnDef::new(Accounts::AnswerLockedUntil)
                            .big_integer()
                            .null(),
                    )
                    .col(counter(Accounts::AnswerLockouts))
                    .col(ColumnDef::new(Accounts::LastTestReport).text().null())
                    .col(seconds(Accounts::CreatedAt))
                    .col(ColumnDef::new(Accounts::ActivatedAt).big_integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Accounts::Table, Accounts::SchoolId)
                            .to(Schools::Table, Schools::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Accounts::Table, Accounts::OwnerPersonId)
                            .to(People::Table, People::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One personal account per person and school. Establishment accounts have no owner,
        // and NULLs never collide in a unique index (SQLite and PostgreSQL alike).
        manager
            .create_index(
                Index::create()
                    .name("accounts_one_personal_per_member")
                    .table(Accounts::Table)
                    .col(Accounts::SchoolId)
                    .col(Accounts::OwnerPersonId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(VerificationCodes::Table)
                    .col(id(VerificationCodes::Id))
                    .col(
                        ColumnDef::new(VerificationCodes::SchoolId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(VerificationCodes::AccountId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(required(VerificationCodes::Address))
                    .col(required(VerificationCodes::Purpose))
                    .col(required(VerificationCodes::CodeHmac))
                    .col(seconds(VerificationCodes::CreatedAt))
                    .col(seconds(VerificationCodes::ExpiresAt))
                    .col(counter(VerificationCodes::Attempts))
                    .col(
                        ColumnDef::new(VerificationCodes::UsedAt)
                            .big_integer()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(VerificationCodes::Table, VerificationCodes::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("verification_codes_school_address")
                    .table(VerificationCodes::Table)
                    .col(VerificationCodes::SchoolId)
                    .col(VerificationCodes::Address)
                    .col(VerificationCodes::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(VerificationCodes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Accounts::Table).to_owned())
            .await
    }
}
