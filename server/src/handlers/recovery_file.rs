//! `POST /comptes/{id}/cle-de-recuperation`: an administrator uploads an establishment
//! account's `cleRecuperation.crbee` to check it, or to set a new secret question and
//! answer with it. A plain multipart form (a file does not fit a server function's
//! URL-encoded body); the outcome comes back on the account's page as `?cle=…` (and
//! `erreur=…` for a refused entry), so it works the same without JavaScript.

use app::error::AppError;
use app::ssr::CurrentSession;
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::accounts::answer::SecretInput;
use domain::accounts::recovery;
use domain::archive::FileRefusal;
use domain::secret::Secret;

use crate::state::AppState;

/// A recovery file is a few hundred bytes; anything much larger is not one.
const FILE_LIMIT: usize = 16 * 1024;

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

fn back(id: i64, outcome: &str, error: Option<AppError>) -> Response {
    let mut location = format!("/comptes/{id}?cle={outcome}");
    if let Some(error) = error.and_then(|e| serde_json::to_string(&e).ok()) {
        location.push_str("&erreur=");
        location
            .push_str(&url::form_urlencoded::byte_serialize(error.as_bytes()).collect::<String>());
    }
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

fn refusal(refused: FileRefusal) -> &'static str {
    match refused {
        FileRefusal::Damaged => "endommagee",
        FileRefusal::OtherAccount => "autre-compte",
    }
}

pub async fn recovery_file(
    State(state): State<AppState>,
    Extension(session): Extension<CurrentSession>,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Response {
    let db = &state.server.db;
    let Some(info) = session.info else {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, "/connexion")]).into_response();
    };
    let actor = match info.school_id {
        Some(school) => domain::access::actor_in(db, info.person_id, school).await,
        None => Ok(None),
    };
    let actor = match actor {
        Ok(Some(actor)) => actor,
        Ok(None) => return back(id, "refus", Some(AppError::NoSchool)),
        Err(e) => return back(id, "refus", Some(e.into())),
    };
    let Some(upload) = read(multipart).await else {
        return back(id, "endommagee", None);
    };
    let now = chrono::Utc::now();
    if upload.intent != "reset" {
        return match recovery::check_file(db, &actor, id, &upload.file).await {
            Ok(Ok(())) => back(id, "valide", None),
            Ok(Err(refused)) => back(id, refusal(refused), None),
            Err(e) => back(id, "refus", Some(e.into())),
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
        Err(e) => return back(id, "refus", Some(e.into())),
    };
    let hasher = &state.server.hasher;
    match recovery::reset_answer(db, hasher, &actor, id, &upload.file, input, now).await {
        Ok(Ok(_)) => back(id, "reinitialisee", None),
        Ok(Err(refused)) => back(id, refusal(refused), None),
        Err(e) => back(id, "refus", Some(e.into())),
    }
}
