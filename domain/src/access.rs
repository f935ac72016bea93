//! Who is acting, in which school. An [`Actor`] can only be obtained from a person id and a
//! school id that the server took from the session, after checking the membership still
//! exists — so removing someone from a school takes effect on their very next request.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{membership, school};
use crate::{Error, Result};

/// A person acting inside one school.
#[derive(Clone, Debug)]
pub struct Actor {
    person_id: i64,
    school_id: i64,
    membership_id: i64,
    is_admin: bool,
    display_name: String,
}

impl Actor {
    pub fn person_id(&self) -> i64 {
        self.person_id
    }
    pub fn school_id(&self) -> i64 {
        self.school_id
    }
    pub fn membership_id(&self) -> i64 {
        self.membership_id
    }
    pub fn is_admin(&self) -> bool {
        self.is_admin
    }
    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    /// Fails with [`Error::Forbidden`] unless the actor administers their school.
    pub fn require_admin(&self) -> Result<()> {
        if self.is_admin {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

/// The actor for `person_id` in `school_id`, or `None` when they are not (or no longer) a
/// member there.
pub async fn actor_in(
    db: &impl ConnectionTrait,
    person_id: i64,
    school_id: i64,
) -> Result<Option<Actor>> {
    let found = membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person_id))
        .filter(membership::Column::SchoolId.eq(school_id))
        .one(db)
        .await?;
    Ok(found.map(|m| Actor {
        person_id,
        school_id,
        membership_id: m.id,
        is_admin: m.is_admin,
        display_name: m.display_name,
    }))
}

/// One of the schools a person belongs to, for the school switcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchoolChoice {
    pub school_id: i64,
    pub school_name: String,
    pub is_admin: bool,
}

/// The schools `person_id` belongs to, by name.
pub async fn schools_of(db: &impl ConnectionTrait, person_id: i64) -> Result<Vec<SchoolChoice>> {
    let memberships = membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person_id))
        .all(db)
        .await?;
    let ids: Vec<i64> = memberships.iter().map(|m| m.school_id).collect();
    let schools = school::Entity::find()
        .filter(school::Column::Id.is_in(ids))
        .order_by_asc(school::Column::Name)
        .all(db)
        .await?;
    Ok(schools
        .into_iter()
        .map(|s| SchoolChoice {
            is_admin: memberships
                .iter()
                .any(|m| m.school_id == s.id && m.is_admin),
            school_id: s.id,
            school_name: s.name,
        })
        .collect())
}
