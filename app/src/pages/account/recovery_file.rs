//! An establishment account's recovery file: checking it, and choosing a new secret
//! question with it in place of the answer.

use leptos::prelude::*;

use crate::i18n::Lang;
use crate::notice::{FileCheck, Outcome, use_outcome};
use vocabulary::RecoveryIntent;

/// What `/comptes/{id}/cle-de-recuperation` said, from the page's notice.
pub(super) fn recovery_outcome(lang: Lang, outcome: Outcome) -> Option<(bool, String)> {
    let t = |fr: &'static str, en: &'static str| lang.t(fr, en).to_owned();
    Some(match outcome {
        Outcome::File(FileCheck::Valid) => (
            true,
            t(
                "Ce fichier est bien la clé de récupération de ce compte, et il est intact.",
                "This file is this account's recovery key, and it is intact.",
            ),
        ),
        Outcome::File(FileCheck::Reset) => (
            true,
            t(
                "Nouvelle question secrète enregistrée grâce à la clé de récupération. L'archive du compte reste lisible.",
                "New secret question saved with the recovery key. The account's archive stays readable.",
            ),
        ),
        Outcome::File(FileCheck::Damaged) => (
            false,
            t(
                "Ce fichier n'est pas une clé de récupération valable, ou il a été modifié : utilisez le fichier reçu en pièce jointe, sans l'ouvrir ni l'enregistrer dans un traitement de texte.",
                "This file is not a valid recovery key, or it was changed: use the file received as an attachment, without opening or saving it in a word processor.",
            ),
        ),
        Outcome::File(FileCheck::OtherAccount) => (
            false,
            t(
                "Ce fichier est une clé de récupération, mais pas celle de ce compte (ou une ancienne) : comparez son empreinte à celle affichée ci-dessus.",
                "This file is a recovery key, but not this account's (or an old one): compare its fingerprint with the one shown above.",
            ),
        ),
        Outcome::Refused(error) => (false, error.message(lang)),
        Outcome::Action { .. }
        | Outcome::DraftSaved
        | Outcome::Queued { .. }
        | Outcome::Done(_) => return None,
    })
}

/// The recovery key: check an uploaded `cleRecuperation.crbee`, or use it to choose a new
/// secret question when the answer is forgotten. Plain multipart forms (no wasm needed).
#[component]
pub(super) fn RecoveryFile(
    id: i64,
    questions: Vec<String>,
    fingerprint: String,
    lang: Lang,
) -> impl IntoView {
    // Computed once: the notice is for this rendering of the page only.
    let outcome = use_outcome().and_then(|outcome| recovery_outcome(lang, outcome));
    let outcome = move || outcome.clone();
    let action = format!("/comptes/{id}/cle-de-recuperation");
    view! {
        <section class="card" aria-labelledby="recovery-title">
            <h2 id="recovery-title">{lang.t("Clé de récupération (cleRecuperation.crbee)", "Recovery key (cleRecuperation.crbee)")}</h2>
            <p class="hint">{lang.t("Empreinte de la clé de ce compte : ", "This account's key fingerprint: ")}<code>{fingerprint}</code></p>
            <div role="status" aria-live="polite">
                {move || outcome().map(|(ok, message)| view! {
                    <p class=if ok { "form-success" } else { "form-error" }>{message}</p>
                })}
            </div>
            <form method="post" action=action.clone() enctype="multipart/form-data" class="recovery-check">
                <input type="hidden" name="intent" value=RecoveryIntent::Check.as_str()/>
                <div class="field">
                    <label for="recovery_check_file">{lang.t("Fichier à vérifier", "File to check")}</label>
                    <input id="recovery_check_file" name="file" type="file" accept=".crbee" required/>
                </div>
                <button type="submit" class="alt">{lang.t("Vérifier le fichier", "Check the file")}</button>
            </form>
            <details>
                <summary>{lang.t("Réponse secrète oubliée ? Choisir une nouvelle question avec le fichier", "Forgot the secret answer? Choose a new question with the file")}</summary>
                <form method="post" action=action enctype="multipart/form-data" class="secret-form">
                    <input type="hidden" name="intent" value=RecoveryIntent::Reset.as_str()/>
                    <div class="field">
                        <label for="recovery_reset_file">{lang.t("Clé de récupération", "Recovery key")}</label>
                        <input id="recovery_reset_file" name="file" type="file" accept=".crbee" required/>
                    </div>
                    <div class="field">
                        <label for="reset_question">{lang.t("Nouvelle question", "New question")}</label>
                        <select id="reset_question" name="question">
                            {questions.into_iter().map(|q| { let q = lang.question(&q); let value = q.clone(); view! { <option value=value>{q}</option> } }).collect_view()}
                            <option value="autre">{lang.t("Une autre question (à écrire ci-dessous)", "Another question (write it below)")}</option>
                        </select>
                    </div>
                    <div class="field custom-question">
                        <label for="reset_custom_question">{lang.t("Votre propre question (si « autre »)", "Your own question (if “another”)")}</label>
                        <input id="reset_custom_question" name="custom_question" type="text" maxlength="200"/>
                    </div>
                    <div class="field">
                        <label for="reset_answer">{lang.t("Nouvelle réponse", "New answer")}</label>
                        <input id="reset_answer" name="answer" type="password" autocomplete="off" required/>
                    </div>
                    <div class="field">
                        <label for="reset_confirmation">{lang.t("Nouvelle réponse, une seconde fois", "New answer, once more")}</label>
                        <input id="reset_confirmation" name="confirmation" type="password" autocomplete="off" required/>
                    </div>
                    <button type="submit">{lang.t("Enregistrer la nouvelle question", "Save the new question")}</button>
                </form>
            </details>
        </section>
    }
}
