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
}

/// Browsers send text areas with CRLF line ends; the stored draft uses LF.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace("\r\n", "\n")
}

async fn read(mut multipart: Multipart) -> Option<ComposeForm> {
    let mut form = ComposeForm::default();
    while let Some(field) = multipart.next_field().await.ok()? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = field.bytes().await.ok()?;
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
            "retirer" => form.remove.extend(text(&bytes).trim().parse::<i64>().ok()),
            "intent" => form.intent = text(&bytes),
            _ => {}
        }
    }
    Some(form)
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
    let Some(form) = read(multipart).await else {
        let error = AppError::Invalid(app::error::Problem::AttachmentsTooLarge);
        return see_other(&with_error("/envoyer", Some(&error)));
    };
    let Some(account_id) = form.account_id else {
        return see_other(&with_error(
            &draft_page(form.draft_id),
            Some(&AppError::NotFound),
        ));
    };
    let recipients = match &form.csv {
        Some(bytes) => recipients::decode_file(bytes),
        None => form.recipients,
    };
    let mut input = DraftInput {
        account_id,
        subject: form.subject,
        body: form.body,
        recipients,
        new_attachments: form.attachments,
        remove_attachments: form.remove,
    };
    let saved = match compose::save_draft(db, &actor, form.draft_id, input.clone(), now).await {
        Ok(id) => Ok(id),
        // A refused file must not cost the typed text: save it without the new files.
        Err(e) if refused_file(&e) => {
            input.new_attachments.clear();
            input.remove_attachments.clear();
            match compose::save_draft(db, &actor, form.draft_id, input, now).await {
                Ok(id) => Err((Some(id), e)),
                Err(again) => Err((form.draft_id, again)),
            }
        }
        Err(e) => Err((form.draft_id, e)),
    };
    let draft_id = match saved {
        Ok(id) => id,
        Err((id, e)) => return see_other(&with_error(&draft_page(id), Some(&e.into()))),
    };
    if form.intent != "envoyer" {
        return see_other(&format!("/envoyer?brouillon={draft_id}&enregistre=1"));
    }
    match compose::queue_draft(db, &actor, draft_id, now).await {
        Ok(queued) => see_other(&format!(
            "/envois/{}?doublons={}",
            queued.message_id, queued.duplicates
        )),
        Err(e) => see_other(&with_error(&draft_page(Some(draft_id)), Some(&e.into()))),
    }
}
