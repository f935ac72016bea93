use leptos::prelude::*;

use super::types::ArchiveState;
use crate::error::AppError;

/// An account's archive: opened, if this session gave the answer or the recovery file in
/// the last ten minutes; locked otherwise, with what the page needs to ask for them.
#[server(endpoint = "get_archive")]
pub async fn get_archive(id: i64) -> Result<ArchiveState, AppError> {
    use super::types::{ArchiveView, ArchivedView, recipient_label};
    use crate::ssr;
    use domain::archive::unlock;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let session = ssr::session_token().await?;
    let now = ssr::now();
    let opened = match unlock::read(&state.db, &actor, &session, id, now).await {
        Ok(opened) => opened,
        Err(domain::Error::ArchiveLocked) => {
            let (account_label, question) = unlock::lock_screen(&state.db, &actor, id).await?;
            return Ok(ArchiveState::Locked {
                account_label,
                question,
            });
        }
        Err(e) => return Err(e.into()),
    };
    Ok(ArchiveState::Open(ArchiveView {
        account_label: opened.account_label,
        unreadable: opened.unreadable as u64,
        open_for_secs: (opened.open_until - now.timestamp()).max(0),
        items: opened
            .items
            .into_iter()
            .map(|item| {
                let m = item.message;
                ArchivedView {
                    message_id: item.message_id,
                    subject: m.subject,
                    body: m.body,
                    author: m.author,
                    queued_at: ssr::paris_time(m.queued_at),
                    recipients: m
                        .recipients
                        .into_iter()
                        .map(|r| {
                            let who = recipient_label(&r.name, &r.address);
                            // The columns that filled the placeholders, as each one got them.
                            let fields: Vec<String> = r
                                .fields
                                .iter()
                                .filter(|(name, _)| name.as_str() != "nom")
                                .map(|(name, value)| format!("{name} : {value}"))
                                .collect();
                            match fields.is_empty() {
                                true => who,
                                false => format!("{who} — {}", fields.join(", ")),
                            }
                        })
                        .collect(),
                    attachments: m.attachments.into_iter().map(|a| a.file_name).collect(),
                }
            })
            .collect(),
    }))
}
