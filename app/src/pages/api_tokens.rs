//! "Jetons d'API" (administrators): tokens that let the school's other software (its
//! school-life software, say) queue messages through `/api/v1`. A new token is shown once;
//! a revoked one stops working at once, and so does one whose creator is no longer an
//! administrator (the list says so). Both forms work without the wasm.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::api_tokens::{ApiTokenRow, CreateApiToken, RevokeApiToken, list_api_tokens};
use crate::components::form_error::{FormError, action_error};
use crate::components::session::AdminOnly;
use crate::i18n::{Lang, use_lang};

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Jetons d'API", "API tokens")/>
        <AdminOnly children=move || view! { <Tokens lang/> }/>
    }
}

#[component]
fn Tokens(lang: Lang) -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_tokens(),
    );
    let create_error = action_error(create);
    let revoke_error = action_error(revoke);
    view! {
        <h1>{lang.t("Jetons d'API", "API tokens")}</h1>
        <p>{lang.t(
            "Un jeton permet à un autre logiciel de l'établissement d'envoyer des messages depuis ses comptes établissement actifs et d'en suivre l'état, par l'API décrite ici : ",
            "A token lets another piece of the school's software send messages from its active establishment accounts and follow their status, through the API described here: ",
        )}<a href="/api/v1/openapi.json">"/api/v1/openapi.json"</a></p>
        <section class="card" aria-labelledby="create-token-title">
            <h2 id="create-token-title">{lang.t("Créer un jeton", "Create a token")}</h2>
            <ActionForm action=create>
                <div class="field">
                    <label for="token_label">{lang.t("Pour quel logiciel ?", "For which software?")}</label>
                    <input id="token_label" name="label" type="text" required maxlength="120" aria-describedby="create-token-error"/>
                </div>
                <FormError error=create_error id="create-token-error"/>
                <button type="submit" disabled=move || create.pending().get()>{lang.t("Créer le jeton", "Create the token")}</button>
            </ActionForm>
        </section>
        <FormError error=revoke_error id="revoke-token-error"/>
        <Transition fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(view) => view! {
                        {view.fresh.map(|token| view! {
                            <div class="report ok" role="status">
                                <p class="report-title">{lang.t("Jeton créé. Copiez-le maintenant : il ne sera plus affiché.", "Token created. Copy it now: it will not be shown again.")}</p>
                                <p><code class="fresh-token">{token}</code></p>
                            </div>
                        })}
                        {if view.tokens.is_empty() {
                            view! { <p>{lang.t("Aucun jeton pour l'instant.", "No token yet.")}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="account-list">
                                    {view.tokens.into_iter().map(|t| view! { <TokenItem t revoke lang/> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(lang)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TokenItem(t: ApiTokenRow, revoke: ServerAction<RevokeApiToken>, lang: Lang) -> impl IntoView {
    let used = match &t.last_used_at {
        Some(at) => format!(
            "{}{}",
            lang.t("dernier usage le ", "last used on "),
            lang.moment(*at)
        ),
        None => lang.t("jamais utilisé", "never used").to_owned(),
    };
    view! {
        <li class="card account-item">
            <p><strong>{t.label.clone()}</strong>" · "<code>{format!("{}…", t.prefix)}</code></p>
            <p class="hint">{format!("{}{} · {used}", lang.t("créé le ", "created on "), lang.moment(t.created_at))}</p>
            {match t.revoked_at {
                Some(at) => view! { <p><span class="badge failed">{format!("{}{}", lang.t("révoqué le ", "revoked on "), lang.moment(at))}</span></p> }.into_any(),
                None => view! {
                    {t.creator_gone.then(|| view! {
                        <p class="token-inactive"><span class="badge failed">{lang.t(
                            "Inactif : son créateur n'est plus administrateur",
                            "Inactive: its creator is no longer an administrator",
                        )}</span></p>
                        <p class="hint">{lang.t(
                            "Le jeton est refusé et ce qu'il a mis en file n'est pas envoyé. Il refonctionnerait si son créateur redevenait administrateur : révoquez-le si ce n'est pas voulu.",
                            "The token is refused and what it queued is not sent. It would work again if its creator became an administrator again: revoke it if that is not wanted.",
                        )}</p>
                    })}
                    <ActionForm action=revoke>
                        <input type="hidden" name="id" value=t.id.to_string()/>
                        <button type="submit" class="danger" aria-label=format!("{} : {}", lang.t("Révoquer", "Revoke"), t.label)>
                            {lang.t("Révoquer", "Revoke")}
                        </button>
                    </ActionForm>
                }.into_any(),
            }}
        </li>
    }
}
