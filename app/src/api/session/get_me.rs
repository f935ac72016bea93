use leptos::prelude::*;

use crate::api::types::Me;
#[cfg(feature = "ssr")]
use crate::api::types::SchoolRef;
use crate::error::AppError;

/// The signed-in person and their schools, or `None` when nobody is signed in.
#[server(endpoint = "get_me")]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let Some(info) = ssr::current_session().await?.info else {
        return Ok(None);
    };
    let schools = domain::access::schools_of(&state.db, info.person_id).await?;
    let actor = match info.school_id {
        Some(id) => domain::access::actor_in(&state.db, info.person_id, id).await?,
        None => None,
    };
    let current = actor
        .as_ref()
        .and_then(|a| schools.iter().find(|s| s.school_id == a.school_id()));
    Ok(Some(Me {
        display_name: actor
            .as_ref()
            .map(|a| a.display_name().to_owned())
            .unwrap_or_default(),
        school: current.map(|s| SchoolRef {
            id: s.school_id,
            name: s.school_name.clone(),
        }),
        is_admin: actor.as_ref().is_some_and(|a| a.is_admin()),
        schools: schools
            .into_iter()
            .map(|s| SchoolRef {
                id: s.school_id,
                name: s.school_name,
            })
            .collect(),
    }))
}
