//! An active account: its settings, its address, its deletion, and for an establishment
//! account who may use it and its recovery file.

use leptos::prelude::*;

use super::authorisations::Authorisations;
use super::recovery_file::RecoveryFile;
use super::secret_step::{AnswerField, SecretStep};
use super::sending_step::SendingStep;
use super::{Actions, hidden_id};
use crate::api::types::{AccountDetail, CandidateRow};
use crate::components::form_error::{FormError, action_error};
use crate::error::AppError;
use crate::i18n::Lang;

#[component]
pub(super) fn ActiveAccount(
    detail: AccountDetail,
    actions: Actions,
    candidates: Option<Result<Vec<CandidateRow>, AppError>>,
    lang: Lang,
) -> impl IntoView {
    let address_error = action_error(actions.address);
    let delete_error = action_error(actions.delete);
    let id = detail.id;
    view! {
        <p class="form-success">{lang.t(
            "Ce compte est actif : vous pouvez envoyer des e-mails avec lui.",
            "This account is active: you can send e-mail with it.",
        )}</p>
        <p>
            <a href="/envoyer">{lang.t("Envoyer un message", "Send a message")}</a>" · "
            <a href=format!("/comptes/{id}/archive")>{lang.t("Archive des messages envoyés", "Archive of sent messages")}</a>
        </p>
        <SendingStep detail=detail.clone() actions lang active=true/>
        {candidates.map(|candidates| view! {
            <Authorisations id save=actions.authorisations candidates lang/>
            <RecoveryFile id questions=detail.suggested_questions.clone() fingerprint=detail.key_fingerprint.clone().unwrap_or_default() lang/>
        }.into_any())}
        <details class="card">
            <summary>{lang.t("Changer de question secrète", "Change the secret question")}</summary>
            <p>{lang.t("Question actuelle : ", "Current question: ")}{detail.secret_question.clone()}</p>
            <SecretStep detail=detail.clone() actions lang first=false/>
        </details>
        <details class="card">
            <summary>{lang.t("Changer d'adresse", "Change the address")}</summary>
            <ActionForm action=actions.address>
                {hidden_id(id)}
                <p class="hint">{lang.t("Un code sera envoyé à la nouvelle adresse ; le compte redevient actif une fois le code saisi.", "A code will be sent to the new address; the account is active again once the code is typed.")}</p>
                <div class="field">
                    <label for="new_address">{lang.t("Nouvelle adresse", "New address")}</label>
                    <input id="new_address" name="address" type="email" required aria-describedby="address-error"/>
                </div>
                <AnswerField lang id="address_answer" error_id="address-error"/>
                <FormError error=address_error id="address-error"/>
                <button type="submit" class="alt">{lang.t("Changer d'adresse", "Change the address")}</button>
            </ActionForm>
        </details>
        <details class="card">
            <summary>{lang.t("Supprimer le compte", "Delete the account")}</summary>
            <ActionForm action=actions.delete>
                {hidden_id(id)}
                <AnswerField lang id="delete_answer" error_id="delete-error"/>
                <FormError error=delete_error id="delete-error"/>
                <button type="submit" class="danger">{lang.t("Supprimer définitivement", "Delete for good")}</button>
            </ActionForm>
        </details>
    }
}
