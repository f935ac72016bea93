//! What one account's batch needs: each message loaded once (text, attachments, school),
//! the recipient's mail built only when it fits the limits, the account's pace, and its
//! way out — one SMTP session reused for the whole batch.

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::entity::{account, message, message_attachment, outbox, school};
use crate::mail::route::{Carrier, RouteSession};
use crate::mail::{Attachment, OutgoingMail, templates::escape_html};
use crate::outbox::compose::{MAX_FILLED_BODY_BYTES, MAX_SUBJECT_CHARS, personalise};
use crate::outbox::message_text::{filled_chars, filled_len, values_for};
use crate::outbox::pace::Pace;
use crate::outbox::recipients::Recipient;
use crate::sending_settings::SendingEnvironment;
use crate::smtp::{Failure, FailureKind};
use crate::{Error, Result};

/// Everything one message needs to be sent, loaded once per batch.
pub(super) struct Prepared {
    pub message: message::Model,
    pub account: account::Model,
    pub school_name: String,
    pub attachments: Vec<Attachment>,
}

pub(super) async fn prepare(
    db: &impl ConnectionTrait,
    message_id: i64,
) -> Result<Option<Prepared>> {
    let Some(message) = message::Entity::find_by_id(message_id).one(db).await? else {
        return Ok(None);
    };
    let Some(account) = account::Entity::find_by_id(message.account_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let school_name = school::Entity::find_by_id(message.school_id)
        .one(db)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let attachments = message_attachment::Entity::find()
        .filter(message_attachment::Column::MessageId.eq(message.id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| Attachment {
            file_name: a.file_name,
            content_type: a.content_type,
            bytes: zeroize::Zeroizing::new(a.bytes),
        })
        .collect();
    Ok(Some(Prepared {
        message,
        account,
        school_name,
        attachments,
    }))
}

/// The mail one recipient receives, or `None` when, filled for them, it would exceed the
/// limits: its size is computed before anything is built, so no row can make the worker
/// allocate more than a message's limit.
pub(super) fn mail_for(prepared: &Prepared, row: &outbox::Model) -> Option<OutgoingMail> {
    let recipient = Recipient {
        address: row.recipient_address.clone(),
        name: row.recipient_name.clone(),
        fields: serde_json::from_str(&row.fields).unwrap_or_default(),
        line: 0,
    };
    let subject = &prepared.message.subject;
    let body = prepared.message.body.as_deref().unwrap_or_default();
    let values = values_for(&recipient, &prepared.school_name, &prepared.account.label);
    if filled_len(body, &values) > MAX_FILLED_BODY_BYTES
        || filled_chars(subject, &values) > MAX_SUBJECT_CHARS
    {
        return None;
    }
    let (subject, text) = personalise(
        subject,
        body,
        &recipient,
        &prepared.school_name,
        &prepared.account.label,
    );
    let html = text
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", escape_html(p).replace('\n', "<br>")))
        .collect::<String>();
    Some(OutgoingMail {
        to_name: row.recipient_name.clone(),
        to_address: row.recipient_address.clone(),
        subject,
        text,
        html,
        reply_to: None,
        attachments: prepared.attachments.clone(),
        message_id: Some(row.message_id_header.clone()),
    })
}

/// A relay that cannot be reached now is not tried again for the rest of the batch.
pub(super) fn relay_down(kind: FailureKind) -> bool {
    matches!(
        kind,
        FailureKind::ConnectionRefused | FailureKind::Timeout | FailureKind::NameNotResolved
    )
}

/// A reply that asks the sender to slow down (an enhanced code 4.7.x, or a bare 421/454:
/// Exchange Online's "4.7.0 … submission quota exceeded", Google's "4.7.28" and the like)
/// or says the day's limit is reached: the account waits, its recipients do not fail.
pub(super) fn throttled(failure: &Failure) -> bool {
    matches!(
        failure.kind,
        FailureKind::Throttled | FailureKind::DailyLimitReached
    )
}

/// How one account's mail leaves during a batch.
pub(super) enum Way {
    Open(Box<RouteSession>, Pace),
    /// The account's route cannot be built (e.g. its SMTP password no longer opens).
    NoRoute,
    /// The relay could not be reached: not tried again this batch.
    Down(Failure),
}

impl Way {
    /// Opens the account's way out, with the pace of its route: the operator's for the
    /// hosting relay, the school's (or the default) for the school's or the account's own.
    pub(super) async fn open(
        db: &DatabaseConnection,
        env: &SendingEnvironment,
        hosting_pace: Pace,
        account: &account::Model,
    ) -> Result<Way> {
        match crate::accounts::sending::saved_route(db, env, account).await {
            Ok(route) => {
                let pace = match route.carrier {
                    Carrier::Hosting(_) => hosting_pace,
                    Carrier::Smtp(_) => {
                        crate::sending_settings::school_pace(db, account.school_id).await?
                    }
                };
                Ok(Way::Open(Box::new(RouteSession::new(route)), pace))
            }
            Err(Error::Database(e)) => Err(Error::Database(e)),
            Err(e) => {
                tracing::warn!(account_id = account.id, error = %e, "no route for the account");
                Ok(Way::NoRoute)
            }
        }
    }

    pub(super) async fn close(self) {
        if let Way::Open(session, _) = self {
            session.close().await;
        }
    }
}
