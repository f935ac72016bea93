//! Composing and queueing. A message is first a draft (what the person typed, attachments
//! included, kept even when some recipients are refused, so nothing is lost); queueing
//! checks everything, then writes one outbox row per recipient and the sealed archive copy
//! in one transaction: when the caller hears "queued", the rows are committed.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DbBackend, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use sea_orm::sea_query::Expr;

use super::attachment_type::content_type_for;
use super::message_text::{fill, values_for};
use super::recipients::{self, BadLine, MAX_RECIPIENTS, Recipient};
pub use super::review::{Preview, Review, review, review_draft};
use super::review::{check_recipients, school_name};
use super::{DeliveryState, MessageState};
use crate::access::Actor;
use crate::accounts::{authorisations::find_usable, owner};
use crate::archive::sealed::{ArchivedAttachment, ArchivedMessage, seal_message};
use crate::entity::{account, archive_entry, membership, message, message_attachment, outbox};
use crate::mail::Attachment;
use crate::{Error, Invalid, Now, Result};

/// The attachments of one message together may not exceed this (stated in the UI).
pub const MAX_ATTACHMENT_BYTES: usize = vocabulary::limits::MAX_ATTACHMENT_BYTES;
pub const MAX_ATTACHMENTS: usize = vocabulary::limits::MAX_ATTACHMENTS;
/// The subject as typed, and as filled for each recipient.
pub const MAX_SUBJECT_CHARS: usize = vocabulary::limits::MAX_SUBJECT_CHARS;
/// The text as typed.
pub const MAX_BODY_BYTES: usize = vocabulary::limits::MAX_BODY_BYTES;
/// The text as filled for one recipient: known before anything is queued, so the worker
/// never builds more than this per message.
pub const MAX_FILLED_BODY_BYTES: usize = 200 * 1024;
/// The longest attachment name kept.
pub const MAX_FILE_NAME_CHARS: usize = vocabulary::limits::MAX_FILE_NAME_CHARS;
/// A draft's subject or text beyond this is refused on save. No form reaches it: the
/// compose handler keeps at most 1 MiB per text field (and a browser sends UTF-8), so a
/// person never loses what they typed to it; it only bounds a hand-made post. Below it
/// the draft keeps everything, even over [`MAX_SUBJECT_CHARS`] or [`MAX_BODY_BYTES`],
/// which queueing checks and the page words.
pub const MAX_DRAFT_TEXT_BYTES: usize = 1024 * 1024;
/// A draft's recipient list beyond this is refused on save. No form reaches it either:
/// a CSV file is at most 2 MiB, and decoding Windows-1252 at most triples its size.
pub const MAX_DRAFT_RECIPIENTS_BYTES: usize = 6 * 1024 * 1024;
/// Unsent drafts one person may keep in one school; saving a draft they already have is
/// always possible.
pub const MAX_DRAFTS_PER_PERSON: u64 = vocabulary::limits::MAX_DRAFTS_PER_PERSON;

/// What the compose form sends.
#[derive(Clone, Debug, Default)]
pub struct DraftInput {
    pub account_id: i64,
    pub subject: String,
    pub body: String,
    pub recipients: String,
    pub new_attachments: Vec<Attachment>,
    /// Ids of attachments already on the draft to take off.
    pub remove_attachments: Vec<i64>,
}

/// A draft as the compose page shows it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftView {
    pub id: i64,
    pub account_id: i64,
    pub subject: String,
    pub body: String,
    pub recipients: String,
    pub attachments: Vec<AttachmentInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub id: i64,
    pub file_name: String,
    pub size: usize,
}

/// A message given whole (the API): recipients already split.
#[derive(Clone, Debug)]
pub struct Composition {
    pub subject: String,
    pub body: String,
    pub recipients: Vec<Recipient>,
    /// Recipients already refused by [`recipients::checked`]: queueing adds the message's
    /// own problems (missing values, sizes) and answers with all of them.
    pub refused: Vec<BadLine>,
    pub attachments: Vec<Attachment>,
}

/// What queueing did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Queued {
    pub message_id: i64,
    pub recipients: usize,
    pub duplicates: usize,
}

/// A file name as the parent will see it: not empty, not too long, no path, and no
/// control, bidirectional or zero-width character (`Photo\u{202E}gpj.exe` would show as
/// "Photoexe.jpg").
fn check_attachment_names(attachments: &[Attachment]) -> Result<()> {
    for a in attachments {
        let name = a.file_name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_FILE_NAME_CHARS
            || name.chars().any(|c| {
                c.is_control() || crate::validate::is_invisible_format(c) || c == '/' || c == '\\'
            })
        {
            return Err(Invalid::AttachmentNameMalformed.into());
        }
    }
    Ok(())
}

/// At most [`MAX_ATTACHMENTS`] files of [`MAX_ATTACHMENT_BYTES`] in all.
fn check_attachment_sizes(sizes: &[usize]) -> Result<()> {
    if sizes.len() > MAX_ATTACHMENTS {
        return Err(Invalid::TooManyAttachments.into());
    }
    if sizes.iter().sum::<usize>() > MAX_ATTACHMENT_BYTES {
        return Err(Invalid::AttachmentsTooLarge.into());
    }
    Ok(())
}

/// A new message row, still a draft (queueing turns it into outbox rows).
fn new_message(
    school_id: i64,
    account_id: i64,
    author_person_id: i64,
    now: Now,
) -> message::ActiveModel {
    message::ActiveModel {
        school_id: Set(school_id),
        account_id: Set(account_id),
        author_person_id: Set(author_person_id),
        api_token_id: Set(None),
        state: Set(MessageState::Draft.as_str().into()),
        recipient_count: Set(0),
        created_at: Set(now.timestamp()),
        queued_at: Set(None),
        purged_at: Set(None),
        ..Default::default()
    }
}

async fn attach(
    db: &impl ConnectionTrait,
    message_id: i64,
    a: &Attachment,
) -> Result<message_attachment::Model> {
    Ok(message_attachment::ActiveModel {
        message_id: Set(message_id),
        file_name: Set(a.file_name.trim().to_owned()),
        // Decided here from the name, never taken from the client.
        content_type: Set(content_type_for(&a.file_name).to_owned()),
        bytes: Set(a.bytes.to_vec()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Line breaks as the text's own: a browser's CRLF and a lone CR (which a relay might
/// read as the end of the data) both become LF; the mail builder writes CRLF again.
pub(crate) fn normalise_line_ends(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn check_text(subject: &str, body: &str) -> Result<()> {
    if subject.trim().is_empty() {
        return Err(Invalid::SubjectEmpty.into());
    }
    if subject.chars().count() > MAX_SUBJECT_CHARS || subject.chars().any(char::is_control) {
        return Err(Invalid::SubjectMalformed.into());
    }
    if body.trim().is_empty() {
        return Err(Invalid::BodyEmpty.into());
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(Invalid::BodyTooLong.into());
    }
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::BodyControlCharacters.into());
    }
    Ok(())
}

pub(super) async fn own_draft(
    db: &impl ConnectionTrait,
    actor: &Actor,
    draft_id: i64,
) -> Result<message::Model> {
    message::Entity::find_by_id(draft_id)
        .filter(message::Column::SchoolId.eq(actor.school_id()))
        .filter(message::Column::AuthorPersonId.eq(actor.person_id()))
        .filter(message::Column::State.eq(MessageState::Draft.as_str()))
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// Saves what the compose form holds (creating the draft when `draft_id` is `None`) and
/// returns the draft's id. The account must be one the actor may send with.
///
/// A draft keeps what was typed even when it could not be sent as it is; only what no
/// form can carry is refused ([`MAX_DRAFT_TEXT_BYTES`], [`MAX_DRAFT_RECIPIENTS_BYTES`]),
/// with the error queueing gives for a text too long. A new draft is refused once the
/// person has [`MAX_DRAFTS_PER_PERSON`] in the school; saving one they have always works.
/// A draft's `created_at` is when it was last saved: the retention sweep deletes drafts
/// left alone longer than their lifetime ([`super::retention`]).
pub async fn save_draft(
    db: &DatabaseConnection,
    actor: &Actor,
    draft_id: Option<i64>,
    input: DraftInput,
    now: Now,
) -> Result<i64> {
    find_usable(db, actor, input.account_id).await?;
    check_attachment_names(&input.new_attachments)?;
    let body = normalise_line_ends(&input.body);
    let recipients = normalise_line_ends(&input.recipients);
    if input.subject.len() > MAX_DRAFT_TEXT_BYTES {
        return Err(Invalid::SubjectMalformed.into());
    }
    if body.len() > MAX_DRAFT_TEXT_BYTES {
        return Err(Invalid::BodyTooLong.into());
    }
    if recipients.len() > MAX_DRAFT_RECIPIENTS_BYTES {
        return Err(Invalid::TooManyRecipients.into());
    }
    let txn = db.begin().await?;
    let draft = match draft_id {
        Some(id) => {
            let mut row = own_draft(&txn, actor, id).await?.into_active_model();
            row.account_id = Set(input.account_id);
            row.subject = Set(input.subject.clone());
            row.body = Set(Some(body.clone()));
            row.draft_recipients = Set(Some(recipients.clone()));
            row.created_at = Set(now.timestamp());
            row.update(&txn).await?
        }
        None => {
            // On PostgreSQL a person's new drafts take turns on their membership row, so
            // two parallel saves cannot both find room; SQLite has one writer at a time.
            if txn.get_database_backend() == DbBackend::Postgres {
                membership::Entity::find()
                    .filter(membership::Column::SchoolId.eq(actor.school_id()))
                    .filter(membership::Column::PersonId.eq(actor.person_id()))
                    .lock_exclusive()
                    .one(&txn)
                    .await?;
            }
            let drafts = message::Entity::find()
                .filter(message::Column::SchoolId.eq(actor.school_id()))
                .filter(message::Column::AuthorPersonId.eq(actor.person_id()))
                .filter(message::Column::State.eq(MessageState::Draft.as_str()))
                .count(&txn)
                .await?;
            if drafts >= MAX_DRAFTS_PER_PERSON {
                return Err(Invalid::TooManyDrafts.into());
            }
            let mut row = new_message(actor.school_id(), input.account_id, actor.person_id(), now);
            row.subject = Set(input.subject.clone());
            row.body = Set(Some(body.clone()));
            row.draft_recipients = Set(Some(recipients.clone()));
            row.insert(&txn).await?
        }
    };
    if !input.remove_attachments.is_empty() {
        message_attachment::Entity::delete_many()
            .filter(message_attachment::Column::MessageId.eq(draft.id))
            .filter(message_attachment::Column::Id.is_in(input.remove_attachments.clone()))
            .exec(&txn)
            .await?;
    }
    for a in &input.new_attachments {
        attach(&txn, draft.id, a).await?;
    }
    let kept = attachments_of(&txn, draft.id).await?;
    check_attachment_sizes(&kept.iter().map(|a| a.bytes.len()).collect::<Vec<_>>())?;
    txn.commit().await?;
    Ok(draft.id)
}

async fn attachments_of(
    db: &impl ConnectionTrait,
    message_id: i64,
) -> Result<Vec<message_attachment::Model>> {
    Ok(message_attachment::Entity::find()
        .filter(message_attachment::Column::MessageId.eq(message_id))
        .order_by_asc(message_attachment::Column::Id)
        .all(db)
        .await?)
}

/// The actor's draft, to show the form again.
pub async fn draft(db: &impl ConnectionTrait, actor: &Actor, draft_id: i64) -> Result<DraftView> {
    let row = own_draft(db, actor, draft_id).await?;
    let attachments = attachments_of(db, row.id)
        .await?
        .into_iter()
        .map(|a| AttachmentInfo {
            id: a.id,
            file_name: a.file_name,
            size: a.bytes.len(),
        })
        .collect();
    Ok(DraftView {
        id: row.id,
        account_id: row.account_id,
        subject: row.subject,
        body: row.body.unwrap_or_default(),
        recipients: row.draft_recipients.unwrap_or_default(),
        attachments,
    })
}

/// Queues the actor's draft: checks the account, the text, every recipient line and every
/// placeholder, then commits the outbox rows and the archive copy together.
pub async fn queue_draft(
    db: &DatabaseConnection,
    actor: &Actor,
    draft_id: i64,
    now: Now,
) -> Result<Queued> {
    let draft = own_draft(db, actor, draft_id).await?;
    let account = find_usable(db, actor, draft.account_id).await?;
    let body = draft.body.clone().unwrap_or_default();
    check_text(&draft.subject, &body)?;
    let parsed = recipients::parse(draft.draft_recipients.as_deref().unwrap_or_default());
    if !parsed.bad.is_empty() {
        // The whole review, so every problem is named at once.
        let school_name = school_name(db, account.school_id).await?;
        let recipients_text = draft.draft_recipients.as_deref().unwrap_or_default();
        let all = review(
            &draft.subject,
            &body,
            recipients_text,
            &school_name,
            &account.label,
        );
        return Err(Error::Recipients(all.refused));
    }
    let attachments = attachments_of(db, draft.id).await?;
    let composition = Composition {
        subject: draft.subject.clone(),
        body,
        recipients: parsed.recipients,
        refused: Vec::new(),
        attachments: Vec::new(),
    };
    let author = actor.display_name().to_owned();
    let txn = db.begin().await?;
    let queued = write_queue(
        &txn,
        &account,
        &draft,
        &author,
        &composition,
        &attachments,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Queued {
        duplicates: parsed.duplicates,
        ..queued
    })
}

/// Who queues a whole message and from where (the API: a token of the school).
#[derive(Clone, Debug)]
pub struct Origin {
    pub school_id: i64,
    pub account_id: i64,
    pub author_person_id: i64,
    pub author: String,
    pub api_token_id: Option<i64>,
}

/// Queues a whole message at once from `origin.account_id` (already checked by the caller).
pub(crate) async fn queue_composition(
    db: &DatabaseConnection,
    origin: Origin,
    composition: Composition,
    now: Now,
) -> Result<Queued> {
    let Origin {
        school_id,
        account_id,
        author_person_id,
        author,
        api_token_id,
    } = origin;
    let composition = Composition {
        body: normalise_line_ends(&composition.body),
        ..composition
    };
    let account = account::Entity::find_by_id(account_id)
        .filter(account::Column::SchoolId.eq(school_id))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    check_text(&composition.subject, &composition.body)?;
    check_attachment_names(&composition.attachments)?;
    check_attachment_sizes(
        &composition
            .attachments
            .iter()
            .map(|a| a.bytes.len())
            .collect::<Vec<_>>(),
    )?;
    let txn = db.begin().await?;
    let mut row = new_message(school_id, account.id, author_person_id, now);
    row.api_token_id = Set(api_token_id);
    row.subject = Set(composition.subject.clone());
    row.body = Set(Some(composition.body.clone()));
    row.draft_recipients = Set(None);
    let row = row.insert(&txn).await?;
    let mut stored = Vec::new();
    for a in &composition.attachments {
        stored.push(attach(&txn, row.id, a).await?);
    }
    let queued = write_queue(&txn, &account, &row, &author, &composition, &stored, now).await?;
    txn.commit().await?;
    Ok(queued)
}

async fn write_queue(
    txn: &impl ConnectionTrait,
    account: &account::Model,
    message_row: &message::Model,
    author: &str,
    composition: &Composition,
    attachments: &[message_attachment::Model],
    now: Now,
) -> Result<Queued> {
    let recipients = &composition.recipients;
    if recipients.is_empty() && composition.refused.is_empty() {
        return Err(Invalid::NoRecipients.into());
    }
    // A draft is queued once: a second "Envoyer" (double click, two tabs) waits for the
    // first transaction's row lock, then finds it queued and queues nothing ("not found",
    // rather than the archive's unique index failing later as a database error).
    let claimed = message::Entity::update_many()
        .col_expr(
            message::Column::State,
            Expr::value(MessageState::Queued.as_str()),
        )
        .filter(message::Column::Id.eq(message_row.id))
        .filter(message::Column::State.eq(MessageState::Draft.as_str()))
        .exec(txn)
        .await?
        .rows_affected;
    if claimed == 0 {
        return Err(Error::NotFound);
    }
    if recipients.len() > MAX_RECIPIENTS {
        return Err(Invalid::TooManyRecipients.into());
    }
    let school_name = school_name(txn, account.school_id).await?;
    let mut refused = composition.refused.clone();
    refused.extend(check_recipients(
        &composition.subject,
        &composition.body,
        recipients,
        &school_name,
        &account.label,
    ));
    if !refused.is_empty() {
        refused.sort_by_key(|b| b.line);
        return Err(Error::Recipients(refused));
    }
    let public_key = account
        .archive_public_key
        .clone()
        .ok_or_else(|| Error::Internal("active account without an archive key".into()))?;
    let at = now.timestamp();
    let mut rows = Vec::with_capacity(recipients.len());
    for (position, r) in recipients.iter().enumerate() {
        rows.push(outbox::ActiveModel {
            school_id: Set(account.school_id),
            message_id: Set(message_row.id),
            position: Set(i64::try_from(position).unwrap_or(i64::MAX)),
            recipient_address: Set(r.address.clone()),
            recipient_name: Set(r.name.clone()),
            fields: Set(
                serde_json::to_string(&r.fields).map_err(|e| Error::Internal(e.to_string()))?
            ),
            message_id_header: Set(crate::mail::message_id(&account.address)?),
            state: Set(DeliveryState::Queued.as_str().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(at),
            claimed_by: Set(None),
            claimed_until: Set(None),
            last_reply: Set(None),
            failure_kind: Set(None),
            sent_at: Set(None),
            updated_at: Set(at),
            stalls: Set(0),
            ..Default::default()
        });
    }
    for chunk in rows.chunks(400) {
        outbox::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    let archived = ArchivedMessage {
        subject: composition.subject.clone(),
        body: composition.body.clone(),
        author: author.to_owned(),
        recipients: recipients.clone(),
        attachments: attachments
            .iter()
            .map(|a| ArchivedAttachment {
                file_name: a.file_name.clone(),
                content_type: a.content_type.clone(),
                bytes: base64::Engine::encode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    &a.bytes,
                ),
            })
            .collect(),
        queued_at: at,
    };
    archive_entry::ActiveModel {
        school_id: Set(account.school_id),
        account_id: Set(account.id),
        message_id: Set(message_row.id),
        key_fingerprint: Set(account.key_fingerprint.clone().unwrap_or_default()),
        sealed: Set(seal_message(
            &public_key,
            owner(account),
            message_row.id,
            &archived,
        )?),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut queued = message_row.clone().into_active_model();
    queued.state = Set(MessageState::Queued.as_str().into());
    queued.subject = Set(composition.subject.clone());
    queued.draft_recipients = Set(None);
    queued.recipient_count = Set(i64::try_from(recipients.len()).unwrap_or(i64::MAX));
    queued.queued_at = Set(Some(at));
    queued.update(txn).await?;
    tracing::info!(
        event = "message_queued",
        school_id = account.school_id,
        account_id = account.id,
        message_id = message_row.id,
        recipients = recipients.len(),
        "message queued"
    );
    Ok(Queued {
        message_id: message_row.id,
        recipients: recipients.len(),
        duplicates: 0,
    })
}

/// The subject and text one recipient receives (placeholders filled).
pub(crate) fn personalise(
    subject: &str,
    body: &str,
    recipient: &Recipient,
    school_name: &str,
    account_label: &str,
) -> (String, String) {
    let values = values_for(recipient, school_name, account_label);
    (fill(subject, &values), fill(body, &values))
}
