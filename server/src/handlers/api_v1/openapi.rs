//! The `/api/v1` OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! annotations and the types they read and write (`super`), so it cannot drift from them
//! (`server/tests/openapi.rs` checks real answers against it).
//!
//! The enums that `domain` and `app` define do not depend on utoipa; their values are
//! described here from each variant's own serde form. Each is listed by a `next` function
//! that matches every variant with no wildcard: a new variant does not compile until it is
//! listed, so the document cannot miss it.

use app::api::sending::review::RecipientProblem;
use domain::outbox::{DeliveryProblem, DeliveryState};
use serde_json::Value;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Object, RefOr};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "École courriel API",
        version = "1.0.0",
        description = "Queue school mail from an establishment account and follow each \
            recipient's delivery. Authenticate with a school API token (created and revoked by \
            a school administrator) as `Authorization: Bearer ecc_…`. A token acts for its \
            school only, and only while the administrator who created it is still an \
            administrator of the school: removed or no longer an administrator, their tokens \
            are refused (401) and the mail they queued is not sent. Errors come back as \
            {error, message (French), lines?, refused?}. This document is generated from the \
            server's code."
    ),
    servers((url = "/")),
    paths(super::accounts, super::queue, super::status),
    security(("bearer" = [])),
    modifiers(&BearerToken)
)]
struct ApiDoc;

/// The `bearer` scheme the document's `security` names.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("ecc_…")
                    .build(),
            ),
        );
    }
}

/// The document `GET /api/v1/openapi.json` serves.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `Refused.problem`: every [`RecipientProblem`].
pub fn recipient_problem() -> RefOr<Schema> {
    fn next(p: &RecipientProblem) -> Option<RecipientProblem> {
        use RecipientProblem as P;
        let text = String::new;
        Some(match p {
            P::NotAnAddress => P::AddressMalformed,
            P::AddressMalformed => P::AddressNotPublic,
            P::AddressNotPublic => P::AddressLocalPartNotAscii,
            P::AddressLocalPartNotAscii => P::NameRefused,
            P::NameRefused => P::NameTooLong { max: 0 },
            P::NameTooLong { .. } => P::TooManyColumns { max: 0 },
            P::TooManyColumns { .. } => P::ValueRefused { column: text() },
            P::ValueRefused { .. } => P::ValueTooLong {
                column: text(),
                max: 0,
            },
            P::ValueTooLong { .. } => P::MissingValue {
                placeholder: text(),
            },
            P::MissingValue { .. } => P::FilledTooLong {
                subject_max: 0,
                body_max_kb: 0,
            },
            P::FilledTooLong { .. } => return None,
        })
    }
    let every = std::iter::successors(Some(RecipientProblem::NotAnAddress), next);
    RefOr::T(Schema::OneOf(externally_tagged(every.map(serde_form))))
}

/// `RecipientOut.state`: every [`DeliveryState`].
pub fn delivery_state() -> RefOr<Schema> {
    let every = DeliveryState::ALL.iter().copied();
    RefOr::T(Schema::OneOf(externally_tagged(every.map(serde_form))))
}

/// `RecipientOut.problem`: null or every [`DeliveryProblem`], each SMTP [`FailureKind`](domain::smtp::FailureKind)
/// included (the vocabulary lists them, so a new kind is documented with no change here).
pub fn delivery_problem() -> RefOr<Schema> {
    let mut one_of = externally_tagged(DeliveryProblem::every().map(serde_form));
    one_of.items.push(Object::with_type(Type::Null).into());
    RefOr::T(Schema::OneOf(one_of))
}

fn serde_form<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// The schema of serde's externally tagged enum, from one sample of each variant: a unit
/// variant is a string; `{"Variant": …}` an object with that one key, whose value is either
/// one of the strings its samples hold or an object with the samples' fields.
fn externally_tagged(samples: impl Iterator<Item = Value>) -> utoipa::openapi::schema::OneOf {
    let mut units = Vec::new();
    let mut tagged: Vec<(String, Vec<Value>)> = Vec::new();
    for sample in samples {
        match sample {
            Value::String(name) => units.push(name),
            Value::Object(map) => {
                for (tag, inner) in map {
                    match tagged.iter_mut().find(|(t, _)| *t == tag) {
                        Some((_, values)) => values.push(inner),
                        None => tagged.push((tag, vec![inner])),
                    }
                }
            }
            _ => {}
        }
    }
    let mut one_of = OneOfBuilder::new();
    if !units.is_empty() {
        one_of = one_of.item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(units)),
        );
    }
    for (tag, values) in tagged {
        one_of = one_of.item(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(&tag, inner_schema(&values))
                .required(&tag)
                .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false))),
        );
    }
    one_of.build()
}

fn inner_schema(values: &[Value]) -> Object {
    let names: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
    if !names.is_empty() {
        return ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(names))
            .build();
    }
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
    if let Some(Value::Object(fields)) = values.first() {
        for (name, value) in fields {
            let kind = if value.is_number() {
                Type::Integer
            } else {
                Type::String
            };
            object = object
                .property(name, ObjectBuilder::new().schema_type(kind))
                .required(name);
        }
    }
    object.build()
}
