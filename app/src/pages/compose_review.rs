//! The compose page's "Vérification" section: the saved draft checked as it would be sent
//! ("3 destinataires reconnus"), every refused piece of the list with its line and why, and
//! the message as the first recipient will read it. All of it comes from the server's
//! check of the saved draft, never from the URL.

use leptos::prelude::*;

use crate::api::sending::review::ReviewView;
use crate::i18n::Lang;

fn recognised_label(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::Fr, 0) => "Aucun destinataire reconnu.".into(),
        (Lang::Fr, 1) => "1 destinataire reconnu".into(),
        (Lang::Fr, n) => format!("{n} destinataires reconnus"),
        (Lang::En, 0) => "No recipient recognised.".into(),
        (Lang::En, 1) => "1 recipient recognised".into(),
        (Lang::En, n) => format!("{n} recipients recognised"),
    }
}

#[component]
pub fn ComposeReview(review: ReviewView, refused_send: bool, lang: Lang) -> impl IntoView {
    let ReviewView {
        recognised,
        duplicates,
        refused,
        refused_total,
        needed_columns: _,
        preview,
    } = review;
    let duplicates = (duplicates > 0).then(|| match lang {
        Lang::Fr => format!(" ({duplicates} doublon(s) retiré(s))"),
        Lang::En => format!(" ({duplicates} duplicate(s) removed)"),
    });
    let problems = (refused_total > 0).then(|| {
        let more = refused_total.saturating_sub(refused.len());
        let heading = match lang {
            Lang::Fr => format!("{refused_total} problème(s) à corriger avant l'envoi :"),
            Lang::En => format!("{refused_total} problem(s) to fix before sending:"),
        };
        view! {
            <div class="review-problems" role=refused_send.then_some("alert")>
                {refused_send.then(|| view! {
                    <p class="form-error">{lang.t("Rien n'a été envoyé.", "Nothing was sent.")}</p>
                })}
                <p id="review-problems-title"><strong>{heading}</strong></p>
                <ul aria-labelledby="review-problems-title">
                    {refused.into_iter().map(|r| view! { <li>{r.message(lang)}</li> }).collect_view()}
                </ul>
                {(more > 0).then(|| view! {
                    <p>{match lang {
                        Lang::Fr => format!("Et {more} autre(s) : corrigez d'abord celles-ci, puis vérifiez de nouveau."),
                        Lang::En => format!("And {more} more: fix these first, then check again."),
                    }}</p>
                })}
            </div>
        }
    });
    view! {
        <section id="verification" class="card review" aria-labelledby="verification-title" tabindex="-1">
            <h2 id="verification-title">{lang.t("Vérification avant l'envoi", "Check before sending")}</h2>
            <p class="review-count" role="status">
                <strong>{recognised_label(lang, recognised)}</strong>
                {duplicates}
            </p>
            {problems}
            {preview.map(|p| view! {
                <div class="preview">
                    <h3>{lang.t("Aperçu pour le premier destinataire", "Preview for the first recipient")}</h3>
                    <dl class="preview-headers">
                        <dt>{lang.t("À", "To")}</dt><dd class="file-name">{p.to}</dd>
                        <dt>{lang.t("Objet", "Subject")}</dt><dd>{p.subject}</dd>
                    </dl>
                    <pre class="preview-body">{p.body}</pre>
                </div>
            })}
        </section>
    }
}
