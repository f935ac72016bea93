//! The web interface: pages, components and server functions, compiled twice — with `ssr`
//! into the server (rendering HTML and running server functions) and with `hydrate` into
//! the wasm bundle that makes the same pages interactive.
//!
//! Invariants:
//! - **Every form is an `ActionForm` (or a plain `<form method="post">`) that works before
//!   the wasm has loaded**; hydration only makes it smoother.
//! - **Server-only code sits behind `#[cfg(feature = "ssr")]`** (the [`ssr`] module and the
//!   bodies of server functions), so the wasm never links the database, mail or crypto.
//! - Errors reach the browser as [`error::AppError`], never as a database or SMTP message.

// Deeply nested views have deeply nested types; the compiler needs room to lay them out.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod diagnosis;
pub mod error;
pub mod i18n;
pub mod notice;
pub mod pages;
pub mod presets;
pub mod sensitive;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod time;
pub mod words;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::components::layout::Layout;
use crate::i18n::Lang;
use crate::pages::{
    account::AccountPage, accounts::AccountsPage, api_tokens::ApiTokensPage, archive::ArchivePage,
    compose::ComposePage, home::HomePage, invitation::InvitationPage, not_found::NotFound,
    send::SendPage, sending_settings::SendingSettingsPage, sends::SendsPage, sign_in::SignInPage,
    staff::StaffPage, staff_member::StaffMemberPage,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                // Named after its content in a release build (cargo-leptos `hash-files`).
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Reads the language the server rendered with: from context on the server, from
/// `<html lang>` in the browser.
fn page_lang() -> Lang {
    #[cfg(feature = "hydrate")]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|code| Lang::from_code(&code))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        use_context::<Lang>().unwrap_or_default()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = page_lang();
    provide_context(lang);
    notice::provide_notice();

    // Lets end-to-end tests wait for interactivity instead of sleeping.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    // Pages render fully before the first byte (SsrMode::Async on every route): a redirect
    // decided while loading data, such as "sign in first", is then a real HTTP redirect that
    // works without the wasm, and a phone gets one complete page.
    view! {
        <Title formatter=move |page: String| format!("{page} · École Courriel")/>
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/connexion") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/invitation/:token") view=InvitationPage ssr=SsrMode::Async/>
                    <Route path=path!("/parametres-envoi") view=SendingSettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/personnels") view=StaffPage ssr=SsrMode::Async/>
                    <Route path=path!("/comptes") view=AccountsPage ssr=SsrMode::Async/>
                    <Route path=path!("/comptes/:id") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/personnels/:id") view=StaffMemberPage ssr=SsrMode::Async/>
                    <Route path=path!("/comptes/:id/archive") view=ArchivePage ssr=SsrMode::Async/>
                    <Route path=path!("/envoyer") view=ComposePage ssr=SsrMode::Async/>
                    <Route path=path!("/jetons-api") view=ApiTokensPage ssr=SsrMode::Async/>
                    <Route path=path!("/envois") view=SendsPage ssr=SsrMode::Async/>
                    <Route path=path!("/envois/:id") view=SendPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}
