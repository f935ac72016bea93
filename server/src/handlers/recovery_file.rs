//! `POST /comptes/{id}/cle-de-recuperation`: an administrator uploads an establishment
//! account's `cleRecuperation.crbee` to check it, or to set a new secret question and
//! answer with it. A plain multipart form (a file does not fit a server function's
//! URL-encoded body); the account's page shows the outcome, left in a one-time notice
//! (`middleware::notice`), so it works the same without JavaScript.

use app::error::AppError;
use app::notice::{FileCheck, Outcome};
use app::ssr::CurrentSession;
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use domain::accounts::answer::SecretInput;
use domain::accounts::recovery;
use domain::secret::Secret;

use super::archive_file::check;
use super::form_post::actor;
use crate::middleware::notice::see_other_with;
use crate::state::AppState;
use vocabulary::RecoveryIntent;

use domain::archive::recovery_file::MAX_UPLOAD_BYTES as FILE_LIMIT;

#[derive(Default)]
struct Upload {
    intent: String,
    /// Holds R: wiped when dropped.
    file: zeroize::Zeroizing<Vec<u8>>,
    question: String,
    custom_question: String,
    answer: String,
    confirmation: String,
}

async fn read(mut multipart: Multipart) -> Option<Upload> {
    let mut upload = Upload::default();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.ok()?;
        if bytes.len() > FILE_LIMIT {
            return None;
        }
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "file" => upload.file = zeroize::Zeroizing::new(bytes.to_vec()),
            "intent" => upload.intent = text(),
            "question" => upload.question = text(),
            "custom_question" => upload.custom_question = text(),
            "answer" => upload.answer = text(),
            "confirmation" => upload.confirmation = text(),
            _ => {}
        }
    }
    Some(upload)
}

/// Back to the account's page, at the recovery section where the result is shown (the
/// page is long: without the fragment a phone lands far above it).
fn back(state: &AppState, id: i64, outcome: Outcome) -> Response {
    see_other_with(state, &format!("/comptes/{id}#recovery-title"), outcome)
}

fn refused(state: &AppState, id: i64, error: AppError) -> Response {
    back(state, id, Outcome::Refused(error))
}

pub async fn recovery_file(
    State(state): State<AppState>,
    Extension(session): Extension<CurrentSession>,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Response {
    let db = &state.server.db;
    let actor = match actor(&state, &session, &format!("/comptes/{id}")).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let Some(upload) = read(multipart).await else {
        return back(&state, id, Outcome::File(FileCheck::Damaged));
    };
    let now = chrono::Utc::now();
    if RecoveryIntent::from_stored(&upload.intent) != Some(RecoveryIntent::Reset) {
        return match recovery::check_file(db, &actor, id, &upload.file).await {
            Ok(Ok(())) => back(&state, id, Outcome::File(FileCheck::Valid)),
            Ok(Err(refusal)) => back(&state, id, Outcome::File(check(refusal))),
            Err(e) => refused(&state, id, e.into()),
        };
    }
    let question = match upload.question.as_str() {
        "autre" => upload.custom_question,
        _ => upload.question,
    };
    let input = match SecretInput::parse(
        &question,
        &Secret::new(upload.answer),
        &Secret::new(upload.confirmation),
    ) {
        Ok(input) => input,
        Err(e) => return refused(&state, id, e.into()),
    };
    let hasher = &state.server.hasher;
    match recovery::reset_answer(db, hasher, &actor, id, &upload.file, input, now).await {
        Ok(Ok(_)) => back(&state, id, Outcome::File(FileCheck::Reset)),
        Ok(Err(refusal)) => back(&state, id, Outcome::File(check(refusal))),
        Err(e) => refused(&state, id, e.into()),
    }
}
