//! "Mes envois": the member's sends, newest first, each with its progress. An
//! administrator also sees the school's other sends going on or stopped (staff and API
//! tokens), each a link to its page, where it can be stopped.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::sending::types::SendSummaryView;
use crate::api::sending::{list_others_sends, list_sends};
use crate::api::types::Me;
use crate::components::session::SignedIn;
use crate::i18n::{Lang, use_lang};
use crate::pages::send::progress_label;

#[component]
pub fn SendsPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Mes envois", "My sends")/>
        <SignedIn children=move |me: Me| view! {
            <Sends lang/>
            {me.is_admin.then(|| view! { <OthersSends lang/> })}
        }/>
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
                            {list.into_iter().map(|s| view! { <SendItem s by=None lang/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(lang)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One send: its subject (a link to its page), account, date and progress; `by` names
/// someone else's.
#[component]
fn SendItem(s: SendSummaryView, by: Option<String>, lang: Lang) -> impl IntoView {
    let from = match by {
        Some(by) => format!("{by} · {} · {}", s.account_label, lang.moment(s.queued_at)),
        None => format!("{} · {}", s.account_label, lang.moment(s.queued_at)),
    };
    view! {
        <li class="card account-item">
            <p><a href=format!("/envois/{}", s.id)><strong>{s.subject.clone()}</strong></a></p>
            <p class="hint">{from}</p>
            <p>{progress_label(lang, &s.progress)}</p>
        </li>
    }
}

/// For an administrator: the school's other sends going on or stopped.
#[component]
fn OthersSends(lang: Lang) -> impl IntoView {
    let sends = Resource::new(|| (), |_| list_others_sends());
    view! {
        <section aria-labelledby="others-title">
            <h2 id="others-title">{lang.t("En cours dans l'établissement", "Going on in the school")}</h2>
            <p class="hint">{lang.t(
                "Les envois des autres membres et des logiciels (jetons d'API) qui ne sont pas terminés : ouvrez-en un pour l'arrêter.",
                "Sends by other members and by software (API tokens) that have not finished: open one to stop it.",
            )}</p>
            <Suspense fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
                {move || Suspend::new(async move {
                    match sends.await {
                        Ok(list) if list.is_empty() => view! {
                            <p>{lang.t("Aucun autre envoi en cours.", "No other send going on.")}</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="account-list">
                                {list.into_iter().map(|o| {
                                    let by = match (o.by_api, o.stopped, lang) {
                                        (true, false, Lang::Fr) => format!("API « {} »", o.author),
                                        (true, true, Lang::Fr) => format!("API « {} » · arrêté", o.author),
                                        (false, false, _) => o.author.clone(),
                                        (false, true, Lang::Fr) => format!("{} · arrêté", o.author),
                                        (true, false, Lang::En) => format!("API “{}”", o.author),
                                        (true, true, Lang::En) => format!("API “{}” · stopped", o.author),
                                        (false, true, Lang::En) => format!("{} · stopped", o.author),
                                    };
                                    view! { <SendItem s=o.summary by=Some(by) lang/> }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
