//! Reading the audit trail.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::api::audit::AuditEvent;
use crate::api::{decode_cursor, end_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Policy};
use crate::db::{self, Pool};
use crate::error::ApiResult;
use crate::http::extract::bad_param;
use crate::http::reply::Reply;

pub const READ: &[Role] = &[Role::Auditor, Role::Admin];

pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}

pub async fn list(
    pool: &Pool,
    _: &Allowed<Read>,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let time = |name: &str| -> ApiResult<Option<DateTime<Utc>>> {
        params
            .get(name)
            .map(|v| {
                DateTime::parse_from_rfc3339(v)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| bad_param(name, "an RFC 3339 timestamp"))
            })
            .transpose()
    };
    let filter = db::audit::AuditFilter {
        actor: params.get("actor").cloned(),
        resource_type: params.get("resource_type").cloned(),
        resource_id: params
            .get("resource_id")
            .map(|v| Uuid::parse_str(v).map_err(|_| bad_param("resource_id", "a UUID")))
            .transpose()?,
        from: time("from")?,
        to: time("to")?,
        before_id: params.get("cursor").map(|c| decode_cursor(c)).transpose()?,
    };
    if let Some(a) = &filter.actor {
        if crate::api::is_blank(a) || a.chars().count() > 200 || a.contains('\0') {
            return Err(bad_param("actor", "from 1 to 200 characters"));
        }
    }
    if let Some(t) = &filter.resource_type {
        if t.is_empty() || t.len() > 50 || !t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(bad_param(
                "resource_type",
                "lower-case letters and underscores",
            ));
        }
    }
    // Reading the audit trail is itself not audited: it holds no personal data beyond ids.
    let mut conn = pool.get().await?;
    let mut rows = db::audit::list(&mut conn, &filter, limit + 1).await?;
    let next_cursor = end_page(&mut rows, limit, |r| r.id);
    let items: Vec<AuditEvent> = rows.into_iter().map(AuditEvent::from).collect();
    Ok(Reply::ok(&Page { items, next_cursor }, None))
}
