//! Step 3, and its later change: the secret question and answer that guard the account.

use leptos::prelude::*;

use super::{Actions, hidden_id};
use crate::api::types::{AccountDetail, AccountKind};
use crate::components::form_error::{FormError, action_error};
use crate::i18n::Lang;
use crate::notice::{Done, use_done};

/// The secret answer, asked before a change once the account has one.
/// The secret answer a step asks for again; `error_id` is its form's error, which may be
/// about the answer.
#[component]
pub(super) fn AnswerField(lang: Lang, id: &'static str, error_id: &'static str) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{lang.t("Réponse à votre question secrète", "Answer to your secret question")}</label>
            <input id=id name="answer" type="password" autocomplete="off" required aria-describedby=error_id/>
        </div>
    }
}

#[component]
pub(super) fn SecretStep(
    detail: AccountDetail,
    actions: Actions,
    lang: Lang,
    first: bool,
) -> impl IntoView {
    let action = if first {
        actions.secret
    } else {
        actions.change_secret
    };
    let error = action_error(action);
    // Changed by the wasm's action, or by a plain form post (the notice of the reloaded page).
    let changed_by_post = !first && matches!(use_done(), Some(Done::SecretChanged));
    let saved = move || match action.value().get() {
        Some(result) => !first && result.is_ok(),
        None => changed_by_post,
    };
    let prefix = if first { "" } else { "change_" };
    let field = move |name: &str| format!("{prefix}{name}");
    view! {
        <section class="card" aria-labelledby=field("secret-title")>
            <h2 id=field("secret-title") tabindex="-1">{if first {
                lang.t("Étape 3 : question secrète", "Step 3: secret question")
            } else {
                lang.t("Changer de question secrète", "Change the secret question")
            }}</h2>
            <p class="hint">{lang.t(
                "La réponse vous sera demandée pour modifier ou supprimer le compte. Majuscules, accents et espaces ne comptent pas.",
                "The answer is asked for to change or delete the account. Case, accents and spaces do not matter.",
            )}</p>
            // What the answer also guards (issue 16): a personal account has no recovery
            // file, so its archive is lost with the answer.
            <p class="hint"><strong>{if detail.kind == AccountKind::Personal { lang.t(
                "La réponse est aussi la seule clé de l'archive des messages envoyés avec ce compte : si vous l'oubliez, personne (ni l'établissement, ni l'hébergeur) ne pourra relire cette archive. Choisissez une réponse dont vous vous souviendrez.",
                "The answer is also the only key to the archive of the mail sent with this account: if you forget it, no one (not the school, not the host) can read that archive again. Choose an answer you will remember.",
            ) } else { lang.t(
                "La réponse ouvre aussi l'archive des messages envoyés avec ce compte ; le fichier cleRecuperation.crbee, envoyé à l'activation, la remplace si elle est oubliée.",
                "The answer also opens the archive of the mail sent with this account; the cleRecuperation.crbee file, sent at activation, stands in for it if it is forgotten.",
            ) }}</strong></p>
            <ActionForm action=action attr:class="secret-form">
                {hidden_id(detail.id)}
                {(!first).then(|| view! {
                    <div class="field">
                        <label for="current_answer">{lang.t("Réponse actuelle", "Current answer")}</label>
                        <input id="current_answer" name="current_answer" type="password" autocomplete="off" required/>
                    </div>
                })}
                <div class="field">
                    <label for=field("question")>{lang.t("Question", "Question")}</label>
                    <select id=field("question") name="question">
                        {detail.suggested_questions.iter().map(|q| { let q = lang.question(q); let value = q.clone(); view! { <option value=value>{q}</option> } }).collect_view()}
                        <option value="autre">{lang.t("Une autre question (à écrire ci-dessous)", "Another question (write it below)")}</option>
                    </select>
                </div>
                <div class="field custom-question">
                    <label for=field("custom_question")>{lang.t("Votre propre question (si « autre »)", "Your own question (if “another”)")}</label>
                    <input id=field("custom_question") name="custom_question" type="text" maxlength="200"/>
                </div>
                <div class="field">
                    <label for=field("answer")>{lang.t("Réponse", "Answer")}</label>
                    <input id=field("answer") name="answer" type="password" autocomplete="off" required
                        aria-describedby=field("secret-error")/>
                </div>
                <div class="field">
                    <label for=field("confirmation")>{lang.t("Réponse, une seconde fois", "Answer, once more")}</label>
                    <input id=field("confirmation") name="confirmation" type="password" autocomplete="off" required/>
                </div>
                <FormError error id=if first { "secret-error" } else { "change_secret-error" }/>
                <p class="form-success" role="status">{move || saved().then(|| lang.t("Question secrète changée.", "Secret question changed."))}</p>
                <button type="submit" disabled=move || action.pending().get()>
                    {lang.t("Enregistrer la question secrète", "Save the secret question")}
                </button>
            </ActionForm>
        </section>
    }
}
