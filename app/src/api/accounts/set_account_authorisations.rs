use leptos::prelude::*;
use std::collections::BTreeMap;

use crate::error::AppError;

/// The authorisation form: `shown[<person>]` for each member the (filtered) list showed,
/// `allowed[<person>]=on` for each one ticked. Members the filter hid keep their right.
#[server(endpoint = "set_account_authorisations")]
pub async fn set_account_authorisations(
    id: i64,
    shown: Option<BTreeMap<String, String>>,
    allowed: Option<BTreeMap<String, String>>,
) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let ids = |map: Option<BTreeMap<String, String>>| -> Vec<i64> {
        map.unwrap_or_default()
            .keys()
            .filter_map(|k| k.parse().ok())
            .collect()
    };
    domain::accounts::authorisations::update(
        &state.db,
        &actor,
        id,
        &ids(shown),
        &ids(allowed),
        ssr::now(),
    )
    .await?;
    ssr::leave_outcome(crate::notice::Done::AuthorisationsSaved);
    Ok(())
}
