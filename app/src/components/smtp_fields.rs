//! The fields of an SMTP server, shared by the school's settings (step 1) and an account's
//! own server (step 2): where it is, then how to sign in to it. The password is never
//! shown; the form only says whether one is stored.

use leptos::prelude::*;

use crate::i18n::Lang;
use crate::presets::Login;

/// Host, then port and connection security side by side.
#[component]
pub fn SmtpServerAddress(
    host: String,
    port: String,
    security: String,
    /// The form's error paragraph, announced with the host field.
    error_id: &'static str,
    lang: Lang,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="host">{lang.t("Serveur SMTP", "SMTP server")}</label>
            <input id="host" name="host" type="text" value=host autocomplete="off" spellcheck="false"
                placeholder="smtp.ac-academie.fr" aria-describedby=error_id/>
        </div>
        <div class="field-row">
            <div class="field">
                <label for="port">{lang.t("Port", "Port")}</label>
                <input id="port" name="port" type="text" inputmode="numeric" value=port
                    placeholder="587" aria-describedby="port-hint"/>
                <p id="port-hint" class="hint">{lang.t("Laissé vide : 587 avec STARTTLS, 465 avec TLS.", "Left empty: 587 with STARTTLS, 465 with TLS.")}</p>
            </div>
            <div class="field">
                <label for="security">{lang.t("Sécurité", "Security")}</label>
                <select id="security" name="security" aria-describedby="security-hint">
                    <option value="starttls" selected=security == "starttls">"STARTTLS"</option>
                    <option value="tls" selected=security == "tls">"TLS"</option>
                    <option value="none" selected=security == "none">{lang.t("Aucune (serveur local uniquement)", "None (local server only)")}</option>
                </select>
                <p id="security-hint" class="hint">{lang.t(
                    "Comment la connexion est chiffrée. STARTTLS : chiffrée juste après le premier échange (port 587, le plus courant). TLS : chiffrée dès le début (port 465). En cas de doute, reprenez ce qu'indique votre académie ou votre informaticien.",
                    "How the connection is encrypted. STARTTLS: encrypted right after the first exchange (port 587, the most common). TLS: encrypted from the start (port 465). If unsure, use what your academy or IT person gives.",
                )}</p>
            </div>
        </div>
    }
}

/// User name and password (empty keeps the stored one). `login` says what the relay wants
/// as the user name, when a preset knows it.
#[component]
pub fn SmtpCredentials(
    username: String,
    password_set: bool,
    #[prop(default = None)] login: Option<Login>,
    lang: Lang,
) -> impl IntoView {
    let username_hint = match login {
        Some(Login::AcademicIdentifier) => lang.t(
            "Votre identifiant académique (ex. : jdupont), pas votre adresse e-mail.",
            "Your academic identifier (e.g. jdupont), not your e-mail address.",
        ),
        Some(Login::Address) => lang.t(
            "L'adresse e-mail complète de la boîte qui envoie.",
            "The full e-mail address of the sending mailbox.",
        ),
        None => lang.t(
            "Le nom de connexion au serveur d'envoi, souvent l'adresse e-mail complète du compte.",
            "The name to log in to the sending server, often the account's full e-mail address.",
        ),
    };
    let password_hint = if password_set {
        lang.t(
            "Un mot de passe est enregistré. Laissez vide pour le conserver.",
            "A password is stored. Leave empty to keep it.",
        )
    } else {
        lang.t("Aucun mot de passe enregistré.", "No password stored.")
    };
    view! {
        <div class="field">
            <label for="username">{lang.t("Identifiant SMTP", "SMTP user")}</label>
            <input id="username" name="username" type="text" value=username autocomplete="off"
                aria-describedby="username-hint"/>
            <p id="username-hint" class="hint">{username_hint}</p>
        </div>
        <div class="field">
            <label for="password">{lang.t("Mot de passe SMTP", "SMTP password")}</label>
            <input id="password" name="password" type="password" autocomplete="new-password"
                placeholder=if password_set { "••••••••" } else { "" } aria-describedby="password-hint"/>
            <p id="password-hint" class="hint">{password_hint}</p>
        </div>
    }
}
