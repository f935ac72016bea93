//! An account's archive. Sent messages are sealed to the account's key: the page asks for
//! the secret answer (or the recovery file) and then lists what was sent, for ten minutes
//! and this session only. Both forms work without the wasm.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::sending::types::{ArchiveState, ArchiveView, ArchivedView};
use crate::api::sending::{CloseArchive, UnlockArchive, get_archive};
use crate::api::types::Me;
use crate::components::form_error::{FormError, action_error};
use crate::components::session::SignedIn;
use crate::error::AppError;
use crate::i18n::{Lang, use_lang};
use crate::notice::{FileCheck, Outcome, use_outcome};

#[component]
pub fn ArchivePage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Archive du compte", "Account archive")/>
        <SignedIn children=move |_me: Me| view! { <Archive lang/> }/>
    }
}

#[component]
fn Archive(lang: Lang) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let unlock = ServerAction::<UnlockArchive>::new();
    let close = ServerAction::<CloseArchive>::new();
    let archive = Resource::new(
        move || (id(), unlock.version().get(), close.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_archive(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                let id = id().unwrap_or_default();
                match archive.await {
                    Ok(ArchiveState::Locked { account_label, question }) => view! {
                        <BackToAccounts lang/>
                        <h1>{format!("{} {account_label}", lang.t("Archive :", "Archive:"))}</h1>
                        <Locked id question unlock lang/>
                    }.into_any(),
                    Ok(ArchiveState::Open(view)) => view! {
                        <BackToAccounts lang/>
                        <h1>{format!("{} {}", lang.t("Archive :", "Archive:"), view.account_label)}</h1>
                        <Opened id view close lang/>
                    }.into_any(),
                    Err(e) => view! {
                        <h1>{lang.t("Archive introuvable", "Archive not found")}</h1>
                        <p class="form-error" role="alert">{e.message(lang)}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Back to the accounts list: staff allowed on a shared account read its archive but do
/// not manage the account, so its own page would say « Compte introuvable ».
#[component]
fn BackToAccounts(lang: Lang) -> impl IntoView {
    view! { <p><a href="/comptes">{lang.t("← Mes comptes d'envoi", "← My sending accounts")}</a></p> }
}

/// What `/comptes/{id}/archive/cle` said about an uploaded file (from the page's notice).
fn file_outcome(lang: Lang, outcome: Outcome) -> Option<String> {
    Some(match outcome {
        Outcome::Refused(e) => e.message(lang),
        Outcome::File(FileCheck::Damaged) => lang.t(
            "Ce fichier n'est pas une clé de récupération valable, ou il a été modifié.",
            "This file is not a valid recovery key, or it was changed.",
        ).to_owned(),
        Outcome::File(FileCheck::OtherAccount) => lang.t(
            "Ce fichier est une clé de récupération, mais pas celle de ce compte (ou une ancienne).",
            "This file is a recovery key, but not this account's (or an old one).",
        ).to_owned(),
        Outcome::File(FileCheck::Valid | FileCheck::Reset)
        | Outcome::Action { .. }
        | Outcome::DraftSaved
        | Outcome::Queued { .. }
        | Outcome::Done(_) => return None,
    })
}

#[component]
fn Locked(
    id: i64,
    question: Option<String>,
    unlock: ServerAction<UnlockArchive>,
    lang: Lang,
) -> impl IntoView {
    let file_error = use_outcome().and_then(|outcome| file_outcome(lang, outcome));
    let file_error = move || file_error.clone();
    let error = action_error(unlock);
    view! {
        <p>{
            let open_for = lang.duration(vocabulary::limits::ARCHIVE_UNLOCK_SECS);
            match lang {
                Lang::Fr => format!("Les messages envoyés avec ce compte sont chiffrés pour lui : sans la réponse secrète du compte ou sa clé de récupération, personne ne peut les lire, pas même le serveur. Une fois ouverte, l'archive le reste {open_for}, pour cette session seulement."),
                Lang::En => format!("Messages sent with this account are encrypted for it: without the account's secret answer or its recovery key, nobody can read them, not even the server. Once opened, the archive stays open for {open_for}, for this session only."),
            }
        }</p>
        <section class="card" aria-labelledby="answer-title">
            <h2 id="answer-title">{lang.t("Ouvrir avec la réponse secrète", "Open with the secret answer")}</h2>
            <ActionForm action=unlock>
                <input type="hidden" name="id" value=id.to_string()/>
                {question.map(|q| view! { <p>{lang.t("Question : ", "Question: ")}<strong>{q}</strong></p> })}
                <div class="field">
                    <label for="archive_answer">{lang.t("Réponse secrète", "Secret answer")}</label>
                    <input id="archive_answer" name="answer" type="password" autocomplete="off" required
                        aria-describedby="archive-answer-error"/>
                </div>
                <FormError error id="archive-answer-error"/>
                <button type="submit" disabled=move || unlock.pending().get()>{lang.t("Ouvrir l'archive", "Open the archive")}</button>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="file-title">
            <h2 id="file-title">{lang.t("Ou avec la clé de récupération", "Or with the recovery key")}</h2>
            <p class="form-error" role="alert">{file_error}</p>
            <form method="post" action=format!("/comptes/{id}/archive/cle") enctype="multipart/form-data">
                <div class="field">
                    <label for="archive_file">{lang.t("Fichier cleRecuperation.crbee", "cleRecuperation.crbee file")}</label>
                    <input id="archive_file" name="file" type="file" accept=".crbee" required/>
                </div>
                <button type="submit" class="alt">{lang.t("Ouvrir avec le fichier", "Open with the file")}</button>
            </form>
        </section>
    }
}

#[component]
fn Opened(
    id: i64,
    view: ArchiveView,
    close: ServerAction<CloseArchive>,
    lang: Lang,
) -> impl IntoView {
    let minutes = crate::pages::send::minutes(view.open_for_secs);
    view! {
        <div class="card">
            <p role="status">{match lang {
                Lang::Fr => format!("Archive ouverte pour cette session, encore {minutes} min environ."),
                Lang::En => format!("Archive open for this session, about {minutes} more min."),
            }}</p>
            <ActionForm action=close>
                <input type="hidden" name="id" value=id.to_string()/>
                <button type="submit" class="alt">{lang.t("Verrouiller maintenant", "Lock now")}</button>
            </ActionForm>
        </div>
        {(view.unreadable > 0).then(|| view! {
            <p class="form-error">{match lang {
                Lang::Fr => format!("{} message(s) n'ont pas pu être ouverts (copie déplacée ou abîmée) : ils ne sont pas affichés.", view.unreadable),
                Lang::En => format!("{} message(s) could not be opened (moved or damaged copy): they are not shown.", view.unreadable),
            }}</p>
        })}
        {if view.items.is_empty() {
            view! { <p>{lang.t("Aucun message envoyé avec ce compte pour l'instant.", "No message sent with this account yet.")}</p> }.into_any()
        } else {
            view.items.into_iter().map(|item| view! { <Item item lang/> }).collect_view().into_any()
        }}
    }
}

#[component]
fn Item(item: ArchivedView, lang: Lang) -> impl IntoView {
    let count = item.recipients.len();
    let heading = format!("archive-{}", item.message_id);
    let labelled_by = heading.clone();
    view! {
        <article class="card archived" aria-labelledby=labelled_by>
            <h2 id=heading>{item.subject}</h2>
            <p class="hint">{match lang {
                Lang::Fr => format!("Mis en file le {} par {} · {count} destinataire(s)", lang.moment(item.queued_at), item.author),
                Lang::En => format!("Queued on {} by {} · {count} recipient(s)", lang.moment(item.queued_at), item.author),
            }}</p>
            <pre class="message-body">{item.body}</pre>
            {(!item.attachments.is_empty()).then(|| view! {
                <p>{lang.t("Pièces jointes : ", "Attachments: ")}{item.attachments.join(", ")}</p>
            })}
            <details>
                <summary>{lang.t("Destinataires", "Recipients")}</summary>
                <ul>{item.recipients.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
            </details>
        </article>
    }
}
