use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::audit::AuditEventRow;

/// One audited access to personal data: who, in which roles, did what, to which records, when.
#[derive(Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// Token subject of the caller.
    pub actor: String,
    /// Issuer of the caller's token (subjects are unique per issuer).
    #[schema(example = "https://login.example-council.gov.uk")]
    pub actor_issuer: Option<String>,
    pub actor_roles: Vec<String>,
    #[schema(example = "family.read")]
    pub action: String,
    #[schema(example = "family")]
    pub resource_type: String,
    /// Every record the action touched or returned (a list read carries all of them).
    pub resource_ids: Vec<Uuid>,
    /// Codes of records keyed by code (organisations, services).
    pub resource_keys: Vec<String>,
    pub request_id: String,
    /// The purpose the caller stated in the `X-Purpose` header, if any.
    pub purpose: Option<String>,
}

impl From<AuditEventRow> for AuditEvent {
    fn from(r: AuditEventRow) -> Self {
        AuditEvent {
            id: r.id,
            occurred_at: r.created_at,
            actor: r.actor,
            actor_issuer: r.actor_issuer,
            actor_roles: r.actor_roles,
            action: r.action,
            resource_type: r.resource_type,
            resource_ids: r.resource_ids,
            resource_keys: r.resource_keys,
            request_id: r.request_id,
            purpose: r.purpose,
        }
    }
}

/// Filters for the audit trail (documentation of the query string).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AuditListQuery {
    /// Token subject of the caller.
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*[^\\u0000\\t\\n\\u000b\\f\\r ][^\\u0000]*$"
    )]
    pub actor: Option<String>,
    /// Resource type, e.g. `family` or `member`.
    #[param(max_length = 50, pattern = "^[a-z_]{1,50}$")]
    pub resource_type: Option<String>,
    /// Events touching this record ("who saw family X").
    pub resource_id: Option<Uuid>,
    /// Events at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Events before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}
