//! Parameters many operations share, declared once so that each route names them (`params(...)`)
//! instead of writing them out; the document then holds each once, in `components`.

use utoipa::IntoParams;

/// An optional `Idempotency-Key` on a create.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IdempotencyKey {
    /// Makes the request safe to retry.
    #[param(
        rename = "Idempotency-Key",
        max_length = 255,
        pattern = "^[!-~]{1,255}$"
    )]
    pub key: Option<String>,
}

/// A required `Idempotency-Key` (a provider's update, which its system may send twice).
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct RequiredIdempotencyKey {
    /// Required: makes the request safe to retry.
    #[param(
        rename = "Idempotency-Key",
        max_length = 255,
        pattern = "^[!-~]{1,255}$"
    )]
    pub key: String,
}

/// `If-Match` on a change to an existing record (428 without it, 412 when stale).
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IfMatch {
    /// The ETag last read
    #[param(rename = "If-Match")]
    pub etag: String,
}

/// `limit` and `cursor` on every list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct Page {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]{22}$")]
    pub cursor: Option<String>,
}

/// `X-Purpose`, accepted on every operation under `/api/v1` and recorded in the audit trail; the
/// document adds it to each of them (`openapi.rs`).
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct Purpose {
    /// Why you are making this request (for example the meeting it prepares); recorded in the audit trail with every access to personal data.
    #[param(
        rename = "X-Purpose",
        nullable = false,
        max_length = 200,
        pattern = "^[ -~]*[!-~][ -~]*$"
    )]
    pub purpose: Option<String>,
}

/// `limit` and `cursor` on a list ordered by a due date (its cursor carries the date as well).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DuePage {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]{27}$")]
    pub cursor: Option<String>,
}
