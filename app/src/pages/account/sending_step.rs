//! Step 4, and an active account's settings: the server the account sends through, its
//! test send, and validation.

use leptos::prelude::*;

use super::secret_step::AnswerField;
use super::{Actions, hidden_id};
use crate::api::types::{AccountDetail, AccountKind, AccountSendingOutcome};
use crate::components::form_error::{FormError, action_error};
use crate::components::preset_chooser::PresetChooser;
use crate::components::smtp_fields::{SmtpCredentials, SmtpServerAddress};
use crate::components::test_report::{EnterRunsTest, TestReport};
use crate::i18n::Lang;
use crate::notice::{Done, use_done};
use crate::presets;
use vocabulary::SendingIntent;

#[component]
pub(super) fn SendingStep(
    detail: AccountDetail,
    actions: Actions,
    lang: Lang,
    active: bool,
) -> impl IntoView {
    let error = action_error(actions.sending);
    let outcome = move || actions.sending.value().get().and_then(Result::ok);
    let last_test = detail.last_test.clone();
    let report = move || match outcome() {
        Some(AccountSendingOutcome::Tested(report)) => Some(report),
        _ => last_test.clone(),
    };
    let saved_by_post = matches!(use_done(), Some(Done::AccountSettingsSaved));
    let saved = move || match actions.sending.value().get() {
        Some(result) => matches!(result, Ok(AccountSendingOutcome::Saved)),
        None => saved_by_post,
    };
    // Once active, there is something to save only when the account may choose its server.
    let can_save = !active || detail.own_smtp_allowed;
    let establishment = detail.kind == AccountKind::Establishment;
    // A preset in the query fills the own server's fields (still editable).
    let preset = presets::from_query();
    let own = (
        detail.host.clone(),
        detail.port.clone(),
        detail.security.clone(),
    );
    // A preset link loads the page again, so the fields are built once with it.
    let chosen = preset;
    let (host, port, security) = match chosen {
        Some(p) => (p.host.to_owned(), p.port.to_string(), p.security.to_owned()),
        None => own,
    };
    let login = chosen.map(|p| p.login);
    let chooser_path = format!("/comptes/{}", detail.id);
    view! {
        <section class="card" aria-labelledby="sending-title">
            <h2 id="sending-title" tabindex="-1">{if active {
                lang.t("Paramètres d'envoi du compte", "The account's sending settings")
            } else {
                lang.t("Étape 4 : validation", "Step 4: validation")
            }}</h2>
            {detail.own_smtp_allowed.then(|| view! {
                <PresetChooser path=chooser_path anchor="own-server" chosen lang/>
            })}
            <ActionForm action=actions.sending attr:class="settings-form">
                <EnterRunsTest pending=actions.sending.pending() lang/>
                {hidden_id(detail.id)}
                {if detail.own_smtp_allowed {
                    view! {
                        <div class="field checkbox">
                            <input id="use_server_settings" name="use_server_settings" type="checkbox" value="on"
                                checked=detail.use_server_settings && chosen.is_none()
                                aria-describedby="server-settings-hint"/>
                            <label for="use_server_settings">{lang.t("Utiliser les paramètres du serveur", "Use the server settings")}</label>
                        </div>
                        <p id="server-settings-hint" class="hint">{lang.t(
                            "Décochez pour envoyer par votre propre serveur SMTP ; remplissez alors les champs ci-dessous.",
                            "Untick to send through your own SMTP server, and fill in the fields below.",
                        )}</p>
                        <fieldset class="school-relay" id="own-server">
                            <legend>{lang.t("Votre serveur SMTP", "Your SMTP server")}</legend>
                            <SmtpServerAddress host=host.clone() port=port.clone() security=security.clone()
                                error_id="sending-error" lang/>
                            <SmtpCredentials username=detail.username.clone() password_set=detail.password_set
                                login lang/>
                        </fieldset>
                    }.into_any()
                } else {
                    view! {
                        <input type="hidden" name="use_server_settings" value="on"/>
                        <p>{lang.t(
                            "Le compte utilise les paramètres du serveur : l'établissement délègue l'envoi de tous les e-mails au serveur.",
                            "The account uses the server settings: the school delivers all e-mail through the server.",
                        )}</p>
                    }.into_any()
                }}
                // The test comes before validating: validation needs a passing test of these
                // settings (issue 16), so the page reads in the order things are done.
                <fieldset class="test-send">
                    <legend>{lang.t("Tester l'envoi", "Test sending")}</legend>
                    <div class="field">
                        <label for="test_to">{lang.t("Adresse qui recevra le test", "Address to send the test to")}</label>
                        // Always shown (the server fields may be hidden): the form's error is
                        // announced with it.
                        <input id="test_to" name="test_to" type="email" value=detail.address.clone()
                            aria-describedby="sending-error"/>
                    </div>
                    <button type="submit" name="intent" value=SendingIntent::Test.as_str() class="alt" formnovalidate disabled=move || actions.sending.pending().get()>
                        {lang.t("Tester l'envoi d'e-mails", "Test sending e-mail")}
                    </button>
                </fieldset>
                {(active && can_save).then(|| view! { <AnswerField lang id="sending_answer" error_id="sending-error"/> })}
                {(!active && establishment).then(|| view! {
                    <p class="hint">{lang.t(
                        "Votre réponse secrète est demandée une dernière fois : elle ouvre la clé de l'archive, que la clé de récupération (cleRecuperation.crbee, jointe à l'e-mail de confirmation) protégera aussi.",
                        "Your secret answer is asked once more: it opens the archive key, which the recovery key (cleRecuperation.crbee, attached to the confirmation e-mail) will protect too.",
                    )}</p>
                    <AnswerField lang id="validation_answer" error_id="sending-error"/>
                })}
                <FormError error id="sending-error"/>
                <p class="form-success" role="status">{move || saved().then(|| lang.t("Paramètres du compte enregistrés.", "Account settings saved."))}</p>
                {can_save.then(|| view! {
                    <button type="submit" name="intent" value=if active { SendingIntent::Save } else { SendingIntent::Validate }.as_str()
                        disabled=move || actions.sending.pending().get()>
                        {if active { lang.t("Enregistrer", "Save") } else { lang.t("Valider le compte", "Validate the account") }}
                    </button>
                })}
            </ActionForm>
            <h3>{lang.t("Résultat du test", "Test result")}</h3>
            // A live region present before the result arrives, so the result is announced.
            <div role="status">
                {move || match report() {
                    Some(report) => view! { <TestReport report lang note_unsaved=active/> }.into_any(),
                    None => view! { <p class="hint">{lang.t("Aucun test pour l'instant.", "No test yet.")}</p> }.into_any(),
                }}
            </div>
        </section>
    }
}
