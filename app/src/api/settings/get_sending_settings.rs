use leptos::prelude::*;

use crate::api::types::SendingSettingsView;
use crate::error::AppError;

/// The session's school's sending settings (administrators only).
#[server(endpoint = "get_sending_settings")]
pub async fn get_sending_settings() -> Result<SendingSettingsView, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let view = domain::sending_settings::get(&state.db, &actor).await?;
    let relay = view.school_relay.clone();
    Ok(SendingSettingsView {
        deliver_all_through_server: view.deliver_all_through_server,
        sender_name: view.sender_name,
        relay: match view.relay {
            domain::sending_settings::RelayKind::Hosting => "hosting".into(),
            domain::sending_settings::RelayKind::School => "school".into(),
        },
        host: relay.as_ref().map(|r| r.host.clone()).unwrap_or_default(),
        port: relay
            .as_ref()
            .map(|r| r.port.to_string())
            .unwrap_or_default(),
        security: relay
            .as_ref()
            .map(|r| r.security.as_str())
            .unwrap_or("starttls")
            .to_owned(),
        from_address: relay
            .as_ref()
            .map(|r| r.from_address.clone())
            .unwrap_or_default(),
        username: relay
            .as_ref()
            .and_then(|r| r.username.clone())
            .unwrap_or_default(),
        password_set: view.password_set,
        saved: view.saved,
        hosting_relay_host: match &state.sending.hosting {
            domain::mail::Mailer::Relay(relay) => Some(relay.endpoint.host.clone()),
            _ => None,
        },
        last_test: view.last_test.map(Into::into),
        saved_test: view.saved_test.map(Into::into),
        pace_per_minute: view.pace.per_minute,
        pace_per_day: view.pace.per_day,
    })
}
