use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::accounts::{CreateAccount, CreateEstablishmentAccount, list_accounts};
use crate::api::types::{AccountDetail, AccountKind, AccountState, AccountsOverview, Me};
use crate::components::form_error::{FormError, action_error};
use crate::components::session::SignedIn;
use crate::i18n::{Lang, use_lang};

/// "Mes comptes d'envoi": the member's accounts with their state, and step 1 of the wizard.
#[component]
pub fn AccountsPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Mes comptes d'envoi", "My sending accounts")/>
        <SignedIn children=move |_me: Me| view! { <Accounts lang/> }/>
    }
}

/// How an account's state reads in a list.
pub fn state_label(lang: Lang, state: AccountState) -> &'static str {
    match state {
        AccountState::AwaitingCode => lang.t("en attente du code", "awaiting the code"),
        AccountState::AwaitingSecret => lang.t(
            "en attente de la question secrète",
            "awaiting the secret question",
        ),
        AccountState::AwaitingValidation => lang.t("à valider", "awaiting validation"),
        AccountState::Active => lang.t("actif", "active"),
    }
}

#[component]
fn Accounts(lang: Lang) -> impl IntoView {
    let overview = Resource::new(|| (), |_| list_accounts());
    view! {
        <h1>{lang.t("Mes comptes d'envoi", "My sending accounts")}</h1>
        <Suspense fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <Overview overview lang/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(lang)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(overview: AccountsOverview, lang: Lang) -> impl IntoView {
    let has_personal = overview
        .accounts
        .iter()
        .any(|a| a.kind == AccountKind::Personal);
    let AccountsOverview {
        accounts,
        usable_establishment,
        is_admin,
        default_label,
    } = overview;
    view! {
        {if accounts.is_empty() {
            view! { <p>{lang.t("Vous n'avez pas encore de compte d'envoi.", "You have no sending account yet.")}</p> }.into_any()
        } else {
            view! {
                <ul class="account-list">
                    {accounts.into_iter().map(|a| view! { <AccountItem a lang/> }).collect_view()}
                </ul>
            }.into_any()
        }}
        {(!has_personal).then(|| view! { <CreateForm default_label lang/> })}
        {(!usable_establishment.is_empty()).then(|| view! {
            <section aria-labelledby="usable-title">
                <h2 id="usable-title">{lang.t("Comptes établissement que je peux utiliser", "Establishment accounts I may use")}</h2>
                <ul class="account-list usable">
                    {usable_establishment.into_iter().map(|a| view! {
                        <li class="card account-item">
                            <p><strong>{a.label.clone()}</strong>" · "{a.address.clone()}</p>
                            <p><a href=format!("/comptes/{}/archive", a.id) aria-label=format!("{} : {}", lang.t("Archive des messages envoyés", "Archive of sent messages"), a.label)>
                                {lang.t("Archive des messages envoyés", "Archive of sent messages")}
                            </a></p>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {is_admin.then(|| view! { <CreateEstablishmentForm lang/> })}
    }
}

#[component]
fn CreateEstablishmentForm(lang: Lang) -> impl IntoView {
    let create = ServerAction::<CreateEstablishmentAccount>::new();
    let error = action_error(create);
    view! {
        <section class="card" aria-labelledby="create-establishment-title">
            <h2 id="create-establishment-title">{lang.t("Créer un compte établissement", "Create an establishment account")}</h2>
            <p class="hint">{lang.t(
                "Une adresse partagée (secrétariat, direction, SEGPA…). Même parcours qu'un compte personnel ; la confirmation apporte en pièce jointe la clé de récupération du compte.",
                "A shared address (office, head…). Same steps as a personal account; the confirmation brings the account's recovery key as an attachment.",
            )}</p>
            <ActionForm action=create>
                <div class="field">
                    <label for="establishment_label">{lang.t("Désignation du compte", "Account label")}</label>
                    <input id="establishment_label" name="label" type="text" required maxlength="120"
                        placeholder=lang.t("Secrétariat", "Office") aria-describedby="create-establishment-error"/>
                </div>
                <div class="field">
                    <label for="establishment_address">{lang.t("Adresse e-mail du compte", "The account's e-mail address")}</label>
                    <input id="establishment_address" name="address" type="email" required
                        aria-describedby="create-establishment-error"/>
                </div>
                <FormError error id="create-establishment-error"/>
                <button type="submit" disabled=move || create.pending().get()>
                    {lang.t("Créer et recevoir le code", "Create and receive the code")}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn AccountItem(a: AccountDetail, lang: Lang) -> impl IntoView {
    let action = if a.state == AccountState::Active {
        lang.t("Ouvrir", "Open")
    } else {
        lang.t("Continuer la configuration", "Continue the set-up")
    };
    let kind = if a.kind == AccountKind::Personal {
        lang.t("Compte personnel", "Personal account")
    } else {
        lang.t("Compte établissement", "Establishment account")
    };
    let badge_class = if a.state == AccountState::Active {
        "badge ok"
    } else {
        "badge"
    };
    view! {
        <li class="card account-item">
            <p class="account-kind">{kind}</p>
            <p><strong>{a.label.clone()}</strong>" · "{a.address.clone()}</p>
            <p><span class=badge_class>{state_label(lang, a.state)}</span></p>
            <p><a href=format!("/comptes/{}", a.id) aria-label=format!("{action} : {}", a.label)>{action}</a></p>
        </li>
    }
}

#[component]
fn CreateForm(default_label: String, lang: Lang) -> impl IntoView {
    let create = ServerAction::<CreateAccount>::new();
    let error = action_error(create);
    view! {
        <section class="card" aria-labelledby="create-title">
            <h2 id="create-title">{lang.t("Créer mon compte personnel", "Create my personal account")}</h2>
            <p class="hint">{lang.t(
                "Étape 1 sur 4 : un code de vérification sera envoyé à l'adresse indiquée.",
                "Step 1 of 4: a verification code will be sent to this address.",
            )}</p>
            <ActionForm action=create>
                <div class="field">
                    <label for="label">{lang.t("Désignation du compte", "Account label")}</label>
                    <input id="label" name="label" type="text" required maxlength="120" value=default_label
                        aria-describedby="create-error"/>
                </div>
                <div class="field">
                    <label for="address">{lang.t("Adresse e-mail personnelle", "Personal e-mail address")}</label>
                    <input id="address" name="address" type="email" required autocomplete="email"
                        aria-describedby="create-error"/>
                </div>
                <FormError error id="create-error"/>
                <button type="submit" disabled=move || create.pending().get()>
                    {lang.t("Créer et recevoir le code", "Create and receive the code")}
                </button>
            </ActionForm>
        </section>
    }
}
