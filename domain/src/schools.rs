//! Schools (établissements), the tenants of this server. Created by the hosting operator
//! from the command line together with their first administrator.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use crate::entity::{membership, school};
use crate::invitations::Issued;
use crate::staff::{self, Category};
use crate::{Error, Now, Result, validate};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct School {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

impl From<school::Model> for School {
    fn from(m: school::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            slug: m.slug,
        }
    }
}

/// A new school, its first administrator and the invitation to mail them.
pub struct Created {
    pub school: School,
    pub invitation: Option<Issued>,
}

/// Creates a school and its first administrator (who gets an invitation unless they
/// already have a password from another school).
pub async fn create_with_admin(
    db: &DatabaseConnection,
    name: &str,
    admin_email: &str,
    admin_name: &str,
    now: Now,
) -> Result<Created> {
    let name = validate::display_name(name)?;
    let admin_email = validate::email(admin_email)?;
    let admin_name = validate::display_name(admin_name)?;
    let txn = db.begin().await?;
    let slug = free_slug(&txn, &slugify(&name)).await?;
    let school: School = school::ActiveModel {
        name: Set(name),
        slug: Set(slug),
        created_at: Set(now.timestamp()),
        ..Default::default()
    }
    .insert(&txn)
    .await?
    .into();
    let added = staff::insert_member(
        &txn,
        school.id,
        &staff::StaffInput {
            display_name: admin_name,
            email: admin_email,
            category: Category::Personnel,
            is_admin: true,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        event = "school_created",
        school_id = school.id,
        "school created"
    );
    Ok(Created {
        school,
        invitation: added.invitation,
    })
}

/// A school as the operator's listing shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub school: School,
    pub members: u64,
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<Summary>> {
    let schools = school::Entity::find()
        .order_by_asc(school::Column::Name)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(schools.len());
    for s in schools {
        let members = membership::Entity::find()
            .filter(membership::Column::SchoolId.eq(s.id))
            .count(db)
            .await?;
        out.push(Summary {
            school: s.into(),
            members,
        });
    }
    Ok(out)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<School> {
    school::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(School::from)
        .ok_or(Error::NotFound)
}

/// `"Collège Jean-Moulin"` → `"college-jean-moulin"`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ÿ' => 'y',
            'œ' => {
                slug.push('o');
                'e'
            }
            'æ' => {
                slug.push('a');
                'e'
            }
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c != '-' || !(slug.is_empty() || slug.ends_with('-')) {
            slug.push(c);
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "ecole".to_owned()
    } else {
        slug
    }
}

async fn free_slug(db: &impl ConnectionTrait, base: &str) -> Result<String> {
    let mut candidate = base.to_owned();
    let mut n = 2;
    while school::Entity::find()
        .filter(school::Column::Slug.eq(&candidate))
        .one(db)
        .await?
        .is_some()
    {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_are_ascii_and_readable() {
        assert_eq!(slugify("Collège Jean-Moulin"), "college-jean-moulin");
        assert_eq!(slugify("  École   Œuvre  "), "ecole-oeuvre");
        assert_eq!(slugify("!!!"), "ecole");
    }
}
