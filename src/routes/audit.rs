use actix_web::{get, web, HttpRequest};

use crate::api::audit::{AuditEvent, AuditListQuery};
use crate::api::params;
use crate::api::Page;
use crate::error::ApiResult;
use crate::http::extract::{query_map, Allowed, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service;

/// List audit events
///
/// The append-only record of who read or changed which records, newest first. Filter by actor,
/// resource type, a record id ("who saw family X") and time.
#[utoipa::path(
    operation_id = "list_audit_events",
    tag = "audit",
    params(AuditListQuery, params::Page),
    extensions(("x-policy" = json!(service::audit::Read::ROLES))),
    responses(
        (status = 200, description = "A page of audit events.", body = Page<AuditEvent>,
         example = json!({"items": [{
            "id": "019a2b3c-0000-7000-8000-000000000001", "occurred_at": "2026-11-25T10:00:00Z",
            "actor": "coordinator-1", "actor_roles": ["coordinator"], "action": "family.read",
            "resource_type": "family", "resource_ids": ["019a2b3c-0000-7000-8000-000000000002"], "resource_keys": [],
            "request_id": "b7c1d3e4-1111-4222-8333-944455556666", "purpose": null}],
            "next_cursor": null}))
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    req: HttpRequest,
    ctx: Allowed<service::audit::Read>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    let params = query_map(
        &req,
        &[
            "actor",
            "resource_type",
            "resource_id",
            "from",
            "to",
            "limit",
            "cursor",
        ],
    )?;
    service::audit::list(&state.pool, &ctx, params).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_audit_events);
}
