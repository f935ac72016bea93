//! The one way forms show a refusal: a sentence in the user's language, announced to
//! screen readers, placed above the form's button, and given the focus when a submission
//! is refused (the button was disabled while pending, so the focus had fallen to the page;
//! from the message, Tab reaches the button again).

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
    let paragraph = NodeRef::<leptos::html::P>::new();
    // A refusal takes the focus when it arrives (the same one again included) — and when
    // this paragraph is made with one already there while nothing has the focus: a step
    // that refetches its data renders its form again, and the button that had the focus is
    // gone. Not a refusal the page was rendered with while the reader is elsewhere.
    let rendered = StoredValue::new(false);
    Effect::new(move |_| {
        let refused = error.with(Option::is_some);
        let first = !rendered.get_value();
        rendered.set_value(true);
        if refused {
            // On the next frame: the message is then in the document.
            request_animation_frame(move || {
                let focus_lost = document()
                    .active_element()
                    .is_none_or(|active| active.tag_name().eq_ignore_ascii_case("body"));
                if let Some(p) = paragraph.get_untracked()
                    && (!first || focus_lost)
                {
                    p.focus().ok();
                }
            });
        }
    });
    view! {
        <p id=id node_ref=paragraph class="form-error" role="alert" aria-live="assertive" tabindex="-1">
            {move || error.get().map(|e| e.message(lang))}
        </p>
    }
}
