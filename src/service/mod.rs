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
pub mod information;
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
use crate::db::audit::NewAuditEvent;
use crate::db::{self, Conn, Pool};
use crate::error::{ApiError, ApiResult};
use crate::http::reply::Reply;

/// Where a request's audit event goes. A write's goes into its own transaction; a read's is
/// kept by its [`ReadConn`] and committed by the pool's audit writer before the read is answered.
pub trait AuditTrail {
    fn record(&mut self, event: NewAuditEvent) -> impl std::future::Future<Output = ApiResult<()>>;
}

impl AuditTrail for Conn {
    async fn record(&mut self, event: NewAuditEvent) -> ApiResult<()> {
        // A write's event outside its transaction could be committed without the write, or the
        // write without it; a read's belongs on a ReadConn. Refused, so that tests find it.
        let depth = <diesel_async::AnsiTransactionManager as diesel_async::TransactionManager<
            Conn,
        >>::transaction_manager_status_mut(self)
        .transaction_depth();
        if !matches!(depth, Ok(Some(_))) {
            return Err(ApiError::Internal(format!(
                "audit event {} written outside a transaction",
                event.action
            )));
        }
        db::audit::insert(self, &event).await?;
        Ok(())
    }
}

impl AuditTrail for db::PooledConn {
    async fn record(&mut self, event: NewAuditEvent) -> ApiResult<()> {
        AuditTrail::record(&mut **self, event).await
    }
}

/// A read's connection: no transaction (each statement sees what was committed when it started,
/// as under READ COMMITTED), and the audit events it earns kept for [`read`] to commit.
pub struct ReadConn<'a> {
    conn: &'a mut Conn,
    events: Vec<NewAuditEvent>,
}

impl std::ops::Deref for ReadConn<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl std::ops::DerefMut for ReadConn<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn
    }
}

impl AuditTrail for ReadConn<'_> {
    async fn record(&mut self, event: NewAuditEvent) -> ApiResult<()> {
        self.events.push(event);
        Ok(())
    }
}

/// Runs a read, then waits for its audit events to be committed (with those of the other reads
/// in flight) before handing back what it read: nothing read is answered without its durable
/// event, and when the events cannot be committed the caller gets 503 instead. The connection
/// goes back to the pool before the wait.
pub async fn read<T>(
    pool: &Pool,
    f: impl AsyncFnOnce(&mut ReadConn<'_>) -> ApiResult<T>,
) -> ApiResult<T> {
    let mut pooled = pool.get().await?;
    let mut conn = ReadConn {
        conn: &mut pooled,
        events: Vec::new(),
    };
    let value = f(&mut conn).await?;
    let events = conn.events;
    drop(pooled);
    pool.manager().audit.commit(events).await.map_err(|_| {
        ApiError::Unavailable("The audit trail cannot be written; retry shortly.".into())
    })?;
    Ok(value)
}

/// Records the audit event for this request (see [`AuditTrail`]).
pub async fn audit(
    conn: &mut impl AuditTrail,
    ctx: &Ctx,
    action: &str,
    resource_type: &str,
    ids: &[Uuid],
) -> ApiResult<()> {
    audit_keyed(conn, ctx, action, resource_type, ids, &[]).await
}

/// As `audit`, for records keyed by a code (organisations, services) as well as by ids.
pub async fn audit_keyed(
    conn: &mut impl AuditTrail,
    ctx: &Ctx,
    action: &str,
    resource_type: &str,
    ids: &[Uuid],
    keys: &[&str],
) -> ApiResult<()> {
    conn.record(NewAuditEvent {
        id: Uuid::now_v7(),
        actor: ctx.principal.subject.clone(),
        actor_roles: ctx.principal.role_names(),
        action: action.to_string(),
        resource_type: resource_type.to_string(),
        resource_ids: ids.to_vec(),
        resource_keys: keys.iter().map(|k| k.to_string()).collect(),
        request_id: ctx.request_id.clone(),
        purpose: ctx.purpose.clone(),
        actor_issuer: Some(ctx.principal.issuer.clone()),
    })
    .await
}

/// Audits a read of some of a family's records: their ids, then the family's.
pub async fn audit_family_read(
    conn: &mut impl AuditTrail,
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
