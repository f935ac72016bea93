//! The frame of every page: a skip link, the header (school, navigation, language, sign-out)
//! and the main region. Every control in it is a plain form or link, so it works without
//! the wasm and with the keyboard alone.
//!
//! On a phone the navigation and the person's controls fold into a « Menu » disclosure (a
//! native `<details>`: it opens without the wasm too), so the header takes one line of an
//! 844 px screen instead of four; from 40rem up the stylesheet shows them unfolded and hides
//! the « Menu » button.

use leptos::prelude::*;

use crate::api::session::{SignOut, SwitchSchool};
use crate::api::types::Me;
use crate::components::session::provide_me;
use crate::i18n::use_lang;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let lang = use_lang();
    let me = provide_me();
    crate::notice::forget_flash_elsewhere();
    view! {
        // rel="external": the router would scroll without moving focus; the browser moves both.
        <a class="skip-link" href="#contenu" rel="external">{lang.t("Aller au contenu", "Skip to content")}</a>
        <header class="site-header">
            <a class="brand" href="/">"École Courriel"</a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(me)) => view! { <SignedInHeader me/> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Transition>
            <LanguageSwitch/>
        </header>
        <main id="contenu" tabindex="-1">{children()}</main>
    }
}

#[component]
fn SignedInHeader(me: Me) -> impl IntoView {
    let lang = use_lang();
    let sign_out = ServerAction::<SignOut>::new();
    let switch = ServerAction::<SwitchSchool>::new();
    let current = me.school.as_ref().map(|s| s.id);
    let several = me.schools.len() > 1;
    // Following a link of the menu closes it: the header stays in place between pages.
    let menu = NodeRef::<leptos::html::Details>::new();
    let pathname = leptos_router::hooks::use_location().pathname;
    Effect::new(move |_| {
        pathname.track();
        if let Some(menu) = menu.get_untracked() {
            menu.set_open(false);
        }
    });
    view! {
        <details class="menu" node_ref=menu>
        <summary>{lang.t("Menu", "Menu")}</summary>
        <div class="menu-content">
        <nav aria-label=lang.t("Navigation principale", "Main navigation")>
            <ul class="nav-links">
                <li><a href="/">{lang.t("Accueil", "Home")}</a></li>
                {me.school.is_some().then(|| view! {
                    <li><a href="/envoyer">{lang.t("Envoyer un message", "Send a message")}</a></li>
                    <li><a href="/envois">{lang.t("Mes envois", "My sends")}</a></li>
                    <li><a href="/comptes">{lang.t("Mes comptes d'envoi", "My sending accounts")}</a></li>
                })}
                {me.is_admin.then(|| view! {
                    <li><a href="/parametres-envoi">{lang.t("Envoi des e-mails", "E-mail sending")}</a></li>
                    <li><a href="/personnels">{lang.t("Personnels", "Staff")}</a></li>
                    <li><a href="/jetons-api">{lang.t("Jetons d'API", "API tokens")}</a></li>
                })}
            </ul>
        </nav>
        <div class="who">
            <span class="who-name">{me.display_name.clone()}</span>
            {(!several).then(|| me.school.clone().map(|s| view! { <span class="who-school">{s.name}</span> }))}
            {several.then(|| view! {
                <ActionForm action=switch attr:class="inline-form">
                    <label for="school-switch" class="visually-hidden">{lang.t("Établissement", "School")}</label>
                    <select id="school-switch" name="school_id">
                        {me.schools.iter().map(|s| view! {
                            <option value=s.id.to_string() selected=Some(s.id) == current>{s.name.clone()}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class="secondary">{lang.t("Changer", "Switch")}</button>
                </ActionForm>
            })}
            <ActionForm action=sign_out attr:class="inline-form">
                <button type="submit" class="secondary">{lang.t("Se déconnecter", "Sign out")}</button>
            </ActionForm>
        </div>
        </div>
        </details>
    }
}

/// A plain form posting to `/langue`: the server sets the cookie and reloads the page, so the
/// whole document (including `<html lang>`) switches language.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let lang = use_lang();
    let other = lang.other();
    view! {
        <form method="post" action="/langue" class="inline-form lang-switch">
            <input type="hidden" name="lang" value=other.code()/>
            <button type="submit" class="link-button" lang=other.code()>
                {lang.t("English", "Français")}
            </button>
        </form>
    }
}
