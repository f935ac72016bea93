//! One sending account: the wizard's current step (code, secret question, validation), or,
//! once active, its settings, test send and changes guarded by the secret answer. Every
//! form also works as a plain form: the server redirects back here and the page shows the
//! step reached.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::accounts::{
    ChangeAccountAddress, DeleteAccount, ResendCode, SetAccountAuthorisations, SetSecret,
    SubmitAccountSending, SubmitCode, get_account, list_candidates,
};
use crate::api::types::{AccountDetail, AccountSendingOutcome, CandidateRow, Me};
use crate::components::form_error::{FormError, action_error};
use crate::components::session::SignedIn;
use crate::components::smtp_fields::{SmtpCredentials, SmtpServerAddress};
use crate::components::test_report::{EnterRunsTest, TestReport};
use crate::error::AppError;
use crate::i18n::{Lang, use_lang};
use crate::notice::{Done, FileCheck, Outcome, use_done, use_outcome};
use crate::pages::accounts::state_label;

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Compte d'envoi", "Sending account")/>
        <SignedIn children=move |_me: Me| view! { <Wizard lang/> }/>
    }
}

/// The page's actions, shared by the step components; any success reloads the account.
#[derive(Clone, Copy)]
struct Actions {
    code: ServerAction<SubmitCode>,
    resend: ServerAction<ResendCode>,
    /// The wizard's step 3; changing the question once active is its own action, so the
    /// wizard's success is not read later as « Question secrète changée ».
    secret: ServerAction<SetSecret>,
    change_secret: ServerAction<SetSecret>,
    sending: ServerAction<SubmitAccountSending>,
    address: ServerAction<ChangeAccountAddress>,
    delete: ServerAction<DeleteAccount>,
    authorisations: ServerAction<SetAccountAuthorisations>,
    /// Who may send with an establishment account, as the page's filter shows them. Made
    /// here beside the account, and awaited with it, not in a Suspense of its own inside
    /// the account's: a resource made inside another's Suspend could render differently on
    /// the server and in the browser under load, and the page then failed to hydrate.
    candidates: Resource<Result<Vec<CandidateRow>, AppError>>,
}

#[component]
fn Wizard(lang: Lang) -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let query = use_query_map();
    let authorisations = ServerAction::<SetAccountAuthorisations>::new();
    let candidates = Resource::new(
        move || {
            let query = query.read();
            (
                id(),
                query.get("categorie").filter(|c| !c.is_empty()),
                query.get("nom").unwrap_or_default(),
                authorisations.version().get(),
            )
        },
        |(id, category, search, _)| async move {
            match id {
                Some(id) => list_candidates(id, category, Some(search)).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let actions = Actions {
        code: ServerAction::new(),
        resend: ServerAction::new(),
        secret: ServerAction::new(),
        change_secret: ServerAction::new(),
        sending: ServerAction::new(),
        address: ServerAction::new(),
        delete: ServerAction::new(),
        authorisations,
        candidates,
    };
    let versions = move || {
        actions.code.version().get()
            + actions.resend.version().get()
            + actions.secret.version().get()
            + actions.change_secret.version().get()
            + actions.sending.version().get()
            + actions.address.version().get()
    };
    // The step last shown, so that reaching another one moves the focus to it.
    let shown = StoredValue::new(None::<usize>);
    let account = Resource::new(
        move || (id(), versions()),
        |(id, _)| async move {
            match id {
                Some(id) => get_account(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <p><a href="/comptes">{lang.t("← Mes comptes d'envoi", "← My sending accounts")}</a></p>
        <Transition fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(detail) => {
                        // Only an active establishment account's page lists them.
                        let candidates = if detail.kind == "establishment"
                            && step_number(&detail.state) > 4
                        {
                            Some(actions.candidates.await)
                        } else {
                            None
                        };
                        view! { <Steps detail actions shown candidates lang/> }.into_any()
                    }
                    Err(e) => view! {
                        <h1>{lang.t("Compte introuvable", "Account not found")}</h1>
                        <p class="form-error" role="alert">{e.message(lang)}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn step_number(state: &str) -> usize {
    match state {
        "awaiting_code" => 2,
        "awaiting_secret" => 3,
        "awaiting_validation" => 4,
        _ => 5,
    }
}

/// The heading that a step's arrival focuses (each is `tabindex="-1"`).
fn step_heading(step: usize) -> &'static str {
    match step {
        2 => "code-title",
        3 => "secret-title",
        4 => "sending-title",
        _ => "account-title",
    }
}

/// After an action leads to another step (with the wasm: the button was disabled while
/// pending, so the focus fell to the page), the new step's heading takes the focus and a
/// screen reader reads it next. Not on the page's first rendering.
fn focus_on_arrival(shown: StoredValue<Option<usize>>, current: usize) {
    Effect::new(move |_| {
        let before = shown.get_value();
        shown.set_value(Some(current));
        if before.is_some_and(|before| before != current) {
            // On the next frame: the effect runs before the new step is in the document.
            request_animation_frame(move || {
                use leptos::wasm_bindgen::JsCast;
                let heading = document()
                    .get_element_by_id(step_heading(current))
                    .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok());
                if let Some(heading) = heading {
                    heading.focus().ok();
                }
            });
        }
    });
}

#[component]
fn Steps(
    detail: AccountDetail,
    actions: Actions,
    shown: StoredValue<Option<usize>>,
    candidates: Option<Result<Vec<CandidateRow>, AppError>>,
    lang: Lang,
) -> impl IntoView {
    let current = step_number(&detail.state);
    let names = [
        lang.t("Désignation", "Label"),
        lang.t("Code", "Code"),
        lang.t("Question secrète", "Secret question"),
        lang.t("Validation", "Validation"),
    ];
    focus_on_arrival(shown, current);
    // Each state has its own title: « Étape 3 sur 4 — Question secrète · Secrétariat ».
    let title = match (current, lang) {
        (n @ 2..=4, Lang::Fr) => format!("Étape {n} sur 4 — {} · {}", names[n - 1], detail.label),
        (n @ 2..=4, Lang::En) => format!("Step {n} of 4 — {} · {}", names[n - 1], detail.label),
        _ => format!(
            "{} · {}",
            detail.label,
            lang.t("Compte d'envoi", "Sending account")
        ),
    };
    let step = match detail.state.as_str() {
        "awaiting_code" => view! { <CodeStep detail=detail.clone() actions lang/> }.into_any(),
        "awaiting_secret" => {
            view! { <SecretStep detail=detail.clone() actions lang first=true/> }.into_any()
        }
        "awaiting_validation" => {
            view! { <SendingStep detail=detail.clone() actions lang active=false/> }.into_any()
        }
        _ => view! { <ActiveAccount detail=detail.clone() actions candidates lang/> }.into_any(),
    };
    view! {
        <Title text=title/>
        <h1 id="account-title" tabindex="-1">{detail.label.clone()}</h1>
        <p>{detail.address.clone()}" · "<span class="badge">{state_label(lang, &detail.state)}</span></p>
        {(current <= 4).then(|| view! {
            <ol class="wizard-steps" aria-label=lang.t("Étapes", "Steps")>
                {names.into_iter().enumerate().map(|(i, name)| {
                    let n = i + 1;
                    let class = if n < current { "done" } else if n == current { "current" } else { "" };
                    view! { <li class=class aria-current=(n == current).then_some("step")>{name}</li> }
                }).collect_view()}
            </ol>
        })}
        {step}
    }
}

fn hidden_id(id: i64) -> impl IntoView {
    view! { <input type="hidden" name="id" value=id.to_string()/> }
}

#[component]
fn CodeStep(detail: AccountDetail, actions: Actions, lang: Lang) -> impl IntoView {
    let code_error = action_error(actions.code);
    let resend_error = action_error(actions.resend);
    let address_error = action_error(actions.address);
    // The countdown runs in the browser; without the wasm the button stays usable and the
    // server says how long to wait. `counting` is false in the server's HTML.
    let wait = RwSignal::new(detail.resend_in_secs);
    let counting = RwSignal::new(false);
    Effect::new(move |_| {
        counting.set(true);
        if let Ok(handle) = set_interval_with_handle(
            move || wait.update(|w| *w = (*w - 1).max(0)),
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let sent = move || matches!(actions.resend.value().get(), Some(Ok(())));
    let id = detail.id;
    view! {
        <section class="card" aria-labelledby="code-title">
            <h2 id="code-title" tabindex="-1">{lang.t("Étape 2 : le code reçu par e-mail", "Step 2: the code received by e-mail")}</h2>
            <p>
                {lang.t("Un code à 6 chiffres a été envoyé à ", "A 6-digit code was sent to ")}
                <strong>{detail.address.clone()}</strong>
                {lang.t(". Il est valable 10 minutes et ne sert qu'une fois.", ". It is valid for 10 minutes, once.")}
            </p>
            <ActionForm action=actions.code>
                {hidden_id(id)}
                <div class="field">
                    <label for="code">{lang.t("Code de vérification", "Verification code")}</label>
                    <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                        required maxlength="7" size="8" class="code-input" aria-describedby="code-error"/>
                </div>
                <FormError error=code_error id="code-error"/>
                <button type="submit" disabled=move || actions.code.pending().get()>{lang.t("Vérifier le code", "Check the code")}</button>
            </ActionForm>
            <ActionForm action=actions.resend attr:class="resend">
                {hidden_id(id)}
                <FormError error=resend_error id="resend-error"/>
                <p class="form-success" role="status">{move || sent().then(|| lang.t("Un nouveau code a été envoyé ; le précédent ne fonctionne plus.", "A new code was sent; the previous one no longer works."))}</p>
                <button type="submit" class="alt" aria-describedby="resend-error"
                    disabled=move || { (counting.get() && wait.get() > 0) || actions.resend.pending().get() }>
                    {move || match (wait.get(), lang) {
                        (0, _) => lang.t("Renvoyer le code", "Send a new code").to_owned(),
                        (s, Lang::Fr) => format!("Renvoyer le code (dans {s} s)"),
                        (s, Lang::En) => format!("Send a new code (in {s} s)"),
                    }}
                </button>
            </ActionForm>
        </section>
        <details class="card">
            <summary>{lang.t("Changer d'adresse", "Change the address")}</summary>
            <ActionForm action=actions.address>
                {hidden_id(id)}
                <div class="field">
                    <label for="new_address">{lang.t("Nouvelle adresse", "New address")}</label>
                    <input id="new_address" name="address" type="email" required aria-describedby="address-error"/>
                </div>
                {detail.secret_question.is_some().then(|| view! { <AnswerField lang id="address_answer" error_id="address-error"/> })}
                <FormError error=address_error id="address-error"/>
                <button type="submit" class="alt">{lang.t("Envoyer un code à cette adresse", "Send a code to this address")}</button>
            </ActionForm>
        </details>
    }
}

/// The secret answer, asked before a change once the account has one.
/// The secret answer a step asks for again; `error_id` is its form's error, which may be
/// about the answer.
#[component]
fn AnswerField(lang: Lang, id: &'static str, error_id: &'static str) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{lang.t("Réponse à votre question secrète", "Answer to your secret question")}</label>
            <input id=id name="answer" type="password" autocomplete="off" required aria-describedby=error_id/>
        </div>
    }
}

#[component]
fn SecretStep(detail: AccountDetail, actions: Actions, lang: Lang, first: bool) -> impl IntoView {
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
            <p class="hint"><strong>{if detail.kind == "personal" { lang.t(
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

#[component]
fn SendingStep(detail: AccountDetail, actions: Actions, lang: Lang, active: bool) -> impl IntoView {
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
    let establishment = detail.kind == "establishment";
    let security = detail.security.clone();
    view! {
        <section class="card" aria-labelledby="sending-title">
            <h2 id="sending-title" tabindex="-1">{if active {
                lang.t("Paramètres d'envoi du compte", "The account's sending settings")
            } else {
                lang.t("Étape 4 : validation", "Step 4: validation")
            }}</h2>
            <ActionForm action=actions.sending attr:class="settings-form">
                <EnterRunsTest pending=actions.sending.pending() lang/>
                {hidden_id(detail.id)}
                {if detail.own_smtp_allowed {
                    view! {
                        <div class="field checkbox">
                            <input id="use_server_settings" name="use_server_settings" type="checkbox" value="on"
                                checked=detail.use_server_settings aria-describedby="server-settings-hint"/>
                            <label for="use_server_settings">{lang.t("Utiliser les paramètres du serveur", "Use the server settings")}</label>
                        </div>
                        <p id="server-settings-hint" class="hint">{lang.t(
                            "Décochez pour envoyer par votre propre serveur SMTP ; remplissez alors les champs ci-dessous.",
                            "Untick to send through your own SMTP server, and fill in the fields below.",
                        )}</p>
                        <fieldset class="school-relay">
                            <legend>{lang.t("Votre serveur SMTP", "Your SMTP server")}</legend>
                            <SmtpServerAddress host=detail.host.clone() port=detail.port.clone()
                                security=security.clone() error_id="sending-error" lang/>
                            <SmtpCredentials username=detail.username.clone() password_set=detail.password_set lang/>
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
                    <button type="submit" name="intent" value="test" class="alt" formnovalidate disabled=move || actions.sending.pending().get()>
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
                    <button type="submit" name="intent" value=if active { "save" } else { "validate" }
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

#[component]
fn ActiveAccount(
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

/// Who may send with an establishment account: a filter (a plain GET form: category and
/// name), then the filtered staff as checkboxes. The form sends which members it showed,
/// so that those the filter hid keep their right.
#[component]
fn Authorisations(
    id: i64,
    save: ServerAction<SetAccountAuthorisations>,
    candidates: Result<Vec<CandidateRow>, AppError>,
    lang: Lang,
) -> impl IntoView {
    let query = use_query_map();
    let category = move || query.read().get("categorie").unwrap_or_default();
    let search = move || query.read().get("nom").unwrap_or_default();
    let error = action_error(save);
    let saved_by_post = matches!(use_done(), Some(Done::AuthorisationsSaved));
    let saved = move || match save.value().get() {
        Some(result) => result.is_ok(),
        None => saved_by_post,
    };
    view! {
        <section class="card" aria-labelledby="authorisations-title">
            <h2 id="authorisations-title">{lang.t("Personnels autorisés à envoyer avec ce compte", "Staff allowed to send with this account")}</h2>
            // The seeds' « Ajouter des Personnels / Ajouter des Enseignants »: each shows
            // that category to tick. Links and the filter land back on this section.
            <p class="button-row">
                <a href=format!("/comptes/{id}?categorie=personnel#authorisations-title")>{lang.t("Ajouter des Personnels", "Add staff")}</a>
                <a href=format!("/comptes/{id}?categorie=enseignant#authorisations-title")>{lang.t("Ajouter des Enseignants", "Add teachers")}</a>
            </p>
            <form method="get" action=format!("/comptes/{id}#authorisations-title") class="filter-form" role="search" aria-label=lang.t("Filtrer les personnels", "Filter the staff")>
                <div class="field-row">
                    <div class="field">
                        <label for="categorie">{lang.t("Catégorie", "Category")}</label>
                        // `selected` for the server's page; the value property for a link or a
                        // filter followed in the browser (an option's attribute no longer moves
                        // the selection once the selection was set by script).
                        <select id="categorie" name="categorie" prop:value=category>
                            <option value="" selected=move || category().is_empty()>{lang.t("Tous", "All")}</option>
                            <option value="personnel" selected=move || category() == "personnel">{lang.t("Personnels", "Staff")}</option>
                            <option value="enseignant" selected=move || category() == "enseignant">{lang.t("Enseignants", "Teachers")}</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="nom">{lang.t("Nom", "Name")}</label>
                        <input id="nom" name="nom" type="search" value=search/>
                    </div>
                </div>
                <button type="submit" class="alt">{lang.t("Filtrer", "Filter")}</button>
            </form>
            {match candidates {
                Ok(rows) if rows.is_empty() => view! {
                    <p>{lang.t("Aucun personnel ne correspond.", "No staff member matches.")}</p>
                }.into_any(),
                Ok(rows) => view! {
                    <ActionForm action=save>
                        {hidden_id(id)}
                        <fieldset>
                            <legend>{lang.t("Cochez les personnels autorisés", "Tick the staff allowed")}</legend>
                            {rows.into_iter().map(|row| {
                                let field = format!("allowed-{}", row.person_id);
                                view! {
                                    <input type="hidden" name=format!("shown[{}]", row.person_id) value="1"/>
                                    <div class="field checkbox">
                                        <input id=field.clone() type="checkbox" name=format!("allowed[{}]", row.person_id)
                                            value="on" checked=row.authorised/>
                                        <label for=field>{row.display_name.clone()}" "
                                            <span class="badge">{crate::pages::staff::category_label(lang, &row.category)}</span>
                                        </label>
                                    </div>
                                }
                            }).collect_view()}
                        </fieldset>
                        <FormError error id="authorisations-error"/>
                        <p class="form-success" role="status">{move || saved().then(|| lang.t("Autorisations enregistrées.", "Permissions saved."))}</p>
                        <button type="submit" disabled=move || save.pending().get()>{lang.t("Valider les autorisations", "Save the permissions")}</button>
                    </ActionForm>
                }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert">{e.message(lang)}</p> }.into_any(),
            }}
        </section>
    }
}

/// What `/comptes/{id}/cle-de-recuperation` said, from the page's notice.
fn recovery_outcome(lang: Lang, outcome: Outcome) -> Option<(bool, String)> {
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
fn RecoveryFile(id: i64, questions: Vec<String>, fingerprint: String, lang: Lang) -> impl IntoView {
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
                <input type="hidden" name="intent" value="check"/>
                <div class="field">
                    <label for="recovery_check_file">{lang.t("Fichier à vérifier", "File to check")}</label>
                    <input id="recovery_check_file" name="file" type="file" accept=".crbee" required/>
                </div>
                <button type="submit" class="alt">{lang.t("Vérifier le fichier", "Check the file")}</button>
            </form>
            <details>
                <summary>{lang.t("Réponse secrète oubliée ? Choisir une nouvelle question avec le fichier", "Forgot the secret answer? Choose a new question with the file")}</summary>
                <form method="post" action=action enctype="multipart/form-data" class="secret-form">
                    <input type="hidden" name="intent" value="reset"/>
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
