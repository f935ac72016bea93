//! A message checked as it would be sent, before anything is queued: how many recipients
//! the list holds, every problem at once (addresses, names, values, missing placeholder
//! values, filled sizes) by line, and the first recipient's message. The compose page, the
//! queueing of a draft and the API all refuse on the same check.

use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};

use super::compose::{MAX_FILLED_BODY_BYTES, MAX_SUBJECT_CHARS, own_draft};
use super::message_text::{fill, filled_chars, filled_len, missing, placeholders, values_for};
use super::recipients::{self, BadLine, LineProblem, Recipient};
use crate::Result;
use crate::access::Actor;
use crate::accounts::authorisations::find_usable;
use crate::entity::school;

/// What each recipient would receive, checked without building it: a value for every
/// placeholder, and the filled subject and text within their limits.
pub(crate) fn check_recipients(
    subject: &str,
    body: &str,
    recipients: &[Recipient],
    school_name: &str,
    account_label: &str,
) -> Vec<BadLine> {
    let used = placeholders(&format!("{subject}\n{body}"));
    let mut refused = Vec::new();
    for r in recipients {
        let values = values_for(r, school_name, account_label);
        for placeholder in missing(&used, &values) {
            refused.push(BadLine::new(
                r.line,
                &r.address,
                LineProblem::MissingValue {
                    placeholder: placeholder.to_owned(),
                },
            ));
        }
        if filled_chars(subject, &values) > MAX_SUBJECT_CHARS
            || filled_len(body, &values) > MAX_FILLED_BODY_BYTES
        {
            refused.push(BadLine::new(r.line, &r.address, LineProblem::FilledTooLong));
        }
    }
    refused
}

/// What the compose page shows before sending, and what queueing refuses on: how many
/// recipients were recognised, every problem at once (by line), the columns the text
/// needs, and the message as the first recipient will read it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Review {
    pub recognised: usize,
    pub duplicates: usize,
    pub refused: Vec<BadLine>,
    pub needed_columns: Vec<String>,
    pub preview: Option<Preview>,
}

/// One recipient's message, filled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
}

/// Reviews a message and its recipient list as typed.
pub fn review(
    subject: &str,
    body: &str,
    recipients_text: &str,
    school_name: &str,
    account_label: &str,
) -> Review {
    let parsed = recipients::parse(recipients_text);
    let mut refused = parsed.bad;
    refused.extend(check_recipients(
        subject,
        body,
        &parsed.recipients,
        school_name,
        account_label,
    ));
    refused.sort_by_key(|b| b.line);
    let preview = parsed.recipients.first().map(|r| {
        let values = values_for(r, school_name, account_label);
        let fits = filled_len(body, &values) <= MAX_FILLED_BODY_BYTES
            && filled_chars(subject, &values) <= MAX_SUBJECT_CHARS;
        Preview {
            to_name: r.name.clone(),
            to_address: r.address.clone(),
            subject: if fits {
                fill(subject, &values)
            } else {
                subject.to_owned()
            },
            body: if fits {
                fill(body, &values)
            } else {
                body.to_owned()
            },
        }
    });
    Review {
        recognised: parsed.recipients.len(),
        duplicates: parsed.duplicates,
        refused,
        needed_columns: super::message_text::needed_columns(&format!("{subject}\n{body}")),
        preview,
    }
}

/// The actor's draft reviewed against the account it would be sent from.
pub async fn review_draft(db: &DatabaseConnection, actor: &Actor, draft_id: i64) -> Result<Review> {
    let draft = own_draft(db, actor, draft_id).await?;
    let account = find_usable(db, actor, draft.account_id).await?;
    let school_name = school_name(db, account.school_id).await?;
    Ok(review(
        &draft.subject,
        draft.body.as_deref().unwrap_or_default(),
        draft.draft_recipients.as_deref().unwrap_or_default(),
        &school_name,
        &account.label,
    ))
}

pub(super) async fn school_name(db: &impl ConnectionTrait, school_id: i64) -> Result<String> {
    Ok(school::Entity::find_by_id(school_id)
        .one(db)
        .await?
        .map(|s| s.name)
        .unwrap_or_default())
}
