use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::api::session::SignIn;
use crate::components::form_error::{FormError, action_error};
use crate::components::session::use_me;
use crate::i18n::use_lang;

#[component]
pub fn SignInPage() -> impl IntoView {
    let lang = use_lang();
    let me = use_me();
    let sign_in = ServerAction::<SignIn>::new();
    let error = action_error(sign_in);
    view! {
        <Title text=lang.t("Connexion", "Sign in")/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(me.await, Ok(Some(_))).then(|| view! { <Redirect path="/"/> })
            })}
        </Suspense>
        <section class="card narrow">
            <h1>{lang.t("Connexion", "Sign in")}</h1>
            <ActionForm action=sign_in>
                <div class="field">
                    <label for="email">{lang.t("Adresse e-mail", "E-mail address")}</label>
                    <input id="email" name="email" type="email" autocomplete="username" required
                        aria-describedby="sign-in-error"/>
                </div>
                <div class="field">
                    <label for="password">{lang.t("Mot de passe", "Password")}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required
                        aria-describedby="sign-in-error"/>
                </div>
                <FormError error id="sign-in-error"/>
                <button type="submit" disabled=move || sign_in.pending().get()>
                    {lang.t("Se connecter", "Sign in")}
                </button>
            </ActionForm>
            <p class="hint">
                {lang.t(
                    "Pas encore de mot de passe ? Suivez le lien d'invitation reçu par e-mail.",
                    "No password yet? Follow the invitation link you received by e-mail.",
                )}
            </p>
        </section>
    }
}
