//! The one way forms show a refusal: a sentence in the user's language, announced to
//! screen readers, placed above the form's button.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::AppError;
use crate::i18n::use_lang;

/// The error of the last submission of `action`, if it failed.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>, id: &'static str) -> impl IntoView {
    let lang = use_lang();
    view! {
        <p id=id class="form-error" role="alert" aria-live="assertive">
            {move || error.get().map(|e| e.message(lang))}
        </p>
    }
}
