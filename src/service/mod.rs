//! One transaction per request: authorise, read, apply rules, write, audit.

pub mod allocations;
pub mod assessments;
pub mod attachments;
pub mod audit;
pub mod claims;
pub mod consent;
pub mod evidence;
pub mod families;
pub mod identification;
pub mod imports;
pub mod jobs;
pub mod notes;
pub mod outcomes;
pub mod plans;
pub mod providers;
pub mod referrals;
pub mod reports;
pub mod rulesets;
pub mod staff;
pub mod timeline;
pub mod webhooks;

use uuid::Uuid;

use crate::context::Ctx;
use crate::db::{self, Conn};
use crate::error::{ApiError, ApiResult};
use crate::http::reply::Reply;

/// Writes the audit event for this request, inside its transaction.
pub async fn audit(
    conn: &mut Conn,
    ctx: &Ctx,
    action: &str,
    resource_type: &str,
    ids: &[Uuid],
) -> ApiResult<()> {
    audit_keyed(conn, ctx, action, resource_type, ids, &[]).await
}

/// As `audit`, for records keyed by a code (organisations, services) as well as by ids.
pub async fn audit_keyed(
    conn: &mut Conn,
    ctx: &Ctx,
    action: &str,
    resource_type: &str,
    ids: &[Uuid],
    keys: &[&str],
) -> ApiResult<()> {
    db::audit::insert(
        conn,
        db::audit::NewAuditEvent {
            id: Uuid::now_v7(),
            actor: &ctx.principal.subject,
            actor_roles: ctx.principal.role_names(),
            action,
            resource_type,
            resource_ids: ids,
            resource_keys: keys,
            request_id: &ctx.request_id,
            purpose: ctx.purpose.as_deref(),
            actor_issuer: Some(&ctx.principal.issuer),
        },
    )
    .await?;
    Ok(())
}

/// Audits a read of some of a family's records: their ids, then the family's.
pub async fn audit_family_read(
    conn: &mut Conn,
    ctx: &Ctx,
    action: &str,
    resource_type: &str,
    ids: impl Iterator<Item = Uuid>,
    family_id: Uuid,
) -> ApiResult<()> {
    let all: Vec<Uuid> = ids.chain(std::iter::once(family_id)).collect();
    audit(conn, ctx, action, resource_type, &all).await
}

pub use crate::context::Idem;

/// Start of an idempotent write: the stored reply when this key was already used with this
/// request, 422 when it was used with another, 409 while a request with it is in flight.
pub async fn idem_begin(
    conn: &mut Conn,
    ctx: &Ctx,
    idem: &Option<Idem>,
) -> ApiResult<Option<Reply>> {
    let Some(idem) = idem else { return Ok(None) };
    let caller = ctx.principal.caller_key();
    let (locked, found) = db::idempotency::lock_and_find(conn, &caller, &idem.key).await?;
    if !locked {
        return Err(ApiError::Conflict(
            "A request with this Idempotency-Key is still being processed; retry later.".into(),
        ));
    }
    match found {
        None => Ok(None),
        Some(row) if row.request_hash == idem.fingerprint => {
            let h = &row.response_headers;
            Ok(Some(Reply {
                status: row.response_status as u16,
                body: (!row.response_body.is_null()).then_some(row.response_body.clone()),
                location: h
                    .get("location")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                etag: h.get("etag").and_then(|v| v.as_str()).map(str::to_string),
                replayed: true,
            }))
        }
        Some(_) => Err(ApiError::Unprocessable(
            "This Idempotency-Key was already used with a different request.".into(),
        )),
    }
}

/// Stores the reply under the key, in the same transaction as the write it describes.
pub async fn idem_finish(
    conn: &mut Conn,
    ctx: &Ctx,
    idem: &Option<Idem>,
    reply: &Reply,
) -> ApiResult<()> {
    let Some(idem) = idem else { return Ok(()) };
    db::idempotency::insert(
        conn,
        &db::idempotency::StoredResponse {
            caller: ctx.principal.caller_key(),
            idempotency_key: idem.key.clone(),
            request_hash: idem.fingerprint.clone(),
            response_status: reply.status as i16,
            response_body: reply.body.clone().unwrap_or(serde_json::Value::Null),
            response_headers: serde_json::json!({"location": reply.location, "etag": reply.etag}),
        },
    )
    .await?;
    Ok(())
}
