use leptos::prelude::*;

use super::types::ComposeView;
use crate::error::AppError;

/// The compose form: the accounts the member may send with, the starting templates, and
/// the draft `brouillon` (or an empty form); `modele` puts a template's subject and text in
/// the form (saved only when the member saves or sends), in the request's language (the
/// `lang` cookie, else the browser's), as the page around it.
#[server(endpoint = "get_compose")]
pub async fn get_compose(
    brouillon: Option<i64>,
    modele: Option<String>,
) -> Result<ComposeView, AppError> {
    use super::types::{AttachmentView, DraftForm, StarterView, UsableAccount};
    use crate::ssr;
    use domain::outbox::{compose, message_text, recipients};
    // Read before the first await, as the state: the request's context.
    let english = use_context::<crate::i18n::Lang>() == Some(crate::i18n::Lang::En);
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let now = ssr::now();
    let accounts = domain::accounts::authorisations::usable(&state.db, &actor, now)
        .await?
        .into_iter()
        .map(|a| UsableAccount {
            personal: a.kind == domain::accounts::AccountKind::Personal,
            id: a.id,
            label: a.label,
            address: a.address,
        })
        .collect();
    let mut draft = match brouillon {
        Some(id) => {
            let d = compose::draft(&state.db, &actor, id).await?;
            DraftForm {
                id: Some(d.id),
                account_id: Some(d.account_id),
                subject: d.subject,
                body: d.body,
                recipients: d.recipients,
                attachments: d
                    .attachments
                    .into_iter()
                    .map(|a| AttachmentView {
                        id: a.id,
                        file_name: a.file_name,
                        size: a.size as u64,
                    })
                    .collect(),
            }
        }
        None => DraftForm::default(),
    };
    let starter = modele.as_deref().and_then(message_text::starter);
    if let Some(starter) = starter {
        let words = starter.wording(english);
        words.subject.clone_into(&mut draft.subject);
        words.body.clone_into(&mut draft.body);
    }
    // The check is of what is saved: a template not yet saved has nothing to check.
    let review = match (draft.id, starter) {
        (Some(id), None) => Some(compose::review_draft(&state.db, &actor, id).await?.into()),
        _ => None,
    };
    Ok(ComposeView {
        accounts,
        starters: message_text::STARTERS
            .iter()
            .map(|s| {
                let words = s.wording(english);
                StarterView {
                    key: s.key.into(),
                    title: words.title.into(),
                    subject: words.subject.into(),
                    body: words.body.into(),
                    columns: s.columns(),
                }
            })
            .collect(),
        draft,
        max_attachment_bytes: compose::MAX_ATTACHMENT_BYTES as u64,
        max_attachments: compose::MAX_ATTACHMENTS as u32,
        max_recipients: recipients::MAX_RECIPIENTS as u32,
        built_in_fields: message_text::BUILT_IN
            .iter()
            .map(|f| (*f).to_owned())
            .collect(),
        review,
    })
}
