//! RFC 9457 problem details: the only error shape the API ever answers with.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// One field that failed validation.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// Path of the offending field, e.g. `members[0].nhs_number`, or a query/path parameter name.
    #[schema(example = "postcode", max_length = 200)]
    pub field: String,
    /// What is wrong with it, in words a person can act on.
    #[schema(example = "not a valid UK postcode", max_length = 500)]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        // A client's own key may be blank or hold NUL; name it so the answer stays printable.
        let field = field.into().replace('\0', "\\u0000");
        let mut field = if crate::text::is_blank(&field) {
            format!("(unnamed field {field:?})")
        } else {
            field
        };
        // A client's key may also be very long; the path is for people, so cut it.
        if field.chars().count() > 200 {
            field = field
                .chars()
                .take(199)
                .chain(std::iter::once('…'))
                .collect();
        }
        let mut message: String = message.into();
        if message.chars().count() > 500 {
            message = message
                .chars()
                .take(499)
                .chain(std::iter::once('…'))
                .collect();
        }
        Self { field, message }
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:ffc:problem:validation",
    "title": "Validation failed",
    "status": 422,
    "detail": "One or more fields are invalid.",
    "errors": [{"field": "postcode", "message": "not a valid UK postcode"}]
}))]
pub struct Problem {
    /// A URI identifying the kind of problem.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Field-level errors (validation problems only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For 409 on a state change: the actions allowed from the current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {0}")]
    BadRequest(String, Vec<FieldError>),
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("forbidden")]
    Forbidden(String),
    #[error("not found")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed(Vec<String>),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("precondition required")]
    PreconditionRequired,
    #[error("payload too large")]
    PayloadTooLarge(usize),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    #[error("too many requests")]
    TooManyRequests { retry_after: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("No {what} with that id is visible to you."))
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str, String) {
        use ApiError::*;
        match self {
            BadRequest(d, _) => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                "Bad request",
                d.clone(),
            ),
            Unauthorized(d) => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authentication required",
                d.clone(),
            ),
            Forbidden(d) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden", d.clone()),
            NotFound(d) => (StatusCode::NOT_FOUND, "not-found", "Not found", d.clone()),
            MethodNotAllowed(m) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                format!("Allowed methods: {}.", m.join(", ")),
            ),
            Conflict(d) => (StatusCode::CONFLICT, "conflict", "Conflict", d.clone()),
            PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "Precondition failed",
                "If-Match does not match the current version: fetch the resource again.".into(),
            ),
            PreconditionRequired => (
                StatusCode::PRECONDITION_REQUIRED,
                "precondition-required",
                "Precondition required",
                "This request needs an If-Match header with the ETag you last read.".into(),
            ),
            PayloadTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
                format!("Request bodies are limited to {limit} bytes."),
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "Send the body in the media type the operation documents (application/json, or text/csv for imports).".into(),
            ),
            Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "Validation failed",
                "One or more fields are invalid.".into(),
            ),
            Unprocessable(d) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                "Unprocessable request",
                d.clone(),
            ),
            TooManyRequests { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                format!("Rate limit exceeded; retry after {retry_after} seconds."),
            ),
            Unavailable(d) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
                d.clone(),
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal server error",
                "Something went wrong on our side; the request id identifies it in our logs."
                    .into(),
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (status, slug, title, detail) = self.parts();
        let errors = match self {
            ApiError::Validation(e) | ApiError::BadRequest(_, e) => e.clone(),
            _ => Vec::new(),
        };
        Problem {
            type_: format!("urn:ffc:problem:{slug}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            errors,
            allowed: None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(msg) = self {
            log::error!("internal error: {msg}");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.content_type("application/problem+json");
        match self {
            ApiError::Unauthorized(_) => {
                res.insert_header((
                    header::WWW_AUTHENTICATE,
                    "Bearer realm=\"ffc\", error=\"invalid_token\"",
                ));
            }
            ApiError::TooManyRequests { retry_after } => {
                res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::Unavailable(_) => {
                res.insert_header((header::RETRY_AFTER, RETRY_UNAVAILABLE_SECONDS.to_string()));
            }
            ApiError::MethodNotAllowed(methods) => {
                res.insert_header((header::ALLOW, methods.join(", ")));
            }
            _ => {}
        }
        res.json(self.problem())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::NotFound("Not found.".into()),
            // Triggers name the field of a rule they hold: 'invalid <field>: <message>'.
            Error::DatabaseError(DatabaseErrorKind::CheckViolation, info)
                if info.message().starts_with("invalid ") && info.message().contains(": ") =>
            {
                let rest = &info.message()["invalid ".len()..];
                let (field, message) = rest.split_once(": ").unwrap_or((rest, "invalid"));
                ApiError::Validation(vec![FieldError::new(field, message)])
            }
            Error::DatabaseError(DatabaseErrorKind::CheckViolation, info) => {
                // The Rust layer validates first; reaching here means a rule only the database
                // knows. Name the constraint, never the value.
                ApiError::Unprocessable(format!(
                    "The request breaks a data rule ({}).",
                    info.constraint_name().unwrap_or("check")
                ))
            }
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                ApiError::Conflict(format!(
                    "A record with the same unique value already exists ({}).",
                    info.constraint_name().unwrap_or("unique")
                ))
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                ApiError::Unprocessable(format!(
                    "The request refers to a record that does not exist ({}).",
                    info.constraint_name().unwrap_or("foreign key")
                ))
            }
            // A value the database cannot hold (a date or number out of its range) that the
            // Rust checks let through is still the client's error, not the server's.
            Error::DatabaseError(DatabaseErrorKind::Unknown, info)
                if info.message().contains("out of range") =>
            {
                ApiError::Unprocessable("A value is outside the range the service stores.".into())
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::Conflict("Concurrent update; retry the request.".into())
            }
            // No answer from the database (connection lost, server restarting) or no answer in
            // time: the request did not happen, and may be retried shortly.
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                log::warn!("database unavailable: {}", info.message());
                ApiError::Unavailable("The database is not reachable; retry shortly.".into())
            }
            // diesel-async reports every client-side error this way; only a lost connection is
            // an outage (a protocol or parameter fault stays a 500).
            Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info)
                if connection_lost(info.message()) =>
            {
                log::warn!("database unavailable: {}", info.message());
                ApiError::Unavailable("The database is not reachable; retry shortly.".into())
            }
            Error::DatabaseError(_, info) if transient(info.message()) => {
                log::warn!("database: {}", info.message());
                ApiError::Unavailable(
                    "The database did not answer in time or is restarting; retry shortly.".into(),
                )
            }
            other => ApiError::Internal(format!("database: {other}")),
        }
    }
}

/// PostgreSQL's messages for a statement cut short by a timeout or by the server going away
/// (SQLSTATE 57014, 55P03, 57P01-57P03), which diesel reports without their codes.
fn transient(message: &str) -> bool {
    const SIGNS: [&str; 5] = [
        "canceling statement due to statement timeout",
        "canceling statement due to lock timeout",
        "terminating connection due to administrator command",
        "the database system is",
        "canceling statement due to conflict with recovery",
    ];
    SIGNS.iter().any(|s| message.contains(s))
}

/// tokio-postgres's words for a connection that is gone.
fn connection_lost(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "connection closed",
        "error communicating with the server",
        "broken pipe",
        "connection reset",
        "connection refused",
    ]
    .iter()
    .any(|s| m.contains(s))
}

/// Seconds a client is asked to wait before retrying after a 503.
pub const RETRY_UNAVAILABLE_SECONDS: u64 = 2;

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        log::error!("database pool: {e}");
        ApiError::Unavailable("The database is not reachable; retry shortly.".into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
