//! `POST /brouillons`: the compose form. A plain multipart form (attachments and a CSV file
//! do not fit a server function's URL-encoded body), so it works before the wasm loads.
//! Whatever was typed is saved as a draft first; then "Envoyer" queues it and leads to the
//! send's status, and any refusal leads back to the draft with the reason, nothing lost.

use app::error::AppError;
use app::notice::Outcome;
use app::ssr::CurrentSession;
use axum::Extension;
use axum::extract::{Multipart, State};
use axum::response::Response;
use domain::mail::Attachment;
use domain::outbox::compose::{self, DraftInput};
use domain::outbox::recipients;
use domain::{Error, Invalid};

use super::form_post::{actor, refused, see_other};
use crate::middleware::notice::see_other_with;
use crate::state::AppState;
use vocabulary::ComposeIntent;

/// 10 MB of attachments arrive base64-free but with multipart framing, the text and a CSV:
/// past this many bytes the files are no longer kept, but the rest of the form is still
/// read (so the text typed after a huge file is saved) and the person is told in French.
pub const BODY_LIMIT_BYTES: usize = 24 * 1024 * 1024;
/// What the server reads at the most before it gives up on a post (and the browser gets a
/// bare 413): reading past [`BODY_LIMIT_BYTES`] costs only bandwidth, and it is what lets
/// the page come back with the text kept instead of a connection reset.
pub const DRAIN_LIMIT_BYTES: usize = 4 * BODY_LIMIT_BYTES;

/// A CSV of 5,000 families is a few hundred KB; a larger file is not a recipient list.
const CSV_LIMIT: usize = 2 * 1024 * 1024;
/// More ticked "Retirer" boxes than a draft can hold attachments are not from the form.
const REMOVE_LIMIT: usize = 2 * compose::MAX_ATTACHMENTS;
/// A text field longer than this is not from the form (the body's own limit is 100 KB).
const TEXT_FIELD_LIMIT: usize = 1024 * 1024;

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
    /// The post was larger than [`BODY_LIMIT_BYTES`]: the files are not kept.
    too_large: bool,
    /// The form could not be parsed to its end (a malformed part, the connection
    /// dropped): the fields read so far are kept, the files are not trusted.
    unreadable: bool,
}

/// Browsers send text areas with CRLF line ends; the stored draft uses LF.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace("\r\n", "\n")
}

/// A part's bytes, read chunk by chunk: `None` when the part is over its own `cap`, or is
/// a file and the post is over [`BODY_LIMIT_BYTES`] (the rest of it is read and dropped,
/// so the fields after it are still read).
async fn bytes_within(
    field: &mut axum::extract::multipart::Field<'_>,
    read: &mut usize,
    cap: usize,
    is_file: bool,
) -> Result<Option<Vec<u8>>, axum::extract::multipart::MultipartError> {
    let mut bytes = Some(Vec::new());
    while let Some(chunk) = field.chunk().await? {
        *read = read.saturating_add(chunk.len());
        let within = !is_file || *read <= BODY_LIMIT_BYTES;
        match &mut bytes {
            Some(b) if within && b.len() + chunk.len() <= cap => {
                b.extend_from_slice(&chunk);
            }
            _ => bytes = None,
        }
        if *read > DRAIN_LIMIT_BYTES {
            break;
        }
    }
    Ok(bytes)
}

async fn read(mut multipart: Multipart) -> ComposeForm {
    let mut form = ComposeForm::default();
    let mut read = 0usize;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                form.unreadable = true;
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let (cap, is_file) = match name.as_str() {
            "pieces" => (compose::MAX_ATTACHMENT_BYTES + 1, true),
            "destinataires_csv" => (CSV_LIMIT + 1, true),
            _ => (TEXT_FIELD_LIMIT, false),
        };
        let bytes = match bytes_within(&mut field, &mut read, cap, is_file).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                form.too_large = true;
                if read > DRAIN_LIMIT_BYTES {
                    break;
                }
                continue;
            }
            Err(_) => {
                form.unreadable = true;
                break;
            }
        };
        match name.as_str() {
            "brouillon" => form.draft_id = text(&bytes).trim().parse().ok(),
            "compte" => form.account_id = text(&bytes).trim().parse().ok(),
            "objet" => form.subject = text(&bytes),
            "texte" => form.body = text(&bytes),
            "destinataires" => form.recipients = text(&bytes),
            "destinataires_csv" if !bytes.is_empty() => form.csv = Some(bytes),
            // An empty file input still sends a part, with no name and no bytes. The
            // type the browser claims is not kept: the domain decides it from the name.
            "pieces" if !(bytes.is_empty() && file_name.is_empty()) => {
                form.attachments.push(Attachment {
                    file_name,
                    content_type: String::new(),
                    bytes: zeroize::Zeroizing::new(bytes),
                });
            }
            "retirer" if form.remove.len() < REMOVE_LIMIT => {
                form.remove.extend(text(&bytes).trim().parse::<i64>().ok());
            }
            "intent" => form.intent = text(&bytes),
            _ => {}
        }
    }
    if form.too_large || form.unreadable {
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
                | Invalid::UploadUnreadable
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
        return refused(&state, &draft_page(form.draft_id), AppError::NotFound);
    };
    // What the form refuses before saving, the typed text being saved anyway.
    let mut refusal = None;
    if form.unreadable {
        refusal = Some(Error::Invalid(Invalid::UploadUnreadable));
    } else if form.too_large {
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
        Err((id, e)) => return refused(&state, &draft_page(id), e.into()),
    };
    if let Some(e) = refusal {
        return refused(&state, &draft_page(Some(draft_id)), e.into());
    }
    match ComposeIntent::from_stored(&form.intent) {
        Some(ComposeIntent::Envoyer) => {}
        // The page checks the saved draft and shows the first recipient's message.
        Some(ComposeIntent::Verifier) => {
            return see_other(&format!("/envoyer?brouillon={draft_id}#verification"));
        }
        // No button named (Enter in a field, an old page): saving loses nothing.
        Some(ComposeIntent::Enregistrer) | None => {
            let page = format!("/envoyer?brouillon={draft_id}");
            return see_other_with(&state, &page, Outcome::DraftSaved);
        }
    }
    match compose::queue_draft(db, &actor, draft_id, now).await {
        Ok(queued) => see_other_with(
            &state,
            &format!("/envois/{}", queued.message_id),
            Outcome::Queued {
                duplicates: queued.duplicates as u64,
            },
        ),
        Err(Error::NotFound) if already_queued(db, &actor, draft_id).await => {
            see_other(&format!("/envois/{draft_id}"))
        }
        // Every problem is on the page's check of the draft, which the server redoes.
        Err(Error::Recipients(_)) => see_other(&format!(
            "/envoyer?brouillon={draft_id}&refuse=1#verification"
        )),
        Err(e) => refused(&state, &draft_page(Some(draft_id)), e.into()),
    }
}
