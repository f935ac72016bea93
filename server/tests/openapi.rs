//! The generated `/api/v1` OpenAPI document against the running router: every `/api/v1`
//! route the router serves is documented with its methods (and no other method answers),
//! and real answers — successes and the main refusals — have a documented status and a
//! body that the document's schema for that status accepts, with no undeclared field.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::outbox::worker::{self, Worker, WorkerConfig};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use support::{Resp, TestApp};
use testkit::fixtures::{env, secretariat};

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

fn request(method: &str, path: &str, token: Option<&str>, body: Option<String>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    match body {
        Some(text) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, text.len())
            .body(Body::from(text))
            .expect("request"),
        None => builder.body(Body::empty()).expect("request"),
    }
}

async fn document(app: &TestApp) -> Value {
    let resp = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(resp.status, StatusCode::OK);
    serde_json::from_str(&resp.body).expect("the document is JSON")
}

/// The `/api/v1` paths `server/src/router.rs` routes (its string literals).
fn routed_paths() -> BTreeSet<String> {
    let source = include_str!("../src/router.rs");
    source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("/api/v1/"))
        .map(str::to_owned)
        .collect()
}

/// A concrete URL for a documented path.
fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
}

#[tokio::test]
async fn every_api_route_is_documented_with_exactly_the_methods_it_answers() {
    let app = TestApp::new(testkit::sqlite().await).await;
    let doc = document(&app).await;
    let paths = doc["paths"].as_object().expect("paths");
    let routed = routed_paths();
    assert!(routed.len() >= 4, "{routed:?}");
    for path in &routed {
        if path == "/api/v1/openapi.json" {
            continue;
        }
        let operations = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is routed but not documented"));
        for method in METHODS {
            let documented = operations.get(method.to_lowercase()).is_some();
            let resp = app.send(request(method, &concrete(path), None, None)).await;
            let answers = resp.status != StatusCode::METHOD_NOT_ALLOWED;
            assert_eq!(
                documented, answers,
                "{method} {path}: documented {documented}, answers {}",
                resp.status
            );
        }
    }
    for path in paths.keys() {
        assert!(routed.contains(path), "{path} is documented but not routed");
    }
    app.drop_database().await;
}

/// Checks `value` against `schema` (the subset of JSON Schema the document uses), strictly:
/// an object's field that the schema does not declare is an error. Returns what is wrong.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .expect("a local reference");
        return check(doc, &doc["components"]["schemas"][name], value, at);
    }
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            check(doc, s, value, at)?;
        }
    }
    if let Some(any) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let matching = any
            .iter()
            .filter(|s| check(doc, s, value, at).is_ok())
            .count();
        if matching == 0 {
            return Err(format!("{at}: {value} matches none of {any:?}"));
        }
    }
    if let Some(values) = schema["enum"].as_array()
        && !values.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {values:?}"));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() {
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let fits = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !fits {
            return Err(format!("{at}: {value} is {actual}, not {types:?}"));
        }
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_f64(), value.as_f64())
        && n < min
    {
        return Err(format!("{at}: {n} < {min}"));
    }
    if let Value::Array(items) = value
        && let Some(item) = schema.get("items")
    {
        for (i, v) in items.iter().enumerate() {
            check(doc, item, v, &format!("{at}[{i}]"))?;
        }
    }
    if let Value::Object(fields) = value
        && (schema.get("properties").is_some() || schema["type"] == "object")
    {
        let declared = schema["properties"].as_object();
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().expect("a field name");
            if !fields.contains_key(name) {
                return Err(format!("{at}: required `{name}` missing in {value}"));
            }
        }
        for (name, v) in fields {
            match declared.and_then(|d| d.get(name)) {
                Some(s) => check(doc, s, v, &format!("{at}.{name}"))?,
                None => match schema.get("additionalProperties") {
                    Some(extra @ Value::Object(_)) => {
                        check(doc, extra, v, &format!("{at}.{name}"))?
                    }
                    _ => return Err(format!("{at}: `{name}` is not declared")),
                },
            }
        }
    }
    Ok(())
}

/// Fails unless the document declares `status` for `method path` with the answer's content
/// type, and that content's schema accepts the body. Returns the status, for coverage.
fn conforms(doc: &Value, method: &str, path: &str, resp: &Resp) -> (String, String, u16) {
    let operation = &doc["paths"][path][method.to_lowercase()];
    assert!(operation.is_object(), "{method} {path} is not documented");
    let status = resp.status.as_u16();
    let response = &operation["responses"][status.to_string()];
    assert!(
        response.is_object(),
        "{method} {path} answered {status}, which the document does not declare: {}",
        resp.body
    );
    let content_type = resp
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    let schema = &response["content"][media]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} {status} answered {content_type}, not declared: {}",
        response["content"]
    );
    let body: Value = if media == "application/json" {
        serde_json::from_str(&resp.body)
            .unwrap_or_else(|e| panic!("{method} {path} {status}: not JSON ({e}): {}", resp.body))
    } else {
        Value::String(resp.body.clone())
    };
    if let Err(problem) = check(doc, schema, &body, "body") {
        panic!("{method} {path} {status} does not match the document: {problem}");
    }
    (method.to_owned(), path.to_owned(), status)
}

#[tokio::test]
async fn real_answers_match_the_document_for_every_declared_status() {
    for t in testkit::databases().await {
        let app = TestApp::new(t).await;
        let doc = document(&app).await;
        let db = app.db().clone();
        let school = secretariat(&db, chrono::Utc::now()).await;
        let (_, token) =
            domain::api_tokens::create(&db, &school.admin, "Vie scolaire", chrono::Utc::now())
                .await
                .expect("token");
        let token = token.expose().to_owned();
        let good = json!({
            "account_id": school.account_id,
            "subject": "Absence de {eleve}",
            "body": "Bonjour {nom},\n\n{eleve} était absent ce matin.",
            "recipients": [
                {"email": "parent.a@b.fr", "name": "Mme Petit", "fields": {"eleve": "Léa"}},
                {"email": "parent.b@b.fr", "fields": {"eleve": "Tom"}}
            ],
            "attachments": [{"file_name": "mot.txt", "content_type": "text/plain",
                             "content_base64": "Qm9uam91cg=="}]
        });
        let mut seen = BTreeSet::new();
        let (accounts, messages, status) = (
            "/api/v1/accounts",
            "/api/v1/messages",
            "/api/v1/messages/{id}",
        );

        let get = |path: String, token: Option<&str>| request("GET", &path, token, None);
        let post = |body: String, token: Option<&str>| request("POST", messages, token, Some(body));

        let resp = app.send(get(accounts.into(), Some(&token))).await;
        seen.insert(conforms(&doc, "GET", accounts, &resp));
        let resp = app.send(get(accounts.into(), Some("ecc_nope"))).await;
        seen.insert(conforms(&doc, "GET", accounts, &resp));

        let resp = app.send(post(good.to_string(), Some(&token))).await;
        assert_eq!(resp.status, StatusCode::ACCEPTED, "{}", resp.body);
        seen.insert(conforms(&doc, "POST", messages, &resp));
        let id = serde_json::from_str::<Value>(&resp.body).expect("json")["id"]
            .as_i64()
            .expect("id");
        let resp = app.send(post(good.to_string(), None)).await;
        seen.insert(conforms(&doc, "POST", messages, &resp));
        let resp = app
            .send(post("{\"account_id\": ".into(), Some(&token)))
            .await;
        seen.insert(conforms(&doc, "POST", messages, &resp));
        let mut elsewhere = good.clone();
        elsewhere["account_id"] = json!(i64::MAX);
        let resp = app.send(post(elsewhere.to_string(), Some(&token))).await;
        seen.insert(conforms(&doc, "POST", messages, &resp));
        let mut refused = good.clone();
        refused["recipients"][1]["email"] = "pas-une-adresse".into();
        refused["recipients"][0]["fields"] = json!({});
        let resp = app.send(post(refused.to_string(), Some(&token))).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
        seen.insert(conforms(&doc, "POST", messages, &resp));
        let mut not_base64 = good.clone();
        not_base64["attachments"][0]["content_base64"] = "%%%".into();
        let resp = app.send(post(not_base64.to_string(), Some(&token))).await;
        seen.insert(conforms(&doc, "POST", messages, &resp));
        let mut empty = good.clone();
        empty["subject"] = "".into();
        let resp = app.send(post(empty.to_string(), Some(&token))).await;
        seen.insert(conforms(&doc, "POST", messages, &resp));
        // Over 16 MB with its length announced: the body limit refuses it unread.
        let huge = "x".repeat(server::handlers::api_v1::BODY_LIMIT_BYTES + 1);
        let resp = app.send(post(huge, Some(&token))).await;
        seen.insert(conforms(&doc, "POST", messages, &resp));

        let mailer = domain::mail::Mailer::memory();
        let w = Worker {
            name: "openapi-test".into(),
            config: WorkerConfig::default(),
        };
        worker::run_once(&db, &env(&mailer), &w, chrono::Utc::now())
            .await
            .expect("round");
        let url = format!("/api/v1/messages/{id}");
        let resp = app.send(get(url.clone(), Some(&token))).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
        seen.insert(conforms(&doc, "GET", status, &resp));
        let resp = app.send(get(url, None)).await;
        seen.insert(conforms(&doc, "GET", status, &resp));
        let resp = app
            .send(get(format!("/api/v1/messages/{}", id + 1000), Some(&token)))
            .await;
        seen.insert(conforms(&doc, "GET", status, &resp));
        let resp = app
            .send(get("/api/v1/messages/abc".into(), Some(&token)))
            .await;
        seen.insert(conforms(&doc, "GET", status, &resp));

        // Every status the document declares was seen, except the database's 503.
        for (path, operations) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in operations.as_object().expect("operations") {
                for code in operation["responses"]
                    .as_object()
                    .expect("responses")
                    .keys()
                {
                    let code: u16 = code.parse().expect("a status");
                    let key = (method.to_uppercase(), path.clone(), code);
                    assert!(
                        code == 503 || seen.contains(&key),
                        "{key:?} is declared but no test answer had it"
                    );
                }
            }
        }
        app.drop_database().await;
    }
}

#[test]
fn the_checker_refuses_an_undeclared_field_and_a_wrong_type() {
    let doc = json!({"components": {"schemas": {"A": {
        "type": "object", "required": ["id"],
        "properties": {"id": {"type": "integer"}, "n": {"type": ["string", "null"]}}
    }}}});
    let schema = json!({"$ref": "#/components/schemas/A"});
    assert!(check(&doc, &schema, &json!({"id": 1, "n": null}), "b").is_ok());
    assert!(check(&doc, &schema, &json!({"id": 1, "extra": 2}), "b").is_err());
    assert!(check(&doc, &schema, &json!({"id": "1"}), "b").is_err());
    assert!(check(&doc, &schema, &json!({"n": "x"}), "b").is_err());
}
