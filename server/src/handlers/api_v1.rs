//! `/api/v1`: the JSON API for a school's other software. Bearer tokens (`ecc_…`) that a
//! school administrator creates and revokes; a token acts for its school only and sends
//! from the school's active establishment accounts. No cookies are read here, so the CSRF
//! check does not apply. `GET /api/v1/openapi.json` describes it: the document is generated
//! from the types and the `#[utoipa::path]` annotations here ([`openapi`]), so a status or a
//! field a handler returns is declared beside the code that returns it.

pub mod openapi;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use domain::api_tokens::{self, ApiCaller};
use domain::mail::Attachment;
use domain::outbox::compose::Composition;
use domain::outbox::recipients;
use domain::outbox::{DeliveryProblem, DeliveryState, SendDetail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use crate::state::AppState;

/// A request body larger than this is refused before it is read (attachments in base64).
pub const BODY_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// What a refusal says: a code a program can match, and what went wrong in French.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub(crate) struct ApiError {
    error: ErrorCode,
    /// What went wrong and what to do, in French.
    message: String,
    /// 1-based positions of refused recipients.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    lines: Vec<usize>,
    /// Every problem, by position, in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    refused: Vec<Refused>,
}

/// The kind of refusal.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ErrorCode {
    Unauthorized,
    NotFound,
    Malformed,
    TooLarge,
    Invalid,
    RecipientsRefused,
    Unavailable,
}

/// One refused recipient.
#[derive(Serialize, ToSchema)]
pub(crate) struct Refused {
    /// Its 1-based position in `recipients`.
    position: usize,
    /// The address or value as given.
    value: String,
    /// Why, as a value: `"AddressNotPublic"`, `{"MissingValue": {"placeholder": "eleve"}}`…
    #[schema(schema_with = openapi::recipient_problem)]
    problem: app::api::sending::review::RecipientProblem,
    /// Why, in French.
    message: String,
}

fn refuse(status: StatusCode, error: ErrorCode, message: impl Into<String>) -> Response {
    let body = ApiError {
        error,
        message: message.into(),
        lines: Vec::new(),
        refused: Vec::new(),
    };
    (status, Json(body)).into_response()
}

fn from_domain(error: domain::Error) -> Response {
    use domain::Error as E;
    let lang = app::i18n::Lang::Fr;
    match error {
        E::NotFound => refuse(StatusCode::NOT_FOUND, ErrorCode::NotFound, "Introuvable."),
        E::InvalidCredentials => refuse(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "Jeton d'API absent, inconnu ou révoqué.",
        ),
        E::Recipients(bad) => {
            let refused: Vec<app::api::sending::review::RefusedLine> =
                bad.into_iter().map(Into::into).collect();
            let mut lines: Vec<usize> = refused.iter().map(|r| r.line).collect();
            lines.dedup();
            let message =
                app::error::AppError::refused_lines(refused.iter().cloned()).message(lang);
            let refused = refused
                .into_iter()
                .map(|r| Refused {
                    message: r.problem.message(lang),
                    position: r.line,
                    value: r.text,
                    problem: r.problem,
                })
                .collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(ApiError {
                    error: ErrorCode::RecipientsRefused,
                    message,
                    lines,
                    refused,
                }),
            )
                .into_response()
        }
        other @ E::Invalid(_) => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Invalid,
            app::error::AppError::from(other).message(lang),
        ),
        other => {
            let status = StatusCode::SERVICE_UNAVAILABLE;
            refuse(
                status,
                ErrorCode::Unavailable,
                app::error::AppError::from(other).message(lang),
            )
        }
    }
}

async fn caller(state: &AppState, headers: &HeaderMap) -> Result<ApiCaller, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    api_tokens::authenticate(&state.server.db, token.trim(), chrono::Utc::now())
        .await
        .map_err(from_domain)
}

/// An active establishment account of the token's school.
#[derive(Serialize, ToSchema)]
#[schema(as = Account)]
pub(crate) struct AccountOut {
    id: i64,
    label: String,
    #[schema(format = "email")]
    address: String,
}

/// The school's active establishment accounts a token may send from.
#[utoipa::path(
    get,
    path = "/api/v1/accounts",
    responses(
        (status = 200, description = "Accounts", body = [AccountOut]),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 503, description = "The database did not answer; try again", body = ApiError),
    ),
)]
pub async fn accounts(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match api_tokens::accounts(&state.server.db, &caller).await {
        Ok(list) => Json(
            list.into_iter()
                .map(|a| AccountOut {
                    id: a.id,
                    label: a.label,
                    address: a.address,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => from_domain(e),
    }
}

/// One recipient; `fields` fill the placeholders named after them.
#[derive(Deserialize, ToSchema)]
pub struct RecipientIn {
    #[schema(format = "email")]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

/// A file sent with the message.
#[derive(Deserialize, ToSchema)]
pub struct AttachmentIn {
    file_name: String,
    content_type: String,
    #[schema(format = Byte)]
    content_base64: String,
}

/// A message to queue from an establishment account.
#[derive(Deserialize, ToSchema)]
pub struct MessageIn {
    account_id: i64,
    /// May use placeholders such as {nom} or {eleve}.
    #[schema(max_length = 250)]
    subject: String,
    /// Plain text; placeholders {nom}, {email}, {etablissement}, {compte} and each
    /// recipient's own fields are filled per recipient.
    body: String,
    #[schema(min_items = 1, max_items = 5000)]
    recipients: Vec<RecipientIn>,
    /// 10 MB in all.
    #[serde(default)]
    #[schema(max_items = 10)]
    attachments: Vec<AttachmentIn>,
}

/// A queued message.
#[derive(Serialize, ToSchema)]
#[schema(as = Queued)]
pub(crate) struct QueuedOut {
    id: i64,
    recipients: usize,
    status_url: String,
}

/// Queue a message: one outbox row per recipient, committed before the answer.
#[utoipa::path(
    post,
    path = "/api/v1/messages",
    request_body = MessageIn,
    responses(
        (status = 202, description = "Queued", body = QueuedOut),
        (status = 400, description = "Unreadable JSON", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such active establishment account in the token's school", body = ApiError),
        (status = 413, description = "Body over 16 MB: refused before it is read (plain text when its length was announced)",
            content((ApiError = "application/json"), (String = "text/plain"))),
        (status = 422, description = "Refused recipients, empty subject or body, missing placeholder values, attachments too large; nothing was queued", body = ApiError),
        (status = 503, description = "The database did not answer; nothing was queued, try again", body = ApiError),
    ),
)]
pub async fn queue(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<MessageIn>, JsonRejection>,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let input = match body {
        Ok(Json(input)) => input,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::TooLarge,
                "Requête trop grande : 16 Mo au plus, pièces jointes en base64 comprises.",
            );
        }
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::Malformed,
                "Corps JSON illisible : voir /api/v1/openapi.json.",
            );
        }
    };
    let given = input
        .recipients
        .into_iter()
        .map(|r| (r.email, r.name, r.fields));
    let (recipients, refused) = recipients::checked(given);
    let mut attachments = Vec::new();
    for a in input.attachments {
        let Ok(bytes) =
            base64::engine::general_purpose::STANDARD.decode(a.content_base64.as_bytes())
        else {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::Invalid,
                format!("La pièce jointe « {} » n'est pas en base64.", a.file_name),
            );
        };
        attachments.push(Attachment {
            file_name: a.file_name,
            content_type: a.content_type,
            bytes: zeroize::Zeroizing::new(bytes),
        });
    }
    let composition = Composition {
        subject: input.subject,
        body: input.body,
        recipients,
        refused,
        attachments,
    };
    match api_tokens::queue(
        &state.server.db,
        &caller,
        input.account_id,
        composition,
        chrono::Utc::now(),
    )
    .await
    {
        Ok(q) => (
            StatusCode::ACCEPTED,
            Json(QueuedOut {
                id: q.message_id,
                recipients: q.recipients,
                status_url: format!("/api/v1/messages/{}", q.message_id),
            }),
        )
            .into_response(),
        Err(e) => from_domain(e),
    }
}

/// One recipient's delivery.
#[derive(Serialize, ToSchema)]
pub(crate) struct RecipientOut {
    email: String,
    name: String,
    /// Cancelled: the send was stopped before this recipient got it; nothing more is sent
    /// unless it is resumed.
    #[schema(schema_with = openapi::delivery_state)]
    state: DeliveryState,
    attempts: i64,
    /// Unix seconds.
    next_attempt_at: Option<i64>,
    /// The relay's reply to the last attempt.
    reply: Option<String>,
    /// Why the last attempt failed: {"Smtp": "RecipientRefused"}, "AccountUnavailable" or
    /// "GaveUp".
    #[schema(schema_with = openapi::delivery_problem)]
    problem: Option<DeliveryProblem>,
    /// Unix seconds.
    sent_at: Option<i64>,
}

/// Recipients cancelled by a stop ("Arrêter l'envoi" on the send's page) count in total
/// only: total − sent − pending − failed.
#[derive(Serialize, ToSchema)]
pub(crate) struct ProgressOut {
    total: u64,
    sent: u64,
    pending: u64,
    failed: u64,
}

/// A queued message's progress and each recipient's status.
#[derive(Serialize, ToSchema)]
#[schema(as = Status)]
pub(crate) struct StatusOut {
    id: i64,
    account_id: i64,
    subject: String,
    /// Unix seconds.
    queued_at: i64,
    progress: ProgressOut,
    recipients: Vec<RecipientOut>,
}

fn status_out(d: SendDetail) -> StatusOut {
    StatusOut {
        id: d.summary.message_id,
        account_id: d.summary.account_id,
        subject: d.summary.subject,
        queued_at: d.summary.queued_at,
        progress: ProgressOut {
            total: d.summary.progress.total,
            sent: d.summary.progress.sent,
            pending: d.summary.progress.pending,
            failed: d.summary.progress.failed,
        },
        recipients: d
            .recipients
            .into_iter()
            .map(|r| RecipientOut {
                email: r.address,
                name: r.name,
                state: r.state,
                attempts: r.attempts,
                next_attempt_at: r.next_attempt_at,
                reply: r.reply,
                problem: r.problem,
                sent_at: r.sent_at,
            })
            .collect(),
    }
}

/// A queued message's progress and each recipient's status.
#[utoipa::path(
    get,
    path = "/api/v1/messages/{id}",
    params(("id" = i64, Path, description = "The id `POST /api/v1/messages` answered")),
    responses(
        (status = 200, description = "Status", body = StatusOut),
        (status = 400, description = "The id is not a whole number", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "Not a message queued through this school's API", body = ApiError),
        (status = 503, description = "The database did not answer; try again", body = ApiError),
    ),
)]
pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(Path(id)) = id else {
        return refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::Malformed,
            "Identifiant de message illisible : un nombre entier est attendu.",
        );
    };
    match api_tokens::status(&state.server.db, &caller, id).await {
        Ok(detail) => Json(status_out(detail)).into_response(),
        Err(e) => from_domain(e),
    }
}

/// The generated OpenAPI document ([`openapi::document`]).
pub async fn openapi() -> Response {
    Json(openapi::document()).into_response()
}
