//! "Mes envois": the member's sends, newest first, each with its progress.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::sending::list_sends;
use crate::api::types::Me;
use crate::components::session::SignedIn;
use crate::i18n::{Lang, use_lang};
use crate::pages::send::progress_label;

#[component]
pub fn SendsPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Mes envois", "My sends")/>
        <SignedIn children=move |_me: Me| view! { <Sends lang/> }/>
    }
}

#[component]
fn Sends(lang: Lang) -> impl IntoView {
    let sends = Resource::new(|| (), |_| list_sends());
    view! {
        <h1>{lang.t("Mes envois", "My sends")}</h1>
        <p><a class="button" href="/envoyer">{lang.t("Écrire un nouveau message", "Write a new message")}</a></p>
        <Suspense fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match sends.await {
                    Ok(list) if list.is_empty() => view! {
                        <p>{lang.t("Aucun envoi pour l'instant.", "No sends yet.")}</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="account-list">
                            {list.into_iter().map(|s| view! {
                                <li class="card account-item">
                                    <p><a href=format!("/envois/{}", s.id)><strong>{s.subject.clone()}</strong></a></p>
                                    <p class="hint">{format!("{} · {}", s.account_label, s.queued_at)}</p>
                                    <p>{progress_label(lang, &s.progress)}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(lang)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
