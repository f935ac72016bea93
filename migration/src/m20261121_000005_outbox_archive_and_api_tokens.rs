//! Sending: the composed messages, one outbox row per recipient, the sealed archive, the
//! short-lived archive unlocks of a session, and the schools' API tokens.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    SchoolId,
    AccountId,
    AuthorPersonId,
    ApiTokenId,
    State,
    Subject,
    Body,
    DraftRecipients,
    RecipientCount,
    CreatedAt,
    QueuedAt,
    PurgedAt,
}

#[derive(DeriveIden)]
enum MessageAttachments {
    Table,
    Id,
    MessageId,
    FileName,
    ContentType,
    Bytes,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    SchoolId,
    MessageId,
    Position,
    RecipientAddress,
    RecipientName,
    Fields,
    MessageIdHeader,
    State,
    Attempts,
    NextAttemptAt,
    ClaimedBy,
    ClaimedUntil,
    LastReply,
    FailureKind,
    SentAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Archive {
    Table,
    Id,
    SchoolId,
    AccountId,
    MessageId,
    KeyFingerprint,
    Sealed,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ArchiveUnlocks {
    Table,
    Id,
    SessionHash,
    AccountId,
    WrappedKey,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    SchoolId,
    Label,
    TokenHash,
    Prefix,
    CreatedBy,
    CreatedAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
}

fn id<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}
fn big<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).big_integer().not_null().to_owned()
}
fn big_null<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).big_integer().null().to_owned()
}
fn text<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).text().not_null().to_owned()
}
fn text_null<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).text().null().to_owned()
}
fn cascade<T: IntoIden, U: IntoIden, V: IntoIden, W: IntoIden>(
    from: (T, U),
    to: (V, W),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(id(Messages::Id))
                    .col(big(Messages::SchoolId))
                    .col(big(Messages::AccountId))
                    .col(big(Messages::AuthorPersonId))
                    .col(big_null(Messages::ApiTokenId))
                    // draft → queued
                    .col(text(Messages::State))
                    .col(text(Messages::Subject))
                    // In clear only until every recipient has it; the archive keeps the
                    // sealed copy.
                    .col(text_null(Messages::Body))
                    // The recipients as typed, while a draft (kept when some are refused).
                    .col(text_null(Messages::DraftRecipients))
                    .col(big(Messages::RecipientCount))
                    .col(big(Messages::CreatedAt))
                    .col(big_null(Messages::QueuedAt))
                    .col(big_null(Messages::PurgedAt))
                    .foreign_key(&mut cascade(
                        (Messages::Table, Messages::AccountId),
                        (Accounts::Table, Accounts::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (Messages::Table, Messages::SchoolId),
                        (Schools::Table, Schools::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("messages_account_created")
                    .table(Messages::Table)
                    .col(Messages::AccountId)
                    .col(Messages::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MessageAttachments::Table)
                    .col(id(MessageAttachments::Id))
                    .col(big(MessageAttachments::MessageId))
                    .col(text(MessageAttachments::FileName))
                    .col(text(MessageAttachments::ContentType))
                    .col(ColumnDef::new(MessageAttachments::Bytes).blob().not_null())
                    .foreign_key(&mut cascade(
                        (MessageAttachments::Table, MessageAttachments::MessageId),
                        (Messages::Table, Messages::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(id(Outbox::Id))
                    .col(big(Outbox::SchoolId))
                    .col(big(Outbox::MessageId))
                    .col(big(Outbox::Position))
                    .col(text(Outbox::RecipientAddress))
                    .col(text(Outbox::RecipientName))
                    // The recipient's own placeholder values (CSV columns), JSON.
                    .col(text(Outbox::Fields))
                    .col(text(Outbox::MessageIdHeader))
                    .col(text(Outbox::State))
                    .col(big(Outbox::Attempts))
                    .col(big(Outbox::NextAttemptAt))
                    .col(text_null(Outbox::ClaimedBy))
                    .col(big_null(Outbox::ClaimedUntil))
                    .col(text_null(Outbox::LastReply))
                    .col(text_null(Outbox::FailureKind))
                    .col(big_null(Outbox::SentAt))
                    .col(big(Outbox::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (Outbox::Table, Outbox::MessageId),
                        (Messages::Table, Messages::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("outbox_due")
                    .table(Outbox::Table)
                    .col(Outbox::State)
                    .col(Outbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("outbox_message")
                    .table(Outbox::Table)
                    .col(Outbox::MessageId)
                    .col(Outbox::Position)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Archive::Table)
                    .col(id(Archive::Id))
                    .col(big(Archive::SchoolId))
                    .col(big(Archive::AccountId))
                    .col(big(Archive::MessageId).unique_key().to_owned())
                    .col(text(Archive::KeyFingerprint))
                    .col(text(Archive::Sealed))
                    .col(big(Archive::CreatedAt))
                    .foreign_key(&mut cascade(
                        (Archive::Table, Archive::MessageId),
                        (Messages::Table, Messages::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ArchiveUnlocks::Table)
                    .col(id(ArchiveUnlocks::Id))
                    .col(text(ArchiveUnlocks::SessionHash))
                    .col(big(ArchiveUnlocks::AccountId))
                    .col(text(ArchiveUnlocks::WrappedKey))
                    .col(big(ArchiveUnlocks::ExpiresAt))
                    .foreign_key(&mut cascade(
                        (ArchiveUnlocks::Table, ArchiveUnlocks::AccountId),
                        (Accounts::Table, Accounts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("archive_unlocks_session_account")
                    .table(ArchiveUnlocks::Table)
                    .col(ArchiveUnlocks::SessionHash)
                    .col(ArchiveUnlocks::AccountId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(id(ApiTokens::Id))
                    .col(big(ApiTokens::SchoolId))
                    .col(text(ApiTokens::Label))
                    .col(text(ApiTokens::TokenHash).unique_key().to_owned())
                    .col(text(ApiTokens::Prefix))
                    .col(big(ApiTokens::CreatedBy))
                    .col(big(ApiTokens::CreatedAt))
                    .col(big_null(ApiTokens::RevokedAt))
                    .col(big_null(ApiTokens::LastUsedAt))
                    .foreign_key(&mut cascade(
                        (ApiTokens::Table, ApiTokens::SchoolId),
                        (Schools::Table, Schools::Id),
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApiTokens::Table.into_iden(),
            ArchiveUnlocks::Table.into_iden(),
            Archive::Table.into_iden(),
            Outbox::Table.into_iden(),
            MessageAttachments::Table.into_iden(),
            Messages::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
