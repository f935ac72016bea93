//! One sending account: the wizard's current step (code, secret question, validation), or,
//! once active, its settings, test send and changes guarded by the secret answer. Every
//! form also works as a plain form: the server redirects back here and the page shows the
//! step reached.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::accounts::{
    ChangeAccountAddress, DeleteAccount, ResendCode, SetAccountAuthorisations, SetSecret,
    SubmitAccountSending, SubmitCode, get_account, list_candidates,
};
use crate::api::types::{AccountDetail, AccountKind, AccountState, CandidateRow, Me};
use crate::components::session::SignedIn;
use crate::error::AppError;
use crate::i18n::{Lang, use_lang};
use crate::pages::accounts::state_label;

mod active;
mod authorisations;
mod code_step;
mod recovery_file;
mod secret_step;
mod sending_step;

use active::ActiveAccount;
use code_step::CodeStep;
use secret_step::SecretStep;
use sending_step::SendingStep;

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Compte d'envoi", "Sending account")/>
        <SignedIn children=move |_me: Me| view! { <Wizard lang/> }/>
    }
}

/// The page's actions, shared by the step components; any success reloads the account.
#[derive(Clone, Copy)]
struct Actions {
    code: ServerAction<SubmitCode>,
    resend: ServerAction<ResendCode>,
    /// The wizard's step 3; changing the question once active is its own action, so the
    /// wizard's success is not read later as « Question secrète changée ».
    secret: ServerAction<SetSecret>,
    change_secret: ServerAction<SetSecret>,
    sending: ServerAction<SubmitAccountSending>,
    address: ServerAction<ChangeAccountAddress>,
    delete: ServerAction<DeleteAccount>,
    authorisations: ServerAction<SetAccountAuthorisations>,
    /// Who may send with an establishment account, as the page's filter shows them. Made
    /// here beside the account, and awaited with it, not in a Suspense of its own inside
    /// the account's: a resource made inside another's Suspend could render differently on
    /// the server and in the browser under load, and the page then failed to hydrate.
    candidates: Resource<Result<Vec<CandidateRow>, AppError>>,
}

#[component]
fn Wizard(lang: Lang) -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let query = use_query_map();
    let authorisations = ServerAction::<SetAccountAuthorisations>::new();
    let candidates = Resource::new(
        move || {
            let query = query.read();
            (
                id(),
                query.get("categorie").filter(|c| !c.is_empty()),
                query.get("nom").unwrap_or_default(),
                authorisations.version().get(),
            )
        },
        |(id, category, search, _)| async move {
            match id {
                Some(id) => list_candidates(id, category, Some(search)).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let actions = Actions {
        code: ServerAction::new(),
        resend: ServerAction::new(),
        secret: ServerAction::new(),
        change_secret: ServerAction::new(),
        sending: ServerAction::new(),
        address: ServerAction::new(),
        delete: ServerAction::new(),
        authorisations,
        candidates,
    };
    let versions = move || {
        actions.code.version().get()
            + actions.resend.version().get()
            + actions.secret.version().get()
            + actions.change_secret.version().get()
            + actions.sending.version().get()
            + actions.address.version().get()
    };
    // The step last shown, so that reaching another one moves the focus to it.
    let shown = StoredValue::new(None::<usize>);
    let account = Resource::new(
        move || (id(), versions()),
        |(id, _)| async move {
            match id {
                Some(id) => get_account(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <p><a href="/comptes">{lang.t("← Mes comptes d'envoi", "← My sending accounts")}</a></p>
        <Transition fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(detail) => {
                        // Only an active establishment account's page lists them.
                        let candidates = if detail.kind == AccountKind::Establishment
                            && detail.state == AccountState::Active
                        {
                            Some(actions.candidates.await)
                        } else {
                            None
                        };
                        view! { <Steps detail actions shown candidates lang/> }.into_any()
                    }
                    Err(e) => view! {
                        <h1>{lang.t("Compte introuvable", "Account not found")}</h1>
                        <p class="form-error" role="alert">{e.message(lang)}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn step_number(state: AccountState) -> usize {
    usize::from(state.step())
}

/// The heading that a step's arrival focuses (each is `tabindex="-1"`).
fn step_heading(step: usize) -> &'static str {
    match step {
        2 => "code-title",
        3 => "secret-title",
        4 => "sending-title",
        _ => "account-title",
    }
}

/// After an action leads to another step (with the wasm: the button was disabled while
/// pending, so the focus fell to the page), the new step's heading takes the focus and a
/// screen reader reads it next. Not on the page's first rendering.
fn focus_on_arrival(shown: StoredValue<Option<usize>>, current: usize) {
    Effect::new(move |_| {
        let before = shown.get_value();
        shown.set_value(Some(current));
        if before.is_some_and(|before| before != current) {
            // On the next frame: the effect runs before the new step is in the document.
            request_animation_frame(move || {
                use leptos::wasm_bindgen::JsCast;
                let heading = document()
                    .get_element_by_id(step_heading(current))
                    .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok());
                if let Some(heading) = heading {
                    heading.focus().ok();
                }
            });
        }
    });
}

#[component]
fn Steps(
    detail: AccountDetail,
    actions: Actions,
    shown: StoredValue<Option<usize>>,
    candidates: Option<Result<Vec<CandidateRow>, AppError>>,
    lang: Lang,
) -> impl IntoView {
    let current = step_number(detail.state);
    let names = [
        lang.t("Désignation", "Label"),
        lang.t("Code", "Code"),
        lang.t("Question secrète", "Secret question"),
        lang.t("Validation", "Validation"),
    ];
    focus_on_arrival(shown, current);
    // Each state has its own title: « Étape 3 sur 4 — Question secrète · Secrétariat ».
    let title = match (current, lang) {
        (n @ 2..=4, Lang::Fr) => format!("Étape {n} sur 4 — {} · {}", names[n - 1], detail.label),
        (n @ 2..=4, Lang::En) => format!("Step {n} of 4 — {} · {}", names[n - 1], detail.label),
        _ => format!(
            "{} · {}",
            detail.label,
            lang.t("Compte d'envoi", "Sending account")
        ),
    };
    let step = match detail.state {
        AccountState::AwaitingCode => {
            view! { <CodeStep detail=detail.clone() actions lang/> }.into_any()
        }
        AccountState::AwaitingSecret => {
            view! { <SecretStep detail=detail.clone() actions lang first=true/> }.into_any()
        }
        AccountState::AwaitingValidation => {
            view! { <SendingStep detail=detail.clone() actions lang active=false/> }.into_any()
        }
        AccountState::Active => {
            view! { <ActiveAccount detail=detail.clone() actions candidates lang/> }.into_any()
        }
    };
    view! {
        <Title text=title/>
        <h1 id="account-title" tabindex="-1">{detail.label.clone()}</h1>
        <p>{detail.address.clone()}" · "<span class="badge">{state_label(lang, detail.state)}</span></p>
        {(current <= 4).then(|| view! {
            <ol class="wizard-steps" aria-label=lang.t("Étapes", "Steps")>
                {names.into_iter().enumerate().map(|(i, name)| {
                    let n = i + 1;
                    let class = if n < current { "done" } else if n == current { "current" } else { "" };
                    view! { <li class=class aria-current=(n == current).then_some("step")>{name}</li> }
                }).collect_view()}
            </ol>
        })}
        {step}
    }
}

fn hidden_id(id: i64) -> impl IntoView {
    view! { <input type="hidden" name="id" value=id.to_string()/> }
}
