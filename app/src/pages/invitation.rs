use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::invitation::{AcceptInvitation, get_invitation};
use crate::components::form_error::{FormError, action_error};
use crate::i18n::use_lang;

/// Where an invitation link lands: choose a password, then you are signed in.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let invitation = Resource::new(token, get_invitation);
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = action_error(accept);
    view! {
        <Title text=lang.t("Choisir un mot de passe", "Choose a password")/>
        <section class="card narrow">
            <h1>{lang.t("Choisir votre mot de passe", "Choose your password")}</h1>
            <Suspense fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
                {move || Suspend::new(async move {
                    match invitation.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.message(lang)}</p> }.into_any(),
                        Ok(info) => view! {
                            <p>
                                {lang.t("Bonjour ", "Hello ")}<strong>{info.display_name}</strong>
                                {lang.t(", vous rejoignez ", ", you are joining ")}<strong>{info.school_name}</strong>"."
                            </p>
                            <ActionForm action=accept>
                                <input type="hidden" name="token" value=token()/>
                                <div class="field">
                                    <label for="password">{lang.t("Mot de passe", "Password")}</label>
                                    <input id="password" name="password" type="password" autocomplete="new-password"
                                        required minlength="10" aria-describedby="password-hint invitation-error"/>
                                    <p id="password-hint" class="hint">
                                        {lang.t("Au moins 10 caractères ; une phrase facile à retenir convient très bien.",
                                                "At least 10 characters; an easy-to-remember sentence works well.")}
                                    </p>
                                </div>
                                <div class="field">
                                    <label for="confirmation">{lang.t("Confirmez le mot de passe", "Confirm the password")}</label>
                                    <input id="confirmation" name="confirmation" type="password" autocomplete="new-password"
                                        required minlength="10" aria-describedby="invitation-error"/>
                                </div>
                                <FormError error id="invitation-error"/>
                                <button type="submit">{lang.t("Enregistrer et me connecter", "Save and sign in")}</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
