//! `/api/v1`: the JSON API for a school's other software. Bearer tokens (`ecc_…`) that a
//! school administrator creates and revokes; a token acts for its school only and sends
//! from the school's active establishment accounts. No cookies are read here, so the CSRF
//! check does not apply. `GET /api/v1/openapi.json` describes it.

use axum::Json;
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

use crate::state::AppState;

/// A request body larger than this is refused before it is read (attachments in base64).
pub const BODY_LIMIT_BYTES: usize = 16 * 1024 * 1024;

#[derive(Serialize)]
struct ApiError {
    error: &'static str,
    message: String,
    /// The 1-based positions of the refused recipients.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lines: Vec<usize>,
    /// Every problem, by position, in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    refused: Vec<Refused>,
}

#[derive(Serialize)]
struct Refused {
    position: usize,
    value: String,
    problem: app::api::sending::review::RecipientProblem,
    message: String,
}

fn refuse(status: StatusCode, error: &'static str, message: impl Into<String>) -> Response {
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
        E::NotFound => refuse(StatusCode::NOT_FOUND, "not_found", "Introuvable."),
        E::InvalidCredentials => refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
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
                    error: "recipients_refused",
                    message,
                    lines,
                    refused,
                }),
            )
                .into_response()
        }
        other @ E::Invalid(_) => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            app::error::AppError::from(other).message(lang),
        ),
        other => {
            let status = StatusCode::SERVICE_UNAVAILABLE;
            refuse(
                status,
                "unavailable",
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

#[derive(Serialize)]
struct AccountOut {
    id: i64,
    label: String,
    address: String,
}

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

#[derive(Deserialize)]
pub struct RecipientIn {
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

#[derive(Deserialize)]
pub struct AttachmentIn {
    file_name: String,
    content_type: String,
    content_base64: String,
}

#[derive(Deserialize)]
pub struct MessageIn {
    account_id: i64,
    subject: String,
    body: String,
    recipients: Vec<RecipientIn>,
    #[serde(default)]
    attachments: Vec<AttachmentIn>,
}

#[derive(Serialize)]
struct QueuedOut {
    id: i64,
    recipients: usize,
    status_url: String,
}

pub async fn queue(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<MessageIn>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(Json(input)) = body else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "malformed",
            "Corps JSON illisible : voir /api/v1/openapi.json.",
        );
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
                "invalid",
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

#[derive(Serialize)]
struct RecipientOut {
    email: String,
    name: String,
    state: DeliveryState,
    attempts: i64,
    next_attempt_at: Option<i64>,
    reply: Option<String>,
    problem: Option<DeliveryProblem>,
    sent_at: Option<i64>,
}

#[derive(Serialize)]
struct StatusOut {
    id: i64,
    account_id: i64,
    subject: String,
    queued_at: i64,
    progress: domain::outbox::Progress,
    recipients: Vec<RecipientOut>,
}

fn status_out(d: SendDetail) -> StatusOut {
    StatusOut {
        id: d.summary.message_id,
        account_id: d.summary.account_id,
        subject: d.summary.subject,
        queued_at: d.summary.queued_at,
        progress: d.summary.progress,
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

pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match api_tokens::status(&state.server.db, &caller, id).await {
        Ok(detail) => Json(status_out(detail)).into_response(),
        Err(e) => from_domain(e),
    }
}

pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}
