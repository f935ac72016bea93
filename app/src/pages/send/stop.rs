//! "Arrêter l'envoi" on a send's page, for its author and the school's administrators: a
//! link to a confirmation step (`?arreter=1`, so it works before the wasm loads and
//! survives the page's refreshes) that says how many recipients would get nothing, then a
//! plain form "Oui, arrêter". Once stopped, "Reprendre l'envoi" queues the cancelled
//! recipients again. Both forms send the browser back to the page without the confirmation.

use leptos::prelude::*;

use crate::api::sending::{ResumeSend, StopSend};
use crate::components::form_error::{FormError, action_error};
use crate::i18n::Lang;

/// The query parameter that opens the confirmation step.
pub const CONFIRM: &str = "arreter";

/// The page's two actions, kept across its refreshes.
#[derive(Clone, Copy)]
pub struct Stopping {
    pub stop: ServerAction<StopSend>,
    pub resume: ServerAction<ResumeSend>,
}

impl Stopping {
    pub fn new() -> Self {
        Self {
            stop: ServerAction::new(),
            resume: ServerAction::new(),
        }
    }

    /// Changes each time either went through, so the page reads the send again.
    pub fn versions(&self) -> (usize, usize) {
        (self.stop.version().get(), self.resume.version().get())
    }
}

/// What the send's state allows: stop (with its confirmation), or resume.
#[component]
pub fn StopControls(
    id: i64,
    pending: u64,
    cancelled: u64,
    stopped: bool,
    /// The confirmation step is open (`?arreter=1`).
    confirming: bool,
    stopping: Stopping,
    lang: Lang,
) -> impl IntoView {
    let Stopping { stop, resume } = stopping;
    let note = move || {
        let stopped_now = stop.value().get().and_then(Result::ok);
        let resumed = resume.value().get().and_then(Result::ok);
        match (stopped, stopped_now, resumed) {
            (true, Some(n), _) if n > 0 => Some(match lang {
                Lang::Fr => format!("Envoi arrêté : {n} destinataire(s) ne recevront rien."),
                Lang::En => format!("Send stopped: {n} recipient(s) will get nothing."),
            }),
            (false, _, Some(n)) => Some(match lang {
                Lang::Fr => {
                    format!("Envoi repris : {n} destinataire(s) remis dans la file d'envoi.")
                }
                Lang::En => format!("Send resumed: {n} recipient(s) queued again."),
            }),
            (false, Some(0), None) => Some(
                lang.t(
                    "Rien à arrêter : plus aucun destinataire n'était en attente.",
                    "Nothing to stop: no recipient was pending any more.",
                )
                .to_owned(),
            ),
            _ => None,
        }
    };
    let controls = if stopped {
        view! { <Stopped id cancelled resume lang/> }.into_any()
    } else if pending == 0 {
        confirming
            .then(|| {
                view! {
                    <p class="hint">{lang.t(
                        "Il n'y a plus rien à arrêter : aucun destinataire n'est en attente.",
                        "There is nothing left to stop: no recipient is pending.",
                    )}</p>
                }
            })
            .into_any()
    } else if confirming {
        view! { <Confirm id pending stop lang/> }.into_any()
    } else {
        view! {
            <p>
                <a class="button" href=format!("/envois/{id}?{CONFIRM}=1")>
                    {lang.t("Arrêter l'envoi", "Stop the send")}
                </a>
            </p>
        }
        .into_any()
    };
    view! {
        {controls}
        <p class="form-success" role="status">{note}</p>
    }
}

/// "Arrêter l'envoi ? Les N destinataires en attente ne recevront rien."
#[component]
fn Confirm(id: i64, pending: u64, stop: ServerAction<StopSend>, lang: Lang) -> impl IntoView {
    let error = action_error(stop);
    let question = NodeRef::<leptos::html::H2>::new();
    // Reached by a link inside the page (with the wasm): the question gets the focus, so a
    // screen reader reads it next. Runs in the browser only.
    Effect::new(move |_| {
        if let Some(heading) = question.get() {
            heading.focus().ok();
        }
    });
    let consequence = match lang {
        Lang::Fr => format!(
            "Les {pending} destinataire(s) en attente ne recevront rien. Vous pourrez reprendre l'envoi plus tard."
        ),
        Lang::En => format!(
            "The {pending} pending recipient(s) will get nothing. You can resume the send later."
        ),
    };
    view! {
        <section class="card danger stop-confirm" aria-labelledby="stop-title">
            <h2 id="stop-title" tabindex="-1" node_ref=question>
                {lang.t("Arrêter l'envoi ?", "Stop the send?")}
            </h2>
            <p id="stop-consequence">{consequence}</p>
            <ActionForm action=stop>
                <input type="hidden" name="id" value=id.to_string()/>
                <FormError error id="stop-error"/>
                <div class="button-row">
                    <button type="submit" class="danger" disabled=move || stop.pending().get()
                        aria-describedby="stop-consequence stop-error">
                        {lang.t("Oui, arrêter", "Yes, stop")}
                    </button>
                    <a href=format!("/envois/{id}")>{lang.t("Non, continuer l'envoi", "No, keep sending")}</a>
                </div>
            </ActionForm>
        </section>
    }
}

/// A stopped send: how many were cancelled, and "Reprendre l'envoi".
#[component]
fn Stopped(id: i64, cancelled: u64, resume: ServerAction<ResumeSend>, lang: Lang) -> impl IntoView {
    let error = action_error(resume);
    let what = match lang {
        Lang::Fr => format!(
            "{cancelled} destinataire(s) annulé(s) ne recevront rien tant que l'envoi n'est pas repris."
        ),
        Lang::En => format!(
            "{cancelled} cancelled recipient(s) will get nothing unless the send is resumed."
        ),
    };
    view! {
        <section class="card stopped" aria-labelledby="stopped-title">
            <h2 id="stopped-title">{lang.t("Envoi arrêté", "Send stopped")}</h2>
            <p id="stopped-what">{what}</p>
            <ActionForm action=resume>
                <input type="hidden" name="id" value=id.to_string()/>
                <FormError error id="resume-error"/>
                <button type="submit" disabled=move || resume.pending().get()
                    aria-describedby="stopped-what resume-error">
                    {lang.t("Reprendre l'envoi", "Resume the send")}
                </button>
            </ActionForm>
        </section>
    }
}
