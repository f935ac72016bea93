use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_lang;

/// Any unknown address: a clear page with a way back, and a real 404 status.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! {
        <Title text=lang.t("Page introuvable", "Page not found")/>
        <h1>{lang.t("Page introuvable", "Page not found")}</h1>
        <p>{lang.t("Cette adresse ne correspond à aucune page.", "This address matches no page.")}</p>
        <p><a href="/">{lang.t("Retour à l'accueil", "Back to the home page")}</a></p>
    }
}
