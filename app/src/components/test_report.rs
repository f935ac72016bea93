//! The result of a test send: a confirmation, or what went wrong, what to try, and the SMTP
//! exchange (credentials already masked by the server).

use leptos::prelude::*;

use crate::api::types::TestReportView;
use crate::diagnosis::Explain;
use crate::i18n::Lang;
use vocabulary::SendingIntent;

/// The form's first submit button, so its "default button": Enter (or "OK" on a phone's
/// keyboard) in any field of the form presses it, with or without the wasm — and it tests,
/// so Enter never saves settings or activates an account. A form of its own (`form=`)
/// would not do: the test sends the values typed in the settings form, and a field belongs
/// to one form only. Moving the visible test button first would break the reading and
/// focus order. So this button is visually hidden, out of the tab order and hidden from
/// assistive technology (people reach the visible test button, same name, below); it is
/// disabled while a post is pending, which stops Enter from posting twice. `formnovalidate`:
/// a test needs no other required field (such as the secret answer).
#[component]
pub fn EnterRunsTest(#[prop(into)] pending: Signal<bool>, lang: Lang) -> impl IntoView {
    view! {
        <button type="submit" name="intent" value=SendingIntent::Test.as_str() class="visually-hidden" tabindex="-1"
            aria-hidden="true" formnovalidate disabled=move || pending.get()>
            {lang.t("Tester l'envoi d'e-mails", "Test sending e-mail")}
        </button>
    }
}

/// The one disclosure that holds what the server said, as it said it (often English):
/// the French sentence stays on top, the detail is for whoever looks after the relay.
fn technical(lang: Lang) -> &'static str {
    lang.t(
        "Détail technique (pour votre informaticien)",
        "Technical detail (for your IT person)",
    )
}

/// A test's result. `note_unsaved`: say so when it tested values typed but not saved (off
/// in an account's wizard, where nothing is saved before validation).
#[component]
pub fn TestReport(
    report: TestReportView,
    lang: Lang,
    #[prop(default = true)] note_unsaved: bool,
) -> impl IntoView {
    let when = lang.moment(report.at);
    let unsaved = (note_unsaved && !report.of_saved).then(|| {
        view! {
            <p class="report-unsaved"><strong>{lang.t(
                "Test des valeurs saisies, non enregistrées : il ne change pas l'état des paramètres enregistrés.",
                "Test of the values typed, not saved: it does not change the state of the saved settings.",
            )}</strong></p>
        }
    });
    match report.problem {
        None => view! {
            // No role of its own: the page's live region around it announces it (a region
            // inserted with its text is often not read).
            <div class="report ok">
                {unsaved}
                <p class="report-title">{lang.t("Test réussi : le serveur a accepté le message.", "Test passed: the server accepted the message.")}</p>
                <p>{match lang {
                    Lang::Fr => format!("Message envoyé à {} le {when}. Vérifiez la boîte de réception (et le dossier des indésirables).", report.to),
                    Lang::En => format!("Message sent to {} on {when}. Check the inbox (and the spam folder).", report.to),
                }}</p>
                <details>
                    <summary>{technical(lang)}</summary>
                    <p class="hint">{lang.t("Réponse du serveur : ", "Server reply: ")}<code>{report.detail}</code></p>
                </details>
            </div>
        }
        .into_any(),
        Some(problem) => {
            let (what, try_this) = problem.explain(lang);
            view! {
                <div class="report failed" role="alert">
                    {unsaved}
                    <p class="report-title">{lang.t("Le test a échoué. ", "The test failed. ")}{what}</p>
                    <p><strong>{lang.t("À essayer : ", "What to try: ")}</strong>{try_this}</p>
                    <p class="hint">{lang.t("Test du ", "Tested on ")}{when}</p>
                    <details>
                        <summary>{technical(lang)}</summary>
                        <p class="hint">{lang.t("Détail : ", "Detail: ")}<code>{report.detail}</code></p>
                        <p class="hint">{lang.t("Échange avec le serveur (mots de passe masqués) :", "Exchange with the server (passwords masked):")}</p>
                        {if report.transcript.is_empty() {
                            view! { <p class="hint">{lang.t("Aucun échange : la connexion au serveur n'a pas pu commencer.", "No exchange: the connection to the server could not start.")}</p> }.into_any()
                        } else {
                            view! { <pre class="transcript">{report.transcript.join("\n")}</pre> }.into_any()
                        }}
                    </details>
                </div>
            }
            .into_any()
        }
    }
}
