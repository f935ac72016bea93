//! « Remplir pour… »: the relays schools have, one click from filled fields. Links and a GET
//! form, so it works before the wasm loads; the page renders its fields from the preset
//! in its query ([`crate::presets::from_query`]), loaded again in full.

use leptos::prelude::*;

use crate::i18n::Lang;
use crate::presets::{ACADEMIES, GOOGLE, MICROSOFT_365, Preset};

/// The choice of a preset for the form of `path` (the page's own path, with no query), and
/// what was filled when one is chosen. `anchor` is where the page lands (the form).
#[component]
pub fn PresetChooser(
    path: String,
    anchor: &'static str,
    chosen: Option<Preset>,
    lang: Lang,
) -> impl IntoView {
    let link = |model: &str| format!("{path}?modele={model}#{anchor}");
    let filled = chosen.map(|preset| match lang {
        Lang::Fr => format!(
            "Serveur, port, sécurité et rythme remplis pour {} ({}, port {}). Vérifiez-les, complétez l'identifiant et le mot de passe, puis testez l'envoi.",
            preset.name, preset.host, preset.port
        ),
        Lang::En => format!(
            "Server, port, security and pace filled for {} ({}, port {}). Check them, add the user name and password, then test sending.",
            preset.name, preset.host, preset.port
        ),
    });
    view! {
        <div class="presets" role="group" aria-labelledby="presets-title">
            <p id="presets-title" class="presets-title">{lang.t("Remplir pour :", "Fill in for:")}</p>
            <ul class="preset-links">
                // rel="external": the page loads again with the preset, as without the wasm,
                // so a form is never rebuilt under what someone typed.
                <li><a href=link("microsoft365") rel="external">{MICROSOFT_365.name}</a></li>
                <li><a href=link("google") rel="external">{GOOGLE.name}</a></li>
                <li><a href=format!("{path}#{anchor}") rel="external">{lang.t("Autre serveur", "Another server")}</a></li>
            </ul>
            <form method="get" action=format!("{path}#{anchor}") class="preset-academy">
                <input type="hidden" name="modele" value="academie"/>
                <label for="academie">{lang.t("Messagerie académique", "Academic mail")}</label>
                <select id="academie" name="academie">
                    {ACADEMIES.iter().map(|(key, name, ..)| {
                        let chosen = chosen.is_some_and(|p| p.key == *key);
                        view! { <option value=*key selected=chosen>{*name}</option> }
                    }).collect_view()}
                </select>
                <button type="submit" class="alt">{lang.t("Remplir", "Fill in")}</button>
            </form>
            <p class="hint" role="status">{filled}</p>
        </div>
    }
}
