use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::accounts::list_accounts;
use crate::api::settings::get_sending_settings;
use crate::api::types::{AccountKind, AccountState, AccountsOverview, Me, SendingSettingsView};
use crate::components::session::SignedIn;
use crate::i18n::{Lang, use_lang};
use crate::pages::accounts::state_label;

/// The home page: the three setup steps of the brief as a checklist.
#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Accueil", "Home")/>
        <SignedIn children=move |me: Me| view! { <Checklist me lang/> }/>
    }
}

#[component]
fn Checklist(me: Me, lang: Lang) -> impl IntoView {
    let Some(school) = me.school.clone() else {
        return view! {
            <h1>{lang.t("Bienvenue", "Welcome")}</h1>
            <p>{lang.t("Vous ne faites partie d'aucun établissement pour l'instant. Demandez à votre administrateur de vous ajouter.",
                       "You do not belong to any school yet. Ask your administrator to add you.")}</p>
        }
        .into_any();
    };
    // Steps 2 and 3 read the same overview: one request.
    let accounts: AccountsResource = Resource::new(|| (), |_| list_accounts());
    view! {
        <h1>{school.name}</h1>
        <h2>{lang.t("Mise en place de l'envoi des e-mails", "Setting up e-mail sending")}</h2>
        <ol class="checklist">
            <li class="step">
                <span class="step-number" aria-hidden="true">"1"</span>
                <div>
                    <h3>{lang.t("Paramètres d'envoi des e-mails", "E-mail sending settings")}</h3>
                    <p>{lang.t("Nom d'expéditeur, serveur d'envoi et test d'envoi. Réservé aux administrateurs.",
                               "Sender name, relay and test send. Administrators only.")}</p>
                    <p class="step-state">
                        <span class="visually-hidden">{lang.t("État : ", "State: ")}</span>
                        {if me.is_admin { view! { <SettingsState lang/> }.into_any() } else {
                            lang.t("Géré par l'administrateur de l'établissement", "Managed by the school's administrator").into_any()
                        }}
                    </p>
                </div>
            </li>
            <li class="step">
                <span class="step-number" aria-hidden="true">"2"</span>
                <div>
                    <h3>{lang.t("Compte personnel", "Personal account")}</h3>
                    <p>{lang.t(
                        "Votre adresse, vérifiée par un code reçu par e-mail, et votre question secrète.",
                        "Your address, verified by an e-mailed code, and your secret question.",
                    )}</p>
                    <p class="step-state">
                        <span class="visually-hidden">{lang.t("État : ", "State: ")}</span>
                        <PersonalAccountState accounts lang/>
                    </p>
                </div>
            </li>
            <li class="step">
                <span class="step-number" aria-hidden="true">"3"</span>
                <div>
                    <h3>{lang.t("Comptes établissement (facultatif)", "Establishment accounts (optional)")}</h3>
                    <p>{lang.t(
                        "Adresses partagées (secrétariat, direction…) et personnels autorisés.",
                        "Shared addresses (office, head…) and the staff allowed to use them.",
                    )}</p>
                    <p class="step-state">
                        <span class="visually-hidden">{lang.t("État : ", "State: ")}</span>
                        <EstablishmentState accounts is_admin=me.is_admin lang/>
                    </p>
                </div>
            </li>
        </ol>
        <ReadyToSend accounts lang/>
        {me.is_admin.then(|| view! {
            <p><a class="button" href="/personnels">{lang.t("Gérer l'annuaire du personnel", "Manage the staff directory")}</a></p>
        })}
    }
    .into_any()
}

type AccountsResource = Resource<Result<AccountsOverview, crate::error::AppError>>;

/// Step 2's state, from the member's personal account.
#[component]
fn PersonalAccountState(accounts: AccountsResource, lang: Lang) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let personal = accounts
                    .await
                    .ok()
                    .and_then(|o| o.accounts.into_iter().find(|a| a.kind == AccountKind::Personal));
                match personal {
                    None => view! { {lang.t("À faire", "To do")}" — "<a href="/comptes">{lang.t("Commencer", "Start")}</a> }.into_any(),
                    Some(a) if a.state == AccountState::Active => view! {
                        {lang.t("Fait — compte actif", "Done — account active")}" — "
                        <a href=format!("/comptes/{}", a.id)>{lang.t("Ouvrir", "Open")}</a>
                    }.into_any(),
                    Some(a) => view! {
                        {lang.t("En cours : ", "In progress: ")}{state_label(lang, a.state)}" — "
                        <a href=format!("/comptes/{}", a.id)>{lang.t("Continuer", "Continue")}</a>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Once the member has an account to send with, the way to the compose page: the checklist
/// is done for them.
#[component]
fn ReadyToSend(accounts: AccountsResource, lang: Lang) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let ready = accounts.await.ok().is_some_and(|o| {
                    o.accounts.iter().any(|a| a.state == AccountState::Active) || !o.usable_establishment.is_empty()
                });
                ready.then(|| view! {
                    <section class="ready" aria-labelledby="ready-title">
                        <h2 id="ready-title">{lang.t("Envoyer des e-mails", "Send e-mails")}</h2>
                        <p>{lang.t(
                            "Vous avez un compte d'envoi actif : vous pouvez écrire aux familles et aux personnels.",
                            "You have an active sending account: you can write to families and staff.",
                        )}</p>
                        <p>
                            <a class="button" href="/envoyer">{lang.t("Envoyer un message", "Send a message")}</a>" "
                            <a href="/envois">{lang.t("Mes envois", "My sends")}</a>
                        </p>
                    </section>
                })
            })}
        </Suspense>
    }
}

/// Step 3's state: how many shared accounts are active (administrators), or which ones the
/// member may use.
#[component]
fn EstablishmentState(accounts: AccountsResource, is_admin: bool, lang: Lang) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let overview = accounts.await.ok();
                let count = |o: &AccountsOverview| {
                    o.accounts.iter().filter(|a| a.kind == AccountKind::Establishment && a.state == AccountState::Active).count()
                };
                match (is_admin, overview) {
                    (true, Some(o)) if count(&o) > 0 => view! {
                        {match lang {
                            Lang::Fr => format!("Fait — {} compte(s) actif(s)", count(&o)),
                            Lang::En => format!("Done — {} active account(s)", count(&o)),
                        }}" — "<a href="/comptes">{lang.t("Ouvrir", "Open")}</a>
                    }.into_any(),
                    (true, _) => view! {
                        {lang.t("Facultatif", "Optional")}" — "<a href="/comptes">{lang.t("Créer", "Create")}</a>
                    }.into_any(),
                    (false, Some(o)) if !o.usable_establishment.is_empty() => view! {
                        {lang.t("Vous pouvez utiliser : ", "You may use: ")}
                        {o.usable_establishment.iter().map(|a| a.label.clone()).collect::<Vec<_>>().join(", ")}
                    }.into_any(),
                    (false, _) => lang.t("Géré par l'administrateur de l'établissement", "Managed by the school's administrator").into_any(),
                }
            })}
        </Suspense>
    }
}

/// Step 1's state, from the school's settings and the last test of them as saved (a test of
/// values typed but not saved changes nothing here).
#[component]
fn SettingsState(lang: Lang) -> impl IntoView {
    let settings = Resource::new(|| (), |_| get_sending_settings());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let state = settings.await.ok().map(|s| step_one_state(&s, lang));
                let label = state.unwrap_or(lang.t("À faire", "To do"));
                view! { {label}" — "<a href="/parametres-envoi">{lang.t("Ouvrir", "Open")}</a> }
            })}
        </Suspense>
    }
}

fn step_one_state(settings: &SendingSettingsView, lang: Lang) -> &'static str {
    match (&settings.saved_test, settings.saved) {
        (Some(test), _) if test.problem.is_none() => {
            lang.t("Fait — dernier test réussi", "Done — last test passed")
        }
        (Some(_), _) => lang.t(
            "À corriger — dernier test en échec",
            "To fix — last test failed",
        ),
        (None, true) => lang.t("Enregistré — à tester", "Saved — to be tested"),
        (None, false) => lang.t("À faire", "To do"),
    }
}
