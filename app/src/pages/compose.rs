//! "Envoyer un message": choose an account, recipients (typed, pasted or a CSV file),
//! subject, text and attachments, optionally from a starting template. A plain multipart
//! form to the server's `/brouillons` handler, which saves the draft first, so it works
//! without the wasm and a refusal comes back here with everything that was typed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::sending::get_compose;
use crate::api::sending::types::{ComposeView, DraftForm, StarterView, UsableAccount};
use crate::api::types::Me;
use crate::components::session::SignedIn;
use crate::error::AppError;
use crate::i18n::{Lang, use_lang};
use crate::pages::compose_review::ComposeReview;
use vocabulary::ComposeIntent;

#[component]
pub fn ComposePage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Envoyer un message", "Send a message")/>
        <SignedIn children=move |_me: Me| view! { <Compose lang/> }/>
    }
}

/// "1,5 Mo", "320 Ko": sizes as a French user reads them.
pub fn size_label(lang: Lang, bytes: u64) -> String {
    let (kb, mb) = (lang.t("Ko", "KB"), lang.t("Mo", "MB"));
    let text = if bytes >= 1024 * 1024 {
        format!("{:.1} {mb}", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} {kb}", bytes.div_ceil(1024))
    };
    match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

#[component]
fn Compose(lang: Lang) -> impl IntoView {
    let query = use_query_map();
    let draft = move || {
        query
            .read()
            .get("brouillon")
            .and_then(|v| v.parse::<i64>().ok())
    };
    let starter = move || query.read().get("modele");
    let data = Resource::new(
        move || (draft(), starter()),
        move |(draft, starter)| get_compose(draft, starter),
    );
    let refusal = StoredValue::new(crate::notice::use_refusal());
    // Computed once: the notice is for this rendering of the page only.
    let saved = matches!(
        crate::notice::use_outcome(),
        Some(crate::notice::Outcome::DraftSaved)
    );
    let outcome = move || {
        let query = query.read();
        let error = refusal.get_value();
        let flags = Flags {
            saved,
            refused_send: query.get("refuse").is_some(),
        };
        (error, flags)
    };
    view! {
        <h1>{lang.t("Envoyer un message", "Send a message")}</h1>
        <p><a href="/envois">{lang.t("Mes envois et leur état", "My sends and their status")}</a></p>
        <Suspense fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                let (error, flags) = outcome();
                match data.await {
                    Ok(view) if view.accounts.is_empty() => view! { <NoAccount lang/> }.into_any(),
                    Ok(view) => view! { <ComposeForm view error flags lang/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(lang)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the last post did: "saved" from the page's notice, "refused" from the redirect's
/// query. Each only picks a fixed sentence: "refused" shows "Rien n'a été envoyé" only beside problems the server's check finds.
#[derive(Clone, Copy, Debug, Default)]
struct Flags {
    saved: bool,
    refused_send: bool,
}

#[component]
fn NoAccount(lang: Lang) -> impl IntoView {
    view! {
        <p>{lang.t(
            "Vous n'avez encore aucun compte d'envoi actif. Configurez votre compte personnel, ou demandez à un administrateur de vous autoriser sur un compte établissement (secrétariat, direction…).",
            "You have no active sending account yet. Set up your personal account, or ask an administrator to allow you on an establishment account (office, head…).",
        )}</p>
        <p><a href="/comptes">{lang.t("Mes comptes d'envoi", "My sending accounts")}</a></p>
    }
}

#[component]
fn ComposeForm(
    view: ComposeView,
    error: Option<AppError>,
    flags: Flags,
    lang: Lang,
) -> impl IntoView {
    let ComposeView {
        accounts,
        starters,
        draft,
        max_attachment_bytes,
        max_attachments,
        max_recipients,
        built_in_fields,
        review,
    } = view;
    let draft_query = draft
        .id
        .map(|id| format!("&brouillon={id}"))
        .unwrap_or_default();
    let fields = built_in_fields
        .iter()
        .map(|f| format!("{{{f}}}"))
        .collect::<Vec<_>>()
        .join(", ");
    let limits = match lang {
        Lang::Fr => format!(
            "Au plus {max_attachments} fichiers et {} au total.",
            size_label(lang, max_attachment_bytes)
        ),
        Lang::En => format!(
            "At most {max_attachments} files and {} in all.",
            size_label(lang, max_attachment_bytes)
        ),
    };
    let recipients_hint = match lang {
        Lang::Fr => format!(
            "Une adresse par ligne (« Anne Martin <anne.martin@exemple.fr> » convient), une liste copiée depuis Outlook (séparée par des ;), Gmail ou Thunderbird (séparée par des virgules), une colonne de tableur, ou un tableau dont la première ligne nomme les colonnes : email;nom;eleve;… Chaque autre colonne remplit le champ du même nom, par exemple {{eleve}}. Au plus {max_recipients} destinataires ; les doublons sont retirés. « Vérifier et prévisualiser » montre combien sont reconnus et le message tel que le premier le recevra."
        ),
        Lang::En => format!(
            "One address per line (“Anne Martin <anne.martin@example.org>” works), a list copied from Outlook (separated by ;), Gmail or Thunderbird (separated by commas), a spreadsheet column, or a table whose first line names the columns: email;nom;eleve;… Every other column fills the field of the same name, e.g. {{eleve}}. At most {max_recipients} recipients; duplicates are removed. “Check and preview” shows how many are recognised and the message as the first one will receive it."
        ),
    };
    view! {
        <section aria-labelledby="starters-title">
            <h2 id="starters-title">{lang.t("Partir d'un modèle", "Start from a template")}</h2>
            <p class="hint">{lang.t(
                "Le modèle remplace l'objet et le texte ; les destinataires et les pièces jointes du brouillon enregistré sont gardés.",
                "The template replaces the subject and text; the saved draft's recipients and attachments are kept.",
            )}</p>
            <ul class="starter-list">
                {starters.into_iter().map(|s| view! { <StarterLink starter=s draft_query=draft_query.clone() lang/> }).collect_view()}
            </ul>
        </section>
        <div role="status" aria-live="polite">
            {flags.saved.then(|| view! { <p class="form-success">{lang.t("Brouillon enregistré.", "Draft saved.")}</p> })}
        </div>
        <div role="alert">
            {error.map(|e| view! { <p class="form-error" id="compose-error">{e.message(lang)}</p> })}
        </div>
        {review.map(|review| view! { <ComposeReview review refused_send=flags.refused_send lang/> })}
        <form method="post" action="/brouillons" enctype="multipart/form-data" class="compose-form card">
            {draft.id.map(|id| view! { <input type="hidden" name="brouillon" value=id.to_string()/> })}
            <AccountChoice accounts selected=draft.account_id lang/>
            <div class="field">
                <label for="destinataires">{lang.t("Destinataires", "Recipients")}</label>
                <textarea id="destinataires" name="destinataires" rows="6" spellcheck="false"
                    aria-describedby="destinataires-hint" prop:value=draft.recipients.clone()>{draft.recipients.clone()}</textarea>
                <p class="hint" id="destinataires-hint">{recipients_hint}</p>
            </div>
            <div class="field">
                <label for="destinataires_csv">{lang.t("Ou un fichier CSV de destinataires (il remplace la liste ci-dessus)", "Or a CSV file of recipients (it replaces the list above)")}</label>
                <input id="destinataires_csv" name="destinataires_csv" type="file" accept=".csv,.txt,text/csv"/>
            </div>
            <div class="field">
                <label for="objet">{lang.t("Objet", "Subject")}</label>
                // `prop:value` as well: after hydration a template chosen by a link must
                // replace what the field shows, not only its default.
                <input id="objet" name="objet" type="text" maxlength="250" value=draft.subject.clone() prop:value=draft.subject.clone()/>
            </div>
            <div class="field">
                <label for="texte">{lang.t("Message", "Message")}</label>
                <textarea id="texte" name="texte" rows="12" aria-describedby="texte-hint" prop:value=draft.body.clone()>{draft.body.clone()}</textarea>
                <p class="hint" id="texte-hint">
                    {lang.t("Remplis pour chaque destinataire : ", "Filled in for each recipient: ")}
                    {fields}
                    {lang.t(", et les colonnes de la liste.", ", and the list's columns.")}
                </p>
            </div>
            <Attachments draft=draft.clone() limits lang/>
            <div class="button-row">
                <button type="submit" name="intent" value=ComposeIntent::Enregistrer.as_str() class="alt">{lang.t("Enregistrer le brouillon", "Save the draft")}</button>
                <button type="submit" name="intent" value=ComposeIntent::Verifier.as_str() class="alt">{lang.t("Vérifier et prévisualiser", "Check and preview")}</button>
                <button type="submit" name="intent" value=ComposeIntent::Envoyer.as_str()>{lang.t("Envoyer", "Send")}</button>
            </div>
        </form>
    }
}

/// A template's link, with the columns its text needs.
#[component]
fn StarterLink(starter: StarterView, draft_query: String, lang: Lang) -> impl IntoView {
    let columns = (!starter.columns.is_empty()).then(|| {
        let names = starter.columns.join(", ");
        view! {
            <span class="hint">{match lang {
                Lang::Fr => format!(" — colonnes nécessaires : {names}"),
                Lang::En => format!(" — columns needed: {names}"),
            }}</span>
        }
    });
    view! {
        <li>
            <a href=format!("/envoyer?modele={}{draft_query}", starter.key)>{starter.title}</a>
            {columns}
        </li>
    }
}

#[component]
fn AccountChoice(accounts: Vec<UsableAccount>, selected: Option<i64>, lang: Lang) -> impl IntoView {
    view! {
        <div class="field">
            <label for="compte">{lang.t("Envoyer depuis le compte", "Send from the account")}</label>
            <select id="compte" name="compte" required>
                {accounts.into_iter().map(|a| {
                    let kind = if a.personal { lang.t("personnel", "personal") } else { lang.t("établissement", "establishment") };
                    view! {
                        <option value=a.id.to_string() selected=selected == Some(a.id)>
                            {format!("{} · {} ({kind})", a.label, a.address)}
                        </option>
                    }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Attachments(draft: DraftForm, limits: String, lang: Lang) -> impl IntoView {
    view! {
        <fieldset>
            <legend>{lang.t("Pièces jointes", "Attachments")}</legend>
            {(!draft.attachments.is_empty()).then(|| view! {
                <ul class="attachment-list">
                    {draft.attachments.into_iter().map(|a| {
                        let field = format!("retirer-{}", a.id);
                        view! {
                            <li class="field checkbox">
                                <input id=field.clone() type="checkbox" name="retirer" value=a.id.to_string()/>
                                <label for=field>
                                    {lang.t("Retirer ", "Remove ")}
                                    <span class="file-name">{a.file_name}</span>
                                    {format!(" ({})", size_label(lang, a.size))}
                                </label>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            <div class="field">
                <label for="pieces">{lang.t("Ajouter des fichiers (PDF, images…)", "Add files (PDF, images…)")}</label>
                <input id="pieces" name="pieces" type="file" multiple aria-describedby="pieces-hint"/>
                <p class="hint" id="pieces-hint">{limits}</p>
            </div>
        </fieldset>
    }
}
