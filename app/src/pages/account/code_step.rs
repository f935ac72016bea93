//! Step 2: the code e-mailed to the account's address, and asking for a new one.

use leptos::prelude::*;

use super::secret_step::AnswerField;
use super::{Actions, hidden_id};
use crate::api::types::AccountDetail;
use crate::components::form_error::{FormError, action_error};
use crate::i18n::Lang;
use vocabulary::limits::{CODE_DIGITS, CODE_LIFETIME_SECS};

#[component]
pub(super) fn CodeStep(detail: AccountDetail, actions: Actions, lang: Lang) -> impl IntoView {
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
                {match lang {
                    Lang::Fr => format!("Un code à {CODE_DIGITS} chiffres a été envoyé à "),
                    Lang::En => format!("A {CODE_DIGITS}-digit code was sent to "),
                }}
                <strong>{detail.address.clone()}</strong>
                {match lang {
                    Lang::Fr => format!(". Il est valable {} et ne sert qu'une fois.", lang.duration(CODE_LIFETIME_SECS)),
                    Lang::En => format!(". It is valid for {}, once.", lang.duration(CODE_LIFETIME_SECS)),
                }}
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
