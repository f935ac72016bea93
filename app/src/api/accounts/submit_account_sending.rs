use leptos::prelude::*;

use crate::api::types::AccountSendingOutcome;
use crate::error::AppError;
use crate::sensitive::Sensitive;

/// Wizard step 4 and later changes, one form with three buttons: `validate` (activates the
/// account and mails the confirmation), `save` (an active account's new choice; asks for
/// the secret answer) and `test` (sends a test with the choice on screen, saved or not).
/// `validate` works only after a passing test of exactly the choice validated (checked in
/// the domain); any other intent, or none, is refused (400) and changes nothing.
#[server(endpoint = "submit_account_sending")]
#[allow(clippy::too_many_arguments)]
pub async fn submit_account_sending(
    id: i64,
    intent: vocabulary::SendingIntent,
    use_server_settings: Option<String>,
    host: Option<String>,
    port: Option<String>,
    security: Option<String>,
    username: Option<String>,
    password: Option<Sensitive>,
    test_to: Option<String>,
    answer: Option<Sensitive>,
) -> Result<AccountSendingOutcome, AppError> {
    use crate::ssr;
    use domain::accounts::sending::{self, RawSending, SendingInput};
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let password = ssr::secret(password);
    let input = SendingInput::parse(RawSending {
        use_server_settings: use_server_settings.is_some(),
        host: host.as_deref().unwrap_or(""),
        port: port.as_deref().unwrap_or(""),
        security: security.as_deref().unwrap_or("starttls"),
        username: username.as_deref().unwrap_or(""),
        password: password.expose(),
    })?;
    let (db, env, now) = (&state.db, &state.sending, ssr::now());
    use vocabulary::SendingIntent;
    match intent {
        SendingIntent::Test => {
            let to = test_to.unwrap_or_default();
            let report = sending::test_send(db, env, &actor, id, &input, &to, now).await?;
            Ok(AccountSendingOutcome::Tested(report.into()))
        }
        SendingIntent::Save => {
            let answer = ssr::secret(answer);
            let proof = ssr::proof(&state, &answer);
            sending::update(db, env, &actor, id, &input, proof, now).await?;
            ssr::leave_outcome(crate::notice::Done::AccountSettingsSaved);
            Ok(AccountSendingOutcome::Saved)
        }
        SendingIntent::Validate => {
            // An establishment account's recovery file needs the answer again.
            let answer = ssr::secret(answer);
            let proof = ssr::proof(&state, &answer);
            sending::validate(db, env, &actor, id, &input, proof, now).await?;
            Ok(AccountSendingOutcome::Validated)
        }
    }
}
