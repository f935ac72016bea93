use leptos::prelude::*;

use crate::api::types::SettingsOutcome;
use crate::error::AppError;
use crate::sensitive::Sensitive;

/// Saves the settings (`intent=save`) or sends a test message through them as they stand
/// on screen (`intent=test`, to `test_to`). One form, two buttons, so the test never
/// needs a save first. Checkboxes arrive only when ticked; the password only when typed.
/// Any other intent, or none, is refused (400) and changes nothing: Enter in a field posts
/// the form's first button, which the page makes the test (never the save).
#[server(endpoint = "submit_sending_settings")]
#[allow(clippy::too_many_arguments)]
pub async fn submit_sending_settings(
    intent: vocabulary::SendingIntent,
    deliver_all_through_server: Option<String>,
    sender_name: String,
    relay: String,
    host: Option<String>,
    port: Option<String>,
    security: Option<String>,
    from_address: Option<String>,
    username: Option<String>,
    password: Option<Sensitive>,
    pace_per_minute: Option<String>,
    pace_per_day: Option<String>,
    test_to: Option<String>,
) -> Result<SettingsOutcome, AppError> {
    use crate::ssr;
    use domain::sending_settings::{self as settings, RawSettings, SettingsInput};
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let password = ssr::secret(password);
    let input = SettingsInput::parse(RawSettings {
        deliver_all_through_server: deliver_all_through_server.is_some(),
        sender_name: &sender_name,
        relay: &relay,
        host: host.as_deref().unwrap_or(""),
        port: port.as_deref().unwrap_or(""),
        security: security.as_deref().unwrap_or("starttls"),
        from_address: from_address.as_deref().unwrap_or(""),
        username: username.as_deref().unwrap_or(""),
        password: password.expose(),
        pace_per_minute: pace_per_minute.as_deref().unwrap_or(""),
        pace_per_day: pace_per_day.as_deref().unwrap_or(""),
    })?;
    use vocabulary::SendingIntent;
    match intent {
        SendingIntent::Test => {
            let to = test_to.unwrap_or_default();
            let report =
                settings::test_send(&state.db, &state.sending, &actor, &input, &to, ssr::now())
                    .await?;
            Ok(SettingsOutcome::Tested(report.into()))
        }
        SendingIntent::Save => {
            settings::save(&state.db, &state.sending, &actor, &input, ssr::now()).await?;
            ssr::leave_outcome(crate::notice::Done::SettingsSaved);
            Ok(SettingsOutcome::Saved)
        }
        // Step 1 has no validation: its settings count once a test of them passes.
        SendingIntent::Validate => Err(AppError::Request),
    }
}
