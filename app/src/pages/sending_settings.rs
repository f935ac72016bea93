use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::settings::{SubmitSendingSettings, get_sending_settings};
use crate::api::types::{SendingSettingsView, SettingsOutcome};
use crate::components::form_error::{FormError, action_error};
use crate::components::preset_chooser::PresetChooser;
use crate::components::session::AdminOnly;
use crate::components::smtp_fields::{SmtpCredentials, SmtpServerAddress};
use crate::components::test_report::{EnterRunsTest, TestReport};
use crate::error::AppError;
use crate::i18n::{Lang, use_lang};
use crate::notice::{Done, use_done};
use crate::presets::{self, Preset};
use vocabulary::SendingIntent;

/// Step 1: the school's sending settings, and the test send.
#[component]
pub fn SendingSettingsPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Paramètres d'envoi des e-mails", "E-mail sending settings")/>
        <AdminOnly children=move || view! { <SettingsEditor lang/> }/>
    }
}

#[component]
fn SettingsEditor(lang: Lang) -> impl IntoView {
    let submit = ServerAction::<SubmitSendingSettings>::new();
    let error = action_error(submit);
    let settings = Resource::new(move || submit.version().get(), |_| get_sending_settings());
    let preset = presets::from_query();
    view! {
        <h1>{lang.t("Paramètres d'envoi des e-mails", "E-mail sending settings")}</h1>
        <section class="card" aria-labelledby="presets-intro">
            <h2 id="presets-intro">{lang.t("Le serveur de l'établissement", "The school's server")}</h2>
            <p class="hint">{lang.t(
                "Si l'établissement envoie par Microsoft 365, Google ou la messagerie de son académie, choisissez-le : les champs du serveur se remplissent, et restent modifiables.",
                "If the school sends through Microsoft 365, Google or its academy's mail, choose it: the server's fields are filled in, and stay editable.",
            )}</p>
            <PresetChooser path="/parametres-envoi".to_owned() anchor="school-relay" chosen=preset lang/>
        </section>
        <Suspense fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    // A preset link loads the page again (it is not followed in the browser),
                    // so the form is built once with it: a test or a save after it rebuilds
                    // the form in place and keeps what was typed.
                    Ok(view) => {
                        view! { <SettingsForm view preset submit error lang/> }.into_any()
                    }
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(lang)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForm(
    view: SendingSettingsView,
    /// Chosen in the page's query: its values replace the saved server's, still editable.
    preset: Option<Preset>,
    submit: ServerAction<SubmitSendingSettings>,
    error: Signal<Option<AppError>>,
    lang: Lang,
) -> impl IntoView {
    let school = view.relay == "school" || preset.is_some();
    let (host, port, security) = match preset {
        Some(p) => (p.host.to_owned(), p.port.to_string(), p.security.to_owned()),
        None => (view.host.clone(), view.port.clone(), view.security.clone()),
    };
    let (per_minute, per_day) = match preset {
        Some(p) => (p.per_minute, p.per_day),
        None => (view.pace_per_minute, view.pace_per_day),
    };
    let last_test = view.last_test.clone();
    let outcome = move || submit.value().get().and_then(Result::ok);
    // Saved by this page's wasm, or by its plain form post (the notice) until the next post.
    let saved_by_post = matches!(use_done(), Some(Done::SettingsSaved));
    let saved_now = move || match outcome() {
        Some(outcome) => matches!(outcome, SettingsOutcome::Saved),
        None => saved_by_post,
    };
    // The report to show: the one just made, else the school's last one.
    let report = move || match outcome() {
        Some(SettingsOutcome::Tested(report)) => Some(report),
        _ => last_test.clone(),
    };
    view! {
        <ActionForm action=submit attr:class="card settings-form">
            <EnterRunsTest pending=submit.pending() lang/>
            <fieldset>
                <legend>{lang.t("Envoi", "Sending")}</legend>
                <div class="field checkbox">
                    <input id="deliver_all" name="deliver_all_through_server" type="checkbox" value="on"
                        checked=view.deliver_all_through_server aria-describedby="deliver-all-hint"/>
                    <label for="deliver_all">{lang.t("Déléguer l'envoi de tous les e-mails au serveur d'envoi choisi ci-dessous", "Deliver all e-mail through the sending server chosen below")}</label>
                </div>
                <p id="deliver-all-hint" class="hint">
                    {lang.t("Coché : tous les comptes envoient par le serveur choisi ci-dessous. Décoché : un compte peut utiliser son propre serveur SMTP.",
                            "Ticked: every account sends through the relay below. Unticked: an account may use its own SMTP server.")}
                </p>
                <div class="field">
                    <label for="sender_name">{lang.t("Nom d'expéditeur", "Sender name")}</label>
                    <input id="sender_name" name="sender_name" type="text" required maxlength="120" value=view.sender_name.clone()
                        aria-describedby="sender-name-hint settings-error"/>
                    <p id="sender-name-hint" class="hint">{lang.t("En général, le nom de l'établissement.", "Usually the school's name.")}</p>
                </div>
            </fieldset>
            <fieldset class="relay-choice">
                <legend>{lang.t("Serveur d'envoi", "Relay")}</legend>
                <div class="field radio">
                    <input id="relay_hosting" name="relay" type="radio" value="hosting" checked=!school/>
                    <label for="relay_hosting">{lang.t("En utilisant le service fourni par l'hébergeur", "Using the service provided by the host")}</label>
                </div>
                <p class="hint radio-hint">
                    {match view.hosting_relay_host.clone() {
                        Some(host) => match lang {
                            Lang::Fr => format!("Relais de l'hébergeur ({host}). L'expéditeur affiché est le nom ci-dessus ; les réponses reviennent à l'établissement."),
                            Lang::En => format!("The host's relay ({host}). The sender shown is the name above; replies come back to the school."),
                        },
                        None => lang.t(
                            "L'hébergeur n'a pas encore configuré de relais : les messages sont déposés sur le serveur sans être envoyés (installation de développement).",
                            "The host has not configured a relay yet: messages are kept on the server, not sent (development setup).",
                        ).to_owned(),
                    }}
                </p>
                <div class="field radio">
                    <input id="relay_school" name="relay" type="radio" value="school" checked=school/>
                    <label for="relay_school">{lang.t("En utilisant le serveur SMTP de l'établissement", "Using the school's own SMTP server")}</label>
                </div>
                <div class="school-relay" id="school-relay">
                    <SmtpServerAddress host port security error_id="settings-error" lang/>
                    <div class="field">
                        <label for="from_address">{lang.t("Adresse d'expédition", "Sending address")}</label>
                        <input id="from_address" name="from_address" type="email" value=view.from_address.clone()
                            aria-describedby="from-hint"/>
                        <p id="from-hint" class="hint">{lang.t("Une adresse que ce serveur vous autorise à utiliser.", "An address this server lets you send as.")}</p>
                    </div>
                    <SmtpCredentials username=view.username.clone() password_set=view.password_set
                        login=preset.map(|p| p.login) lang/>
                    <RelayPace per_minute per_day lang/>
                </div>
            </fieldset>
            <FormError error id="settings-error"/>
            <p class="form-success" role="status">{move || saved_now().then(|| lang.t("Paramètres enregistrés.", "Settings saved."))}</p>
            <button type="submit" name="intent" value=SendingIntent::Save.as_str() disabled=move || submit.pending().get()>
                {lang.t("Enregistrer", "Save")}
            </button>
            <fieldset class="test-send">
                <legend>{lang.t("Tester l'envoi", "Test sending")}</legend>
                <div class="field">
                    <label for="test_to">{lang.t("Adresse qui recevra le test", "Address to send the test to")}</label>
                    <input id="test_to" name="test_to" type="email" autocomplete="email" aria-describedby="test-hint settings-error"/>
                    <p id="test-hint" class="hint">
                        {lang.t("Le test utilise les paramètres affichés, enregistrés ou non. Il s'arrête au bout de 30 secondes au plus.",
                                "The test uses the settings on screen, saved or not. It stops after 30 seconds at most.")}
                    </p>
                </div>
                <button type="submit" name="intent" value=SendingIntent::Test.as_str() class="alt" disabled=move || submit.pending().get()>
                    {move || if submit.pending().get() { lang.t("Test en cours…", "Testing…") } else { lang.t("Tester l'envoi d'e-mails", "Test sending e-mail") }}
                </button>
            </fieldset>
        </ActionForm>
        <section aria-labelledby="last-test-title">
            <h2 id="last-test-title">{lang.t("Résultat du test", "Test result")}</h2>
            // A live region present before the result arrives, so the result is announced.
            <div role="status">
                {move || match report() {
                    Some(report) => view! { <TestReport report lang/> }.into_any(),
                    None => view! { <p class="hint">{lang.t("Aucun test pour l'instant.", "No test yet.")}</p> }.into_any(),
                }}
            </div>
        </section>
    }
}

/// The school relay's pace: what the relay accepts (Exchange Online: 30 a minute and 10,000
/// a day per mailbox; Google Workspace: about 2,000 a day). Sends never go faster.
#[component]
fn RelayPace(per_minute: u32, per_day: u32, lang: Lang) -> impl IntoView {
    view! {
        <fieldset class="pace">
            <legend>{lang.t("Rythme d'envoi accepté par ce serveur", "Sending pace this server accepts")}</legend>
            <p id="pace-hint" class="hint">{lang.t(
                "Les envois de chaque compte ne dépassent jamais ce rythme. Microsoft 365 (Exchange Online) : 30 par minute et 10 000 par jour ; Google Workspace : environ 2 000 par jour. Laissez vide pour 30 par minute et 10 000 par jour.",
                "Each account's sends never go faster than this. Microsoft 365 (Exchange Online): 30 a minute and 10,000 a day; Google Workspace: about 2,000 a day. Leave empty for 30 a minute and 10,000 a day.",
            )}</p>
            <div class="field inline">
                <label for="pace_per_minute">{lang.t("Messages par minute", "Messages per minute")}</label>
                <input id="pace_per_minute" name="pace_per_minute" type="number" inputmode="numeric" min="1" max="10000"
                    value=per_minute.to_string() aria-describedby="pace-hint settings-error"/>
            </div>
            <div class="field inline">
                <label for="pace_per_day">{lang.t("Messages par jour", "Messages per day")}</label>
                <input id="pace_per_day" name="pace_per_day" type="number" inputmode="numeric" min="1" max="1000000"
                    value=per_day.to_string() aria-describedby="pace-hint settings-error"/>
            </div>
        </fieldset>
    }
}
