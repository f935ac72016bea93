//! Step 3: each account's archive key pair (public key, the private key wrapped twice, the
//! recovery verifier) and who may send with an establishment account.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    ArchivePublicKey,
    KeyFingerprint,
    PrivateKeyByAnswer,
    PrivateKeyByRecovery,
    RecoveryVerifier,
}

#[derive(DeriveIden)]
enum AccountAuthorisations {
    Table,
    Id,
    SchoolId,
    AccountId,
    PersonId,
    GrantedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one column at a time.
        for column in [
            Accounts::ArchivePublicKey,
            Accounts::KeyFingerprint,
            Accounts::PrivateKeyByAnswer,
            Accounts::PrivateKeyByRecovery,
            Accounts::RecoveryVerifier,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Accounts::Table)
                        .add_column(ColumnDef::new(column).text().null())
                        .to_owned(),
                )
                .await?;
        }
        let big = |c: AccountAuthorisations| ColumnDef::new(c).big_integer().not_null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(AccountAuthorisations::Table)
                    .col(
                        ColumnDef::new(AccountAuthorisations::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big(AccountAuthorisations::SchoolId))
                    .col(big(AccountAuthorisations::AccountId))
                    .col(big(AccountAuthorisations::PersonId))
                    .col(big(AccountAuthorisations::GrantedBy))
                    .col(big(AccountAuthorisations::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                AccountAuthorisations::Table,
                                AccountAuthorisations::AccountId,
                            )
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                AccountAuthorisations::Table,
                                AccountAuthorisations::PersonId,
                            )
                            .to(People::Table, People::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("account_authorisations_account_person")
                    .table(AccountAuthorisations::Table)
                    .col(AccountAuthorisations::AccountId)
                    .col(AccountAuthorisations::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccountAuthorisations::Table).to_owned())
            .await?;
        for column in [
            Accounts::ArchivePublicKey,
            Accounts::KeyFingerprint,
            Accounts::PrivateKeyByAnswer,
            Accounts::PrivateKeyByRecovery,
            Accounts::RecoveryVerifier,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Accounts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
