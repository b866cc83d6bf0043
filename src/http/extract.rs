//! Request extractors that turn every kind of bad input into a problem+json answer naming the
//! field, so actix never answers in text/plain.

use std::collections::HashMap;
use std::future::{ready, Ready};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use super::middleware::{Authn, RequestId};
use super::AppState;
use crate::error::{ApiError, FieldError};

pub use crate::context::{Allowed, Ctx, Policy};

impl FromRequest for Ctx {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ext = req.extensions();
        let request_id = ext
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        let result = match ext.get::<Authn>() {
            Some(Authn::Valid(p)) => purpose(req).map(|purpose| Ctx {
                principal: p.clone(),
                request_id,
                purpose,
            }),
            Some(Authn::Unverifiable) => Err(ApiError::Unavailable(
                "The service cannot check your account right now; retry shortly.".into(),
            )),
            Some(Authn::Invalid) => Err(ApiError::Unauthorized(
                "The bearer token is not valid (signature, issuer, audience or lifetime).".into(),
            )),
            _ => Err(ApiError::Unauthorized(
                "This operation needs an Authorization: Bearer token.".into(),
            )),
        };
        ready(result)
    }
}

/// The ids in the path, each checked to be a UUID; an error names the parameter.
pub struct PathIds(Vec<uuid::Uuid>);

impl PathIds {
    pub fn one(&self) -> uuid::Uuid {
        self.0[0]
    }

    pub fn two(&self) -> (uuid::Uuid, uuid::Uuid) {
        (self.0[0], self.0[1])
    }
}

impl FromRequest for PathIds {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let mut ids = Vec::new();
        let mut errors = Vec::new();
        for (name, value) in req.match_info().iter() {
            match uuid::Uuid::parse_str(value) {
                Ok(id) => ids.push(id),
                Err(_) => errors.push(FieldError::new(name, "not a UUID")),
            }
        }
        ready(if errors.is_empty() {
            Ok(PathIds(ids))
        } else {
            Err(ApiError::BadRequest(
                "Invalid path parameter.".into(),
                errors,
            ))
        })
    }
}

/// The caller, already checked against policy `P`. Listed before the body in a handler's
/// arguments so that 401 and 403 come before any complaint about the input.
impl<P: Policy> FromRequest for Allowed<P> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(
            Ctx::from_request(req, payload)
                .into_inner()
                .and_then(Allowed::check),
        )
    }
}

/// The optional `X-Purpose` header: printable ASCII, not blank, at most 200 characters.
fn purpose(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get("x-purpose") else {
        return Ok(None);
    };
    let text = v.to_str().unwrap_or_default().trim();
    if text.is_empty() || text.len() > 200 || !v.as_bytes().iter().all(|b| (0x20..0x7f).contains(b))
    {
        return Err(ApiError::BadRequest(
            "Invalid header.".into(),
            vec![FieldError::new(
                "X-Purpose",
                "1 to 200 printable ASCII characters",
            )],
        ));
    }
    Ok(Some(text.to_string()))
}

/// A validated JSON body, with a hash of its canonical form for idempotency checks.
pub struct Body<T> {
    pub value: T,
    pub hash: String,
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| {
            let m = m.trim().to_ascii_lowercase();
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
        .unwrap_or(false)
}

/// Every string in a request body must hold a non-space character and no NUL (PostgreSQL text
/// cannot store NUL); the document says the same with a pattern on every free-text field.
fn check_strings(v: &serde_json::Value, path: &str, out: &mut Vec<FieldError>) {
    match v {
        serde_json::Value::String(s) => {
            if s.contains('\0') {
                out.push(FieldError::new(path, "must not contain NUL characters"));
            } else if crate::api::is_blank(s) {
                out.push(FieldError::new(path, "must not be empty or blank"));
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_strings(item, &format!("{path}[{i}]"), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, item) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                check_strings(item, &p, out);
            }
        }
        _ => {}
    }
}

fn canonical(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::new();
            for k in keys {
                out.insert(k.clone(), canonical(&map[k]));
            }
            serde_json::Value::Object(out)
        }
        serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

pub fn flatten_validation(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(errs) => {
                for e in errs {
                    let message = match (e.code.as_ref(), e.params.get("min"), e.params.get("max"))
                    {
                        ("length", Some(min), Some(max)) => {
                            format!("length must be from {min} to {max} characters")
                        }
                        ("length", None, Some(max)) => format!("at most {max} items or characters"),
                        ("range", Some(min), Some(max)) => format!("must be from {min} to {max}"),
                        _ => e
                            .message
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| format!("invalid ({})", e.code)),
                    };
                    out.push(FieldError::new(path.clone(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten_validation(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten_validation(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn std::future::Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(256 * 1024, |s| s.config.max_body_bytes);
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let mut bytes = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| {
                    ApiError::BadRequest("The request body could not be read.".into(), vec![])
                })?;
                if bytes.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge(limit));
                }
                bytes.extend_from_slice(&chunk);
            }
            let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
                ApiError::BadRequest(
                    format!(
                        "The body is not valid JSON (line {}, column {}).",
                        e.line(),
                        e.column()
                    ),
                    vec![],
                )
            })?;
            let mut errors = Vec::new();
            check_strings(&value, "", &mut errors);
            if !errors.is_empty() {
                return Err(ApiError::Validation(errors));
            }
            let canonical = canonical(&value);
            let hash = hex(&Sha256::digest(canonical.to_string().as_bytes()));
            let parsed: T = serde_path_to_error::deserialize(value).map_err(|e| {
                let field = e.path().to_string();
                let field = if field == "." {
                    "body".to_string()
                } else {
                    field
                };
                let inner = e.inner().to_string();
                // serde_path_to_error's path already ends at an unknown field's name; a missing
                // field is only named in the message.
                let (field, message) = if inner.starts_with("unknown field") {
                    (field, "unknown field".to_string())
                } else if let Some(rest) = inner.strip_prefix("missing field `") {
                    let name = rest.split('`').next().unwrap_or_default();
                    let f = if field == "body" {
                        name.to_string()
                    } else {
                        format!("{field}.{name}")
                    };
                    (f, "is required".to_string())
                } else {
                    let m = inner.split(" at line").next().unwrap_or_default();
                    (field, m.to_string())
                };
                ApiError::Validation(vec![FieldError::new(field, message)])
            })?;
            if let Err(e) = parsed.validate() {
                let mut out = Vec::new();
                flatten_validation(&e, "", &mut out);
                return Err(ApiError::Validation(out));
            }
            Ok(Body {
                value: parsed,
                hash,
            })
        })
    }
}

/// A CSV upload (`text/csv`), up to the configured import size.
pub struct CsvBody(pub Vec<u8>);

impl FromRequest for CsvBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn std::future::Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let csv = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv"));
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(10 * 1024 * 1024, |s| s.config.max_import_bytes);
        let mut payload = payload.take();
        Box::pin(async move {
            if !csv {
                return Err(ApiError::UnsupportedMediaType);
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| {
                    ApiError::BadRequest("The request body could not be read.".into(), vec![])
                })?;
                if bytes.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge(limit));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(CsvBody(bytes))
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The version named by `If-Match`: 428 when absent; `None` for `*`; 400 when it is not an ETag
/// this API issues (`"<version>"`). A well-formed but stale one is the caller's 412, later.
pub fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let header = req
        .headers()
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?;
    let raw = header.to_str().unwrap_or_default().trim();
    if raw == "*" {
        return Ok(None);
    }
    raw.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|v| !v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()))
        // Versions are i32; a larger number is well formed but can never match (412 later).
        .and_then(|v| v.parse::<i64>().ok())
        .map(|v| Some(i32::try_from(v).unwrap_or(-1)))
        .ok_or_else(|| {
            ApiError::BadRequest(
                "Invalid header.".into(),
                vec![FieldError::new(
                    "If-Match",
                    "an ETag from this API, e.g. \"3\", or *",
                )],
            )
        })
}

/// `If-Match` as an extractor, listed before the body so a missing one is 428 whatever the body.
pub struct IfMatch(pub Option<i32>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(if_match(req).map(IfMatch))
    }
}

/// 412 unless the current version is the one the caller last saw.
pub fn check_version(expected: Option<i32>, current: i32) -> Result<i32, ApiError> {
    match expected {
        Some(v) if v != current => Err(ApiError::PreconditionFailed),
        _ => Ok(current),
    }
}

/// The request's `Idempotency-Key`, if it sent one, bound to this method, path and body.
pub fn idem<T>(
    req: &HttpRequest,
    body: &Body<T>,
) -> Result<Option<crate::context::Idem>, ApiError> {
    Ok(crate::context::Idem::new(
        idempotency_key(req)?,
        req.method().as_str(),
        req.path(),
        &body.hash,
    ))
}

/// A code in the path (a ruleset's, a service's): `min` to 40 of a-z, 0-9 and -.
pub fn path_code(req: &HttpRequest, name: &str, min: usize) -> Result<String, ApiError> {
    let c = req.match_info().get(name).unwrap_or_default();
    if (min..=40).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Ok(c.to_string())
    } else {
        Err(ApiError::BadRequest(
            "Invalid path parameter.".into(),
            vec![FieldError::new(
                name,
                format!("{min} to 40 of a-z, 0-9 and -"),
            )],
        ))
    }
}

/// The optional `Idempotency-Key` header.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    v.to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(|k| Some(k.to_string()))
        .ok_or_else(|| {
            ApiError::BadRequest(
                "Invalid header.".into(),
                vec![FieldError::new(
                    "Idempotency-Key",
                    "1 to 255 visible ASCII characters",
                )],
            )
        })
}

/// The operation's query parameters as a map. Parameters it does not define are ignored, as is
/// usual; one of its own given twice is an error (which value would win is unclear).
pub fn query_map(req: &HttpRequest, known: &[&str]) -> Result<HashMap<String, String>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|_| ApiError::BadRequest("The query string is malformed.".into(), vec![]))?;
    let mut map = HashMap::new();
    for (k, v) in pairs
        .into_iter()
        .filter(|(k, _)| known.contains(&k.as_str()))
    {
        if map.insert(k.clone(), v).is_some() {
            return Err(ApiError::BadRequest(
                "Invalid query parameter.".into(),
                vec![FieldError::new(k, "given more than once")],
            ));
        }
    }
    Ok(map)
}

/// An optional query parameter naming a code (organisation, service): 2 to 40 of a-z, 0-9, -.
pub fn code_param(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<Option<String>, ApiError> {
    params
        .get(name)
        .map(|v| {
            if crate::api::consent::is_code(v) {
                Ok(v.clone())
            } else {
                Err(bad_param(name, "2 to 40 of a-z, 0-9 and -"))
            }
        })
        .transpose()
}

pub fn bad_param(name: &str, message: &str) -> ApiError {
    ApiError::BadRequest(
        "Invalid query parameter.".into(),
        vec![FieldError::new(name, message)],
    )
}
