//! Who is signed in, fetched once per navigation so an ended session shows at once.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use crate::api::session::get_me;
use crate::api::types::Me;
use crate::error::AppError;
use crate::i18n::use_lang;

pub type MeResource = Resource<Result<Option<Me>, AppError>>;

/// Creates the resource and provides it to every page.
pub fn provide_me() -> MeResource {
    let location = use_location();
    let me = Resource::new(move || location.pathname.get(), |_| get_me());
    provide_context(me);
    me
}

pub fn use_me() -> MeResource {
    expect_context::<MeResource>()
}

/// Renders `children` with the signed-in person, or sends visitors to the sign-in page.
#[component]
pub fn SignedIn<F, V>(children: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let me = use_me();
    let lang = use_lang();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => children.with_value(|f| f(me)).into_any(),
                    Ok(None) => view! { <Redirect path="/connexion"/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(lang)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Renders `children` for the school's administrators; others (signed in) are told the page
/// is theirs, and visitors go to the sign-in page. The server enforces the same rule.
#[component]
pub fn AdminOnly<F, V>(children: F) -> impl IntoView
where
    F: Fn() -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let lang = use_lang();
    let children = StoredValue::new(children);
    view! {
        <SignedIn children=move |me: Me| {
            if me.is_admin {
                children.with_value(|f| f()).into_any()
            } else {
                // A page with a heading even when refused, so a screen reader lands on one.
                view! {
                    <h1>{lang.t("Réservé aux administrateurs", "Administrators only")}</h1>
                    <p class="form-error" role="alert">{AppError::Forbidden.message(lang)}</p>
                }.into_any()
            }
        }/>
    }
}
