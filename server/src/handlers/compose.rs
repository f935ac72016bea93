//! `POST /brouillons`: the compose form. A plain multipart form (attachments and a CSV file
//! do not fit a server function's URL-encoded body), so it works before the wasm loads.
//! Whatever was typed is saved as a draft first; then "Envoyer" queues it and leads to the
//! send's status, and any refusal leads back to the draft with the reason, nothing lost.

use app::error::AppError;
use app::ssr::CurrentSession;
use axum::Extension;
use axum::extract::{Multipart, State};
use axum::response::Response;
use domain::mail::Attachment;
use domain::outbox::compose::{self, DraftInput};
use domain::outbox::recipients;
use domain::{Error, Invalid};

use super::form_post::{actor, see_other, with_error};
use crate::state::AppState;

/// 10 MB of attachments arrive base64-free but with multipart framing, the text and a CSV:
/// anything larger is refused before it is read. Between 10 MB and this, the domain refuses
/// with a sentence and the draft keeps the text.
pub const BODY_LIMIT_BYTES: usize = 24 * 1024 * 1024;

/// A CSV of 5,000 families is a few hundred KB; a larger file is not a recipient list.
const CSV_LIMIT: usize = 2 * 1024 * 1024;
/// More ticked "Retirer" boxes than a draft can hold attachments are not from the form.
const REMOVE_LIMIT: usize = 2 * compose::MAX_ATTACHMENTS;

#[derive(Default)]
struct ComposeForm {
    draft_id: Option<i64>,
    account_id: Option<i64>,
    subject: String,
    body: String,
    recipients: String,
    csv: Option<Vec<u8>>,
    attachments: Vec<Attachment>,
    remove: Vec<i64>,
    intent: String,
    /// The body broke off (too large, or the connection dropped): the fields read so far
    /// are kept, the files are not trusted.
    cut_short: bool,
}

/// Browsers send text areas with CRLF line ends; the stored draft uses LF.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace("\r\n", "\n")
}

async fn read(mut multipart: Multipart) -> ComposeForm {
    let mut form = ComposeForm::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                form.cut_short = true;
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let Ok(bytes) = field.bytes().await else {
            form.cut_short = true;
            break;
        };
        match name.as_str() {
            "brouillon" => form.draft_id = text(&bytes).trim().parse().ok(),
            "compte" => form.account_id = text(&bytes).trim().parse().ok(),
            "objet" => form.subject = text(&bytes),
            "texte" => form.body = text(&bytes),
            "destinataires" => form.recipients = text(&bytes),
            "destinataires_csv" if !bytes.is_empty() => form.csv = Some(bytes.to_vec()),
            // An empty file input still sends a part, with no name and no bytes.
            "pieces" if !(bytes.is_empty() && file_name.is_empty()) => {
                form.attachments.push(Attachment {
                    file_name,
                    content_type,
                    bytes: zeroize::Zeroizing::new(bytes.to_vec()),
                });
            }
            "retirer" if form.remove.len() < REMOVE_LIMIT => {
                form.remove.extend(text(&bytes).trim().parse::<i64>().ok());
            }
            "intent" => form.intent = text(&bytes),
            _ => {}
        }
    }
    if form.cut_short {
        form.attachments.clear();
        form.csv = None;
    }
    form
}

fn draft_page(id: Option<i64>) -> String {
    match id {
        Some(id) => format!("/envoyer?brouillon={id}"),
        None => "/envoyer".to_owned(),
    }
}

fn refused_file(e: &Error) -> bool {
    matches!(
        e,
        Error::Invalid(
            Invalid::AttachmentsTooLarge
                | Invalid::TooManyAttachments
                | Invalid::AttachmentNameMalformed
        )
    )
}

/// A second click on "Envoyer" finds its draft already queued by the first: it is shown
/// the send's progress rather than "not found".
async fn already_queued(
    db: &domain::DatabaseConnection,
    actor: &domain::access::Actor,
    id: i64,
) -> bool {
    domain::outbox::detail(db, actor, id).await.is_ok()
}

pub async fn compose(
    State(state): State<AppState>,
    Extension(session): Extension<CurrentSession>,
    multipart: Multipart,
) -> Response {
    let actor = match actor(&state, &session, "/envoyer").await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let db = &state.server.db;
    let now = chrono::Utc::now();
    let mut form = read(multipart).await;
    let Some(account_id) = form.account_id else {
        return see_other(&with_error(
            &draft_page(form.draft_id),
            Some(&AppError::NotFound),
        ));
    };
    // What the form refuses before saving, the typed text being saved anyway.
    let mut refusal = None;
    if form.cut_short {
        refusal = Some(Error::Invalid(Invalid::AttachmentsTooLarge));
    }
    let recipients = match form.csv.take() {
        Some(bytes) if bytes.len() > CSV_LIMIT => {
            refusal = Some(Error::Invalid(Invalid::TooManyRecipients));
            form.recipients
        }
        Some(bytes) => recipients::decode_file(&bytes),
        None => form.recipients,
    };
    let text_only = DraftInput {
        account_id,
        subject: form.subject,
        body: form.body,
        recipients,
        new_attachments: Vec::new(),
        remove_attachments: Vec::new(),
    };
    let with_files = DraftInput {
        new_attachments: form.attachments,
        remove_attachments: form.remove,
        ..text_only.clone()
    };
    let saved = match compose::save_draft(db, &actor, form.draft_id, with_files, now).await {
        Ok(id) => Ok(id),
        // A refused file must not cost the typed text: save it without the new files.
        Err(e) if refused_file(&e) => {
            match compose::save_draft(db, &actor, form.draft_id, text_only, now).await {
                Ok(id) => Err((Some(id), e)),
                Err(again) => Err((form.draft_id, again)),
            }
        }
        Err(e) => Err((form.draft_id, e)),
    };
    if let (Some(id), Err((_, Error::NotFound))) = (form.draft_id, &saved)
        && already_queued(db, &actor, id).await
    {
        return see_other(&format!("/envois/{id}"));
    }
    let draft_id = match saved {
        Ok(id) => id,
        Err((id, e)) => return see_other(&with_error(&draft_page(id), Some(&e.into()))),
    };
    if let Some(e) = refusal {
        return see_other(&with_error(&draft_page(Some(draft_id)), Some(&e.into())));
    }
    if form.intent != "envoyer" {
        return see_other(&format!("/envoyer?brouillon={draft_id}&enregistre=1"));
    }
    match compose::queue_draft(db, &actor, draft_id, now).await {
        Ok(queued) => see_other(&format!(
            "/envois/{}?doublons={}",
            queued.message_id, queued.duplicates
        )),
        Err(Error::NotFound) if already_queued(db, &actor, draft_id).await => {
            see_other(&format!("/envois/{draft_id}"))
        }
        Err(e) => see_other(&with_error(&draft_page(Some(draft_id)), Some(&e.into()))),
    }
}
