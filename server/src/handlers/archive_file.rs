//! `POST /comptes/{id}/archive/cle`: opens an account's archive for this session with its
//! recovery file (`cleRecuperation.crbee`), for whoever may read the archive but no longer
//! knows the answer. A plain multipart form; the archive page shows the outcome (a
//! one-time notice, `middleware::notice`).

use app::error::AppError;
use app::notice::{FileCheck, Outcome};
use app::ssr::CurrentSession;
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use domain::archive::FileRefusal;
use domain::archive::unlock;

use super::form_post::{actor, refused, see_other};
use crate::middleware::notice::see_other_with;
use crate::state::AppState;

use domain::archive::recovery_file::MAX_UPLOAD_BYTES as FILE_LIMIT;

async fn read_file(mut multipart: Multipart) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let bytes = field.bytes().await.ok()?;
            return (bytes.len() <= FILE_LIMIT).then(|| zeroize::Zeroizing::new(bytes.to_vec()));
        }
    }
    None
}

pub async fn archive_file(
    State(state): State<AppState>,
    Extension(session): Extension<CurrentSession>,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Response {
    let page = format!("/comptes/{id}/archive");
    let actor = match actor(&state, &session, &page).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let Some(token) = session.token else {
        return see_other("/connexion");
    };
    let Some(file) = read_file(multipart).await else {
        return see_other_with(&state, &page, Outcome::File(FileCheck::Damaged));
    };
    let db = &state.server.db;
    match unlock::with_file(db, &actor, &token, id, &file, chrono::Utc::now()).await {
        Ok(Ok(())) => see_other(&page),
        Ok(Err(refusal)) => see_other_with(&state, &page, Outcome::File(check(refusal))),
        Err(e) => refused(&state, &page, AppError::from(e)),
    }
}

/// A refused file, as the page words it.
pub fn check(refusal: FileRefusal) -> FileCheck {
    match refusal {
        FileRefusal::Damaged => FileCheck::Damaged,
        FileRefusal::OtherAccount => FileCheck::OtherAccount,
    }
}
