//! One send's status: progress (sent / pending / failed of the total), refreshed every two
//! seconds while recipients are pending, and each recipient's state with the relay's reply
//! or the reason in words. Without the wasm, "Actualiser" reloads the page.
//!
//! A recipient whose address the server refused for good gets a small form in place to
//! correct it and send again; "Renvoyer les échecs" leaves those out and says so.
//!
//! The author and the school's administrators can stop the send, after a confirmation step,
//! and resume it ([`stop`]); an administrator reading someone else's send can do only that.

mod stop;

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::sending::types::{
    DeliveryProblem, DeliveryState, PaceView, RecipientView, SendView, recipient_label,
};
use crate::api::sending::{CorrectRecipient, RetryFailed, get_send};
use crate::api::types::Me;
use crate::components::form_error::{FormError, action_error};
use crate::components::session::SignedIn;
use crate::diagnosis::Explain;
use crate::error::AppError;
use crate::i18n::{Lang, use_lang};
use stop::{CONFIRM, StopControls, Stopping};

/// How often the page asks again while recipients are pending.
const REFRESH: std::time::Duration = std::time::Duration::from_secs(2);

/// The correction forms' shared state, kept across the page's refreshes (each one draws
/// the recipients anew).
#[derive(Clone, Copy)]
struct Corrections {
    action: ServerAction<CorrectRecipient>,
    /// The recipient whose form was sent last, so its refusal shows beside it. Unknown after
    /// a plain post without the wasm: the refusal then shows above the list.
    last_row: RwSignal<Option<i64>>,
    /// What was typed in each form, so that a refresh does not wipe it.
    typed: StoredValue<HashMap<i64, String>>,
    /// A correction form has the focus: the page does not refresh under the typing.
    editing: RwSignal<bool>,
    /// Counts the corrections that went through, to read the send again after each.
    done: RwSignal<u64>,
}

impl Corrections {
    fn new() -> Self {
        let c = Self {
            action: ServerAction::new(),
            last_row: RwSignal::new(None),
            typed: StoredValue::new(HashMap::new()),
            editing: RwSignal::new(false),
            done: RwSignal::new(0),
        };
        // Both run in the browser only.
        Effect::new(move |_| {
            if let Some(sent) = c.action.input().get() {
                c.last_row.set(Some(sent.recipient));
            }
        });
        Effect::new(move |_| {
            if let Some(Ok(_)) = c.action.value().get() {
                if let Some(row) = c.last_row.get_untracked() {
                    c.typed.update_value(|typed| {
                        typed.remove(&row);
                    });
                }
                c.editing.set(false);
                c.done.update(|n| *n += 1);
            }
        });
        c
    }
}

#[component]
pub fn SendPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("État de l'envoi", "Send status")/>
        <SignedIn children=move |_me: Me| view! { <SendStatus lang/> }/>
    }
}

pub fn progress_label(lang: Lang, p: &crate::api::sending::types::ProgressView) -> String {
    let line = match lang {
        Lang::Fr => format!(
            "{} envoyé(s) sur {} · {} en attente · {} échec(s)",
            p.sent, p.total, p.pending, p.failed
        ),
        Lang::En => format!(
            "{} sent of {} · {} pending · {} failed",
            p.sent, p.total, p.pending, p.failed
        ),
    };
    match (lang, p.cancelled) {
        (_, 0) => line,
        (Lang::Fr, n) => format!("{line} · {n} annulé(s)"),
        (Lang::En, n) => format!("{line} · {n} cancelled"),
    }
}

#[component]
fn SendStatus(lang: Lang) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    // From the compose form's notice, once: a link cannot state a count.
    let duplicates = match crate::notice::use_outcome() {
        Some(crate::notice::Outcome::Queued { duplicates }) => duplicates,
        _ => 0,
    };
    let confirming = Memo::new(move |_| query.read().get(CONFIRM).is_some());
    let retry = ServerAction::<RetryFailed>::new();
    let corrections = Corrections::new();
    let stopping = Stopping::new();
    let tick = RwSignal::new(0u64);
    // A refused correction does not read the send again: the form keeps what was typed.
    let send = Resource::new(
        move || {
            (
                id(),
                tick.get(),
                retry.version().get(),
                corrections.done.get(),
                stopping.versions(),
            )
        },
        |(id, _, _, _, _)| async move {
            match id {
                Some(id) => get_send(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // True once the wasm runs: only then does the page update by itself.
    let live = RwSignal::new(false);
    // Polls only while something is pending; runs in the browser only.
    Effect::new(move |_| {
        live.set(true);
        let pending = move || {
            send.with_untracked(|s| match s {
                Some(Ok(v)) => v.summary.progress.pending > 0,
                Some(Err(_)) => false,
                None => true,
            })
        };
        if let Ok(handle) = set_interval_with_handle(
            move || {
                // Nor under the confirmation step, whose buttons would be drawn anew.
                if pending() && !corrections.editing.get_untracked() && !confirming.get_untracked()
                {
                    tick.update(|t| *t += 1);
                }
            },
            REFRESH,
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <p><a href="/envois">{lang.t("← Mes envois", "← My sends")}</a></p>
        <Transition fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
            {move || {
                // Read here, so that opening or closing the confirmation draws the page anew.
                let confirming = confirming.get();
                Suspend::new(async move {
                    match send.await {
                        Ok(view) => view! {
                            <Detail view retry corrections stopping confirming duplicates live lang/>
                        }.into_any(),
                        Err(e) => view! {
                            <h1>{lang.t("Envoi introuvable", "Send not found")}</h1>
                            <p class="form-error" role="alert">{e.message(lang)}</p>
                        }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn Detail(
    view: SendView,
    retry: ServerAction<RetryFailed>,
    corrections: Corrections,
    stopping: Stopping,
    confirming: bool,
    duplicates: u64,
    live: RwSignal<bool>,
    lang: Lang,
) -> impl IntoView {
    let SendView {
        summary,
        recipients,
        pace,
        authored,
        stopped,
    } = view;
    let p = summary.progress;
    let pending = p.pending;
    let id = summary.id;
    let error = action_error(retry);
    // Retries and corrections are the author's, once the send goes on (not stopped).
    let may_retry = authored && !stopped;
    // Failures a retry cannot fix: "Renvoyer les échecs" leaves them to be corrected.
    let refused = if may_retry {
        recipients.iter().filter(|r| r.needs_new_address).count() as u64
    } else {
        0
    };
    let retryable = if may_retry {
        p.failed.saturating_sub(refused)
    } else {
        0
    };
    let retry_described_by = if refused > 0 {
        "retry-error refused-hint"
    } else {
        "retry-error"
    };
    let correction_error = action_error(corrections.action);
    let corrected = move || match corrections.action.value().get() {
        Some(Ok(address)) => Some(match lang {
            Lang::Fr => {
                format!("Adresse corrigée : {address} est de nouveau dans la file d'envoi.")
            }
            Lang::En => format!("Address corrected: {address} is queued again."),
        }),
        _ => None,
    };
    let retried = move || match retry.value().get() {
        Some(Ok(n)) => Some(match lang {
            Lang::Fr => format!("{n} destinataire(s) remis dans la file d'envoi."),
            Lang::En => format!("{n} recipient(s) queued again."),
        }),
        _ => None,
    };
    view! {
        <h1>{summary.subject.clone()}</h1>
        <p>
            {lang.t("Depuis ", "From ")}<strong>{summary.account_label.clone()}</strong>
            {lang.t(", mis en file le ", ", queued on ")}{lang.moment(summary.queued_at)}
        </p>
        {(duplicates > 0).then(|| view! {
            <p class="hint">{match lang {
                Lang::Fr => format!("{duplicates} adresse(s) en double retirée(s) : chacun ne reçoit le message qu'une fois."),
                Lang::En => format!("{duplicates} duplicate address(es) removed: each person gets the message once."),
            }}</p>
        })}
        <section class="card" aria-labelledby="progress-title">
            <h2 id="progress-title">{lang.t("Progression", "Progress")}</h2>
            <progress max=p.total.to_string() value=p.sent.to_string() aria-labelledby="progress-title"></progress>
            <p role="status" aria-live="polite" class="progress-text">{progress_label(lang, &p)}</p>
            {pace.map(|pace| view! { <p class="hint pace-estimate">{pace_label(lang, pace, p.pending)}</p> })}
            <p class="hint">
                {move || if pending > 0 && live.get() {
                    lang.t("La page se met à jour toute seule. ", "The page updates by itself. ")
                } else if pending > 0 {
                    // Without the wasm (or before it loads), only a reload shows progress.
                    lang.t("Pour voir la progression, actualisez la page : ", "To see the progress, refresh the page: ")
                } else if stopped {
                    ""
                } else {
                    lang.t("Envoi terminé. ", "Send finished. ")
                }}
                <a href=format!("/envois/{id}")>{lang.t("Actualiser", "Refresh")}</a>
            </p>
            {(refused > 0).then(|| view! {
                <p id="refused-hint" class="hint">{refused_hint(lang, refused, retryable > 0)}</p>
            })}
            {(retryable > 0).then(|| view! {
                <ActionForm action=retry>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <FormError error id="retry-error"/>
                    <button type="submit" disabled=move || retry.pending().get()
                        aria-describedby=retry_described_by>
                        {lang.t("Renvoyer les échecs", "Retry the failed ones")}
                    </button>
                </ActionForm>
            })}
            <p class="form-success" role="status">{retried}</p>
        </section>
        <StopControls id pending=p.pending cancelled=p.cancelled stopped confirming stopping lang/>
        <section aria-labelledby="recipients-title">
            <h2 id="recipients-title">{lang.t("Destinataires", "Recipients")}</h2>
            <p id="correct-error" class="form-error" role="alert" aria-live="assertive">
                {move || corrections.last_row.get().is_none().then(|| correction_error.get().map(|e| e.message(lang))).flatten()}
            </p>
            <p class="form-success" role="status">{corrected}</p>
            <ul class="recipient-list">
                {recipients.into_iter().map(|r| view! { <Recipient r message_id=id may_correct=may_retry corrections lang/> }).collect_view()}
            </ul>
        </section>
        <p><a href=format!("/comptes/{}/archive", summary.account_id)>{lang.t("Archive du compte", "The account's archive")}</a></p>
    }
}

/// Why some failures are not sent again by "Renvoyer les échecs" (`with_button`: that button
/// is shown too).
fn refused_hint(lang: Lang, refused: u64, with_button: bool) -> String {
    match (lang, with_button) {
        (Lang::Fr, true) => format!(
            "{refused} adresse(s) refusée(s) par le serveur échoueraient de nouveau telles quelles : « Renvoyer les échecs » les laisse de côté. Corrigez-les ci-dessous ; chacune repart dès qu'elle est corrigée."
        ),
        (Lang::Fr, false) => format!(
            "{refused} adresse(s) refusée(s) par le serveur échoueraient de nouveau telles quelles. Corrigez-les ci-dessous ; chacune repart dès qu'elle est corrigée."
        ),
        (Lang::En, true) => format!(
            "{refused} address(es) refused by the server would fail again as they are, so “Retry the failed ones” leaves them out. Correct them below; each goes again as soon as it is corrected."
        ),
        (Lang::En, false) => format!(
            "{refused} address(es) refused by the server would fail again as they are. Correct them below; each goes again as soon as it is corrected."
        ),
    }
}

fn state_label(lang: Lang, state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Sent => lang.t("envoyé", "sent"),
        DeliveryState::Sending => lang.t("en cours d'envoi", "sending"),
        DeliveryState::Retrying => lang.t("nouvel essai prévu", "retry planned"),
        DeliveryState::Failed => lang.t("échec", "failed"),
        DeliveryState::Cancelled => lang.t("annulé", "cancelled"),
        DeliveryState::Queued => lang.t("en attente", "queued"),
    }
}

fn problem_text(lang: Lang, problem: DeliveryProblem) -> &'static str {
    match problem {
        DeliveryProblem::Smtp(p) => p.explain(lang).0,
        DeliveryProblem::AccountUnavailable => lang.t(
            "Le compte d'envoi n'est plus utilisable (supprimé, en cours de modification, ou votre autorisation a été retirée).",
            "The sending account can no longer be used (deleted, being changed, or your permission was withdrawn).",
        ),
        DeliveryProblem::GaveUp => lang.t(
            "Le serveur d'envoi a refusé temporairement trop longtemps : le message a été abandonné pour ce destinataire.",
            "The relay refused temporarily for too long: the message was given up for this recipient.",
        ),
        DeliveryProblem::Unprocessable => lang.t(
            "L'envoi à ce destinataire a été interrompu plusieurs fois sans aboutir : il a été abandonné pour ne pas bloquer les autres envois. Signalez-le à l'hébergeur.",
            "Sending to this recipient was interrupted several times without finishing: it was given up so as not to hold other sends. Tell the host.",
        ),
        DeliveryProblem::TooLarge => lang.t(
            "Une fois rempli pour ce destinataire, le message dépassait la taille permise : il n'a pas été envoyé.",
            "Filled for this recipient, the message exceeded the size allowed: it was not sent.",
        ),
    }
}

/// A wait in whole minutes, rounded up ("dans 1 min" for 20 s).
pub fn minutes(secs: i64) -> i64 {
    (secs + 59) / 60
}

#[component]
fn Recipient(
    r: RecipientView,
    message_id: i64,
    /// The reader may correct a refused address (the author, while the send goes on).
    may_correct: bool,
    corrections: Corrections,
    lang: Lang,
) -> impl IntoView {
    let badge = match r.state {
        DeliveryState::Sent => "badge ok",
        DeliveryState::Failed => "badge failed",
        DeliveryState::Cancelled => "badge cancelled",
        DeliveryState::Queued | DeliveryState::Sending | DeliveryState::Retrying => "badge",
    };
    let who = recipient_label(&r.name, &r.address);
    let correction =
        (r.needs_new_address && may_correct).then(|| (r.id, r.address.clone(), who.clone()));
    let when = match (
        r.state,
        r.next_attempt_in_secs,
        r.sent_at.map(|at| lang.moment(at)),
    ) {
        (DeliveryState::Sent, _, Some(at)) => Some(match lang {
            Lang::Fr => format!("Accepté par le serveur d'envoi le {at}."),
            Lang::En => format!("Accepted by the relay on {at}."),
        }),
        (DeliveryState::Retrying, Some(secs), _) => Some(match lang {
            Lang::Fr => format!(
                "Nouvel essai dans {} min environ (essai n° {} fait).",
                minutes(secs),
                r.attempts
            ),
            Lang::En => format!(
                "Next try in about {} min (attempt {} done).",
                minutes(secs),
                r.attempts
            ),
        }),
        _ => None,
    };
    let reason = (r.state != DeliveryState::Sent)
        .then_some(r.problem)
        .flatten()
        .map(|p| problem_text(lang, p));
    view! {
        <li class="recipient">
            <span class="recipient-address">{who}</span>
            <span class=badge>{state_label(lang, r.state)}</span>
            {when.map(|w| view! { <p class="hint">{w}</p> })}
            {reason.map(|text| view! { <p class="recipient-reason">{text}</p> })}
            {r.reply.map(|reply| view! {
                <p class="hint">{lang.t("Réponse du serveur : ", "Server reply: ")}<code>{reply}</code></p>
            })}
            {correction.map(|(row, address, who)| view! {
                <CorrectionForm row address who message_id corrections lang/>
            })}
        </li>
    }
}

/// "Corriger et renvoyer": the refused address, to be corrected in place. A plain form
/// (it works without the wasm); a refusal shows beside it and keeps what was typed.
#[component]
fn CorrectionForm(
    row: i64,
    address: String,
    who: String,
    message_id: i64,
    corrections: Corrections,
    lang: Lang,
) -> impl IntoView {
    let c = corrections;
    let input_id = format!("correct-{row}");
    let error_id = format!("correct-{row}-error");
    let typed = c
        .typed
        .with_value(|typed| typed.get(&row).cloned())
        .unwrap_or(address);
    let error = action_error(c.action);
    let shown_here = move || {
        (c.last_row.get() == Some(row))
            .then(|| error.get().map(|e| e.message(lang)))
            .flatten()
    };
    view! {
        <ActionForm action=c.action attr:class="correct-form"
            on:focusin=move |_| c.editing.set(true) on:focusout=move |_| c.editing.set(false)>
            <input type="hidden" name="id" value=message_id.to_string()/>
            <input type="hidden" name="recipient" value=row.to_string()/>
            <div class="field">
                <label for=input_id.clone()>
                    {lang.t("Adresse corrigée", "Corrected address")}
                    <span class="visually-hidden">{format!(" ({who})")}</span>
                </label>
                <input id=input_id name="address" type="email" required value=typed
                    autocomplete="off" spellcheck="false"
                    aria-describedby=format!("{error_id} correct-error")
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        c.typed.update_value(|typed| {
                            typed.insert(row, text);
                        });
                    }/>
            </div>
            <p id=error_id class="form-error" role="alert" aria-live="assertive">{shown_here}</p>
            <button type="submit" disabled=move || c.action.pending().get()>
                {lang.t("Corriger et renvoyer", "Correct and send again")}
            </button>
        </ActionForm>
    }
}

/// "Au rythme de 30 par minute (10 000 par jour) : environ 20 min pour les 600 en attente."
fn pace_label(lang: Lang, pace: PaceView, pending: u64) -> String {
    let per = |n: u32| lang.number(u64::from(n));
    let rate = match lang {
        Lang::Fr => format!(
            "{} par minute, {} par jour",
            per(pace.per_minute),
            per(pace.per_day)
        ),
        Lang::En => format!(
            "{} a minute, {} a day",
            per(pace.per_minute),
            per(pace.per_day)
        ),
    };
    let minutes = pace.estimate_secs.div_ceil(60);
    let left = match (lang, pending, minutes) {
        (_, 0, _) => String::new(),
        (Lang::Fr, _, 0) => " : les destinataires en attente partent dans la minute.".to_owned(),
        (Lang::En, _, 0) => ": the pending recipients leave within the minute.".to_owned(),
        (Lang::Fr, n, m) if m < 120 => format!(" : environ {m} min pour les {n} en attente."),
        (Lang::En, n, m) if m < 120 => format!(": about {m} min for the {n} pending."),
        (Lang::Fr, n, m) => format!(" : environ {} h pour les {n} en attente.", m.div_ceil(60)),
        (Lang::En, n, m) => format!(": about {} h for the {n} pending.", m.div_ceil(60)),
    };
    match lang {
        Lang::Fr => format!("Rythme du serveur d'envoi : {rate}{left}"),
        Lang::En => format!("The relay's pace: {rate}{left}"),
    }
}
